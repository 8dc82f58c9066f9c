// The committed default NeuroLite weights (#5) explain themselves: manifest hashes match the files, the
// data they were trained on regenerates bit for bit, and the op-by-op graph reproduces their reference logits.
import test from 'ava';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const recipeDir = path.join(repoRoot, 'firmware-models/neurolite');
const distDir = path.join(repoRoot, 'firmware-models/dist/neurolite-tiny');
const venvPython = path.join(repoRoot, '.venv/train/bin/python');

interface Manifest {
  files: Record<string, { bytes: number; sha256: string }>;
  data: { sha256: string; generator: { seed: number; per_template: number } };
  weights_sha256: string;
  metrics: Record<string, Record<string, { intent_accuracy: number; slot_f1: number; exact_match: number }>>;
}

function python(args: string[]): Promise<string> {
  if (!existsSync(venvPython)) return Promise.reject(new Error(`${venvPython} is missing: run bash .ci/setup-python-train.sh first`));
  return new Promise((resolve, reject) => {
    execFile(venvPython, args, { cwd: recipeDir, maxBuffer: 16 * 2 ** 20, timeout: 110_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`${err.message}\n${stderr.slice(-4000)}`));
      resolve(stdout);
    });
  });
}

async function manifest(): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(distDir, 'manifest.json'), 'utf8')) as Manifest;
}

test('every file of the committed model matches its manifest hash, and the report its metrics', async (t) => {
  const m = await manifest();
  t.deepEqual(Object.keys(m.files).sort(), ['config.json', 'labels.json', 'model.float32.tflite', 'model.int8.tflite', 'model.safetensors', 'reference.json', 'report.json']);
  for (const [name, f] of Object.entries(m.files)) {
    const bytes = await readFile(path.join(distDir, name));
    t.is(bytes.length, f.bytes, name);
    t.is(createHash('sha256').update(bytes).digest('hex'), f.sha256, name);
  }
  const report = JSON.parse(await readFile(path.join(distDir, 'report.json'), 'utf8')) as {
    splits: Record<string, Record<string, { intent_accuracy: number }>>;
  };
  for (const lang of ['fr', 'en']) {
    t.is(Number(report.splits['test']![lang]!.intent_accuracy.toFixed(4)), m.metrics['test']![lang]!.intent_accuracy);
  }
});

test('the committed model reproduces its float32 reference logits op by op', async (t) => {
  const out = JSON.parse(await python(['check_reference.py', distDir, '--tol', '1e-4'])) as { max_abs_diff: number };
  t.true(out.max_abs_diff < 1e-4, `max |diff| ${out.max_abs_diff}`);
});

test('make_data.py regenerates the exact data the committed model was trained on', async (t) => {
  const m = await manifest();
  const out = await tempDir('neurolite-regen-');
  await python(['make_data.py', '--out', out, '--seed', String(m.data.generator.seed), '--per-template', String(m.data.generator.per_template)]);
  const meta = JSON.parse(await readFile(path.join(out, 'data.json'), 'utf8')) as { sha256: string };
  t.is(meta.sha256, m.data.sha256);
});
