// The Wyoming server driven by the protocol's reference client (the `wyoming` PyPI package, via
// test/fixtures/wyoming/client.py in .venv/wyoming: bash .ci/setup-wyoming.sh), with the real wake
// words (microWakeWord models from the reference data) and real speech (espeak-ng). Speech-to-text
// is the real recognizer (pocketsphinx over a small config's grammar), wrapped only to record the
// audio the server hands it (16 kHz mono s16, whatever the client sent).

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import pino from 'pino';
import { configSchema } from '../../src/config/schema.js';
import { loadLiteRtRuntime } from '../../src/runtime/index.js';
import { encodeWav, parseWav } from '../../src/audio/wav.js';
import { resample } from '../../src/audio/resample.js';
import { wakeService } from '../../src/voice/wake.js';
import { createRecognizers, type Recognizers } from '../../src/voice/recognizers.js';
import { asrService, ttsService } from '../../src/voice/wyoming-services.js';
import { concat, espeak, silence, voiceModelsDir } from '../helpers/voice.js';
import { describeServices, encodeEvent, EventReader, WyomingServer, type VoiceServices, type WyomingEvent, type WyomingServerOptions } from '../../src/audio/wyoming.js';
import { repoRoot } from '../helpers/paths.js';
import { referencePath } from '../helpers/reference.js';

const python = path.join(repoRoot, '.venv/wyoming/bin/python');
const clientPy = path.join(repoRoot, 'test/fixtures/wyoming/client.py');
const WAKE_WORDS = ['okay_nabu', 'hey_jarvis'];

// --- engines ----------------------------------------------------------------------------------------

const silent = pino({ level: 'silent' });
// The daemon's wiring (src/voice/wyoming-services.ts) over a small config: the real recognizer
// (pocketsphinx on this config's grammar) and the Speaker's espeak-ng synthesis.
const config = configSchema.parse({
  devices: [{ id: 'kitchen.light', names: { en: ['kitchen light'], fr: ['lumière de la cuisine'] }, area: 'cuisine', domain: 'light', preset: 'tasmota', target: 'kitchen' }],
  areas: [{ id: 'cuisine', names: { en: ['kitchen'], fr: ['cuisine'] } }],
});
let recognizers: Promise<Recognizers> | null = null;

/** The real engines, with what each transcribe request handed them recorded (the audio is checked below). */
interface Recorded { pcm: Int16Array; language: string | undefined }

interface Harness { server: WyomingServer; port: number; asr: { received: Recorded[] }; services: VoiceServices }

let modelsDir: Promise<string> | null = null;
const wakeModelsDir = (): Promise<string> => (modelsDir ??= voiceModelsDir(WAKE_WORDS));

async function startServer(options: Partial<WyomingServerOptions> = {}): Promise<Harness> {
  if (!existsSync(python)) throw new Error(`${python} is missing: run bash .ci/setup-wyoming.sh`);
  const defaults = configSchema.parse({}).audio.wyoming;
  const real = asrService(await (recognizers ??= createRecognizers(config, silent)), 'en');
  const asr = { received: [] as Recorded[] };
  const services: VoiceServices = {
    asr: { ...real, transcribe: (pcm, language) => { asr.received.push({ pcm, language }); return real.transcribe(pcm, language); } },
    tts: ttsService(config.audio.tts, defaults.maxTextChars, 'en'),
    wake: await wakeService(await loadLiteRtRuntime(), { modelsDir: await wakeModelsDir(), wake: { words: WAKE_WORDS.map((id) => ({ id })), refractoryMs: 2000 } }),
  };
  const server = await WyomingServer.start(services, { ...defaults, port: 0, version: 'test', ...options });
  return { server, port: server.address().port, asr, services };
}

function client(port: number, ...args: string[]): Promise<Record<string, unknown>> {
  const [mode, ...rest] = args;
  return new Promise((resolve, reject) => {
    execFile(python, [clientPy, mode!, '127.0.0.1', String(port), ...rest], { timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) { reject(new Error(`client.py ${args.join(' ')}: ${err.message}\n${stderr}`)); return; }
      try { resolve(JSON.parse(stdout) as Record<string, unknown>); } catch { reject(new Error(`client.py printed ${JSON.stringify(stdout)} (stderr ${stderr})`)); }
    });
  });
}

