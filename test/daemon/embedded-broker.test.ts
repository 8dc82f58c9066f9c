// The README's run line on a fresh machine: no config at all → the embedded broker.
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';

test('with no config the daemon runs an embedded broker, answers `wulf ask /status --json`, and stops cleanly on SIGTERM', async (t) => {
  const daemon = await DaemonProcess.start(); // `npm start` = node dist/src/cli/main.js run
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const brokerLine = daemon.logs.find((l) => l.mod === 'mqtt' && typeof l.url === 'string' && /embedded|already listens/.test(l.msg));
  t.truthy(brokerLine, 'the log says which broker is used');
  const isOurs = brokerLine!.msg.includes('embedded MQTT broker (aedes) listening');
  t.log(isOurs ? 'embedded aedes broker started' : 'a broker already listened on 1883; the daemon used it and said so');

  const statusTopic = `wulf/${daemon.deviceId}/status`;
  const watcher = await Recorder.connect('mqtt://127.0.0.1:1883', { protocolVersion: 4 });
  t.teardown(() => watcher.end());
  await watcher.subscribe(statusTopic);
  await watcher.waitFor((m) => m.topic === statusTopic && m.payload.toString() === 'online');

  // --timeout 2000: the CLI itself fails (exit 4) when no reply comes within 2 s.
  const res = await runCli(['ask', '/status', '--json', '--timeout', '2000'], { WULF_DEVICE_ID: daemon.deviceId });
  t.is(res.code, 0, res.stderr);
  const reply = JSON.parse(res.stdout) as { intent: string; data: { mqtt: { state: string; embeddedBroker: boolean }; deviceId: string } };
  t.is(reply.intent, 'WulfStatus');
  t.is(reply.data.deviceId, daemon.deviceId);
  t.is(reply.data.mqtt.state, 'connected');
  t.is(reply.data.mqtt.embeddedBroker, isOurs);

  daemon.signal('SIGTERM');
  const exit = await daemon.waitExit(10_000);
  t.is(exit.code, 0);
  // The embedded broker lives in the daemon: its subscribers hear `offline` before it closes.
  const offline = await watcher.waitFor((m) => m.topic === statusTopic && m.payload.toString() === 'offline', 2000);
  t.truthy(offline);
});
