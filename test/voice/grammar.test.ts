import test from 'ava';
import { KNOWN_INTENTS } from '../../src/assistant/plan.js';
import { configSchema } from '../../src/config/index.js';
import { GrammarError, commandPatterns, compileGrammar, expandSentences, normalizeWords, numberToEnglish, parseTemplate, readDictionary, voiceSentences } from '../../src/voice/index.js';

const dictPath = '/usr/share/pocketsphinx/model/en-us/cmudict-en-us.dict';
const dict = readDictionary(dictPath);

const config = configSchema.parse({
  areas: [{ id: 'kitchen', names: { en: ['kitchen'], fr: ['cuisine'] } }, { id: 'living', names: { en: ['living room'], fr: ['salon'] } }],
  devices: [
    { id: 'kitchen-light', names: { en: ['kitchen light', 'Ceiling Lamp'], fr: ['lumière de la cuisine'] }, domain: 'light', area: 'kitchen' },
    { id: 'garage', names: { en: ['garage door'], fr: ['porte du garage'] }, domain: 'cover' },
    { id: 'odd', names: { en: ['Zorglub lamp'], fr: [] }, domain: 'light' },
  ],
  routines: [{ id: 'night', phrases: { en: ['good night (everyone)'], fr: ['bonne nuit'] }, steps: [{ tool: 'clock_time' }] }],
});

test('words are normalized the way the recognizer writes them', (t) => {
  t.deepEqual(normalizeWords('Turn ON the Kitchen-Light, 21 times!', 'en'), ['turn', 'on', 'the', 'kitchen', 'light', 'twenty', 'one', 'times']);
  t.deepEqual(normalizeWords("What’s the 'time'?", 'en'), ["what's", 'the', 'time']);
  t.deepEqual(normalizeWords('Allume la lumière à 50 %', 'fr'), ['allume', 'la', 'lumière', 'à', '50']);
  t.is(numberToEnglish(0), 'zero');
  t.is(numberToEnglish(115), 'one hundred fifteen');
  t.is(numberToEnglish(2026), 'two thousand twenty six');
});

test('templates parse; unbalanced brackets are refused', (t) => {
  t.deepEqual(parseTemplate('a [b] (c | d)'), {
    k: 'seq',
    items: [{ k: 'word', w: 'a' }, { k: 'opt', e: { k: 'word', w: 'b' } }, { k: 'alt', options: [{ k: 'word', w: 'c' }, { k: 'word', w: 'd' }] }],
  });
  t.throws(() => parseTemplate('turn (on | off'), { instanceOf: GrammarError });
  t.throws(() => parseTemplate('turn on]'), { instanceOf: GrammarError });
});

test('the English grammar holds the configured names and areas, and reports unknown words', async (t) => {
  const d = await dict;
  const g = compileGrammar(voiceSentences(config, 'en'), (w) => d.has(w));
  t.regex(g.jsgf, /^#JSGF V1\.0;/);
  t.regex(g.jsgf, /<list_name> = [^;]*kitchen light/);
  t.regex(g.jsgf, /<list_name> = [^;]*ceiling lamp/);
  t.regex(g.jsgf, /<list_area> = [^;]*living room/);
  t.regex(g.jsgf, /<list_cover> = garage door;/);
  t.regex(g.jsgf, /good night everyone/, 'routine phrases are sentences too (their brackets taken as words)');
  t.notRegex(g.jsgf, /zorglub/);
  t.deepEqual(g.oov.map((o) => o.word), ['zorglub']);
  t.true(g.oov[0]!.from.includes('Zorglub lamp'));
  t.true(g.words.every((w) => d.has(w)), 'every word can be pronounced');
});

test('the sentences cover the commands in spoken form', (t) => {
  const sentences = expandSentences(voiceSentences(config, 'en'));
  for (const s of ['turn on the kitchen light', 'switch off the lights in the living room', 'open the garage door', 'set a timer for five minutes', 'set the kitchen light to fifty percent', "what's the time", 'yes']) t.true(sentences.includes(s), s);
  t.false(sentences.includes('open the kitchen light'), 'covers only for open/close');
});

test('every pattern names an intent the planner knows', (t) => {
  for (const lang of ['en', 'fr'] as const) for (const intent of Object.keys(commandPatterns[lang])) t.true((KNOWN_INTENTS as readonly string[]).includes(intent), `${lang} ${intent}`);
});

test('French compiles to its own grammar (no engine yet, but the sentences are ready)', (t) => {
  const g = compileGrammar(voiceSentences(config, 'fr'), () => true);
  t.regex(g.jsgf, /grammar wulf_fr;/);
  t.regex(g.jsgf, /lumière de la cuisine/);
  t.regex(g.jsgf, /allume/);
  t.throws(() => compileGrammar(voiceSentences(config, 'fr'), () => false), { instanceOf: GrammarError }, 'no pronounceable sentence is an error, not an empty grammar');
});
