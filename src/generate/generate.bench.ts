// Benchmark, two parts, one core each:
// 1. The Jarvis recipe's presets (firmware-models/jarvis/model.py shapes, random weights: speed does
//    not depend on the values) in float32/int8/int4: decode and prefill tokens/s, time to first token
//    for a 200-token prompt, RSS of the loaded model, native LiteRT on the same file, and the weight
//    bandwidth of a decode step against this machine's copy bandwidth. `--presets=ci,mini` to choose.
// 2. The shipped Jarvis chat model (firmware-models/dist/jarvis-mini), int8 and int4: one chat turn
//    end to end (prompt rendering, prefill, greedy decode to EOS) for a plan, a grounded answer and
//    small talk: milliseconds per reply and new tokens/s.
// 3. A llama2.c checkpoint imported and run by LlamaGenerator: decode tokens/s end to end (tokenizer,
//    LiteRT.js, sampler), one decode step and one 16-token prefill against native LiteRT. Default: the
//    reference stories260K from shared/reference, or give MODEL.bin TOKENIZER.bin.

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLlama2c } from '../../firmware-models/tflite/llama2c.js';
import { buildLlamaModel, llamaParamCount, randomLlamaWeights, type LlamaConfig } from '../../firmware-models/tflite/llama-graph.js';
import { benchNative, nativeAvailable } from '../../firmware-models/tflite/native-litert.js';
import { copyBandwidthGBps, fcWeightBytes, lcg, stats } from '../../firmware-models/tflite/runtime.bench.js';
import { loadLiteRtRuntime, Model, type TensorRecord } from '../runtime/index.js';
import { DEFAULT_GENERATOR_MODEL } from './default-model.js';
import { ChatModel, LlamaGenerator, stepInputs, type ChatMessage } from './index.js';

const p50 = (xs: readonly number[]): number => stats(xs).p50;

/** Inputs of one decode step at `pos`, or of one prefill chunk of T tokens from `start`. */
const decodeAt = (pos: number, maxSeq: number): TensorRecord => stepInputs([42], pos, maxSeq);
const prefillFrom = (start: number, T: number, maxSeq: number): TensorRecord => stepInputs(Array.from({ length: T }, (_, i) => 40 + i), start, maxSeq);
const shapesOf = (T: number, maxSeq: number): Record<string, readonly number[]> => ({ tokens: [1, T], positions: [T], mask: [1, 1, T, maxSeq], cache_start: [4] });

/** Median ms of one run of `key` in LiteRT.js: `warmup` runs, then at least 10 and up to `maxIters` within `budgetMs`. */
async function medianRunMs(model: Model, inputs: TensorRecord, key: string, opts: { warmup: number; budgetMs: number; maxIters: number }): Promise<number> {
  for (let i = 0; i < opts.warmup; i++) await model.run(inputs, key);
  const ts: number[] = [];
  const end = performance.now() + opts.budgetMs;
  while (ts.length < 10 || (performance.now() < end && ts.length < opts.maxIters)) {
    const t0 = performance.now();
    await model.run(inputs, key);
    ts.push(performance.now() - t0);
  }
  return p50(ts);
}

/** The same median in native LiteRT on the same file, or null without .venv/litert. */
async function nativeMedianMs(file: string, key: string, inputs: TensorRecord, T: number, maxSeq: number, opts: { warmup: number; iters: number }): Promise<number | null> {
  if (!nativeAvailable()) return null;
  return p50(await benchNative({ model: file, signature: key, inputs: inputs as Record<string, Int32Array | Float32Array>, shapes: shapesOf(T, maxSeq), threads: 1, ...opts }));
}

function defaultCheckpoint(): [string, string] {
  const repo = fileURLToPath(new URL('../../../', import.meta.url));
  for (const dir of [process.env['WULF_REFERENCE_DIR'], path.join(repo, '../shared/reference'), '/work/shared/reference']) {
    if (dir && existsSync(path.join(dir, 'llama2c', 'stories260K.bin'))) return [path.join(dir, 'llama2c', 'stories260K.bin'), path.join(dir, 'llama2c', 'tok512.bin')];
  }
  throw new Error('bench generate: no checkpoint given and shared/reference/llama2c not found (give MODEL.bin TOKENIZER.bin)');
}

