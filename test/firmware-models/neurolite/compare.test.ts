// compare.ts scores two models on the templates neither split trained on: the selection follows
// template_id through both data folders, and a model compared with itself scores the same on both sides.
import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { compareModels } from '../../../firmware-models/neurolite/compare.js';
import { repoRoot, tempDir } from '../../helpers/paths.js';

const model = path.join(repoRoot, 'firmware-models/dist/neurolite-tiny/model.int8.tflite');
const row = (text: string, intent: string, template: string, lang = 'en'): string => JSON.stringify({ text, intent, slots: [], lang, template_id: template });

async function split(dir: string, files: Record<string, string[]>): Promise<string> {
  await mkdir(dir, { recursive: true });
  for (const [name, rows] of Object.entries(files)) await writeFile(path.join(dir, `${name}.jsonl`), rows.join('\n') + '\n');
  return dir;
}

test('only the templates held out in both splits are scored, and a model against itself ties', async (t) => {
  const dir = await tempDir('neurolite-compare');
  // A holds out t1 (dev) and t2 (test); B holds out t2 (dev) and t3 (test): only t2 is blind for both.
  const a = await split(path.join(dir, 'a'), {
    train: [row('hello', 'WulfChat', 't3')],
    dev: [row('what time is it', 'HassGetCurrentTime', 't1')],
    test: [row('what is the status of wulf', 'WulfStatus', 't2')],
  });
  const b = await split(path.join(dir, 'b'), {
    train: [row('what time is it', 'HassGetCurrentTime', 't1')],
    dev: [row('what is the status of wulf', 'WulfStatus', 't2'), row('show me your status', 'WulfStatus', 't2')],
    test: [row('hello there', 'WulfChat', 't3')],
  });
  const c = await compareModels({ a: model, aData: a, b: model, bData: b });
  t.is(c.templates, 1);
  t.is(c.sentences, 2);
  t.deepEqual(c.a, c.b);
  t.is(c.a['all']!.examples, 2);
  t.is(c.a['en']!.examples, 2);
  // --a-held dev leaves t1 only on A's side, which B trained on: nothing left to compare.
  await t.throwsAsync(compareModels({ a: model, aData: a, b: model, bData: b, aHeld: ['dev'] }), { message: /no template is held out in both splits/ });
  // The command line prints the same comparison.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(repoRoot, 'dist/firmware-models/neurolite/compare.js'), '--a', model, '--a-data', a, '--b', model, '--b-data', b]);
  t.regex(stdout, /^1 templates held out in both splits, 2 sentences$/m);
  t.regex(stdout, /^en  A: intent/m);
});
