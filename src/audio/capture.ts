// Audio sources: 16 kHz mono s16 PCM from a WAV file, stdin or arecord, cut into 10 ms frames
// (160 samples) with a bounded queue. Owns the arecord child process (no shell) and its restarts;
// knows nothing about what consumes the frames.
import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { readWav, toMono16k } from './wav.js';

export const FRAME_SAMPLES = 160; // 10 ms at 16 kHz
const FRAME_BYTES = FRAME_SAMPLES * 2;
const FRAME_MS = 10;

export type SourceStatus = { state: 'up' } | { state: 'down'; reason: string; restartInMs: number | null };

export interface AudioSourceEvents {
  /** (160,) int16, a new array each time. */
  frame: [frame: Int16Array];
  status: [status: SourceStatus];
  /** The queue was full and its oldest frame was dropped. */
  overflow: [dropped: number];
  /** A finite source (file, stdin) has delivered everything. */
  end: [];
  error: [err: Error];
}

export interface AudioSourceOptions {
  /** Frames kept for `frames()` readers before the oldest is dropped (default 100 = 1 s). */
  maxQueuedFrames?: number;
}

/** A source of 10 ms frames: listen to 'frame' or iterate `frames()`; start() then stop(). */
export abstract class AudioSource extends EventEmitter<AudioSourceEvents> {
  droppedFrames = 0;
  private carry = Buffer.alloc(FRAME_BYTES); // partial frame between chunks
  private carryBytes = 0;
  private readonly queue: Int16Array[] = [];
  private readonly maxQueued: number;
  private wake: (() => void) | null = null;
  protected isEnded = false;

  constructor(opts: AudioSourceOptions = {}) {
    super();
    this.maxQueued = opts.maxQueuedFrames ?? 100;
    if (!Number.isInteger(this.maxQueued) || this.maxQueued < 1) throw new RangeError(`audio source: maxQueuedFrames must be a positive integer (got ${String(opts.maxQueuedFrames)})`);
  }

  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** Frames as an async iterator over the bounded queue; ends when the source ends or stops. */
  async *frames(): AsyncGenerator<Int16Array> {
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        yield next;
        continue;
      }
      if (this.isEnded) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Cuts raw s16le bytes into frames; any split, even mid-sample, is fine. */
  protected pushBytes(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      const n = Math.min(FRAME_BYTES - this.carryBytes, chunk.length - offset);
      chunk.copy(this.carry, this.carryBytes, offset, offset + n);
      this.carryBytes += n;
      offset += n;
      if (this.carryBytes === FRAME_BYTES) {
        const frame = new Int16Array(FRAME_SAMPLES);
        for (let i = 0; i < FRAME_SAMPLES; i++) frame[i] = this.carry.readInt16LE(2 * i);
        this.carryBytes = 0;
        this.pushFrame(frame);
      }
    }
  }

  protected pushFrame(frame: Int16Array): void {
    this.queue.push(frame);
    if (this.queue.length > this.maxQueued) {
      this.queue.shift();
      this.droppedFrames++;
      this.emit('overflow', this.droppedFrames);
    }
    this.notify();
    this.emit('frame', frame);
  }

  /** Drops a partial frame (a restarted process starts a new stream). */
  protected discardPartialFrame(): void {
    this.carryBytes = 0;
  }

  protected finish(): void {
    if (this.isEnded) return;
    this.isEnded = true;
    this.notify();
    this.emit('end');
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}

