// Hot swap: runs in flight finish on the model they started on, swaps are atomic and serialised,
// a refused model leaves the old one serving, and released models give their memory back.

import test from 'ava';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { loadLiteRtRuntime, ModelError, ModelSlot, type Model } from '../../src/runtime/index.js';
import { ModelBuilder } from '../../firmware-models/tflite/model-builder.js';

/** y = x·W + id: with x = 0 every element of y equals the model's id. */
function idModel(id: number, depth: number, units: number): Uint8Array {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const x = g.input('x', [1, depth]);
  const w = Float32Array.from({ length: units * depth }, (_, i) => ((i * 7919) % 13) / 13 - 0.5 + id * 1e-3);
  g.output('y', g.add(g.fullyConnected(x, g.weight('w', w, [units, depth], 'float32')), g.constant('id', new Float32Array(units).fill(id), [units])));
  return mb.toBytes();
}

const yield_ = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test.serial('1,000 runs in flight across 20 swaps: none fails, none mixes models', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const models = Array.from({ length: 21 }, (_, k) => idModel(k + 1, 256, 256));
  const slot = await ModelSlot.create(runtime, models[0] as Uint8Array);
  const x = new Float32Array(256);
  const seen = new Set<Model>();
  const runs: Promise<{ y: Float32Array; generation: number }>[] = [];
  const swaps: Promise<void>[] = [];
  for (let i = 0; i < 1000; i++) {
    const generation = slot.generation;
    seen.add(slot.model);
    runs.push(slot.run({ x }).then((out) => ({ y: out['y'] as Float32Array, generation })));
    if (i % 50 === 25) swaps.push(slot.swap(models[swaps.length + 1] as Uint8Array));
    if (i === 510) {
      // A bad file in the middle of the load is refused; the current model keeps serving.
      const bad = (models[1] as Uint8Array).slice(0, 300);
      await t.throwsAsync(slot.swap(bad), { instanceOf: ModelError });
    }
    if (i % 7 === 0) await yield_();
  }
  const results = await Promise.all(runs);
  await Promise.all(swaps);
  t.is(swaps.length, 20);
  t.is(slot.generation, 21);
  const wrong = results.filter((r) => !r.y.every((v) => v === r.generation));
  t.is(wrong.length, 0, `runs answered by another model than the one current at their start: ${JSON.stringify(wrong.slice(0, 3).map((r) => [r.generation, r.y[0]]))}`);
  t.true(new Set(results.map((r) => r.generation)).size > 10, 'runs were spread across many generations');
  const current = slot.model;
  t.true([...seen].filter((m) => m !== current).every((m) => m.isReleased), 'every replaced model was released');
  t.is(((await slot.run({ x }))['y'] as Float32Array)[0], 21);
  await slot.close();
});

test.serial('a candidate failing its check is refused and the old model keeps serving', async (t) => {
  const runtime = await loadLiteRtRuntime();
  const check = async (m: Model): Promise<void> => {
    const y = (await m.run({ x: new Float32Array(16) }))['y'] as Float32Array;
    if (y[0] === 13) throw new Error('golden case: unlucky id 13');
  };
  const slot = await ModelSlot.create(runtime, idModel(1, 16, 4), check);
  await t.throwsAsync(slot.swap(idModel(13, 16, 4)), { instanceOf: ModelError, code: 'check', message: /unlucky id 13/ });
  t.is(((await slot.run({ x: new Float32Array(16) }))['y'] as Float32Array)[0], 1);
  await slot.swap(idModel(2, 16, 4));
  t.is(((await slot.run({ x: new Float32Array(16) }))['y'] as Float32Array)[0], 2);
  await slot.close();
});

test.serial('memory returns to baseline after 10 swaps of a 4 MB model (measured RSS)', async (t) => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const runtime = await loadLiteRtRuntime();
  const wasmHeapMiB = (): number => runtime.liteRt.liteRtWasm.HEAPU8.length / 2 ** 20;
  const models = Array.from({ length: 4 }, (_, k) => idModel(k + 1, 1024, 1024)); // 4 MiB of weights each
  const x = new Float32Array(1024);
  const slot = await ModelSlot.create(runtime, models[0] as Uint8Array);
  const swapTo = async (k: number): Promise<void> => {
    await slot.swap(models[k % 4] as Uint8Array);
    t.is(((await slot.run({ x }))['y'] as Float32Array)[0], (k % 4) + 1);
  };
  // Warm-up: the wasm heap has to hold two models at once and never shrinks, and V8 tiers up hot
  // wasm code (RSS grows ~70 MiB over the first ~14 swaps, then stays flat). Measure after that.
  for (let k = 1; k <= 14; k++) await swapTo(k);
  gc();
  const baseline = process.memoryUsage().rss;
  const heapBefore = wasmHeapMiB();
  for (let k = 15; k < 25; k++) await swapTo(k);
  gc();
  const growthMiB = (process.memoryUsage().rss - baseline) / 2 ** 20;
  t.log(`RSS baseline ${(baseline / 2 ** 20).toFixed(1)} MiB, +${growthMiB.toFixed(1)} MiB after 10 swaps; wasm heap ${heapBefore} -> ${wasmHeapMiB()} MiB`);
  t.is(wasmHeapMiB(), heapBefore, 'the wasm heap did not grow: every released model was freed');
  // One leaked model is 8 MiB (file copy + packed weights): ten would add 80 MiB.
  t.true(growthMiB < 12, `RSS grew ${growthMiB.toFixed(1)} MiB over 10 swaps`);
  await slot.close();
});
