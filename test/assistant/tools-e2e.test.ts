// The assistant's tools end to end through a real mosquitto, started by routines and slash
// commands (no language model needed): device commands, confirmation, allow-list, timers.
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';

// Each test has its own broker: the device topics are the same in every test.

const devices = [
  { id: 'salon.light', names: { en: ['living room light'], fr: ['lumière du salon'] }, area: 'salon', domain: 'light', preset: 'zigbee2mqtt', target: 'salon_lamp' },
  { id: 'kitchen.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light', preset: 'tasmota', target: 'kitchen' },
  { id: 'thermostat', names: { en: ['thermostat'], fr: ['thermostat'] }, domain: 'climate', preset: 'zigbee2mqtt', target: 'thermostat' },
  { id: 'garage', names: { en: ['garage door'], fr: ['porte du garage'] }, domain: 'cover', preset: 'zigbee2mqtt', target: 'garage_door', critical: true },
  { id: 'hall.sensor', names: { en: ['hall sensor'], fr: ['capteur du couloir'] }, domain: 'sensor', commandTopic: 'home/hall/set' },
];
const areas = [
  { id: 'salon', names: { en: ['living room'], fr: ['salon'] } },
  { id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } },
];
const routines = [
  { id: 'goodnight', phrases: { en: ['good night'], fr: ['bonne nuit'] }, steps: [
    { tool: 'home_control', args: { action: 'turn_off', deviceIds: ['salon.light', 'kitchen.light'] } },
    { tool: 'home_control', args: { action: 'turn_on', deviceIds: ['hall.sensor'] } },
    { tool: 'home_control', args: { action: 'temperature', deviceIds: ['thermostat'], value: 18 } },
  ] },
  { id: 'garage', phrases: { en: ['open the garage'], fr: ['ouvre le garage'] }, steps: [{ tool: 'home_control', args: { action: 'open', deviceIds: ['garage'] } }] },
  { id: 'forbidden', phrases: { en: ['wipe everything'], fr: [] }, steps: [{ tool: 'clear_memory', args: {} }] },
  { id: 'ghost', phrases: { en: ['run a shell'], fr: [] }, steps: [{ tool: 'shell_exec', args: { cmd: 'rm -rf /' } }] },
  { id: 'shopping', phrases: { en: ['we need milk'], fr: [] }, steps: [{ tool: 'list_add', args: { list: 'shopping', item: 'milk' } }, { tool: 'list_read', args: { list: 'shopping' } }] },
  { id: 'short-timer', phrases: { en: ['two second timer'], fr: [] }, steps: [{ tool: 'timer_start', args: { durationMs: 2000, name: 'tea' } }] },
  { id: 'long-timer', phrases: { en: ['one minute timer'], fr: [] }, steps: [{ tool: 'timer_start', args: { durationMs: 60_000, name: 'eggs' } }] },
  { id: 'garage-state', phrases: { en: ['is the garage open'], fr: [] }, steps: [{ tool: 'device_status', args: { deviceId: 'garage' } }] },
];
const enabled = ['home_control', 'device_status', 'list_add', 'list_read', 'timer_start', 'timer_status', 'voice_on', 'voice_off'];

async function start(t: { teardown: (fn: () => Promise<void>) => void }, extra: { stateDir?: string; deviceId?: string; tools?: Record<string, unknown>; broker?: Mosquitto } = {}) {
  const broker = extra.broker ?? (await Mosquitto.start());
  if (!extra.broker) t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({
    env: { WULF_MQTT_URL: broker.url },
    config: { devices, areas, routines, tools: { enabled, confirmTimeoutMs: 5000, ...extra.tools } },
    ...(extra.stateDir ? { stateDir: extra.stateDir } : {}),
    ...(extra.deviceId ? { deviceId: extra.deviceId } : {}),
  });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  // One persistent client: asks are answered in milliseconds, not a CLI start-up each.
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const replyTopic = `wulf/${daemon.deviceId}/reply`;
  const errorTopic = `wulf/${daemon.deviceId}/error`;
  await client.subscribe([replyTopic, errorTopic]);
  let n = 0;
  const ask = async (text: string, lang: 'en' | 'fr' = 'en') => {
    const id = `q${++n}`;
    await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id, lang }), { qos: 1 });
    const m = await client.waitFor((m) => (m.topic === replyTopic || m.topic === errorTopic) && (JSON.parse(m.payload.toString()) as { id?: string }).id === id, 10_000, `reply to ${text}`);
    return { body: JSON.parse(m.payload.toString()) as { text: string; intent: string | null; actions: Array<Record<string, unknown>> } };
  };
  return { daemon, ask, broker };
}

