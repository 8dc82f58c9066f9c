// The daemon against a real mosquitto: turns, MQTT 5 request/response, retained status, bad input.
import test from 'ava';
import { randomUUID } from 'node:crypto';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';

let broker: Mosquitto;
test.before(async () => {
  broker = await Mosquitto.start();
});
test.after.always(() => broker?.stop());

async function startDaemon(t: { teardown: (fn: () => Promise<void>) => void }): Promise<DaemonProcess> {
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  return daemon;
}

test('answers `wulf ask /status` through mosquitto and leaves `offline` retained after SIGTERM', async (t) => {
  const daemon = await startDaemon(t);
  const env = { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url };
  const res = await runCli(['ask', '/status', '--json', '--timeout', '2000'], env);
  t.is(res.code, 0, res.stderr);
  const reply = JSON.parse(res.stdout) as { intent: string; data: { mqtt: { protocolVersion: number; embeddedBroker: boolean } } };
  t.is(reply.intent, 'WulfStatus');
  t.is(reply.data.mqtt.protocolVersion, 5);
  t.false(reply.data.mqtt.embeddedBroker);

  const status = await runCli(['status', '--json', '--timeout', '2000'], env);
  t.is(status.code, 0, status.stderr);
  t.is((JSON.parse(status.stdout) as { deviceId: string }).deviceId, daemon.deviceId);

  daemon.signal('SIGTERM');
  t.is((await daemon.waitExit(10_000)).code, 0);
  const late = await Recorder.connect(broker.url);
  t.teardown(() => late.end());
  await late.subscribe(`wulf/${daemon.deviceId}/status`);
  const retained = await late.waitFor((m) => m.topic.endsWith('/status'), 3000);
  t.true(retained.retain);
  t.is(retained.payload.toString(), 'offline');
});

test('honours the MQTT 5 response topic and correlation data, and echoes the request id on `reply`', async (t) => {
  const daemon = await startDaemon(t);
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const responseTopic = `test/${randomUUID()}/inbox`;
  await client.subscribe([responseTopic, `wulf/${daemon.deviceId}/reply`]);
  const id = 'req-42';
  await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text: '/help', id }), {
    qos: 1,
    properties: { responseTopic, correlationData: Buffer.from('corr-7') },
  });
  const direct = await client.waitFor((m) => m.topic === responseTopic);
  t.is(direct.correlationData?.toString(), 'corr-7');
  const body = JSON.parse(direct.payload.toString()) as Record<string, unknown>;
  t.is(body.id, id);
  t.is(body.intent, 'WulfHelp');
  t.deepEqual(Object.keys(body).sort(), ['actions', 'id', 'intent', 'latency_ms', 'slots', 'source', 'text']);
  const broadcast = await client.waitJson(`wulf/${daemon.deviceId}/reply`, id);
  t.is(broadcast.text, body.text);
});

test('without a loadable NLU model, natural language gets an honest "not yet" with intent null, in the language asked', async (t) => {
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { nlu: { model: '/nonexistent/model.tflite' } } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  t.truthy(daemon.logs.find((l) => l.msg === 'the configured NLU model is missing; natural language is off' && l.level === 50));
  const env = { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url };
  const en = await runCli(['ask', 'turn on the kitchen light', '--json'], env);
  t.is(en.code, 0, en.stderr);
  const reply = JSON.parse(en.stdout) as { intent: unknown; text: string };
  t.is(reply.intent, null);
  t.regex(reply.text, /can't understand sentences yet/);
  const fr = await runCli(['ask', 'allume la lumière', '--lang', 'fr'], env);
  t.regex(fr.stdout, /ne comprends pas encore/);
});

test('plain-text asks (no JSON) are answered on `reply`', async (t) => {
  const daemon = await startDaemon(t);
  const client = await Recorder.connect(broker.url, { protocolVersion: 4 });
  t.teardown(() => client.end());
  await client.subscribe(`wulf/${daemon.deviceId}/reply`);
  await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, '/voiceon', { qos: 1 });
  const m = await client.waitFor((m) => m.topic.endsWith('/reply'));
  t.is((JSON.parse(m.payload.toString()) as { intent: string }).intent, 'WulfVoiceOn');
});

test('bad input gets an `error` with a code for each case, and the daemon keeps serving', async (t) => {
  const daemon = await startDaemon(t);
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const errorTopic = `wulf/${daemon.deviceId}/error`;
  const askTopic = `wulf/${daemon.deviceId}/ask`;
  await client.subscribe([errorTopic, `wulf/${daemon.deviceId}/reply`]);
  const cases: Array<[string, Buffer, string]> = [
    ['invalid JSON', Buffer.from('{"text": "hi",'), 'bad_json'],
    ['empty payload', Buffer.alloc(0), 'empty'],
    ['1 MiB payload', Buffer.alloc(1024 * 1024, 'a'), 'too_large'],
    ['invalid UTF-8', Buffer.from([0x68, 0xc3, 0x28, 0xff, 0xfe]), 'bad_utf8'],
    ['JSON without text', Buffer.from('{"id": "x1"}'), 'bad_request'],
    ['unknown slash command', Buffer.from('{"text": "/selfdestruct", "id": "u1"}'), 'unknown_command'],
  ];
  for (const [name, payload, code] of cases) {
    const before = client.messages.length;
    await client.client.publishAsync(askTopic, payload, { qos: 1 });
    const m = await client.waitFor((m) => m.topic === errorTopic && client.messages.indexOf(m) >= before, 5000, `error for ${name}`);
    const body = JSON.parse(m.payload.toString()) as { code: string; message: string; topic: string };
    t.is(body.code, code, name);
    t.is(body.topic, askTopic);
    t.true(body.message.length > 0);
  }
  const ok = await runCli(['ask', '/help'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  t.is(ok.code, 0, 'still serving after every bad input');
  t.true(daemon.logs.filter((l) => l.msg === 'refused input').length >= cases.length);
  t.is(daemon.proc.exitCode, null);
});

test('`wulf ask` exits 1 on an error reply, 3 when the broker is unreachable, 4 when nobody answers', async (t) => {
  const daemon = await startDaemon(t);
  const env = { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url };
  const unknown = await runCli(['ask', '/nope'], env);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /unknown_command/);
  const unreachable = await runCli(['ask', '/help', '--broker', 'mqtt://127.0.0.1:1'], env);
  t.is(unreachable.code, 3);
  const nobody = await runCli(['ask', '/help', '--device', 'nobody-here', '--timeout', '500'], env);
  t.is(nobody.code, 4);
});
