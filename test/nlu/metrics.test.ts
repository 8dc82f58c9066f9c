import test from 'ava';
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { evaluate, spansFromBio } from '../../src/nlu/metrics.js';
import { readDataset, DatasetError } from '../../src/nlu/dataset.js';
import { repoRoot, tempDir } from '../helpers/paths.js';

test('span F1 counts a slot only with the right name and exact boundaries', (t) => {
  const gold = [{ intent: 'A', slots: [{ name: 'area', start: 0, end: 5 }, { name: 'item', start: 10, end: 14 }] }, { intent: 'B', slots: [] }];
  const pred = [{ intent: 'A', slots: [{ name: 'area', start: 0, end: 5 }, { name: 'item', start: 10, end: 13 }] }, { intent: 'C', slots: [] }];
  const r = evaluate(gold, pred);
  t.is(r.intentAccuracy, 0.5);
  t.is(r.slotPrecision, 0.5);
  t.is(r.slotRecall, 0.5);
  t.is(r.slotF1, 0.5);
  t.is(r.exactMatch, 0);
  t.deepEqual(r.confusion, { B: { C: 1 } });
});

test('BIO to spans follows conlleval (a stray I- opens a span)', (t) => {
  const toks = [0, 1, 2, 3, 4].map((i) => ({ start: i * 2, end: i * 2 + 1 }));
  t.deepEqual(spansFromBio(['O', 'B-a', 'I-a', 'I-b', 'O'], toks), [{ name: 'a', start: 2, end: 5 }, { name: 'b', start: 6, end: 7 }]);
  t.deepEqual(spansFromBio(['B-a', 'B-a'], toks.slice(0, 2)), [{ name: 'a', start: 0, end: 1 }, { name: 'a', start: 2, end: 3 }]);
});

test('the JointBERT reader turns word BIO into code-point spans', async (t) => {
  const ex = await readDataset(path.join(repoRoot, 'test/fixtures/nlu/jointbert-tiny'), 'test');
  t.is(ex.length, 3);
  t.deepEqual(ex[0], { text: 'turn on the kitchen light', intent: 'lights_on', slots: [{ name: 'room', value: 'kitchen', start: 12, end: 19 }], lang: null });
  t.deepEqual(ex[1]!.slots, [{ name: 'time', value: '7 am', start: 17, end: 21 }]);
});

test('the JSONL reader checks every line and every span', async (t) => {
  const dir = await tempDir();
  const ok = path.join(dir, 'ok.jsonl');
  await writeFile(ok, '{"text":"allume le salon","intent":"HassTurnOn","slots":[{"name":"area","value":"salon","start":10,"end":15}],"lang":"fr"}\n\n');
  t.is((await readDataset(ok))[0]!.slots[0]!.name, 'area');
  const bad = path.join(dir, 'bad.jsonl');
  await writeFile(bad, '{"text":"abc","intent":"X","slots":[{"name":"a","start":2,"end":9}]}\n');
  await t.throwsAsync(readDataset(bad), { instanceOf: DatasetError, message: /bad\.jsonl:1: bad slot/ });
  await t.throwsAsync(readDataset(path.join(dir, 'nope')), { instanceOf: DatasetError });
});
