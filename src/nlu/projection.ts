// NeuroLite's hashing projection, runtime twin of firmware-models/neurolite/projection.py (v1).
// The spec is in that file's docstring; shared test vectors pin the two bit for bit. Pure
// computation: no I/O, no model.

export const PROJECTION_VERSION = 1;

export interface ProjectionConfig {
  numHashes: number; // K
  featureDim: number; // F
  maxTokens: number; // T
  ngramMin: number;
  ngramMax: number;
}

export const defaultProjection: ProjectionConfig = { numHashes: 64, featureDim: 1024, maxTokens: 64, ngramMin: 2, ngramMax: 4 };

export interface Token {
  /** Normalized form. */
  text: string;
  /** Code-point offsets in the original text (not UTF-16 indices); end is exclusive. */
  start: number;
  end: number;
  isWord: boolean;
}

const WORD = /^[\p{L}\p{N}]$/u;
const SKIP = /^[\p{Z}\p{Cc}\p{Cf}]$/u;
const MN = /^\p{Mn}$/u;

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const encoder = new TextEncoder();

export function fnv1a32(data: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of data) h = Math.imul(h ^ b, 0x01000193);
  return h >>> 0;
}

function normalizeChar(c: string): string {
  let out = '';
  for (const d of c.normalize('NFKD')) {
    for (const x of d.toLowerCase()) if (!MN.test(x)) out += x;
  }
  return out;
}

export function tokenize(text: string, maxTokens = defaultProjection.maxTokens): Token[] {
  const tokens: Token[] = [];
  let word = '';
  let wordStart = 0;
  let wordEnd = 0;
  const flush = () => {
    if (word) tokens.push({ text: word, start: wordStart, end: wordEnd, isWord: true });
    word = '';
  };
  let i = 0;
  for (const c of text) {
    for (const x of normalizeChar(c)) {
      if (WORD.test(x)) {
        if (!word) wordStart = i;
        word += x;
        wordEnd = i + 1;
      } else {
        flush();
        if (!SKIP.test(x)) tokens.push({ text: x, start: i, end: i + 1, isWord: false });
      }
    }
    i += 1;
  }
  flush();
  return tokens.slice(0, maxTokens);
}

export function pieces(token: Token, cfg: ProjectionConfig = defaultProjection): string[] {
  if (!token.isWord) return [`p:${token.text}`];
  const padded = [...`^${token.text}$`];
  const out = [`w:${token.text}`];
  for (let n = cfg.ngramMin; n <= cfg.ngramMax; n++) {
    for (let j = 0; j + n <= padded.length; j++) out.push(padded.slice(j, j + n).join(''));
  }
  return out;
}

const seedCache = new Map<number, Uint32Array>();
function seeds(k: number): Uint32Array {
  let s = seedCache.get(k);
  if (!s) {
    s = new Uint32Array(k);
    for (let j = 0; j < k; j++) s[j] = fmix32(Math.imul(j + 1, 0x9e3779b9) >>> 0);
    seedCache.set(k, s);
  }
  return s;
}

/** (K,) bucket indices of one token. */
export function tokenBuckets(token: Token, cfg: ProjectionConfig = defaultProjection): Uint32Array {
  const s = seeds(cfg.numHashes);
  const mins = new Uint32Array(cfg.numHashes).fill(0xffffffff);
  for (const p of pieces(token, cfg)) {
    const base = fnv1a32(encoder.encode(p));
    for (let k = 0; k < cfg.numHashes; k++) {
      const h = fmix32((base ^ s[k]!) >>> 0);
      if (h < mins[k]!) mins[k] = h;
    }
  }
  for (let k = 0; k < cfg.numHashes; k++) mins[k] = mins[k]! % cfg.featureDim;
  return mins;
}

/**
 * The model's inputs for tokens over `length` positions: buckets (length × K) int32 and mask
 * (length) float32, 1 for real tokens; positions past the sentence stay 0. `bucketsOf` lets a
 * caller serve token buckets from a cache.
 */
export function modelInputs(tokens: readonly Token[], length: number, cfg: ProjectionConfig,
  bucketsOf: (tok: Token) => Uint32Array = (tok) => tokenBuckets(tok, cfg)): { buckets: Int32Array<ArrayBuffer>; mask: Float32Array<ArrayBuffer> } {
  if (tokens.length > length) throw new Error(`${tokens.length} tokens do not fit in ${length} positions`);
  const buckets = new Int32Array(length * cfg.numHashes);
  const mask = new Float32Array(length);
  tokens.forEach((tok, t) => {
    buckets.set(bucketsOf(tok), t * cfg.numHashes);
    mask[t] = 1;
  });
  return { buckets, mask };
}

/** text → tokens and features, (T, F) row-major float32 counts. */
export function project(text: string, cfg: ProjectionConfig = defaultProjection): { tokens: Token[]; features: Float32Array } {
  const tokens = tokenize(text, cfg.maxTokens);
  const features = new Float32Array(tokens.length * cfg.featureDim);
  tokens.forEach((tok, t) => {
    for (const b of tokenBuckets(tok, cfg)) features[t * cfg.featureDim + b]! += 1;
  });
  return { tokens, features };
}
