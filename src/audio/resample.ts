// Sample-rate conversion for 16-bit mono audio (e.g. espeak-ng's 22050 Hz to the frontend's 16 kHz):
// a windowed-sinc (Blackman) low-pass at 0.45 × the lower rate, evaluated at each output instant with a
// polyphase table when the rational ratio has few phases. Quality fits speech features, not hi-fi.

const HALF_TAPS = 32;

function gcd(a: number, b: number): number { while (b !== 0) [a, b] = [b, a % b]; return a; }

/** Resamples mono s16 PCM from `fromRate` to `toRate` (positive integers): the whole input through one Resampler. */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  const r = new Resampler(fromRate, toRate);
  if (fromRate === toRate) return samples.slice();
  const head = r.push(samples);
  const tail = r.flush();
  const out = new Int16Array(head.length + tail.length);
  out.set(head, 0);
  out.set(tail, head.length);
  return out;
}

/**
 * resample() for a stream: push() chunks as they arrive, flush() at the end. The concatenated output
 * equals resample() of the concatenated input, whatever the chunking (same kernel, same instants):
 * an output sample is emitted once every input sample under its kernel has arrived, and input that
 * no later output needs is dropped, so memory stays at about one kernel width.
 */
export class Resampler {
  private readonly up: number;
  private readonly down: number;
  private readonly width: number;
  private readonly taps: number;
  private readonly table: Float64Array | null;
  private readonly kernel: (x: number) => number;
  /** Input samples kept, starting at absolute input index `base`. */
  private buf = new Int16Array(0);
  private base = 0;
  /** Total input so far (absolute index of the next input sample). */
  private total = 0;
  /** Absolute index of the next output sample. */
  private next = 0;

  constructor(readonly fromRate: number, readonly toRate: number) {
    if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
      throw new RangeError(`resample: rates must be positive integers (got ${fromRate} → ${toRate})`);
    }
    const g = gcd(fromRate, toRate);
    this.up = toRate / g;
    this.down = fromRate / g;
    const cutoff = (0.9 * Math.min(fromRate, toRate)) / 2 / fromRate;
    const width = Math.ceil(HALF_TAPS * Math.max(1, fromRate / toRate));
    this.width = width;
    this.taps = 2 * width;
    this.kernel = (x: number): number => {
      if (Math.abs(x) >= width) return 0;
      const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
      const s = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
      return s * w;
    };
    this.table = this.up <= 4096 && this.up !== this.down ? new Float64Array(this.up * this.taps) : null;
    if (this.table !== null) {
      for (let p = 0; p < this.up; p++) {
        const frac = p / this.up;
        let sum = 0;
        for (let j = 0; j < this.taps; j++) { const v = this.kernel(frac - (j - width + 1)); this.table[p * this.taps + j] = v; sum += v; }
        for (let j = 0; j < this.taps; j++) this.table[p * this.taps + j]! /= sum;
      }
    }
  }

  /** Adds input; returns the output samples it completes (possibly none). */
  push(samples: Int16Array): Int16Array {
    if (this.up === this.down) { this.total += samples.length; this.next += samples.length; return samples.slice(); }
    const merged = new Int16Array(this.buf.length + samples.length);
    merged.set(this.buf, 0);
    merged.set(samples, this.buf.length);
    this.buf = merged;
    this.total += samples.length;
    // Output n needs input up to floor(n·down/up) + width (exclusive bound: + width + 1).
    return this.emit((n) => Math.floor((n * this.down) / this.up) + this.width < this.total);
  }

  /** Ends the stream: the outputs whose kernels reach past the end (as resample(): missing input is silence). */
  flush(): Int16Array {
    if (this.up === this.down) return new Int16Array(0);
    const outLength = Math.floor((this.total * this.up) / this.down);
    return this.emit((n) => n < outLength);
  }

  private emit(ready: (n: number) => boolean): Int16Array {
    const out: number[] = [];
    const { up, down, width, taps } = this;
    const outLength = Math.floor((this.total * up) / down);
    while (this.next < outLength && ready(this.next)) {
      const n = this.next;
      const pos = n * down;
      const baseIn = Math.floor(pos / up);
      const phase = pos - baseIn * up;
      let acc = 0;
      let norm = 0;
      for (let j = 0; j < taps; j++) {
        const k = baseIn + j - width + 1;
        if (k < 0 || k >= this.total) continue;
        const c = this.table !== null ? this.table[phase * taps + j]! : this.kernel(phase / up - (j - width + 1));
        acc += c * this.buf[k - this.base]!;
        norm += c;
      }
      if (this.table === null && norm !== 0) acc /= norm;
      const r = Math.round(acc);
      out.push(r > 32767 ? 32767 : r < -32768 ? -32768 : r);
      this.next++;
    }
    // Keep only the input that the next output's kernel can reach.
    const keepFrom = Math.max(this.base, Math.floor((this.next * down) / up) - width + 1);
    if (keepFrom > this.base) { this.buf = this.buf.slice(keepFrom - this.base); this.base = keepFrom; }
    return Int16Array.from(out);
  }
}
