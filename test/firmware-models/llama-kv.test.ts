// A two-signature decoder (`prefill`, `decode`) whose KV cache is carried between calls: each step
// in LiteRT.js (and in native LiteRT on the same inputs) matches a float64 TS decoder step.

import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadLiteRtRuntime, Model, readTflite, type TensorRecord } from '../../src/runtime/index.js';
import {
  buildLlamaModel, causalMask, randomLlamaWeights, ropeTables, writeCacheRows, type CacheOutput, type LlamaConfig, type LlamaWeights,
} from '../../firmware-models/tflite/llama-graph.js';
import { runNative } from '../../firmware-models/tflite/native-litert.js';
import * as R from './reference.js';
import { floatBound, rng, tmpDir, worst } from './helpers.js';

const cfg: LlamaConfig = { dim: 32, hiddenDim: 64, layers: 2, heads: 4, vocab: 40, maxSeq: 12, prefillLen: 4, normEps: 1e-5 };
const hd = cfg.dim / cfg.heads;

/** Float64 reference decoder over an explicit cache (layers × {k, v} of (H, S, hd)). */
class ReferenceDecoder {
  readonly k = Array.from({ length: cfg.layers }, () => new Float64Array(cfg.heads * cfg.maxSeq * hd));
  readonly v = Array.from({ length: cfg.layers }, () => new Float64Array(cfg.heads * cfg.maxSeq * hd));
  private readonly rope = ropeTables(cfg);
  constructor(private readonly w: LlamaWeights) {}

  private rms(x: Float64Array, g: Float32Array): Float64Array {
    const ms = x.reduce((a, v) => a + v * v, 0) / x.length;
    return x.map((v, i) => v * (1 / Math.sqrt(ms + cfg.normEps)) * (g[i] as number));
  }

  private fc(x: Float64Array, m: Float32Array, out: number): Float64Array {
    return R.fullyConnected(R.nd([1, x.length], x), R.nd([out, x.length], m), null).data;
  }

  private rotate(v: Float64Array, pos: number): Float64Array {
    const out = new Float64Array(v.length);
    const half = hd / 2;
    for (let h = 0; h < cfg.heads; h++) {
      for (let i = 0; i < half; i++) {
        const a = v[h * hd + i] as number;
        const b = v[h * hd + half + i] as number;
        const c = this.rope.cos[pos * half + i] as number;
        const s = this.rope.sin[pos * half + i] as number;
        out[h * hd + i] = a * c - b * s;
        out[h * hd + half + i] = a * s + b * c;
      }
    }
    return out;
  }

  /** One token at `pos`; returns its logits. */
  step(token: number, pos: number): Float64Array {
    let x = Float64Array.from(this.w.embedding.subarray(token * cfg.dim, (token + 1) * cfg.dim));
    this.w.layers.forEach((lw, l) => {
      const xn = this.rms(x, lw.attnNorm);
      const q = this.rotate(this.fc(xn, lw.wq, cfg.dim), pos);
      const k = this.rotate(this.fc(xn, lw.wk, cfg.dim), pos);
      const v = this.fc(xn, lw.wv, cfg.dim);
      const K = this.k[l] as Float64Array;
      const V = this.v[l] as Float64Array;
      const att = new Float64Array(cfg.dim);
      for (let h = 0; h < cfg.heads; h++) {
        for (let i = 0; i < hd; i++) { K[(h * cfg.maxSeq + pos) * hd + i] = k[h * hd + i] as number; V[(h * cfg.maxSeq + pos) * hd + i] = v[h * hd + i] as number; }
        const scores = Array.from({ length: pos + 1 }, (_, s) => {
          let dot = 0;
          for (let i = 0; i < hd; i++) dot += (q[h * hd + i] as number) * (K[(h * cfg.maxSeq + s) * hd + i] as number);
          return dot / Math.sqrt(hd);
        });
        const p = R.softmax(R.nd([scores.length], scores)).data;
        for (let s = 0; s <= pos; s++) for (let i = 0; i < hd; i++) att[h * hd + i] = (att[h * hd + i] as number) + (p[s] as number) * (V[(h * cfg.maxSeq + s) * hd + i] as number);
      }
      x = x.map((val, i) => val + (this.fc(att, lw.wo, cfg.dim)[i] as number));
      const xn2 = this.rms(x, lw.ffnNorm);
      const a = this.fc(xn2, lw.w1, cfg.hiddenDim);
      const b = this.fc(xn2, lw.w3, cfg.hiddenDim);
      const ffn = this.fc(a.map((av, i) => av * R.logistic(av) * (b[i] as number)), lw.w2, cfg.dim);
      x = x.map((val, i) => val + (ffn[i] as number));
    });
    return this.fc(this.rms(x, this.w.finalNorm), this.w.classifier, cfg.vocab);
  }
}

const weights = randomLlamaWeights(cfg, rng(3));
const bytes = buildLlamaModel(cfg, weights, 'float32', 'full').toBytes();
const prompt = [5, 17, 2, 33];
const generated = [8, 21, 0];

