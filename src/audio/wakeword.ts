// Wake-word detection with microWakeWord v2 streaming models (LiteRT.js): one WakeWordDetector per
// model, fed 10 ms feature frames from the micro frontend; WakeWords runs several on one stream.
// The model keeps its streaming state in resource variables (CALL_ONCE initialises them on the first
// run), separate per compiled model and not resettable from JavaScript: reset() compiles the model
// again from its bytes. Manifest: the JSON file beside each model (probability cutoff, window size).

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { Model, ModelError, type LiteRtRuntime, type TensorQuantization } from '../runtime/index.js';
import { FEATURE_SCALE } from './frontend.js';

/** Duration of one feature frame (the frontend's 10 ms step). */
export const FRAME_MS = 10;
export const FEATURE_CHANNELS = 40;

const manifestSchema = z.object({
  wake_word: z.string(),
  model: z.string(),
  version: z.literal(2),
  micro: z.object({
    probability_cutoff: z.number().gt(0).lt(1),
    sliding_window_size: z.int().min(1).max(1000),
    feature_step_size: z.literal(FRAME_MS),
  }),
});

export interface Manifest {
  readonly wakeWord: string;
  readonly model: string;
  readonly probabilityCutoff: number;
  readonly slidingWindowSize: number;
  readonly featureStepSize: number;
}

/** Parses a microWakeWord v2 manifest; throws naming the file and the field. */
export function parseManifest(json: unknown, source = 'manifest'): Manifest {
  const r = manifestSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ModelError(`${source}: not a microWakeWord v2 manifest (${issue?.path.join('.') ?? ''}: ${issue?.message ?? ''})`, 'format');
  }
  const m = r.data;
  return { wakeWord: m.wake_word, model: m.model, probabilityCutoff: m.micro.probability_cutoff, slidingWindowSize: m.micro.sliding_window_size, featureStepSize: m.micro.feature_step_size };
}

export interface DetectorOptions {
  /** Overrides the manifest's probability_cutoff (0..1). */
  cutoff?: number;
  /** After a detection, no other for this long (stream time). Default 2000. */
  refractoryMs?: number;
}

export interface Detection {
  /** Model id (file name without .tflite, e.g. "okay_nabu"). */
  readonly id: string;
  /** The manifest's wake word ("Okay Nabu"). */
  readonly wakeWord: string;
  /** Mean probability over the sliding window that crossed the cutoff. */
  readonly probability: number;
  /** Stream time at the end of the step that detected, in ms since the start or the last reset. */
  readonly atMs: number;
}

/**
 * One streaming int8 model fed feature frames: the shared machinery of WakeWordDetector and
 * VoiceActivity. Each step takes `framesPerStep` frames (the input's [1, N, 40]) and yields one
 * probability; the last `windowSize` are averaged.
 */
export class StreamingModel {
  private model: Model;
  private readonly inputName: string;
  private readonly framesPerStep: number;
  private readonly quant: TensorQuantization;
  private readonly outQuant: TensorQuantization;
  private readonly input: Int8Array<ArrayBuffer>;
  private filled = 0;
  private readonly window: Float64Array;
  private windowCount = 0;
  private windowPos = 0;
  private frames = 0;

  private constructor(private readonly runtime: LiteRtRuntime, private readonly bytes: Uint8Array, model: Model, readonly windowSize: number, readonly label: string) {
    this.model = model;
    const sig = model.signature();
    const input = sig.inputs[0];
    const output = sig.outputs[0];
    const fail = (why: string): never => { throw new ModelError(`${label}: not a microWakeWord streaming model (${why})`, 'shape'); };
    if (sig.inputs.length !== 1 || sig.outputs.length !== 1 || input === undefined || output === undefined) fail(`${sig.inputs.length} inputs, ${sig.outputs.length} outputs`);
    const inShape = input?.shape ?? [];
    if (input?.dtype !== 'int8' || inShape.length !== 3 || inShape[0] !== 1 || inShape[2] !== FEATURE_CHANNELS) fail(`input ${input?.dtype} [${inShape.join(', ')}], expected int8 [1, N, ${FEATURE_CHANNELS}]`);
    if (output?.dtype !== 'uint8' || (output.shape.reduce((a, d) => a * d, 1)) !== 1) fail(`output ${output?.dtype} [${output?.shape.join(', ')}], expected uint8 [1, 1]`);
    if (input?.quantization == null || !(input.quantization.scale > 0)) fail('input has no quantization parameters');
    this.inputName = input?.name ?? '';
    this.framesPerStep = inShape[1] ?? 1;
    this.quant = input?.quantization ?? { scale: 1, zeroPoint: 0 };
    // microWakeWord's output is probability = value / 256 (scale 1/256, zero point 0).
    this.outQuant = output?.quantization ?? { scale: 1 / 256, zeroPoint: 0 };
    this.input = new Int8Array(this.framesPerStep * FEATURE_CHANNELS);
    this.window = new Float64Array(windowSize);
  }

