// Benchmark: one 16-token command end to end (text → projection → LiteRT.js → intent + slots) on one
// core, against native LiteRT running the same .tflite on the same inputs in the same run.
import { stat } from 'node:fs/promises';
import { benchNative, nativeAvailable } from '../../firmware-models/tflite/native-litert.js';
import { NeuroLiteModel } from './model.js';
import { modelInputs, tokenBuckets, tokenize } from './projection.js';
import { pct } from '../../bench/stats.js';

const SENTENCE = 'allume la lumière du salon et règle le chauffage de la cuisine à 21 degrés stp'; // 16 tokens

export async function runNluBench(model: string, iters = 2000): Promise<Record<string, unknown>> {
  const rssBefore = process.memoryUsage.rss();
  const nlu = await NeuroLiteModel.load(model);
  const rssDelta = process.memoryUsage.rss() - rssBefore;
  const proj = nlu.projectionConfig;
  const tokens = tokenize(SENTENCE, proj.maxTokens);
  for (let i = 0; i < 200; i++) await nlu.understand(SENTENCE);
  const endToEnd: number[] = [];
  const coldWords: number[] = [];
  const projection: number[] = [];
  for (let i = 0; i < iters; i++) {
    let t0 = performance.now();
    for (const tok of tokens) tokenBuckets(tok, proj);
    projection.push(performance.now() - t0);
    t0 = performance.now();
    await nlu.understand(SENTENCE); // its words are in the token cache, as a repeated command's are
    endToEnd.push(performance.now() - t0);
    nlu.clearTokenCache();
    t0 = performance.now();
    await nlu.understand(SENTENCE); // every word hashed afresh
    coldWords.push(performance.now() - t0);
  }
  // Native LiteRT runs the signature the runtime picked for this sentence (parse_16 for 16 tokens).
  const { key: signature, length: T } = nlu.signatureFor(tokens.length);
  const native = nativeAvailable() ? await benchNative({ model, signature, inputs: modelInputs(tokens, T, proj), shapes: { buckets: [1, T, proj.numHashes], mask: [1, T] }, warmup: 200, iters }) : null;
  await nlu.release();
  const row = {
    model,
    sizeBytes: (await stat(model)).size,
    tokens: tokens.length,
    signature,
    endToEndP50Ms: pct(endToEnd, 0.5),
    endToEndP90Ms: pct(endToEnd, 0.9),
    newWordsP50Ms: pct(coldWords, 0.5),
    newWordsP90Ms: pct(coldWords, 0.9),
    projectionP50Ms: pct(projection, 0.5),
    nativeModelP50Ms: native ? pct(native, 0.5) : null,
    ratioToNative: native ? pct(endToEnd, 0.5) / pct(native, 0.5) : null,
    rssDeltaMiB: Math.round((rssDelta / 2 ** 20) * 10) / 10,
  };
  return row;
}

export async function run(args: readonly string[]): Promise<string> {
  const { DEFAULT_NLU_MODEL } = await import('../daemon/index.js');
  const model = args.find((a) => a.endsWith('.tflite')) ?? DEFAULT_NLU_MODEL;
  const r = await runNluBench(model);
  if (args.includes('--json')) return `${JSON.stringify({ suite: 'nlu', ...r })}\n`;
  return [
    `nlu: "${SENTENCE}" (${String(r.tokens)} tokens, signature ${String(r.signature)}), ${model}`,
    `  model size            ${((r.sizeBytes as number) / 2 ** 20).toFixed(2)} MiB`,
    `  end to end (LiteRT.js) p50 ${(r.endToEndP50Ms as number).toFixed(3)} ms  p90 ${(r.endToEndP90Ms as number).toFixed(3)} ms`,
    `  same, every word new  p50 ${(r.newWordsP50Ms as number).toFixed(3)} ms  p90 ${(r.newWordsP90Ms as number).toFixed(3)} ms (token cache cleared)`,
    `  projection, uncached  p50 ${(r.projectionP50Ms as number).toFixed(3)} ms`,
    `  native LiteRT (model only, same file) p50 ${r.nativeModelP50Ms === null ? 'n/a (no .venv/litert)' : `${(r.nativeModelP50Ms as number).toFixed(3)} ms`}  ratio ${r.ratioToNative === null ? 'n/a' : `${(r.ratioToNative as number).toFixed(2)}×`}`,
    `  RSS delta on load     ${String(r.rssDeltaMiB)} MiB`,
    '',
  ].join('\n');
}
