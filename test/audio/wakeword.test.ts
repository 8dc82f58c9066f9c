// Wake words on real audio: every reference clip triggers its own word and no other; espeak-ng
// renditions (English and French voices, two speeds) of "okay nabu" and "alexa" trigger theirs.
// Also: the int8 quantization, refractory period, reset, config overrides, missing/corrupt files.

import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { loadLiteRtRuntime, ModelError } from '../../src/runtime/index.js';
import { computeFeatures } from '../../src/audio/frontend.js';
import { readWav, toMono16k } from '../../src/audio/wav.js';
import { resample } from '../../src/audio/resample.js';
import { WakeWordDetector, WakeWords, loadConfiguredWakeWords, parseManifest, readModelFiles } from '../../src/audio/wakeword.js';
import { referencePath } from '../helpers/reference.js';
import { concat, espeak as speak, silence } from '../helpers/voice.js';

const WORDS = ['okay_nabu', 'hey_jarvis', 'alexa', 'hey_mycroft'] as const;
const modelsDir = (): string => referencePath('voice', 'microwakeword');
const run = promisify(execFile);

async function detectors(options = {}): Promise<WakeWords> {
  return WakeWords.load(await loadLiteRtRuntime(), modelsDir(), WORDS.map((w) => ({ id: `v2_${w}` })), options);
}

async function clipFeatures(file: string): Promise<Uint16Array[]> {
  const wav = await readWav(file);
  return computeFeatures(toMono16k(wav, file));
}

/** Which words fire on these frames, each word with a fresh model. */
async function fired(ww: WakeWords, frames: Uint16Array[]): Promise<string[]> {
  await ww.reset();
  const hits = await ww.pushAll(frames);
  return [...new Set(hits.map((h) => h.id.replace(/^v2_/, '')))].sort();
}

test('the model\'s own quantization is used: scale 0.10196, zero point -128', async (t) => {
  const d = await WakeWordDetector.load(await loadLiteRtRuntime(), modelsDir(), 'v2_okay_nabu');
  t.true(Math.abs(d.inputQuantization.scale - 0.10196) < 1e-4);
  t.is(d.inputQuantization.zeroPoint, -128);
  t.is(d.stepMs, 30);
  t.is(d.cutoff, 0.97);
  await d.release();
});

test('each of the 12 clips triggers its own word and none of the 36 cross pairs trigger', async (t) => {
  const ww = await detectors();
  const clipsDir = referencePath('voice', 'wakeword-clips');
  let clips = 0;
  let steps = 0;
  let spent = 0n;
  for (const word of WORDS) {
    const files = (await readdir(path.join(clipsDir, word))).filter((f) => f.endsWith('.wav')).sort();
    t.is(files.length, 3, `${word}: 3 clips`);
    for (const f of files) {
      const frames = await clipFeatures(path.join(clipsDir, word, f));
      await ww.reset();
      const start = process.hrtime.bigint();
      const hits = await ww.pushAll(frames);
      spent += process.hrtime.bigint() - start;
      steps += Math.floor(frames.length / 3) * WORDS.length;
      t.deepEqual([...new Set(hits.map((h) => h.id.replace(/^v2_/, '')))], [word], `${word}/${f}`);
      clips++;
    }
  }
  t.is(clips, 12);
  t.log(`${(Number(spent) / 1e6 / steps).toFixed(4)} ms per model step (${steps} steps, quantization included)`);
  await ww.release();
});

/** espeak-ng speech (the shared test helper) with 0.5 s of silence before and 1 s after. */
async function espeak(text: string, voice: string, wpm: number): Promise<Int16Array> {
  return concat([silence(500), await speak(text, voice, wpm), silence(1000)]);
}

for (const [text, word] of [['okay nabu', 'okay_nabu'], ['alexa', 'alexa']] as const) {
  test(`espeak-ng "${text}" (en and fr voices, 140 and 175 wpm) triggers ${word} only`, async (t) => {
    const ww = await detectors();
    for (const voice of ['en', 'fr']) {
      for (const wpm of [140, 175]) {
        const frames = computeFeatures(await espeak(text, voice, wpm));
        t.deepEqual(await fired(ww, frames), [word], `${voice} ${wpm} wpm`);
      }
    }
    await ww.release();
  });
}

test('espeak-ng saying something else triggers nothing', async (t) => {
  const ww = await detectors();
  for (const text of ['the weather is nice today', 'turn on the kitchen light']) {
    t.deepEqual(await fired(ww, computeFeatures(await espeak(text, 'en', 160))), [], text);
  }
  await ww.release();
});

