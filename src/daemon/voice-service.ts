// The daemon's voice (#12): the local microphone and Hermes satellites each feed a VoicePipeline
// (one per site); a recognized command becomes an ordinary turn (the daemon's runTurn, exactly the
// path of a typed one), and its reply is spoken by one Speaker. Emits the Rhasspy 2.5 Hermes audio
// messages in order. A dead microphone is a status, never a stop. Every inbound payload is checked:
// garbage is logged and dropped.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/index.js';
import type { MemoryStore } from '../memory/index.js';
import {
  audioFrameSite,
  hotwordDetectedPayload,
  parseAsrStartListening,
  parseAudioPlayFinished,
  playFinishedSite,
  sayFinishedPayload,
  startListeningPayload,
  stopListeningPayload,
  textCapturedPayload,
  ttsSayPayload,
  type InboundMessage,
  type MqttLink,
  type ReplyPayload,
  type SharedTopics,
  type Topics,
  type TtsSay,
} from '../mqtt/index.js';
import { ArecordSource, parseWav, to16kMono, VoiceActivity, EnergyVoiceActivity, loadVoiceActivity, WakeWords, loadConfiguredWakeWords, resolveModelsDir, type SpeechDetector, type AudioSource, type SourceStatus } from '../audio/index.js';
import { loadLiteRtRuntime, type LiteRtRuntime } from '../runtime/index.js';
import { AplaySink, FileSink, Speaker, wavSeconds, type AudioSink } from '../voice/index.js';
import { asrService, ttsService } from '../voice/wyoming-services.js';
import { wakeService } from '../voice/wake.js';
import { WyomingServer, type VoiceServices } from '../audio/wyoming.js';
import { VoicePipeline, type CaptureResult, type Lang } from '../voice/pipeline.js';
import type { TurnInput } from '../assistant/index.js';
import type { Recognizers } from '../voice/recognizers.js';

export interface VoiceStatus {
  enabled: boolean;
  available: boolean;
  microphone: { state: 'up' | 'down' | 'off'; reason?: string; restartInMs?: number | null };
  vad: string;
  wakeWords: string[];
  engines: Record<Lang, string>;
  sites: Array<{ siteId: string; state: string }>;
  speaking: boolean;
  /** The Wyoming server's address while it runs; 'off' when disabled, or why it could not start. */
  wyoming: { state: 'off' } | { state: 'listening'; host: string; port: number } | { state: 'failed'; reason: string };
  modelError?: string;
}

export interface VoiceDeps {
  config: Config;
  link: MqttLink;
  topics: Topics;
  shared: SharedTopics;
  store: MemoryStore;
  log: Logger;
  /** The daemon's turn path; `onReply` gets the reply of that turn. */
  runTurn: (input: TurnInput, onReply: (reply: ReplyPayload) => void) => Promise<void>;
  /** Recognizers by language (createRecognizers, built once at start); closed by stop(). */
  recognizers: Recognizers;
  /** Capture source for the local microphone (tests may pass another program). */
  captureCommand?: string;
}

const MAX_SITES = 16;
const OWN_IDS = 64;

export class VoiceService {
  readonly localSite: string;
  private readonly speaker: Speaker;
  private readonly pipelines = new Map<string, Promise<VoicePipeline | null>>();
  private readonly live = new Map<string, VoicePipeline>();
  private source: AudioSource | null = null;
  private mic: VoiceStatus['microphone'] = { state: 'off' };
  private runtime: Promise<LiteRtRuntime> | null = null;
  private vadKind: string;
  private modelError: string | null = null;
  private readonly ownSayIds: string[] = [];
  private readonly ownSessions: string[] = [];
  private isStopped = false;
  private wyoming: WyomingServer | null = null;
  private wyomingState: VoiceStatus['wyoming'] = { state: 'off' };
  /** playBytes sent to satellites, by request id, until their playFinished (or the timeout). */
  private readonly plays = new Map<string, { siteId: string; done: () => void }>();
  /** Satellites playing a reply now (their wake word is muted meanwhile, as for the local speaker). */
  private readonly playingSites = new Map<string, number>();

