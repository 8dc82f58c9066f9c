// The daemon with audio.wyoming.enabled: its Wyoming server (on a free port) answers the protocol's
// reference client (test/fixtures/wyoming/client.py in .venv/wyoming: bash .ci/setup-wyoming.sh)
// with the daemon's own engines, its address and VAD are in /status, and it stops with the daemon.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { repoRoot } from '../helpers/paths.js';
import { voiceModelsDir } from '../helpers/voice.js';

const python = path.join(repoRoot, '.venv/wyoming/bin/python');
const clientPy = path.join(repoRoot, 'test/fixtures/wyoming/client.py');

function client(port: number, ...args: string[]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    execFile(python, [clientPy, args[0]!, '127.0.0.1', String(port), ...args.slice(1)], { timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`client.py ${args.join(' ')}: ${err.message}\n${stderr}`));
      else resolve(JSON.parse(stdout) as Record<string, unknown>);
    });
  });
}

test.serial('a daemon with wyoming enabled answers describe from the reference client; /status has its address and the VAD; it stops with the daemon', async (t) => {
  if (!existsSync(python)) t.fail(`${python} is missing: run bash .ci/setup-wyoming.sh`);
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({
    env: { WULF_MQTT_URL: broker.url },
    config: {
      devices: [{ id: 'kitchen.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, domain: 'light', preset: 'tasmota', target: 'kitchen' }],
      audio: { modelsDir: await voiceModelsDir(), wake: { words: [{ id: 'okay_nabu' }] }, wyoming: { enabled: true, port: 0 } },
    },
  });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const rec = await Recorder.connect(broker.url);
  t.teardown(() => rec.end());
  const reply = `wulf/${daemon.deviceId}/reply`;
  await rec.subscribe([reply]);
  await rec.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text: '/status', id: 's1' }), { qos: 1 });
  const status = (await rec.waitJson(reply, 's1')) as { data: { voice: { vad: string; wyoming: { state: string; host: string; port: number } } } };
  const w = status.data.voice.wyoming;
  t.is(w.state, 'listening');
  t.is(w.host, '127.0.0.1');
  t.true(w.port > 0);
  t.is(status.data.voice.vad, 'model:vad');

  const r = await client(w.port, 'describe');
  t.deepEqual(r['types'], ['info']);
  const info = r['info'] as { asr: Array<{ models: Array<{ name: string; languages: string[] }> }>; tts: Array<{ voices: Array<{ name: string }> }>; wake: Array<{ models: Array<{ name: string }> }> };
  t.deepEqual(info.asr[0]?.models.map((m) => [m.name, m.languages]), [['wulf-grammar-en', ['en']]]);
  t.deepEqual(info.tts[0]?.voices.map((v) => v.name), ['en-us', 'fr-fr']);
  t.deepEqual(info.wake[0]?.models.map((m) => m.name), ['okay_nabu']);

  daemon.signal('SIGTERM');
  await daemon.waitExit(15_000);
  const refused = await new Promise<boolean>((resolve) => {
    const s = net.connect(w.port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(false)));
    s.once('error', () => resolve(true));
  });
  t.true(refused, 'the port is closed after shutdown');
});
