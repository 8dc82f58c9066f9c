// `npm run models:neurolite [-- --data PATH --out DIR --epochs N --preset P --version V --from-run RUN]`:
// the whole NeuroLite pipeline. Without --out it rebuilds the committed default: the French/English
// corpus (make_data.py, SHIPPED_MAKE_DATA_ARGS) → train.py (SHIPPED_TRAIN_ARGS) → package.py →
// export.ts (float32 + int8 .tflite) → evaluation of the int8 model with the board's own runtime on
// the test split → report.json and manifest.json in firmware-models/dist/neurolite-tiny.
// With --out DIR it trains on --data (either format) with the recipe defaults and leaves the same in DIR.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateModel, NeuroLiteModel, readDataset, type EvalResult, type Example } from '../../src/nlu/index.js';
import { exportNeuroLite } from './export.js';
import { flag, run as runIn } from '../build-helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const run = (cmd: string, args: string[]): Promise<void> => runIn(cmd, args, repoRoot);
const recipeDir = path.join(repoRoot, 'firmware-models/neurolite');
const python = process.env.WULF_TRAIN_PYTHON ?? path.join(repoRoot, '.venv/train/bin/python');

/** Evaluate a .tflite on a split (or on examples already read) with the runtime the board uses; per language too. */
export async function evaluateTflite(model: string, data: string | Example[], split = 'test'): Promise<EvalResult> {
  const examples = typeof data === 'string' ? await readDataset(data, split) : data;
  const nlu = await NeuroLiteModel.load(model, { confidenceThreshold: 0 });
  try {
    return await evaluateModel(nlu, examples);
  } finally {
    await nlu.release();
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The settings the committed default was made with (the manifest's `commands` records them too). */
export const SHIPPED_MAKE_DATA_ARGS = ['--seed', '4201', '--per-template', '40'];
export const SHIPPED_TRAIN_ARGS = ['--preset', 'tiny', '--epochs=10', '--batch_size=128', '--lr=4e-3', '--eval_every=2', '--shift_max=3', '--token_drop=0.05', '--label_smoothing=0.1', '--feature_dim=2048', '--threads=1'];

type Metrics = { intent_accuracy: number; slot_f1: number; exact_match: number };
const metricsOf = (r: EvalResult['overall']): Metrics => ({ intent_accuracy: round4(r.intentAccuracy), slot_f1: round4(r.slotF1), exact_match: round4(r.exactMatch) });
const round4 = (v: number): number => Number(v.toFixed(4));

async function main(args: string[]): Promise<void> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run bash .ci/setup-python-train.sh first`);
  const shipping = flag(args, 'out') === undefined;
  const out = path.resolve(flag(args, 'out') ?? path.join(repoRoot, 'firmware-models/dist/neurolite-tiny'));
  let data = flag(args, 'data');
  const makeDataArgs = shipping ? SHIPPED_MAKE_DATA_ARGS : [];
  if (!data) {
    data = await mkdtemp(path.join(os.tmpdir(), 'neurolite-data-'));
    await run(python, [path.join(recipeDir, 'make_data.py'), '--out', data, ...makeDataArgs]);
  }
  data = path.resolve(data);
  // --from-run RUN packages a finished train.py run instead of training again.
  const fromRun = flag(args, 'from-run');
  const trainArgs = shipping ? [...SHIPPED_TRAIN_ARGS] : [];
  for (const k of ['epochs', 'preset', 'seed', 'init-from']) {
    const v = flag(args, k);
    if (v !== undefined) trainArgs.push(`--${k.replace('-', '_')}=${v}`);
  }
  const runDir = fromRun ? path.resolve(fromRun) : shipping ? await mkdtemp(path.join(os.tmpdir(), 'neurolite-run-')) : out;
  if (!fromRun) await run(python, [path.join(recipeDir, 'train.py'), '--data', data, '--out', runDir, ...trainArgs]);
  await run(python, [path.join(recipeDir, 'package.py'), '--run', runDir, '--data', data, '--out', out,
    '--make-data-args', makeDataArgs.join(' '), '--train-args', trainArgs.join(' ')]);
  const version = flag(args, 'version') ?? '1';
  const exported = await exportNeuroLite(out, out, version);
  const evaluation = { int8: await evaluateTflite(exported.files.int8, data), float32: await evaluateTflite(exported.files.float32, data) };
  const reportFile = path.join(out, 'report.json');
  const report = JSON.parse(await readFile(reportFile, 'utf8')) as Record<string, unknown>;
  await writeFile(reportFile, `${JSON.stringify({ ...report, tflite: evaluation, quantization: { minSnrDb: exported.minSnrDb } }, null, 1)}\n`);
  const manifestFile = path.join(out, 'manifest.json');
  const manifest = JSON.parse(await readFile(manifestFile, 'utf8')) as Record<string, unknown>;
  const files = Object.fromEntries(await Promise.all((await readdir(out)).filter((f) => !f.startsWith('.') && f !== 'manifest.json').sort()
    .map(async (f) => [f, { bytes: (await readFile(path.join(out, f))).length, sha256: await sha256(path.join(out, f)) }] as const)));
  await writeFile(manifestFile, `${JSON.stringify({
    ...manifest,
    files,
    tflite: {
      exporter: 'firmware-models/neurolite/export.ts',
      sizes: exported.bytes,
      test_split_int8: { all: metricsOf(evaluation.int8.overall), ...Object.fromEntries(Object.entries(evaluation.int8.perLang).map(([l, r]) => [l, metricsOf(r)])) },
    },
  }, null, 1)}\n`);
  for (const [lang, r] of [['all', evaluation.int8.overall] as const, ...Object.entries(evaluation.int8.perLang)]) {
    process.stdout.write(`int8 ${lang}: intent ${(r.intentAccuracy * 100).toFixed(2)}%  slot F1 ${(r.slotF1 * 100).toFixed(2)}%  exact ${(r.exactMatch * 100).toFixed(2)}%  (n=${r.examples})\n`);
  }
  process.stdout.write(`wrote ${out}/model.int8.tflite (${exported.bytes.int8} B), model.float32.tflite, report.json, manifest.json\n`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`models:neurolite: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
