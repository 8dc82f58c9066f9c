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
