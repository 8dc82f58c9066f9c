// The VoicePipeline in-process on espeak-ng speech, with the real frontend, wake word and vad
// models: the order of its events, the command audio it hands the recognizer (bounded), half
// duplex, listening without a wake word, and "no engine for <lang>". The recognizer here records the
// audio it is handed (what these tests check); the real one is in recognizer.test.ts and pipeline.test.ts.
import test from 'ava';
import pino from 'pino';
import { loadLiteRtRuntime } from '../../src/runtime/index.js';
import { VoiceActivity, WakeWords } from '../../src/audio/index.js';
import { VoicePipeline, type CaptureResult, type ListenStart, type RecognizerEngine } from '../../src/voice/pipeline.js';
import { concat, espeak, silence, voiceModelsDir } from '../helpers/voice.js';

const log = pino({ level: 'silent' });

class RecordingEngine implements RecognizerEngine {
  readonly language = 'en' as const;
  readonly heard: Int16Array[] = [];
  constructor(private readonly text: string | null) {}
  async recognize(pcm: Int16Array) {
    this.heard.push(pcm);
    return this.text === null ? null : { text: this.text, score: -1 };
  }
}

async function pipeline(engine: RecognizerEngine | null, opts: { maxCommandMs?: number; timeoutMs?: number } = {}) {
  const dir = await voiceModelsDir();
  const runtime = await loadLiteRtRuntime();
  const wake = await WakeWords.load(runtime, dir, [{ id: 'okay_nabu' }]);
  const vadModel = await VoiceActivity.load(runtime, dir, 'vad');
  const events: Array<{ type: string; at: number; detail: unknown }> = [];
  let n = 0;
  const p = new VoicePipeline({
    siteId: 'kitchen', lang: 'en', wake, timings: opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}, engine: () => engine, newSessionId: () => `s${++n}`, log,
    vad: vadModel,
    ...(opts.maxCommandMs ? { maxCommandMs: opts.maxCommandMs } : {}),
    events: {
      wake: (d) => events.push({ type: 'wake', at: d.atMs, detail: d.id }),
      startListening: (s: ListenStart) => events.push({ type: 'start', at: 0, detail: s }),
      captured: (c: CaptureResult) => events.push({ type: 'captured', at: 0, detail: c }),
    },
  });
  return { p, events };
}

/** Push in 64 ms chunks like a satellite. */
function feed(p: VoicePipeline, pcm: Int16Array): void {
  for (let i = 0; i < pcm.length; i += 1024) p.push(pcm.slice(i, i + 1024));
}

test.serial('wake word, pause, command: wake → startListening → captured, with the command audio handed to the engine', async (t) => {
  const engine = new RecordingEngine('turn on the kitchen light');
  const { p, events } = await pipeline(engine);
  const command = await espeak('turn on the kitchen light');
  feed(p, concat([silence(500), await espeak('okay nabu'), silence(700), command, silence(2000)]));
  await p.idle();
  t.deepEqual(events.map((e) => e.type), ['wake', 'start', 'captured']);
  t.is(events[0]!.detail, 'okay_nabu');
  const start = events[1]!.detail as ListenStart;
  t.deepEqual({ ...start }, { sessionId: 's1', wakewordId: 'okay_nabu', reason: 'wake' });
  const c = events[2]!.detail as CaptureResult;
  t.is(c.text, 'turn on the kitchen light');
  t.is(c.end, 'speech-end');
  t.is(c.sessionId, 's1');
  t.is(engine.heard.length, 1);
  const seconds = engine.heard[0]!.length / 16_000;
  // The pause, the command and up to ~1 s of trailing silence: never the wake word, never the whole tail.
  t.true(seconds > command.length / 16_000 && seconds < command.length / 16_000 + 0.7 + 1.5, `${seconds} s of command audio`);
  t.is(p.state, 'idle');
});

test.serial('command audio is bounded: a command that never ends is cut at maxCommandMs', async (t) => {
  const engine = new RecordingEngine('x');
  const { p, events } = await pipeline(engine, { maxCommandMs: 1500 });
  const talk = await espeak('turn on the kitchen light and then the living room light and the garage and the hall and the attic', 'en-us', 120);
  feed(p, concat([silence(500), await espeak('okay nabu'), talk, talk]));
  await p.idle();
  const c = events.find((e) => e.type === 'captured')?.detail as CaptureResult;
  t.is(c.end, 'too-long');
  t.is(engine.heard[0]!.length, 1500 * 16);
});

test.serial('half duplex: while muted nothing is heard, not even the wake word; afterwards it is', async (t) => {
  const { p, events } = await pipeline(new RecordingEngine(null));
  const wake = concat([silence(300), await espeak('okay nabu'), silence(1000)]);
  p.setMuted(true);
  feed(p, wake);
  await p.idle();
  t.deepEqual(events, []);
  t.is(p.state, 'muted');
  p.setMuted(false);
  feed(p, wake);
  await p.idle();
  t.deepEqual(events.map((e) => e.type), ['wake', 'start']);
});

test.serial('listen() starts without a wake word; a recognizer that hears nothing gives empty text; no engine says so', async (t) => {
  const engine = new RecordingEngine(null);
  const { p, events } = await pipeline(engine);
  t.true(p.listen('mqtt'));
  t.false(p.listen('mqtt'), 'already listening');
  feed(p, concat([silence(300), await espeak('turn on the kitchen light'), silence(2000)]));
  await p.idle();
  t.deepEqual(events.map((e) => e.type), ['start', 'captured']);
  t.is((events[0]!.detail as ListenStart).wakewordId, null);
  t.is((events[1]!.detail as CaptureResult).text, '');
  t.is((events[1]!.detail as CaptureResult).end, 'speech-end');

  const none = await pipeline(null);
  none.p.listen('hermes');
  feed(none.p, concat([silence(300), await espeak('turn on the kitchen light'), silence(2000)]));
  await none.p.idle();
  t.is((none.events[1]!.detail as CaptureResult).end, 'no-engine');
});

test.serial('a site that stops sending audio while listening times out on the wall clock, not never', async (t) => {
  const engine = new RecordingEngine(null);
  const { p, events } = await pipeline(engine, { timeoutMs: 300 });
  p.listen('hermes');
  feed(p, silence(100));
  await p.idle();
  t.deepEqual(events.map((e) => e.type), ['start']);
  await new Promise((r) => setTimeout(r, 2500));
  await p.idle();
  t.deepEqual(events.map((e) => e.type), ['start', 'captured']);
  t.is((events[1]!.detail as CaptureResult).end, 'timeout');
  t.is(p.state, 'idle');
});
