// llama2.c checkpoints (`model.bin`, the InnerArianna seed's training output) → our llama .tflite.
// Both of llama2.c's float32 formats are read: the legacy one (7 int32 header, weights, RoPE tables)
// and "version 1" (256-byte header with magic "ak42", weights in another order, no RoPE tables).
// Every size is checked against the header before a byte is used; a truncated or foreign file is
// refused with what was expected. run.c rotates interleaved pairs (x[2i], x[2i+1]); our graph rotates
// halves, so the rows of wq and wk are permuted per head (q·k is unchanged by a shared permutation).

import { createHash } from 'node:crypto';
import { BpeTokenizer, type BpeTokenizerJson } from '../../src/generate/bpe.js';
import { buildLlamaModel, kvHeadsOf, type LlamaConfig, type LlamaLayerWeights, type LlamaWeights } from './llama-graph.js';
import type { QuantizationReport, WeightDtype } from './quantize.js';

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

const MAGIC = 0x616b3432; // "ak42" as a little-endian uint32
const V1_HEADER_BYTES = 256;
const LEGACY_HEADER_BYTES = 28;

export interface Llama2cParams {
  dim: number; hiddenDim: number; layers: number; heads: number; kvHeads: number; vocab: number; seqLen: number;
  sharedClassifier: boolean;
}

export interface Llama2cCheckpoint {
  header: 'legacy' | 'v1';
  params: Llama2cParams;
  /** Weights in llama2.c's layout (interleaved RoPE pairs). */
  weights: LlamaWeights;
  sha256: string;
}

function paramsFrom(view: DataView, at: number, shared: boolean | null): Llama2cParams {
  const n = (i: number): number => view.getInt32(at + 4 * i, true);
  const vocabRaw = n(5);
  const p: Llama2cParams = {
    dim: n(0), hiddenDim: n(1), layers: n(2), heads: n(3), kvHeads: n(4), vocab: Math.abs(vocabRaw), seqLen: n(6),
    // legacy: a negative vocab size means the classifier is stored separately
    sharedClassifier: shared ?? vocabRaw > 0,
  };
  const bad = (Object.entries(p) as [string, number | boolean][]).filter(([, v]) => typeof v === 'number' && !(v > 0 && v <= 1 << 20));
  if (bad.length > 0) throw new CheckpointError(`llama2.c checkpoint: implausible header (${bad.map(([k, v]) => `${k} ${String(v)}`).join(', ')}): not a llama2.c model.bin?`);
  if (p.dim % p.heads !== 0 || (p.dim / p.heads) % 2 !== 0) throw new CheckpointError(`llama2.c checkpoint: dim ${p.dim} does not split into ${p.heads} heads of even size`);
  if (p.heads % p.kvHeads !== 0) throw new CheckpointError(`llama2.c checkpoint: ${p.heads} heads do not split into ${p.kvHeads} key/value heads`);
  return p;
}

