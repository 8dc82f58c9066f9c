// int8 tensors through LiteRT.js (patched: patches/@litertjs+core+2.5.3.patch) with the microWakeWord
// v2 streaming models from the shared reference data: their int8 input and uint8 output, the
// quantization read from the flatbuffer, the streaming state kept between runs and per model.

import { readFileSync } from 'node:fs';
import test from 'ava';
import { loadLiteRtRuntime, Model, ModelError } from '../../src/runtime/index.js';
import { referencePath } from '../helpers/reference.js';

const modelFile = (name: string): string => referencePath('voice', 'microwakeword', `v2_${name}.tflite`);

test('loads a microWakeWord model: int8 [1,3,40] in, uint8 [1,1] out, with the file\'s quantization', async (t) => {
  const model = await Model.fromFile(await loadLiteRtRuntime(), modelFile('okay_nabu'));
  const sig = model.signature();
  t.is(sig.inputs.length, 1);
  t.is(sig.outputs.length, 1);
  const [input] = sig.inputs;
  const [output] = sig.outputs;
  t.deepEqual([input?.dtype, input?.shape], ['int8', [1, 3, 40]]);
  t.deepEqual([output?.dtype, output?.shape], ['uint8', [1, 1]]);
  t.is(input?.quantization?.zeroPoint, -128);
  t.true(Math.abs((input?.quantization?.scale ?? 0) - 0.10196) < 1e-4, String(input?.quantization?.scale));
  t.is(output?.quantization?.zeroPoint, 0);
  t.true(Math.abs((output?.quantization?.scale ?? 0) - 1 / 256) < 1e-6, String(output?.quantization?.scale));
  await model.release();
});

test('every reference model loads and runs with int8 input', async (t) => {
  const runtime = await loadLiteRtRuntime();
  for (const name of ['okay_nabu', 'hey_jarvis', 'alexa', 'hey_mycroft', 'vad']) {
    const model = await Model.fromFile(runtime, modelFile(name));
    const sig = model.signature();
    const inName = sig.inputs[0]?.name ?? '';
    const out = await model.run({ [inName]: new Int8Array(120).fill(-128) });
    const y = Object.values(out)[0];
    t.true(y instanceof Uint8Array && y.length === 1, name);
    await model.release();
  }
});

test('the streaming state persists across runs and is separate per compiled model', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const bytes = new Uint8Array(readFileSync(modelFile('okay_nabu')));
  const a = await Model.fromBytes(runtime, bytes);
  const b = await Model.fromBytes(runtime, bytes);
  const name = a.signature().inputs[0]?.name ?? '';
  let seed = 7;
  const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 4294967296; };
  const frames = Array.from({ length: 40 }, () => Int8Array.from({ length: 120 }, () => Math.floor(rand() * 256) - 128));
  const run = async (m: Model, x: Int8Array<ArrayBuffer>): Promise<number> => ((Object.values(await m.run({ [name]: x }))[0] as Uint8Array)[0] ?? -1);
  const seqA: number[] = [];
  for (const f of frames) seqA.push(await run(a, f as Int8Array<ArrayBuffer>));
  // b has seen nothing yet: the same sequence gives the same outputs (a's state did not leak into b).
  const seqB: number[] = [];
  for (const f of frames) seqB.push(await run(b, f as Int8Array<ArrayBuffer>));
  t.deepEqual(seqB, seqA);
  // Running the same input on a again gives different outputs somewhere: the state carried over.
  const again: number[] = [];
  for (const f of frames.slice(0, 3)) again.push(await run(a, f as Int8Array<ArrayBuffer>));
  t.notDeepEqual(again, seqA.slice(0, 3));
  await a.release();
  await b.release();
});

test('refuses an int8 input given as another typed array', async (t) => {
  const model = await Model.fromFile(await loadLiteRtRuntime(), modelFile('vad'));
  const name = model.signature().inputs[0]?.name ?? '';
  await t.throwsAsync(model.run({ [name]: new Uint8Array(120) }), { instanceOf: ModelError, message: /must be int8 \(got Uint8Array\)/ });
  await model.release();
});

test('a truncated or corrupt microWakeWord file is refused with a clear ModelError', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const bytes = new Uint8Array(readFileSync(modelFile('alexa')));
  const truncated = await t.throwsAsync(Model.fromBytes(runtime, bytes.slice(0, 4000)), { instanceOf: ModelError });
  t.regex(`${truncated?.code}: ${truncated?.message}`, /truncated|past the end/);
  const garbage = bytes.slice();
  garbage.set(new TextEncoder().encode('XXXX'), 4);
  const wrongId = await t.throwsAsync(Model.fromBytes(runtime, garbage), { instanceOf: ModelError });
  t.is(wrongId?.code, 'identifier');
  const empty = await t.throwsAsync(Model.fromBytes(runtime, new Uint8Array(0)), { instanceOf: ModelError });
  t.truthy(empty?.message);
});
