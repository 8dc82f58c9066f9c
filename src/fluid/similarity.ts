// Does a new question ask what a stored one asked? A soft keyword overlap, accent- and
// case-insensitive, that lets inflections meet ("invented"/"inventor", "inventé"/"l'inventeur"),
// ignores filler ("tell me", "dis-moi"), and keeps the kind of question apart ("who" vs "when").
// The NLU embedding alone cannot do this: every open question lands near the others (same intent).
import { foldText } from '../memory/index.js';

const STOPWORDS = new Set(
  (
    // English
    'a an the of to in on at for from by with about into and or but is are was were be been being do does did done ' +
    'have has had i me my you your we our it its this that these those there here please can could would will shall should ' +
    'tell say know explain give show let s t d ll re ve m again really actually just so then some any much many very ' +
    'wulf hey hi ok okay' +
    // French
    ' le la les l un une des du de d au aux et ou mais est sont etait etaient ete etre a ai as avons avez ont avait ' +
    'je j me m moi tu te t toi vous nous il elle on ce c cet cette ces ca cela ceci se s y en ne n pas plus que qu ' +
    'dis dit dire explique expliquer donne donner sais savoir peux pouvez veux voudrais stp svp sil plait vraiment deja encore'
  ).split(' '),
);

/** Question words, by what they ask for. */
const ASKS: Record<string, string> = {
  who: 'person', whom: 'person', whose: 'person', qui: 'person',
  when: 'time', quand: 'time',
  where: 'place', ou: 'place',
  why: 'reason', pourquoi: 'reason',
  how: 'manner', comment: 'manner',
  combien: 'amount',
  what: 'thing', which: 'thing', quel: 'thing', quelle: 'thing', quels: 'thing', quelles: 'thing', quoi: 'thing',
};

export interface Keywords {
  words: string[];
  asks: string | null;
}

export function keywords(text: string): Keywords {
  const tokens = foldText(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  let asks: string | null = null;
  const words: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const w = tokens[i]!;
    if (w in ASKS) {
      // "how many / how much" ask for an amount, like "combien".
      asks ??= w === 'how' && (tokens[i + 1] === 'many' || tokens[i + 1] === 'much') ? 'amount' : ASKS[w]!;
      continue;
    }
    if (!STOPWORDS.has(w) && !words.includes(w)) words.push(w);
  }
  return { words, asks };
}

function wordSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  // A shared stem: "invent|ed" / "invent|or", "capital|e" / "capital".
  if (p >= 5 || (p >= 4 && Math.min(a.length, b.length) <= p + 1)) return 0.9;
  return 0;
}

/** 0..1: soft Dice overlap of keywords, halved when the two ask for different things. */
export function questionSimilarity(a: Keywords, b: Keywords): number {
  if (!a.words.length || !b.words.length) return 0;
  const best = (w: string, other: string[]): number => Math.max(...other.map((o) => wordSimilarity(w, o)));
  const sum = a.words.reduce((s, w) => s + best(w, b.words), 0) + b.words.reduce((s, w) => s + best(w, a.words), 0);
  const overlap = sum / (a.words.length + b.words.length);
  return a.asks && b.asks && a.asks !== b.asks ? overlap * 0.5 : overlap;
}
