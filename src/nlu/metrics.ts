// NLU evaluation: intent accuracy, slot F1 at the span level (CoNLL: a predicted slot counts only
// with the right name and the exact boundaries), and exact match (intent and every slot right).

export interface SlotSpan {
  name: string;
  start: number;
  end: number;
}

export interface Prediction {
  intent: string;
  slots: SlotSpan[];
}

export interface EvalReport {
  examples: number;
  intentAccuracy: number;
  slotPrecision: number;
  slotRecall: number;
  slotF1: number;
  exactMatch: number;
  /** confusion[gold][predicted] = count, for the mistakes only. */
  confusion: Record<string, Record<string, number>>;
}

const key = (s: SlotSpan) => `${s.name}\u0000${s.start}\u0000${s.end}`;

export function evaluate(gold: Prediction[], predicted: Prediction[]): EvalReport {
  if (gold.length !== predicted.length) throw new Error(`evaluate: ${gold.length} gold vs ${predicted.length} predicted`);
  let intentOk = 0;
  let exact = 0;
  let tp = 0;
  let nPred = 0;
  let nGold = 0;
  const confusion: EvalReport['confusion'] = {};
  gold.forEach((g, i) => {
    const p = predicted[i]!;
    const isIntentOk = g.intent === p.intent;
    if (isIntentOk) intentOk += 1;
    else (confusion[g.intent] ??= {})[p.intent] = (confusion[g.intent]?.[p.intent] ?? 0) + 1;
    const goldKeys = new Set(g.slots.map(key));
    const predKeys = new Set(p.slots.map(key));
    let hits = 0;
    for (const k of predKeys) if (goldKeys.has(k)) hits += 1;
    tp += hits;
    nPred += predKeys.size;
    nGold += goldKeys.size;
    if (isIntentOk && hits === goldKeys.size && hits === predKeys.size) exact += 1;
  });
  const precision = nPred ? tp / nPred : 1;
  const recall = nGold ? tp / nGold : 1;
  const n = gold.length || 1;
  return {
    examples: gold.length,
    intentAccuracy: intentOk / n,
    slotPrecision: precision,
    slotRecall: recall,
    slotF1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    exactMatch: exact / n,
    confusion,
  };
}

/** BIO tags per token (with token spans) → slot spans; an I- without a matching B- opens a span (conlleval). */
export function spansFromBio(tags: string[], tokens: Array<{ start: number; end: number }>): SlotSpan[] {
  const out: SlotSpan[] = [];
  let open: SlotSpan | null = null;
  tags.forEach((tag, i) => {
    const tok = tokens[i]!;
    const name = tag.length > 2 ? tag.slice(2) : '';
    if (tag.startsWith('B-') || (tag.startsWith('I-') && open?.name !== name)) {
      if (open) out.push(open);
      open = { name, start: tok.start, end: tok.end };
    } else if (tag.startsWith('I-') && open) {
      open.end = tok.end;
    } else {
      if (open) out.push(open);
      open = null;
    }
  });
  if (open) out.push(open);
  return out;
}

/**
 * The best *valid* BIO sequence for per-token tag scores (logits or log-probabilities, row-major
 * `n × tags.length`): Viterbi where `I-x` may only follow `B-x` or `I-x`, and never starts the
 * sentence. Per-token argmax can emit `I-x` after `O` or after another slot, which conlleval turns
 * into a spurious span; constrained decoding is the standard cure (as a CRF layer would, without
 * learned transitions). Scores are compared as sums, so raw logits give the same path as
 * log-softmax. O(n · tags): each tag has either every tag or its own B/I pair as predecessors.
 */
export function decodeBio(scores: ArrayLike<number>, n: number, tags: readonly string[]): string[] {
  return bioDecoder(tags)(scores, n);
}

/** decodeBio with the tag set's transition rules worked out once (a model decodes every sentence with it). */
export function bioDecoder(tags: readonly string[]): (scores: ArrayLike<number>, n: number) => string[] {
  const m = tags.length;
  // For I-x: the index of B-x (−1 if the tag set lacks it); for other tags: null (any predecessor).
  const beginOf = tags.map((tag) => (tag.startsWith('I-') ? tags.indexOf(`B-${tag.slice(2)}`) : null));
  return (scores, n) => {
    if (n === 0) return [];
    let prev = new Float64Array(m);
    let cur = new Float64Array(m);
    const back = new Int32Array(n * m);
    for (let j = 0; j < m; j++) prev[j] = beginOf[j] === null ? scores[j]! : -Infinity;
    for (let t = 1; t < n; t++) {
      let bestAny = 0;
      for (let i = 1; i < m; i++) if (prev[i]! > prev[bestAny]!) bestAny = i;
      for (let j = 0; j < m; j++) {
        const b = beginOf[j] as number | null;
        // I-x continues B-x or itself (B-x on a tie); any other tag follows the best of all.
        const from = b === null ? bestAny : b < 0 || prev[j]! > prev[b]! ? j : b;
        cur[j] = prev[from]! + scores[t * m + j]!;
        back[t * m + j] = from;
      }
      [prev, cur] = [cur, prev];
    }
    let last = 0;
    for (let j = 1; j < m; j++) if (prev[j]! > prev[last]!) last = j;
    const path = new Array<string>(n);
    for (let t = n - 1; t >= 0; t--) {
      path[t] = tags[last]!;
      last = back[t * m + last]!;
    }
    return path;
  };
}
