// One small random model per op and weight dtype the writer emits, with its inputs and the
// plain-TS reference outputs (and, for int8/int4, the per-element error bound). Used by the op
// parity tests and by the inspect round-trip tests.

import { TensorType, type TensorRecord } from '../../src/runtime/index.js';
import { ModelBuilder, type GraphBuilder, type TensorRef } from '../../firmware-models/tflite/model-builder.js';
import { dequantize, quantizePerChannel, type WeightDtype } from '../../firmware-models/tflite/quantize.js';
import * as R from './reference.js';
import { randomF32, rng, type Case } from './helpers.js';

export interface OpCase extends Case { ref: Record<string, R.Nd>; bound?: (out: string, want: R.Nd) => (i: number) => number }

let rand = rng(42);

/** Builds a one-signature model `main` whose inputs are random float32 tensors. */
function caseOf(name: string, inputShapes: Record<string, readonly number[]>, body: (g: GraphBuilder, x: Record<string, TensorRef>) => Record<string, TensorRef>, ref: (x: Record<string, R.Nd>) => Record<string, R.Nd>, opts: { lo?: number; hi?: number } = {}): OpCase {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const refs: Record<string, TensorRef> = {};
  const inputs: TensorRecord = {};
  const nds: Record<string, R.Nd> = {};
  for (const [k, shape] of Object.entries(inputShapes)) {
    refs[k] = g.input(k, shape);
    const data = randomF32(rand, shape.reduce((a, d) => a * d, 1), opts.lo ?? -2, opts.hi ?? 2);
    inputs[k] = data;
    nds[k] = R.nd(shape, data);
  }
  for (const [k, t] of Object.entries(body(g, refs))) g.output(k, t);
  return { name, bytes: mb.toBytes(), signature: 'main', inputs, shapes: inputShapes, ref: ref(nds) };
}

function fcCase(dtype: WeightDtype): OpCase {
  const [rows, depth, units] = [3, 64, 24];
  const w = randomF32(rand, units * depth, -0.5, 0.5);
  const bias = randomF32(rand, units, -0.1, 0.1);
  // The reference uses the weights the file holds: dequantized for int8/int4.
  const held = dtype === 'float32' ? w : dequantize(quantizePerChannel(w, units, dtype));
  const c = caseOf(`fully_connected ${dtype}`, { x: [rows, depth] }, (g, x) => ({
    y: g.fullyConnected(x['x'] as TensorRef, g.weight('w', w, [units, depth], dtype), g.constant('b', bias, [units])),
  }), (x) => ({ y: R.fullyConnected(x['x'] as R.Nd, R.nd([units, depth], held), R.nd([units], bias)) }));
  if (dtype === 'float32') return c;
  // Dynamic-range kernels quantize each input row to int8: |dx| <= one step s_x = max|x_row| / 127
  // (a full step covers both XNNPACK's asymmetric qd8 and TFLite's symmetric hybrid rounding).
  const x = c.inputs['x'] as Float32Array;
  const bound = (_: string, want: R.Nd) => (i: number): number => {
    const r = Math.floor(i / units);
    const j = i % units;
    let maxAbs = 0;
    for (let k = 0; k < depth; k++) maxAbs = Math.max(maxAbs, Math.abs(x[r * depth + k] as number));
    let wAbs = 0;
    for (let k = 0; k < depth; k++) wAbs += Math.abs(held[j * depth + k] as number);
    return (maxAbs / 127) * wAbs + 1e-5 * Math.abs(want.data[i] as number);
  };
  return { ...c, bound };
}

const binary = (name: string, op: (g: GraphBuilder) => (a: TensorRef, b: TensorRef) => TensorRef, f: (a: number, b: number) => number, lo?: number): OpCase =>
  caseOf(name, { a: [2, 3, 4], b: [4] }, (g, x) => ({ y: op(g).call(g, x['a'] as TensorRef, x['b'] as TensorRef) }), (x) => ({ y: R.broadcast(x['a'] as R.Nd, x['b'] as R.Nd, f) }), lo === undefined ? {} : { lo, hi: 2 });

const unary = (name: string, op: (g: GraphBuilder, t: TensorRef) => TensorRef, f: (a: number) => number, lo?: number): OpCase =>
  caseOf(name, { x: [2, 3, 16] }, (g, x) => ({ y: op(g, x['x'] as TensorRef) }), (x) => ({ y: R.map(x['x'] as R.Nd, f) }), lo === undefined ? {} : { lo, hi: 2 });

function gatherCase(): OpCase {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const table = randomF32(rand, 10 * 4);
  const ids = g.input('ids', [1, 3], TensorType.INT32);
  g.output('y', g.gather(g.constant('table', table, [10, 4]), ids, 0));
  const idx = Int32Array.from([7, 0, 9]);
  return { name: 'gather', bytes: mb.toBytes(), signature: 'main', inputs: { ids: idx }, shapes: { ids: [1, 3] }, ref: { y: R.gather(R.nd([10, 4], table), [...idx], [1, 3], 0) } };
}