/** Frames of a 16 kHz WAV (stereo is averaged), as fast as possible or paced in real time. */
export class WavFileSource extends AudioSource {
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    readonly path: string,
    readonly opts: AudioSourceOptions & { realtime?: boolean } = {},
  ) {
    super(opts);
  }

  async start(): Promise<void> {
    const samples = toMono16k(await readWav(this.path), this.path);
    const bytes = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
    this.emit('status', { state: 'up' });
    const frames = Math.floor(samples.length / FRAME_SAMPLES); // a trailing partial frame is dropped
    if (!this.opts.realtime) {
      for (let i = 0; i < frames && !this.stopped; i++) this.pushBytes(bytes.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
      this.finish();
      return;
    }
    const t0 = performance.now();
    let i = 0;
    const tick = (): void => {
      // catch up on late timers, so the average rate stays exactly real time
      const due = Math.min(frames, Math.floor((performance.now() - t0) / FRAME_MS) + 1);
      for (; i < due && !this.stopped; i++) this.pushBytes(bytes.subarray(i * FRAME_BYTES, (i + 1) * FRAME_BYTES));
      if (i >= frames || this.stopped) {
        this.timer = null;
        this.finish();
        return;
      }
      this.timer = setTimeout(tick, Math.max(0, t0 + i * FRAME_MS - performance.now()));
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.finish();
  }
}

/** Raw s16le 16 kHz mono PCM from a stream, by default stdin (`arecord … | wulf …`). */
export class StdinPcmSource extends AudioSource {
  private readonly input: Readable;
  private readonly onData = (chunk: Buffer): void => this.pushBytes(chunk);
  private readonly onEnd = (): void => {
    this.emit('status', { state: 'down', reason: 'input ended', restartInMs: null });
    this.finish();
  };
  private readonly onError = (err: Error): void => {
    this.emit('status', { state: 'down', reason: err.message, restartInMs: null });
    this.finish();
  };

  constructor(opts: AudioSourceOptions & { input?: Readable } = {}) {
    super(opts);
    this.input = opts.input ?? process.stdin;
  }

  async start(): Promise<void> {
    this.input.on('data', this.onData);
    this.input.once('end', this.onEnd);
    this.input.once('error', this.onError);
    this.emit('status', { state: 'up' });
  }

  async stop(): Promise<void> {
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('error', this.onError);
    this.input.pause();
    this.finish();
  }
}

/** ALSA PCM names: `default`, `hw:1,0`, `plughw:CARD=seeed2micvoicec,DEV=0`. No leading '-', no spaces. */
const ALSA_DEVICE = /^[A-Za-z][A-Za-z0-9_]*(?::[A-Za-z0-9_]+(?:=[A-Za-z0-9_]+)?(?:,[A-Za-z0-9_]+(?:=[A-Za-z0-9_]+)?)*)?$/;

export function checkAlsaDevice(device: string): string {
  if (typeof device !== 'string' || device.length > 64 || !ALSA_DEVICE.test(device)) {
    throw new RangeError(`arecord: device must be an ALSA PCM name like "default", "hw:1,0" or "plughw:CARD=x,DEV=0" (got ${JSON.stringify(device)})`);
  }
  return device;
}

export interface ArecordOptions extends AudioSourceOptions {
  device?: string; // default "default"
  /** Program to run; found on PATH (default "arecord"). */
  command?: string;
  /** First restart delay, doubled after each failure up to maxBackoffMs (defaults 500 ms, 30 s). */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** A run that delivered audio for this long resets the backoff (default 5 s). */
  stableAfterMs?: number;
}

/**
 * Live capture through `arecord -q -D <device> -t raw -f S16_LE -r 16000 -c 1`, spawned without a
 * shell. Emits status up on the first audio, down when arecord exits, and restarts it with
 * exponential backoff until stop().
 */
export class ArecordSource extends AudioSource {
  readonly device: string;
  readonly args: readonly string[];
  private child: ChildProcess | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private backoffMs: number;
  private isStopping = false;
  private stderrTail = '';
  private upSince: number | null = null;

  constructor(readonly opts: ArecordOptions = {}) {
    super(opts);
    this.device = checkAlsaDevice(opts.device ?? 'default');
    this.args = ['-q', '-D', this.device, '-t', 'raw', '-f', 'S16_LE', '-r', '16000', '-c', '1'];
    this.backoffMs = opts.initialBackoffMs ?? 500;
  }

  /** The running arecord's pid, if any. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  async start(): Promise<void> {
    this.isStopping = false;
    this.spawnChild();
  }

  private spawnChild(): void {
    this.restartTimer = null;
    this.discardPartialFrame();
    this.stderrTail = '';
    this.upSince = null;
    const child = spawn(this.opts.command ?? 'arecord', this.args, { stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    this.child = child;
    child.stdout!.on('data', (chunk: Buffer) => {
      if (this.upSince === null) {
        this.upSince = performance.now();
        this.emit('status', { state: 'up' });
      }
      this.pushBytes(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-1024); // bounded
    });
    let isGone = false;
    const gone = (why: string): void => {
      if (isGone) return;
      isGone = true;
      if (this.child === child) this.child = null;
      const stderr = this.stderrTail.trim();
      this.onChildGone(`arecord ${why}${stderr ? `: ${stderr.split('\n').pop()!}` : ''}`);
    };
    // A failed spawn (ENOENT, EACCES) may emit 'error' without 'close'.
    child.once('error', (err) => {
      if (child.pid === undefined) gone(`could not start: ${err.message}`);
    });
    child.once('close', (code, signal) => gone(signal !== null ? `killed by ${signal}` : `exited with code ${String(code)}`));
  }

  private onChildGone(reason: string): void {
    if (this.isStopping) {
      this.emit('status', { state: 'down', reason, restartInMs: null });
      return;
    }
    const stable = this.opts.stableAfterMs ?? 5000;
    if (this.upSince !== null && performance.now() - this.upSince >= stable) this.backoffMs = this.opts.initialBackoffMs ?? 500;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.opts.maxBackoffMs ?? 30_000);
    this.emit('status', { state: 'down', reason, restartInMs: delay });
    this.restartTimer = setTimeout(() => this.spawnChild(), delay);
  }

  /** Stops restarting, terminates arecord (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    this.isStopping = true;
    if (this.restartTimer !== null) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    const child = this.child;
    if (child !== null && child.exitCode === null && child.signalCode === null) {
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.kill('SIGTERM');
      const escalate = setTimeout(() => child.kill('SIGKILL'), 2000); // arecord stuck in the driver
      await gone;
      clearTimeout(escalate);
    }
    this.finish();
  }
}
