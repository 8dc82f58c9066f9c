// `wulf model inspect FILE [--json]` through commander, as src/cli/main.ts will wire it.

import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { registerModelCommands } from '../../../src/cli/commands/model.js';
import { ModelBuilder } from '../../../firmware-models/tflite/model-builder.js';
import { tmpDir } from '../../firmware-models/helpers.js';

function modelFile(): string {
  const mb = new ModelBuilder().setMetadata({ name: 'tiny', version: '1.0.0', labels: ['a', 'b'], data: null });
  const g = mb.subgraph('main');
  g.output('y', g.tanh(g.input('x', [1, 4])));
  const file = path.join(tmpDir(), 'tiny.tflite');
  writeFileSync(file, mb.toBytes());
  return file;
}

async function run(args: string[]): Promise<{ out: string; err: string }> {
  let out = '';
  let err = '';
  const program = new Command('wulf').exitOverride();
  registerModelCommands(program, { out: (s) => { out += s; }, err: (s) => { err += s; } });
  await program.parseAsync(['node', 'wulf', ...args]);
  return { out, err };
}

test('model inspect prints a text report', async (t) => {
  const { out, err } = await run(['model', 'inspect', modelFile()]);
  t.is(err, '');
  t.regex(out, /metadata: tiny 1\.0\.0, 2 labels: a, b/);
  t.regex(out, /ops: TANH×1/);
});

test('model inspect --json prints the report as JSON', async (t) => {
  const { out } = await run(['model', 'inspect', modelFile(), '--json']);
  const report = JSON.parse(out) as { signatures: { key: string }[]; opCounts: Record<string, number> };
  t.deepEqual(report.signatures.map((s) => s.key), ['main']);
  t.deepEqual(report.opCounts, { TANH: 1 });
});

test('model inspect names the problem in a bad file and sets a failing exit code', async (t) => {
  const file = path.join(tmpDir(), 'bad.tflite');
  writeFileSync(file, Buffer.from('definitely not a flatbuffer'));
  const before = process.exitCode;
  const { out, err } = await run(['model', 'inspect', file]);
  t.is(out, '');
  t.regex(err, /wulf model inspect: .*bad\.tflite: not a TFLite model: file identifier is "nite", expected "TFL3" \[identifier\]/);
  t.is(process.exitCode, 1);
  process.exitCode = before ?? 0;
});
