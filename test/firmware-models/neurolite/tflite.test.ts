// The shipped NeuroLite .tflite files: made from the committed weights (re-export is byte-identical),
// equal to PyTorch in float32, equal to float32 in int8, and their test-split metrics reproduce.
import test from 'ava';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { exportNeuroLite } from '../../../firmware-models/neurolite/export.js';
import { loadLiteRtRuntime, Model } from '../../../src/runtime/index.js';
import { evaluateModel, NeuroLiteModel, readDataset } from '../../../src/nlu/index.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const dist = path.join(repoRoot, 'firmware-models/dist/neurolite-tiny');

async function testSplit(): Promise<string> {
  const m = JSON.parse(await readFile(path.join(dist, 'manifest.json'), 'utf8')) as { data: { generator: { seed: number; per_template: number } } };
  const out = await tempDir('neurolite-eval-');
  await new Promise<void>((resolve, reject) => execFile(path.join(repoRoot, '.venv/train/bin/python'), ['make_data.py', '--out', out, '--seed', String(m.data.generator.seed), '--per-template', String(m.data.generator.per_template)], { cwd: path.join(repoRoot, 'firmware-models/neurolite'), timeout: 100_000 }, (err) => (err ? reject(err) : resolve())));
  return out;
}
const data = testSplit();

test('re-exporting the committed weights gives the committed .tflite files byte for byte', async (t) => {
  const out = await tempDir('neurolite-export-');
  await exportNeuroLite(dist, out, '1');
  for (const f of ['model.int8.tflite', 'model.float32.tflite']) t.deepEqual(await readFile(path.join(out, f)), await readFile(path.join(dist, f)), f);
});

test('float32 TFLite matches the PyTorch reference logits within 1e-4', async (t) => {
  const ref = JSON.parse(await readFile(path.join(dist, 'reference.json'), 'utf8')) as { sentences: Array<{ buckets: number[][]; mask: number[]; intent_logits: number[]; slot_logits: number[][] }> };
  const model = await Model.fromFile(await loadLiteRtRuntime(), path.join(dist, 'model.float32.tflite'));
  let maxDiff = 0;
  for (const s of ref.sentences) {
    const out = await model.run({ buckets: Int32Array.from(s.buckets.flat()), mask: Float32Array.from(s.mask) }, 'parse');
    s.intent_logits.forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - out.intent_logits![i]!))));
    s.slot_logits.flat().forEach((v, i) => (maxDiff = Math.max(maxDiff, Math.abs(v - out.slot_logits![i]!))));
  }
  await model.release();
  t.true(ref.sentences.length >= 4);
  t.true(maxDiff < 1e-4, `max |logit difference| ${maxDiff}`);
});

/** One int8 pass over the test split serves both tests below: its metrics, and its intents for the float32 comparison. */
const int8Pass = (async () => {
  const examples = await readDataset(await data, 'test');
  const i8 = await NeuroLiteModel.load(path.join(dist, 'model.int8.tflite'), { confidenceThreshold: 0 });
  const intents: string[] = [];
  try {
    const result = await evaluateModel({ understand: async (text) => { const u = await i8.understand(text); intents.push(u.intent); return u; } }, examples);
    return { examples, intents, result };
  } finally {
    await i8.release();
  }
})();

test('int8 gives the same intent as float32 on at least 99.5% of the test split', async (t) => {
  const { examples, intents } = await int8Pass;
  const f32 = await NeuroLiteModel.load(path.join(dist, 'model.float32.tflite'), { confidenceThreshold: 0 });
  let same = 0;
  for (const [i, ex] of examples.entries()) if ((await f32.understand(ex.text)).intent === intents[i]) same += 1;
  await f32.release();
  t.log(`int8 = float32 on ${same}/${examples.length} (${((100 * same) / examples.length).toFixed(2)}%)`);
  t.true(same / examples.length >= 0.995);
});

test('the int8 model reproduces its recorded test-split metrics (the issue #5 targets are reported, not yet met)', async (t) => {
  const m = JSON.parse(await readFile(path.join(dist, 'manifest.json'), 'utf8')) as { tflite: { test_split_int8: Record<string, { intent_accuracy: number; slot_f1: number }> } };
  const r = (await int8Pass).result;
  for (const lang of ['en', 'fr']) {
    const got = r.perLang[lang]!;
    const want = m.tflite.test_split_int8[lang]!;
    t.true(Math.abs(got.intentAccuracy - want.intent_accuracy) < 0.002, `${lang} intent ${got.intentAccuracy} vs recorded ${want.intent_accuracy}`);
    t.true(Math.abs(got.slotF1 - want.slot_f1) < 0.002, `${lang} slot F1 ${got.slotF1} vs recorded ${want.slot_f1}`);
    t.log(`${lang}: intent ${(got.intentAccuracy * 100).toFixed(2)}% (target 97), slot F1 ${(got.slotF1 * 100).toFixed(2)}% (target 95)`);
  }
});

// Issue #5's bar, tracked here so that the day it holds this turns into a failure to resolve:
// intent ≥ 97% and slot F1 ≥ 95% in each language on the held-out-by-template test split.
test.failing('issue #5 bar: the int8 model reaches intent ≥ 97% and slot F1 ≥ 95% in French and in English', async (t) => {
  const r = (await int8Pass).result;
  for (const lang of ['en', 'fr']) {
    const got = r.perLang[lang]!;
    t.true(got.intentAccuracy >= 0.97, `${lang} intent ${(got.intentAccuracy * 100).toFixed(2)}%`);
    t.true(got.slotF1 >= 0.95, `${lang} slot F1 ${(got.slotF1 * 100).toFixed(2)}%`);
  }
});
