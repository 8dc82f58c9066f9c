// `npm run bench -- recognize`: closed-grammar recognition measured on real English recordings that Debian
// ships (pocketsphinx-testdata; asterisk-core-sounds-en-wav, whose file names are their words).
// In-grammar clips must come back exactly; out-of-grammar clips (long Asterisk prompts) must be rejected.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { compileGrammar, readDictionary, type GrammarSource } from './grammar.js';
import { PocketsphinxEngine, defaultMinScore, pocketsphinxModelDir, type Decoding } from './recognizer.js';
import { voiceSentences } from './sentences.js';
import { parseWav, to16kMono } from '../audio/wav.js';

export const testdataDir = '/usr/share/pocketsphinx/test/data';
export const asteriskDir = '/usr/share/asterisk/sounds/en';

export interface Clip {
  file: string;
  /** The words said; null for out-of-grammar clips (their words are not in the grammar). */
  transcript: string | null;
}

const digitWords: Record<string, string> = { 0: 'zero', 1: 'one', 2: 'two', 3: 'three', 4: 'four', 5: 'five', 6: 'six', 7: 'seven', 8: 'eight', 9: 'nine', 10: 'ten', 11: 'eleven', 12: 'twelve', 13: 'thirteen', 14: 'fourteen', 15: 'fifteen', 16: 'sixteen', 17: 'seventeen', 18: 'eighteen', 19: 'nineteen', 20: 'twenty', 30: 'thirty', 40: 'forty', 50: 'fifty', 60: 'sixty', 70: 'seventy', 80: 'eighty', 90: 'ninety', hundred: 'hundred', thousand: 'thousand', million: 'million', billion: 'billion', minus: 'minus', today: 'today', tomorrow: 'tomorrow', yesterday: 'yesterday' };
const nato: Record<string, string> = { a: 'alpha', b: 'bravo', c: 'charlie', d: 'delta', e: 'echo', f: 'foxtrot', g: 'golf', h: 'hotel', i: 'india', j: 'juliet', k: 'kilo', l: 'lima', m: 'mike', n: 'november', o: 'oscar', p: 'papa', q: 'quebec', r: 'romeo', s: 'sierra', t: 'tango', u: 'uniform', v: 'victor', w: 'whiskey', y: 'yankee', z: 'zulu' };
const singleWords = ['activated', 'added', 'calling', 'cancelled', 'disabled', 'enabled', 'extension', 'goodbye', 'hello', 'hours', 'invalid', 'location', 'minute', 'minutes', 'number', 'removed', 'seconds', 'sorry', 'transfer'];

/** Transcript files of pocketsphinx-testdata: `<s> words </s> (uttid)`. */
async function transcribed(dir: string, file: string): Promise<Clip[]> {
  const text = await readFile(path.join(dir, file), 'utf8');
  return [...text.matchAll(/^<s>\s*(.*?)\s*<\/s>\s*\((\S+)\)/gm)].map((m) => ({ file: path.join(dir, `${m[2]}.wav`), transcript: m[1]! }));
}

/** In-grammar clips: 5 card hands, 5 Librivox sentences, 63 Asterisk single words (digits, NATO alphabet, prompts). */
export async function inGrammarClips(): Promise<Clip[]> {
  const clips = [...(await transcribed(path.join(testdataDir, 'cards'), 'cards.transcription')), ...(await transcribed(path.join(testdataDir, 'librivox'), 'transcription'))];
  for (const [f, w] of Object.entries(digitWords)) clips.push({ file: path.join(asteriskDir, 'digits', `${f}.wav`), transcript: w });
  for (const [f, w] of Object.entries(nato)) clips.push({ file: path.join(asteriskDir, 'phonetic', `${f}_p.wav`), transcript: w });
  for (const w of singleWords) clips.push({ file: path.join(asteriskDir, `${w}.wav`), transcript: w });
  return clips;
}

