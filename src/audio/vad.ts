// Voice activity with microWakeWord's v2 `vad` model (same int8 [1,3,40] input as the wake words,
// one decision per 30 ms step), and the end-of-speech state machine that turns per-step speech
// decisions into speech-start / speech-end / timeout events, with Home Assistant's default timings.
// The state machine is a pure function of the decisions and their durations, so it is unit-testable.

import type { LiteRtRuntime } from '../runtime/index.js';
import { ModelError } from '../runtime/index.js';
import { readModelFiles, StreamingModel, type Manifest } from './wakeword.js';

export interface VoiceActivityOptions {
  /** Overrides the manifest's probability_cutoff (0..1). */
  cutoff?: number;
}

export interface SpeechDecision {
  /** Mean probability over the window (the latest probability until the window is full). */
  readonly probability: number;
  readonly isSpeech: boolean;
  /** Duration this decision covers (one model step: 30 ms). */
  readonly durationMs: number;
  /** Stream time at the end of the step. */
  readonly atMs: number;
}

export class VoiceActivity {
  readonly cutoff: number;

  private constructor(readonly manifest: Manifest, private readonly stream: StreamingModel, options: VoiceActivityOptions) {
    const cutoff = options.cutoff ?? manifest.probabilityCutoff;
    if (!(cutoff > 0 && cutoff < 1)) throw new ModelError(`vad: cutoff must be between 0 and 1 (got ${cutoff})`, 'format');
    this.cutoff = cutoff;
  }

  static async fromBytes(runtime: LiteRtRuntime, bytes: Uint8Array, manifest: Manifest, options: VoiceActivityOptions = {}): Promise<VoiceActivity> {
    const stream = await StreamingModel.fromBytes(runtime, bytes, manifest.slidingWindowSize, 'vad');
    try { return new VoiceActivity(manifest, stream, options); } catch (err) { await stream.release(); throw err; }
  }

  /** Loads `<dir>/<id>.tflite` with `<dir>/<id>.json` (id: "vad"). */
  static async load(runtime: LiteRtRuntime, dir: string, id = 'vad', options: VoiceActivityOptions = {}): Promise<VoiceActivity> {
    const { bytes, manifest } = await readModelFiles(dir, id);
    return VoiceActivity.fromBytes(runtime, bytes, manifest, options);
  }

  get stepMs(): number { return this.stream.stepMs; }

  /** Feeds one 10 ms frame of raw frontend features; returns a decision once per step, else null. */
  async push(frame: Uint16Array): Promise<SpeechDecision | null> {
    const r = await this.stream.push(frame);
    if (r === null) return null;
    const probability = r.mean ?? r.probability;
    return { probability, isSpeech: probability > this.cutoff, durationMs: this.stream.stepMs, atMs: this.stream.timeMs };
  }

  /** Decisions for many frames. */
  async pushAll(frames: Iterable<Uint16Array>): Promise<SpeechDecision[]> {
    const out: SpeechDecision[] = [];
    for (const f of frames) {
      const d = await this.push(f);
      if (d !== null) out.push(d);
    }
    return out;
  }

  reset(): Promise<void> { return this.stream.reset(); }
  release(): Promise<void> { return this.stream.release(); }
}

/**
 * Timings of the end-of-speech detector. Defaults are Home Assistant's VoiceCommandSegmenter:
 * 0.3 s of speech starts a command, 0.7 s of silence ends it (once it has lasted 1 s), 15 s ends it
 * anyway; 1 s of the opposite resets a partial count (a cough does not start a command, a breath
 * does not end one).
 */
export interface EndOfSpeechTimings {
  speechMs: number;
  silenceMs: number;
  timeoutMs: number;
  /** Minimum command length before silence can end it. */
  minCommandMs: number;
  /** How long the opposite of what is being counted must last to restart the count. */
  resetMs: number;
}

export const DEFAULT_END_OF_SPEECH: Readonly<EndOfSpeechTimings> = Object.freeze({
  speechMs: 300, silenceMs: 700, timeoutMs: 15_000, minCommandMs: 1000, resetMs: 1000,
});

