// Reading PCM WAV files into 16 kHz mono s16 (what the recognizers take). Only canonical PCM s16;
// anything else is refused with a WavError rather than guessed at.

export class WavError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WavError';
  }
}

export interface Pcm {
  sampleRateHz: number;
  /** Mono s16 samples. */
  samples: Int16Array;
}

/** Parse a RIFF/WAVE PCM s16 file (any chunk order); several channels are averaged to mono. */
export function parseWav(buf: Buffer): Pcm {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new WavError('not a RIFF/WAVE file');
  let fmt: { format: number; channels: number; rate: number; bits: number } | null = null;
  for (let off = 12; off + 8 <= buf.length; ) {
    const id = buf.toString('ascii', off, off + 4);
    const size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ' && size >= 16) fmt = { format: buf.readUInt16LE(body), channels: buf.readUInt16LE(body + 2), rate: buf.readUInt32LE(body + 4), bits: buf.readUInt16LE(body + 14) };
    if (id === 'data') {
      if (!fmt) throw new WavError('data chunk before fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16 || fmt.channels < 1) throw new WavError(`only PCM s16 is read (format ${fmt.format}, ${fmt.bits} bits)`);
      const end = Math.min(buf.length, body + size);
      return { sampleRateHz: fmt.rate, samples: toMono(buf.subarray(body, end), fmt.channels) };
    }
    off = body + size + (size % 2);
  }
  throw new WavError('no data chunk');
}

function toMono(data: Buffer, channels: number): Int16Array {
  const frames = Math.floor(data.length / (2 * channels));
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += data.readInt16LE((i * channels + c) * 2);
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/**
 * Resample to 16 kHz by linear interpolation. Good enough for speech coming from 8/16/22.05/44.1 kHz
 * recordings into an MFCC frontend; downsampling first averages each output sample's span (a crude
 * low-pass) so 44.1 kHz input does not alias badly.
 */
export function to16k(pcm: Pcm): Int16Array {
  const { sampleRateHz: rate, samples } = pcm;
  if (rate === 16_000) return samples;
  const ratio = rate / 16_000;
  const n = Math.floor(samples.length / ratio);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const pos = i * ratio;
    if (ratio > 1) {
      const from = Math.floor(pos);
      const to = Math.min(samples.length, Math.max(from + 1, Math.floor(pos + ratio)));
      let sum = 0;
      for (let j = from; j < to; j++) sum += samples[j]!;
      out[i] = Math.round(sum / (to - from));
    } else {
      const j = Math.floor(pos);
      const frac = pos - j;
      out[i] = Math.round(samples[j]! * (1 - frac) + (samples[Math.min(j + 1, samples.length - 1)] ?? 0) * frac);
    }
  }
  return out;
}