  static async fromBytes(runtime: LiteRtRuntime, bytes: Uint8Array, windowSize: number, label: string): Promise<StreamingModel> {
    let model: Model;
    try {
      model = await Model.fromBytes(runtime, bytes);
    } catch (err) {
      if (err instanceof ModelError) throw new ModelError(`${label}: ${err.message}`, err.code, { cause: err });
      throw err;
    }
    try {
      return new StreamingModel(runtime, bytes, model, windowSize, label);
    } catch (err) { await model.release(); throw err; }
  }

  /** Stream time (ms) of the frames consumed since the start or the last reset. */
  get timeMs(): number { return this.frames * FRAME_MS; }
  /** Duration of one step (ms): framesPerStep frames. */
  get stepMs(): number { return this.framesPerStep * FRAME_MS; }
  get inputQuantization(): TensorQuantization { return this.quant; }

  /** Quantizes one float feature for the model: round(f / scale) + zeroPoint, clamped to int8. */
  quantize(feature: number): number {
    const q = Math.round(feature / this.quant.scale) + this.quant.zeroPoint;
    return q < -128 ? -128 : q > 127 ? 127 : q;
  }

  /**
   * Adds one 10 ms frame of raw micro-frontend features (40 values); when a step's frames are
   * complete, runs the model and returns { probability, mean } (mean over the window once it is
   * full, else null), otherwise null.
   */
  async push(frame: Uint16Array): Promise<{ probability: number; mean: number | null } | null> {
    if (frame.length !== FEATURE_CHANNELS) throw new ModelError(`${this.label}: a feature frame has ${FEATURE_CHANNELS} values (got ${frame.length})`, 'shape');
    const base = this.filled * FEATURE_CHANNELS;
    for (let c = 0; c < FEATURE_CHANNELS; c++) this.input[base + c] = this.quantize((frame[c] ?? 0) * FEATURE_SCALE);
    this.filled++;
    this.frames++;
    if (this.filled < this.framesPerStep) return null;
    this.filled = 0;
    const out = await this.model.run({ [this.inputName]: this.input });
    const raw = Object.values(out)[0]?.[0] ?? 0;
    const probability = this.outQuant.scale * (raw - this.outQuant.zeroPoint);
    this.window[this.windowPos] = probability;
    this.windowPos = (this.windowPos + 1) % this.windowSize;
    if (this.windowCount < this.windowSize) this.windowCount++;
    if (this.windowCount < this.windowSize) return { probability, mean: null };
    let sum = 0;
    for (const p of this.window) sum += p;
    return { probability, mean: sum / this.windowSize };
  }

  /** Forgets the probability window (the model's state is kept). */
  clearWindow(): void { this.windowCount = 0; this.windowPos = 0; this.window.fill(0); }

  /**
   * Back to the initial state: the resource variables live in the compiled model and CALL_ONCE runs
   * only on its first invocation, so the model is compiled again from its bytes (a few ms).
   */
  async reset(): Promise<void> {
    const fresh = await Model.fromBytes(this.runtime, this.bytes);
    const old = this.model;
    this.model = fresh;
    await old.release();
    this.filled = 0;
    this.frames = 0;
    this.clearWindow();
  }

  release(): Promise<void> { return this.model.release(); }
}

/** Reads `<dir>/<id>.tflite` and its manifest `<dir>/<id>.json`. */
export async function readModelFiles(dir: string, id: string): Promise<{ bytes: Uint8Array; manifest: Manifest }> {
  if (!/^[A-Za-z0-9_.-]+$/.test(id) || id.startsWith('.')) throw new ModelError(`model id ${JSON.stringify(id)} is not a plain file name`, 'format');
  const jsonPath = path.join(dir, `${id}.json`);
  const tflitePath = path.join(dir, `${id}.tflite`);
  let text: string;
  let bytes: Uint8Array;
  try {
    text = await readFile(jsonPath, 'utf8');
    bytes = new Uint8Array(await readFile(tflitePath));
  } catch (err) {
    throw new ModelError(`voice model "${id}" not found in ${dir} (${(err as NodeJS.ErrnoException).code ?? String(err)}): install the models with .ci/setup-voice.sh or set audio.modelsDir`, 'format', { cause: err });
  }
  let json: unknown;
  try { json = JSON.parse(text); } catch (err) { throw new ModelError(`${jsonPath}: not JSON (${String(err)})`, 'format', { cause: err }); }
  return { bytes, manifest: parseManifest(json, jsonPath) };
}

export class WakeWordDetector {
  readonly cutoff: number;
  readonly refractoryMs: number;
  private quietUntilMs = -1;

  private constructor(readonly id: string, readonly manifest: Manifest, private readonly stream: StreamingModel, options: DetectorOptions) {
    const cutoff = options.cutoff ?? manifest.probabilityCutoff;
    if (!(cutoff > 0 && cutoff < 1)) throw new ModelError(`${id}: cutoff must be between 0 and 1 (got ${cutoff})`, 'format');
    const refractory = options.refractoryMs ?? 2000;
    if (!(refractory >= 0)) throw new ModelError(`${id}: refractoryMs must be >= 0 (got ${refractory})`, 'format');
    this.cutoff = cutoff;
    this.refractoryMs = refractory;
  }

