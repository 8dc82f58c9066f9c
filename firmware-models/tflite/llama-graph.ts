// A llama-style decoder (RMSNorm, rotary embeddings in rotate-half layout, causal attention with a
// KV cache, SwiGLU) written as a .tflite with two signatures sharing one set of weights:
// `prefill` (T tokens) and `decode` (one token). The KV cache is updated inside the step with
// DYNAMIC_UPDATE_SLICE at `cache_start`; it is kept in resource variables inside the compiled model
// ('state', the default) or passed in by the caller and returned whole ('full') or as new rows
// ('rows', see writeCacheRows). Weights come from the caller.

import { TensorType } from '../../src/runtime/index.js';
export { causalMask } from '../../src/generate/llama.js';
import { ModelBuilder, type GraphBuilder, type TensorRef } from './model-builder.js';
import type { WeightDtype } from './quantize.js';

export interface LlamaConfig {
  dim: number;
  hiddenDim: number;
  layers: number;
  heads: number;
  /** Key/value heads (grouped-query attention); absent: `heads`. Must divide `heads`. */
  kvHeads?: number;
  vocab: number;
  /** Cache length (context window). */
  maxSeq: number;
  /** Tokens per prefill call. */
  prefillLen: number;
  normEps: number;
}

export interface LlamaLayerWeights {
  attnNorm: Float32Array; wq: Float32Array; wk: Float32Array; wv: Float32Array; wo: Float32Array;
  ffnNorm: Float32Array; w1: Float32Array; w2: Float32Array; w3: Float32Array;
}

/** Matrices are row-major [out, in]; rows of wq/wk are in rotate-half order per head; wk/wv have
 * kvHeads × headDim rows. */
export interface LlamaWeights {
  embedding: Float32Array; // (vocab, dim)
  layers: LlamaLayerWeights[];
  finalNorm: Float32Array; // (dim)
  classifier: Float32Array; // (vocab, dim)
}

/** Key/value heads of a config (grouped-query attention shares each among heads / kvHeads query heads). */
export const kvHeadsOf = (c: LlamaConfig): number => c.kvHeads ?? c.heads;

export function llamaParamCount(c: LlamaConfig): number {
  const kvDim = (c.dim / c.heads) * kvHeadsOf(c);
  const layer = 2 * c.dim * c.dim + 2 * c.dim * kvDim + 3 * c.dim * c.hiddenDim + 2 * c.dim;
  return c.vocab * c.dim * 2 + c.layers * layer + c.dim;
}

/** Random weights with the usual 1/sqrt(fan_in) scale (for tests and the benchmark). */
export function randomLlamaWeights(c: LlamaConfig, rand: () => number): LlamaWeights {
  const mat = (rows: number, cols: number): Float32Array => {
    const s = Math.sqrt(3 / cols);
    return Float32Array.from({ length: rows * cols }, () => (2 * rand() - 1) * s);
  };
  const norm = (): Float32Array => Float32Array.from({ length: c.dim }, () => 0.8 + 0.4 * rand());
  const kvDim = (c.dim / c.heads) * kvHeadsOf(c);
  return {
    embedding: mat(c.vocab, c.dim),
    layers: Array.from({ length: c.layers }, () => ({
      attnNorm: norm(), wq: mat(c.dim, c.dim), wk: mat(kvDim, c.dim), wv: mat(kvDim, c.dim), wo: mat(c.dim, c.dim),
      ffnNorm: norm(), w1: mat(c.hiddenDim, c.dim), w2: mat(c.dim, c.hiddenDim), w3: mat(c.hiddenDim, c.dim),
    })),
    finalNorm: norm(),
    classifier: mat(c.vocab, c.dim),
  };
}

