// `wulf nlu parse|eval`: one parse (or one per stdin line, as JSON lines, for other tools to score),
// and the evaluation of a model on a dataset in JSONL or JointBERT layout.
import { createInterface } from 'node:readline';
import { InvalidArgumentError, type Command } from 'commander';
import { DEFAULT_NLU_MODEL } from '../../daemon/index.js';
import { DatasetError, evaluateModel, NeuroLiteModel, NluModelError, readDataset } from '../../nlu/index.js';

async function loadOrExit(file: string, threshold?: number): Promise<NeuroLiteModel> {
  try {
    return await NeuroLiteModel.load(file, threshold === undefined ? {} : { confidenceThreshold: threshold });
  } catch (err) {
    process.stderr.write(`wulf: cannot load ${file}: ${(err as Error).message}\n`);
    process.exit(err instanceof NluModelError ? 2 : 1);
  }
}

export function registerNluCommands(program: Command): void {
  const nlu = program.command('nlu').description('the NeuroLite command model: parse sentences, evaluate on a dataset');

  nlu
    .command('parse [text]')
    .description('parse one sentence (intent, confidence, slots with values and spans); --stdin: one per line')
    .option('--model <file>', 'NeuroLite .tflite', DEFAULT_NLU_MODEL)
    .option('--stdin', 'read one sentence per line from stdin, print one JSON object per line')
    .option('--json', 'print JSON')
    .action(async (text: string | undefined, f: { model: string; stdin?: boolean; json?: boolean }) => {
      if (!f.stdin && text === undefined) {
        process.stderr.write('wulf: give a sentence, or --stdin\n');
        process.exitCode = 2;
        return;
      }
      const model = await loadOrExit(f.model);
      const show = async (line: string) => {
        const u = await model.understand(line);
        const { embedding: _embedding, ...rest } = u;
        if (f.json || f.stdin) process.stdout.write(`${JSON.stringify({ text: line, ...rest })}\n`);
        else process.stdout.write(`${u.intent} (${u.confidence.toFixed(3)})${u.slots.map((s) => `\n  ${s.name} = ${JSON.stringify(s.value)} [${s.start}, ${s.end})`).join('')}\n`);
      };
      if (f.stdin) {
        for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) await show(line);
      } else {
        await show(text!);
      }
      await model.release();
    });

  nlu
    .command('eval')
    .description('intent accuracy, slot F1 (CoNLL span level) and exact match on a dataset (a .jsonl file or a JointBERT folder)')
    .option('--model <file>', 'NeuroLite .tflite', DEFAULT_NLU_MODEL)
    .requiredOption('--data <path>', 'dataset: a .jsonl file, a folder with <split>.jsonl, or a JointBERT folder')
    .option('--split <name>', 'split to evaluate in a folder', 'test')
    .option('--json', 'print the report as JSON')
    .option('--worst <n>', 'also list the n templates (JSONL template_id) with the most intent errors', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive integer');
      return n;
    })
    .action(async (f: { model: string; data: string; split: string; json?: boolean; worst?: number }) => {
      // Accuracy is measured on the arg-max intent: no confidence threshold.
      const model = await loadOrExit(f.model, 0);
      let examples;
      try {
        examples = await readDataset(f.data, f.split);
      } catch (err) {
        if (!(err instanceof DatasetError)) throw err;
        process.stderr.write(`wulf: ${err.message}\n`);
        process.exit(2);
      }
      const { overall, perLang, perGroup } = await evaluateModel(model, examples);
      await model.release();
      if (f.json) {
        process.stdout.write(`${JSON.stringify({ model: f.model, data: f.data, split: f.split, overall, perLang, ...(f.worst !== undefined ? { worst: perGroup.slice(0, f.worst) } : {}) })}\n`);
        return;
      }
      for (const [name, r] of [['overall', overall] as const, ...Object.entries(perLang)]) {
        process.stdout.write(`${String(name).padEnd(8)} n=${r.examples}  intent ${(r.intentAccuracy * 100).toFixed(2)}%  slot F1 ${(r.slotF1 * 100).toFixed(2)}%  exact ${(r.exactMatch * 100).toFixed(2)}%\n`);
      }
      if (f.worst !== undefined) {
        if (perGroup.length === 0) process.stdout.write('(no template_id in this data: nothing to list per template)\n');
        for (const g of perGroup.slice(0, f.worst)) {
          const e = g.samples[0];
          process.stdout.write(`${String(g.intentErrors).padStart(4)}/${String(g.examples).padEnd(4)} ${g.group}${e ? `  e.g. ${JSON.stringify(e.text)}: ${e.gold} → ${e.predicted}` : ''}\n`);
        }
      }
    });
}
