// A Wyoming protocol server (Home Assistant, Rhasspy 3): TCP, one event per JSON header line
// `{"type", "data"?, "data_length"?, "payload_length"?}\n`, then data_length bytes of JSON that
// extend "data", then payload_length bytes of payload (audio). Services: describe → info;
// transcribe + audio → transcript; synthesize → audio; detect + audio → detection / not-detected.
// The engines sit behind VoiceServices, so the daemon wires the real ones and tests can wire others.
// Every size a client controls is bounded; a bad event gets an `error` event, never a crash.

import net from 'node:net';
import type { Logger } from 'pino';
import { Resampler } from './resample.js';

// --- what the server needs from the engines -------------------------------------------------------

export interface Attribution { name: string; url: string }

/** One installed model or voice as `info` describes it. */
export interface ArtifactInfo {
  name: string;
  description?: string;
  version?: string;
  attribution?: Attribution;
  languages: string[];
}

export interface WakeModelInfo extends ArtifactInfo {
  /** What to say ("Okay Nabu"). */
  phrase: string;
}

export interface WakeHit {
  /** Model name, as listed in info. */
  name: string;
  /** Stream time of the detection, ms since the audio started. */
  atMs: number;
}

/** One client's detection stream: 16 kHz mono s16 in, detections out. */
export interface WakeStream {
  push(pcm: Int16Array): Promise<WakeHit[]> | WakeHit[];
  release(): Promise<void> | void;
}

export interface VoiceServices {
  asr?: {
    program: Omit<ArtifactInfo, 'languages'>;
    models: ArtifactInfo[];
    /** 16 kHz mono s16. null: nothing recognised (sent as an empty transcript). */
    transcribe(pcm: Int16Array, language?: string): Promise<{ text: string; score?: number } | null>;
  };
  tts?: {
    program: Omit<ArtifactInfo, 'languages'>;
    voices: ArtifactInfo[];
    /** voice: a name from `voices` (the first when absent). */
    synthesize(text: string, voice?: string): Promise<{ sampleRate: number; samples: Int16Array }>;
  };
  wake?: {
    program: Omit<ArtifactInfo, 'languages'>;
    models: WakeModelInfo[];
    /** A fresh stream per request; names: the models to listen for (all when absent). */
    open(names?: string[]): Promise<WakeStream>;
  };
}

export interface WyomingServerOptions {
  host: string;
  /** 0: any free port (see address()). */
  port: number;
  /** Audio one transcribe request may send (bytes as sent); more → error, connection closed. */
  maxAudioBytes: number;
  /** Largest payload of one event. */
  maxPayloadBytes: number;
  maxTextChars: number;
  maxConnections: number;
  /** Longest header line (bytes, without the newline). Default 16 KiB. */
  maxHeaderBytes?: number;
  /** Largest extra JSON data of one event. Default 64 KiB. */
  maxDataBytes?: number;
  /** Samples per audio-chunk event in synthesize answers. Default 1024. */
  samplesPerChunk?: number;
  /** Wulf's version, in info. */
  version?: string;
  log?: Logger;
}

export interface WyomingEvent {
  type: string;
  data: Record<string, unknown>;
  payload: Buffer | null;
}

/** error codes sent to clients */
export type WyomingErrorCode =
  | 'bad-header' | 'header-too-long' | 'data-too-large' | 'payload-too-large' | 'audio-too-long' | 'bad-audio'
  | 'not-supported' | 'bad-request' | 'busy' | 'engine-failed' | 'text-too-long' | 'unknown-voice' | 'unknown-wake-word';

const WULF: Attribution = { name: 'Wulf', url: 'https://github.com/wulf' };
const SAMPLE_RATE = 16_000;

/** Encodes one event as the wire bytes (header line, data, payload), as the wyoming package writes it. */
export function encodeEvent(type: string, data?: Record<string, unknown>, payload?: Uint8Array, version?: string): Buffer {
  const header: Record<string, unknown> = { type };
  if (version !== undefined) header['version'] = version;
  let dataBytes: Buffer | null = null;
  if (data !== undefined && Object.keys(data).length > 0) {
    dataBytes = Buffer.from(JSON.stringify(data), 'utf8');
    header['data_length'] = dataBytes.length;
  }
  if (payload !== undefined && payload.length > 0) header['payload_length'] = payload.length;
  const parts: Buffer[] = [Buffer.from(`${JSON.stringify(header)}\n`, 'utf8')];
  if (dataBytes !== null) parts.push(dataBytes);
  if (payload !== undefined && payload.length > 0) parts.push(Buffer.from(payload));
  return Buffer.concat(parts);
}

