// Voice activity with microWakeWord's v2 `vad` model (same int8 [1,3,40] input as the wake words,
// one decision per 30 ms step), and the end-of-speech state machine that turns per-step speech
// decisions into speech-start / speech-end / timeout events, with Home Assistant's default timings.
// The state machine is a pure function of the decisions and their durations, so it is unit-testable.
// No registry package ships the `vad` model (pymicro-wakeword has only wake words), so
// EnergyVoiceActivity is the fallback over the same features; loadVoiceActivity picks one.

import { access } from 'node:fs/promises';
import path from 'node:path';
import type { LiteRtRuntime } from '../runtime/index.js';
import { ModelError } from '../runtime/index.js';
import { FEATURE_CHANNELS, FRAME_MS, readModelFiles, StreamingModel, type Manifest } from './wakeword.js';

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

/** Which VAD runs: microWakeWord's `vad` model, or the energy fallback (for /status). */
export type VadKind = 'model' | 'energy';

/** What the end-of-speech machine and /status need from a VAD, whichever kind it is. */
export interface SpeechDetector {
  readonly kind: VadKind;
  /** Duration of one decision (30 ms for both kinds). */
  readonly stepMs: number;
  /** Feeds one 10 ms frame of raw frontend features; returns a decision once per step, else null. */
  push(frame: Uint16Array): Promise<SpeechDecision | null>;
  pushAll(frames: Iterable<Uint16Array>): Promise<SpeechDecision[]>;
  reset(): Promise<void>;
  release(): Promise<void>;
}

export class VoiceActivity implements SpeechDetector {
  readonly kind = 'model' as const;
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

export interface EnergyVadOptions {
  /**
   * A step becomes speech when its mean feature (over 40 channels and the step's frames, raw
   * frontend units: 64 per nat of the log energy after noise reduction and PCAN) exceeds the noise
   * floor by this much. Default 96 (1.5 nats).
   */
  onDelta?: number;
  /** Speech continues while the mean stays above floor + offDelta (hysteresis). Default 48. */
  offDelta?: number;
  /** Speech continues this long after the energy drops (gaps between syllables). Default 240. */
  hangoverMs?: number;
  /** Time constant of the floor rising toward louder input. Default 3000 ms. */
  floorRiseMs?: number;
  /** Time constant of the floor falling toward quieter input. Default 45 ms (nearly a minimum). */
  floorFallMs?: number;
}

export const DEFAULT_ENERGY_VAD: Readonly<Required<EnergyVadOptions>> = Object.freeze({
  onDelta: 96, offDelta: 48, hangoverMs: 240, floorRiseMs: 3000, floorFallMs: 45,
});

/** Frames per decision: the same 30 ms step as the model, so EndOfSpeech sees the same cadence. */
const ENERGY_FRAMES_PER_STEP = 3;

/**
 * Voice activity without a model: the micro frontend already subtracts a per-channel noise estimate
 * and normalises gain (PCAN), so what remains is energy above the background. Each 30 ms step's
 * mean feature is compared with an adaptive floor (falls fast, rises slowly), with hysteresis
 * (onDelta to start, offDelta to stay) and a hangover that bridges gaps between syllables. It marks
 * any sound well above the background as speech (music too): the model VAD is better when present.
 * `probability` is (mean − floor) / (2 × onDelta), clamped to 0..1 (0.5 at the start threshold).
 */
export class EnergyVoiceActivity implements SpeechDetector {
  readonly kind = 'energy' as const;
  readonly stepMs = ENERGY_FRAMES_PER_STEP * FRAME_MS;
  readonly options: Readonly<Required<EnergyVadOptions>>;
  private readonly hangoverSteps: number;
  private readonly riseAlpha: number;
  private readonly fallAlpha: number;
  private floor: number | null = null;
  private inSpeech = false;
  private hangLeft = 0;
  private sum = 0;
  private filled = 0;
  private frames = 0;

