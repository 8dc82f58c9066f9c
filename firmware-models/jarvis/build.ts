// `npm run models:jarvis [-- --from-run RUN] [--out DIR --data DIR --steps N]`: the whole Jarvis
// pipeline. Without --out it rebuilds the committed default, firmware-models/dist/jarvis-mini: the
// chats (make_chats.py, SHIPPED_MAKE_CHATS_ARGS) → train.py (SHIPPED_TRAIN_ARGS, the `mini` preset,
// about an hour on 2 CPU cores) → the llama2.c import (int8 and int4 .tflite, the chat template and
// tool catalogue in the metadata) → evaluation of both with the board's runtime on the held-out
// chats → report.json and manifest.json. `--from-run RUN` packages a finished train.py run.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChatModel, evaluateChats, greedyAgreement, LlamaGenerator, readChats, ROLE_SYMBOLS, type ChatEvalResult } from '../../src/generate/index.js';
import { writeFileAtomic } from '../../src/memory/atomic-json-file.js';
import { importLlama2c, type ChatTemplate } from '../tflite/llama2c.js';
import { flag, run as runIn } from '../build-helpers.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const run = (cmd: string, args: string[]): Promise<void> => runIn(cmd, args, repoRoot, { ...process.env, OPENBLAS_NUM_THREADS: '1' });
const recipeDir = path.join(repoRoot, 'firmware-models/jarvis');
const python = process.env.WULF_TRAIN_PYTHON ?? path.join(repoRoot, '.venv/train/bin/python');

export const SHIPPED_MAKE_CHATS_ARGS = ['--seed', '2611', '--train', '60000', '--test', '2000'];
export const SHIPPED_TRAIN_ARGS = ['--preset', 'mini', '--val-frac', '0.02', '--threads', '2', '--steps', '1700'];
export const MODEL_NAME = 'jarvis-mini';

/** What the shipped model's plans may name, with the spoken arguments the recipe teaches (make_chats.py). */
export const CHAT_TEMPLATE: ChatTemplate = {
  format: 'jarvis-chat',
  version: 1,
  roles: { ...ROLE_SYMBOLS },
  tools: {
    home_control: ['action', 'name', 'area', 'domain', 'value'], timer_start: ['duration'], timer_cancel: [], timer_status: [],
    list_add: ['list', 'item'], note_remember: ['fact'], clock_time: [], clock_date: [], voice_on: [], voice_off: [],
  },
  toolCatalogueVersion: 1,
};

async function sha256(file: string): Promise<string> {
  return createHash('sha256').update(await readFile(file)).digest('hex');
}

/** The chats' data hash: train and test files, in that order. */
export async function chatsSha256(dir: string): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['train.jsonl', 'test.jsonl']) h.update(await readFile(path.join(dir, f)));
  return h.digest('hex');
}

/** Evaluate a generator .tflite on chats with the board's runtime. */
export async function evaluateTflite(model: string, chatsFile: string): Promise<ChatEvalResult> {
  const gen = await LlamaGenerator.load(model);
  try {
    return await evaluateChats(new ChatModel(gen), await readChats(chatsFile));
  } finally {
    await gen.release();
  }
}

