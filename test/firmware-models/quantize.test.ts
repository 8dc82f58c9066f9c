// The quantizer: int4 packing order from schema.fbs, per-channel scales, and the error report.

import test from 'ava';
import { dequantize, packInt4, quantizationReport, quantizePerChannel, unpackInt4 } from '../../firmware-models/tflite/quantize.js';
import { ModelBuilder } from '../../firmware-models/tflite/model-builder.js';
import { randomF32, rng } from './helpers.js';

test('int4 packs element 2k in the low nibble and 2k+1 in the high nibble', (t) => {
  t.deepEqual([...packInt4(Int8Array.from([1, -1, 7, -7, 3]))], [0xf1, 0x97, 0x03]);
  t.deepEqual([...unpackInt4(Uint8Array.from([0xf1, 0x97, 0x03]), 5)], [1, -1, 7, -7, 3]);
});

for (const dtype of ['int8', 'int4'] as const) {
  test(`${dtype} per-channel error is at most half a step of that channel's scale`, (t) => {
    const w = randomF32(rng(7), 16 * 40);
    for (let i = 0; i < 40; i++) w[i] = 0; // an all-zero channel keeps scale 1 and exact zeros
    const q = quantizePerChannel(w, 16, dtype);
    const deq = dequantize(q);
    const levels = dtype === 'int8' ? 127 : 7;
    t.is(q.bytes.length, dtype === 'int8' ? 640 : 320);
    for (let c = 0; c < 16; c++) {
      const row = w.subarray(c * 40, c * 40 + 40);
      const maxAbs = Math.max(...row.map(Math.abs));
      t.is(q.scales[c], Math.fround(maxAbs === 0 ? 1 : maxAbs / levels));
      for (let i = 0; i < 40; i++) t.true(Math.abs((row[i] as number) - (deq[c * 40 + i] as number)) <= (q.scales[c] as number) / 2 + 1e-7);
    }
    const report = quantizationReport('w', w, q);
    t.is(report.elements, 640);
    t.true(report.maxAbsError > 0 && report.rmsError <= report.maxAbsError);
    t.true(report.snrDb > (dtype === 'int8' ? 35 : 15), `snr ${report.snrDb}`);
  });
}

test('given scales, a matrix cut from a wider one holds exactly the wider one\'s integers in its columns', (t) => {
  const w = randomF32(rng(11), 6 * 32);
  const full = quantizePerChannel(w, 6, 'int8');
  const cut = new Float32Array(6 * 16);
  for (let c = 0; c < 6; c++) cut.set(w.subarray(c * 32, c * 32 + 16), c * 16);
  const q = quantizePerChannel(cut, 6, 'int8', full.scales);
  t.deepEqual([...q.scales], [...full.scales]);
  for (let c = 0; c < 6; c++) t.deepEqual([...q.values.subarray(c * 16, c * 16 + 16)], [...full.values.subarray(c * 32, c * 32 + 16)]);
  t.throws(() => quantizePerChannel(cut, 6, 'int8', full.scales.subarray(0, 5)), { message: /5 scales for 6 channels/ });
});

test('the model builder reports quantization error once per quantized weight, shared or not', (t) => {
  const mb = new ModelBuilder();
  const w = randomF32(rng(5), 8 * 16);
  for (const key of ['a', 'b']) {
    const g = mb.subgraph(key);
    const x = g.input('x', [1, 16]);
    g.output('y', g.add(g.fullyConnected(x, g.weight('w8', w, [8, 16], 'int8')), g.fullyConnected(x, g.weight('w4', w, [8, 16], 'int4'))));
  }
  t.deepEqual(mb.quantizationReports.map((r) => [r.tensor, r.dtype, r.elements]), [['w8', 'int8', 128], ['w4', 'int4', 128]]);
  const [r8, r4] = mb.quantizationReports;
  t.true((r8?.rmsError ?? 1) < (r4?.rmsError ?? 0), 'int8 is more precise than int4');
});
