// Closed-grammar recognition (#12): one narrow engine interface, and pocketsphinx (Debian's
// pocketsphinx_batch + pocketsphinx-en-us) behind it. It returns only sentences of the grammar, and
// null for speech the grammar does not hold: the phones of the grammar's answer are compared with
// what a free phone decode heard, and too little agreement means the speaker said something else.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { readDictionary, type CompiledGrammar, type Lang } from './grammar.js';
import { runProgram } from './run-program.js';

export interface Recognition {
  text: string;
  /** Confidence: higher is surer; comparable across utterances of one engine only. */
  score: number;
}

export interface RecognizerEngine {
  readonly language: Lang;
  /** 16 kHz mono s16 speech → a grammar sentence, or null when nothing in the grammar was said. */
  recognize(pcm16k: Int16Array): Promise<Recognition | null>;
}

/** Both decodes of one utterance, as the rejection rule sees them (also what the bench prints). */
export interface Decoding {
  text: string;
  /** Phones of the grammar's answer (first pronunciation of each word) and of the free phone decode. */
  grammarPhones: string[];
  freePhones: string[];
  frames: number;
  /** 1 - edit distance(grammarPhones, freePhones) / longer length: 1 when they agree, near 0 when unrelated. */
  score: number;
}

/** Levenshtein distance between two phone strings. */
export function editDistance(a: readonly string[], b: readonly string[]): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur.push(Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = cur;
  }
  return prev[b.length]!;
}

/** Agreement in [0, 1] between the grammar's phones and the free decode's phones. */
export function phoneAgreement(grammarPhones: readonly string[], freePhones: readonly string[]): number {
  const longer = Math.max(grammarPhones.length, freePhones.length);
  return longer ? 1 - editDistance(grammarPhones, freePhones) / longer : 0;
}

export const pocketsphinxModelDir = '/usr/share/pocketsphinx/model/en-us';

export interface PocketsphinxOptions {
  grammar: CompiledGrammar;
  log: Logger;
  /** Reject when Decoding.score is below this (measured: see test/voice/recognizer.test.ts). */
  minScore?: number;
  timeoutMs?: number;
  modelDir?: string;
  /** The model's pronunciation dictionary when the caller already read it (compiling the grammar): read once, not twice. */
  dictionary?: Map<string, string[]>;
  program?: string;
}

/**
 * Default rejection threshold on Decoding.score, chosen on Debian's recordings (`npm run bench -- recognize`):
 * the best trade-off found there between exact in-grammar answers and rejected out-of-grammar prompts.
 */
export const defaultMinScore = 0.16;

const fillers = /^(<s>|<\/s>|<sil>|\[.*\]|\+.*\+|\(NULL\)|SIL)$/;

/**
 * The utterance without its long silent ends: from `marginMs` before the first 10 ms frame louder than
 * max(minRms, loudest / 20) to `marginMs` after the last. The pipeline hands over everything from the
 * wake word to the end of speech (often a second or more of silence); long silences skew pocketsphinx's
 * cepstral mean and make it drop or swap words (measured on espeak-ng commands: see the README).
 */
export function trimSilence(pcm: Int16Array, marginMs = 200, minRms = 64): Int16Array {
  const step = 160;
  const rms: number[] = [];
  for (let i = 0; i + step <= pcm.length; i += step) {
    let s = 0;
    for (let j = i; j < i + step; j++) s += pcm[j]! * pcm[j]!;
    rms.push(Math.sqrt(s / step));
  }
  const floor = Math.max(minRms, Math.max(0, ...rms) / 20);
  const first = rms.findIndex((r) => r > floor);
  if (first < 0) return pcm;
  let last = rms.length - 1;
  while (rms[last]! <= floor) last--;
  const margin = Math.round((marginMs * 16_000) / 1000);
  return pcm.subarray(Math.max(0, first * step - margin), Math.min(pcm.length, (last + 1) * step + margin));
}

/** Parse one pocketsphinx `-hypseg` line: `uttid S s T total A ascr L lscr (sf wascr wlscr word)* ef`. */
export function parseHypseg(line: string): { uttId: string; words: string[]; ascr: number; frames: number } | null {
  const t = line.trim().split(/\s+/);
  if (t.length < 10 || t[1] !== 'S' || t[5] !== 'A' || t[7] !== 'L') return null;
  const words: string[] = [];
  for (let i = 9; i + 4 < t.length; i += 4) if (!fillers.test(t[i + 3]!)) words.push(t[i + 3]!.replace(/\(\d+\)$/, ''));
  return { uttId: t[0]!, words, ascr: Number(t[6]), frames: Number(t[t.length - 1]) };
}

export class PocketsphinxEngine implements RecognizerEngine {
  readonly language: Lang = 'en';
  private count = 0;

  private constructor(
    private readonly dir: string,
    private readonly opts: PocketsphinxOptions,
    /** Grammar word → its phones (first pronunciation). */
    private readonly phonesOf: Map<string, string[]>,
  ) {}

  /** Writes the grammar and a dictionary of just its words into a private (0700) temp dir. */
  static async create(opts: PocketsphinxOptions): Promise<PocketsphinxEngine> {
    if (opts.grammar.lang !== 'en') throw new Error(`pocketsphinx has an English model only (grammar is ${opts.grammar.lang})`);
    const modelDir = opts.modelDir ?? pocketsphinxModelDir;
    const dict = opts.dictionary ?? (await readDictionary(path.join(modelDir, 'cmudict-en-us.dict')));
    const lines = opts.grammar.words.flatMap((w) => (dict.get(w) ?? []).map((p, i) => `${i ? `${w}(${i + 1})` : w} ${p}`));
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wulf-asr-'));
    await writeFile(path.join(dir, 'grammar.jsgf'), opts.grammar.jsgf, { mode: 0o600 });
    await writeFile(path.join(dir, 'words.dict'), lines.join('\n') + '\n', { mode: 0o600 });
    return new PocketsphinxEngine(dir, opts, new Map(opts.grammar.words.map((w) => [w, (dict.get(w)?.[0] ?? '').split(/\s+/).filter(Boolean)])));
  }