/** cos/sin tables (maxSeq, headDim/2) for rotary embeddings, theta 10000. */
export function ropeTables(c: LlamaConfig): { cos: Float32Array; sin: Float32Array } {
  const half = c.dim / c.heads / 2;
  const cos = new Float32Array(c.maxSeq * half);
  const sin = new Float32Array(c.maxSeq * half);
  for (let p = 0; p < c.maxSeq; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p / 10000 ** ((2 * i) / (2 * half));
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/**
 * How the KV cache is carried. 'full': inputs `k_cache_L`/`v_cache_L` (1, H, S, hd), outputs the
 * updated `k_cache_L_out`/`v_cache_L_out`. 'rows': same inputs, outputs only the new rows
 * `k_new_L`/`v_new_L` (1, H, T, hd), moving T/S of the bytes out. 'state': no cache tensors at all;
 * the cache lives in resource variables inside the compiled model (zeroed once by CALL_ONCE), so
 * one compiled model holds one conversation; a new conversation simply starts again at position 0
 * (the mask hides stale rows until they are overwritten), and a hot-swapped model starts empty.
 */
export type CacheOutput = 'full' | 'rows' | 'state';

/** 'state' is the default: measured as fast as 'rows' at context 512 and faster at 64 (runtime bench). */
export function buildLlamaModel(c: LlamaConfig, w: LlamaWeights, dtype: WeightDtype, cacheOutput: CacheOutput = 'state'): ModelBuilder {
  const kvh = kvHeadsOf(c);
  if (c.dim % c.heads !== 0 || (c.dim / c.heads) % 2 !== 0) throw new Error(`llama: dim ${c.dim} must split into ${c.heads} heads of even size`);
  if (!Number.isInteger(kvh) || kvh < 1 || c.heads % kvh !== 0) throw new Error(`llama: ${c.heads} heads do not split into ${kvh} key/value heads`);
  const mb = new ModelBuilder();
  const prefill = mb.subgraph('prefill');
  const decode = mb.subgraph('decode');
  const init = cacheOutput === 'state' ? initCache(mb.subgraph('init_kv_cache', false), c) : null;
  llamaStep(prefill, c, w, dtype, c.prefillLen, cacheOutput, init);
  llamaStep(decode, c, w, dtype, 1, cacheOutput, init);
  return mb;
}

const cacheShape = (c: LlamaConfig): number[] => [1, kvHeadsOf(c), c.maxSeq, c.dim / c.heads];

/** The CALL_ONCE target: zero every cache variable. */
function initCache(g: GraphBuilder, c: LlamaConfig): GraphBuilder {
  for (let l = 0; l < c.layers; l++) {
    for (const kv of ['k', 'v']) g.assignVariable(g.varHandle(`${kv}_cache_${l}`), g.fill(cacheShape(c), 0));
  }
  return g;
}

/** Writes a step's new rows (1, KVH, T, hd) into a cache (1, KVH, S, hd) at position `start`. */
export function writeCacheRows(cache: Float32Array, rows: Float32Array, c: LlamaConfig, start: number): void {
  const hd = c.dim / c.heads;
  const T = rows.length / (kvHeadsOf(c) * hd);
  for (let h = 0; h < kvHeadsOf(c); h++) {
    for (let t = 0; t < T; t++) {
      cache.set(rows.subarray((h * T + t) * hd, (h * T + t + 1) * hd), (h * c.maxSeq + start + t) * hd);
    }
  }
}

function rmsNorm(g: GraphBuilder, x: TensorRef, weight: TensorRef, eps: TensorRef): TensorRef {
  const ms = g.mean(g.mul(x, x), [-1], true);
  return g.mul(g.mul(x, g.rsqrt(g.add(ms, eps))), weight);
}

/** Rotate-half RoPE on (1, H, T, hd) with cos/sin (T, hd/2). */
function rope(g: GraphBuilder, x: TensorRef, cos: TensorRef, sin: TensorRef): TensorRef {
  const [, h, t, hd] = x.shape as [number, number, number, number];
  const a = g.slice(x, [0, 0, 0, 0], [1, h, t, hd / 2]);
  const b = g.slice(x, [0, 0, 0, hd / 2], [1, h, t, hd / 2]);
  return g.concat([g.sub(g.mul(a, cos), g.mul(b, sin)), g.add(g.mul(a, sin), g.mul(b, cos))], -1);
}

function llamaStep(g: GraphBuilder, c: LlamaConfig, w: LlamaWeights, dtype: WeightDtype, T: number, cacheOutput: CacheOutput, init: GraphBuilder | null): void {
  const hd = c.dim / c.heads;
  const kvh = kvHeadsOf(c);
  const group = c.heads / kvh; // query heads per key/value head
  if (init !== null) g.callOnce(init);
  const tokens = g.input('tokens', [1, T], TensorType.INT32);
  const positions = g.input('positions', [T], TensorType.INT32);
  const mask = g.input('mask', [1, 1, T, c.maxSeq]);
  const cacheStart = g.input('cache_start', [4], TensorType.INT32);
  const state = cacheOutput === 'state';
  const cacheIn = (name: string): { value: TensorRef; handle: TensorRef | null } => {
    if (!state) return { value: g.input(name, cacheShape(c)), handle: null };
    const handle = g.varHandle(name);
    return { value: g.readVariable(handle, cacheShape(c)), handle };
  };
  const caches = Array.from({ length: c.layers }, (_, l) => ({ k: cacheIn(`k_cache_${l}`), v: cacheIn(`v_cache_${l}`) }));
  const { cos: cosTable, sin: sinTable } = ropeTables(c);
  const cos = g.gather(g.sharedConstant('rope_cos', cosTable, [c.maxSeq, hd / 2]), positions, 0);
  const sin = g.gather(g.sharedConstant('rope_sin', sinTable, [c.maxSeq, hd / 2]), positions, 0);
  const eps = g.sharedConstant('norm_eps', Float32Array.of(c.normEps), [1]);
  const scale = g.sharedConstant('attn_scale', Float32Array.of(1 / Math.sqrt(hd)), [1]);
  let x = g.gather(g.sharedConstant('embedding', w.embedding, [c.vocab, c.dim]), tokens, 0); // (1, T, dim)
  const newCaches: { k: TensorRef; v: TensorRef }[] = [];
  const newRows: { k: TensorRef; v: TensorRef }[] = [];
  w.layers.forEach((lw, l) => {
    const cache = caches[l] as { k: { value: TensorRef; handle: TensorRef | null }; v: { value: TensorRef; handle: TensorRef | null } };
    const fc = (name: string, input: TensorRef, m: Float32Array, out: number, inDim: number): TensorRef =>
      g.fullyConnected(input, g.weight(`l${l}.${name}`, m, [out, inDim], dtype));
    const heads = (t: TensorRef, n = c.heads): TensorRef => g.transpose(g.reshape(t, [1, T, n, hd]), [0, 2, 1, 3]);
    const xn = rmsNorm(g, x, g.sharedConstant(`l${l}.attn_norm`, lw.attnNorm, [c.dim]), eps);
    const q = rope(g, heads(fc('wq', xn, lw.wq, c.dim, c.dim)), cos, sin);
    const k = rope(g, heads(fc('wk', xn, lw.wk, kvh * hd, c.dim), kvh), cos, sin);
    const v = heads(fc('wv', xn, lw.wv, kvh * hd, c.dim), kvh);
    const kAll = g.dynamicUpdateSlice(cache.k.value, k, cacheStart);
    const vAll = g.dynamicUpdateSlice(cache.v.value, v, cacheStart);
    if (cache.k.handle !== null) g.assignVariable(cache.k.handle, kAll);
    if (cache.v.handle !== null) g.assignVariable(cache.v.handle, vAll);
    newCaches.push({ k: kAll, v: vAll });
    newRows.push({ k, v });
    // Query heads h = kv * group + i share key/value head kv: (1, H, T, hd) is read as (1, KVH, group·T, hd).
    const qg = group === 1 ? q : g.reshape(q, [1, kvh, group * T, hd]);
    const raw = g.mul(g.batchMatmul(qg, kAll, false, true), scale); // (1, KVH, group·T, S)
    const scores = g.add(group === 1 ? raw : g.reshape(raw, [1, c.heads, T, c.maxSeq]), mask); // (1, H, T, S)
    const probs = g.softmax(scores);
    const attnG = g.batchMatmul(group === 1 ? probs : g.reshape(probs, [1, kvh, group * T, c.maxSeq]), vAll);
    const attn = group === 1 ? attnG : g.reshape(attnG, [1, c.heads, T, hd]); // (1, H, T, hd)
    const merged = g.reshape(g.transpose(attn, [0, 2, 1, 3]), [1, T, c.dim]);
    x = g.add(x, fc('wo', merged, lw.wo, c.dim, c.dim));
    const xn2 = rmsNorm(g, x, g.sharedConstant(`l${l}.ffn_norm`, lw.ffnNorm, [c.dim]), eps);
    const a = fc('w1', xn2, lw.w1, c.hiddenDim, c.dim);
    const gated = g.mul(g.mul(a, g.logistic(a)), fc('w3', xn2, lw.w3, c.hiddenDim, c.dim)); // SwiGLU
    x = g.add(x, fc('w2', gated, lw.w2, c.dim, c.hiddenDim));
  });
  const xf = rmsNorm(g, x, g.sharedConstant('final_norm', w.finalNorm, [c.dim]), eps);
  g.output('logits', g.fullyConnected(xf, g.weight('classifier', w.classifier, [c.vocab, c.dim], dtype)));
  if (cacheOutput === 'full') newCaches.forEach((nc, l) => { g.output(`k_cache_${l}_out`, nc.k); g.output(`v_cache_${l}_out`, nc.v); });
  else if (cacheOutput === 'rows') newRows.forEach((nr, l) => { g.output(`k_new_${l}`, nr.k); g.output(`v_new_${l}`, nr.v); });
}