  constructor(private readonly d: VoiceDeps) {
    this.localSite = d.config.deviceId;
    const tts = d.config.audio.tts;
    const sink: AudioSink = tts.sink.kind === 'file' ? new FileSink(path.resolve(tts.sink.dir)) : new AplaySink(tts.device);
    this.speaker = new Speaker(tts, sink, d.log.child({ part: 'tts' }));
    this.speaker.onSpeaking((e) => {
      for (const siteId of this.live.keys()) this.refreshMute(siteId, e.isSpeaking);
    });
    // What loadVad will pick (the VAD itself loads with a site's pipeline, on first audio).
    const v = d.config.audio.vad;
    const hasModel = existsSync(path.join(resolveModelsDir(d.config.audio.modelsDir), `${v.id}.tflite`));
    this.vadKind = v.kind === 'energy' ? 'energy' : hasModel ? `model:${v.id}` : v.kind === 'auto' ? 'energy (no vad model)' : 'energy (vad model missing)';
  }

  static subscriptionsFor(config: Config, t: Topics, shared: SharedTopics): string[] {
    const subs = [t.listen];
    if (config.hermes.enabled) {
      subs.push(shared.hermesAsrStartListening);
      if (config.hermes.audio) subs.push(shared.hermesAudioFrame('+'), shared.hermesAudioPlayFinished('+'));
    }
    return subs;
  }

  private siteIds(): string[] {
    return this.d.config.hermes.siteIds ?? ['default', this.d.config.deviceId];
  }

  /**
   * A satellite: one of our site ids that is neither this board (its device id) nor "default" (Rhasspy's
   * name for the base itself, and what `wulf listen` speaks as). Its replies go back to it as playBytes.
   */
  private isSatellite(siteId: string): boolean {
    return siteId !== this.localSite && siteId !== 'default' && this.d.config.hermes.enabled && this.d.config.hermes.audio && this.siteIds().includes(siteId);
  }

  /** Starts the Wyoming server when enabled, and the local microphone when audio is enabled; satellites need nothing started. */
  async start(): Promise<void> {
    if (this.d.config.audio.wyoming.enabled) await this.startWyoming();
    if (!this.d.config.audio.enabled) return;
    const src = new ArecordSource({ command: this.d.captureCommand ?? this.d.config.audio.captureCommand, maxQueuedFrames: 100 });
    this.source = src;
    this.mic = { state: 'down', reason: 'starting', restartInMs: null };
    src.on('status', (s: SourceStatus) => this.onMicStatus(s));
    src.on('error', (err) => this.d.log.warn({ err }, 'microphone error'));
    const pipeline = this.pipeline(this.localSite);
    src.on('frame', (frame) => {
      void pipeline.then((p) => p?.push(frame));
    });
    await src.start();
  }

  /**
   * The Wyoming server over the daemon's own engines: the recognizers by language, the Speaker's
   * espeak-ng synthesis, the configured wake words. A failure (port taken, models missing) is logged
   * and shown in status; the daemon runs on without it.
   */
  private async startWyoming(): Promise<void> {
    const { config, log } = this.d;
    const w = config.audio.wyoming;
    try {
      this.runtime ??= loadLiteRtRuntime();
      const services: VoiceServices = {
        asr: asrService(this.d.recognizers, config.language),
        tts: ttsService(config.audio.tts, w.maxTextChars, config.language),
        wake: await wakeService(await this.runtime, config.audio),
      };
      this.wyoming = await WyomingServer.start(services, { host: w.host, port: w.port, maxAudioBytes: w.maxAudioBytes, maxPayloadBytes: w.maxPayloadBytes, maxTextChars: w.maxTextChars, maxConnections: w.maxConnections, log: log.child({ part: 'wyoming' }) });
      this.wyomingState = { state: 'listening', ...this.wyoming.address() };
    } catch (err) {
      this.wyomingState = { state: 'failed', reason: err instanceof Error ? err.message : String(err) };
      log.error({ err, host: w.host, port: w.port }, 'voice: the Wyoming server did not start; the daemon runs without it');
    }
  }

  private onMicStatus(s: SourceStatus): void {
    const was = this.mic.state;
    this.mic = s.state === 'up' ? { state: 'up' } : { state: 'down', reason: s.reason, restartInMs: s.restartInMs };
    if (s.state !== was) {
      if (s.state === 'up') this.d.log.info('microphone up');
      else this.d.log.warn({ reason: s.reason, restartInMs: s.restartInMs }, 'microphone down');
    }
  }

