// Reading NLU datasets in the two formats the recipe and `wulf nlu eval` accept:
// JSONL ({text, intent, slots:[{name, value, start, end}], lang}) and the JointBERT folder layout
// (seq.in / seq.out / label per split). Slot spans are code-point offsets in `text`.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

export interface Example {
  text: string;
  intent: string;
  slots: Array<{ name: string; value: string; start: number; end: number }>;
  lang: string | null;
  /** The template (or any group) the example came from: JSONL `template_id`; for error analysis. */
  group?: string | null;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** A `.jsonl` file, or a JointBERT folder (its `split` subfolder, or the folder itself). */
export async function readDataset(p: string, split = 'test'): Promise<Example[]> {
  const info = await stat(p).catch(() => null);
  if (!info) throw new DatasetError(`${p} does not exist`);
  if (info.isFile()) return readJsonl(p);
  const splitDir = path.join(p, split);
  const hasSplit = await stat(path.join(splitDir, 'seq.in')).then(() => true, () => false);
  const jsonl = path.join(p, `${split}.jsonl`);
  if (!hasSplit && (await stat(jsonl).then(() => true, () => false))) return readJsonl(jsonl);
  return readJointBert(hasSplit ? splitDir : p);
}

export async function readJsonl(file: string): Promise<Example[]> {
  const lines = (await readFile(file, 'utf8')).split('\n');
  const out: Example[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let obj: { text?: unknown; intent?: unknown; slots?: unknown; lang?: unknown; template_id?: unknown };
    try {
      obj = JSON.parse(line) as typeof obj;
    } catch {
      throw new DatasetError(`${file}:${i + 1}: not JSON`);
    }
    if (typeof obj.text !== 'string' || typeof obj.intent !== 'string') throw new DatasetError(`${file}:${i + 1}: needs "text" and "intent" strings`);
    const slots = Array.isArray(obj.slots) ? (obj.slots as Example['slots']) : [];
    const len = [...obj.text].length;
    for (const s of slots) {
      if (typeof s.name !== 'string' || !Number.isInteger(s.start) || !Number.isInteger(s.end) || s.start < 0 || s.end > len || s.start >= s.end) {
        throw new DatasetError(`${file}:${i + 1}: bad slot ${JSON.stringify(s)}`);
      }
    }
    out.push({ text: obj.text, intent: obj.intent, slots, lang: typeof obj.lang === 'string' ? obj.lang : null, group: typeof obj.template_id === 'string' ? obj.template_id : null });
  });
  return out;
}

/** JointBERT: seq.in (space-separated words), seq.out (one BIO tag per word), label (one intent). */
export async function readJointBert(dir: string): Promise<Example[]> {
  const read = async (f: string) => (await readFile(path.join(dir, f), 'utf8').catch(() => { throw new DatasetError(`${path.join(dir, f)} is missing`); })).split('\n').filter((l, i, a) => l.length || i < a.length - 1);
  const [seqIn, seqOut, labels] = await Promise.all([read('seq.in'), read('seq.out'), read('label')]);
  if (seqIn.length !== seqOut.length || seqIn.length !== labels.length) throw new DatasetError(`${dir}: seq.in, seq.out and label have ${seqIn.length}, ${seqOut.length}, ${labels.length} lines`);
  return seqIn.map((line, i) => {
    const words = line.trim().split(/\s+/);
    const tags = seqOut[i]!.trim().split(/\s+/);
    if (words.length !== tags.length) throw new DatasetError(`${dir}: line ${i + 1} has ${words.length} words and ${tags.length} tags`);
    const text = words.join(' ');
    const slots: Example['slots'] = [];
    let offset = 0;
    let open: Example['slots'][number] | null = null;
    words.forEach((w, j) => {
      const start = offset;
      const end = start + [...w].length;
      offset = end + 1;
      const tag = tags[j]!;
      const name = tag.slice(2);
      if (tag.startsWith('B-') || (tag.startsWith('I-') && open?.name !== name)) {
        if (open) slots.push(open);
        open = { name, value: w, start, end };
      } else if (tag.startsWith('I-') && open) {
        open.end = end;
        open.value = [...text].slice(open.start, end).join('');
      } else {
        if (open) slots.push(open);
        open = null;
      }
    });
    if (open) slots.push(open);
    return { text, intent: labels[i]!.trim(), slots, lang: null };
  });
}
