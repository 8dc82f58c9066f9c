// Benchmark: a llama2.c checkpoint imported in float32/int8/int4 and run by LlamaGenerator on one
// core: decode tokens/s end to end (tokenizer, LiteRT.js, sampler), one decode step and one 16-token
// prefill in LiteRT.js against native LiteRT running the same file on the same inputs in the same run.
// Default checkpoint: the llama2.c reference (stories260K) from shared/reference, or give MODEL.bin
// TOKENIZER.bin (a larger one, e.g. stories15M, shows the weight-bound regime).

import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { importLlama2c } from '../../firmware-models/tflite/llama2c.js';
import { benchNative, nativeAvailable } from '../../firmware-models/tflite/native-litert.js';
import { loadLiteRtRuntime, Model, type TensorRecord } from '../runtime/index.js';
import { causalMask, LlamaGenerator } from './index.js';

const p50 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

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

export async function run(args: readonly string[]): Promise<string> {
  const files = args.filter((a) => !a.startsWith('--'));
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
      const decodeIn = { tokens: Int32Array.of(42), positions: Int32Array.of(pos), mask: causalMask(pos, 1, c.maxSeq), cache_start: Int32Array.of(0, 0, pos, 0) };
      const T = c.prefillLen;
      const prefillIn = { tokens: Int32Array.from({ length: T }, (_, i) => 40 + i), positions: Int32Array.from({ length: T }, (_, i) => i), mask: causalMask(0, T, c.maxSeq), cache_start: Int32Array.of(0, 0, 0, 0) };
      await gen.release();
      const model = await Model.fromBytes(await loadLiteRtRuntime(), r.bytes);
      const time = async (inputs: TensorRecord, key: string, iters: number): Promise<number> => {
        for (let i = 0; i < 20; i++) await model.run(inputs, key);
        const ts: number[] = [];
        for (let i = 0; i < iters; i++) { const t0 = performance.now(); await model.run(inputs, key); ts.push(performance.now() - t0); }
        return p50(ts);
      };
      const decodeStepMs = await time(decodeIn, 'decode', 300);
      const prefill16Ms = await time(prefillIn, 'prefill', 100);
      await model.release();
      const native = nativeAvailable();
      const decodeShapes = { tokens: [1, 1], positions: [1], mask: [1, 1, 1, c.maxSeq], cache_start: [4] };
      const prefillShapes = { tokens: [1, T], positions: [T], mask: [1, 1, T, c.maxSeq], cache_start: [4] };
      rows.push({
        dtype, mib: r.bytes.length / 2 ** 20, decodeTokPerS: tokPerS, decodeStepMs, prefill16Ms,
        nativeDecodeStepMs: native ? p50(await benchNative({ model: file, signature: 'decode', inputs: decodeIn, shapes: decodeShapes, threads: 1, warmup: 20, iters: 300 })) : null,
        nativePrefill16Ms: native ? p50(await benchNative({ model: file, signature: 'prefill', inputs: prefillIn, shapes: prefillShapes, threads: 1, warmup: 10, iters: 100 })) : null,
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  if (args.includes('--json')) return `${JSON.stringify({ suite: 'generate', checkpoint: ckFile, rows })}\n`;
  const ratio = (a: number, b: number | null): string => (b === null ? 'n/a' : `${(a / b).toFixed(2)}×`);
  return [
    `generate: ${path.basename(ckFile)} (${cfgText}), one core`,
    '  dtype     MiB  decode tok/s (e2e)  decode step p50 (native, ratio)    prefill 16 p50 (native, ratio)',
    ...rows.map((r) => `  ${r.dtype.padEnd(8)} ${r.mib.toFixed(2).padStart(5)}  ${r.decodeTokPerS.toFixed(0).padStart(18)}  ${r.decodeStepMs.toFixed(3)} ms (${r.nativeDecodeStepMs?.toFixed(3) ?? 'n/a'} ms, ${ratio(r.decodeStepMs, r.nativeDecodeStepMs)})    ${r.prefill16Ms.toFixed(3)} ms (${r.nativePrefill16Ms?.toFixed(3) ?? 'n/a'} ms, ${ratio(r.prefill16Ms, r.nativePrefill16Ms)})`),
    nativeAvailable() ? '' : '  native LiteRT skipped: run .ci/setup-python-litert.sh',
    '',
  ].join('\n');
}
