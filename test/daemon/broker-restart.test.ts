// The broker dies mid-session and comes back: the daemon reconnects, says `online` again, and an
// ask published (QoS 1) while the broker was down is answered after it returns.
import test from 'ava';
import mqtt from 'mqtt';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';

test('reconnects after the broker is killed and restarted, and answers a QoS 1 ask sent during the outage', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({
    env: { WULF_MQTT_URL: broker.url },
    config: { mqtt: { reconnectMinMs: 200, reconnectMaxMs: 1000 } },
  });
  t.teardown(() => daemon.kill());
  await daemon.ready();

  // The asker reconnects more slowly than the daemon (3 s vs ≤ 1 s), as a phone app or Node-RED would.
  const asker = mqtt.connect(broker.url, { protocolVersion: 5, reconnectPeriod: 3000, clientId: 'asker' });
  t.teardown(() => asker.end(true));
  await new Promise<void>((resolve) => asker.once('connect', () => resolve()));
  const replyTopic = `wulf/${daemon.deviceId}/reply`;
  await asker.subscribeAsync(replyTopic, { qos: 1 });
  const replies: string[] = [];
  asker.on('message', (_topic, payload) => replies.push(payload.toString()));

  await broker.kill();
  await daemon.waitForLog('mqtt connection lost; reconnecting');
  // Published while the broker is down: mqtt.js holds the QoS 1 message and sends it on reconnect.
  void asker.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text: '/help', id: 'during-outage' }), { qos: 1 });
  await new Promise((r) => setTimeout(r, 1500));
  await broker.spawn();

  await daemon.waitForLog((l) => l.msg === 'mqtt connected' && l.connects === 2, 15_000);
  const watcher = await Recorder.connect(broker.url);
  t.teardown(() => watcher.end());
  await watcher.subscribe(`wulf/${daemon.deviceId}/status`);
  t.is((await watcher.waitFor(() => true, 3000)).payload.toString(), 'online', 'online republished (retained) after the reconnect');

  const deadline = Date.now() + 15_000;
  while (!replies.some((r) => r.includes('"during-outage"')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  const reply = replies.map((r) => JSON.parse(r) as { id: string; intent: string }).find((r) => r.id === 'during-outage');
  t.truthy(reply, 'the ask sent during the outage was answered');
  t.is(reply?.intent, 'WulfHelp');
});