test('a routine runs every step in order, publishes each configured payload, and reports a failing step without hiding the others', async (t) => {
  const { ask, broker } = await start(t);
  const home = await Recorder.connect(broker.url);
  t.teardown(() => home.end());
  await home.subscribe(['zigbee2mqtt/#', 'cmnd/#', 'home/#']);
  const { body } = await ask('bonne nuit', 'fr');
  t.is(body.intent, 'routine:goodnight');
  await home.waitFor((m) => m.topic === 'zigbee2mqtt/thermostat/set');
  const got = home.messages.map((m) => `${m.topic} ${m.payload.toString()}`);
  t.deepEqual(got, ['zigbee2mqtt/salon_lamp/set {"state":"OFF"}', 'cmnd/kitchen/POWER OFF', 'zigbee2mqtt/thermostat/set {"occupied_heating_setpoint":18}']);
  t.regex(body.text, /(J’ai|j’ai) éteint lumière du salon, lumière de la cuisine\./);
  t.regex(body.text, /aucun de ces appareils/, 'the sensor step failed and says so');
  t.regex(body.text, /(J’ai|j’ai) réglé la température de thermostat à 18 °C/, 'and the step after it still ran');
});

test('a critical action never publishes without a yes; "oui" runs it; a timeout cancels it', async (t) => {
  const { ask, broker } = await start(t, { tools: { confirmTimeoutMs: 1500 } });
  const home = await Recorder.connect(broker.url);
  t.teardown(() => home.end());
  await home.subscribe('zigbee2mqtt/garage_door/set');

  const q1 = await ask('ouvre le garage', 'fr');
  t.regex(q1.body.text, /Dois-je ouvrir porte du garage \? Répondez oui ou non\./);
  const no = await ask('non', 'fr');
  t.regex(no.body.text, /je n’ai rien fait/);
  await ask('ouvre le garage', 'fr');
  await new Promise((r) => setTimeout(r, 2500)); // past confirmTimeoutMs (1.5 s)
  const late = await ask('oui', 'fr');
  t.regex(late.body.text, /Rien n’attend de réponse/);
  t.is(home.messages.length, 0, 'nothing published without a timely yes');

  await ask('open the garage');
  const yes = await ask('yes');
  t.is(yes.body.intent, 'WulfConfirm');
  const m = await home.waitFor(() => true, 3000);
  t.is(m.payload.toString(), '{"state":"OPEN"}');
  t.regex(yes.body.text, /(Opened|opened) garage door\./);
});

test('a confirmation belongs to the session that asked', async (t) => {
  const { daemon, broker } = await start(t);
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  await client.subscribe([`wulf/${daemon.deviceId}/reply`, 'zigbee2mqtt/garage_door/set']);
  const askTopic = `wulf/${daemon.deviceId}/ask`;
  await client.client.publishAsync(askTopic, JSON.stringify({ text: 'open the garage', id: 'a1', session: 'alice' }), { qos: 1 });
  await client.waitJson(`wulf/${daemon.deviceId}/reply`, 'a1');
  await client.client.publishAsync(askTopic, JSON.stringify({ text: 'yes', id: 'b1', session: 'bob' }), { qos: 1 });
  const bob = await client.waitJson(`wulf/${daemon.deviceId}/reply`, 'b1');
  t.regex(String(bob.text), /nothing waiting/);
  t.false(client.messages.some((m) => m.topic.startsWith('zigbee2mqtt')), "bob's yes does not open alice's garage");
  await client.client.publishAsync(askTopic, JSON.stringify({ text: 'yes', id: 'a2', session: 'alice' }), { qos: 1 });
  await client.waitFor((m) => m.topic === 'zigbee2mqtt/garage_door/set');
  t.pass();
});

