// The generator in the daemon, end to end, with the shipped NeuroLite and Jarvis models and a real
// mosquitto: a compound request becomes a plan whose calls reach the configured devices and a reply
// worded from the tools' results; a plan holding a critical action waits for a yes; a question is
// answered from a remembered note (and says it came from memory); the reply streams on reply/partial;
// by default (`generator.enabled` false while the shipped model misses its bars, #11) it stays out.
// The sentences here are ones the shipped model gets right: this test is about the wiring, the
// model's accuracy is measured in test/firmware-models/jarvis/dist.test.ts.
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { homeConfig } from '../helpers/home-config.js';

const config = {
  ...homeConfig,
  generator: { enabled: true },
  devices: [...homeConfig.devices, { id: 'entree.lock', names: { en: ['front door'], fr: ["porte d'entrée"] }, domain: 'lock', preset: 'zigbee2mqtt', target: 'front_lock', critical: true }],
};

type Reply = { text: string; intent: string | null; source: string; actions: Array<{ tool?: string; topic?: string; payload?: string; refused?: string }>; data?: { awaitingConfirmation?: boolean; generator?: { model: string; notes: number } } };

async function setup(t: import('ava').ExecutionContext, extra: Record<string, unknown> = {}, stateDir?: string) {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { ...config, ...extra }, ...(stateDir ? { stateDir } : {}) });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const reply = `wulf/${daemon.deviceId}/reply`;
  await client.subscribe([reply, `${reply}/partial`, 'zigbee2mqtt/#', 'cmnd/#']);
  let n = 0;
  const ask = async (text: string, lang: 'en' | 'fr', session = 's1') => {
    const id = `q${++n}`;
    await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id, lang, session }), { qos: 1 });
    return { id, ...((await client.waitJson(reply, id, 30_000)) as Reply) };
  };
  return { daemon, client, ask };
}

test('a compound request: every call reaches its device, and the model words the reply', async (t) => {
  const { daemon, client, ask } = await setup(t);
  t.truthy(daemon.logs.find((l) => l.msg === 'generator model in service'), 'the shipped Jarvis model is loaded');
  const fr = await ask('éteins la lumière du salon et mets un minuteur de 5 minutes', 'fr');
  t.is(fr.source, 'model');
  t.is(fr.data?.generator?.model, 'jarvis-mini');
  t.deepEqual(fr.actions.map((a) => a.tool), ['home_control', 'timer_start']);
  await client.waitFor((m) => m.topic === 'zigbee2mqtt/salon_lamp/set' && m.payload.toString() === '{"state":"OFF"}');
  t.regex(fr.text, /éteint lumière du salon/);
  t.regex(fr.text, /5 minutes/);
});

test('a plan with a critical action asks first, and runs only after a yes from the same session', async (t) => {
  const { client, ask } = await setup(t);
  const q = await ask('unlock the front door and turn on the living room light', 'en');
  t.true(q.data?.awaitingConfirmation, q.text);
  t.regex(q.text, /front door/);
  await new Promise((r) => setTimeout(r, 300));
  t.false(client.messages.some((m) => m.topic.startsWith('zigbee2mqtt/')), 'nothing ran before the yes');
  const other = await ask('yes', 'en', 'someone-else');
  t.falsy(other.actions.length);
  const yes = await ask('yes', 'en');
  t.deepEqual(yes.actions.map((a) => a.topic), ['zigbee2mqtt/front_lock/set', 'zigbee2mqtt/salon_lamp/set']);
});

test('a question is answered from a remembered note, streamed on reply/partial, and says it came from memory', async (t) => {
  const first = await setup(t);
  const remembered = await first.ask('remember that the alarm code is 4521', 'en');
  t.is(remembered.intent, 'WulfRemember');
  first.daemon.signal('SIGTERM');
  t.is((await first.daemon.waitExit(15_000)).code, 0);
  // An unsure question (the NLU below its threshold says unknown): Jarvis answers it from the best
  // notes, or not at all. The shipped NLU understands this question as WulfRecall (the recall tool
  // answers it, tested elsewhere), so this daemon, on the same memory, trusts no NLU result.
  const { client, ask } = await setup(t, { nlu: { confidenceThreshold: 0.999 } }, first.daemon.stateDir);
  const a = await ask('any idea what the alarm code is', 'en');
  t.is(a.intent, null);
  t.regex(a.text, /4521/);
  t.is(a.source, 'memory');
  t.true((a.data?.generator?.notes ?? 0) >= 1);
  const parts = client.messages.filter((m) => m.topic.endsWith('/reply/partial')).map((m) => JSON.parse(m.payload.toString()) as { id: string; seq: number; delta: string }).filter((p) => p.id === a.id);
  t.true(parts.length > 0, 'partial replies were published');
  t.deepEqual(parts.map((p) => p.seq), parts.map((_, i) => i));
  t.is(parts.map((p) => p.delta).join(''), a.text);
  // Nothing was remembered about this: the model says so rather than inventing.
  const none = await ask('what is the wifi password?', 'en');
  t.notRegex(none.text, /4521/);
});

test('by default the generator is off, and the daemon runs without it', async (t) => {
  const { daemon, ask } = await setup(t, { generator: {} });
  t.truthy(daemon.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('the generator is off')));
  const r = await ask('éteins la lumière du salon et mets un minuteur de 5 minutes', 'fr');
  t.not(r.source, 'model');
  t.falsy(r.data?.generator);
});
