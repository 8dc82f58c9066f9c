// The voice pipeline of one site (#12): one MicroFrontend feature stream feeds the wake words and the
// VAD; states idle → listening → recognizing → idle. It knows no MQTT and no assistant: what it hears
// leaves through the `VoiceEvents` callbacks (the daemon's VoiceService turns them into Hermes
// messages and a normal turn). Audio is pushed in any chunk size; pushes are processed in order.
import type { Logger } from 'pino';
import { MicroFrontend } from '../audio/frontend.js';
import { EndOfSpeech, type EndOfSpeechTimings, type SpeechDetector as AudioSpeechDetector } from '../audio/vad.js';
import type { Detection } from '../audio/wakeword.js';

import type { Lang } from './grammar.js';
import type { RecognizerEngine } from './recognizer.js';

export type { Lang } from './grammar.js';
export type { Recognition, RecognizerEngine } from './recognizer.js';

/** Wake-word detection on feature frames (WakeWords fits). */
export interface WakeDetector {
  push(frame: Uint16Array): Promise<Detection[]>;
  reset(): Promise<void>;
}

/** Speech/no-speech decisions on feature frames: src/audio/vad.ts (VoiceActivity or EnergyVoiceActivity). */
export type SpeechDetector = Pick<AudioSpeechDetector, 'kind' | 'push' | 'reset'>;

export type PipelineState = 'idle' | 'listening' | 'recognizing' | 'muted';

export interface ListenStart {
  sessionId: string;
  /** The wake word that started it, or null (MQTT listen, Hermes startListening, a question asked). */
  wakewordId: string | null;
  reason: 'wake' | 'mqtt' | 'hermes' | 'question';
}

export interface CaptureResult {
  sessionId: string;
  wakewordId: string | null;
  /** Recognized text, '' when nothing was recognized (or no engine). */
  text: string;
  score: number | null;
  /** Seconds of command audio. */
  seconds: number;
  /** Why listening ended. */
  end: 'speech-end' | 'timeout' | 'too-long' | 'no-engine' | 'error';
}

export interface VoiceEvents {
  wake(d: Detection): void;
  startListening(s: ListenStart): void;
  /** textCaptured (text may be ''), then stopListening: the service orders the messages. */
  captured(r: CaptureResult): void;
}

export interface PipelineOptions {
  siteId: string;
  lang: Lang;
  wake: WakeDetector | null;
  vad: SpeechDetector;
  timings: Partial<EndOfSpeechTimings>;
  /** Command audio kept at most (ms); longer commands end as 'too-long'. Default 15 s. */
  maxCommandMs?: number;
  /** The engine for a language, or null when there is none. */
  engine: (lang: Lang) => RecognizerEngine | null;
  events: VoiceEvents;
  newSessionId: () => string;
  log: Logger;
  /** Audio waiting to be processed, at most (samples); beyond it the oldest chunk is dropped. Default 30 s. */
  maxQueuedSamples?: number;
}

const SAMPLE_RATE = 16_000;

export class VoicePipeline {
  private readonly frontend = new MicroFrontend();
  private readonly eos: EndOfSpeech;
  private stateValue: PipelineState = 'idle';
  private session: { sessionId: string; wakewordId: string | null } | null = null;
  private command: Int16Array;
  private commandLength = 0;
  private readonly queue: Array<Int16Array | { deadline: string }> = [];
  private deadline: NodeJS.Timeout | null = null;
  private queuedSamples = 0;
  private worker: Promise<void> | null = null;
  private isMuted = false;
  private needsReset = false;
  private vadNeedsReset = false;
  droppedSamples = 0;
  /** Listening requested while muted (a question asked): starts once unmuted. */
  private pendingListen: Omit<ListenStart, 'sessionId'> & { sessionId?: string } | null = null;

  constructor(private readonly o: PipelineOptions) {
    this.eos = new EndOfSpeech(o.timings);
    this.command = new Int16Array(Math.ceil(((o.maxCommandMs ?? 15_000) * SAMPLE_RATE) / 1000));
  }

  get siteId(): string { return this.o.siteId; }
  get state(): PipelineState { return this.isMuted && this.stateValue === 'idle' ? 'muted' : this.stateValue; }

  /** Queue audio (16 kHz mono s16, any length). Never throws; processing happens in order. */
  push(pcm: Int16Array): void {
    if (pcm.length === 0) return;
    this.queue.push(pcm);
    this.queuedSamples += pcm.length;
    const max = this.o.maxQueuedSamples ?? 30 * SAMPLE_RATE;
    while (this.queuedSamples > max && this.queue.length > 1) {
      const dropped = this.queue.shift()!;
      if (!(dropped instanceof Int16Array)) continue;
      this.queuedSamples -= dropped.length;
      this.droppedSamples += dropped.length;
      this.o.log.warn({ siteId: this.o.siteId, droppedSamples: this.droppedSamples }, 'voice: audio queue full; dropped the oldest audio');
    }
    this.kick();
  }

  private kick(): void {
    this.worker ??= this.drain().finally(() => (this.worker = null));
  }