test('the refractory period stops a second detection; reset() gives a fresh model', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const frames = await clipFeatures(referencePath('voice', 'wakeword-clips', 'alexa', '1.wav'));
  const twice = [...frames, ...frames];
  const longQuiet = await WakeWordDetector.load(runtime, modelsDir(), 'v2_alexa', { refractoryMs: 600_000 });
  const noQuiet = await WakeWordDetector.load(runtime, modelsDir(), 'v2_alexa', { refractoryMs: 0 });
  const count = async (d: WakeWordDetector): Promise<number> => {
    let n = 0;
    for (const f of twice) if (await d.push(f)) n++;
    return n;
  };
  t.is(await count(longQuiet), 1);
  t.true(await count(noQuiet) >= 2, 'without a refractory period the second utterance fires too');
  // reset: same probabilities as a freshly loaded model.
  const trace = async (d: WakeWordDetector): Promise<number[]> => {
    const out: number[] = [];
    for (const f of frames) { const h = await d.push(f); out.push(h === null ? 0 : h.atMs); }
    return out;
  };
  await noQuiet.reset();
  t.is(noQuiet.timeMs, 0);
  const fresh = await WakeWordDetector.load(runtime, modelsDir(), 'v2_alexa', { refractoryMs: 0 });
  t.deepEqual(await trace(noQuiet), await trace(fresh));
  await Promise.all([longQuiet.release(), noQuiet.release(), fresh.release()]);
});

test('the cutoff is overridable: a cutoff near 1 silences a true clip', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const frames = await clipFeatures(referencePath('voice', 'wakeword-clips', 'hey_jarvis', '2.wav'));
  const strict = await WakeWordDetector.load(runtime, modelsDir(), 'v2_hey_jarvis', { cutoff: 0.999999 });
  t.is(strict.cutoff, 0.999999);
  let n = 0;
  for (const f of frames) if (await strict.push(f)) n++;
  t.is(n, 0);
  await strict.release();
  await t.throwsAsync(WakeWordDetector.load(runtime, modelsDir(), 'v2_hey_jarvis', { cutoff: 1.5 }), { instanceOf: ModelError, message: /cutoff must be between 0 and 1/ });
});

test('configured wake words load from the configured models dir by id', async (t) => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-voice-models-'));
  try {
    for (const ext of ['tflite', 'json']) await copyFile(path.join(modelsDir(), `v2_okay_nabu.${ext}`), path.join(dir, `okay_nabu.${ext}`));
    const ww = await loadConfiguredWakeWords(await loadLiteRtRuntime(), { modelsDir: dir, wake: { words: [{ id: 'okay_nabu', cutoff: 0.9 }], refractoryMs: 1000 } });
    t.deepEqual(ww.detectors.map((d) => [d.id, d.cutoff, d.refractoryMs]), [['okay_nabu', 0.9, 1000]]);
    await ww.release();
    await t.throwsAsync(loadConfiguredWakeWords(await loadLiteRtRuntime(), { modelsDir: dir, wake: { words: [{ id: 'alexa' }], refractoryMs: 1000 } }),
      { instanceOf: ModelError, message: /voice model "alexa" not found in .*setup-voice\.sh/ });
  } finally { await rm(dir, { recursive: true, force: true }); }
});

test('a truncated or corrupt model, or a bad manifest, is refused with a clear error', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const { bytes, manifest } = await readModelFiles(modelsDir(), 'v2_hey_mycroft');
  const truncated = await t.throwsAsync(WakeWordDetector.fromBytes(runtime, 'hey_mycroft', bytes.slice(0, bytes.length >> 1), manifest), { instanceOf: ModelError });
  t.regex(truncated?.message ?? '', /^wake word "hey_mycroft": .*(truncated|past the end)/);
  const junk = Uint8Array.from({ length: 2000 }, (_, i) => (i * 7919) & 0xff);
  const corrupt = await t.throwsAsync(WakeWordDetector.fromBytes(runtime, 'hey_mycroft', junk, manifest), { instanceOf: ModelError });
  t.regex(corrupt?.message ?? '', /^wake word "hey_mycroft": /);
  t.throws(() => parseManifest({ wake_word: 'x', model: 'x.tflite', version: 2, micro: { probability_cutoff: 2, sliding_window_size: 5, feature_step_size: 10 } }, 'x.json'),
    { instanceOf: ModelError, message: /x\.json: not a microWakeWord v2 manifest \(micro\.probability_cutoff/ });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-voice-models-'));
  try {
    await writeFile(path.join(dir, 'w.json'), '{ not json');
    await writeFile(path.join(dir, 'w.tflite'), await readFile(path.join(modelsDir(), 'v2_alexa.tflite')));
    await t.throwsAsync(WakeWordDetector.load(runtime, dir, 'w'), { instanceOf: ModelError, message: /w\.json: not JSON/ });
    await t.throwsAsync(WakeWordDetector.load(runtime, dir, '../w'), { instanceOf: ModelError, message: /not a plain file name/ });
  } finally { await rm(dir, { recursive: true, force: true }); }
});