function dusCase(): OpCase {
  const mb = new ModelBuilder();
  const g = mb.subgraph('main');
  const cache = g.input('cache', [1, 8, 4]);
  const upd = g.input('update', [1, 2, 4]);
  const pos = g.input('start', [3], TensorType.INT32);
  g.output('y', g.dynamicUpdateSlice(cache, upd, pos));
  const c = randomF32(rand, 32);
  const u = randomF32(rand, 8);
  const s = Int32Array.from([0, 5, 0]);
  return {
    name: 'dynamic_update_slice', bytes: mb.toBytes(), signature: 'main', inputs: { cache: c, update: u, start: s },
    shapes: { cache: [1, 8, 4], update: [1, 2, 4], start: [3] }, ref: { y: R.dynamicUpdateSlice(R.nd([1, 8, 4], c), R.nd([1, 2, 4], u), [...s]) },
  };
}

/** Builds every case afresh from a fixed seed, so callers get identical models. */
export function buildOpCases(): OpCase[] {
  rand = rng(42);
  const cases: OpCase[] = [
    fcCase('float32'), fcCase('int8'), fcCase('int4'),
    caseOf('batch_matmul', { a: [2, 3, 8], b: [2, 8, 5] }, (g, x) => ({ y: g.batchMatmul(x['a'] as TensorRef, x['b'] as TensorRef) }), (x) => ({ y: R.batchMatmul(x['a'] as R.Nd, x['b'] as R.Nd, false, false) })),
    caseOf('batch_matmul adj_y', { a: [1, 2, 3, 8], b: [1, 2, 6, 8] }, (g, x) => ({ y: g.batchMatmul(x['a'] as TensorRef, x['b'] as TensorRef, false, true) }), (x) => ({ y: R.batchMatmul(x['a'] as R.Nd, x['b'] as R.Nd, false, true) })),
    binary('add', (g) => g.add, (a, b) => a + b),
    binary('sub', (g) => g.sub, (a, b) => a - b),
    binary('mul', (g) => g.mul, (a, b) => a * b),
    binary('div', (g) => g.div, (a, b) => a / b, 0.5),
    binary('squared_difference', (g) => g.squaredDifference, (a, b) => (a - b) ** 2),
    unary('rsqrt', (g, t) => g.rsqrt(t), (a) => 1 / Math.sqrt(a), 0.1),
    unary('logistic', (g, t) => g.logistic(t), R.logistic),
    unary('tanh', (g, t) => g.tanh(t), Math.tanh),
    unary('exp', (g, t) => g.exp(t), Math.exp),
    unary('gelu', (g, t) => g.gelu(t, false), R.gelu),
    unary('gelu approximate', (g, t) => g.gelu(t, true), R.geluTanh),
    unary('softmax', (g, t) => g.softmax(t), (a) => a), // reference replaced below
    caseOf('mean', { x: [2, 3, 16] }, (g, x) => ({ y: g.mean(x['x'] as TensorRef, [-1], true) }), (x) => ({ y: R.reduce(x['x'] as R.Nd, [-1], true, true) })),
    caseOf('sum', { x: [2, 3, 16] }, (g, x) => ({ y: g.sum(x['x'] as TensorRef, [1], false) }), (x) => ({ y: R.reduce(x['x'] as R.Nd, [1], false, false) })),
    caseOf('reshape', { x: [2, 3, 4] }, (g, x) => ({ y: g.reshape(x['x'] as TensorRef, [6, 4]) }), (x) => ({ y: R.reshape(x['x'] as R.Nd, [6, 4]) })),
    caseOf('transpose', { x: [2, 3, 4] }, (g, x) => ({ y: g.transpose(x['x'] as TensorRef, [1, 2, 0]) }), (x) => ({ y: R.transpose(x['x'] as R.Nd, [1, 2, 0]) })),
    caseOf('concatenation', { a: [2, 3], b: [2, 5] }, (g, x) => ({ y: g.concat([x['a'] as TensorRef, x['b'] as TensorRef], 1) }), (x) => ({ y: R.concat([x['a'] as R.Nd, x['b'] as R.Nd], 1) })),
    gatherCase(),
    caseOf('slice', { x: [2, 6, 4] }, (g, x) => ({ y: g.slice(x['x'] as TensorRef, [1, 2, 0], [1, 3, 4]) }), (x) => ({ y: R.stridedSlice(x['x'] as R.Nd, [1, 2, 0], [2, 5, 4], [1, 1, 1]) })),
    caseOf('strided_slice', { x: [2, 6, 4] }, (g, x) => ({ y: g.stridedSlice(x['x'] as TensorRef, [0, 1, 0], [2, 6, 4], [1, 2, 2]) }), (x) => ({ y: R.stridedSlice(x['x'] as R.Nd, [0, 1, 0], [2, 6, 4], [1, 2, 2]) })),
    dusCase(),
  ];
  // softmax: the reference needs the whole row, not an element map.
  const softmaxCase = cases.find((c) => c.name === 'softmax') as OpCase;
  softmaxCase.ref = { y: R.softmax(R.nd([2, 3, 16], softmaxCase.inputs['x'] as Float32Array)) };
  return cases;
}

