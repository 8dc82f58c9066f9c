// `wulf listen` as a real process: usage errors, a bad WAV, an unreachable broker, and raw PCM on
// stdin reaching the running daemon's wake word.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { runCli } from '../helpers/cli.js';
import { cliPath, tempDir } from '../helpers/paths.js';
import { concat, espeak, silence, voiceModelsDir } from '../helpers/voice.js';

test('usage: exactly one of --wav and --stdin; a file that is not a WAV is exit 2; no broker is exit 3', async (t) => {
  const none = await runCli(['listen']);
  t.is(none.code, 2);
  t.regex(none.stderr, /exactly one of --wav FILE or --stdin/);
  t.is((await runCli(['listen', '--wav', 'x.wav', '--stdin'])).code, 2);
  const notWav = path.join(await tempDir(), 'text.wav');
  await writeFile(notWav, 'hello, not audio');
  const bad = await runCli(['listen', '--wav', notWav], { WULF_MQTT_URL: 'mqtt://127.0.0.1:1' });
  t.true(bad.code === 2 || bad.code === 3, bad.stderr);
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const notWav2 = await runCli(['listen', '--wav', notWav], { WULF_MQTT_URL: broker.url, WULF_DEVICE_ID: 'nobody' });
  t.is(notWav2.code, 2);
  t.regex(notWav2.stderr, /not a RIFF\/WAVE file/);
  const unreachable = await runCli(['listen', '--wav', notWav], { WULF_MQTT_URL: 'mqtt://127.0.0.1:1' });
  t.is(unreachable.code, 3, unreachable.stderr);
});

test('--stdin: raw s16le 16 kHz mono reaches the daemon; a wake word with no command is heard, exit 1 (nothing recognized)', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { audio: { modelsDir: await voiceModelsDir() } } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const rec = await Recorder.connect(broker.url);
  t.teardown(() => rec.end());
  await rec.subscribe('hermes/#');
  const pcm = concat([silence(300), await espeak('okay nabu'), silence(300), await espeak('hello there'), silence(300)]);
  const child = spawn(process.execPath, [cliPath, 'listen', '--stdin', '--site', daemon.deviceId, '--timeout', '15000'], { env: { ...process.env, WULF_MQTT_URL: broker.url, WULF_DEVICE_ID: daemon.deviceId, WULF_STATE_DIR: daemon.stateDir }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  // Odd-sized writes: the CLI must re-cut the byte stream into whole samples.
  const bytes = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  for (let i = 0; i < bytes.length; i += 999) child.stdin.write(bytes.subarray(i, i + 999));
  child.stdin.end();
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 1);
  t.is(stdout.trim(), 'heard: (nothing recognized)');
  const detected = await rec.waitFor((m) => m.topic === 'hermes/hotword/okay_nabu/detected');
  t.is((JSON.parse(detected.payload.toString()) as { siteId: string }).siteId, daemon.deviceId, 'the site given with --site');
});
