// inspectModel on every model the writer produces: the report describes the file, and the file
// round-trips (read → write gives identical bytes).

import test from 'ava';
import { formatModelReport, inspectModel, ModelError, readTflite } from '../../src/runtime/index.js';
import { ModelBuilder } from '../../firmware-models/tflite/model-builder.js';
import { buildLlamaModel, randomLlamaWeights, type LlamaConfig } from '../../firmware-models/tflite/llama-graph.js';
import { writeTflite } from '../../firmware-models/tflite/writer.js';
import { buildOpCases } from '../firmware-models/op-cases.js';
import { rng } from '../firmware-models/helpers.js';

const cfg: LlamaConfig = { dim: 32, hiddenDim: 64, layers: 2, heads: 4, vocab: 40, maxSeq: 12, prefillLen: 4, normEps: 1e-5 };
const llamaWeights = randomLlamaWeights(cfg, rng(9));

function labelled(): Uint8Array {
  const mb = new ModelBuilder().setMetadata({ name: 'neurolite-tiny', version: '0.3.1', labels: ['lights_on', 'lights_off', 'weather'], data: { vocab: 512, trainedOn: 'corpus-v2' } });
  const g = mb.subgraph('classify');
  const x = g.input('features', [1, 16]);
  g.output('probs', g.softmax(g.fullyConnected(x, g.weight('head', new Float32Array(48).fill(0.25), [3, 16], 'int8'))));
  return mb.toBytes();
}

const models: [string, Uint8Array][] = [
  ...buildOpCases().map((c): [string, Uint8Array] => [`op ${c.name}`, c.bytes]),
  ...(['float32', 'int8', 'int4'] as const).map((d): [string, Uint8Array] => [`llama ${d}`, buildLlamaModel(cfg, llamaWeights, d).toBytes()]),
  ...(['full', 'rows'] as const).map((mode): [string, Uint8Array] => [`llama cache ${mode}`, buildLlamaModel(cfg, llamaWeights, 'int8', mode).toBytes()]),
  ['labelled classifier', labelled()],
];

for (const [name, bytes] of models) {
  test(`${name}: read → write gives identical bytes`, (t) => {
    const again = writeTflite(readTflite(bytes));
    t.is(again.length, bytes.length);
    t.true(Buffer.from(again).equals(Buffer.from(bytes)));
  });
}

test('the report lists signatures, ops, quantization, metadata and bytes by dtype', (t) => {
  const r = inspectModel(labelled());
  t.deepEqual(r.metadata, { name: 'neurolite-tiny', version: '0.3.1', labels: ['lights_on', 'lights_off', 'weather'], data: { vocab: 512, trainedOn: 'corpus-v2' } });
  t.deepEqual(r.signatures, [{ key: 'classify', subgraph: 0, inputs: [{ name: 'features', shape: [1, 16], dtype: 'float32' }], outputs: [{ name: 'probs', shape: [1, 3], dtype: 'float32' }] }]);
  t.deepEqual(r.opCounts, { FULLY_CONNECTED: 1, SOFTMAX: 1 });
  t.deepEqual(r.sizeByDtype, { int8: 48 });
  const head = r.subgraphs[0]?.tensors.find((x) => x.name === 'head');
  t.deepEqual(head?.quantization, { scales: 3, minScale: Math.fround(0.25 / 127), maxScale: Math.fround(0.25 / 127), zeroPoints: [0], quantizedDimension: 0 });
  const text = formatModelReport(r);
  t.regex(text, /metadata: neurolite-tiny 0\.3\.1, 3 labels: lights_on, lights_off, weather/);
  t.regex(text, /signature "classify" \(subgraph 0\)\n {2}in {2}features: float32 \[1, 16\]\n {2}out probs: float32 \[1, 3\]/);
  t.regex(text, /ops: FULLY_CONNECTED×1, SOFTMAX×1/);
  t.regex(text, /head: int8 \[3, 16\] const 48 B q: 3 scale\(s\)/);
});

test('shared weights are counted once in bytes by dtype', (t) => {
  const r = inspectModel(buildLlamaModel(cfg, llamaWeights, 'int4').toBytes());
  const perLayer = (4 * cfg.dim * cfg.dim + 3 * cfg.dim * cfg.hiddenDim) / 2;
  t.is(r.sizeByDtype['int4'], cfg.layers * perLayer + (cfg.vocab * cfg.dim) / 2);
  t.deepEqual(r.signatures.map((s) => s.key), ['prefill', 'decode']);
});

test('inspect refuses a corrupt file with a ModelError', (t) => {
  t.throws(() => inspectModel(labelled().slice(0, 100)), { instanceOf: ModelError, message: /truncated/ });
});
