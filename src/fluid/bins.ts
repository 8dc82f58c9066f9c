// Knowledge bins: answers borrowed from the cloud that settle beside the local models, are used,
// and fade. Relevance halves with every half-life of disuse and again with age; a recalled bin is
// fresh again; a bin below the drop threshold, or older than the maximum age, is gone.
import { randomUUID } from 'node:crypto';
import type { FluidConfig } from '../config/index.js';
import type { KnowledgeBin, MemoryStore } from '../memory/index.js';
import { cosine } from '../tools/index.js';
import { keywords, questionSimilarity, type Keywords } from './similarity.js';

type BinOptions = FluidConfig['bins'];

/** Relevance of a bin now: 1 when just used, halving per half-life unused, and with age (a slower clock). */
export function relevance(bin: KnowledgeBin, now: number, o: BinOptions): number {
  const age = now - Date.parse(bin.createdAt);
  if (age >= o.maxAgeMs) return 0;
  const idle = Math.max(0, now - Date.parse(bin.lastUsedAt));
  return 0.5 ** (idle / o.halfLifeMs) * 0.5 ** (age / o.maxAgeMs);
}

export interface BinMatch {
  bin: KnowledgeBin;
  score: number;
}

export class KnowledgeBins {
  /** Keywords of each bin's question, computed once (bins never change their question). */
  private readonly keys = new Map<string, Keywords>();

  constructor(private readonly store: MemoryStore, private readonly opts: BinOptions, private readonly now: () => number = Date.now) {}

  /** Drop what has faded; record the others' relevance. */
  async sweep(): Promise<number> {
    const t = this.now();
    const rel = new Map<string, number>();
    const dead = new Set<string>();
    for (const b of this.store.data.bins) {
      const r = relevance(b, t, this.opts);
      if (r < this.opts.dropBelow) dead.add(b.id);
      else rel.set(b.id, Math.round(r * 1000) / 1000);
    }
    await this.store.sweepBins(rel, dead);
    // Bins also leave by /clearmemory and the size cap: forget the keywords of any bin gone.
    if (this.keys.size > this.store.data.bins.length) {
      const live = new Set(this.store.data.bins.map((b) => b.id));
      for (const id of this.keys.keys()) if (!live.has(id)) this.keys.delete(id);
    }
    return dead.size;
  }

  private keysOf(bin: KnowledgeBin): Keywords {
    let k = this.keys.get(bin.id);
    if (!k) this.keys.set(bin.id, (k = keywords(bin.question)));
    return k;
  }

  /**
   * The live bin that best answers this question in this language, if one is close enough. The
   * bin's refresh is written with the caller's next commit (the link records every answer).
   * `touch: false` looks without counting a use (the generator's prompt, which may not serve it).
   */
  async find(question: string, lang: string, embedding: number[] | null, opts: { touch?: boolean } = {}): Promise<BinMatch | null> {
    await this.sweep();
    const q = keywords(question);
    let best: BinMatch | null = null;
    for (const bin of this.store.data.bins) {
      if (bin.lang !== lang) continue;
      let score = questionSimilarity(q, this.keysOf(bin));
      if (embedding && bin.embedding && bin.embedding.length === embedding.length) score = 0.85 * score + 0.15 * cosine(embedding, bin.embedding);
      if (score >= this.opts.matchThreshold && (!best || score > best.score)) best = { bin, score };
    }
    if (best && opts.touch !== false) await this.store.touchBin(best.bin.id, new Date(this.now()), { commit: false });
    return best;
  }

  async learn(question: string, answer: string, lang: string, source: string, embedding: number[] | null): Promise<KnowledgeBin> {
    const ts = new Date(this.now()).toISOString();
    const k = keywords(question);
    const bin: KnowledgeBin = { id: randomUUID(), topic: k.words.join(' ').slice(0, 120), question, answer, lang, embedding: compact(embedding), source, createdAt: ts, lastUsedAt: ts, uses: 0, decay: 1 };
    // A newer answer to the same question replaces the old one.
    const same = this.store.data.bins.filter((b) => b.lang === lang && questionSimilarity(this.keysOf(b), k) >= 0.999);
    if (same.length) await this.store.sweepBins(new Map(), new Set(same.map((b) => b.id)));
    await this.store.addBin(bin, this.opts.max);
    return bin;
  }
}

/** Unit length, three decimals: enough for a cosine, and a bin stays about 1 KB in store.json. */
function compact(v: number[] | null): number[] | null {
  if (!v?.length) return null;
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => Math.round((x / norm) * 1000) / 1000);
}