/** Out-of-grammar clips: Asterisk's multi-word prompts (hyphenated names) of 1.5 s or more. */
export async function outOfGrammarClips(minSeconds = 1.5): Promise<Clip[]> {
  const files = (await readdir(asteriskDir)).filter((f) => f.endsWith('.wav') && f.includes('-') && !/tone|beep/.test(f)).sort();
  const out: Clip[] = [];
  for (const f of files) {
    const pcm = parseWav(await readFile(path.join(asteriskDir, f)));
    if (pcm.samples.length / pcm.channels / pcm.sampleRate >= minSeconds) out.push({ file: path.join(asteriskDir, f), transcript: null });
  }
  return out;
}

/** The measurement grammar: Wulf's own English commands (a small home) plus every in-grammar transcript. */
export function measurementGrammarSource(clips: Clip[]): GrammarSource {
  const home = voiceSentences({
    devices: [
      { id: 'kitchen', names: { en: ['kitchen light'], fr: [] }, domain: 'light', area: 'kitchen', preset: 'custom', payloads: {}, critical: false },
      { id: 'garage', names: { en: ['garage door'], fr: [] }, domain: 'cover', preset: 'custom', payloads: {}, critical: true },
      { id: 'fan', names: { en: ['fan', 'ceiling fan'], fr: [] }, domain: 'fan', area: 'bedroom', preset: 'custom', payloads: {}, critical: false },
    ],
    areas: [{ id: 'kitchen', names: { en: ['kitchen'], fr: [] } }, { id: 'bedroom', names: { en: ['bedroom'], fr: [] } }],
    routines: [],
  }, 'en');
  const said = [...new Set(clips.map((c) => c.transcript).filter((t): t is string => !!t))];
  return { ...home, templates: [...home.templates, ...said.map((template) => ({ intent: 'measurement', template }))] };
}

export interface ClipResult {
  clip: Clip;
  decoding: Decoding | null;
  /** What recognize() would return: the text, or null when rejected. */
  accepted: string | null;
}

export interface RecognitionFigures {
  inGrammar: { clips: number; exact: number; exactRate: number };
  outOfGrammar: { clips: number; rejected: number; rejectedRate: number };
  minScore: number;
  msPerClip: number;
  results: ClipResult[];
}

/** Decode every clip once and score it against the rejection threshold. */
export async function measureRecognition(minScore = defaultMinScore): Promise<RecognitionFigures> {
  const [inClips, outClips] = await Promise.all([inGrammarClips(), outOfGrammarClips()]);
  const dict = await readDictionary(path.join(pocketsphinxModelDir, 'cmudict-en-us.dict'));
  const grammar = compileGrammar(measurementGrammarSource(inClips), (w) => dict.has(w));
  const engine = await PocketsphinxEngine.create({ grammar, log: pino({ level: 'silent' }), minScore, dictionary: dict });
  const started = Date.now();
  const results: ClipResult[] = [];
  try {
    const clips = [...inClips, ...outClips];
    const pcms = await Promise.all(clips.map(async (c) => to16kMono(parseWav(await readFile(c.file), c.file))));
    const decodings = await engine.decodeMany(pcms);
    clips.forEach((clip, i) => {
      const decoding = decodings[i] ?? null;
      const accepted = decoding && decoding.text && decoding.score >= minScore ? decoding.text : null;
      results.push({ clip, decoding, accepted });
    });
  } finally {
    await engine.close();
  }
  const ins = results.filter((r) => r.clip.transcript !== null);
  const outs = results.filter((r) => r.clip.transcript === null);
  const exact = ins.filter((r) => r.accepted === r.clip.transcript).length;
  const rejected = outs.filter((r) => r.accepted === null).length;
  return {
    inGrammar: { clips: ins.length, exact, exactRate: exact / ins.length },
    outOfGrammar: { clips: outs.length, rejected, rejectedRate: rejected / outs.length },
    minScore,
    msPerClip: (Date.now() - started) / results.length,
    results,
  };
}