  /** Handles one of the voice topics; false when the topic is not ours. Never throws. */
  handle(msg: InboundMessage): boolean {
    const { topics, shared } = this.d;
    if (msg.topic === topics.listen) {
      this.onListen(msg);
      return true;
    }
    if (msg.topic === shared.hermesAsrStartListening) {
      this.onStartListening(msg);
      return true;
    }
    const site = audioFrameSite(msg.topic);
    if (site !== null) {
      this.onAudioFrame(site, msg);
      return true;
    }
    const played = playFinishedSite(msg.topic);
    if (played !== null) {
      this.onPlayFinished(played, msg);
      return true;
    }
    return false;
  }

  private onListen(msg: InboundMessage): void {
    const raw = msg.payload.subarray(0, 256).toString('utf8').trim();
    const site = raw === '' ? this.localSite : raw;
    if (!this.siteIds().includes(site) && site !== this.localSite) return this.ignore(msg, `site ${JSON.stringify(site.slice(0, 64))} is not one of ours`);
    void this.pipeline(site).then((p) => {
      if (p && !p.listen('mqtt')) this.d.log.info({ siteId: site }, 'listen: already listening');
    });
  }

  private onStartListening(msg: InboundMessage): void {
    const s = parseAsrStartListening(msg.payload);
    if ('error' in s) return this.ignore(msg, s.error);
    if (!this.siteIds().includes(s.siteId)) return;
    // Our own startListening (after a wake word) comes back from the broker: it has our session.
    if (s.sessionId && this.ownSessions.includes(s.sessionId)) return;
    void this.pipeline(s.siteId).then((p) => p?.listen('hermes', s.sessionId ?? undefined));
  }

  private onAudioFrame(site: string, msg: InboundMessage): void {
    if (!this.siteIds().includes(site)) return; // another board's satellite
    const max = this.d.config.hermes.maxAudioFrameBytes;
    if (msg.payload.length > max) return this.ignore(msg, `audio frame of ${msg.payload.length} bytes is over ${max}`);
    let pcm: Int16Array;
    try {
      const wav = parseWav(msg.payload, `audioFrame from ${site}`);
      if (wav.bitsPerSample !== 16) throw new Error(`${wav.bitsPerSample}-bit audio, expected 16`);
      if (wav.sampleRate < 8000 || wav.sampleRate > 48_000) throw new Error(`sample rate ${wav.sampleRate} Hz is out of 8000..48000`);
      pcm = to16kMono(wav);
    } catch (err) {
      return this.ignore(msg, err instanceof Error ? err.message : String(err));
    }
    void this.pipeline(site).then((p) => p?.push(pcm));
  }

  private onPlayFinished(site: string, msg: InboundMessage): void {
    const f = parseAudioPlayFinished(msg.payload);
    if ('error' in f) return this.ignore(msg, f.error);
    const play = f.id ? this.plays.get(f.id) : undefined;
    if (!play || play.siteId !== site) return; // another program's playBytes, or one that timed out
    play.done();
  }

  /** The pipeline of a site, created (models loaded) on first use; null when the models cannot load. */
  private pipeline(siteId: string): Promise<VoicePipeline | null> {
    let p = this.pipelines.get(siteId);
    if (p) return p;
    if (this.pipelines.size >= MAX_SITES) {
      this.d.log.warn({ siteId, max: MAX_SITES }, 'voice: too many sites; audio dropped');
      return Promise.resolve(null);
    }
    p = this.createPipeline(siteId).catch((err: unknown) => {
      this.modelError = err instanceof Error ? err.message : String(err);
      this.d.log.error({ err, siteId }, 'voice: cannot load the voice models; audio from this site is dropped');
      return null;
    });
    this.pipelines.set(siteId, p);
    return p;
  }

