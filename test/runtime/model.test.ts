// Model loading and refusal: every corrupt or unsupported file is refused with a ModelError whose
// code and message name the problem, before LiteRT sees it, and the runtime keeps working after.

import test from 'ava';
import { loadLiteRtRuntime, Model, ModelError, readTflite, type ModelErrorCode, type TfliteModel } from '../../src/runtime/index.js';
import { ModelBuilder } from '../../firmware-models/tflite/model-builder.js';
import { writeTflite } from '../../firmware-models/tflite/writer.js';
import { buildOpCases } from '../firmware-models/op-cases.js';

function smallModel(): Uint8Array {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const x = g.input('x', [1, 8]);
  const w = Float32Array.from({ length: 32 }, (_, i) => (i % 5) / 5 - 0.4);
  g.output('y', g.add(g.fullyConnected(x, g.weight('w', w, [4, 8], 'float32')), g.constant('b', Float32Array.of(1, 2, 3, 4), [4])));
  return mb.toBytes();
}

const good = smallModel();
const x = Float32Array.from({ length: 8 }, (_, i) => i / 8);

async function refused(t: import('ava').ExecutionContext, bytes: Uint8Array, code: ModelErrorCode, words: RegExp): Promise<void> {
  const runtime = await loadLiteRtRuntime();
  const err = await t.throwsAsync(Model.fromBytes(runtime, bytes), { instanceOf: ModelError });
  t.is(err?.code, code, err?.message);
  t.regex(err?.message ?? '', words);
}

const edit = (f: (m: TfliteModel) => void): Uint8Array => { const m = readTflite(good); f(m); return writeTflite(m); };

test('runs a valid model by signature and tensor names', async (t) => {
  const model = await Model.fromBytes(await loadLiteRtRuntime(), good);
  t.deepEqual(model.signatures.map((s) => [s.key, s.inputs.map((i) => i.name), s.outputs.map((o) => o.name)]), [['main', ['x'], ['y']]]);
  const y = (await model.run({ x }))['y'] as Float32Array;
  t.is(y.length, 4);
  await model.release();
  await t.throwsAsync(model.run({ x }), { instanceOf: ModelError, message: /released/ });
});

test('refuses a truncated file', (t) => refused(t, good.slice(0, Math.floor(good.length * 0.6)), 'truncated', /truncated/));

test('refuses every truncation of a valid file without crashing', async (t) => {
  const runtime = await loadLiteRtRuntime();
  for (let n = 0; n < good.length; n += 13) {
    const err = await t.throwsAsync(Model.fromBytes(runtime, good.slice(0, n)), { instanceOf: ModelError }, `prefix ${n}`);
    t.true(['truncated', 'identifier', 'format', 'shape'].includes(err?.code ?? ''), `prefix ${n}: ${err?.code} ${err?.message}`);
  }
});

test('refuses a wrong file identifier', (t) => {
  const bytes = good.slice();
  bytes.set(new TextEncoder().encode('ONNX'), 4);
  return refused(t, bytes, 'identifier', /file identifier is "ONNX", expected "TFL3"/);
});

test('refuses a table offset that points past the end', (t) => {
  const bytes = good.slice();
  new DataView(bytes.buffer).setUint32(0, bytes.length + 64, true); // root table offset
  return refused(t, bytes, 'truncated', /past the end of the file/);
});

test('refuses a buffer whose external offset lies past the end', (t) => {
  const bytes = edit((m) => {
    const weight = m.subgraphs[0]?.tensors.find((x) => x.name === 'w');
    const buf = m.buffers[weight?.buffer ?? 0];
    if (buf === undefined) throw new Error('no weight buffer');
    buf.data = new Uint8Array(0);
    buf.offset = 1_000_000;
    buf.size = 128;
  });
  return refused(t, bytes, 'buffer-offset', /buffers\[\d+\]: offset 1000000 \+ size 128 is past the end of the file/);
});

test('refuses a custom op the runtime lacks', (t) => refused(t, edit((m) => {
  m.operatorCodes[0] = { builtinCode: 32, customCode: 'WulfMagic', version: 1 };
}), 'unsupported-op', /custom op "WulfMagic" is not available/));

