// The TFLite-Micro audio "micro frontend" in integer arithmetic: 16-bit PCM in, one 40-channel
// uint16 frame per 10 ms out, bit-identical to the C library (window → fixed-point FFT → mel
// filterbank → noise reduction → PCAN → log). Streaming and allocation-free per frame; no I/O here.
import { RealFft16 } from './kiss-fft16.js';
import {
  computeFrontendTables,
  DEFAULT_FRONTEND_CONFIG,
  NOISE_REDUCTION_BITS,
  PCAN_OUTPUT_BITS,
  PCAN_SNR_BITS,
  WINDOW_BITS,
  type FrontendConfig,
  type FrontendTables,
} from './frontend-tables.js';

/** A raw frontend value times this is the float feature microWakeWord models were trained on. */
export const FEATURE_SCALE = 0.0390625;

/** (channels,) float32 features = raw × FEATURE_SCALE. */
export function toFloatFeatures(frame: Uint16Array): Float32Array {
  const out = new Float32Array(frame.length);
  for (let i = 0; i < frame.length; i++) out[i] = frame[i]! * FEATURE_SCALE;
  return out;
}

function msb32(x: number): number {
  return 32 - Math.clz32(x);
}

// kLogLut: log2(1 + x) − x over 128 segments, Q16 (log_lut.c).
// prettier-ignore
const LOG_LUT = Uint16Array.of(
  0, 224, 442, 654, 861, 1063, 1259, 1450, 1636, 1817, 1992, 2163, 2329, 2490, 2646, 2797, 2944, 3087, 3224, 3358, 3487,
  3611, 3732, 3848, 3960, 4068, 4172, 4272, 4368, 4460, 4549, 4633, 4714, 4791, 4864, 4934, 5001, 5063, 5123, 5178, 5231,
  5280, 5326, 5368, 5408, 5444, 5477, 5507, 5533, 5557, 5578, 5595, 5610, 5622, 5631, 5637, 5640, 5641, 5638, 5633, 5626,
  5615, 5602, 5586, 5568, 5547, 5524, 5498, 5470, 5439, 5406, 5370, 5332, 5291, 5249, 5203, 5156, 5106, 5054, 5000, 4944,
  4885, 4825, 4762, 4697, 4630, 4561, 4490, 4416, 4341, 4264, 4184, 4103, 4020, 3935, 3848, 3759, 3668, 3575, 3481, 3384,
  3286, 3186, 3084, 2981, 2875, 2768, 2659, 2549, 2437, 2323, 2207, 2090, 1971, 1851, 1729, 1605, 1480, 1353, 1224, 1094,
  963, 830, 695, 559, 421, 282, 142, 0, 0,
);
const LOG_SCALE_LOG2 = 16;
const LOG_SEGMENTS_LOG2 = 7;
const LOG_COEFF = 45426; // ln(2) in Q16

/**
 * Rounded integer square root, as the C library's Sqrt32/Sqrt64: floor(√x) plus one when the
 * remainder exceeds the root, capped at 0xFFFF for 32-bit inputs. x < 2^53.
 */
export function roundedSqrt(x: number): number {
  if (x === 0) return 0;
  let r = Math.floor(Math.sqrt(x));
  while (r * r > x) r--;
  while ((r + 1) * (r + 1) <= x) r++;
  if (x - r * r > r && !(x < 2 ** 32 && r === 0xffff)) r++;
  return r;
}

/** Natural log, Q(scaleShift), of x > 1 (log_scale.c Log). */
function logScaled(x: number, scaleShift: number): number {
  const integer = msb32(x) - 1;
  let frac = x - 2 ** integer;
  frac = integer < LOG_SCALE_LOG2 ? frac << (LOG_SCALE_LOG2 - integer) : frac >>> (integer - LOG_SCALE_LOG2);
  const baseSeg = frac >>> (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2);
  const c0 = LOG_LUT[baseSeg]!;
  const c1 = LOG_LUT[baseSeg + 1]!;
  const segBase = (1 << (LOG_SCALE_LOG2 - LOG_SEGMENTS_LOG2)) * baseSeg;
  const relPos = ((c1 - c0) * (frac - segBase)) >> LOG_SCALE_LOG2;
  const log2 = integer * 65536 + frac + c0 + relPos; // < 2^21
  const round = 1 << (LOG_SCALE_LOG2 - 1);
  const loge = Math.floor((LOG_COEFF * log2 + round) / 65536);
  return ((loge << scaleShift) + round) >>> LOG_SCALE_LOG2;
}