class ProtocolError extends Error {
  constructor(message: string, readonly code: WyomingErrorCode, readonly fatal: boolean) { super(message); }
}

const isLength = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Splits a byte stream into events. Returns the events complete so far; a malformed header line is
 * reported (non-fatal: the line is skipped), an oversized one is fatal (no way to resynchronise).
 */
export class EventReader {
  private buf: Buffer = Buffer.alloc(0);
  private pending: { type: string; data: Record<string, unknown>; dataLength: number; payloadLength: number } | null = null;

  constructor(private readonly limits: { maxHeaderBytes: number; maxDataBytes: number; maxPayloadBytes: number }) {}

  /** Feeds bytes; calls onEvent per complete event and onError per bad one (stop at a fatal error). */
  feed(chunk: Buffer, onEvent: (e: WyomingEvent) => void, onError: (e: ProtocolError) => void): void {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    for (;;) {
      if (this.pending === null) {
        const nl = this.buf.indexOf(0x0a);
        if (nl < 0) {
          if (this.buf.length > this.limits.maxHeaderBytes) {
            onError(new ProtocolError(`header line longer than ${this.limits.maxHeaderBytes} bytes`, 'header-too-long', true));
            this.buf = Buffer.alloc(0);
          }
          return;
        }
        if (nl > this.limits.maxHeaderBytes) {
          onError(new ProtocolError(`header line longer than ${this.limits.maxHeaderBytes} bytes`, 'header-too-long', true));
          this.buf = Buffer.alloc(0);
          return;
        }
        const line = this.buf.subarray(0, nl).toString('utf8').trim();
        this.buf = this.buf.subarray(nl + 1);
        if (line === '') continue;
        let header: unknown;
        try { header = JSON.parse(line); } catch (err) {
          onError(new ProtocolError(`header line is not JSON (${(err as Error).message})`, 'bad-header', false));
          continue;
        }
        if (!isRecord(header) || typeof header['type'] !== 'string' || header['type'] === '') {
          onError(new ProtocolError('header line is not an object with a "type" string', 'bad-header', false));
          continue;
        }
        const dataLength = header['data_length'] ?? 0;
        const payloadLength = header['payload_length'] ?? 0;
        const data = header['data'] ?? {};
        if (!isLength(dataLength) || !isLength(payloadLength) || !isRecord(data)) {
          // The lengths cannot be trusted, so neither can the bytes after this line.
          onError(new ProtocolError('header has a bad data, data_length or payload_length', 'bad-header', true));
          this.buf = Buffer.alloc(0);
          return;
        }
        if (dataLength > this.limits.maxDataBytes) {
          onError(new ProtocolError(`data_length ${dataLength} exceeds the limit of ${this.limits.maxDataBytes} bytes`, 'data-too-large', true));
          this.buf = Buffer.alloc(0);
          return;
        }
        if (payloadLength > this.limits.maxPayloadBytes) {
          onError(new ProtocolError(`payload_length ${payloadLength} exceeds the limit of ${this.limits.maxPayloadBytes} bytes`, 'payload-too-large', true));
          this.buf = Buffer.alloc(0);
          return;
        }
        this.pending = { type: header['type'], data, dataLength, payloadLength };
      }
      const p = this.pending;
      if (this.buf.length < p.dataLength + p.payloadLength) return;
      let data = p.data;
      if (p.dataLength > 0) {
        let extra: unknown;
        try { extra = JSON.parse(this.buf.subarray(0, p.dataLength).toString('utf8')); } catch { extra = null; }
        if (!isRecord(extra)) {
          onError(new ProtocolError(`${p.type}: the ${p.dataLength} data bytes are not a JSON object`, 'bad-header', false));
          this.buf = this.buf.subarray(p.dataLength + p.payloadLength);
          this.pending = null;
          continue;
        }
        data = { ...data, ...extra };
      }
      const payload = p.payloadLength > 0 ? Buffer.from(this.buf.subarray(p.dataLength, p.dataLength + p.payloadLength)) : null;
      this.buf = this.buf.subarray(p.dataLength + p.payloadLength);
      this.pending = null;
      onEvent({ type: p.type, data, payload });
    }
  }
}

