// Token sampling as llama2.c's run.c does it, to the bit: its xorshift* generator, float32 softmax,
// greedy arg-max (first maximum), multinomial sampling, and top-p (nucleus) sampling with run.c's
// cutoff (1 - p) / (n - 1) and descending sort. Reproducing these exactly is what lets a seeded run
// print the same story as run.c.

const f = Math.fround;
const MASK64 = (1n << 64n) - 1n;

/** run.c's random_u32/random_f32 over a 64-bit state (xorshift, then × 0x2545F4914F6CDD1D, high 32 bits). */
export class XorShiftRng {
  private state: bigint;

  constructor(seed: bigint | number) {
    this.state = BigInt.asUintN(64, BigInt(seed));
    if (this.state === 0n) throw new RangeError('sampler: the seed must not be 0 (xorshift would stay at 0)');
  }

  nextU32(): number {
    let s = this.state;
    s ^= s >> 12n;
    s = (s ^ (s << 25n)) & MASK64;
    s ^= s >> 27n;
    this.state = s;
    return Number(((s * 0x2545f4914f6cdd1dn) & MASK64) >> 32n);
  }

  /** A float32 in [0, 1): the top 24 bits of nextU32 over 2^24. */
  nextF32(): number {
    return f((this.nextU32() >>> 8) / 16777216);
  }
}

export interface SamplerOptions {
  /** 0: greedy. */
  temperature: number;
  /** Nucleus mass in (0, 1); 0 or ≥ 1: plain multinomial sampling. */
  topP: number;
  seed: bigint | number;
}

export class Sampler {
  private readonly rng: XorShiftRng;

  constructor(readonly options: SamplerOptions) {
    if (!(options.temperature >= 0) || !Number.isFinite(options.temperature)) throw new RangeError(`sampler: temperature must be ≥ 0 (got ${options.temperature})`);
    if (!(options.topP >= 0) || !Number.isFinite(options.topP)) throw new RangeError(`sampler: top-p must be ≥ 0 (got ${options.topP})`);
    this.rng = new XorShiftRng(options.seed);
  }

  /** The next token from one position's logits (the array is not modified). */
  sample(logits: Float32Array): number {
    const { temperature, topP } = this.options;
    if (temperature === 0) return argmax(logits);
    const t = f(temperature);
    const probs = softmaxF32(logits.map((x) => f(x / t)));
    const coin = this.rng.nextF32();
    return topP <= 0 || topP >= 1 ? sampleMult(probs, coin) : sampleTopP(probs, f(topP), coin);
  }
}

/** Index of the first maximum. */
export function argmax(x: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}

/** run.c's softmax in float32: subtract the max, expf, sum in order, divide. */
export function softmaxF32(x: Float32Array): Float32Array {
  let max = x[0]!;
  for (let i = 1; i < x.length; i++) if (x[i]! > max) max = x[i]!;
  const out = new Float32Array(x.length);
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = Math.exp(f(x[i]! - max));
    sum = f(sum + out[i]!);
  }
  for (let i = 0; i < x.length; i++) out[i] = f(out[i]! / sum);
  return out;
}

export function sampleMult(probs: Float32Array, coin: number): number {
  let cdf = 0;
  for (let i = 0; i < probs.length; i++) {
    cdf = f(cdf + probs[i]!);
    if (coin < cdf) return i;
  }
  return probs.length - 1; // rounding
}

export function sampleTopP(probs: Float32Array, topP: number, coin: number): number {
  const n = probs.length;
  const cutoff = f(f(1 - topP) / (n - 1));
  const kept: { index: number; prob: number }[] = [];
  for (let i = 0; i < n; i++) if (probs[i]! >= cutoff) kept.push({ index: i, prob: probs[i]! });
  kept.sort((a, b) => b.prob - a.prob); // stable, as glibc's merge-sort qsort is
  let cumulative = 0;
  let last = kept.length - 1;
  for (let i = 0; i < kept.length; i++) {
    cumulative = f(cumulative + kept[i]!.prob);
    if (cumulative > topP) { last = i; break; }
  }
  const r = f(coin * cumulative);
  let cdf = 0;
  for (let i = 0; i <= last; i++) {
    cdf = f(cdf + kept[i]!.prob);
    if (r < cdf) return kept[i]!.index;
  }
  return kept[last]!.index;
}
