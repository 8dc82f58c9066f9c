// The WAV (RIFF/WAVE, 16-bit PCM) format, read and written in one place. Every malformed input is a
// WavError that says what is wrong and where; nothing here touches audio hardware.
import { readFile } from 'node:fs/promises';
import { resample } from './resample.js';

export type WavErrorCode = 'not-riff' | 'truncated' | 'format' | 'padding' | 'empty' | 'rate';

export class WavError extends Error {
  constructor(
    message: string,
    readonly code: WavErrorCode,
  ) {
    super(message);
    this.name = 'WavError';
  }
}

export interface Wav {
  sampleRate: number; // Hz
  channels: number;
  bitsPerSample: number;
  /** (frames × channels) interleaved signed 16-bit samples. */
  samples: Int16Array;
}

const WAVE_FORMAT_PCM = 1;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
const MAX_CHANNELS = 2;

function chunkId(buf: Uint8Array, offset: number): string {
  return String.fromCharCode(...buf.subarray(offset, offset + 4));
}

function isChunkId(buf: Uint8Array, offset: number): boolean {
  if (offset + 4 > buf.length) return false;
  for (let i = offset; i < offset + 4; i++) if (buf[i]! < 0x20 || buf[i]! > 0x7e) return false;
  return true;
}

interface Format {
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
}

function parseFormat(buf: Buffer, offset: number, size: number, where: string): Format {
  if (size < 16) throw new WavError(`${where}: fmt chunk is ${size} bytes, needs at least 16`, 'truncated');
  let format = buf.readUInt16LE(offset);
  const channels = buf.readUInt16LE(offset + 2);
  const sampleRate = buf.readUInt32LE(offset + 4);
  const blockAlign = buf.readUInt16LE(offset + 12);
  const bitsPerSample = buf.readUInt16LE(offset + 14);
  if (format === WAVE_FORMAT_EXTENSIBLE) {
    if (size < 40) throw new WavError(`${where}: extensible fmt chunk is ${size} bytes, needs 40`, 'truncated');
    format = buf.readUInt16LE(offset + 24); // first two bytes of the SubFormat GUID
  }
  if (format !== WAVE_FORMAT_PCM) throw new WavError(`${where}: unsupported audio format ${format} (only integer PCM, format 1)`, 'format');
  if (bitsPerSample !== 16) throw new WavError(`${where}: unsupported bit depth ${bitsPerSample} (only 16-bit PCM)`, 'format');
  if (channels < 1 || channels > MAX_CHANNELS) throw new WavError(`${where}: unsupported channel count ${channels} (1 or 2)`, 'format');
  if (sampleRate === 0) throw new WavError(`${where}: sample rate is 0`, 'format');
  if (blockAlign !== channels * 2) throw new WavError(`${where}: block align ${blockAlign} does not match ${channels} channel(s) of 16 bits`, 'format');
  return { channels, sampleRate, bitsPerSample, blockAlign };
}