// --- audio format conversion ------------------------------------------------------------------------

export interface AudioFormat { rate: number; width: number; channels: number }

function parseFormat(data: Record<string, unknown>, what: string): AudioFormat {
  const { rate, width, channels } = data;
  if (!(typeof rate === 'number' && Number.isInteger(rate) && rate >= 1000 && rate <= 384_000)) throw new ProtocolError(`${what}: rate must be an integer in 1000..384000 (got ${JSON.stringify(rate)})`, 'bad-audio', false);
  if (!(width === 1 || width === 2 || width === 3 || width === 4)) throw new ProtocolError(`${what}: width must be 1, 2, 3 or 4 bytes (got ${JSON.stringify(width)})`, 'bad-audio', false);
  if (!(typeof channels === 'number' && Number.isInteger(channels) && channels >= 1 && channels <= 8)) throw new ProtocolError(`${what}: channels must be 1..8 (got ${JSON.stringify(channels)})`, 'bad-audio', false);
  return { rate, width, channels };
}

/**
 * Any PCM a client states (width 1 = unsigned 8-bit, 2/3/4 = signed little-endian; interleaved
 * channels; any rate) to 16 kHz mono s16, chunk by chunk.
 */
export class AudioConverter {
  private readonly resampler: Resampler;
  private readonly frameBytes: number;
  private carry: Buffer = Buffer.alloc(0);

  constructor(readonly format: AudioFormat) {
    this.resampler = new Resampler(format.rate, SAMPLE_RATE);
    this.frameBytes = format.width * format.channels;
  }

  push(bytes: Buffer): Int16Array {
    const all = this.carry.length === 0 ? bytes : Buffer.concat([this.carry, bytes]);
    const frames = Math.floor(all.length / this.frameBytes);
    this.carry = Buffer.from(all.subarray(frames * this.frameBytes));
    const { width, channels } = this.format;
    const mono = new Int16Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < channels; c++) {
        const o = f * this.frameBytes + c * width;
        sum += width === 1 ? (all[o]! - 128) * 256 : width === 2 ? all.readInt16LE(o) : width === 3 ? all.readIntLE(o, 3) >> 8 : all.readInt32LE(o) >> 16;
      }
      mono[f] = Math.round(sum / channels);
    }
    return this.resampler.push(mono);
  }

  flush(): Int16Array { return this.resampler.flush(); }
}

// --- the server ---------------------------------------------------------------------------------------

function artifact(a: Omit<ArtifactInfo, 'languages'>, version: string | undefined): Record<string, unknown> {
  return {
    name: a.name,
    attribution: a.attribution ?? WULF,
    installed: true,
    description: a.description ?? null,
    version: a.version ?? version ?? null,
  };
}

/** The `info` event's data for these services: only what is really there. */
export function describeServices(services: VoiceServices, version?: string): Record<string, unknown> {
  const info: Record<string, unknown> = { asr: [], tts: [], handle: [], intent: [], wake: [], mic: [], snd: [] };
  if (services.asr !== undefined) {
    info['asr'] = [{
      ...artifact(services.asr.program, version),
      models: services.asr.models.map((m) => ({ ...artifact(m, version), languages: m.languages })),
      supports_transcript_streaming: false,
    }];
  }
  if (services.tts !== undefined) {
    info['tts'] = [{
      ...artifact(services.tts.program, version),
      voices: services.tts.voices.map((v) => ({ ...artifact(v, version), languages: v.languages, speakers: null })),
      supports_synthesize_streaming: false,
    }];
  }
  if (services.wake !== undefined) {
    info['wake'] = [{
      ...artifact(services.wake.program, version),
      models: services.wake.models.map((m) => ({ ...artifact(m, version), languages: m.languages, phrase: m.phrase })),
    }];
  }
  return info;
}

type Request =
  | { kind: 'none' }
  | { kind: 'transcribe'; language?: string; converter: AudioConverter | null; parts: Int16Array[]; bytes: number }
  | { kind: 'detect'; names?: string[]; converter: AudioConverter | null; stream: WakeStream | null; detected: boolean; startMs: number };

