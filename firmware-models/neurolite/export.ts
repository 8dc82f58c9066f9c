// NeuroLite export: the recipe's weights (model.safetensors + config.json) → .tflite, float32 and
// int8 (per-channel weights, float activations), with labels, projection and provenance in the
// model's Wulf metadata. The graph mirrors train.py's NeuroLite.forward op for op.
import { readFile, writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { TensorType } from '../../src/runtime/index.js';
import { ModelBuilder, type GraphBuilder, type TensorRef } from '../tflite/model-builder.js';
import { channelScales, type WeightDtype } from '../tflite/quantize.js';

export interface NeuroLiteConfig {
  format: 'neurolite-config';
  version: number;
  config: { max_tokens: number; dim: number; channel_hidden: number; token_hidden: number; layers: number; ln_eps: number; preset: string; [k: string]: unknown };
  projection: { version: number; num_hashes: number; feature_dim: number; max_tokens: number; ngram_min: number; ngram_max: number };
  labels: { intents: string[]; tags: string[] };
  data: { sha256: string; [k: string]: unknown };
  [k: string]: unknown;
}

type Weights = Map<string, { shape: number[]; data: Float32Array }>;

/** safetensors: u64 LE header length, a JSON header {name: {dtype, shape, data_offsets}}, the data. */
export async function readSafetensors(file: string): Promise<Weights> {
  const buf = await readFile(file);
  const headerLen = Number(buf.readBigUInt64LE(0));
  if (headerLen > buf.length - 8) throw new Error(`${file}: header length ${headerLen} past the end`);
  const header = JSON.parse(buf.subarray(8, 8 + headerLen).toString('utf8')) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + headerLen;
  const out: Weights = new Map();
  for (const [name, t] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (t.dtype !== 'F32') throw new Error(`${file}: ${name} is ${t.dtype}; the export reads F32`);
    const [a, b] = t.data_offsets;
    const bytes = buf.subarray(base + a, base + b);
    out.set(name, { shape: t.shape, data: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) });
  }
  return out;
}

function layerNorm(g: GraphBuilder, x: TensorRef, w: Weights, name: string, eps: TensorRef): TensorRef {
  const mean = g.mean(x, [-1], true);
  const centered = g.sub(x, mean);
  const variance = g.mean(g.mul(centered, centered), [-1], true);
  return g.add(g.mul(g.mul(centered, g.rsqrt(g.add(variance, eps))), shared(g, w, `${name}.weight`)), shared(g, w, `${name}.bias`));
}

function get(w: Weights, name: string): { shape: number[]; data: Float32Array } {
  const t = w.get(name);
  if (!t) throw new Error(`weights: missing ${name}`);
  return t;
}

/** A float constant stored once in the file, whichever signatures use it. */
const shared = (g: GraphBuilder, w: Weights, name: string): TensorRef => {
  const t = get(w, name);
  return g.sharedConstant(name, t.data, t.shape);
};

/**
 * The shorter sequence lengths exported beside `max_tokens`, each as its own signature `parse_<L>`.
 * Padding rows never reach a real token (token mixing reads LN(x) · mask, everything else is per
 * token, pooling is masked), so a command of n ≤ L tokens gets the same answer from `parse_<L>` as
 * from `parse`, with the token-mixing matrices cut to their first L rows/columns and about L/T of
 * the work. The runtime picks the shortest signature that holds the sentence.
 */
export function shortLengths(maxTokens: number): number[] {
  return [8, 16].filter((l) => l < maxTokens);
}

/**
 * The NeuroLite graph: signature `parse` (buckets, mask) → (intent_logits, slot_logits, embedding)
 * over max_tokens, and `parse_<L>` for each of `lengths` shorter than that.
 */
export function buildNeuroLite(w: Weights, cfg: NeuroLiteConfig, dtype: WeightDtype, version: string, lengths = shortLengths(cfg.config.max_tokens)): ModelBuilder {
  const mb = new ModelBuilder('NeuroLite-tiny, written by wulf firmware-models/neurolite/export.ts');
  const T = cfg.config.max_tokens;
  for (const L of [T, ...lengths.filter((l) => l < T).sort((a, b) => b - a)]) addParse(mb, w, cfg, dtype, L);
  mb.setMetadata({
    name: 'neurolite-tiny',
    version,
    labels: cfg.labels.intents,
    data: { kind: 'nlu', tags: cfg.labels.tags, projection: cfg.projection, config: cfg.config, dataSha256: cfg.data.sha256, weightsSha256: cfg['weights_sha256'] ?? null, gitCommit: cfg['git_commit'] ?? null, dtype },
  });
  return mb;
}

