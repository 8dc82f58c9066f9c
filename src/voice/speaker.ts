// The speech-out queue: one utterance at a time, in order, at most `maxQueued` waiting (the oldest
// waiting one is dropped, with a log line). Tells listeners when speaking starts and ends (half duplex:
// the wake word is muted in between). Synthesis and sinks live in tts.ts.
import type { Logger } from 'pino';
import type { TtsConfig } from '../config/index.js';
import { speakableText, synthesize, type AudioSink } from './tts.js';

export interface Utterance {
  text: string;
  lang: 'en' | 'fr';
  /** Called once when the utterance was played (true) or dropped, cut or failed (false). */
  done?: (isSpoken: boolean) => void;
}

export interface SpeakingEvent {
  isSpeaking: boolean;
  utterance: Utterance;
}

export class Speaker {
  private readonly waiting: Utterance[] = [];
  private readonly listeners = new Set<(e: SpeakingEvent) => void>();
  private current: AbortController | null = null;
  private worker: Promise<void> | null = null;
  private isStopped = false;

  constructor(
    private readonly cfg: TtsConfig,
    private readonly sink: AudioSink,
    private readonly log: Logger,
    /** Synthesizer program (tests put a fake one here). */
    private readonly program = 'espeak-ng',
  ) {}

  /** Subscribe to start/end of speech; returns the unsubscribe function. */
  onSpeaking(fn: (e: SpeakingEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  get isSpeaking(): boolean {
    return this.current !== null;
  }

  get queuedCount(): number {
    return this.waiting.length;
  }

  /** Queue a reply to be spoken. Returns false when there is nothing to say or the speaker is stopped. */
  say(text: string, lang: Utterance['lang'], done?: (isSpoken: boolean) => void): boolean {
    if (this.isStopped || !text.trim()) return false;
    if (this.waiting.length >= this.cfg.maxQueued) {
      const dropped = this.waiting.shift()!;
      dropped.done?.(false);
      this.log.warn({ droppedChars: dropped.text.length, maxQueued: this.cfg.maxQueued }, 'tts queue full: dropped the oldest waiting utterance');
    }
    this.waiting.push({ text, lang, ...(done ? { done } : {}) });
    this.worker ??= this.drain().finally(() => (this.worker = null));
    return true;
  }

  /** Speak and resolve when done: true when played, false when refused, dropped, cut or failed. */
  speak(text: string, lang: Utterance['lang']): Promise<boolean> {
    return new Promise((resolve) => {
      if (!this.say(text, lang, resolve)) resolve(false);
    });
  }

  /**
   * The WAV of `text`, made as speakOne makes it (speakable + wavOf) but played nowhere:
   * for a satellite, which plays it itself. Null when there is nothing to say or synthesis failed.
   */
  async synthesizeWav(text: string, lang: Utterance['lang']): Promise<Buffer | null> {
    if (this.isStopped) return null;
    const speakable = this.speakable(text);
    if (!speakable) return null;
    try {
      return await this.wavOf(speakable, lang);
    } catch (err) {
      this.log.warn({ err }, 'tts: utterance not synthesized');
      return null;
    }
  }

  /** Resolves when the queue is empty and nothing is being spoken. */
  async idle(): Promise<void> {
    while (this.worker) await this.worker;
  }

  /** Drop everything waiting, cut the current utterance short, and refuse new ones. */
  async stop(): Promise<void> {
    this.isStopped = true;
    for (const u of this.waiting.splice(0)) u.done?.(false);
    this.current?.abort();
    await this.idle();
    this.listeners.clear();
  }

  private async drain(): Promise<void> {
    for (let u = this.waiting.shift(); u && !this.isStopped; u = this.waiting.shift()) await this.speakOne(u);
  }

  /** What espeak-ng will say: `text` cleaned and cut to maxChars (logged when cut); empty when nothing is left. */
  private speakable(text: string): string {
    const s = speakableText(text, this.cfg.maxChars);
    if (s.isTruncated) this.log.info({ chars: text.length, maxChars: this.cfg.maxChars }, 'tts: reply cut to maxChars');
    return s.text;
  }

  /** The WAV of already speakable text, in the configured voice for `lang`. */
  private wavOf(text: string, lang: Utterance['lang'], signal?: AbortSignal): Promise<Buffer> {
    return synthesize(text, { voice: this.cfg.voices[lang], speedWpm: this.cfg.speedWpm, timeoutMs: this.cfg.timeoutMs, program: this.program, ...(signal ? { signal } : {}) });
  }

  private async speakOne(u: Utterance): Promise<void> {
    const text = this.speakable(u.text);
    if (!text) return u.done?.(false);
    let isSpoken = false;
    const abort = new AbortController();
    this.current = abort;
    try {
      const wav = await this.wavOf(text, u.lang, abort.signal);
      this.emit({ isSpeaking: true, utterance: u });
      try {
        await this.sink.play(wav, abort.signal);
        isSpoken = !abort.signal.aborted;
      } finally {
        this.emit({ isSpeaking: false, utterance: u });
      }
    } catch (err) {
      this.log.warn({ err }, 'tts: utterance not spoken');
    } finally {
      this.current = null;
      u.done?.(isSpoken);
    }
  }

  private emit(e: SpeakingEvent): void {
    for (const fn of this.listeners) {
      try {
        fn(e);
      } catch (err) {
        this.log.warn({ err }, 'tts: a speaking listener threw');
      }
    }
  }
}
