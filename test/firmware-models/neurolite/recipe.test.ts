// NeuroLite's Python side (#5): the data generator's splits, the JointBERT reader, and a training smoke
// run with determinism, each run as a real subprocess on the training venv (.ci/setup-python-train.sh).
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const recipeDir = path.join(repoRoot, 'firmware-models/neurolite');
const fixture = path.join(repoRoot, 'test/fixtures/nlu/jointbert-mini');
const venvPython = path.join(repoRoot, '.venv/train/bin/python');

function python(args: string[], timeoutMs = 110_000): Promise<string> {
  if (!existsSync(venvPython)) {
    return Promise.reject(new Error(`${venvPython} is missing: run bash .ci/setup-python-train.sh first`));
  }
  return new Promise((resolve, reject) => {
    execFile(venvPython, args, { cwd: recipeDir, maxBuffer: 64 * 2 ** 20, timeout: timeoutMs }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr.slice(-4000)}`));
      resolve(stdout);
    });
  });
}

async function readJson<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(file, 'utf8')) as T;
}

interface Row { text: string; intent: string; lang: string; template_id: string; slots: Array<{ name: string; value: string; start: number; end: number }> }

async function readJsonl(file: string): Promise<Row[]> {
  return (await readFile(file, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Row);
}

test('make_data.py holds test templates out of training and writes exact slot spans', async (t) => {
  const out = await tempDir('neurolite-data-');
  await python(['make_data.py', '--out', out, '--per-template', '2', '--seed', '5']);
  const train = await readJsonl(path.join(out, 'train.jsonl'));
  const dev = await readJsonl(path.join(out, 'dev.jsonl'));
  const testRows = await readJsonl(path.join(out, 'test.jsonl'));
  t.true(train.length > 1000 && dev.length > 100 && testRows.length > 100);
  const trainTemplates = new Set(train.map((r) => r.template_id));
  t.deepEqual(testRows.filter((r) => trainTemplates.has(r.template_id)).map((r) => r.template_id), []);
  t.deepEqual(dev.filter((r) => trainTemplates.has(r.template_id)).map((r) => r.template_id), []);
  const bad = [...train, ...dev, ...testRows].flatMap((r) =>
    r.slots.filter((s) => [...r.text].slice(s.start, s.end).join('') !== s.value).map((s) => `${r.text} ${JSON.stringify(s)}`));
  t.deepEqual(bad, []);
  for (const lang of ['fr', 'en']) {
    const intents = new Set(testRows.filter((r) => r.lang === lang).map((r) => r.intent));
    t.true(intents.has('HassTurnOn') && intents.has('WulfRemember'), `${lang} test split covers HA and Wulf intents`);
  }
  const meta = await readJson<{ sha256: string; counts: Record<string, number> }>(path.join(out, 'data.json'));
  t.is(meta.counts['train'], train.length);
  t.regex(meta.sha256, /^[0-9a-f]{64}$/);
});

test('JointBERT reader turns word BIO tags into char spans and projection-token tags', async (t) => {
  const script = `
import json, sys
from readers import read_dataset, labels_of, token_tags, bio_chunks
from projection import tokenize
ds = read_dataset(sys.argv[1])
e = ds.splits["train"][0]
print(json.dumps({"format": ds.format, "sizes": {k: len(v) for k, v in ds.splits.items()}, "labels": labels_of(ds),
  "text": e.text, "intent": e.intent, "slots": e.slots, "tags": token_tags(tokenize(e.text), e.slots),
  "stray_i": bio_chunks(["I-a", "I-a", "O", "B-b", "I-a"])}))`;
  const got = JSON.parse(await python(['-c', script, fixture])) as Record<string, unknown>;
  t.is(got['format'], 'jointbert');
  t.deepEqual(got['sizes'], { train: 60, dev: 12, test: 12 });
  t.deepEqual(got['labels'], [
    ['book_table', 'get_weather', 'play_music'],
    ['O', 'B-artist', 'I-artist', 'B-city', 'I-city', 'B-date', 'I-date', 'B-party_size', 'I-party_size', 'B-song', 'I-song'],
  ]);
  t.is(got['text'], 'i want to hear la vie en rose by debussy');
  t.is(got['intent'], 'play_music');
  t.deepEqual(got['slots'], [['song', 15, 29], ['artist', 33, 40]]);
  t.deepEqual(got['tags'], ['O', 'O', 'O', 'O', 'B-song', 'I-song', 'I-song', 'I-song', 'O', 'B-artist']);
  t.deepEqual(got['stray_i'], [['a', 0, 2], ['b', 3, 4], ['a', 4, 5]]);
});

interface ModelConfig {
  labels: { intents: string[]; tags: string[] };
  weights_sha256: string;
  projection: { version: number; feature_dim: number; max_tokens: number };
  architecture: { params: number; tensor_order: string[] };
  data: { format: string; sha256: string };
  git_commit: string;
}
interface Report { splits: Record<string, Record<string, { intent_accuracy: number; slot_f1: number; exact_match: number }>> }
interface Reference { sentences: Array<{ buckets: number[][]; mask: number[]; intent_logits: number[]; slot_logits: number[][] }> }

async function smokeRun(): Promise<string> {
  const out = await tempDir('neurolite-train-');
  await python(['train.py', '--data', fixture, '--out', out, '--epochs', '3', '--seed', '7', '--threads=1']);
  return out;
}

test('train.py smoke run on the JointBERT fixture writes every artifact, deterministically, with reproducible reference logits', async (t) => {
  const [a, b] = [await smokeRun(), await smokeRun()];
  for (const f of ['model.safetensors', 'config.json', 'labels.json', 'report.json', 'reference.json']) {
    t.true(existsSync(path.join(a, f)), f);
  }
  const cfg = await readJson<ModelConfig>(path.join(a, 'config.json'));
  t.deepEqual(cfg.labels.intents, ['book_table', 'get_weather', 'play_music']);
  t.is(cfg.data.format, 'jointbert');
  t.is(cfg.projection.version, 1);
  t.true(cfg.architecture.params > 100_000);
  t.true(cfg.architecture.tensor_order.includes('embed'));
  const report = await readJson<Report>(path.join(a, 'report.json'));
  for (const split of ['dev', 'test']) {
    const all = report.splits[split]!['all']!;
    for (const v of [all.intent_accuracy, all.slot_f1, all.exact_match]) t.true(v >= 0 && v <= 1);
  }
  const ref = await readJson<Reference>(path.join(a, 'reference.json'));
  const s = ref.sentences[0]!;
  t.is(s.buckets.length, cfg.projection.max_tokens);
  t.is(s.intent_logits.length, 3);
  t.is(s.slot_logits.length, cfg.projection.max_tokens);
  t.is(s.slot_logits[0]!.length, cfg.labels.tags.length);
  // The op-by-op NumPy graph (what the TFLite export builds) reproduces the PyTorch reference logits.
  const parity = JSON.parse(await python(['check_reference.py', a, '--tol', '1e-4'])) as { max_abs_diff: number };
  t.true(parity.max_abs_diff < 1e-4, `max |diff| ${parity.max_abs_diff}`);
  // Same seed, same data -> bit-identical weights (hashed tensor by tensor: the safetensors header's
  // key order is not stable across runs, the tensors are).
  const cfgB = await readJson<ModelConfig>(path.join(b, 'config.json'));
  t.regex(cfg.weights_sha256, /^[0-9a-f]{64}$/);
  t.is(cfgB.weights_sha256, cfg.weights_sha256);
  // --eval_only re-scores a finished run in place: the splits come back the same, the rest is kept.
  const reportFile = path.join(b, 'report.json');
  const before = await readJson<Report & { best_epoch: number }>(reportFile);
  await writeFile(reportFile, JSON.stringify({ ...before, splits: {} }));
  await python(['train.py', '--data', fixture, '--out', b, '--init_from', b, '--eval_only=1', '--threads=1']);
  const after = await readJson<Report & { best_epoch: number }>(reportFile);
  t.deepEqual(after.splits, before.splits);
  t.is(after.best_epoch, before.best_epoch);
  t.is((await readJson<ModelConfig>(path.join(b, 'config.json'))).weights_sha256, cfg.weights_sha256, 'weights untouched');
});

test('train.py sizes max_tokens to the longest training sentence unless told, so long sentences are not cut', async (t) => {
  const dir = await tempDir('neurolite-long-');
  const words = (n: number, w: string): string => Array.from({ length: n }, () => w).join(' ');
  const line = (text: string, intent: string): string => JSON.stringify({ text, intent, slots: [], lang: 'en' });
  await writeFile(path.join(dir, 'train.jsonl'), [line(words(41, 'flight'), 'atis_flight'), line('hello there', 'greet'), line(words(5, 'fare'), 'atis_fare')].join('\n') + '\n');
  await writeFile(path.join(dir, 'test.jsonl'), line(words(44, 'flight'), 'atis_flight') + '\n');
  const auto = await tempDir('neurolite-long-run-');
  const log = await python(['train.py', '--data', dir, '--out', auto, '--epochs', '1', '--threads=1', '--dim=16', '--channel_hidden=16', '--token_hidden=8', '--layers=1']);
  t.is((await readJson<ModelConfig>(path.join(auto, 'config.json'))).projection.max_tokens, 48);
  t.regex(log, /max_tokens 48 \(longest training sentence: 41 tokens\)/);
  const fixed = await tempDir('neurolite-long-run-');
  await python(['train.py', '--data', dir, '--out', fixed, '--epochs', '1', '--threads=1', '--max_tokens=24', '--dim=16', '--channel_hidden=16', '--token_hidden=8', '--layers=1']);
  t.is((await readJson<ModelConfig>(path.join(fixed, 'config.json'))).projection.max_tokens, 24);
});

test('train.py refuses unknown config keys and wrong types', async (t) => {
  const out = await tempDir('neurolite-bad-');
  const e1 = await t.throwsAsync(python(['train.py', '--data', fixture, '--out', out, '--no_such_key=3']));
  t.regex(e1.message, /unknown config key --no_such_key/);
  const e2 = await t.throwsAsync(python(['train.py', '--data', fixture, '--out', out, '--epochs=two']));
  t.regex(e2.message, /--epochs must be int/);
});