class Connection {
  private readonly reader: EventReader;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private request: Request = { kind: 'none' };
  private closed = false;
  /** After a fatal framing error: the rest of the stream cannot be parsed. */
  private stopReading = false;

  constructor(private readonly server: WyomingServer, private readonly socket: net.Socket, private readonly log: Logger | undefined) {
    const o = server.limits;
    this.reader = new EventReader({ maxHeaderBytes: o.maxHeaderBytes, maxDataBytes: o.maxDataBytes, maxPayloadBytes: o.maxPayloadBytes });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => { this.log?.debug({ err: err.message }, 'wyoming: socket error'); });
    socket.on('close', () => { this.closed = true; void this.enqueue(() => this.endRequest()); });
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.stopReading) return;
    this.reader.feed(chunk, (e) => {
      this.queued++;
      // Backpressure: stop reading while the engines are behind.
      if (this.queued > 32) this.socket.pause();
      void this.enqueue(async () => {
        try { await this.handle(e); } finally { if (--this.queued <= 8) this.socket.resume(); }
      });
    }, (err) => {
      if (err.fatal) this.stopReading = true;
      void this.enqueue(() => this.fail(err));
    });
  }

  private enqueue(task: () => Promise<void> | void): Promise<void> {
    this.queue = this.queue.then(async () => {
      try { await task(); } catch (err) {
        if (err instanceof ProtocolError) await this.fail(err);
        else { this.log?.error({ err }, 'wyoming: engine failed'); await this.fail(new ProtocolError(`engine failed: ${(err as Error).message}`, 'engine-failed', false)); }
      }
    });
    return this.queue;
  }

  send(type: string, data?: Record<string, unknown>, payload?: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    this.socket.write(encodeEvent(type, data, payload, this.server.version));
  }

  private async fail(err: ProtocolError): Promise<void> {
    if (this.closed) return;
    this.log?.warn({ code: err.code, fatal: err.fatal, remote: this.socket.remoteAddress }, `wyoming: ${err.message}`);
    this.send('error', { text: err.message, code: err.code });
    if (err.fatal) {
      this.closed = true;
      this.stopReading = true;
      this.socket.resume();
      await this.endRequest();
      // Half-close, and keep draining what the client still sends for a moment: closing with unread
      // input would reset the connection and could lose the error event on the client's side.
      this.socket.end();
      setTimeout(() => this.socket.destroy(), 2000).unref();
    }
  }

  private async endRequest(): Promise<void> {
    const r = this.request;
    this.request = { kind: 'none' };
    if (r.kind === 'detect' && r.stream !== null) await r.stream.release();
  }

  private async handle(e: WyomingEvent): Promise<void> {
    if (this.closed) return;
    const services = this.server.services;
    switch (e.type) {
      case 'describe':
        this.send('info', describeServices(services, this.server.version));
        return;
      case 'ping':
        this.send('pong', typeof e.data['text'] === 'string' ? { text: e.data['text'] } : {});
        return;
      case 'transcribe': {
        if (services.asr === undefined) throw new ProtocolError('this server has no speech-to-text', 'not-supported', false);
        await this.endRequest();
        const language = typeof e.data['language'] === 'string' ? e.data['language'] : undefined;
        this.request = { kind: 'transcribe', ...(language === undefined ? {} : { language }), converter: null, parts: [], bytes: 0 };
        return;
      }
      case 'detect': {
        const wake = services.wake;
        if (wake === undefined) throw new ProtocolError('this server has no wake word detection', 'not-supported', false);
        await this.endRequest();
        let names: string[] | undefined;
        if (Array.isArray(e.data['names'])) {
          const known = new Set(wake.models.map((m) => m.name));
          names = e.data['names'].filter((n): n is string => typeof n === 'string');
          const unknown = names.filter((n) => !known.has(n));
          if (unknown.length > 0) throw new ProtocolError(`unknown wake word(s): ${unknown.join(', ')} (known: ${[...known].join(', ')})`, 'unknown-wake-word', false);
          if (names.length === 0) names = undefined;
        }
        this.request = { kind: 'detect', ...(names === undefined ? {} : { names }), converter: null, stream: null, detected: false, startMs: 0 };
        return;
      }
      case 'audio-start': return this.audioStart(e);
      case 'audio-chunk': return this.audioChunk(e);
      case 'audio-stop': return this.audioStop();
      case 'synthesize': return this.synthesize(e);
      default:
        // The protocol says servers drop events they do not know (clients probe with new ones).
        this.log?.debug({ type: e.type }, 'wyoming: event ignored');
    }
  }

  private async audioStart(e: WyomingEvent): Promise<void> {
    if (this.request.kind === 'none') {
      // As wyoming-faster-whisper: audio without a request is transcribed.
      if (this.server.services.asr === undefined) throw new ProtocolError('audio-start without transcribe or detect', 'bad-request', false);
      this.request = { kind: 'transcribe', converter: null, parts: [], bytes: 0 };
    }
    const r = this.request;
    const format = parseFormat(e.data, 'audio-start');
    r.converter = new AudioConverter(format);
    if (r.kind === 'detect') {
      if (r.stream !== null) await r.stream.release();
      r.stream = null;
      r.stream = await this.server.services.wake!.open(r.names);
      r.detected = false;
      r.startMs = typeof e.data['timestamp'] === 'number' ? e.data['timestamp'] : 0;
    } else {
      r.parts = [];
      r.bytes = 0;
    }
  }

  private async audioChunk(e: WyomingEvent): Promise<void> {
    const r = this.request;
    if (r.kind === 'none' || r.converter === null) throw new ProtocolError('audio-chunk before audio-start', 'bad-request', false);
    const payload = e.payload ?? Buffer.alloc(0);
    const f = r.converter.format;
    if (e.data['rate'] !== undefined || e.data['width'] !== undefined || e.data['channels'] !== undefined) {
      const g = parseFormat(e.data, 'audio-chunk');
      if (g.rate !== f.rate || g.width !== f.width || g.channels !== f.channels) {
        throw new ProtocolError(`audio-chunk format ${g.rate} Hz/${g.width}/${g.channels} differs from audio-start's ${f.rate} Hz/${f.width}/${f.channels}`, 'bad-audio', false);
      }
    }
    if (r.kind === 'transcribe') {
      r.bytes += payload.length;
      if (r.bytes > this.server.limits.maxAudioBytes) {
        throw new ProtocolError(`audio exceeds the limit of ${this.server.limits.maxAudioBytes} bytes for one request`, 'audio-too-long', true);
      }
      r.parts.push(r.converter.push(payload));
      return;
    }
    const pcm = r.converter.push(payload);
    if (r.stream !== null && pcm.length > 0) this.reportHits(r, await r.stream.push(pcm));
  }

  private reportHits(r: Extract<Request, { kind: 'detect' }>, hits: WakeHit[]): void {
    for (const h of hits) {
      r.detected = true;
      this.send('detection', { name: h.name, timestamp: r.startMs + Math.round(h.atMs), speaker: null });
    }
  }

  private async audioStop(): Promise<void> {
    const r = this.request;
    if (r.kind === 'none' || r.converter === null) throw new ProtocolError('audio-stop before audio-start', 'bad-request', false);
    if (r.kind === 'detect') {
      const tail = r.converter.flush();
      if (r.stream !== null && tail.length > 0) this.reportHits(r, await r.stream.push(tail));
      if (!r.detected) this.send('not-detected');
      await this.endRequest();
      return;
    }
    r.parts.push(r.converter.flush());
    const total = r.parts.reduce((a, p) => a + p.length, 0);
    const pcm = new Int16Array(total);
    let o = 0;
    for (const p of r.parts) { pcm.set(p, o); o += p.length; }
    const language = r.language;
    this.request = { kind: 'none' };
    const result = await this.server.services.asr!.transcribe(pcm, language);
    this.send('transcript', { text: result?.text ?? '', ...(language === undefined ? {} : { language }) });
  }

  private async synthesize(e: WyomingEvent): Promise<void> {
    const tts = this.server.services.tts;
    if (tts === undefined) throw new ProtocolError('this server has no text-to-speech', 'not-supported', false);
    const text = e.data['text'];
    if (typeof text !== 'string' || text.trim() === '') throw new ProtocolError('synthesize needs a non-empty "text"', 'bad-request', false);
    if (text.length > this.server.limits.maxTextChars) throw new ProtocolError(`text is ${text.length} characters, the limit is ${this.server.limits.maxTextChars}`, 'text-too-long', false);
    let voice: string | undefined;
    const v = e.data['voice'];
    if (isRecord(v)) {
      if (typeof v['name'] === 'string') {
        voice = v['name'];
        if (!tts.voices.some((x) => x.name === voice)) throw new ProtocolError(`unknown voice ${JSON.stringify(voice)} (known: ${tts.voices.map((x) => x.name).join(', ')})`, 'unknown-voice', false);
      } else if (typeof v['language'] === 'string') {
        const lang = v['language'];
        voice = tts.voices.find((x) => x.languages.includes(lang))?.name ?? tts.voices.find((x) => x.languages.some((l) => l.split(/[-_]/)[0] === lang.split(/[-_]/)[0]))?.name;
        if (voice === undefined) throw new ProtocolError(`no voice for language ${JSON.stringify(lang)}`, 'unknown-voice', false);
      }
    }
    const audio = await tts.synthesize(text, voice);
    const format = { rate: audio.sampleRate, width: 2, channels: 1 };
    this.send('audio-start', { ...format, timestamp: 0 });
    const step = this.server.limits.samplesPerChunk;
    for (let i = 0; i < audio.samples.length; i += step) {
      const part = audio.samples.subarray(i, i + step);
      const bytes = Buffer.alloc(part.length * 2);
      for (let k = 0; k < part.length; k++) bytes.writeInt16LE(part[k]!, 2 * k);
      this.send('audio-chunk', { ...format, timestamp: Math.round((i * 1000) / audio.sampleRate) }, bytes);
    }
    this.send('audio-stop', { timestamp: Math.round((audio.samples.length * 1000) / audio.sampleRate) });
  }

  destroy(): void { this.closed = true; this.socket.destroy(); }
}

