// `wulf model import-llama2c` and `wulf generate` as a user runs them: real processes, the real
// llama2.c reference checkpoint, files on disk; the output is run.c's, byte for byte.

import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli } from '../helpers/cli.js';
import { repoRoot, tempDir } from '../helpers/paths.js';
import { referencePath } from '../helpers/reference.js';

const ref = (...p: string[]): string => referencePath('llama2c', ...p);

test('import-llama2c writes the model and its report; generate prints run.c\'s greedy and seeded outputs', async (t) => {
  const out = await tempDir();
  const imp = await runCli(['model', 'import-llama2c', ref('stories260K.bin'), ref('tok512.bin'), '--out', out], {}, 60_000);
  t.is(imp.code, 0, imp.stderr);
  t.regex(imp.stdout, /model\.float32\.tflite: float32, 1\.\d\d MiB; dim 64, 5 layers, 8 heads \(4 kv\), vocab 512, context 512/);
  t.deepEqual((await readdir(out)).sort(), ['import.json', 'model.float32.tflite']);
  const report = JSON.parse(await readFile(path.join(out, 'import.json'), 'utf8')) as { quant: string; config: { kvHeads: number } };
  t.is(report.quant, 'float32');
  t.is(report.config.kvHeads, 4);
  const model = path.join(out, 'model.float32.tflite');

  const greedy = await runCli(['generate', 'Once upon a time', '--model', model, '--temperature', '0', '--steps', '256'], {}, 60_000);
  t.is(greedy.code, 0, greedy.stderr);
  t.is(greedy.stdout, await readFile(ref('expected', 'greedy-256.txt'), 'utf8'));
  t.regex(greedy.stderr, /^\d+ tokens, [\d.]+ tokens\/s, seed \d+\n$/);

  const sampled = await runCli(['generate', '--model', model, '--temperature', '1.0', '--top-p', '0.9', '--seed', '133742'], {}, 60_000);
  t.is(sampled.stdout, await readFile(ref('expected', 'sample-t1-p0.9-s133742.txt'), 'utf8'));

  const json = await runCli(['generate', 'There was a big', '--model', model, '--max-tokens', '12', '--seed', '42', '--json'], {}, 60_000);
  t.is(json.code, 0, json.stderr);
  const r = JSON.parse(json.stdout) as { text: string; newTokens: number; promptTokens: number; seed: string; stoppedBy: string };
  t.true(r.text.startsWith('There was a big'));
  t.is(r.newTokens, 12);
  t.is(r.seed, '42');
  t.is(r.stoppedBy, 'steps');

  const long = JSON.parse((await runCli(['generate', 'Once upon a time', '--model', model, '--temperature', '0', '--max-tokens', '300', '--json'], {}, 60_000)).stdout) as { newTokens: number; stoppedBy: string };
  t.deepEqual([long.newTokens, long.stoppedBy], [300, 'steps'], '--max-tokens is not capped by the 256-position default of --steps');
});

test('int8 and int4 imports are written under their own names', async (t) => {
  const out = await tempDir();
  for (const quant of ['int8', 'int4']) {
    const r = await runCli(['model', 'import-llama2c', ref('stories260K.v1.bin'), ref('tok512.bin'), '--out', out, '--quant', quant], {}, 60_000);
    t.is(r.code, 0, r.stderr);
  }
  t.deepEqual((await readdir(out)).sort(), ['import.json', 'model.int4.tflite', 'model.int8.tflite']);
  const g = await runCli(['generate', 'Once upon a time', '--model', path.join(out, 'model.int8.tflite'), '--temperature', '0', '--max-tokens', '20', '--json'], {}, 60_000);
  t.is(g.code, 0, g.stderr);
  t.regex((JSON.parse(g.stdout) as { text: string }).text, /^Once upon a time, /);
});

test('a truncated checkpoint is refused with the sizes, and leaves no file behind', async (t) => {
  const dir = await tempDir();
  const cut = path.join(dir, 'cut.bin');
  await writeFile(cut, (await readFile(ref('stories260K.bin'))).subarray(0, 500_000));
  const out = path.join(dir, 'out');
  const r = await runCli(['model', 'import-llama2c', cut, ref('tok512.bin'), '--out', out]);
  t.is(r.code, 1);
  t.regex(r.stderr, /^wulf model import-llama2c: llama2\.c checkpoint \(legacy header: dim 64, 5 layers, vocab 512, seq_len 512\): expected \d+ bytes, the file has 500000 \(truncated\)\n$/);
  await t.throwsAsync(readdir(out), { code: 'ENOENT' }, 'nothing was created');
});

test('generate without --model answers with the shipped Jarvis chat model; a NeuroLite model, a missing eval file or bad options exit with the reason', async (t) => {
  const chat = await runCli(['generate', 'hello', '--json']);
  t.is(chat.code, 0, chat.stderr);
  const reply = JSON.parse(chat.stdout) as { name: string; text: string; calls: unknown[]; temperature: number };
  t.is(reply.name, 'jarvis-mini');
  t.is(typeof reply.text, 'string');
  t.true(Array.isArray(reply.calls));
  t.is(reply.temperature, 0, 'a chat is greedy unless --temperature is given');
  const missing = await runCli(['generate', '--eval', path.join(repoRoot, 'no-such-chats.jsonl')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no such file/);
  const nlu = await runCli(['generate', 'hello', '--model', path.join(repoRoot, 'firmware-models/dist/neurolite-tiny/model.int8.tflite')]);
  t.is(nlu.code, 1);
  t.regex(nlu.stderr, /cannot load .*: .* is not a generator model/);
  for (const bad of [['--temperature', '-1'], ['--top-p', '1.5'], ['--seed', '0'], ['--steps', '2.5']]) {
    const r = await runCli(['generate', 'hello', '--model', 'x.tflite', ...bad]);
    t.is(r.code, 2, bad.join(' '));
    t.regex(r.stderr, /is invalid/);
  }
});