  async recognize(pcm16k: Int16Array): Promise<Recognition | null> {
    const d = await this.decode(pcm16k);
    if (!d || !d.text) return null;
    if (d.score < (this.opts.minScore ?? defaultMinScore)) {
      this.opts.log.debug({ score: d.score, frames: d.frames, heard: d.freePhones.join(' ') }, 'asr: rejected as out of grammar');
      return null;
    }
    return { text: d.text, score: d.score };
  }

  /** Run the grammar decode and the free phone decode (in parallel) on one utterance. */
  async decode(pcm16k: Int16Array): Promise<Decoding | null> {
    return (await this.decodeMany([pcm16k]))[0] ?? null;
  }

  /** Decode several utterances with one start of each decoder (the model loads once: benches, tests). */
  async decodeMany(pcms: Int16Array[]): Promise<Array<Decoding | null>> {
    const batch = `b${++this.count}`;
    const ids = pcms.map((_, i) => `${batch}u${i}`);
    await Promise.all(pcms.map((pcm, i) => {
      const p = trimSilence(pcm);
      return writeFile(path.join(this.dir, `${ids[i]}.raw`), Buffer.from(p.buffer, p.byteOffset, p.byteLength), { mode: 0o600 });
    }));
    try {
      const [g, p] = await Promise.all([this.batch(batch, ids, 'grammar'), this.batch(batch, ids, 'phones')]);
      return ids.map((id) => {
        const gd = g.get(id);
        const pd = p.get(id);
        if (!gd || !pd || gd.frames <= 0) return null;
        const grammarPhones = gd.words.flatMap((w) => this.phonesOf.get(w) ?? []);
        return { text: gd.words.join(' '), grammarPhones, freePhones: pd.words, frames: gd.frames, score: phoneAgreement(grammarPhones, pd.words) };
      });
    } finally {
      await Promise.all(ids.map((id) => rm(path.join(this.dir, `${id}.raw`), { force: true })));
    }
  }

  private async batch(batch: string, ids: string[], mode: 'grammar' | 'phones'): Promise<Map<string, NonNullable<ReturnType<typeof parseHypseg>>>> {
    const modelDir = this.opts.modelDir ?? pocketsphinxModelDir;
    const ctl = path.join(this.dir, `${batch}.${mode}.ctl`);
    const seg = path.join(this.dir, `${batch}.${mode}.seg`);
    await writeFile(ctl, ids.join('\n') + '\n', { mode: 0o600 });
    const search = mode === 'grammar'
      ? ['-jsgf', path.join(this.dir, 'grammar.jsgf'), '-dict', path.join(this.dir, 'words.dict')]
      : ['-allphone', path.join(modelDir, 'en-us-phone.lm.bin'), '-allphone_ci', 'yes', '-dict', path.join(this.dir, 'words.dict')];
    // Dither (fixed seed: the same audio decodes the same way): digital silence (exact zeros) has no
    // log energy and upsets the decoder; any real microphone adds this much noise anyway.
    const args = ['-hmm', path.join(modelDir, 'en-us'), ...search, '-ctl', ctl, '-cepdir', this.dir, '-cepext', '.raw', '-adcin', 'yes', '-dither', 'yes', '-seed', '1', '-hypseg', seg, '-logfn', '/dev/null'];
    try {
      const timeoutMs = (this.opts.timeoutMs ?? 30_000) * ids.length;
      await runProgram(this.opts.program ?? 'pocketsphinx_batch', args, { timeoutMs, maxStdoutBytes: 1 << 20 });
      const lines = (await readFile(seg, 'utf8').catch(() => '')).split('\n');
      return new Map(lines.map(parseHypseg).flatMap((h) => (h ? [[h.uttId, h] as const] : [])));
    } finally {
      await Promise.all([rm(ctl, { force: true }), rm(seg, { force: true })]);
    }
  }

  async close(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface EngineStatus {
  language: Lang;
  engine: 'pocketsphinx' | null;
  isAvailable: boolean;
  detail: string;
}

/** Whether voice commands can be recognized in `lang` on this machine (for `wulf doctor` and status). */
export function engineStatus(lang: Lang, modelDir = pocketsphinxModelDir, pathEnv = process.env.PATH ?? ''): EngineStatus {
  if (lang !== 'en') return { language: lang, engine: null, isAvailable: false, detail: `no speech recognizer for ${lang} yet: voice commands are English only (text and MQTT work in ${lang})` };
  const hasProgram = pathEnv.split(':').some((d) => d && existsSync(path.join(d, 'pocketsphinx_batch')));
  const hasModel = existsSync(path.join(modelDir, 'en-us', 'mdef')) && existsSync(path.join(modelDir, 'cmudict-en-us.dict'));
  if (hasProgram && hasModel) return { language: lang, engine: 'pocketsphinx', isAvailable: true, detail: `pocketsphinx_batch with ${modelDir}` };
  const missing = [hasProgram ? null : 'pocketsphinx_batch (Debian package pocketsphinx)', hasModel ? null : `the model in ${modelDir} (pocketsphinx-en-us)`].filter(Boolean);
  return { language: lang, engine: 'pocketsphinx', isAvailable: false, detail: `missing ${missing.join(' and ')}` };
}
