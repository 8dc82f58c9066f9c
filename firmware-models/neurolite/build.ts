// `npm run models:neurolite [-- --data PATH --out DIR --epochs N --preset P --version V]`:
// the whole NeuroLite pipeline. Without --data it generates the default French/English corpus;
// then train.py (PyTorch) → export.ts (float32 + int8 .tflite) → evaluation of the int8 model
// with the board's own runtime on the test split → report.json and manifest.json in --out.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { evaluateModel, NeuroLiteModel, readDataset, type EvalResult } from '../../src/nlu/index.js';
import { exportNeuroLite } from './export.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const recipeDir = path.join(repoRoot, 'firmware-models/neurolite');
const python = process.env.WULF_TRAIN_PYTHON ?? path.join(repoRoot, '.venv/train/bin/python');

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: 'inherit', cwd: repoRoot });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(cmd)} ${args[0] ?? ''} exited with ${code}`))));
    p.on('error', reject);
  });
}

/** Evaluate a .tflite on a split with the runtime the board uses; per language too. */
export async function evaluateTflite(model: string, data: string, split = 'test'): Promise<EvalResult> {
  const nlu = await NeuroLiteModel.load(model, { confidenceThreshold: 0 });
  try {
    return await evaluateModel(nlu, await readDataset(data, split));
  } finally {
    await nlu.release();
  }
}

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

async function main(args: string[]): Promise<void> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run bash .ci/setup-python-train.sh first`);
  const out = path.resolve(flag(args, 'out') ?? path.join(repoRoot, 'firmware-models/dist/neurolite-tiny'));
  let data = flag(args, 'data');
  if (!data) {
    data = await mkdtemp(path.join(os.tmpdir(), 'neurolite-data-'));
    await run(python, [path.join(recipeDir, 'make_data.py'), '--out', data]);
  }
  const trainArgs = [path.join(recipeDir, 'train.py'), '--data', path.resolve(data), '--out', out];
  for (const k of ['epochs', 'preset', 'seed', 'init-from']) {
    const v = flag(args, k);
    if (v !== undefined) trainArgs.push(`--${k.replace('-', '_')}=${v}`);
  }
  await run(python, trainArgs);
  const version = flag(args, 'version') ?? '1';
  const exported = await exportNeuroLite(out, out, version);
  const evaluation = { int8: await evaluateTflite(exported.files.int8, path.resolve(data)), float32: await evaluateTflite(exported.files.float32, path.resolve(data)) };
  const reportFile = path.join(out, 'report.json');
  const report = existsSync(reportFile) ? (JSON.parse(await readFile(reportFile, 'utf8')) as Record<string, unknown>) : {};
  await writeFile(reportFile, `${JSON.stringify({ ...report, tflite: evaluation, quantization: { minSnrDb: exported.minSnrDb } }, null, 1)}\n`);
  const files = Object.fromEntries(await Promise.all((await readdir(out)).filter((f) => !f.startsWith('.') && f !== 'manifest.json').sort().map(async (f) => [f, await sha256(path.join(out, f))] as const)));
  const config = JSON.parse(await readFile(path.join(out, 'config.json'), 'utf8')) as { data?: { sha256?: string }; git_commit?: string };
  await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify({
    name: 'neurolite-tiny', kind: 'nlu', version, recipe: 'firmware-models/neurolite/train.py', exporter: 'firmware-models/neurolite/export.ts',
    dataSha256: config.data?.sha256 ?? null, gitCommit: config.git_commit ?? null, sizes: exported.bytes,
    metrics: { int8: { overall: evaluation.int8.overall, perLang: evaluation.int8.perLang } }, files,
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
