// The store under crashes: a corrupt file at start is moved aside; kill -9 mid-burst loses no
// turn whose reply was published.
import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';
import { readAllMessages, tempDir } from '../helpers/paths.js';

let broker: Mosquitto;
test.before(async () => {
  broker = await Mosquitto.start();
});
test.after.always(() => broker?.stop());

test('a store truncated mid-JSON is moved aside (kept), the daemon starts fresh and says where it went', async (t) => {
  const stateDir = await tempDir();
  const truncated = '{"schemaVersion":1,"createdAt":"2026-01-01T00:00:00.000Z","messages":[{"id":"a","turnId":"t","ts":"2026-01-01T00:00:00.000Z","role":"user","text":"hel';
  await writeFile(path.join(stateDir, 'store.json'), truncated);
  const daemon = await DaemonProcess.start({ stateDir, env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const loud = daemon.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('STORE WAS CORRUPT'));
  t.truthy(loud);
  t.is(loud!.level, 50, 'logged at error level');
  const aside = (await readdir(stateDir)).filter((f) => f.startsWith('store.json.corrupt-'));
  t.is(aside.length, 1);
  t.is(loud!.movedTo, path.join(stateDir, aside[0]!));
  t.is(await readFile(path.join(stateDir, aside[0]!), 'utf8'), truncated, 'the corrupt file is kept byte for byte');
  const res = await runCli(['ask', '/help'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  t.is(res.code, 0);
  t.notThrows(async () => JSON.parse(await readFile(path.join(stateDir, 'store.json'), 'utf8')));
});

test('kill -9 during a burst of 500 asks: the store parses and holds every turn whose reply was published', async (t) => {
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  const replyTopic = `wulf/${daemon.deviceId}/reply`;
  await client.subscribe(replyTopic);
  const total = 500;
  for (let i = 0; i < total; i++) {
    void client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text: i % 2 ? '/help' : 'hello there', id: `burst-${i}` }), { qos: 1 });
  }
  const killAt = 150 + Math.floor(Math.random() * 200);
  await client.waitFor(() => client.messages.filter((m) => m.topic === replyTopic).length >= killAt, 60_000, `${killAt} replies`);
  daemon.signal('SIGKILL');
  await daemon.exited;
  const replied = new Set(client.messages.filter((m) => m.topic === replyTopic).map((m) => (JSON.parse(m.payload.toString()) as { id: string }).id));
  t.log(`killed after ${replied.size} of ${total} replies`);
  t.true(replied.size >= killAt);

  // The live file must parse; old turns have rolled into the archive segments beside it.
  const messages = await readAllMessages(daemon.stateDir);
  const stored = new Set(messages.filter((m) => m.role === 'assistant').map((m) => m.turnId));
  const missing = [...replied].filter((id) => !stored.has(id));
  t.deepEqual(missing, [], 'every replied turn is on disk');
  // And the daemon starts again on that file.
  const again = await DaemonProcess.start({ stateDir: daemon.stateDir, deviceId: daemon.deviceId, env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => again.kill());
  await again.ready();
  t.falsy(again.logs.find((l) => typeof l.msg === 'string' && l.msg.startsWith('STORE WAS CORRUPT')));
});