async function main(args: string[]): Promise<void> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run bash .ci/setup-python-train.sh first`);
  const shipping = flag(args, 'out') === undefined;
  const out = path.resolve(flag(args, 'out') ?? path.join(repoRoot, 'firmware-models/dist', MODEL_NAME));
  await mkdir(out, { recursive: true });
  let data = flag(args, 'data');
  const makeArgs = shipping ? SHIPPED_MAKE_CHATS_ARGS : [];
  if (!data) {
    data = await mkdtemp(path.join(os.tmpdir(), 'jarvis-chats-'));
    await run(python, [path.join(recipeDir, 'make_chats.py'), '--out', data, ...makeArgs]);
  }
  data = path.resolve(data);
  const fromRun = flag(args, 'from-run');
  const trainArgs = shipping ? [...SHIPPED_TRAIN_ARGS] : ['--val-frac', '0.02'];
  for (const k of ['steps', 'preset', 'seed', 'init-from', 'threads']) {
    const v = flag(args, k);
    if (v !== undefined) trainArgs.push(`--${k}`, v);
  }
  const runDir = fromRun ? path.resolve(fromRun) : await mkdtemp(path.join(os.tmpdir(), 'jarvis-run-'));
  if (!fromRun) await run(python, [path.join(recipeDir, 'train.py'), '--data', path.join(data, 'train.jsonl'), '--out', runDir, ...trainArgs]);

  const config = JSON.parse(await readFile(path.join(runDir, 'config.json'), 'utf8')) as { tokenizer: { special: Record<string, number> }; model_bin_sha256: string; preset: string; data: { sha256: string } };
  const training = JSON.parse(await readFile(path.join(runDir, 'report.json'), 'utf8')) as Record<string, unknown>;
  const checkpoint = new Uint8Array(await readFile(path.join(runDir, 'model.bin')));
  const tokenizerBin = new Uint8Array(await readFile(path.join(runDir, 'tokenizer.bin')));
  const version = flag(args, 'version') ?? `1.0.0+${config.model_bin_sha256.slice(0, 12)}`;
  const files: Record<string, string> = {};
  for (const dtype of ['int8', 'int4'] as const) {
    const r = importLlama2c(checkpoint, tokenizerBin, { dtype, name: MODEL_NAME, version, userSymbols: Object.keys(config.tokenizer.special), chat: CHAT_TEMPLATE });
    files[dtype] = path.join(out, `model.${dtype}.tflite`);
    await writeFileAtomic(files[dtype], r.bytes);
  }
  await writeFileAtomic(path.join(out, 'tokenizer.model'), await readFile(path.join(runDir, 'tokenizer.model')));
  const testFile = path.join(data, 'test.jsonl');
  const evaluation: Record<string, ChatEvalResult> = {};
  for (const dtype of ['int8', 'int4'] as const) {
    evaluation[dtype] = await evaluateTflite(files[dtype]!, testFile);
    for (const [name, s] of Object.entries(evaluation[dtype].checks)) {
      process.stdout.write(`${dtype} ${name}: ${(100 * s.rate).toFixed(1)}% (${s.passed}/${s.total}; en ${(100 * s.en.rate).toFixed(1)}%, fr ${(100 * s.fr.rate).toFixed(1)}%)\n`);
    }
  }
  // Quantized against float32 (imported here, not shipped), decision by decision on float32's answers.
  const agreement: Record<string, { same: number; total: number; rate: number }> = {};
  const f32 = new ChatModel(await LlamaGenerator.fromBytes(importLlama2c(checkpoint, tokenizerBin, { dtype: 'float32', name: MODEL_NAME, version, userSymbols: Object.keys(config.tokenizer.special), chat: CHAT_TEMPLATE }).bytes));
  const sample = (await readChats(testFile)).slice(0, 300);
  for (const dtype of ['int8', 'int4'] as const) {
    const q = new ChatModel(await LlamaGenerator.load(files[dtype]!));
    const a = await greedyAgreement(f32, q, sample);
    agreement[dtype] = { ...a, rate: Number((a.same / a.total).toFixed(4)) };
    process.stdout.write(`${dtype} greedy decisions equal to float32's: ${a.same}/${a.total}\n`);
    await q.generator.release();
  }
  await f32.generator.release();
  const rates = (r: ChatEvalResult) => Object.fromEntries(Object.entries(r.checks).map(([k, s]) => [k, { all: Number(s.rate.toFixed(4)), en: Number(s.en.rate.toFixed(4)), fr: Number(s.fr.rate.toFixed(4)), n: s.total }]));
  await writeFile(path.join(out, 'report.json'), `${JSON.stringify({ training, evaluation: Object.fromEntries(Object.entries(evaluation).map(([k, r]) => [k, { checks: r.checks, failures: r.failures.slice(0, 20), chats: r.chats, tokens: r.tokens, ms: Math.round(r.ms) }])) }, null, 1)}\n`);
  const listed = Object.fromEntries(await Promise.all((await readdir(out)).filter((f) => !f.startsWith('.') && f !== 'manifest.json').sort()
    .map(async (f) => [f, { bytes: (await readFile(path.join(out, f))).length, sha256: await sha256(path.join(out, f)) }] as const)));
  await writeFile(path.join(out, 'manifest.json'), `${JSON.stringify({
    format: 'jarvis-manifest', version: 1, name: MODEL_NAME, modelVersion: version, issue: '#11', recipe: 'firmware-models/jarvis/train.py',
    commands: [`make_chats.py --out DATA ${makeArgs.join(' ')}`.trim(), `train.py --data DATA/train.jsonl --out RUN ${trainArgs.join(' ')}`.trim()],
    data: { sha256: await chatsSha256(data), train_sha256: config.data.sha256, generator: JSON.parse(await readFile(path.join(data, 'meta.json'), 'utf8').catch(() => 'null')) as unknown },
    preset: config.preset, model_bin_sha256: config.model_bin_sha256, chat: CHAT_TEMPLATE,
    metrics: { int8: rates(evaluation.int8!), int4: rates(evaluation.int4!), greedy_agreement_with_float32: agreement },
    training: { seconds: training['seconds'], steps: training['steps'], params: training['params'], val_loss: training['val_loss'] },
    files: listed,
  }, null, 1)}\n`);
  process.stdout.write(`wrote ${out}: model.int8.tflite, model.int4.tflite, tokenizer.model, report.json, manifest.json\n`);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`models:jarvis: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
