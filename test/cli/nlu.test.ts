// `wulf nlu parse|eval` as a user runs them: the real CLI process, the shipped int8 model in LiteRT.js,
// stdin piped line by line, datasets in both formats, and clear exits on bad input.

import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { runCli, type CliResult } from '../helpers/cli.js';
import { cliPath, repoRoot, tempDir } from '../helpers/paths.js';

/** Runs the CLI with `input` written to its stdin (closed after), the way a shell pipe does. */
function runWithStdin(args: string[], input: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliPath, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** What LiteRT.js and its C++ runtime used to print at every load. */
const LOAD_CHATTER = /WebGPU|^INFO: |NPU accelerator/m;

test('parse prints the intent, confidence and slots, and nothing else on stderr', async (t) => {
  const r = await runCli(['nlu', 'parse', 'turn on the light in the kitchen']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^HassTurnOn \(0\.\d{3}\)\n/);
  t.regex(r.stdout, /\n {2}area = "kitchen" \[\d+, \d+\)\n/);
  t.notRegex(r.stderr, LOAD_CHATTER, 'the runtime loads quietly');
  t.is(r.stderr, '');
});

test('parse --stdin answers one JSON line per input line, in order, with offsets into that line', async (t) => {
  const lines = ['allume la lumière du salon', 'add milk to the shopping list', '', 'what time is it'];
  const r = await runWithStdin(['nlu', 'parse', '--stdin'], `${lines.join('\n')}\n`);
  t.is(r.code, 0, r.stderr);
  const out = r.stdout.trimEnd().split('\n').map((l) => JSON.parse(l) as { text: string; intent: string; confidence: number; slots: { name: string; value: string; start: number; end: number }[] });
  t.deepEqual(out.map((o) => o.text), lines);
  t.is(out[0]!.intent, 'HassTurnOn');
  t.is(out[1]!.intent, 'HassShoppingListAddItem');
  const item = out[1]!.slots.find((s) => s.name === 'item');
  t.is(item && lines[1]!.slice(item.start, item.end), 'milk');
  t.is(out[3]!.intent, 'HassGetCurrentTime');
  for (const o of out) t.true(o.confidence >= 0 && o.confidence <= 1);
  t.false('embedding' in out[0]!, 'the embedding stays internal');
});

test('parse without a sentence or --stdin exits 2 and says what to give', async (t) => {
  const r = await runCli(['nlu', 'parse']);
  t.is(r.code, 2);
  t.regex(r.stderr, /give a sentence, or --stdin/);
});

test('a corrupt model file fails with exit 1, its path and the reason, not a stack trace', async (t) => {
  const dir = await tempDir();
  const bad = path.join(dir, 'bad.tflite');
  await writeFile(bad, Buffer.from('TFL3 this is not a flatbuffer'));
  const r = await runCli(['nlu', 'parse', '--model', bad, 'hello']);
  t.is(r.code, 1, r.stderr);
  t.regex(r.stderr, /not a TFLite model/);
  t.notRegex(r.stderr, /\n\s+at /, 'no stack trace');
  t.regex(r.stderr, new RegExp(`cannot load ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  t.is(r.stdout, '');
});

test('eval scores a JSONL file and reports per language', async (t) => {
  const dir = await tempDir();
  const file = path.join(dir, 'mini.jsonl');
  const rows = [
    { text: 'turn off the light in the bedroom', intent: 'HassTurnOff', slots: [{ name: 'area', value: 'bedroom', start: 26, end: 33 }], lang: 'en' },
    { text: 'add eggs to the shopping list', intent: 'HassShoppingListAddItem', slots: [{ name: 'item', value: 'eggs', start: 4, end: 8 }], lang: 'en' },
    { text: 'éteins la lumière de la cuisine', intent: 'HassTurnOff', slots: [{ name: 'area', value: 'cuisine', start: 24, end: 31 }], lang: 'fr' },
  ];
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await runCli(['nlu', 'eval', '--data', file, '--json'], {}, 60_000);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { overall: { examples: number; intentAccuracy: number; slotF1: number }; perLang: Record<string, { examples: number }> };
  t.is(report.overall.examples, 3);
  t.is(report.overall.intentAccuracy, 1, 'three plain commands the shipped model knows');
  t.deepEqual(Object.keys(report.perLang).sort(), ['en', 'fr']);
  t.is(report.perLang['fr']!.examples, 1);
  const text = await runCli(['nlu', 'eval', '--data', file]);
  t.regex(text.stdout, /^overall {2}n=3 {2}intent 100\.00% {2}slot F1 \d+\.\d{2}% {2}exact \d+\.\d{2}%\n/);
  t.regex(text.stdout, /\nfr {7}n=1 /);
});

test('eval --worst lists the templates with the most intent errors, with an example', async (t) => {
  const dir = await tempDir();
  const file = path.join(dir, 'grouped.jsonl');
  const rows = [
    // Labelled wrong on purpose: the model says HassTurnOff/HassTurnOn, so template t:bad has 2 errors.
    { text: 'turn off the light in the kitchen', intent: 'WulfVoiceOn', slots: [], lang: 'en', template_id: 't:bad' },
    { text: 'turn on the light in the bedroom', intent: 'WulfVoiceOff', slots: [], lang: 'en', template_id: 't:bad' },
    { text: 'add eggs to the shopping list', intent: 'HassShoppingListAddItem', slots: [], lang: 'en', template_id: 't:good' },
  ];
  await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
  const r = await runCli(['nlu', 'eval', '--data', file, '--worst', '5'], {}, 60_000);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /\n {3}2\/2 {4}t:bad {2}e\.g\. "turn off the light in the kitchen": WulfVoiceOn → HassTurnOff\n {3}0\/1 {4}t:good\n$/);
  const j = JSON.parse((await runCli(['nlu', 'eval', '--data', file, '--worst', '1', '--json'], {}, 60_000)).stdout) as { worst: Array<{ group: string; intentErrors: number; examples: number }> };
  t.deepEqual(j.worst.map((g) => [g.group, g.intentErrors, g.examples]), [['t:bad', 2, 2]]);
  const bad = await runCli(['nlu', 'eval', '--data', file, '--worst', '0']);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /--worst.*positive integer/);
});

test('eval reads a JointBERT folder (its labels need not be ours)', async (t) => {
  const r = await runCli(['nlu', 'eval', '--data', path.join(repoRoot, 'test/fixtures/nlu/jointbert-mini'), '--split', 'test', '--json']);
  t.is(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { split: string; overall: { examples: number; intentAccuracy: number } };
  t.is(report.split, 'test');
  t.true(report.overall.examples > 0);
  t.is(report.overall.intentAccuracy, 0, 'book_table/get_weather are not intents of this model');
});

test('eval on a missing dataset or a malformed line exits 2 with the reason', async (t) => {
  const dir = await tempDir();
  const missing = await runCli(['nlu', 'eval', '--data', path.join(dir, 'nope')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /^wulf: .*nope/m);
  await mkdir(path.join(dir, 'broken'));
  await writeFile(path.join(dir, 'broken', 'test.jsonl'), '{"text": "hello", "intent": "WulfChat", "slots": [], "lang": "en"}\n{not json\n');
  const broken = await runCli(['nlu', 'eval', '--data', path.join(dir, 'broken')]);
  t.is(broken.code, 2);
  t.regex(broken.stderr, /^wulf: .*(line 2|:2)/m);
  t.is(broken.stdout, '');
});
