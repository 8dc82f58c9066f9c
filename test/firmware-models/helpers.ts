// Shared test helpers: a seeded RNG, tolerance checks that report the worst element, and a harness
// that runs one model in LiteRT.js and in native LiteRT for comparison with the plain-TS reference.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadLiteRtRuntime, Model, type TensorData, type TensorRecord } from '../../src/runtime/index.js';
import { runNative, type NativeJob, type NativeRecord } from '../../firmware-models/tflite/native-litert.js';

/** Mulberry32: small, seeded, good enough for test data. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomF32(rand: () => number, n: number, lo = -1, hi = 1): Float32Array<ArrayBuffer> {
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * rand());
}

export interface Mismatch { index: number; got: number; want: number; err: number; bound: number }

/** First element whose |got - want| exceeds its bound, or null. */
export function worst(got: ArrayLike<number>, want: ArrayLike<number>, bound: (i: number) => number): Mismatch | null {
  if (got.length !== want.length) return { index: -1, got: got.length, want: want.length, err: Infinity, bound: 0 };
  let bad: Mismatch | null = null;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs((got[i] as number) - (want[i] as number));
    const b = bound(i);
    if (!(err <= b) && (bad === null || err - b > bad.err - bad.bound)) bad = { index: i, got: got[i] as number, want: want[i] as number, err, bound: b };
  }
  return bad;
}

/** Float tolerance: 1e-5 relative to the element, floored at 1e-5 of the tensor's RMS. */
export function floatBound(want: ArrayLike<number>, rel = 1e-5): (i: number) => number {
  let sq = 0;
  for (let i = 0; i < want.length; i++) sq += (want[i] as number) ** 2;
  const rms = Math.sqrt(sq / Math.max(1, want.length));
  return (i) => rel * Math.max(Math.abs(want[i] as number), rms);
}

export const tmpDir = (): string => mkdtempSync(path.join(tmpdir(), 'wulf-test-'));

export interface Case {
  name: string;
  bytes: Uint8Array;
  signature: string;
  inputs: TensorRecord;
  shapes: Record<string, readonly number[]>;
}

/** Runs every case in LiteRT.js (one after another) and in native LiteRT (one Python process). */
export async function runBoth(cases: readonly Case[]): Promise<{ js: TensorRecord[]; native: NativeRecord[] }> {
  const dir = tmpDir();
  const runtime = await loadLiteRtRuntime();
  const js: TensorRecord[] = [];
  const jobs: NativeJob[] = [];
  for (const c of cases) {
    const file = path.join(dir, `${c.name.replace(/[^a-z0-9_-]/gi, '_')}.tflite`);
    writeFileSync(file, c.bytes);
    const model = await Model.fromBytes(runtime, c.bytes);
    try { js.push(await model.run(c.inputs, c.signature)); } finally { await model.release(); }
    jobs.push({ model: file, signature: c.signature, inputs: c.inputs, shapes: c.shapes });
  }
  return { js, native: await runNative(jobs) };
}

export const asArray = (t: TensorData | undefined): Float32Array | Int32Array | Uint8Array | Int8Array => {
  if (t === undefined) throw new Error('missing output');
  return t;
};