export class WyomingServer {
  readonly limits: Required<Pick<WyomingServerOptions, 'maxAudioBytes' | 'maxPayloadBytes' | 'maxTextChars' | 'maxConnections' | 'maxHeaderBytes' | 'maxDataBytes' | 'samplesPerChunk'>>;
  readonly version: string | undefined;
  private readonly connections = new Set<Connection>();

  private constructor(readonly services: VoiceServices, private readonly server: net.Server, options: WyomingServerOptions) {
    this.limits = {
      maxAudioBytes: options.maxAudioBytes,
      maxPayloadBytes: options.maxPayloadBytes,
      maxTextChars: options.maxTextChars,
      maxConnections: options.maxConnections,
      maxHeaderBytes: options.maxHeaderBytes ?? 16 * 1024,
      maxDataBytes: options.maxDataBytes ?? 64 * 1024,
      samplesPerChunk: options.samplesPerChunk ?? 1024,
    };
    this.version = options.version;
  }

  /** Listens on host:port (default config: 127.0.0.1:10700). */
  static start(services: VoiceServices, options: WyomingServerOptions): Promise<WyomingServer> {
    const log = options.log;
    const server = net.createServer();
    const self = new WyomingServer(services, server, options);
    server.on('connection', (socket) => {
      socket.setNoDelay(true);
      if (self.connections.size >= self.limits.maxConnections) {
        log?.warn({ remote: socket.remoteAddress }, 'wyoming: too many connections, refused');
        socket.end(encodeEvent('error', { text: `too many connections (limit ${self.limits.maxConnections})`, code: 'busy' }, undefined, self.version));
        return;
      }
      const conn = new Connection(self, socket, log);
      self.connections.add(conn);
      socket.on('close', () => self.connections.delete(conn));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => {
        server.off('error', reject);
        server.on('error', (err) => log?.error({ err }, 'wyoming: server error'));
        const a = self.address();
        log?.info({ host: a.host, port: a.port, asr: services.asr !== undefined, tts: services.tts !== undefined, wake: services.wake?.models.map((m) => m.name) ?? [] }, 'wyoming server listening');
        resolve(self);
      });
    });
  }

  address(): { host: string; port: number } {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('wyoming server is not listening on TCP');
    return { host: a.address, port: a.port };
  }

  get connectionCount(): number { return this.connections.size; }

  /** Stops listening and drops every client. */
  close(): Promise<void> {
    for (const c of this.connections) c.destroy();
    this.connections.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
