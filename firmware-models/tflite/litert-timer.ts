// Times one signature of one .tflite in LiteRT.js, in this process or as a child process (the
// benchmark runs the threaded build under Node 22 this way, since LiteRT.js loads once per
// process). Child protocol: JSON on stdin {model, signature, threads, warmup, iters, inputs}
// -> JSON on stdout {times_ms}.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadLiteRtRuntime, Model, type TensorData, type TensorRecord } from '../../src/runtime/index.js';
import { decodeWire, type WireTensor } from './native-litert.js';

/** Per-run wall times (ms) of `model.run`, after `warmup` untimed runs. */
export async function timeRuns(model: Model, inputs: TensorRecord, signature: string, warmup: number, iters: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await model.run(inputs, signature);
  const times: number[] = [];
  for (let i = 0; i < iters; i++) {
    const t0 = performance.now();
    await model.run(inputs, signature);
    times.push(performance.now() - t0);
  }
  return times;
}

interface TimerRequest { model: string; signature: string; threads: number; warmup: number; iters: number; inputs: Record<string, WireTensor> }

async function main(): Promise<void> {
  const request = JSON.parse(readFileSync(0, 'utf8')) as TimerRequest;
  const runtime = await loadLiteRtRuntime({ threads: request.threads });
  const model = await Model.fromFile(runtime, request.model);
  const inputs = Object.fromEntries(Object.entries(request.inputs).map(([k, v]) => [k, decodeWire(v) as TensorData]));
  const times = await timeRuns(model, inputs, request.signature, request.warmup, request.iters);
  await model.release();
  process.stdout.write(`${JSON.stringify({ times_ms: times })}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`litert-timer: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
