// The sd_notify protocol observed on a real unix datagram socket, as systemd would see it.
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { NotifySocket } from '../helpers/notify-socket.js';
import { Recorder } from '../helpers/mqtt-client.js';

let broker: Mosquitto;
test.before(async () => {
  broker = await Mosquitto.start();
});
test.after.always(() => broker?.stop());

test('READY=1 after MQTT is up, WATCHDOG=1 repeatedly but not while the loop is frozen, RELOADING=1 on SIGHUP, STOPPING=1 on SIGTERM', async (t) => {
  const sock = await NotifySocket.start();
  t.teardown(() => sock.stop());
  const freezeMs = 1500;
  const daemon = await DaemonProcess.start({
    env: { WULF_MQTT_URL: broker.url, NOTIFY_SOCKET: sock.path, WATCHDOG_USEC: '300000' }, // ping every 150 ms
    config: { watchdog: { maxEventLoopLagMs: 500 }, debug: { freezeOnSigusr2Ms: freezeMs } },
  });
  t.teardown(() => daemon.kill());

  const [ready] = await sock.waitFor('READY=1');
  t.is(ready!.pid, daemon.proc.pid ?? -1, 'sent from the main PID, so NotifyAccess=main accepts it');
  t.true(sock.having('STATUS').length >= 2, 'STATUS= lines during start-up');
  // Each start-up stage extends systemd's start timeout, so a slow cold start that makes progress is not killed.
  const stages = sock.having('STATUS').filter((m) => m.msg.startsWith('STATUS=starting'));
  t.true(stages.length >= 4 && stages.every((m) => /\nEXTEND_TIMEOUT_USEC=60000000$/.test(m.msg)), JSON.stringify(stages.map((m) => m.msg)));
  t.regex(ready!.msg, /STATUS=ready/);
  // READY=1 came after the MQTT connection: `online` is already retained when it arrives.
  const check = await Recorder.connect(broker.url);
  t.teardown(() => check.end());
  await check.subscribe(`wulf/${daemon.deviceId}/status`);
  t.is((await check.waitFor(() => true, 2000)).payload.toString(), 'online');
  const readyIndex = sock.messages.indexOf(ready!);
  t.false(sock.messages.slice(0, readyIndex).some((m) => m.msg.includes('WATCHDOG=1')), 'no WATCHDOG=1 before READY=1');

  await sock.waitFor('WATCHDOG=1', 5000, 4);

  // Freeze the event loop: no WATCHDOG=1 during the freeze, nor on the late tick right after it.
  await daemon.waitForLog('wulf is ready');
  daemon.signal('SIGUSR2');
  const frozen = await daemon.waitForLog('debug hook: freezing the event loop');
  t.truthy(frozen);
  await daemon.waitForLog('unhealthy: not petting the watchdog', 5000);
  const countAfterFreeze = sock.having('WATCHDOG=1').length;
  await sock.waitFor('WATCHDOG=1', 5000, countAfterFreeze + 3); // and it recovers
  const pings = sock.having('WATCHDOG=1').map((m) => m.tMs);
  const gaps = pings.slice(1).map((tm, i) => tm - pings[i]!);
  const maxGap = Math.max(...gaps);
  t.true(maxGap >= freezeMs, `a gap of at least ${freezeMs} ms between pings (max gap ${Math.round(maxGap)} ms)`);

  daemon.signal('SIGHUP');
  const [reloading] = await sock.waitFor('RELOADING=1');
  t.regex(reloading!.msg, /MONOTONIC_USEC=\d+/);
  await sock.waitFor('READY=1', 5000, 2);

  daemon.signal('SIGTERM');
  await sock.waitFor('STOPPING=1');
  t.is((await daemon.waitExit(10_000)).code, 0);
});

test('without $NOTIFY_SOCKET the daemon runs and sends nothing', async (t) => {
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  daemon.signal('SIGTERM');
  t.is((await daemon.waitExit(10_000)).code, 0);
});
