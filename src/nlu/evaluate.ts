// Scoring a NeuroLite model on a dataset: overall and per language. Used by `wulf nlu eval` and by
// the model factory's build, so both report the same numbers.
import { evaluate, type EvalReport, type Prediction } from './metrics.js';
import type { Example } from './dataset.js';
import type { Understanding } from './index.js';

/** Intent errors of one template (JSONL `template_id`), with a few of the sentences it got wrong. */
export interface GroupErrors {
  group: string;
  examples: number;
  intentErrors: number;
  samples: Array<{ text: string; gold: string; predicted: string }>;
}

export interface EvalResult {
  overall: EvalReport;
  perLang: Record<string, EvalReport>;
  /** Per template, most intent errors first; empty when the data has no `template_id`. */
  perGroup: GroupErrors[];
}

/** Any parser will do: a NeuroLiteModel, or a wrapper that also records what it was asked. */
export async function evaluateModel(model: { understand(text: string): Promise<Understanding> }, examples: Example[]): Promise<EvalResult> {
  const all = { gold: [] as Prediction[], predicted: [] as Prediction[] };
  const byLang = new Map<string, typeof all>();
  const groups = new Map<string, GroupErrors>();
  for (const ex of examples) {
    const u = await model.understand(ex.text);
    const g = { intent: ex.intent, slots: ex.slots.map((s) => ({ name: s.name, start: s.start, end: s.end })) };
    const p = { intent: u.intent, slots: u.slots.map((s) => ({ name: s.name, start: s.start, end: s.end })) };
    const lang = ex.lang ?? 'all';
    if (!byLang.has(lang)) byLang.set(lang, { gold: [], predicted: [] });
    for (const bucket of [all, byLang.get(lang)!]) {
      bucket.gold.push(g);
      bucket.predicted.push(p);
    }
    if (ex.group) {
      const e = groups.get(ex.group) ?? { group: ex.group, examples: 0, intentErrors: 0, samples: [] };
      e.examples++;
      if (u.intent !== ex.intent) {
        e.intentErrors++;
        if (e.samples.length < 3) e.samples.push({ text: ex.text, gold: ex.intent, predicted: u.intent });
      }
      groups.set(ex.group, e);
    }
  }
  const perGroup = [...groups.values()].sort((a, b) => b.intentErrors - a.intentErrors || b.intentErrors / b.examples - a.intentErrors / a.examples || a.group.localeCompare(b.group));
  return { overall: evaluate(all.gold, all.predicted), perLang: Object.fromEntries([...byLang].map(([l, v]) => [l, evaluate(v.gold, v.predicted)])), perGroup };
}