test('refuses a builtin op code beyond the runtime kernels', (t) => refused(t, edit((m) => {
  m.operatorCodes[0] = { builtinCode: 190, customCode: null, version: 1 };
}), 'unsupported-op', /BUILTIN_190 \(code 190\) is not supported/));

test('refuses a constant whose data does not match its shape', (t) => refused(t, edit((m) => {
  const w = m.subgraphs[0]?.tensors.find((x) => x.name === 'w');
  if (w !== undefined) w.shape = [4, 9];
}), 'shape', /"w": shape \[4, 9\] of float32 needs 144 bytes but buffer \d+ holds 128/));

test('refuses an operator input index out of range', (t) => refused(t, edit((m) => {
  const op = m.subgraphs[0]?.operators[0];
  if (op !== undefined) op.inputs[0] = 99;
}), 'format', /input tensor 99 out of range/));

test('refuses inputs of the wrong shape, type or name at run time', async (t) => {
  const model = await Model.fromBytes(await loadLiteRtRuntime(), good);
  await t.throwsAsync(model.run({ x: new Float32Array(7) }), { instanceOf: ModelError, message: /input "x" has 7 elements, shape \[1, 8\] needs 8/ });
  await t.throwsAsync(model.run({ x: new Int32Array(8) }), { instanceOf: ModelError, message: /input "x" must be float32/ });
  await t.throwsAsync(model.run({ x, z: x }), { instanceOf: ModelError, message: /no input "z"/ });
  await t.throwsAsync(model.run({ x }, 'decode'), { instanceOf: ModelError, message: /unknown signature "decode"/ });
  t.is(((await model.run({ x }))['y'] as Float32Array).length, 4, 'still serves after refusals');
  await model.release();
});

test('refuses models whose inputs LiteRT.js cannot carry (int16)', (t) => refused(t, edit((m) => {
  const input = m.subgraphs[0]?.tensors[m.subgraphs[0]?.inputs[0] ?? 0];
  if (input !== undefined) input.type = 7;
}), 'dtype', /"x" is int16; LiteRT.js 2.5.3 only passes float32, int32, uint8 and int8/));

test('refuses an unsupported schema version', (t) => refused(t, edit((m) => { m.version = 99; }), 'format', /schema version 99 is not the supported version 3/));

test('3,000 randomly corrupted files are refused with a ModelError or run; none crashes the runtime', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const cases = buildOpCases();
  let seed = 12345;
  const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
  const outcomes: Record<string, number> = {};
  for (let i = 0; i < 3000; i++) {
    const c = cases[i % cases.length];
    if (c === undefined) continue;
    const bytes = c.bytes.slice();
    const flips = 1 + Math.floor(rand() * 4);
    for (let f = 0; f < flips; f++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
    let outcome = 'ran';
    try {
      const model = await Model.fromBytes(runtime, bytes);
      try { await model.run(c.inputs, c.signature); } catch (err) { outcome = err instanceof ModelError ? `run refused: ${err.code}` : `run crashed: ${String(err)}`; }
      await model.release();
    } catch (err) {
      outcome = err instanceof ModelError ? `load refused: ${err.code}` : `load crashed: ${String(err)}`;
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  }
  t.log(JSON.stringify(outcomes));
  t.deepEqual(Object.keys(outcomes).filter((k) => k.includes('crashed')), []);
  t.true((outcomes['load refused: truncated'] ?? 0) > 0 && (outcomes['ran'] ?? 0) > 0, 'both refusals and benign corruptions (weight bytes) occurred');
  const model = await Model.fromBytes(runtime, good);
  t.is(((await model.run({ x }))['y'] as Float32Array).length, 4, 'the runtime still serves a good model');
  await model.release();
});

test('runs a model without SignatureDefs through its subgraph inputs and outputs', async (t) => {
  const model = await Model.fromBytes(await loadLiteRtRuntime(), edit((m) => { m.signatures = []; }));
  t.deepEqual(model.signatures.map((s) => [s.key, s.inputs.map((i) => i.name), s.outputs.map((o) => o.name)]), [['serving_default', ['x'], ['y']]]);
  const withSig = await Model.fromBytes(await loadLiteRtRuntime(), good);
  t.deepEqual(await model.run({ x }), await withSig.run({ x }));
  await model.release();
  await withSig.release();
});
