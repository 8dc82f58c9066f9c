// The closed grammar ("speech to phrase", #12): the sentences Wulf understands, per language, compiled
// to JSGF for the recognizer. Words are normalized (lower case, no punctuation, digits spelled out in
// English) and kept only when the pronunciation dictionary knows them; the rest is reported, not guessed.
// Template syntax: words, `(a|b)` alternatives, `[x]` optional, `{list}` a list of phrases.
import { readFile } from 'node:fs/promises';

export type Lang = 'en' | 'fr';

export type Expr =
  | { k: 'word'; w: string }
  | { k: 'list'; name: string }
  | { k: 'seq'; items: Expr[] }
  | { k: 'alt'; options: Expr[] }
  | { k: 'opt'; e: Expr };

export class GrammarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GrammarError';
  }
}

/** What a grammar is made of: templates (with their intent, for reports) and the phrase lists they use. */
export interface GrammarSource {
  lang: Lang;
  templates: Array<{ intent: string; template: string }>;
  lists: Record<string, string[]>;
}

export interface CompiledGrammar {
  lang: Lang;
  jsgf: string;
  /** Every word the grammar can produce (all in the dictionary). */
  words: string[];
  /** Words left out because the dictionary does not know them, each once, with the first place it came from. */
  oov: Array<{ word: string; from: string }>;
  templateCount: number;
}

const ones = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const tens = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

/** 0…9999 in English words ("21" → "twenty one"); larger numbers digit by digit. */
export function numberToEnglish(n: number): string {
  if (n < 20) return ones[n]!;
  if (n < 100) return tens[Math.floor(n / 10)]! + (n % 10 ? ` ${ones[n % 10]}` : '');
  if (n < 1000) return `${ones[Math.floor(n / 100)]} hundred` + (n % 100 ? ` ${numberToEnglish(n % 100)}` : '');
  if (n < 10_000) return `${numberToEnglish(Math.floor(n / 1000))} thousand` + (n % 1000 ? ` ${numberToEnglish(n % 1000)}` : '');
  return [...String(n)].map((d) => ones[Number(d)]).join(' ');
}