/** PCAN gain for a noise estimate: piecewise quadratic per octave (WideDynamicFunction). */
function wideDynamicFunction(x: number, lut: Int16Array): number {
  if (x <= 2) return lut[x]!;
  const interval = msb32(x);
  const base = 4 * interval - 6;
  const frac = (interval < 11 ? x << (11 - interval) : x >>> (interval - 11)) & 0x3ff;
  let result = (lut[base + 2]! * frac) >> 5;
  result += lut[base + 1]! << 5;
  result = Math.imul(result, frac);
  result = (result + (1 << 14)) >> 15;
  result += lut[base]!;
  return (result << 16) >> 16;
}

/** Compresses the gain-normalised SNR (PcanShrink). */
function pcanShrink(x: number): number {
  if (x < 2 << PCAN_SNR_BITS) return (x * x) >>> (2 + 2 * PCAN_SNR_BITS - PCAN_OUTPUT_BITS);
  return (x >>> (PCAN_SNR_BITS - PCAN_OUTPUT_BITS)) - (1 << PCAN_OUTPUT_BITS);
}

export class MicroFrontend {
  readonly config: Readonly<FrontendConfig>;
  readonly tables: FrontendTables;
  private readonly fft: RealFft16;
  // window state
  private readonly input: Int16Array; // the last windowSize samples
  private inputUsed = 0;
  private readonly windowed: Int16Array; // fftSize, zero-padded
  private readonly spectrumRe: Int16Array;
  private readonly spectrumIm: Int16Array;
  private readonly energy: Float64Array; // |X[k]|², uint32 values
  private readonly work: Float64Array; // (channels + 1) filterbank sums, uint64 values < 2^53
  private readonly signal: Float64Array; // (channels,) uint32 values through NR, PCAN and log
  private readonly noiseEstimate: Float64Array; // (channels,) uint32 values, persists across frames

  constructor(config: Partial<FrontendConfig> = {}) {
    this.config = Object.freeze({ ...DEFAULT_FRONTEND_CONFIG, ...config });
    this.tables = computeFrontendTables(this.config);
    const { windowSize, fftSize } = this.tables;
    const channels = this.config.numChannels;
    this.fft = new RealFft16(fftSize);
    this.input = new Int16Array(windowSize);
    this.windowed = new Int16Array(fftSize);
    this.spectrumRe = new Int16Array(fftSize / 2 + 1);
    this.spectrumIm = new Int16Array(fftSize / 2 + 1);
    this.energy = new Float64Array(fftSize / 2 + 1);
    this.work = new Float64Array(channels + 1);
    this.signal = new Float64Array(channels);
    this.noiseEstimate = new Float64Array(channels);
  }

  /** Forgets buffered samples and the noise estimate (FrontendReset). */
  reset(): void {
    this.input.fill(0);
    this.inputUsed = 0;
    this.noiseEstimate.fill(0);
  }

  /**
   * Feeds any number of samples; returns one (channels,) uint16 frame per completed step, in order.
   * Samples that do not complete a frame are kept for the next call.
   */
  process(samples: Int16Array): Uint16Array[] {
    const frames: Uint16Array[] = [];
    const { windowSize, windowStep } = this.tables;
    let offset = 0;
    while (offset < samples.length) {
      const n = Math.min(windowSize - this.inputUsed, samples.length - offset);
      this.input.set(samples.subarray(offset, offset + n), this.inputUsed);
      this.inputUsed += n;
      offset += n;
      if (this.inputUsed < windowSize) break;
      const frame = new Uint16Array(this.config.numChannels);
      this.computeFrame(frame);
      frames.push(frame);
      this.input.copyWithin(0, windowStep, windowSize);
      this.inputUsed -= windowStep;
    }
    return frames;
  }

  /** One frame from the full window buffer into `out` (FrontendProcessSamples after windowing). */
  private computeFrame(out: Uint16Array): void {
    const inputShift = 15 - msb32(this.applyWindow());
    const w = this.windowed;
    for (let i = 0; i < this.tables.windowSize; i++) w[i] = (w[i]! & 0xffff) << inputShift; // int16 store wraps
    this.fft.compute(w, this.spectrumRe, this.spectrumIm);
    this.accumulateChannels();
    const ch = this.config.numChannels;
    for (let i = 0; i < ch; i++) this.signal[i] = roundedSqrt(this.work[i + 1]!) >>> inputShift; // root < 2^32
    this.reduceNoise();
    if (this.config.pcanEnabled) this.applyPcan();
    this.logScale(out);
  }

  /** Window into the FFT input; returns the largest |value| (WindowProcessSamples). */
  private applyWindow(): number {
    const coef = this.tables.window;
    const input = this.input;
    const w = this.windowed;
    let maxAbs = 0;
    for (let i = 0; i < input.length; i++) {
      const v = (input[i]! * coef[i]!) >> WINDOW_BITS;
      w[i] = v;
      const a = v < 0 ? ((-v << 16) >> 16) : v; // int16 negation: −32768 stays negative
      if (a > maxAbs) maxAbs = a;
    }
    return maxAbs;
  }