/** One `parse` signature over L token positions (L = max_tokens: the full graph, named `parse`). */
function addParse(mb: ModelBuilder, w: Weights, cfg: NeuroLiteConfig, dtype: WeightDtype, L: number): void {
  const { max_tokens: T, layers, ln_eps } = cfg.config;
  const K = cfg.projection.num_hashes;
  const g = mb.subgraph(L === T ? 'parse' : `parse_${L}`);
  const fc = (x: TensorRef, name: string): TensorRef => {
    const wt = get(w, `${name}.weight`);
    return g.fullyConnected(x, g.weight(`${name}.weight`, wt.data, [wt.shape[0]!, wt.shape[1]!], dtype), w.has(`${name}.bias`) ? shared(g, w, `${name}.bias`) : null);
  };
  // Token mixing over L positions: fc1 (H, T) keeps its first L input columns, quantized with the
  // full matrix's per-row scales so its integers are the full model's; fc2 (T, H) its first L rows.
  const tokenFc1 = (x: TensorRef, name: string): TensorRef => {
    if (L === T) return fc(x, name);
    const wt = get(w, `${name}.weight`);
    const [H, cols] = [wt.shape[0]!, wt.shape[1]!];
    const cut = new Float32Array(H * L);
    for (let h = 0; h < H; h++) cut.set(wt.data.subarray(h * cols, h * cols + L), h * L);
    const scales = dtype === 'float32' ? undefined : channelScales(wt.data, H, dtype);
    return g.fullyConnected(x, g.weight(`${name}.weight@${L}`, cut, [H, L], dtype, scales), shared(g, w, `${name}.bias`));
  };
  const tokenFc2 = (x: TensorRef, name: string): TensorRef => {
    if (L === T) return fc(x, name);
    const wt = get(w, `${name}.weight`);
    const H = wt.shape[1]!;
    const bias = get(w, `${name}.bias`);
    return g.fullyConnected(x, g.weight(`${name}.weight@${L}`, wt.data.slice(0, L * H), [L, H], dtype),
      g.sharedConstant(`${name}.bias@${L}`, bias.data.slice(0, L), [L]));
  };
  const buckets = g.input('buckets', [1, L, K], TensorType.INT32);
  const mask = g.input('mask', [1, L]);
  const m = g.reshape(mask, [1, L, 1]);
  const eps = g.constant('ln_eps', Float32Array.of(ln_eps), [1]);
  // Embedding bag: gather the K rows of each token and sum them = counting-Bloom row @ embed.
  let x = g.mul(g.sum(g.gather(shared(g, w, 'embed'), buckets, 0), [2], false), m); // (1, L, D)
  for (let i = 0; i < layers; i++) {
    const p = `layers.${i}`;
    const y = g.mul(layerNorm(g, x, w, `${p}.token_norm`, eps), m);
    const mixed = tokenFc2(g.gelu(tokenFc1(g.transpose(y, [0, 2, 1]), `${p}.token_fc1`), true), `${p}.token_fc2`); // (1, D, L)
    x = g.add(x, g.transpose(mixed, [0, 2, 1]));
    x = g.add(x, fc(g.gelu(fc(layerNorm(g, x, w, `${p}.channel_norm`, eps), `${p}.channel_fc1`), true), `${p}.channel_fc2`));
  }
  x = layerNorm(g, x, w, 'final_norm', eps); // (1, L, D)
  const pooled = g.div(g.sum(g.mul(x, m), [1], false), g.sum(mask, [1], true)); // (1, D) masked mean
  g.output('intent_logits', fc(pooled, 'intent_head'));
  g.output('slot_logits', fc(x, 'slot_head'));
  g.output('embedding', pooled);
}

export interface ExportResult {
  files: Record<WeightDtype, string>;
  bytes: Record<string, number>;
  /** The worst signal-to-quantization-noise ratio over the int8 weights, in dB. */
  minSnrDb: number;
}

/** Export both the float32 twin and the int8 model next to each other. */
export async function exportNeuroLite(inDir: string, outDir: string, version: string): Promise<ExportResult> {
  const cfg = JSON.parse(await readFile(path.join(inDir, 'config.json'), 'utf8')) as NeuroLiteConfig;
  const weights = await readSafetensors(path.join(inDir, 'model.safetensors'));
  await mkdir(outDir, { recursive: true });
  const files = {} as Record<WeightDtype, string>;
  const bytes: Record<string, number> = {};
  let minSnrDb = Infinity;
  for (const dtype of ['float32', 'int8'] as const) {
    const mb = buildNeuroLite(weights, cfg, dtype, version);
    const data = mb.toBytes();
    const file = path.join(outDir, `model.${dtype}.tflite`);
    await writeFile(file, data);
    files[dtype] = file;
    bytes[dtype] = data.length;
    for (const r of mb.quantizationReports) minSnrDb = Math.min(minSnrDb, r.snrDb);
  }
  return { files, bytes, minSnrDb };
}

// `node dist/firmware-models/neurolite/export.js IN_DIR OUT_DIR [VERSION]`
if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [inDir, outDir, version = '1'] = process.argv.slice(2);
  if (!inDir || !outDir) {
    process.stderr.write('usage: export.js IN_DIR OUT_DIR [VERSION]\n');
    process.exit(2);
  }
  const r = await exportNeuroLite(inDir, outDir, version);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
