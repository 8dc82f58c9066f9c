// Runs models in native LiteRT (the reference runtime) through run_litert.py in the
// .venv/litert venv that .ci/setup-python-litert.sh creates. Used by tests and the benchmark only.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type NativeTensor = Float32Array | Int32Array | Uint8Array | Int8Array;
export type NativeRecord = Record<string, NativeTensor>;

export interface NativeJob {
  model: string;
  signature: string;
  inputs: NativeRecord;
  /** Shapes by input name (the data arrays are flat). */
  shapes: Record<string, readonly number[]>;
  threads?: number;
}

export interface WireTensor { dtype: string; shape: number[]; data: string }

const here = path.dirname(fileURLToPath(import.meta.url));
/** Repository root (this file runs from dist/firmware-models/tflite). */
const repoRoot = path.resolve(here, '..', '..', '..');
const script = path.join(repoRoot, 'firmware-models', 'tflite', 'run_litert.py');

export function nativePython(): string {
  return process.env['WULF_LITERT_PYTHON'] ?? path.join(repoRoot, '.venv', 'litert', 'bin', 'python');
}

export function nativeAvailable(): boolean { return existsSync(nativePython()); }

function encode(a: NativeTensor, shape: readonly number[]): WireTensor {
  const dtype = a instanceof Float32Array ? 'float32' : a instanceof Int32Array ? 'int32' : a instanceof Int8Array ? 'int8' : 'uint8';
  return { dtype, shape: [...shape], data: Buffer.from(a.buffer, a.byteOffset, a.byteLength).toString('base64') };
}

export function decodeWire(t: WireTensor): NativeTensor {
  const raw = Buffer.from(t.data, 'base64');
  const bytes = new Uint8Array(raw.length);
  bytes.set(raw);
  switch (t.dtype) {
    case 'float32': return new Float32Array(bytes.buffer);
    case 'int32': return new Int32Array(bytes.buffer);
    case 'uint8': return bytes;
    case 'int8': return new Int8Array(bytes.buffer);
    default: throw new Error(`native: unexpected output dtype ${t.dtype}`);
  }
}

async function call(request: unknown): Promise<unknown> {
  const py = nativePython();
  if (!existsSync(py)) throw new Error(`native LiteRT venv missing (${py}); run .ci/setup-python-litert.sh`);
  const child = spawn(py, [script], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (d: Buffer) => out.push(d));
  child.stderr.on('data', (d: Buffer) => err.push(d));
  const done = new Promise<number>((resolve, reject) => { child.on('error', reject); child.on('close', (code) => resolve(code ?? -1)); });
  child.stdin.end(JSON.stringify(request));
  const code = await done;
  if (code !== 0) throw new Error(`run_litert.py exited ${code}: ${Buffer.concat(err).toString().slice(-2000)}`);
  return JSON.parse(Buffer.concat(out).toString()) as unknown;
}

/** Inputs in run_litert.py's wire format (also read by litert-timer.ts). */
export const wireInputs = (job: { inputs: NativeRecord; shapes: Record<string, readonly number[]> }): Record<string, WireTensor> =>
  Object.fromEntries(Object.entries(job.inputs).map(([k, v]) => [k, encode(v, job.shapes[k] ?? [v.length])]));

/** Runs every job in one Python process; each result is outputs by name, or throws the job's error. */
export async function runNative(jobs: readonly NativeJob[]): Promise<NativeRecord[]> {
  const reply = await call({ jobs: jobs.map((j) => ({ model: j.model, signature: j.signature, threads: j.threads ?? 1, inputs: wireInputs(j) })) }) as { results: ({ outputs: Record<string, WireTensor> } | { error: string })[] };
  return reply.results.map((r, i) => {
    if ('error' in r) throw new Error(`native LiteRT job ${i} (${jobs[i]?.model}): ${r.error}`);
    return Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, decodeWire(v)]));
  });
}

/** Per-run wall times (ms) of one signature in native LiteRT. */
export async function benchNative(job: NativeJob & { warmup: number; iters: number }): Promise<number[]> {
  const reply = await call({ bench: { model: job.model, signature: job.signature, threads: job.threads ?? 1, warmup: job.warmup, iters: job.iters, inputs: wireInputs(job) } }) as { times_ms: number[] };
  return reply.times_ms;
}