interface Row {
  dtype: string; mib: number; decodeTokPerS: number; decodeStepMs: number; nativeDecodeStepMs: number | null;
  prefill16Ms: number; nativePrefill16Ms: number | null;
}

/** The recipe's presets (firmware-models/jarvis/model.py PRESETS), as the graph writer takes them. */
export const JARVIS_PRESETS: Record<string, LlamaConfig> = {
  nano: { dim: 512, hiddenDim: 1376, layers: 8, heads: 8, kvHeads: 8, vocab: 10000, maxSeq: 512, prefillLen: 16, normEps: 1e-5 },
  mini: { dim: 192, hiddenDim: 512, layers: 4, heads: 4, kvHeads: 4, vocab: 2048, maxSeq: 256, prefillLen: 16, normEps: 1e-5 },
  ci: { dim: 64, hiddenDim: 172, layers: 2, heads: 4, kvHeads: 2, vocab: 512, maxSeq: 64, prefillLen: 16, normEps: 1e-5 },
};

interface PresetRow {
  preset: string; dtype: string; params: number; mib: number; decodeTokPerS: number; nativeDecodeTokPerS: number | null;
  prefillTokPerS: number; ttft200Ms: number; rssMiB: number; weightGBps: number;
}

async function presetRows(names: readonly string[], dir: string): Promise<PresetRow[]> {
  const rows: PresetRow[] = [];
  const runtime = await loadLiteRtRuntime();
  for (const name of names) {
    const c = JARVIS_PRESETS[name];
    if (c === undefined) throw new Error(`bench generate: no preset ${name} (have ${Object.keys(JARVIS_PRESETS).join(', ')})`);
    const weights = randomLlamaWeights(c, lcg(11));
    for (const dtype of ['float32', 'int8', 'int4'] as const) {
      const bytes = buildLlamaModel(c, weights, dtype).toBytes();
      const file = path.join(dir, `${name}.${dtype}.tflite`);
      await writeFile(file, bytes);
      const rss0 = process.memoryUsage.rss();
      const model = await Model.fromBytes(runtime, bytes);
      const rssMiB = (process.memoryUsage.rss() - rss0) / 2 ** 20;
      const T = c.prefillLen;
      const step = (pos: number): TensorRecord => decodeAt(pos, c.maxSeq);
      const chunk = (start: number): TensorRecord => prefillFrom(start, T, c.maxSeq);
      // Time to first token for a 200-token prompt: whole prefill chunks, the rest one by one, then
      // the step whose logits give the first new token (prompt clipped to the context).
      const prompt = Math.min(200, c.maxSeq - 1);
      const ttft = async (): Promise<number> => {
        const t0 = performance.now();
        let pos = 0;
        while (pos + T <= prompt - 1) { await model.run(chunk(pos), 'prefill'); pos += T; }
        for (; pos < prompt; pos++) await model.run(step(pos), 'decode');
        return performance.now() - t0;
      };
      await ttft();
      const ttft200Ms = Math.min(await ttft(), await ttft());
      const mid = Math.floor(c.maxSeq / 2);
      const decodeMs = await medianRunMs(model, step(mid), 'decode', { warmup: 3, budgetMs: 2000, maxIters: 300 });
      const prefillMs = await medianRunMs(model, chunk(0), 'prefill', { warmup: 3, budgetMs: 2000, maxIters: 300 });
      await model.release();
      const native = await nativeMedianMs(file, 'decode', step(mid), 1, c.maxSeq, { warmup: 3, iters: 30 });
      rows.push({
        preset: name, dtype, params: llamaParamCount(c), mib: bytes.length / 2 ** 20, decodeTokPerS: 1000 / decodeMs, nativeDecodeTokPerS: native === null ? null : 1000 / native,
        prefillTokPerS: (1000 * T) / prefillMs, ttft200Ms, rssMiB, weightGBps: fcWeightBytes(bytes, 'decode') / (decodeMs / 1000) / 1e9,
      });
      await rm(file, { force: true });
    }
  }
  return rows;
}