export type EndOfSpeechEvent =
  | { readonly type: 'speech-start'; readonly atMs: number }
  | { readonly type: 'speech-end'; readonly atMs: number }
  | { readonly type: 'timeout'; readonly atMs: number; readonly inSpeech: boolean };

/**
 * Listens after the wake word: waiting → (speech for speechMs) → in speech → (silence for silenceMs,
 * command at least minCommandMs) → done; timeoutMs after the start it ends whatever the state.
 * Feed it decisions with push(); once done it ignores further input until reset().
 */
export class EndOfSpeech {
  readonly timings: Readonly<EndOfSpeechTimings>;
  private state: 'waiting' | 'speech' | 'done' = 'waiting';
  private nowMs = 0;
  private speechLeft = 0;
  private silenceLeft = 0;
  private commandLeft = 0;
  private resetLeft = 0;

  constructor(timings: Partial<EndOfSpeechTimings> = {}) {
    const t = { ...DEFAULT_END_OF_SPEECH, ...timings };
    for (const [k, v] of Object.entries(t)) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new RangeError(`end of speech: ${k} must be a number >= 0 (got ${String(v)})`);
    }
    if (!(t.timeoutMs > 0)) throw new RangeError('end of speech: timeoutMs must be > 0');
    this.timings = Object.freeze(t);
    this.reset();
  }

  get inSpeech(): boolean { return this.state === 'speech'; }
  get done(): boolean { return this.state === 'done'; }
  get elapsedMs(): number { return this.nowMs; }

  reset(): void {
    this.state = 'waiting';
    this.nowMs = 0;
    this.speechLeft = this.timings.speechMs;
    this.silenceLeft = this.timings.silenceMs;
    this.commandLeft = 0;
    this.resetLeft = this.timings.resetMs;
  }

  /** One decision covering durationMs; returns the events it causes (at most two). */
  push(isSpeech: boolean, durationMs: number): EndOfSpeechEvent[] {
    if (!(durationMs > 0)) throw new RangeError(`end of speech: durationMs must be > 0 (got ${durationMs})`);
    if (this.state === 'done') return [];
    this.nowMs += durationMs;
    const events: EndOfSpeechEvent[] = [];
    if (this.state === 'waiting') {
      if (isSpeech) {
        this.resetLeft = this.timings.resetMs;
        this.speechLeft -= durationMs;
        if (this.speechLeft <= 0) {
          this.state = 'speech';
          this.commandLeft = this.timings.minCommandMs - this.timings.speechMs;
          this.silenceLeft = this.timings.silenceMs;
          events.push({ type: 'speech-start', atMs: this.nowMs });
        }
      } else {
        this.resetLeft -= durationMs;
        if (this.resetLeft <= 0) { this.speechLeft = this.timings.speechMs; this.resetLeft = this.timings.resetMs; }
      }
    } else if (isSpeech) {
      this.commandLeft -= durationMs;
      this.resetLeft -= durationMs;
      if (this.resetLeft <= 0) { this.silenceLeft = this.timings.silenceMs; this.resetLeft = this.timings.resetMs; }
    } else {
      this.resetLeft = this.timings.resetMs;
      this.commandLeft -= durationMs;
      this.silenceLeft -= durationMs;
      if (this.silenceLeft <= 0 && this.commandLeft <= 0) {
        this.state = 'done';
        events.push({ type: 'speech-end', atMs: this.nowMs });
        return events;
      }
    }
    if (this.nowMs >= this.timings.timeoutMs) {
      events.push({ type: 'timeout', atMs: this.nowMs, inSpeech: this.state === 'speech' });
      this.state = 'done';
    }
    return events;
  }
}

/** The events of a whole sequence of decisions, each lasting stepMs: a pure function for tests. */
export function segmentSpeech(decisions: Iterable<boolean>, stepMs: number, timings: Partial<EndOfSpeechTimings> = {}): EndOfSpeechEvent[] {
  const eos = new EndOfSpeech(timings);
  const events: EndOfSpeechEvent[] = [];
  for (const d of decisions) {
    events.push(...eos.push(d, stepMs));
    if (eos.done) break;
  }
  return events;
}
