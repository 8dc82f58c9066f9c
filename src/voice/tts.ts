// Speech out (#12): reply text → espeak-ng (no shell, text on stdin, plain text only) → WAV → a sink.
// One utterance at a time from a bounded queue; start/end events let the wake word ignore Wulf's own voice.
// It must never let reply text reach a command line, SSML, or espeak-ng's [[phoneme]] input.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ttsVoices, type TtsVoice } from '../config/index.js';
import { runProgram } from './run-program.js';

/** Largest WAV accepted from the synthesizer: 600 chars is ~45 s, i.e. ~2 MB at 22.05 kHz s16. */
const maxWavBytes = 16 * 2 ** 20;

export interface SynthOptions {
  voice: TtsVoice;
  speedWpm: number;
  timeoutMs: number;
  /** Synthesizer program; espeak-ng unless a test says otherwise. */
  program?: string;
  signal?: AbortSignal;
}

/**
 * Text espeak-ng will read literally: control characters out (0x01 starts espeak's embedded
 * commands), `[[` broken up (espeak-ng's CLI always reads `[[…]]` as phoneme input), cut to
 * `maxChars` at a word boundary. SSML is literal as long as `-m` is not passed, which it never is.
 */
export function speakableText(text: string, maxChars: number): { text: string; isTruncated: boolean } {
  let s = text
    .normalize('NFC')
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\[(?=\s*\[)/g, '[ ');
  const isTruncated = [...s].length > maxChars;
  if (isTruncated) {
    s = [...s].slice(0, maxChars).join('');
    const cut = s.search(/\s\S*$/);
    if (cut > maxChars / 2) s = s.slice(0, cut);
  }
  return { text: s.trim(), isTruncated };
}

/** The espeak-ng command line: fixed flags only, never any part of the text. */
export function espeakArgs(voice: TtsVoice, speedWpm: number): string[] {
  if (!ttsVoices.includes(voice)) throw new Error(`voice ${JSON.stringify(voice)} is not allowed (allowed: ${ttsVoices.join(', ')})`);
  return ['-v', voice, '-s', String(Math.round(speedWpm)), '-b', '1', '--stdin', '--stdout'];
}

/** Synthesize already-speakable text to WAV bytes (RIFF sizes fixed; espeak-ng leaves them open on a pipe). */
export async function synthesize(text: string, opts: SynthOptions): Promise<Buffer> {
  const wav = await runProgram(opts.program ?? 'espeak-ng', espeakArgs(opts.voice, opts.speedWpm), {
    stdin: text,
    timeoutMs: opts.timeoutMs,
    maxStdoutBytes: maxWavBytes,
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  return fixWavSizes(wav);
}

/** Rewrite the RIFF and data chunk sizes of a canonical 44-byte-header WAV to match its length. */
export function fixWavSizes(wav: Buffer): Buffer {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF' || wav.toString('ascii', 36, 40) !== 'data') return wav;
  const out = Buffer.from(wav);
  out.writeUInt32LE(out.length - 8, 4);
  out.writeUInt32LE(out.length - 44, 40);
  return out;
}

/** Seconds of audio in a canonical PCM WAV (0 when the header is not one). */
export function wavSeconds(wav: Buffer): number {
  if (wav.length < 44 || wav.toString('ascii', 0, 4) !== 'RIFF') return 0;
  const byteRate = wav.readUInt32LE(28);
  return byteRate ? (wav.length - 44) / byteRate : 0;
}

/** Where synthesized audio goes. */
export interface AudioSink {
  play(wav: Buffer, signal?: AbortSignal): Promise<void>;
}

/** Plays through ALSA's aplay (no shell), the WAV on stdin; killed if it overruns the audio by `slackMs`. */
export class AplaySink implements AudioSink {
  constructor(
    readonly device: string,
    private readonly slackMs = 5000,
    private readonly program = 'aplay',
  ) {}

  async play(wav: Buffer, signal?: AbortSignal): Promise<void> {
    const timeoutMs = Math.ceil(wavSeconds(wav) * 1000) + this.slackMs;
    await runProgram(this.program, ['-q', '-D', this.device, '-'], { stdin: wav, timeoutMs, maxStdoutBytes: 64 * 1024, ...(signal ? { signal } : {}) });
  }
}

/** Writes each utterance to `dir/utterance-0001.wav`, … (for a board without a speaker, and for tests). */
export class FileSink implements AudioSink {
  private count = 0;
  constructor(readonly dir: string) {}

  async play(wav: Buffer): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.count += 1;
    await writeFile(path.join(this.dir, `utterance-${String(this.count).padStart(4, '0')}.wav`), wav);
  }
}

/** Keeps what it was given, in order, up to `max` utterances. */
export class MemorySink implements AudioSink {
  readonly played: Buffer[] = [];
  constructor(private readonly max = 100) {}

  async play(wav: Buffer): Promise<void> {
    if (this.played.length >= this.max) this.played.shift();
    this.played.push(wav);
  }
}