function stepInputs(tokens: number[], start: number, cache: TensorRecord): TensorRecord {
  const inputs: TensorRecord = {
    tokens: Int32Array.from(tokens),
    positions: Int32Array.from(tokens, (_, i) => start + i),
    mask: causalMask(start, tokens.length, cfg.maxSeq),
    cache_start: Int32Array.of(0, 0, start, 0),
  };
  for (const [name, value] of Object.entries(cache)) inputs[name] = value;
  return inputs;
}

test('the model declares prefill and decode signatures over shared weights', (t) => {
  const m = readTflite(bytes);
  t.deepEqual(m.signatures.map((s) => s.key), ['prefill', 'decode']);
  const fcWeights = m.subgraphs.map((sg) => sg.tensors.filter((x) => x.name === 'l0.wq').map((x) => x.buffer));
  t.deepEqual(fcWeights[0], fcWeights[1], 'both subgraphs point at one buffer');
});

/** The cache after a step: the model's updated cache, or the old one with the new rows written. */
function nextCache(mode: CacheOutput, cache: TensorRecord, out: TensorRecord, start: number): TensorRecord {
  const next: TensorRecord = {};
  if (mode === 'state') return next; // the model keeps the cache itself
  for (let l = 0; l < cfg.layers; l++) {
    for (const kv of ['k', 'v']) {
      if (mode === 'full') { next[`${kv}_cache_${l}`] = out[`${kv}_cache_${l}_out`] as Float32Array<ArrayBuffer>; continue; }
      const updated = Float32Array.from(cache[`${kv}_cache_${l}`] as Float32Array);
      writeCacheRows(updated, out[`${kv}_new_${l}`] as Float32Array, cfg, start);
      next[`${kv}_cache_${l}`] = updated;
    }
  }
  return next;
}

for (const mode of ['full', 'rows', 'state'] as const) test(`prefill then decode with the KV cache carried between calls matches the reference (cache out: ${mode})`, async (t) => {
  const modelBytes = buildLlamaModel(cfg, weights, 'float32', mode).toBytes();
  const model = await Model.fromBytes(await loadLiteRtRuntime(), modelBytes);
  const ref = new ReferenceDecoder(weights);
  const cacheElems = cfg.heads * cfg.maxSeq * hd;
  let cache: TensorRecord = {};
  if (mode !== 'state') for (let l = 0; l < cfg.layers; l++) { cache[`k_cache_${l}`] = new Float32Array(cacheElems); cache[`v_cache_${l}`] = new Float32Array(cacheElems); }
  const steps: { signature: string; inputs: TensorRecord; want: Float64Array }[] = [];
  const check = (label: string, got: ArrayLike<number>, want: Float64Array): void => {
    const bad = worst(got, want, floatBound(want, 1e-4));
    t.is(bad, null, `${label}: ${JSON.stringify(bad)}`);
  };
  // prefill: 4 prompt tokens; its last row of logits is the next-token distribution.
  const calls: [string, number[], number][] = [['prefill', prompt, 0], ...generated.map((tok, i): [string, number[], number] => ['decode', [tok], prompt.length + i])];
  for (const [signature, tokens, start] of calls) {
    const inputs = stepInputs(tokens, start, cache);
    const out = await model.run(inputs, signature);
    const wantRows = tokens.map((tok, i) => ref.step(tok, start + i));
    const want = Float64Array.from(wantRows.flatMap((r) => [...r]));
    check(`${signature} at ${start} logits`, out['logits'] as Float32Array, want);
    steps.push({ signature, inputs, want });
    cache = nextCache(mode, cache, out, start);
  }
  if (mode !== 'state') {
    // The carried cache holds exactly what the reference wrote (positions 0..6), zeros after.
    check('final k cache layer 1', cache['k_cache_1'] as Float32Array, ref.k[1] as Float64Array);
    check('final v cache layer 0', cache['v_cache_0'] as Float32Array, ref.v[0] as Float64Array);
  } else {
    // A new conversation on the same compiled model just starts again at position 0: the mask
    // hides the stale rows beyond the current position until they are overwritten.
    const fresh = new ReferenceDecoder(weights);
    const out = await model.run(stepInputs([9, 1, 30, 12], 0, {}), 'prefill');
    check('second conversation prefill', out['logits'] as Float32Array, Float64Array.from([9, 1, 30, 12].flatMap((tok, i) => [...fresh.step(tok, i)])));
  }
  await model.release();

  // Native LiteRT runs the same file on the same per-step inputs, in order, in one interpreter.
  const file = path.join(tmpDir(), 'llama.tflite');
  writeFileSync(file, modelBytes);
  const shapes = (inputs: TensorRecord, T: number): Record<string, number[]> => Object.fromEntries(Object.keys(inputs).map((k) => [k,
    k === 'tokens' ? [1, T] : k === 'positions' ? [T] : k === 'mask' ? [1, 1, T, cfg.maxSeq] : k === 'cache_start' ? [4] : [1, cfg.heads, cfg.maxSeq, hd]]));
  const native = await runNative(steps.map((s) => ({ model: file, signature: s.signature, inputs: s.inputs, shapes: shapes(s.inputs, (s.inputs['tokens'] as Int32Array).length) })));
  native.forEach((out, i) => check(`native step ${i}`, out['logits'] as Float32Array, (steps[i] as { want: Float64Array }).want));
});