  private async createPipeline(siteId: string): Promise<VoicePipeline> {
    const { config, log } = this.d;
    this.runtime ??= loadLiteRtRuntime();
    const runtime = await this.runtime;
    const wake: WakeWords = await loadConfiguredWakeWords(runtime, config.audio);
    const vad = await this.loadVad(runtime);
    const pipeline = new VoicePipeline({
      siteId,
      lang: config.language,
      wake,
      vad,
      timings: config.audio.endOfSpeech,
      maxCommandMs: config.audio.maxCommandMs,
      engine: (lang) => this.d.recognizers.engines[lang] ?? null,
      newSessionId: () => this.remember(this.ownSessions, randomUUID()),
      log: log.child({ siteId }),
      events: {
        wake: (det) => {
          log.info({ siteId, wakeword: det.id, probability: det.probability }, 'wake word');
          this.send(this.d.shared.hermesHotwordDetected(det.id), hotwordDetectedPayload({ modelId: det.id, sensitivity: 1, siteId, sessionId: null, lang: config.language }));
        },
        startListening: (s) => {
          log.info({ siteId, reason: s.reason, sessionId: s.sessionId }, 'listening');
          this.send(this.d.shared.hermesAsrStartListening, startListeningPayload({ siteId, sessionId: s.sessionId, lang: config.language, wakewordId: s.wakewordId }));
        },
        captured: (c) => this.onCaptured(siteId, c),
      },
    });
    pipeline.setMuted(this.speaker.isSpeaking);
    this.live.set(siteId, pipeline);
    return pipeline;
  }

  /** One VAD story (config audio.vad.kind): auto = the model when installed, else energy; or forced. */
  private async loadVad(runtime: LiteRtRuntime): Promise<SpeechDetector> {
    const { config, log } = this.d;
    const v = config.audio.vad;
    const energyOptions = Object.fromEntries(Object.entries(v.energy).filter(([, x]) => x !== undefined));
    const dir = resolveModelsDir(config.audio.modelsDir);
    let vad: SpeechDetector;
    if (v.kind === 'energy') vad = new EnergyVoiceActivity(energyOptions);
    else if (v.kind === 'auto') vad = await loadVoiceActivity(runtime, dir, { id: v.id, energy: energyOptions, log: (msg, details) => log.warn(details, `voice: ${msg}`) });
    else {
      try {
        vad = await VoiceActivity.load(runtime, dir, v.id);
      } catch (err) {
        log.error({ err: (err as Error).message }, 'voice: audio.vad.kind is model but the vad model cannot load; using the energy VAD');
        vad = new EnergyVoiceActivity(energyOptions);
        this.vadKind = 'energy (vad model missing)';
        return vad;
      }
    }
    this.vadKind = vad.kind === 'model' ? `model:${v.id}` : v.kind === 'energy' ? 'energy' : 'energy (no vad model)';
    return vad;
  }

  private send(topic: string, payload: string): void {
    if (this.d.config.hermes.enabled) this.d.link.send(topic, payload);
  }

  private onCaptured(siteId: string, c: CaptureResult): void {
    const { shared, config, log } = this.d;
    log.info({ siteId, text: c.text, score: c.score, seconds: c.seconds, end: c.end }, c.text ? 'voice command' : 'no command recognized');
    this.send(shared.hermesAsrTextCaptured, textCapturedPayload({ text: c.text, likelihood: c.text ? 1 : 0, seconds: c.seconds, siteId, sessionId: c.sessionId, wakewordId: c.wakewordId, lang: config.language }));
    this.send(shared.hermesAsrStopListening, stopListeningPayload({ siteId, sessionId: c.sessionId }));
    if (!c.text) return;
    const input: TurnInput = { id: `voice-${c.sessionId}-${randomUUID().slice(0, 8)}`, text: c.text, lang: config.language, channel: 'voice', session: `voice:${siteId}` };
    void this.d.runTurn(input, (reply) => void this.speakReply(siteId, c.sessionId, reply));
  }

  /** Speaks a voice turn's reply (when voice is on), then listens again if Wulf asked a question. */
  private async speakReply(siteId: string, sessionId: string, reply: ReplyPayload): Promise<void> {
    const asked = (reply.data as { awaitingConfirmation?: boolean } | undefined)?.awaitingConfirmation === true;
    if (this.d.store.data.settings.voiceEnabled && reply.text.trim()) {
      const id = randomUUID();
      this.remember(this.ownSayIds, id);
      this.send(this.d.shared.hermesTtsSay, ttsSayPayload({ text: reply.text, siteId, lang: this.d.config.language, id, sessionId }));
      await this.speakAt(siteId, reply.text, this.d.config.language, sessionId);
      this.send(this.d.shared.hermesTtsSayFinished, sayFinishedPayload({ text: reply.text, siteId, id, sessionId }));
    }
    if (asked && !this.isStopped) this.live.get(siteId)?.listen('question', sessionId);
  }