const CHAT_PROMPTS: Array<[string, ChatMessage[]]> = [
  ['plan (en)', [{ role: 'system', content: 'en' }, { role: 'user', content: 'turn off the kitchen light and set a timer for 10 minutes' }]],
  ['grounded (fr)', [{ role: 'system', content: 'fr' }, { role: 'note', content: 'le code du portail est 4521' }, { role: 'note', content: "l'anniversaire de Paul est le 3 mai" }, { role: 'user', content: 'quel est le code du portail ?' }]],
  ['small talk (en)', [{ role: 'system', content: 'en' }, { role: 'user', content: 'who are you?' }]],
];

interface ChatRow { dtype: string; prompt: string; ms: number; newTokens: number; promptTokens: number }

/** One chat turn end to end with the shipped model, median of 7 after a warm-up. */
async function chatRows(): Promise<ChatRow[] | null> {
  const rows: ChatRow[] = [];
  for (const dtype of ['int8', 'int4']) {
    const file = DEFAULT_GENERATOR_MODEL.replace(/model\.int8\.tflite$/, `model.${dtype}.tflite`);
    if (!existsSync(file)) return null;
    const chat = new ChatModel(await LlamaGenerator.load(file));
    for (const [name, messages] of CHAT_PROMPTS) {
      await chat.reply(messages);
      const times: number[] = [];
      let last = await chat.reply(messages);
      for (let i = 0; i < 7; i++) {
        last = await chat.reply(messages);
        times.push(last.ms);
      }
      rows.push({ dtype, prompt: name, ms: stats(times).p50, newTokens: last.completion.newTokens, promptTokens: last.completion.promptTokens });
    }
    await chat.generator.release();
  }
  return rows;
}