/** A raw TCP connection that collects the server's events (for what the reference client cannot send). */
async function rawConnection(port: number): Promise<{ socket: net.Socket; events: WyomingEvent[]; closed: Promise<void>; next(type: string, ms?: number): Promise<WyomingEvent> }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { socket.once('connect', resolve); socket.once('error', reject); });
  const events: WyomingEvent[] = [];
  const reader = new EventReader({ maxHeaderBytes: 1 << 20, maxDataBytes: 1 << 20, maxPayloadBytes: 1 << 24 });
  const waiters: Array<() => void> = [];
  socket.on('data', (d: Buffer) => reader.feed(d, (e) => { events.push(e); for (const w of waiters.splice(0)) w(); }, () => undefined));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  const next = async (type: string, ms = 20_000): Promise<WyomingEvent> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = events.findIndex((e) => e.type === type);
      if (i >= 0) return events.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no ${type} event within ${ms} ms (got ${events.map((e) => e.type).join(', ')})`);
      await new Promise<void>((resolve) => { waiters.push(resolve); setTimeout(resolve, 200); });
    }
  };
  return { socket, events, closed, next };
}

let tmp: string;
test.before(async () => { tmp = await mkdtemp(path.join(os.tmpdir(), 'wulf-wyoming-')); await mkdir(tmp, { recursive: true }); });
test.after.always(async () => {
  await rm(tmp, { recursive: true, force: true });
  await (await recognizers)?.close();
  if (modelsDir !== null) await rm(await modelsDir, { recursive: true, force: true });
});

// --- tests ------------------------------------------------------------------------------------------

test('config: the Wyoming server is off by default and bound to loopback on 10700', (t) => {
  const w = configSchema.parse({}).audio.wyoming;
  t.false(w.enabled);
  t.is(w.host, '127.0.0.1');
  t.is(w.port, 10_700);
  t.true(w.maxAudioBytes > 0 && w.maxPayloadBytes > 0);
});

test('describe → info the reference client parses: asr languages, tts voices, the configured wake words', async (t) => {
  const h = await startServer();
  try {
    t.is(h.server.address().host, '127.0.0.1', 'bound to loopback with the default host');
    const r = await client(h.port, 'describe');
    t.deepEqual(r['types'], ['info']);
    const info = r['info'] as { asr: Array<{ name: string; installed: boolean; models: Array<{ languages: string[] }> }>; tts: Array<{ voices: Array<{ name: string; languages: string[] }> }>; wake: Array<{ models: Array<{ name: string; phrase: string; languages: string[] }> }> };
    t.deepEqual(info.asr[0]?.models.map((m) => m.languages), [['en']], 'English only: French has no engine');
    t.true(info.asr[0]?.installed);
    t.deepEqual(info.tts[0]?.voices.map((v) => v.name), ['en-us', 'fr-fr']);
    t.deepEqual(info.wake[0]?.models.map((m) => [m.name, m.phrase, m.languages]), [['okay_nabu', 'Okay Nabu', ['en']], ['hey_jarvis', 'Hey Jarvis', ['en']]]);
    // Only the services that exist are described.
    const onlyWake = describeServices({ wake: h.services.wake! });
    t.deepEqual(onlyWake['asr'], []);
    t.deepEqual(onlyWake['tts'], []);
  } finally { await h.server.close(); }
});

test('transcribe: an in-grammar sentence, as 16 kHz mono and as 22.05 kHz stereo, reaches the recognizer as 16 kHz mono s16 and comes back', async (t) => {
  const h = await startServer();
  try {
    const speech = concat([silence(300), await espeak('turn on the kitchen light'), silence(300)]);
    const direct = path.join(tmp, 'speech16k.wav');
    await writeFile(direct, encodeWav(speech, 16_000));
    const r1 = await client(h.port, 'transcribe', direct, '--language', 'en');
    t.deepEqual(r1['types'], ['transcript']);
    t.is(r1['text'], 'turn on the kitchen light');
    t.is(r1['language'], 'en');
    t.deepEqual(h.asr.received[0]?.pcm, speech, '16 kHz mono s16 passes through unchanged');
    t.is(h.asr.received[0]?.language, 'en');

    const at22k = resample(speech, 16_000, 22_050);
    const stereo = new Int16Array(at22k.length * 2);
    for (let i = 0; i < at22k.length; i++) { stereo[2 * i] = at22k[i]!; stereo[2 * i + 1] = at22k[i]!; }
    const converted = path.join(tmp, 'speech22k-stereo.wav');
    await writeFile(converted, encodeWav(stereo, 22_050, 2));
    const r2 = await client(h.port, 'transcribe', converted, '--samples-per-chunk', '777');
    t.deepEqual(r2['types'], ['transcript']);
    t.is(r2['text'], 'turn on the kitchen light');
    const fr = await client(h.port, 'transcribe', direct, '--language', 'fr');
    t.regex(String((fr['error'] as { text: string } | undefined)?.text), /no engine for fr/, 'French: no engine, said plainly');
    t.deepEqual(h.asr.received[1]?.pcm, resample(at22k, 22_050, 16_000), 'channels averaged, then resampled to 16 kHz');
  } finally { await h.server.close(); }
});

test('synthesize → audio-start/chunks/stop: a non-empty 16-bit WAV of espeak-ng speech', async (t) => {
  const h = await startServer();
  try {
    const out = path.join(tmp, 'tts.wav');
    const r = await client(h.port, 'synthesize', 'okay nabu', out, '--voice', 'en-us');
    t.deepEqual(r['types'], ['audio-start', 'audio-chunk', 'audio-stop']);
    t.deepEqual(r['format'], { rate: 22_050, width: 2, channels: 1 });
    t.true((r['bytes'] as number) > 22_050, `${String(r['bytes'])} bytes`);
    const wav = parseWav(await readFile(out), out);
    t.is(wav.bitsPerSample, 16);
    t.true(wav.samples.some((s) => Math.abs(s) > 1000), 'not silence');
    // The synthesized words, back through wake detection (22.05 kHz converted by the server).
    const padded = new Int16Array(11_025 + wav.samples.length + 22_050);
    padded.set(wav.samples, 11_025);
    const again = path.join(tmp, 'tts-padded.wav');
    await writeFile(again, encodeWav(padded, 22_050));
    const d = await client(h.port, 'detect', again);
    t.deepEqual(d['types'], ['detection']);
    t.is((d['detection'] as { name: string }).name, 'okay_nabu');
    const unknown = await client(h.port, 'synthesize', 'hello', path.join(tmp, 'x.wav'), '--voice', 'klingon');
    t.is((unknown['error'] as { code: string }).code, 'unknown-voice');
  } finally { await h.server.close(); }
});

test('detect: okay_nabu clip → detection; another word\'s clip → not-detected', async (t) => {
  const h = await startServer();
  try {
    const hit = await client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'okay_nabu', '1.wav'));
    t.deepEqual(hit['types'], ['detection']);
    const det = hit['detection'] as { name: string; timestamp: number };
    t.is(det.name, 'okay_nabu');
    t.true(det.timestamp > 0 && det.timestamp < 10_000, `timestamp ${det.timestamp}`);
    const miss = await client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'hey_mycroft', '1.wav'));
    t.deepEqual(miss['types'], ['not-detected']);
    // names restricts the models: okay_nabu's clip is not hey_jarvis.
    const other = await client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'okay_nabu', '1.wav'), '--names', 'hey_jarvis');
    t.deepEqual(other['types'], ['not-detected']);
    const bad = await client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'okay_nabu', '1.wav'), '--names', 'nope');
    t.is((bad['error'] as { code: string }).code, 'unknown-wake-word');
  } finally { await h.server.close(); }
});

test('a malformed header line gets an error event; the connection and the server carry on', async (t) => {
  const h = await startServer();
  try {
    const c = await rawConnection(h.port);
    c.socket.write('this is not json\n');
    const err = await c.next('error');
    t.is(err.data['code'], 'bad-header');
    c.socket.write('{"no_type": 1}\n');
    t.is((await c.next('error')).data['code'], 'bad-header');
    c.socket.write(encodeEvent('describe'));
    t.truthy(await c.next('info'), 'same connection still answers');
    c.socket.destroy();
    const r = await client(h.port, 'describe');
    t.deepEqual(r['types'], ['info'], 'server alive');
  } finally { await h.server.close(); }
});

test('oversized payload, oversized header and too much audio are refused; the connection closes, the server stays', async (t) => {
  const h = await startServer({ maxPayloadBytes: 64 * 1024, maxAudioBytes: 100_000, maxHeaderBytes: 4096 });
  try {
    const big = await client(h.port, 'oversize', String(64 * 1024 + 1));
    t.deepEqual(big['types'], ['error']);
    t.is((big['error'] as { code: string }).code, 'payload-too-large');
    t.is(big['after'], null, 'connection closed after the refusal');

    const c = await rawConnection(h.port);
    c.socket.write('{"type": "describe", "data": {"pad": "' + 'x'.repeat(5000));
    t.is((await c.next('error')).data['code'], 'header-too-long');
    await c.closed;

    // Within the payload limit, but more audio than one request may send.
    const audio = await rawConnection(h.port);
    audio.socket.write(encodeEvent('transcribe'));
    audio.socket.write(encodeEvent('audio-start', { rate: 16_000, width: 2, channels: 1 }));
    for (let i = 0; i < 4; i++) audio.socket.write(encodeEvent('audio-chunk', { rate: 16_000, width: 2, channels: 1 }, new Uint8Array(32_000)));
    t.is((await audio.next('error')).data['code'], 'audio-too-long');
    await audio.closed;
    t.is(h.asr.received.length, 0, 'nothing reached the engine');

    const r = await client(h.port, 'describe');
    t.deepEqual(r['types'], ['info'], 'server alive');
  } finally { await h.server.close(); }
});

test('a second concurrent client works while the first is mid-request', async (t) => {
  const h = await startServer();
  try {
    const first = await rawConnection(h.port);
    first.socket.write(encodeEvent('transcribe', { language: 'en' }));
    first.socket.write(encodeEvent('audio-start', { rate: 16_000, width: 2, channels: 1 }));
    first.socket.write(encodeEvent('audio-chunk', { rate: 16_000, width: 2, channels: 1 }, new Uint8Array(3200).fill(1)));
    await new Promise((r) => setTimeout(r, 100));
    t.is(h.server.connectionCount, 1);
    const [a, b] = await Promise.all([
      client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'okay_nabu', '2.wav')),
      client(h.port, 'detect', referencePath('voice', 'wakeword-clips', 'hey_jarvis', '1.wav')),
    ]);
    t.is((a['detection'] as { name: string }).name, 'okay_nabu');
    t.is((b['detection'] as { name: string }).name, 'hey_jarvis');
    first.socket.write(encodeEvent('audio-stop'));
    const tr = await first.next('transcript');
    t.is(tr.data['text'], '', 'a tenth of a second of a constant is no sentence');
    t.is(tr.data['language'], 'en');
    t.is(h.asr.received[0]?.pcm.length, 1600);
    first.socket.destroy();
  } finally { await h.server.close(); }
});

test('more clients than maxConnections are refused with an error; unknown events are ignored; ping → pong', async (t) => {
  const h = await startServer({ maxConnections: 1 });
  try {
    const first = await rawConnection(h.port);
    first.socket.write(encodeEvent('some-future-event', { x: 1 }));
    first.socket.write(encodeEvent('ping', { text: 'hi' }));
    t.is((await first.next('pong')).data['text'], 'hi');
    const second = await rawConnection(h.port);
    t.is((await second.next('error')).data['code'], 'busy');
    await second.closed;
    first.socket.destroy();
    await first.closed;
    await new Promise((r) => setTimeout(r, 50));
    t.deepEqual((await client(h.port, 'describe'))['types'], ['info']);
  } finally { await h.server.close(); }
});

test('an engine that throws gives the client an error event; the server carries on', async (t) => {
  const defaults = configSchema.parse({}).audio.wyoming;
  const services: VoiceServices = {
    asr: {
      program: { name: 'broken' },
      models: [{ name: 'broken', languages: ['en'] }],
      transcribe: () => Promise.reject(new Error('decoder exploded')),
    },
  };
  const server = await WyomingServer.start(services, { ...defaults, port: 0 });
  try {
    const c = await rawConnection(server.address().port);
    c.socket.write(encodeEvent('synthesize', { text: 'hi' }));
    t.is((await c.next('error')).data['code'], 'not-supported');
    c.socket.write(encodeEvent('transcribe'));
    c.socket.write(encodeEvent('audio-start', { rate: 16_000, width: 2, channels: 1 }));
    c.socket.write(encodeEvent('audio-chunk', { rate: 16_000, width: 2, channels: 1 }, new Uint8Array(320)));
    c.socket.write(encodeEvent('audio-stop'));
    const err = await c.next('error');
    t.is(err.data['code'], 'engine-failed');
    t.regex(String(err.data['text']), /decoder exploded/);
    c.socket.write(encodeEvent('describe'));
    const info = await c.next('info');
    t.deepEqual(info.data['wake'], [], 'no wake service, none described');
    c.socket.destroy();
  } finally { await server.close(); }
});