  static async fromBytes(runtime: LiteRtRuntime, id: string, bytes: Uint8Array, manifest: Manifest, options: DetectorOptions = {}): Promise<WakeWordDetector> {
    const stream = await StreamingModel.fromBytes(runtime, bytes, manifest.slidingWindowSize, `wake word "${id}"`);
    try { return new WakeWordDetector(id, manifest, stream, options); } catch (err) { await stream.release(); throw err; }
  }

  /** Loads `<dir>/<id>.tflite` with `<dir>/<id>.json`. */
  static async load(runtime: LiteRtRuntime, dir: string, id: string, options: DetectorOptions = {}): Promise<WakeWordDetector> {
    const { bytes, manifest } = await readModelFiles(dir, id);
    return WakeWordDetector.fromBytes(runtime, id, bytes, manifest, options);
  }

  get timeMs(): number { return this.stream.timeMs; }
  get stepMs(): number { return this.stream.stepMs; }
  get inputQuantization(): TensorQuantization { return this.stream.inputQuantization; }

  /** Feeds one 10 ms frame of raw frontend features; returns a detection or null. */
  async push(frame: Uint16Array): Promise<Detection | null> {
    const r = await this.stream.push(frame);
    if (r === null || r.mean === null) return null;
    const atMs = this.stream.timeMs;
    if (atMs < this.quietUntilMs || !(r.mean > this.cutoff)) return null;
    this.quietUntilMs = atMs + this.refractoryMs;
    // A fresh window after a detection: the same utterance must not trigger again past the refractory period.
    this.stream.clearWindow();
    return { id: this.id, wakeWord: this.manifest.wakeWord, probability: r.mean, atMs };
  }

  /** Back to the state of a fresh model: streaming state, window, stream time, refractory period. */
  async reset(): Promise<void> {
    await this.stream.reset();
    this.quietUntilMs = -1;
  }

  release(): Promise<void> { return this.stream.release(); }
}

export interface WakeWordSpec extends DetectorOptions {
  /** Model id: `<id>.tflite` and `<id>.json` in the models directory. */
  id: string;
}

/** Several wake-word detectors on one feature stream. */
export class WakeWords {
  private constructor(readonly detectors: readonly WakeWordDetector[]) {}

  static of(detectors: readonly WakeWordDetector[]): WakeWords { return new WakeWords(detectors); }

  static async load(runtime: LiteRtRuntime, dir: string, specs: readonly WakeWordSpec[], defaults: DetectorOptions = {}): Promise<WakeWords> {
    const loaded: WakeWordDetector[] = [];
    try {
      for (const s of specs) {
        const options: DetectorOptions = { ...defaults };
        if (s.cutoff !== undefined) options.cutoff = s.cutoff;
        if (s.refractoryMs !== undefined) options.refractoryMs = s.refractoryMs;
        loaded.push(await WakeWordDetector.load(runtime, dir, s.id, options));
      }
    } catch (err) {
      await Promise.all(loaded.map((d) => d.release()));
      throw err;
    }
    return new WakeWords(loaded);
  }

  /** Feeds one frame to every detector; returns the detections of this frame (usually none). */
  async push(frame: Uint16Array): Promise<Detection[]> {
    const found: Detection[] = [];
    for (const d of this.detectors) {
      const hit = await d.push(frame);
      if (hit !== null) found.push(hit);
    }
    return found;
  }

  /** Feeds many frames; returns every detection in order. */
  async pushAll(frames: Iterable<Uint16Array>): Promise<Detection[]> {
    const found: Detection[] = [];
    for (const f of frames) found.push(...(await this.push(f)));
    return found;
  }

  async reset(): Promise<void> { await Promise.all(this.detectors.map((d) => d.reset())); }
  async release(): Promise<void> { await Promise.all(this.detectors.map((d) => d.release())); }
}

/** The Wulf install directory (this file runs from dist/src/audio). */
const installDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** audio.modelsDir as a path: relative paths resolve against the Wulf install directory. */
export function resolveModelsDir(dir: string): string { return path.resolve(installDir, dir); }

export interface WakeConfig {
  modelsDir: string;
  wake: { words: ReadonlyArray<{ id: string; cutoff?: number | undefined }>; refractoryMs: number };
}

/** The configured wake words (config.audio), loaded from the configured models directory. */
export function loadConfiguredWakeWords(runtime: LiteRtRuntime, audio: WakeConfig): Promise<WakeWords> {
  const specs: WakeWordSpec[] = audio.wake.words.map((w) => (w.cutoff === undefined ? { id: w.id } : { id: w.id, cutoff: w.cutoff }));
  return WakeWords.load(runtime, resolveModelsDir(audio.modelsDir), specs, { refractoryMs: audio.wake.refractoryMs });
}