export async function run(args: readonly string[]): Promise<string> {
  const presetArg = args.find((a) => a.startsWith('--presets='));
  const presets = presetArg === undefined ? ['ci', 'mini', 'nano'] : presetArg.slice('--presets='.length).split(',').filter((p) => p !== '');
  const files = args.filter((a) => !a.startsWith('--'));
  const copyGBps = copyBandwidthGBps();
  const presetDir = await mkdtemp(path.join(os.tmpdir(), 'wulf-bench-presets-'));
  let prows: PresetRow[];
  try {
    prows = await presetRows(presets, presetDir);
  } finally {
    await rm(presetDir, { recursive: true, force: true });
  }
  const crows = await chatRows();
  const [ckFile, tokFile] = files.length >= 2 ? [files[0]!, files[1]!] : defaultCheckpoint();
  const ck = readFileSync(ckFile);
  const tok = readFileSync(tokFile);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-bench-generate-'));
  const rows: Row[] = [];
  let cfgText = '';
  try {
    for (const dtype of ['float32', 'int8', 'int4'] as const) {
      const r = importLlama2c(ck, tok, { dtype });
      const c = r.config;
      cfgText = `dim ${c.dim}, ${c.layers} layers, ${c.heads} heads (${c.kvHeads ?? c.heads} kv), vocab ${c.vocab}, context ${c.maxSeq}`;
      const file = path.join(dir, `model.${dtype}.tflite`);
      await writeFile(file, r.bytes);
      const gen = await LlamaGenerator.fromBytes(r.bytes);
      // End to end: 256 greedy positions from BOS, twice (the first warms up).
      let tokPerS = 0;
      for (let round = 0; round < 2; round++) {
        const t0 = performance.now();
        let n = 0;
        for await (const _ of gen.run([1], { steps: Math.min(256, c.maxSeq), sampler: { temperature: 0, topP: 0.9, seed: 1n } })) n++;
        tokPerS = n / ((performance.now() - t0) / 1000);
      }
      // One step at mid context, and one prefill chunk, in LiteRT.js and in native LiteRT.
      const pos = Math.floor(Math.min(256, c.maxSeq) / 2);
      const T = c.prefillLen;
      await gen.release();
      const model = await Model.fromBytes(await loadLiteRtRuntime(), r.bytes);
      const decodeStepMs = await medianRunMs(model, decodeAt(pos, c.maxSeq), 'decode', { warmup: 20, budgetMs: Infinity, maxIters: 300 });
      const prefill16Ms = await medianRunMs(model, prefillFrom(0, T, c.maxSeq), 'prefill', { warmup: 20, budgetMs: Infinity, maxIters: 100 });
      await model.release();
      rows.push({
        dtype, mib: r.bytes.length / 2 ** 20, decodeTokPerS: tokPerS, decodeStepMs, prefill16Ms,
        nativeDecodeStepMs: await nativeMedianMs(file, 'decode', decodeAt(pos, c.maxSeq), 1, c.maxSeq, { warmup: 20, iters: 300 }),
        nativePrefill16Ms: await nativeMedianMs(file, 'prefill', prefillFrom(0, T, c.maxSeq), T, c.maxSeq, { warmup: 10, iters: 100 }),
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (args.includes('--json')) return `${JSON.stringify({ suite: 'generate', copyGBps, presets: prows, chat: crows, checkpoint: ckFile, rows })}\n`;
  const ratio = (a: number, b: number | null): string => (b === null ? 'n/a' : `${(a / b).toFixed(2)}×`);
  return [
    `generate: the recipe's presets (random weights), one core; copy bandwidth ${copyGBps.toFixed(1)} GB/s`,
    '  preset  dtype    params    MiB   decode tok/s (native, ratio)   prefill tok/s  TTFT 200 tok   RSS MiB  weights GB/s (% of copy)',
    ...prows.map((r) => `  ${r.preset.padEnd(6)}  ${r.dtype.padEnd(7)} ${(r.params / 1e6).toFixed(1).padStart(5)} M ${r.mib.toFixed(1).padStart(6)}   ${r.decodeTokPerS.toFixed(0).padStart(6)} (${r.nativeDecodeTokPerS?.toFixed(0) ?? 'n/a'}, ${r.nativeDecodeTokPerS === null ? 'n/a' : `${(r.nativeDecodeTokPerS / r.decodeTokPerS).toFixed(2)}×`})`.padEnd(62) + `${r.prefillTokPerS.toFixed(0).padStart(8)}  ${r.ttft200Ms.toFixed(0).padStart(8)} ms  ${r.rssMiB.toFixed(0).padStart(7)}  ${r.weightGBps.toFixed(2)} (${((100 * r.weightGBps) / copyGBps).toFixed(0)}%)`),
    '',
    crows === null ? 'shipped Jarvis model: missing (npm run models:jarvis)' : 'shipped Jarvis model (jarvis-mini), one chat turn end to end, one core',
    ...(crows ?? []).map((r) => `  ${r.dtype.padEnd(5)} ${r.prompt.padEnd(16)} ${r.ms.toFixed(1).padStart(7)} ms  ${String(r.promptTokens).padStart(4)} prompt + ${String(r.newTokens).padStart(3)} new tokens  ${((1000 * r.newTokens) / r.ms).toFixed(0).padStart(5)} new tok/s`),
    '',
    `llama2.c import: ${path.basename(ckFile)} (${cfgText}), one core`,
    '  dtype     MiB  decode tok/s (e2e)  decode step p50 (native, ratio)    prefill 16 p50 (native, ratio)',
    ...rows.map((r) => `  ${r.dtype.padEnd(8)} ${r.mib.toFixed(2).padStart(5)}  ${r.decodeTokPerS.toFixed(0).padStart(18)}  ${r.decodeStepMs.toFixed(3)} ms (${r.nativeDecodeStepMs?.toFixed(3) ?? 'n/a'} ms, ${ratio(r.decodeStepMs, r.nativeDecodeStepMs)})    ${r.prefill16Ms.toFixed(3)} ms (${r.nativePrefill16Ms?.toFixed(3) ?? 'n/a'} ms, ${ratio(r.prefill16Ms, r.nativePrefill16Ms)})`),
    nativeAvailable() ? '' : '  native LiteRT skipped: run .ci/setup-python-litert.sh',
    '',
  ].join('\n');
}
