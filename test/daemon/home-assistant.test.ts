// Home Assistant over a real mosquitto: discovery (and again after HA's birth message), the
// command entities, last-turn sensors, intent events, decommission, malformed input ignored.
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';

async function setup(t: { teardown: (fn: () => Promise<void>) => void }) {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const ha = await Recorder.connect(broker.url);
  t.teardown(() => ha.end());
  return { broker, daemon, ha, node: `wulf_${daemon.deviceId}`, base: `wulf/${daemon.deviceId}` };
}

test('discovery configs are retained on connect and published again after Home Assistant says online', async (t) => {
  const { daemon, ha, node } = await setup(t);
  await ha.subscribe(`homeassistant/+/${node}/+/config`);
  await ha.waitFor(() => ha.messages.length >= 8, 5000, '8 discovery configs');
  const first = ha.messages.filter((m) => m.retain);
  t.deepEqual(first.map((m) => m.topic.split('/')[1]).sort(), ['event', 'select', 'sensor', 'sensor', 'sensor', 'switch', 'text', 'update']);
  for (const m of first) t.notThrows(() => JSON.parse(m.payload.toString()));
  const before = ha.messages.length;
  await ha.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
  await ha.waitFor(() => ha.messages.length >= before + 8, 5000, 're-announcement');
  const again = ha.messages.slice(before);
  t.deepEqual(again.map((m) => m.topic).sort(), first.map((m) => m.topic).sort());
  t.deepEqual(again.map((m) => (JSON.parse(m.payload.toString()) as { unique_id: string }).unique_id).sort(), first.map((m) => (JSON.parse(m.payload.toString()) as { unique_id: string }).unique_id).sort(), 'same unique ids');
  t.is(daemon.proc.exitCode, null);
});

test('the text entity runs a command; the reply, transcript and intent land on their sensors; an intent event fires', async (t) => {
  const { ha, base } = await setup(t);
  await ha.subscribe([`${base}/state/#`, `${base}/event/intent`, `${base}/intent/#`]);
  await ha.client.publishAsync(`${base}/text/set`, '/help', { qos: 1 });
  const reply = await ha.waitFor((m) => m.topic === `${base}/state/reply` && m.payload.toString().startsWith('Commands'), 5000);
  t.regex(reply.payload.toString(), /^Commands: \/help/);
  t.is((await ha.waitFor((m) => m.topic === `${base}/state/transcript`)).payload.toString(), '/help');
  t.is((JSON.parse((await ha.waitFor((m) => m.topic === `${base}/state/intent`)).payload.toString()) as { intent: string }).intent, 'WulfHelp');
  t.is((JSON.parse((await ha.waitFor((m) => m.topic === `${base}/event/intent`)).payload.toString()) as { event_type: string }).event_type, 'WulfHelp');
  t.truthy(await ha.waitFor((m) => m.topic === `${base}/intent/WulfHelp`));
});

test('the voice switch and the cloud-mode select change the persisted settings and echo their state', async (t) => {
  const { ha, base } = await setup(t);
  await ha.subscribe([`${base}/voice/state`, `${base}/cloud/state`]);
  await ha.waitFor((m) => m.topic.endsWith('/voice/state') && m.payload.toString() === 'OFF');
  await ha.client.publishAsync(`${base}/voice/set`, 'ON', { qos: 1 });
  await ha.waitFor((m) => m.topic.endsWith('/voice/state') && m.payload.toString() === 'ON');
  await ha.client.publishAsync(`${base}/cloud/set`, 'when_unsure', { qos: 1 });
  await ha.waitFor((m) => m.topic.endsWith('/cloud/state') && m.payload.toString() === 'when_unsure');
  t.pass();
});

test('garbage on Home Assistant and Hermes topics is ignored with a log line, and the daemon keeps serving', async (t) => {
  const { daemon, ha, base, broker } = await setup(t);
  const garbage: Array<[string, Buffer]> = [
    ['homeassistant/status', Buffer.from('maybe')],
    [`${base}/text/set`, Buffer.from([0xff, 0xfe])],
    [`${base}/text/set`, Buffer.alloc(4096, 'a')],
    [`${base}/voice/set`, Buffer.from('LOUD')],
    [`${base}/cloud/set`, Buffer.from('sometimes')],
    ['hermes/nlu/query', Buffer.from('{"input":')],
    ['hermes/nlu/query', Buffer.from('{"siteId":"default"}')],
    ['hermes/tts/say', Buffer.from('[1,2,3]')],
    [`${base}/update/install`, Buffer.from('install')],
  ];
  for (const [topic, payload] of garbage) await ha.client.publishAsync(topic, payload, { qos: 1 });
  await daemon.waitForLog(() => daemon.logs.filter((l) => l.msg === 'ignored malformed message').length >= garbage.length, 5000);
  const res = await runCli(['ask', '/help'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  t.is(res.code, 0);
  t.is(daemon.proc.exitCode, null);
});

test('`wulf decommission` clears every retained discovery config of the device', async (t) => {
  const { daemon, ha, node, broker } = await setup(t);
  await ha.subscribe(`homeassistant/+/${node}/+/config`);
  await ha.waitFor(() => ha.messages.length >= 8, 5000);
  daemon.signal('SIGTERM');
  await daemon.waitExit(10_000);
  const res = await runCli(['decommission', '--wait', '1000'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  t.is(res.code, 0, res.stderr);
  t.regex(res.stdout, /removed 8 Home Assistant entities/);
  const late = await Recorder.connect(broker.url);
  t.teardown(() => late.end());
  await late.subscribe(`homeassistant/+/${node}/+/config`);
  await new Promise((r) => setTimeout(r, 500));
  t.deepEqual(late.messages, [], 'no retained config is left');
});
