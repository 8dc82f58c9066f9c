// The training-host loop (InnerArianna), end to end: the board's dialogues → wulf memory export →
// fine-tune the NeuroLite recipe from the shipped weights (--init-from) on a tiny mix → export
// int8 → wulf-ota build (with golden cases) → push → the board commits it and understands with it.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { DaemonProcess } from '../helpers/daemon-process.js';
import { Mosquitto } from '../helpers/mosquitto.js';
import { Recorder } from '../helpers/mqtt-client.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { runCli } from '../helpers/cli.js';

function exec(cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(cmd, args, { cwd: opts.cwd ?? repoRoot, timeout: 180_000, maxBuffer: 32 * 2 ** 20 }, (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr })));
}
const ota = (args: string[]) => exec(process.execPath, [path.join(repoRoot, 'dist/ota/cli.js'), ...args]);

test('board dialogues → export → fine-tune (--init-from) → build → push → committed and understanding', async (t) => {
  const work = await tempDir('wulf-loop-');
  const keysDir = path.join(work, 'trusted-keys');
  await mkdir(keysDir);
  t.is((await ota(['keygen', '--out', work, '--name', 'lab'])).code, 0);
  await writeFile(path.join(keysDir, 'lab.pub'), await readFile(path.join(work, 'lab.pub')));
  const broker = await Mosquitto.start();
  t.teardown(() => broker.stop());
  const daemon = await DaemonProcess.start({ env: { WULF_MQTT_URL: broker.url }, config: { ota: { trustedKeysDir: keysDir, probationMs: 1000 } } });
  t.teardown(() => daemon.kill());
  await daemon.ready();

  // 1. The board lives: a few turns in both languages.
  const client = await Recorder.connect(broker.url);
  t.teardown(() => client.end());
  await client.subscribe(`wulf/${daemon.deviceId}/reply`);
  const turns = ['ajoute des pommes à la liste de courses', 'add bread to the shopping list', 'quelle heure est-il', 'what time is it', 'set a timer for 5 minutes', 'mets un minuteur de 3 minutes'];
  for (const [i, text] of turns.entries()) {
    await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text, id: `l${i}`, lang: i % 2 ? 'en' : 'fr' }), { qos: 1 });
    await client.waitJson(`wulf/${daemon.deviceId}/reply`, `l${i}`);
  }

  // 2. Export the dialogues (the daemon keeps running).
  const exported = path.join(work, 'export.jsonl');
  t.is((await runCli(['memory', 'export', '--out', exported], { WULF_STATE_DIR: daemon.stateDir })).code, 0);
  const dialogues = (await readFile(exported, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { text: string; intent: string | null; slots: unknown[]; lang: string });
  t.is(dialogues.length, turns.length);

  // 3. A fine-tuning mix: the board's understood turns plus a slice of the default corpus.
  const corpus = path.join(work, 'corpus');
  const py = path.join(repoRoot, '.venv/train/bin/python');
  t.is((await exec(py, ['make_data.py', '--out', corpus, '--seed', '7', '--per-template', '3'], { cwd: path.join(repoRoot, 'firmware-models/neurolite') })).code, 0);
  const mix = path.join(work, 'mix');
  await mkdir(mix);
  const fromBoard = dialogues.filter((d) => d.intent).map((d) => JSON.stringify({ text: d.text, intent: d.intent, slots: d.slots, lang: d.lang }));
  const train = (await readFile(path.join(corpus, 'train.jsonl'), 'utf8')).trim().split('\n').slice(0, 300);
  await writeFile(path.join(mix, 'train.jsonl'), [...fromBoard, ...train].join('\n') + '\n');
  await writeFile(path.join(mix, 'test.jsonl'), (await readFile(path.join(corpus, 'test.jsonl'), 'utf8')).trim().split('\n').slice(0, 80).join('\n') + '\n');

  // 4. npm run models:neurolite -- --data mix --out run --epochs 1 --init-from <shipped> --version 2
  const run = path.join(work, 'run');
  const built = await exec(process.execPath, [path.join(repoRoot, 'dist/firmware-models/neurolite/build.js'), '--data', mix, '--out', run, '--epochs', '1', '--init-from', path.join(repoRoot, 'firmware-models/dist/neurolite-tiny'), '--version', '2']);
  t.is(built.code, 0, built.stderr.slice(-2000));
  t.regex(built.stdout, /int8 all: intent/);

  // 5. Bundle with golden cases, push, commit.
  await writeFile(path.join(work, 'golden.json'), JSON.stringify([{ input: 'what time is it', expected: 'HassGetCurrentTime' }]));
  const bundle = path.join(work, 'model.bin');
  t.is((await ota(['build', '--model', path.join(run, 'model.int8.tflite'), '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', '2', '--parent-version', '1', '--golden', path.join(work, 'golden.json'), '--metrics', path.join(run, 'manifest.json'), '--recipe', 'firmware-models/neurolite/train.py --init_from', '--key', path.join(work, 'lab.key'), '--out', bundle])).code, 0);
  const pushed = await ota(['push', bundle, '--device', daemon.deviceId, '--broker', broker.url, '--json']);
  t.is(pushed.code, 0, pushed.stderr);
  t.is((JSON.parse(pushed.stdout) as Array<{ result: string }>)[0]?.result, 'committed');
  t.truthy(daemon.logs.find((l) => l.msg === 'NLU model in service' && typeof l.file === 'string' && l.file.includes('/models/neurolite-tiny/')), 'the new model serves');

  // A bundle whose golden case the model fails is refused; v2 keeps serving.
  await writeFile(path.join(work, 'golden-bad.json'), JSON.stringify([{ input: 'what time is it', expected: 'HassTurnOn' }]));
  const bad = path.join(work, 'bad.bin');
  t.is((await ota(['build', '--model', path.join(run, 'model.int8.tflite'), '--name', 'neurolite-tiny', '--kind', 'nlu', '--version', '3', '--golden', path.join(work, 'golden-bad.json'), '--key', path.join(work, 'lab.key'), '--out', bad])).code, 0);
  const refused = await ota(['push', bad, '--device', daemon.deviceId, '--broker', broker.url, '--json']);
  t.is(refused.code, 1);
  const [r3] = JSON.parse(refused.stdout) as Array<{ result: string; reason: string }>;
  t.is(r3?.result, 'rejected');
  t.regex(r3?.reason ?? '', /golden case 1 "what time is it": expected HassTurnOn, got HassGetCurrentTime/);

  // 6. The board understands with the new model.
  await client.client.publishAsync(`wulf/${daemon.deviceId}/ask`, JSON.stringify({ text: 'what time is it', id: 'after', lang: 'en' }), { qos: 1 });
  t.is((await client.waitJson(`wulf/${daemon.deviceId}/reply`, 'after')).intent, 'HassGetCurrentTime');
  const status = await runCli(['status', '--json'], { WULF_DEVICE_ID: daemon.deviceId, WULF_MQTT_URL: broker.url });
  t.true((JSON.parse(status.stdout) as { models: Array<{ name: string; version: string }> }).models.some((m) => m.name === 'neurolite-tiny' && m.version === '2'));
});