export function formatFigures(f: RecognitionFigures, isVerbose: boolean): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines = [
    `closed-grammar recognition, pocketsphinx en-us, reject when phone agreement < ${f.minScore}`,
    `in grammar:     ${f.inGrammar.exact}/${f.inGrammar.clips} exact (${pct(f.inGrammar.exactRate)}, goal 80%)`,
    `out of grammar: ${f.outOfGrammar.rejected}/${f.outOfGrammar.clips} rejected (${pct(f.outOfGrammar.rejectedRate)}, goal 90%)`,
    `${f.msPerClip.toFixed(0)} ms per clip (both decodes, this machine)`,
  ];
  if (isVerbose) {
    for (const r of f.results) {
      const ok = r.clip.transcript === null ? r.accepted === null : r.accepted === r.clip.transcript;
      lines.push(`${ok ? 'ok ' : 'BAD'} ${r.decoding?.score.toFixed(2) ?? 'none'}\t${path.basename(r.clip.file)}\t${r.clip.transcript ?? '(out)'}\t→ ${r.decoding?.text ?? ''}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * End of speech → text, as the pipeline pays it: one recognize() per finished utterance (both decodes,
 * process start and model load included), p50/p90 over the first `n` in-grammar clips. Reference in
 * the same run: the same clips decoded as one batch (decodeMany), i.e. the decoding alone.
 */
export async function measureLatency(n = 12): Promise<{ p50: number; p90: number; batchPerClip: number; clips: number }> {
  const clips = (await inGrammarClips()).slice(0, n);
  const dict = await readDictionary(path.join(pocketsphinxModelDir, 'cmudict-en-us.dict'));
  const engine = await PocketsphinxEngine.create({ grammar: compileGrammar(measurementGrammarSource(clips), (w) => dict.has(w)), log: pino({ level: 'silent' }), dictionary: dict });
  try {
    const pcms = await Promise.all(clips.map(async (c) => to16kMono(parseWav(await readFile(c.file), c.file))));
    await engine.recognize(pcms[0]!); // warm the page cache
    const times: number[] = [];
    for (const pcm of pcms) {
      const t0 = performance.now();
      await engine.recognize(pcm);
      times.push(performance.now() - t0);
    }
    const t0 = performance.now();
    await engine.decodeMany(pcms);
    const batchPerClip = (performance.now() - t0) / pcms.length;
    times.sort((a, b) => a - b);
    return { p50: times[Math.floor(times.length / 2)]!, p90: times[Math.min(times.length - 1, Math.floor(times.length * 0.9))]!, batchPerClip, clips: pcms.length };
  } finally {
    await engine.close();
  }
}

/** Bench entry: `[--min-score=N] [--verbose] [--latency-only]`. */
export async function run(args: readonly string[]): Promise<string> {
  const latency = await measureLatency();
  const latencyLine = `end of speech → text, one utterance at a time: p50 ${latency.p50.toFixed(0)} ms, p90 ${latency.p90.toFixed(0)} ms over ${latency.clips} clips (goal for end of speech → action: p50 ≤ 300 ms); reference, the same clips decoded as one batch: ${latency.batchPerClip.toFixed(0)} ms per clip (${(latency.p50 / latency.batchPerClip).toFixed(1)}×)\n`;
  if (args.includes('--latency-only')) return args.includes('--json') ? `${JSON.stringify({ latency })}\n` : latencyLine;
  const arg = args.find((a) => a.startsWith('--min-score='));
  const figures = await measureRecognition(arg ? Number(arg.split('=')[1]) : defaultMinScore);
  return args.includes('--json') ? `${JSON.stringify({ ...figures, results: undefined, latency }, null, 2)}\n` : formatFigures(figures, args.includes('--verbose')) + latencyLine;
}