/** Reads a float32 llama2.c checkpoint (legacy or version 1). */
export function readLlama2cCheckpoint(bytes: Uint8Array): Llama2cCheckpoint {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < LEGACY_HEADER_BYTES) throw new CheckpointError(`llama2.c checkpoint: ${bytes.byteLength} bytes is shorter than any header`);
  let header: 'legacy' | 'v1';
  let params: Llama2cParams;
  let offset: number;
  if (view.getUint32(0, true) === MAGIC) {
    const version = view.getInt32(4, true);
    if (version !== 1) throw new CheckpointError(`llama2.c checkpoint: version ${version} is not supported (version 1, float32, and the legacy format are; version 2 is llama2.c's own int8 export: export float32 and let --quant quantize)`);
    if (bytes.byteLength < V1_HEADER_BYTES) throw new CheckpointError(`llama2.c checkpoint: truncated header (${bytes.byteLength} of ${V1_HEADER_BYTES} bytes)`);
    header = 'v1';
    params = paramsFrom(view, 8, view.getUint8(36) !== 0);
    offset = V1_HEADER_BYTES;
  } else {
    header = 'legacy';
    params = paramsFrom(view, 0, null);
    offset = LEGACY_HEADER_BYTES;
  }
  const { dim, hiddenDim: hid, layers: L, vocab, seqLen } = params;
  const hd = dim / params.heads;
  const kvDim = hd * params.kvHeads;
  // Sizes in float32 elements, in file order.
  const sizes = header === 'legacy'
    ? [['embedding', vocab * dim], ['attnNorm', L * dim], ['wq', L * dim * dim], ['wk', L * kvDim * dim], ['wv', L * kvDim * dim], ['wo', L * dim * dim],
      ['ffnNorm', L * dim], ['w1', L * hid * dim], ['w2', L * dim * hid], ['w3', L * hid * dim], ['finalNorm', dim], ['ropeTables', seqLen * hd]] as const
    : [['attnNorm', L * dim], ['ffnNorm', L * dim], ['finalNorm', dim], ['embedding', vocab * dim], ['wq', L * dim * dim], ['wk', L * kvDim * dim],
      ['wv', L * kvDim * dim], ['wo', L * dim * dim], ['w1', L * hid * dim], ['w2', L * dim * hid], ['w3', L * hid * dim]] as const;
  const parts = [...sizes, ...(params.sharedClassifier ? [] : [['classifier', vocab * dim] as const])];
  const total = offset + 4 * parts.reduce((a, [, n]) => a + n, 0);
  if (bytes.byteLength !== total) {
    throw new CheckpointError(`llama2.c checkpoint (${header} header: dim ${dim}, ${L} layers, vocab ${vocab}, seq_len ${seqLen}): expected ${total} bytes, the file has ${bytes.byteLength}${bytes.byteLength < total ? ' (truncated)' : ' (trailing bytes: another format?)'}`);
  }
  const arrays: Record<string, Float32Array> = {};
  for (const [name, n] of parts) {
    // Copied out so the weights are aligned and independent of the file buffer.
    arrays[name] = new Float32Array(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + 4 * n));
    offset += 4 * n;
  }
  const per = (name: string, l: number, n: number): Float32Array => arrays[name]!.subarray(l * n, (l + 1) * n);
  const layerWeights: LlamaLayerWeights[] = Array.from({ length: L }, (_, l) => ({
    attnNorm: per('attnNorm', l, dim), wq: per('wq', l, dim * dim), wk: per('wk', l, kvDim * dim), wv: per('wv', l, kvDim * dim),
    wo: per('wo', l, dim * dim), ffnNorm: per('ffnNorm', l, dim), w1: per('w1', l, hid * dim), w2: per('w2', l, dim * hid), w3: per('w3', l, hid * dim),
  }));
  const weights: LlamaWeights = {
    embedding: arrays['embedding']!, layers: layerWeights, finalNorm: arrays['finalNorm']!,
    classifier: params.sharedClassifier ? arrays['embedding']! : arrays['classifier']!,
  };
  return { header, params, weights, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** Rows of a [heads·hd, in] matrix reordered per head from interleaved pairs to rotate-half order. */
export function interleavedToHalves(w: Float32Array, heads: number, hd: number, inDim: number): Float32Array {
  const out = new Float32Array(w.length);
  for (let h = 0; h < heads; h++) {
    for (let i = 0; i < hd / 2; i++) {
      out.set(w.subarray((h * hd + 2 * i) * inDim, (h * hd + 2 * i + 1) * inDim), (h * hd + i) * inDim);
      out.set(w.subarray((h * hd + 2 * i + 1) * inDim, (h * hd + 2 * i + 2) * inDim), (h * hd + hd / 2 + i) * inDim);
    }
  }
  return out;
}

export interface ImportOptions {
  dtype: WeightDtype;
  /** Tokens per prefill call (the prompt is fed in chunks of this many). */
  prefillLen?: number;
  /** Name in the model's metadata. */
  name?: string;
  /** Pieces the tokenizer keeps whole (SentencePiece user-defined symbols: chat roles, `<CALL:`…). */
  userSymbols?: readonly string[];
  /** Version in the model's metadata (default 0.0.0+ the checkpoint's sha256 prefix). */
  version?: string;
  /** How a chat model's prompt is built (Jarvis): recorded in the metadata. */
  chat?: ChatTemplate;
}

/** A chat model's prompt format and the tool catalogue its plans were trained on. */
export interface ChatTemplate {
  format: 'jarvis-chat';
  version: number;
  roles: Record<string, string>;
  /** The tools its `<CALL:…>` plans name, with the spoken arguments it writes. */
  tools: Record<string, string[]>;
  toolCatalogueVersion: number;
}

export interface ImportResult {
  bytes: Uint8Array;
  config: LlamaConfig;
  quantization: QuantizationReport[];
}

/** What a generator .tflite carries in its Wulf metadata `data`. */
export interface GeneratorMetadata {
  kind: 'generator';
  architecture: 'llama';
  config: LlamaConfig;
  weights: WeightDtype;
  cache: 'state';
  tokenizer: BpeTokenizerJson;
  special: { bos: number; eos: number };
  source: { format: 'llama2c'; header: 'legacy' | 'v1'; sha256: string; tokenizerSha256: string } | null;
  chat?: ChatTemplate;
}

/** Checkpoint + tokenizer.bin → a .tflite with `prefill` and `decode` signatures and the tokenizer in its metadata. */
export function importLlama2c(checkpoint: Uint8Array, tokenizerBin: Uint8Array, opts: ImportOptions): ImportResult {
  const ck = readLlama2cCheckpoint(checkpoint);
  const tokenizer = BpeTokenizer.fromLlama2cBin(tokenizerBin, ck.params.vocab).withUserSymbols(opts.userSymbols ?? []);
  const { dim, heads, kvHeads } = ck.params;
  const hd = dim / heads;
  const config: LlamaConfig = {
    dim, hiddenDim: ck.params.hiddenDim, layers: ck.params.layers, heads, kvHeads, vocab: ck.params.vocab,
    maxSeq: ck.params.seqLen, prefillLen: Math.min(opts.prefillLen ?? 16, ck.params.seqLen), normEps: 1e-5,
  };
  const weights: LlamaWeights = {
    ...ck.weights,
    layers: ck.weights.layers.map((lw) => ({ ...lw, wq: interleavedToHalves(lw.wq, heads, hd, dim), wk: interleavedToHalves(lw.wk, kvHeadsOf(config), hd, dim) })),
  };
  const mb = buildLlamaModel(config, weights, opts.dtype, 'state');
  const data: GeneratorMetadata = {
    kind: 'generator', architecture: 'llama', config, weights: opts.dtype, cache: 'state', tokenizer: tokenizer.toJson(), special: { bos: 1, eos: 2 },
    source: { format: 'llama2c', header: ck.header, sha256: ck.sha256, tokenizerSha256: createHash('sha256').update(tokenizerBin).digest('hex') },
    ...(opts.chat ? { chat: opts.chat } : {}),
  };
  mb.setMetadata({ name: opts.name ?? 'llama2c', version: opts.version ?? `0.0.0+${ck.sha256.slice(0, 12)}`, labels: [], data });
  return { bytes: mb.toBytes(), config, quantization: mb.quantizationReports };
}
