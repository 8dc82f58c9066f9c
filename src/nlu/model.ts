// NeuroLite at run time: text → projection (bucket indices) → the .tflite in LiteRT → intent with
// confidence and entropy, BIO slots decoded to spans of the original text, and the sentence
// embedding. Reads everything it needs (labels, tags, projection) from the model's metadata.
import { readFile } from 'node:fs/promises';
import { decodeModelMetadata, loadLiteRtRuntime, Model, readTflite } from '../runtime/index.js';
import { modelInputs, tokenBuckets, tokenize, PROJECTION_VERSION, type ProjectionConfig, type Token } from './projection.js';
import { bioDecoder, spansFromBio } from './metrics.js';
import type { Understander, Understanding } from './index.js';

export class NluModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NluModelError';
  }
}

interface NeuroLiteMeta {
  kind: 'nlu';
  tags: string[];
  projection: { version: number; num_hashes: number; feature_dim: number; max_tokens: number; ngram_min: number; ngram_max: number };
}

export const UNKNOWN_INTENT = 'unknown';

/** Distinct tokens whose projection is kept (64 buckets × 4 bytes each: 1 MiB at most). */
const TOKEN_CACHE_SIZE = 4096;

export class NeuroLiteModel implements Understander {
  private constructor(
    private readonly model: Model,
    readonly intents: string[],
    readonly tags: string[],
    private readonly projection: ProjectionConfig,
    readonly version: string,
    readonly name: string,
    private readonly threshold: number,
    /** The model's `parse` signatures by sequence length, shortest first (see export.ts shortLengths). */
    private readonly lengths: readonly { key: string; length: number }[],
  ) {
    this.decodeSlots = bioDecoder(tags);
  }

  /** Slot logits → the best valid BIO sequence over the real tokens (the tag set's rules worked out once). */
  private readonly decodeSlots: (scores: ArrayLike<number>, n: number) => string[];

  /** Load a NeuroLite .tflite; refuses a file without NeuroLite metadata or another projection. */
  static async load(file: string, opts: { confidenceThreshold?: number } = {}): Promise<NeuroLiteModel> {
    const bytes = new Uint8Array(await readFile(file));
    const meta = decodeModelMetadata(readTflite(bytes));
    const data = meta?.data as NeuroLiteMeta | undefined;
    if (!meta || data?.kind !== 'nlu' || !Array.isArray(data.tags)) throw new NluModelError(`${file} is not a NeuroLite model (no nlu metadata)`);
    if (data.projection.version !== PROJECTION_VERSION) throw new NluModelError(`${file} was trained with projection v${data.projection.version}; this runtime has v${PROJECTION_VERSION}`);
    const model = await Model.fromBytes(await loadLiteRtRuntime(), bytes);
    const p = data.projection;
    const projection = { numHashes: p.num_hashes, featureDim: p.feature_dim, maxTokens: p.max_tokens, ngramMin: p.ngram_min, ngramMax: p.ngram_max };
    let lengths: { key: string; length: number }[];
    try {
      lengths = parseSignatures(model, projection);
    } catch (err) {
      await model.release();
      throw new NluModelError(`${file}: ${(err as Error).message}`);
    }
    return new NeuroLiteModel(model, meta.labels, data.tags, projection, meta.version, meta.name, opts.confidenceThreshold ?? 0.5, lengths);
  }

  /**
   * A token's bucket indices, from a bounded LRU cache: commands reuse a small vocabulary ("allume",
   * "la", "salon"), and hashing a word's pieces is most of the projection's cost.
   */
  private bucketsOf(tok: Token): Uint32Array {
    const key = `${tok.isWord ? 'w' : 'p'}${tok.text}`;
    let b = this.tokenCache.get(key);
    if (b !== undefined) {
      this.tokenCache.delete(key);
    } else {
      b = tokenBuckets(tok, this.projection);
      if (this.tokenCache.size >= TOKEN_CACHE_SIZE) this.tokenCache.delete(this.tokenCache.keys().next().value!);
    }
    this.tokenCache.set(key, b);
    return b;
  }

  private readonly tokenCache = new Map<string, Uint32Array>();

  /** Forget the cached token projections (the benchmark's "first sight of every word"). */
  clearTokenCache(): void {
    this.tokenCache.clear();
  }

  /** The signature a sentence of n tokens runs on: the shortest `parse…` that holds it. */
  signatureFor(n: number): { key: string; length: number } {
    return this.lengths.find((l) => l.length >= n) ?? this.lengths[this.lengths.length - 1]!;
  }

  /** The projection this model was trained with (T, K, F…). */
  get projectionConfig(): ProjectionConfig {
    return { ...this.projection };
  }

  async release(): Promise<void> {
    await this.model.release();
  }

  /** Parse one sentence. Below the confidence threshold the intent is `unknown`. */
  async understand(text: string): Promise<Understanding> {
    const tokens = tokenize(text, this.projection.maxTokens);
    if (tokens.length === 0) return { intent: UNKNOWN_INTENT, confidence: 0, slots: [], entropy: Math.log(this.intents.length) };
    // The shortest signature that holds the sentence: same answer, less work.
    const { key, length } = this.signatureFor(tokens.length);
    const out = await this.model.run(modelInputs(tokens, length, this.projection, (tok) => this.bucketsOf(tok)), key);
    const logits = out.intent_logits as Float32Array;
    const probs = softmax(logits);
    let best = 0;
    for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
    const entropy = -probs.reduce((a, p) => a + (p > 0 ? p * Math.log(p) : 0), 0);
    // Slots: the best valid BIO sequence over the real tokens (no I- that continues nothing).
    const tags = this.decodeSlots(out.slot_logits as Float32Array, tokens.length);
    const chars = [...text];
    const slots = spansFromBio(tags, tokens).map((s) => {
      const raw = chars.slice(s.start, s.end).join('');
      return { name: s.name, value: raw, raw, start: s.start, end: s.end };
    });
    const confidence = probs[best]!;
    return { intent: confidence >= this.threshold ? this.intents[best]! : UNKNOWN_INTENT, confidence, slots, entropy, embedding: Array.from(out.embedding as Float32Array) };
  }
}

/**
 * `parse` (max_tokens positions) and any `parse_<L>` beside it, checked against the projection:
 * buckets (1, L, K) int32 and mask (1, L).
 */
function parseSignatures(model: Model, p: ProjectionConfig): { key: string; length: number }[] {
  const out: { key: string; length: number }[] = [];
  for (const sig of model.signatures) {
    if (sig.key !== 'parse' && !/^parse_\d+$/.test(sig.key)) continue;
    const buckets = sig.inputs.find((i) => i.name === 'buckets');
    const length = buckets?.shape[1];
    if (buckets === undefined || buckets.shape.length !== 3 || buckets.shape[2] !== p.numHashes || length === undefined || length > p.maxTokens) {
      throw new NluModelError(`signature "${sig.key}" has buckets [${buckets?.shape.join(', ') ?? ''}]; the projection needs [1, L ≤ ${p.maxTokens}, ${p.numHashes}]`);
    }
    out.push({ key: sig.key, length });
  }
  if (!out.some((l) => l.key === 'parse' && l.length === p.maxTokens)) throw new NluModelError(`no "parse" signature over ${p.maxTokens} tokens`);
  return out.sort((a, b) => a.length - b.length);
}

function softmax(x: Float32Array): number[] {
  const m = Math.max(...x);
  const e = Array.from(x, (v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}