  constructor(options: EnergyVadOptions = {}) {
    const o = { ...DEFAULT_ENERGY_VAD, ...options };
    for (const [k, v] of Object.entries(o)) {
      if (!(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new RangeError(`energy vad: ${k} must be a number >= 0 (got ${String(v)})`);
    }
    if (!(o.onDelta > 0)) throw new RangeError('energy vad: onDelta must be > 0');
    if (o.offDelta > o.onDelta) throw new RangeError(`energy vad: offDelta (${o.offDelta}) must not exceed onDelta (${o.onDelta})`);
    this.options = Object.freeze(o);
    this.hangoverSteps = Math.round(o.hangoverMs / this.stepMs);
    this.riseAlpha = o.floorRiseMs === 0 ? 1 : Math.min(1, this.stepMs / o.floorRiseMs);
    this.fallAlpha = o.floorFallMs === 0 ? 1 : Math.min(1, this.stepMs / o.floorFallMs);
  }

  /** Current noise floor (raw feature units), null before the first step. */
  get noiseFloor(): number | null { return this.floor; }

  push(frame: Uint16Array): Promise<SpeechDecision | null> { return Promise.resolve(this.pushSync(frame)); }

  /** As push(), synchronously (no model to wait for). */
  pushSync(frame: Uint16Array): SpeechDecision | null {
    if (frame.length !== FEATURE_CHANNELS) throw new RangeError(`energy vad: a feature frame has ${FEATURE_CHANNELS} values (got ${frame.length})`);
    for (let c = 0; c < FEATURE_CHANNELS; c++) this.sum += frame[c]!;
    this.frames++;
    if (++this.filled < ENERGY_FRAMES_PER_STEP) return null;
    const energy = this.sum / (FEATURE_CHANNELS * ENERGY_FRAMES_PER_STEP);
    this.sum = 0;
    this.filled = 0;
    // The first step seeds the floor: the frontend's own noise estimate starts at zero, so its first
    // few hundred ms are loud and falling, which a fast-falling floor follows without triggering.
    const floor = this.floor ?? energy;
    const above = energy - floor;
    const o = this.options;
    if (this.inSpeech) {
      if (above >= o.offDelta) this.hangLeft = this.hangoverSteps;
      else if (this.hangLeft > 0) this.hangLeft--;
      else this.inSpeech = false;
    } else if (above > o.onDelta) {
      this.inSpeech = true;
      this.hangLeft = this.hangoverSteps;
    }
    this.floor = floor + (energy - floor) * (energy < floor ? this.fallAlpha : this.riseAlpha);
    const p = above / (2 * o.onDelta);
    return { probability: p < 0 ? 0 : p > 1 ? 1 : p, isSpeech: this.inSpeech, durationMs: this.stepMs, atMs: this.frames * FRAME_MS };
  }

  pushAll(frames: Iterable<Uint16Array>): Promise<SpeechDecision[]> {
    const out: SpeechDecision[] = [];
    for (const f of frames) {
      const d = this.pushSync(f);
      if (d !== null) out.push(d);
    }
    return Promise.resolve(out);
  }

  reset(): Promise<void> {
    this.floor = null;
    this.inSpeech = false;
    this.hangLeft = 0;
    this.sum = 0;
    this.filled = 0;
    this.frames = 0;
    return Promise.resolve();
  }

  release(): Promise<void> { return Promise.resolve(); }
}

export interface LoadVoiceActivityOptions extends VoiceActivityOptions {
  /** Model id in the models directory. Default "vad". */
  id?: string;
  energy?: EnergyVadOptions;
  /** Told once per process that the energy fallback runs, and why. */
  log?: (message: string, details: Record<string, unknown>) => void;
}

let energyFallbackLogged = false;

/**
 * The VAD for a models directory: the `vad` model when `<dir>/<id>.tflite` exists (a broken model
 * is an error, not a silent fallback), else the energy VAD (logged once). Check `.kind`.
 */
export async function loadVoiceActivity(runtime: LiteRtRuntime, dir: string, options: LoadVoiceActivityOptions = {}): Promise<SpeechDetector> {
  const id = options.id ?? 'vad';
  const modelPath = path.join(dir, `${id}.tflite`);
  let present = true;
  try { await access(modelPath); } catch { present = false; }
  if (present) return VoiceActivity.load(runtime, dir, id, options.cutoff === undefined ? {} : { cutoff: options.cutoff });
  const energy = new EnergyVoiceActivity(options.energy);
  if (!energyFallbackLogged) {
    energyFallbackLogged = true;
    options.log?.(`no VAD model (${modelPath}): using the energy VAD`, { kind: 'energy', model: modelPath, ...energy.options });
  }
  return energy;
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
