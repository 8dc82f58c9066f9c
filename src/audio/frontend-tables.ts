// The micro frontend's configuration and the integer tables derived from it (window, filterbank,
// noise reduction, PCAN gain LUT), computed once with float32 arithmetic exactly as TFLite-Micro's
// *_util.c files do. Per-frame processing lives in frontend.ts and uses only integers.
import { cosf, log1pf, powf } from './float32-math.js';

const f = Math.fround;

export interface FrontendConfig {
  sampleRateHz: number;
  windowMs: number;
  stepMs: number;
  numChannels: number;
  lowerBandHz: number;
  upperBandHz: number;
  /** Noise reduction: estimate kept with this many extra bits. */
  smoothingBits: number;
  evenSmoothing: number;
  oddSmoothing: number;
  minSignalRemaining: number;
  pcanEnabled: boolean;
  pcanStrength: number;
  pcanOffset: number;
  pcanGainBits: number;
  logEnabled: boolean;
  logScaleShift: number;
}

/** microWakeWord's settings (pymicro-features src/micro_features.cpp), the ones the models were trained on. */
export const DEFAULT_FRONTEND_CONFIG: Readonly<FrontendConfig> = Object.freeze({
  sampleRateHz: 16000,
  windowMs: 30,
  stepMs: 10,
  numChannels: 40,
  lowerBandHz: 125,
  upperBandHz: 7500,
  smoothingBits: 10,
  evenSmoothing: 0.025,
  oddSmoothing: 0.06,
  minSignalRemaining: 0.05,
  pcanEnabled: true,
  pcanStrength: 0.95,
  pcanOffset: 80,
  pcanGainBits: 21,
  logEnabled: true,
  logScaleShift: 6,
});

export const WINDOW_BITS = 12; // kFrontendWindowBits
export const FILTERBANK_BITS = 12; // kFilterbankBits
export const NOISE_REDUCTION_BITS = 14; // kNoiseReductionBits
export const PCAN_SNR_BITS = 12; // kPcanSnrBits
export const PCAN_OUTPUT_BITS = 6; // kPcanOutputBits
const WIDE_DYNAMIC_FUNCTION_BITS = 32;
const FILTERBANK_INDEX_ALIGNMENT = 2; // 4 bytes of int16
const FILTERBANK_CHANNEL_BLOCK_SIZE = 4;

export interface FilterbankTables {
  startIndex: number;
  endIndex: number;
  /** (numChannels + 1) each: FFT bin where a channel's weights start, index into weights, padded width. */
  channelFrequencyStarts: Int16Array;
  channelWeightStarts: Int16Array;
  channelWidths: Int16Array;
  /** Q12 triangle weights and 1 − weight, zero-padded to blocks of 4. */
  weights: Int16Array;
  unweights: Int16Array;
}

export interface FrontendTables {
  windowSize: number; // samples
  windowStep: number; // samples
  fftSize: number;
  /** Q12 Hann window, windowSize values. */
  window: Int16Array;
  filterbank: FilterbankTables;
  /** Q14 smoothing coefficients and floor. */
  evenSmoothing: number;
  oddSmoothing: number;
  minSignalRemaining: number;
  /** 4·32 − 3 values: gain(0), gain(1), then per octave y0, a1, a2 and one unused slot. */
  pcanGainLut: Int16Array;
  pcanSnrShift: number;
  /** log2(fftSize) − 1 − FILTERBANK_BITS/2: rescales the filterbank output before the log. */
  correctionBits: number;
}

