// Scoring a NeuroLite model on a dataset: overall and per language. Used by `wulf nlu eval` and by
// the model factory's build, so both report the same numbers.
import { evaluate, type EvalReport, type Prediction } from './metrics.js';
import type { Example } from './dataset.js';
import type { NeuroLiteModel } from './model.js';

export interface EvalResult {
  overall: EvalReport;
  perLang: Record<string, EvalReport>;
}

export async function evaluateModel(model: NeuroLiteModel, examples: Example[]): Promise<EvalResult> {
  const all = { gold: [] as Prediction[], predicted: [] as Prediction[] };
  const byLang = new Map<string, typeof all>();
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
  }
  return { overall: evaluate(all.gold, all.predicted), perLang: Object.fromEntries([...byLang].map(([l, v]) => [l, evaluate(v.gold, v.predicted)])) };
}