  /** Hermes tts/say from another program: spoken when voice is on, then sayFinished. */
  say(s: TtsSay): void {
    if (s.id && this.ownSayIds.includes(s.id)) return; // our own, already being spoken
    const lang: Lang = s.lang?.startsWith('fr') ? 'fr' : s.lang?.startsWith('en') ? 'en' : this.d.config.language;
    const done = this.d.store.data.settings.voiceEnabled && s.text.trim() ? this.speakAt(s.siteId, s.text, lang, s.sessionId ?? null) : Promise.resolve(false);
    void done.then(() => this.d.link.send(this.d.shared.hermesTtsSayFinished, sayFinishedPayload(s)));
  }

  /**
   * Speaks `text` where the site is: on the board's sink for the board's own sites; for a satellite,
   * as Hermes playBytes to that satellite (Rhasspy's base plays nothing locally for it), resolved on its
   * playFinished or after the audio's length plus hermes.playFinishedSlackMs. True when played.
   */
  private async speakAt(siteId: string, text: string, lang: Lang, sessionId: string | null): Promise<boolean> {
    if (!this.isSatellite(siteId)) return this.speaker.speak(text, lang);
    const wav = await this.speaker.synthesizeWav(text, lang);
    if (!wav || this.isStopped) return false;
    const requestId = randomUUID();
    const timeoutMs = Math.ceil(wavSeconds(wav) * 1000) + this.d.config.hermes.playFinishedSlackMs;
    this.setPlaying(siteId, +1);
    try {
      return await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => {
          this.plays.delete(requestId);
          this.d.log.warn({ siteId, requestId, timeoutMs }, 'voice: no playFinished from the satellite in time; going on');
          resolve(false);
        }, timeoutMs);
        this.plays.set(requestId, {
          siteId,
          done: () => {
            clearTimeout(timer);
            this.plays.delete(requestId);
            resolve(true);
          },
        });
        this.d.log.info({ siteId, requestId, sessionId, bytes: wav.length }, 'voice: reply sent to the satellite');
        this.d.link.send(this.d.shared.hermesAudioPlayBytes(siteId, requestId), wav);
      });
    } finally {
      this.setPlaying(siteId, -1);
    }
  }

  private setPlaying(siteId: string, delta: number): void {
    const n = (this.playingSites.get(siteId) ?? 0) + delta;
    if (n > 0) this.playingSites.set(siteId, n);
    else this.playingSites.delete(siteId);
    this.refreshMute(siteId, this.speaker.isSpeaking);
  }

  /** A site's wake word is muted while the board speaks or while that satellite plays a reply. */
  private refreshMute(siteId: string, isBoardSpeaking: boolean): void {
    this.live.get(siteId)?.setMuted(isBoardSpeaking || this.playingSites.has(siteId));
  }

  /** Ids of messages we sent, so their echo from the broker is not taken as a request (bounded). */
  private remember(list: string[], id: string): string {
    list.push(id);
    if (list.length > OWN_IDS) list.shift();
    return id;
  }

  status(): VoiceStatus {
    const engines = { ...this.d.recognizers.status };
    return {
      enabled: this.d.store.data.settings.voiceEnabled,
      available: this.modelError === null && this.d.recognizers.engines[this.d.config.language] !== undefined,
      microphone: this.mic,
      vad: this.vadKind,
      wakeWords: this.d.config.audio.wake.words.map((w) => w.id),
      engines,
      sites: [...this.live.values()].map((p) => ({ siteId: p.siteId, state: p.state })),
      speaking: this.speaker.isSpeaking,
      wyoming: this.wyomingState,
      ...(this.modelError ? { modelError: this.modelError } : {}),
    };
  }

  /** Test and shutdown helper: waits until queued audio and speech are done. */
  async idle(): Promise<void> {
    for (const p of this.live.values()) await p.idle();
    await this.speaker.idle();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    for (const play of [...this.plays.values()]) play.done();
    await this.wyoming?.close();
    this.wyoming = null;
    for (const p of this.live.values()) p.close();
    await this.source?.stop().catch((err: unknown) => this.d.log.warn({ err }, 'microphone stop failed'));
    await this.speaker.stop();
    await this.d.recognizers.close().catch((err: unknown) => this.d.log.warn({ err }, 'recognizer close failed'));
  }

  private ignore(msg: InboundMessage, reason: string): void {
    this.d.log.warn({ topic: msg.topic.slice(0, 200), reason: reason.slice(0, 300), bytes: msg.payload.length }, 'ignored malformed message');
  }
}
