// Sample-rate conversion for 16-bit mono audio (e.g. espeak-ng's 22050 Hz to the frontend's 16 kHz):
// a windowed-sinc (Blackman) low-pass at 0.45 × the lower rate, evaluated at each output instant with a
// polyphase table when the rational ratio has few phases. Quality fits speech features, not hi-fi.

const HALF_TAPS = 32;

function gcd(a: number, b: number): number { while (b !== 0) [a, b] = [b, a % b]; return a; }

/** Resamples mono s16 PCM from `fromRate` to `toRate` (positive integers). */
export function resample(samples: Int16Array, fromRate: number, toRate: number): Int16Array {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate) || fromRate <= 0 || toRate <= 0) {
    throw new RangeError(`resample: rates must be positive integers (got ${fromRate} → ${toRate})`);
  }
  if (fromRate === toRate) return samples.slice();
  const g = gcd(fromRate, toRate);
  const up = toRate / g; // output step is fromRate/toRate = down/up input samples
  const down = fromRate / g;
  // Cutoff as a fraction of the input rate: below both Nyquists with a transition band.
  const cutoff = (0.9 * Math.min(fromRate, toRate)) / 2 / fromRate;
  const width = Math.ceil(HALF_TAPS * Math.max(1, fromRate / toRate));
  const kernel = (x: number): number => {
    if (Math.abs(x) >= width) return 0;
    const w = 0.42 + 0.5 * Math.cos((Math.PI * x) / width) + 0.08 * Math.cos((2 * Math.PI * x) / width);
    const s = x === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
    return s * w;
  };
  const outLength = Math.floor((samples.length * up) / down);
  const out = new Int16Array(outLength);
  const taps = 2 * width;
  // Phase p: the output instant lies p/up of an input sample after base = floor(n*down/up).
  const table = up <= 4096 ? new Float64Array(up * taps) : null;
  if (table !== null) {
    for (let p = 0; p < up; p++) {
      const frac = p / up;
      let sum = 0;
      for (let j = 0; j < taps; j++) { const v = kernel(frac - (j - width + 1)); table[p * taps + j] = v; sum += v; }
      for (let j = 0; j < taps; j++) table[p * taps + j]! /= sum; // unity gain at DC
    }
  }
  for (let n = 0; n < outLength; n++) {
    const pos = n * down;
    const base = Math.floor(pos / up);
    const phase = pos - base * up;
    let acc = 0;
    let norm = 0;
    for (let j = 0; j < taps; j++) {
      const k = base + j - width + 1;
      if (k < 0 || k >= samples.length) continue;
      const c = table !== null ? table[phase * taps + j]! : kernel(phase / up - (j - width + 1));
      acc += c * samples[k]!;
      norm += c;
    }
    if (table === null && norm !== 0) acc /= norm;
    const r = Math.round(acc);
    out[n] = r > 32767 ? 32767 : r < -32768 ? -32768 : r;
  }
  return out;
}