  /** Resolves once every pushed sample has been processed (and any recognition it started has finished). */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Start listening without a wake word. Returns false when already listening or recognizing. */
  listen(reason: ListenStart['reason'], sessionId?: string): boolean {
    if (this.stateValue !== 'idle') return false;
    if (this.isMuted) {
      this.pendingListen = { reason, wakewordId: null, ...(sessionId ? { sessionId } : {}) };
      return true;
    }
    this.begin({ sessionId: sessionId ?? this.o.newSessionId(), wakewordId: null, reason });
    return true;
  }

  /** Forgets timers (daemon stop). */
  close(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
  }

  /** Half duplex: while Wulf speaks, audio is dropped (no wake word hears Wulf); unmuting resets the stream. */
  setMuted(muted: boolean): void {
    if (muted === this.isMuted) return;
    this.isMuted = muted;
    if (!muted) {
      this.needsReset = true;
      if (this.pendingListen && this.stateValue === 'idle') {
        const p = this.pendingListen;
        this.pendingListen = null;
        this.begin({ sessionId: p.sessionId ?? this.o.newSessionId(), wakewordId: null, reason: p.reason });
      }
    }
  }

  private begin(s: ListenStart): void {
    this.stateValue = 'listening';
    this.session = { sessionId: s.sessionId, wakewordId: s.wakewordId };
    this.commandLength = 0;
    this.eos.reset();
    this.vadNeedsReset = true;
    // Wall-clock bound too: a satellite that stops streaming must not leave the site listening forever.
    if (this.deadline) clearTimeout(this.deadline);
    const timeoutMs = this.eos.timings.timeoutMs + 2000;
    this.deadline = setTimeout(() => {
      this.deadline = null;
      this.queue.push({ deadline: s.sessionId });
      this.kick();
    }, timeoutMs);
    this.deadline.unref();
    this.o.events.startListening(s);
  }

  private async drain(): Promise<void> {
    for (let chunk = this.queue.shift(); chunk; chunk = this.queue.shift()) {
      try {
        if (!(chunk instanceof Int16Array)) {
          if (this.stateValue === 'listening' && this.session?.sessionId === chunk.deadline) await this.finish('timeout');
          continue;
        }
        this.queuedSamples -= chunk.length;
        await this.process(chunk);
      } catch (err) {
        this.o.log.error({ err, siteId: this.o.siteId }, 'voice: audio processing failed; back to idle');
        this.stateValue = 'idle';
        this.session = null;
      }
    }
  }

  private async process(chunk: Int16Array): Promise<void> {
    if (this.isMuted) return; // our own voice: not heard
    if (this.needsReset) {
      this.needsReset = false;
      this.frontend.reset();
      await this.o.wake?.reset();
    }
    if (this.stateValue === 'listening') this.keep(chunk);
    for (const frame of this.frontend.process(chunk)) {
      if (this.stateValue === 'idle') {
        const hits = (await this.o.wake?.push(frame)) ?? [];
        const hit = hits[0];
        if (hit) {
          this.o.events.wake(hit);
          this.begin({ sessionId: this.o.newSessionId(), wakewordId: hit.id, reason: 'wake' });
        }
      } else if (this.stateValue === 'listening') {
        if (this.vadNeedsReset) {
          this.vadNeedsReset = false;
          await this.o.vad.reset();
        }
        const d = await this.o.vad.push(frame);
        if (d === null) continue;
        const events = this.eos.push(d.isSpeech, d.durationMs);
        const end = events.find((e) => e.type === 'speech-end' || e.type === 'timeout');
        if (end) await this.finish(end.type === 'speech-end' ? 'speech-end' : 'timeout');
        else if (this.commandLength >= this.command.length) await this.finish('too-long');
      }
    }
  }

  private keep(chunk: Int16Array): void {
    const n = Math.min(chunk.length, this.command.length - this.commandLength);
    this.command.set(chunk.subarray(0, n), this.commandLength);
    this.commandLength += n;
  }

  private async finish(end: CaptureResult['end']): Promise<void> {
    const session = this.session!;
    this.stateValue = 'recognizing';
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = null;
    const pcm = this.command.slice(0, this.commandLength);
    const seconds = pcm.length / SAMPLE_RATE;
    const engine = this.o.engine(this.o.lang);
    let text = '';
    let score: number | null = null;
    if (!engine) {
      this.o.log.warn({ siteId: this.o.siteId, lang: this.o.lang }, `voice: no engine for ${this.o.lang}; command dropped`);
      end = 'no-engine';
    } else {
      try {
        const r = await engine.recognize(pcm);
        if (r) {
          text = r.text;
          score = r.score;
        }
      } catch (err) {
        this.o.log.error({ err, siteId: this.o.siteId }, 'voice: recognizer failed');
        end = 'error';
      }
    }
    this.stateValue = 'idle';
    this.session = null;
    this.needsReset = true; // the wake word starts fresh after a command
    this.o.events.captured({ sessionId: session.sessionId, wakewordId: session.wakewordId, text, score, seconds, end });
  }
}