/** Words as the recognizer writes them: lower case, punctuation gone (inner apostrophes kept), English digits spelled out. */
export function normalizeWords(text: string, lang: Lang): string[] {
  let s = text.normalize('NFC').toLowerCase().replace(/[’`]/g, "'");
  if (lang === 'en') s = s.replace(/\d+/g, (d) => ` ${numberToEnglish(Number(d))} `);
  return s
    .replace(/[^\p{L}\p{N}']+/gu, ' ')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean);
}

/** Parse one template into an expression tree; throws GrammarError on unbalanced brackets. */
export function parseTemplate(template: string): Expr {
  const tokens = template.match(/[()[\]|]|\{[a-z_][a-z0-9_]*\}|[^\s()[\]|{}]+/gi) ?? [];
  let pos = 0;
  const seq = (items: Expr[]): Expr => (items.length === 1 ? items[0]! : { k: 'seq', items });
  const parseAlt = (close: string | null): Expr => {
    const options: Expr[] = [];
    let items: Expr[] = [];
    for (;;) {
      const t = tokens[pos++];
      if (t === undefined) {
        if (close) throw new GrammarError(`unclosed "${close === ')' ? '(' : '['}" in ${JSON.stringify(template)}`);
        break;
      }
      if (t === close) break;
      if (t === ')' || t === ']') throw new GrammarError(`unexpected "${t}" in ${JSON.stringify(template)}`);
      if (t === '|') {
        options.push(seq(items));
        items = [];
      } else if (t === '(') items.push(parseAlt(')'));
      else if (t === '[') items.push({ k: 'opt', e: parseAlt(']') });
      else if (t.startsWith('{')) items.push({ k: 'list', name: t.slice(1, -1) });
      else items.push({ k: 'word', w: t });
    }
    options.push(seq(items));
    return options.length === 1 ? options[0]! : { k: 'alt', options };
  };
  return parseAlt(null);
}

/** The words of a pronunciation dictionary (CMUdict format: `word PH ON ES`, variants as `word(2)`). */
export async function readDictionary(file: string): Promise<Map<string, string[]>> {
  const dict = new Map<string, string[]>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^(\S+?)(?:\(\d+\))?\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const prons = dict.get(m[1]!) ?? [];
    prons.push(m[2]!.trim());
    dict.set(m[1]!, prons);
  }
  return dict;
}

/** Map every word of an expression through `normalizeWords` (one written word may become several). */
function normalizeExpr(e: Expr, lang: Lang): Expr {
  switch (e.k) {
    case 'word': {
      const words = normalizeWords(e.w, lang);
      return words.length === 1 ? { k: 'word', w: words[0]! } : { k: 'seq', items: words.map((w) => ({ k: 'word', w })) };
    }
    case 'seq':
      return { k: 'seq', items: e.items.map((i) => normalizeExpr(i, lang)) };
    case 'alt':
      return { k: 'alt', options: e.options.map((o) => normalizeExpr(o, lang)) };
    case 'opt':
      return { k: 'opt', e: normalizeExpr(e.e, lang) };
    case 'list':
      return e;
  }
}

function wordsOf(e: Expr, out: string[] = []): string[] {
  if (e.k === 'word') out.push(e.w);
  else if (e.k === 'seq') e.items.forEach((i) => wordsOf(i, out));
  else if (e.k === 'alt') e.options.forEach((o) => wordsOf(o, out));
  else if (e.k === 'opt') wordsOf(e.e, out);
  return out;
}

function listsOf(e: Expr, out: string[] = []): string[] {
  if (e.k === 'list') out.push(e.name);
  else if (e.k === 'seq') e.items.forEach((i) => listsOf(i, out));
  else if (e.k === 'alt') e.options.forEach((o) => listsOf(o, out));
  else if (e.k === 'opt') listsOf(e.e, out);
  return out;
}

const isEmpty = (e: Expr): boolean => e.k === 'seq' && e.items.every(isEmpty);

/** JSGF text of an expression; an empty alternative (`(a|)`) becomes an optional (`[a]`). */
function toJsgf(e: Expr): string {
  switch (e.k) {
    case 'word':
      return e.w;
    case 'list':
      return `<list_${e.name}>`;
    case 'seq':
      return e.items.filter((i) => !isEmpty(i)).map(toJsgf).join(' ');
    case 'opt':
      return isEmpty(e.e) ? '' : `[ ${toJsgf(e.e)} ]`;
    case 'alt': {
      const full = e.options.filter((o) => !isEmpty(o)).map(toJsgf);
      if (!full.length) return '';
      return full.length < e.options.length ? `[ ${full.join(' | ')} ]` : `( ${full.join(' | ')} )`;
    }
  }
}

/** Normalize list phrases and drop those with unknown words; returns the kept phrases as word lists. */
function compileLists(src: GrammarSource, isKnown: (w: string) => boolean, oov: CompiledGrammar['oov']): Map<string, string[][]> {
  const lists = new Map<string, string[][]>();
  for (const [name, phrases] of Object.entries(src.lists)) {
    const kept = new Map<string, string[]>();
    for (const phrase of phrases) {
      const words = normalizeWords(phrase, src.lang);
      const unknown = words.filter((w) => !isKnown(w));
      unknown.forEach((word) => oov.push({ word, from: `{${name}} "${phrase}"` }));
      if (words.length && !unknown.length) kept.set(words.join(' '), words);
    }
    lists.set(name, [...kept.values()]);
  }
  return lists;
}

/** Compile a grammar source to JSGF; `isKnown` says whether the recognizer can pronounce a word. */
export function compileGrammar(src: GrammarSource, isKnown: (w: string) => boolean): CompiledGrammar {
  const oov: CompiledGrammar['oov'] = [];
  const lists = compileLists(src, isKnown, oov);
  const rules: string[] = [];
  const used = new Set<string>();
  const words = new Set<string>();
  src.templates.forEach(({ intent, template }) => {
    const expr = normalizeExpr(parseTemplate(template), src.lang);
    const unknown = wordsOf(expr).filter((w) => !isKnown(w));
    unknown.forEach((word) => oov.push({ word, from: `${intent}: "${template}"` }));
    const refs = listsOf(expr);
    if (unknown.length || refs.some((r) => !lists.get(r)?.length)) return; // left out: reported above, or a list with no usable phrase
    refs.forEach((r) => used.add(r));
    wordsOf(expr).forEach((w) => words.add(w));
    const body = toJsgf(expr).replace(/\s+/g, ' ').trim();
    if (body) rules.push(`<t${rules.length}> = ${body};`);
  });
  if (!rules.length) throw new GrammarError(`no usable sentence for ${src.lang} (${oov.length} unknown words)`);
  const listRules = [...used].sort().map((name) => {
    const phrases = lists.get(name)!;
    phrases.flat().forEach((w) => words.add(w));
    return `<list_${name}> = ${phrases.map((p) => p.join(' ')).join(' | ')};`;
  });
  const publicRule = `public <command> = ${rules.map((_, i) => `<t${i}>`).join(' | ')};`;
  const jsgf = ['#JSGF V1.0;', '', `grammar wulf_${src.lang};`, '', publicRule, ...rules, ...listRules, ''].join('\n');
  const firstOov = [...new Map(oov.map((o) => [o.word, o] as const).reverse()).values()].reverse();
  return { lang: src.lang, jsgf, words: [...words].sort(), oov: firstOov, templateCount: rules.length };
}

/** Every sentence of a source, up to `max` (for tests, benches and the size report); unknown-word filtering not applied. */
export function expandSentences(src: GrammarSource, max = 10_000): string[] {
  const out = new Set<string>();
  const expand = (e: Expr): string[][] => {
    if (out.size >= max) return [[]];
    switch (e.k) {
      case 'word':
        return [[e.w]];
      case 'list':
        return (src.lists[e.name] ?? []).map((p) => normalizeWords(p, src.lang));
      case 'opt':
        return [[], ...expand(e.e)];
      case 'alt':
        return e.options.flatMap(expand);
      case 'seq':
        return e.items.reduce<string[][]>((acc, i) => acc.flatMap((a) => expand(i).map((b) => [...a, ...b])).slice(0, max), [[]]);
    }
  };
  for (const { template } of src.templates) {
    for (const s of expand(normalizeExpr(parseTemplate(template), src.lang))) if (out.size < max) out.add(s.join(' '));
  }
  return [...out];
}