/** Parses a whole RIFF/WAVE file of 16-bit PCM (mono or stereo). `name` prefixes error messages. */
export function parseWav(buf: Buffer, name = 'wav'): Wav {
  if (buf.length === 0) throw new WavError(`${name}: empty file`, 'empty');
  if (buf.length < 12) throw new WavError(`${name}: truncated header (${buf.length} bytes, a RIFF header is 12)`, 'truncated');
  if (chunkId(buf, 0) !== 'RIFF' || chunkId(buf, 8) !== 'WAVE') throw new WavError(`${name}: not a RIFF/WAVE file (starts with ${JSON.stringify(chunkId(buf, 0))})`, 'not-riff');
  let fmt: Format | null = null;
  let offset = 12;
  while (offset + 8 <= buf.length) {
    const id = chunkId(buf, offset);
    const size = buf.readUInt32LE(offset + 4);
    const body = offset + 8;
    const where = `${name}: chunk ${JSON.stringify(id)} at byte ${offset}`;
    if (size > buf.length - body) {
      throw new WavError(`${where} declares ${size} bytes but only ${buf.length - body} remain (truncated file?)`, 'truncated');
    }
    if (id === 'fmt ') fmt = parseFormat(buf, body, size, where);
    if (id === 'data') {
      if (fmt === null) throw new WavError(`${where}: data chunk before the fmt chunk`, 'format');
      if (size === 0) throw new WavError(`${where}: no samples (data chunk is empty)`, 'empty');
      if (size % fmt.blockAlign !== 0) throw new WavError(`${where}: ${size} bytes is not a whole number of ${fmt.blockAlign}-byte frames`, 'format');
      const samples = new Int16Array(size / 2);
      for (let i = 0; i < samples.length; i++) samples[i] = buf.readInt16LE(body + 2 * i);
      return { sampleRate: fmt.sampleRate, channels: fmt.channels, bitsPerSample: fmt.bitsPerSample, samples };
    }
    let next = body + size;
    if (size % 2 === 1) {
      // RIFF: an odd-sized chunk is followed by one pad byte. A writer that forgot it leaves the next
      // chunk id one byte early.
      if (next < buf.length && isChunkId(buf, next) && !isChunkId(buf, next + 1)) {
        throw new WavError(`${where} has odd size ${size} but no pad byte after it`, 'padding');
      }
      next += 1;
    }
    offset = next;
  }
  if (offset < buf.length) throw new WavError(`${name}: truncated chunk header at byte ${offset}`, 'truncated');
  throw new WavError(fmt === null ? `${name}: no fmt chunk` : `${name}: no data chunk`, fmt === null ? 'format' : 'truncated');
}

/** Reads and parses a WAV file; errors name the file. */
export async function readWav(path: string): Promise<Wav> {
  return parseWav(await readFile(path), path);
}

/** A canonical 44-byte-header WAV of 16-bit PCM. `samples` are interleaved when channels > 1. */
export function encodeWav(samples: Int16Array, sampleRate: number, channels = 1): Buffer {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`encodeWav: sampleRate must be a positive integer (got ${sampleRate})`);
  if (channels !== 1 && channels !== 2) throw new RangeError(`encodeWav: channels must be 1 or 2 (got ${channels})`);
  if (samples.length % channels !== 0) throw new RangeError(`encodeWav: ${samples.length} samples is not a whole number of ${channels}-channel frames`);
  const dataBytes = samples.length * 2;
  const buf = Buffer.alloc(44 + dataBytes);
  buf.write('RIFF', 0, 'latin1');
  buf.writeUInt32LE(36 + dataBytes, 4);
  buf.write('WAVE', 8, 'latin1');
  buf.write('fmt ', 12, 'latin1');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(WAVE_FORMAT_PCM, 20);
  buf.writeUInt16LE(channels, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * channels * 2, 28);
  buf.writeUInt16LE(channels * 2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'latin1');
  buf.writeUInt32LE(dataBytes, 40);
  for (let i = 0; i < samples.length; i++) buf.writeInt16LE(samples[i]!, 44 + 2 * i);
  return buf;
}

/** Interleaved samples of `channels` channels averaged to mono (the same array when already mono). */
export function toMono(samples: Int16Array, channels: number): Int16Array {
  if (channels === 1) return samples;
  const out = new Int16Array(Math.floor(samples.length / channels));
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
    out[i] = Math.round(sum / channels);
  }
  return out;
}

/** 16 kHz mono samples for the frontend: stereo is averaged; any other rate is refused (resample first: resample.ts). */
export function toMono16k(wav: Wav, name = 'wav'): Int16Array {
  if (wav.sampleRate !== 16000) throw new WavError(`${name}: sample rate ${wav.sampleRate} Hz, the voice frontend needs 16000 Hz (resample it, e.g. sox in.wav -r 16000 out.wav)`, 'rate');
  return toMono(wav.samples, wav.channels);
}

/** Any rate, mono or stereo → 16 kHz mono (channels averaged, then the windowed-sinc resampler): what the recognizer takes. */
export function to16kMono(wav: Wav): Int16Array {
  const mono = toMono(wav.samples, wav.channels);
  return wav.sampleRate === 16000 ? mono : resample(mono, wav.sampleRate, 16000);
}
