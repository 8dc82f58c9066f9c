// The vad model on the reference recordings, and the end-of-speech state machine (Home Assistant's
// default timings) as a pure function of per-step speech decisions.

import test from 'ava';
import { loadLiteRtRuntime } from '../../src/runtime/index.js';
import { computeFeatures } from '../../src/audio/frontend.js';
import { readWav } from '../../src/audio/wav.js';
import { DEFAULT_END_OF_SPEECH, EndOfSpeech, segmentSpeech, VoiceActivity, type EndOfSpeechEvent } from '../../src/audio/vad.js';
import { referencePath } from '../helpers/reference.js';
import { runs } from '../helpers/runs.js';

const modelsDir = (): string => referencePath('voice', 'microwakeword');

async function loadVad(): Promise<VoiceActivity> {
  // The reference folder names the files v2_<id>.
  return VoiceActivity.load(await loadLiteRtRuntime(), modelsDir(), 'v2_vad');
}

async function decisions(file: string): Promise<boolean[]> {
  const vad = await loadVad();
  try {
    const wav = await readWav(referencePath('voice', 'microfrontend', file));
    return (await vad.pushAll(computeFeatures(wav.samples))).map((d) => d.isSpeech);
  } finally { await vad.release(); }
}


test('vad: silence.wav is 0% speech', async (t) => {
  const d = await decisions('silence.wav');
  t.true(d.length > 10, `${d.length} decisions`);
  t.is(d.filter(Boolean).length, 0);
});

test('vad: speech.wav is one block of speech', async (t) => {
  const d = await decisions('speech.wav');
  const blocks = runs(d).filter(([v]) => v);
  t.is(blocks.length, 1, JSON.stringify(runs(d)));
  t.true((blocks[0]?.[1] ?? 0) * 30 >= 300, 'the block lasts at least 0.3 s');
});

test('vad: the end-of-speech machine sees speech.wav start and end once', async (t) => {
  const d = await decisions('speech.wav');
  // Pad with a second of silence: the recording may end before 0.7 s of silence.
  const events = segmentSpeech([...d, ...Array<boolean>(40).fill(false)], 30);
  t.deepEqual(events.map((e) => e.type), ['speech-start', 'speech-end']);
});

test('vad: reset() gives the outputs of a fresh model', async (t) => {
  const vad = await loadVad();
  const wav = await readWav(referencePath('voice', 'microfrontend', 'speech.wav'));
  const frames = computeFeatures(wav.samples);
  const first = (await vad.pushAll(frames)).map((d) => d.probability);
  await vad.reset();
  const second = (await vad.pushAll(frames)).map((d) => d.probability);
  t.deepEqual(second, first);
  await vad.release();
});

// --- the state machine alone: decisions in 30 ms steps (one model step) ---------------------------

const S = true;
const _ = false;
const rep = (x: boolean, ms: number, step = 30): boolean[] => Array<boolean>(Math.ceil(ms / step)).fill(x);
const types = (events: EndOfSpeechEvent[]): string[] => events.map((e) => e.type);

test('eos: defaults are Home Assistant\'s (0.3 s speech, 0.7 s silence, 15 s timeout)', (t) => {
  t.is(DEFAULT_END_OF_SPEECH.speechMs, 300);
  t.is(DEFAULT_END_OF_SPEECH.silenceMs, 700);
  t.is(DEFAULT_END_OF_SPEECH.timeoutMs, 15_000);
});

test('eos: speech starts after 0.3 s of speech, not before', (t) => {
  t.deepEqual(segmentSpeech(rep(S, 270), 30), []);
  const e = segmentSpeech(rep(S, 300), 30);
  t.deepEqual(e, [{ type: 'speech-start', atMs: 300 }]);
});

test('eos: speech ends after 0.7 s of silence, at the right time', (t) => {
  const e = segmentSpeech([...rep(_, 600), ...rep(S, 1500), ...rep(_, 2000)], 30);
  t.deepEqual(types(e), ['speech-start', 'speech-end']);
  t.is(e[0]?.atMs, 600 + 300);
  t.is(e[1]?.atMs, 600 + 1500 + 720); // 0.7 s of 30 ms steps: the 24th silent step (720 ms)
});

test('eos: a short pause (< 0.7 s) does not end the command', (t) => {
  const e = segmentSpeech([...rep(S, 900), ...rep(_, 600), ...rep(S, 300)], 30);
  t.deepEqual(types(e), ['speech-start']);
});

test('eos: pauses separated by less than 1 s of speech add up (Home Assistant\'s reset)', (t) => {
  const e = segmentSpeech([...rep(S, 900), ...rep(_, 600), ...rep(S, 300), ...rep(_, 300)], 30);
  t.deepEqual(types(e), ['speech-start', 'speech-end']);
  t.is(e[1]?.atMs, 900 + 600 + 300 + 120);
});

test('eos: a pause after long speech restarts the silence count (reset after 1 s of speech)', (t) => {
  // 0.6 s silence, then 1.2 s speech (resets the silence count), then 0.6 s: still not ended.
  const e = segmentSpeech([...rep(S, 1200), ...rep(_, 600), ...rep(S, 1200), ...rep(_, 600)], 30);
  t.deepEqual(types(e), ['speech-start']);
});

test('eos: blips shorter than 0.3 s separated by > 1 s of silence never start speech', (t) => {
  const blip = [...rep(S, 150), ...rep(_, 1200)];
  t.deepEqual(segmentSpeech([...blip, ...blip, ...blip, ...blip], 30), []);
});

test('eos: timeout after 15 s of silence, or of endless speech', (t) => {
  const silent = segmentSpeech(rep(_, 20_000), 30);
  t.deepEqual(silent, [{ type: 'timeout', atMs: 15_000, inSpeech: false }]);
  const talk = segmentSpeech(rep(S, 20_000), 30);
  t.deepEqual(types(talk), ['speech-start', 'timeout']);
  t.deepEqual(talk[1], { type: 'timeout', atMs: 15_000, inSpeech: true });
});

test('eos: a command shorter than 1 s is held until 1 s before silence can end it', (t) => {
  const e = segmentSpeech([...rep(S, 300), ...rep(_, 2000)], 30, { silenceMs: 200 });
  t.deepEqual(types(e), ['speech-start', 'speech-end']);
  t.is(e[1]?.atMs, 300 + 720); // silence alone would end it at 300 + 210
});

test('eos: timings are configurable; done ignores input until reset', (t) => {
  const eos = new EndOfSpeech({ speechMs: 100, silenceMs: 200, timeoutMs: 5000, minCommandMs: 0 });
  const ev: EndOfSpeechEvent[] = [];
  for (const d of [...rep(S, 100, 10), ...rep(_, 200, 10)]) ev.push(...eos.push(d, 10));
  t.deepEqual(ev, [{ type: 'speech-start', atMs: 100 }, { type: 'speech-end', atMs: 300 }]);
  t.true(eos.done);
  t.deepEqual(eos.push(true, 10), []);
  eos.reset();
  t.false(eos.done);
  t.is(eos.elapsedMs, 0);
  t.throws(() => new EndOfSpeech({ silenceMs: -1 }), { instanceOf: RangeError });
  t.throws(() => eos.push(true, 0), { instanceOf: RangeError });
});
