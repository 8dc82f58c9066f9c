// Hermes (Rhasspy 2.5 / Snips) with the rhasspy-hermes package as the peer: what Wulf sends must
// parse with that package's own classes.
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { repoRoot } from '../helpers/paths.js';

const python = path.join(repoRoot, '.venv/hermes/bin/python');

function hermes(port: number, kind: 'nlu' | 'tts', text: string, siteId: string): Promise<{ topic?: string; parsed?: Record<string, unknown>; timeout?: boolean }> {
  return new Promise((resolve, reject) => {
    execFile(python, [path.join(repoRoot, 'test/helpers/hermes_client.py'), String(port), kind, text, siteId], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout) as { topic?: string; parsed?: Record<string, unknown>; timeout?: boolean });
    });
  });
}

test.before((t) => {
  if (!existsSync(python)) t.fail(`${python} is missing: run bash .ci/setup (it creates the Hermes venv)`);
});

test('an NLU query the model does not recognise gets intentNotRecognized, which rhasspy-hermes parses', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const r = await hermes(broker.port, 'nlu', 'book me a taxi to the airport', 'default');
  t.is(r.topic, 'hermes/nlu/intentNotRecognized');
  t.is(r.parsed?.input, 'book me a taxi to the airport');
  t.is(r.parsed?.site_id ?? r.parsed?.siteId, 'default');
  t.is(r.parsed?.id, 'req-1');
  t.is(r.parsed?.session_id ?? r.parsed?.sessionId, 'sess-1');
});

test('tts/say is acknowledged with a sayFinished that rhasspy-hermes parses; other sites are left alone', async (t) => {
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url } });
  t.teardown(() => daemon.kill());
  await daemon.ready();
  const r = await hermes(broker.port, 'tts', 'bonjour "$(rm -rf /)" <speak>', 'default');
  t.is(r.topic, 'hermes/tts/sayFinished');
  t.is(r.parsed?.id, 'say-1');
  const other = await hermes(broker.port, 'tts', 'hello', 'satellite-far-away');
  t.true(other.timeout, 'a site that is not ours gets no answer from us');
});