  /** Power spectrum, then triangular mel sums (FilterbankConvertFftComplexToEnergy + AccumulateChannels). */
  private accumulateChannels(): void {
    const fb = this.tables.filterbank;
    const energy = this.energy;
    for (let i = fb.startIndex; i < fb.endIndex; i++) {
      const re = this.spectrumRe[i]!;
      const im = this.spectrumIm[i]!;
      // uint32 in C; only re = im = −32768 (not reachable after the FFT's scaling) would differ.
      energy[i] = (re * re + im * im) >>> 0;
    }
    let weightAcc = 0;
    let unweightAcc = 0;
    for (let c = 0; c <= this.config.numChannels; c++) {
      const freqStart = fb.channelFrequencyStarts[c]!;
      const weightStart = fb.channelWeightStarts[c]!;
      const width = fb.channelWidths[c]!;
      for (let j = 0; j < width; j++) {
        // Padding weights are zero, so bins outside [startIndex, endIndex) never count.
        const e = freqStart + j >= fb.startIndex && freqStart + j < fb.endIndex ? energy[freqStart + j]! : 0;
        weightAcc += fb.weights[weightStart + j]! * e;
        unweightAcc += fb.unweights[weightStart + j]! * e;
      }
      this.work[c] = weightAcc;
      weightAcc = unweightAcc;
      unweightAcc = 0;
    }
  }

  /** Spectral subtraction of a slow per-channel noise estimate (NoiseReductionApply). */
  private reduceNoise(): void {
    const t = this.tables;
    const bits = this.config.smoothingBits;
    const one = 1 << NOISE_REDUCTION_BITS;
    for (let i = 0; i < this.config.numChannels; i++) {
      const s = this.signal[i]!;
      const smoothing = (i & 1) === 0 ? t.evenSmoothing : t.oddSmoothing;
      const scaledUp = (s << bits) >>> 0; // uint32 shift: ToInt32 wraps mod 2^32 like C
      let estimate = Math.floor((scaledUp * smoothing + this.noiseEstimate[i]! * (one - smoothing)) / one);
      this.noiseEstimate[i] = estimate;
      if (estimate > scaledUp) estimate = scaledUp;
      const floor = Math.floor((s * t.minSignalRemaining) / one);
      const subtracted = Math.floor((scaledUp - estimate) / 2 ** bits);
      this.signal[i] = subtracted > floor ? subtracted : floor;
    }
  }

  /** Per-channel automatic gain from the noise estimate (PcanGainControlApply). */
  private applyPcan(): void {
    const { pcanGainLut, pcanSnrShift } = this.tables;
    const snrDivisor = 2 ** pcanSnrShift;
    for (let i = 0; i < this.config.numChannels; i++) {
      const gain = wideDynamicFunction(this.noiseEstimate[i]!, pcanGainLut) >>> 0; // int16 → uint32
      const product = this.signal[i]! * gain;
      // uint64 product in C; exact in a double below 2^53 (always, unless the gain LUT went negative)
      const snr = product < 2 ** 53 ? Math.floor(product / snrDivisor) >>> 0 : Number(((BigInt(this.signal[i]!) * BigInt(gain)) >> BigInt(pcanSnrShift)) & 0xffffffffn);
      this.signal[i] = pcanShrink(snr);
    }
  }

  /** Natural log in Q(scaleShift), saturated to uint16 (LogScaleApply). */
  private logScale(out: Uint16Array): void {
    const shift = this.tables.correctionBits;
    for (let i = 0; i < this.config.numChannels; i++) {
      let value = this.signal[i]!;
      if (this.config.logEnabled) {
        value = shift < 0 ? value >>> -shift : (value << shift) >>> 0; // uint32 shifts
        value = value > 1 ? logScaled(value, this.config.logScaleShift) : 0;
      }
      out[i] = value < 0xffff ? value : 0xffff;
    }
  }
}

/** Features of a whole recording, fed in `chunkSamples` pieces as a live stream would be. */
export function computeFeatures(pcm: Int16Array, chunkSamples = 160): Uint16Array[] {
  if (!Number.isInteger(chunkSamples) || chunkSamples < 1) throw new RangeError(`computeFeatures: chunkSamples must be a positive integer (got ${chunkSamples})`);
  const frontend = new MicroFrontend();
  const frames: Uint16Array[] = [];
  for (let i = 0; i < pcm.length; i += chunkSamples) frames.push(...frontend.process(pcm.subarray(i, i + chunkSamples)));
  return frames;
}
