// A fair A/B of two NeuroLite models trained on different template splits:
//   node dist/firmware-models/neurolite/compare.js --a MODEL_A --a-data DIR_A --b MODEL_B --b-data DIR_B
//     [--a-held dev,test] [--b-held dev,test] [--json]
// Each model's own test figures come from its own held-out templates, and two splits of the same
// corpus differ by 1–2 points by themselves (which templates a split holds out decides most of the
// errors), so comparing two models' reports compares their splits as much as the models. This
// scores both on the sentences of the templates that *neither* saw in training: B's held-out
// sentences (DIR_B's dev and test) whose `template_id` is also held out in DIR_A. `--a-held dev`
// narrows A's side to its dev templates: use it when A's test errors were read to write B's data,
// so the comparison stays blind for both. Needs JSONL data with `template_id` (make_data.py's).
import path from 'node:path';
import { readDataset, type Example } from '../../src/nlu/dataset.js';
import type { EvalReport } from '../../src/nlu/metrics.js';
import { evaluateTflite } from './build.js';
import { flag } from '../build-helpers.js';

export interface Comparison {
  templates: number;
  sentences: number;
  a: Record<string, EvalReport>;
  b: Record<string, EvalReport>;
}

async function heldOut(dir: string, splits: string[]): Promise<Example[]> {
  const out: Example[] = [];
  for (const s of splits) out.push(...(await readDataset(dir, s)));
  return out;
}

/** Both models on B's held-out sentences from templates also held out in A's split. */
export async function compareModels(opts: { a: string; aData: string; b: string; bData: string; aHeld?: string[]; bHeld?: string[] }): Promise<Comparison> {
  const aTemplates = new Set((await heldOut(opts.aData, opts.aHeld ?? ['dev', 'test'])).map((e) => e.group));
  const rows = (await heldOut(opts.bData, opts.bHeld ?? ['dev', 'test'])).filter((e) => e.group != null && aTemplates.has(e.group));
  if (rows.length === 0) throw new Error('no template is held out in both splits (is template_id in the data?)');
  const score = async (model: string): Promise<Record<string, EvalReport>> => {
    const r = await evaluateTflite(model, rows);
    return { all: r.overall, ...r.perLang };
  };
  return { templates: new Set(rows.map((e) => e.group)).size, sentences: rows.length, a: await score(opts.a), b: await score(opts.b) };
}

async function main(args: string[]): Promise<void> {
  const need = (k: string): string => {
    const v = flag(args, k);
    if (!v) throw new Error(`--${k} is required (usage: compare.js --a MODEL --a-data DIR --b MODEL --b-data DIR [--a-held dev,test] [--b-held dev,test] [--json])`);
    return v;
  };
  const list = (k: string): string[] | undefined => flag(args, k)?.split(',').filter(Boolean);
  const c = await compareModels({ a: need('a'), aData: need('a-data'), b: need('b'), bData: need('b-data'), aHeld: list('a-held'), bHeld: list('b-held') });
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(c, null, 1)}\n`);
    return;
  }
  process.stdout.write(`${c.templates} templates held out in both splits, ${c.sentences} sentences\n`);
  const pct = (v: number): string => `${(v * 100).toFixed(2)}%`.padStart(7);
  for (const lang of Object.keys(c.a)) {
    for (const [name, r] of [['A', c.a[lang]!], ['B', c.b[lang]!]] as const) {
      process.stdout.write(`${lang.padEnd(3)} ${name}: intent ${pct(r.intentAccuracy)}  slot F1 ${pct(r.slotF1)}  exact ${pct(r.exactMatch)}  (n=${r.examples})\n`);
    }
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`compare: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