/** Checks a configuration: every field a finite number in range, one problem per line. */
export function checkFrontendConfig(cfg: FrontendConfig): void {
  const problems: string[] = [];
  const int = (k: keyof FrontendConfig, min: number, max: number): void => {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) problems.push(`frontend: ${k} must be an integer in [${min}, ${max}] (got ${String(v)})`);
  };
  const num = (k: keyof FrontendConfig, min: number, max: number): void => {
    const v = cfg[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) problems.push(`frontend: ${k} must be a number in [${min}, ${max}] (got ${String(v)})`);
  };
  int('sampleRateHz', 4000, 48000);
  int('windowMs', 1, 100);
  int('stepMs', 1, 100);
  int('numChannels', 1, 128);
  num('lowerBandHz', 0, 24000);
  num('upperBandHz', 0, 24000);
  int('smoothingBits', 0, 16);
  num('evenSmoothing', 0, 1);
  num('oddSmoothing', 0, 1);
  num('minSignalRemaining', 0, 1);
  num('pcanStrength', 0, 10);
  num('pcanOffset', 0, 1e6);
  int('pcanGainBits', 0, 30);
  int('logScaleShift', 0, 15);
  if (cfg.upperBandHz <= cfg.lowerBandHz) problems.push(`frontend: upperBandHz must be above lowerBandHz (got ${cfg.lowerBandHz}–${cfg.upperBandHz})`);
  if (cfg.upperBandHz > cfg.sampleRateHz / 2) problems.push(`frontend: upperBandHz must be at most half of sampleRateHz (got ${cfg.upperBandHz})`);
  if (cfg.stepMs > cfg.windowMs) problems.push(`frontend: stepMs must not exceed windowMs (got ${cfg.stepMs} > ${cfg.windowMs})`);
  if (problems.length > 0) throw new RangeError(problems.join('\n'));
}

/** Computes every table of the frontend for a configuration (FrontendPopulateState). */
export function computeFrontendTables(cfg: FrontendConfig): FrontendTables {
  checkFrontendConfig(cfg);
  const windowSize = Math.trunc((cfg.windowMs * cfg.sampleRateHz) / 1000);
  const windowStep = Math.trunc((cfg.stepMs * cfg.sampleRateHz) / 1000);
  let fftSize = 1;
  while (fftSize < windowSize) fftSize <<= 1;
  const filterbank = filterbankTables(cfg, fftSize / 2 + 1);
  const correctionBits = 31 - Math.clz32(fftSize) - FILTERBANK_BITS / 2; // MostSignificantBit32(n) - 1 - 6
  const { lut, snrShift } = pcanTables(cfg, correctionBits);
  return {
    windowSize,
    windowStep,
    fftSize,
    window: hannWindow(windowSize),
    filterbank,
    // float × int → float, then truncated to uint16 (noise_reduction_util.c)
    evenSmoothing: Math.trunc(f(f(cfg.evenSmoothing) * (1 << NOISE_REDUCTION_BITS))),
    oddSmoothing: Math.trunc(f(f(cfg.oddSmoothing) * (1 << NOISE_REDUCTION_BITS))),
    minSignalRemaining: Math.trunc(f(f(cfg.minSignalRemaining) * (1 << NOISE_REDUCTION_BITS))),
    pcanGainLut: lut,
    pcanSnrShift: snrShift,
    correctionBits,
  };
}

function hannWindow(size: number): Int16Array {
  const out = new Int16Array(size);
  const arg = f(f(f(Math.PI) * 2) / f(size));
  for (let i = 0; i < size; i++) {
    const value = f(0.5 - f(0.5 * cosf(f(arg * f(i + 0.5)))));
    out[i] = Math.floor(f(f(value * (1 << WINDOW_BITS)) + 0.5));
  }
  return out;
}

function freqToMel(freqHz: number): number {
  return f(1127 * log1pf(f(freqHz / 700)));
}