test('tools outside the allow-list are refused and logged, whoever names them', async (t) => {
  const { daemon, ask } = await start(t);
  const forbidden = await ask('wipe everything');
  t.regex(forbidden.body.text, /not allowed/);
  t.deepEqual(forbidden.body.actions, [{ tool: 'clear_memory', refused: 'not_allowed' }]);
  const ghost = await ask('run a shell');
  t.deepEqual(ghost.body.actions, [{ tool: 'shell_exec', refused: 'unknown_tool' }]);
  const clear = await ask('/clearmemory');
  t.deepEqual(clear.body.actions, [{ tool: 'clear_memory', refused: 'not_allowed' }]);
  const refusals = daemon.logs.filter((l) => l.msg === 'tool call refused');
  t.deepEqual(refusals.map((l) => [l.tool, l.code]), [['clear_memory', 'not_allowed'], ['shell_exec', 'unknown_tool'], ['clear_memory', 'not_allowed']]);
});

test('/clearmemory is critical by default: it asks first', async (t) => {
  const { ask } = await start(t, { tools: { enabled: undefined } });
  const q = await ask('/clearmemory');
  t.regex(q.body.text, /Should I clear my notes and knowledge\?/);
  const done = await ask('yes');
  t.regex(done.body.text, /Cleared 0 notes and 0 knowledge bins/);
});

test('lists persist: an item added is read back', async (t) => {
  const { ask } = await start(t);
  const r = await ask('we need milk');
  t.regex(r.body.text, /(Added milk to the shopping list|Milk is on the shopping list|OK, milk goes on the shopping list)\. On the shopping list: milk\./);
});

test('device state: the last payload on the state topic answers "is it open?"', async (t) => {
  const { ask, broker } = await start(t);
  const before = await ask('is the garage open');
  t.regex(before.body.text, /not heard from garage door yet/);
  const pub = await Recorder.connect(broker.url);
  t.teardown(() => pub.end());
  await pub.client.publishAsync('zigbee2mqtt/garage_door', '{"state":"OPEN","battery":90}', { qos: 1 });
  await new Promise((r) => setTimeout(r, 300));
  const after = await ask('is the garage open');
  t.regex(after.body.text, /garage door is open\./);
});

test('a 2 s timer fires and is announced on the timer topic', async (t) => {
  const { daemon, ask, broker } = await start(t);
  const sub = await Recorder.connect(broker.url);
  t.teardown(() => sub.end());
  await sub.subscribe(`wulf/${daemon.deviceId}/timer`);
  const set = await ask('two second timer');
  t.regex(set.body.text, /The tea timer is set for 2 seconds\./);
  const m = await sub.waitFor(() => true, 6000);
  const event = JSON.parse(m.payload.toString()) as { event: string; name: string; lateMs: number; text: string };
  t.is(event.event, 'finished');
  t.is(event.name, 'tea');
  t.true(event.lateMs < 1000, `rang ${event.lateMs} ms late`);
});

test('a 60 s timer survives a daemon restart and fires on time (± 1 s)', async (t) => {
  const first = await start(t);
  const broker = first.broker;
  const sub = await Recorder.connect(broker.url);
  t.teardown(() => sub.end());
  await sub.subscribe(`wulf/${first.daemon.deviceId}/timer`);
  const setAt = Date.now();
  await first.ask('one minute timer');
  await new Promise((r) => setTimeout(r, 2000));
  first.daemon.signal('SIGTERM');
  t.is((await first.daemon.waitExit(10_000)).code, 0);
  await new Promise((r) => setTimeout(r, 3000)); // down for a while
  await start(t, { stateDir: first.daemon.stateDir, deviceId: first.daemon.deviceId, broker });
  const m = await sub.waitFor(() => true, 70_000);
  const event = JSON.parse(m.payload.toString()) as { name: string; dueAt: string; firedAt: string };
  t.is(event.name, 'eggs');
  const drift = Date.parse(event.firedAt) - Date.parse(event.dueAt);
  t.true(Math.abs(drift) <= 1000, `fired ${drift} ms from its due time`);
  t.true(Math.abs(Date.parse(event.dueAt) - (setAt + 60_000)) < 2000);
});
