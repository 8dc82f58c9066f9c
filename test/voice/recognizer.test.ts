import test from 'ava';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { compileGrammar, editDistance, engineStatus, parseHypseg, phoneAgreement, PocketsphinxEngine, readDictionary, pocketsphinxModelDir, type GrammarSource } from '../../src/voice/index.js';
import { parseWav, to16kMono } from '../../src/audio/wav.js';
import { measureRecognition, testdataDir, type RecognitionFigures } from '../../src/voice/recognizer.bench.js';

const silent = pino({ level: 'silent' });
const dict = readDictionary(path.join(pocketsphinxModelDir, 'cmudict-en-us.dict'));
const clip = async (...p: string[]) => to16kMono(parseWav(await readFile(path.join(testdataDir, ...p))));

async function engineFor(sentences: string[]): Promise<PocketsphinxEngine> {
  const d = await dict;
  const src: GrammarSource = { lang: 'en', lists: {}, templates: sentences.map((template) => ({ intent: 'test', template })) };
  return PocketsphinxEngine.create({ grammar: compileGrammar(src, (w) => d.has(w)), log: silent });
}

test('hypseg lines parse into words (fillers dropped), acoustic score and frames', (t) => {
  const h = parseHypseg('001 S 0 T -2255 A -1918 L -337 0 -978 0 ten 34 -233 0 of 46 -566 0 clubs(2) 96 -141 -337 <sil> 107');
  t.deepEqual(h, { uttId: '001', words: ['ten', 'of', 'clubs'], ascr: -1918, frames: 107 });
  t.is(parseHypseg(''), null);
  t.is(parseHypseg('garbage line'), null);
});

test('phone agreement is 1 for the same phones and falls with edits', (t) => {
  t.is(editDistance(['T', 'EH', 'N'], ['T', 'EH', 'N']), 0);
  t.is(editDistance(['T', 'EH', 'N'], ['T', 'IH', 'N', 'Z']), 2);
  t.is(phoneAgreement(['T', 'EH', 'N'], ['T', 'EH', 'N']), 1);
  t.is(phoneAgreement(['T', 'EH', 'N'], ['T', 'IH', 'N', 'Z']), 0.5);
  t.is(phoneAgreement([], []), 0);
});

test('engine status: English through pocketsphinx, French reported plainly as having no engine', (t) => {
  const en = engineStatus('en');
  t.true(en.isAvailable, en.detail);
  t.is(en.engine, 'pocketsphinx');
  const fr = engineStatus('fr');
  t.false(fr.isAvailable);
  t.is(fr.engine, null);
  t.regex(fr.detail, /no speech recognizer for fr/);
  const broken = engineStatus('en', '/nonexistent/model', '/nonexistent/bin');
  t.false(broken.isAvailable);
  t.regex(broken.detail, /pocketsphinx_batch.*and.*pocketsphinx-en-us/);
});

test('real recordings in the grammar come back exactly', async (t) => {
  const engine = await engineFor(['ten of clubs', 'seven of clubs', 'five five', 'go forward ten meters', 'go backward two meters', 'turn on the kitchen light']);
  try {
    const r1 = await engine.recognize(await clip('cards', '001.wav'));
    t.is(r1?.text, 'ten of clubs');
    const r2 = await engine.recognize(await clip('cards', '003.wav'));
    t.is(r2?.text, 'seven of clubs');
    const raw = await readFile(path.join(testdataDir, 'goforward.raw'));
    const r3 = await engine.recognize(new Int16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2));
    t.is(r3?.text, 'go forward ten meters');
  } finally {
    await engine.close();
  }
});

test('speech outside the grammar is rejected, not guessed', async (t) => {
  const engine = await engineFor(['turn on the kitchen light', 'turn off the kitchen light', "what's the time", 'yes', 'no']);
  try {
    const said = await clip('librivox', 'sense_and_sensibility_01_austen_64kb-0870.wav');
    t.is(await engine.recognize(said), null);
    t.is(await engine.recognize(new Int16Array(16_000)), null, 'a second of silence is nothing');
  } finally {
    await engine.close();
  }
});

test('the grammar and audio live in a private temp dir that close() removes', async (t) => {
  const engine = await engineFor(['five five']);
  const dir = (engine as unknown as { dir: string }).dir;
  t.is((await stat(dir)).mode & 0o777, 0o700);
  t.is((await stat(path.join(dir, 'grammar.jsgf'))).mode & 0o777, 0o600);
  await engine.recognize(await clip('cards', '004.wav'));
  t.deepEqual((await readdir(dir)).sort(), ['grammar.jsgf', 'words.dict'], 'per-utterance files are gone');
  await engine.close();
  await t.throwsAsync(stat(dir), { code: 'ENOENT' });
});

// Measured on Debian's recordings (see src/voice/recognizer.bench.ts, `npm run bench -- voice`).
// One run serves both tests below: it decodes ~335 clips (about 2 minutes on 2 cores).
// 56/90 exact since the clips go through the product's resampler (src/audio/resample.ts, windowed
// sinc) instead of the old linear one: 80 of the 90 are 8 kHz telephone prompts, and linear
// interpolation's images above 4 kHz scored 63/90. Audio the product resamples now scores as measured.
const MEASURED_EXACT = 0.6;
const MEASURED_REJECTED = 0.75;
let measured: Promise<RecognitionFigures> | null = null;
const figures = () => (measured ??= measureRecognition());

test('recognition figures hold at the measured level (no regression)', async (t) => {
  t.timeout(10 * 60_000);
  const f = await figures();
  t.log(`in grammar ${f.inGrammar.exact}/${f.inGrammar.clips}, out of grammar rejected ${f.outOfGrammar.rejected}/${f.outOfGrammar.clips}, ${f.msPerClip.toFixed(0)} ms/clip`);
  t.true(f.inGrammar.clips >= 80 && f.outOfGrammar.clips >= 200, 'the Debian recordings are all there');
  t.true(f.inGrammar.exactRate >= MEASURED_EXACT, `exact ${f.inGrammar.exactRate}`);
  t.true(f.outOfGrammar.rejectedRate >= MEASURED_REJECTED, `rejected ${f.outOfGrammar.rejectedRate}`);
});

// TODO(#12): the goal is not reached yet (see the figures above); this turns red when it is, so the
// marker can be dropped.
test.failing('recognition reaches the goal: 80% exact in grammar, 90% of out-of-grammar rejected', async (t) => {
  t.timeout(10 * 60_000);
  const f = await figures();
  t.true(f.inGrammar.exactRate >= 0.8, `exact ${f.inGrammar.exactRate}`);
  t.true(f.outOfGrammar.rejectedRate >= 0.9, `rejected ${f.outOfGrammar.rejectedRate}`);
});