function filterbankTables(cfg: FrontendConfig, spectrumSize: number): FilterbankTables {
  const n1 = cfg.numChannels + 1;
  const melLow = freqToMel(f(cfg.lowerBandHz));
  const melSpacing = f(f(freqToMel(f(cfg.upperBandHz)) - melLow) / f(n1));
  const centerMel = new Float64Array(n1).map((_, i) => f(melLow + f(melSpacing * (i + 1))));
  const hzPerBin = f(f(0.5 * cfg.sampleRateHz) / f(spectrumSize - 1));
  const startIndex = Math.trunc(f(1.5 + f(f(cfg.lowerBandHz) / hzPerBin)));

  const channelFrequencyStarts = new Int16Array(n1);
  const channelWeightStarts = new Int16Array(n1);
  const channelWidths = new Int16Array(n1);
  const actualStarts: number[] = [];
  const actualWidths: number[] = [];
  let chanStart = startIndex;
  let weightIndex = 0;
  let needsZeros = false;
  for (let chan = 0; chan < n1; chan++) {
    let freqIndex = chanStart;
    while (freqToMel(f(freqIndex * hzPerBin)) <= centerMel[chan]!) freqIndex++;
    const width = freqIndex - chanStart;
    actualStarts.push(chanStart);
    actualWidths.push(width);
    if (width === 0) {
      // An empty channel reads 4 zero weights, shared at the front of the table.
      channelFrequencyStarts[chan] = 0;
      channelWeightStarts[chan] = 0;
      channelWidths[chan] = FILTERBANK_CHANNEL_BLOCK_SIZE;
      if (!needsZeros) {
        needsZeros = true;
        for (let j = 0; j < chan; j++) channelWeightStarts[j]! += FILTERBANK_CHANNEL_BLOCK_SIZE;
        weightIndex += FILTERBANK_CHANNEL_BLOCK_SIZE;
      }
    } else {
      const alignedStart = Math.trunc(chanStart / FILTERBANK_INDEX_ALIGNMENT) * FILTERBANK_INDEX_ALIGNMENT;
      const alignedWidth = chanStart - alignedStart + width;
      const paddedWidth = (Math.trunc((alignedWidth - 1) / FILTERBANK_CHANNEL_BLOCK_SIZE) + 1) * FILTERBANK_CHANNEL_BLOCK_SIZE;
      channelFrequencyStarts[chan] = alignedStart;
      channelWeightStarts[chan] = weightIndex;
      channelWidths[chan] = paddedWidth;
      weightIndex += paddedWidth;
    }
    chanStart = freqIndex;
  }

  const weights = new Int16Array(weightIndex);
  const unweights = new Int16Array(weightIndex);
  let endIndex = 0;
  for (let chan = 0; chan < n1; chan++) {
    let frequency = actualStarts[chan]!;
    const offset = frequency - channelFrequencyStarts[chan]!;
    const center = centerMel[chan]!;
    const denom = chan === 0 ? melLow : centerMel[chan - 1]!;
    for (let j = 0; j < actualWidths[chan]!; j++, frequency++) {
      const weight = f(f(center - freqToMel(f(frequency * hzPerBin))) / f(center - denom));
      const index = channelWeightStarts[chan]! + offset + j;
      weights[index] = Math.floor(f(f(weight * (1 << FILTERBANK_BITS)) + 0.5));
      unweights[index] = Math.floor(f(f(f(1 - weight) * (1 << FILTERBANK_BITS)) + 0.5));
    }
    if (frequency > endIndex) endIndex = frequency;
  }
  if (endIndex >= spectrumSize) throw new RangeError(`frontend: filterbank end index ${endIndex} is above the spectrum size ${spectrumSize}`);
  return { startIndex, endIndex, channelFrequencyStarts, channelWeightStarts, channelWidths, weights, unweights };
}

function pcanGain(cfg: FrontendConfig, inputBits: number, x: number): number {
  const xAsFloat = f(f(x) / f(2 ** inputBits));
  const gain = f(f(2 ** cfg.pcanGainBits) * powf(f(xAsFloat + f(cfg.pcanOffset)), -f(cfg.pcanStrength)));
  if (gain > 0x7fff) return 0x7fff;
  return Math.trunc(f(gain + 0.5)) << 16 >> 16;
}

/** The gain LUT of PCAN: a quadratic per octave of the noise estimate (pcan_gain_control_util.c). */
function pcanTables(cfg: FrontendConfig, correctionBits: number): { lut: Int16Array; snrShift: number } {
  const lut = new Int16Array(4 * WIDE_DYNAMIC_FUNCTION_BITS - 3);
  const inputBits = cfg.smoothingBits - correctionBits;
  lut[0] = pcanGain(cfg, inputBits, 0);
  lut[1] = pcanGain(cfg, inputBits, 1);
  for (let interval = 2; interval <= WIDE_DYNAMIC_FUNCTION_BITS; interval++) {
    const x0 = 2 ** (interval - 1);
    const x1 = x0 + Math.floor(x0 / 2);
    const x2 = interval === WIDE_DYNAMIC_FUNCTION_BITS ? x0 + (x0 - 1) : 2 * x0;
    const y0 = pcanGain(cfg, inputBits, x0);
    const y1 = pcanGain(cfg, inputBits, x1);
    const y2 = pcanGain(cfg, inputBits, x2);
    const diff1 = y1 - y0;
    const diff2 = y2 - y0;
    const a1 = 4 * diff1 - diff2;
    lut[4 * interval - 6] = y0;
    lut[4 * interval - 5] = a1;
    lut[4 * interval - 4] = diff2 - a1;
  }
  return { lut, snrShift: cfg.pcanGainBits - correctionBits - PCAN_SNR_BITS };
}
