// Graph-level checks on a decoded TfliteModel before LiteRT sees the bytes: every index in range,
// every constant's data matching its shape and type, every op one the runtime has a kernel for.
// LiteRT's own parser trusts the file; these checks are what keeps a bad file from crashing it.

import { ModelError, type ModelErrorCode } from './errors.js';
import {
  BUILTIN_OPTIONS_NAMES, MAX_RUNNABLE_BUILTIN_CODE, SCHEMA_VERSION, UNRUNNABLE_BUILTIN_CODES, builtinOperatorName,
  tensorByteSize, TENSOR_TYPE_NAMES,
} from './tflite-schema.js';
import type { SubgraphDef, TensorDef, TfliteModel } from './tflite-graph.js';

interface Problem { code: ModelErrorCode; message: string }

/** Largest element count a tensor may declare (2^31 - 1: TFLite sizes are int32). */
const MAX_ELEMENTS = 2 ** 31 - 1;

/** Throws ModelError naming every problem found (the first one's code wins). */
export function validateTflite(model: TfliteModel, fileBytes: number): void {
  const problems: Problem[] = [];
  const add = (code: ModelErrorCode, message: string): void => { problems.push({ code, message }); };
  if (model.version !== SCHEMA_VERSION) add('format', `schema version ${model.version} is not the supported version ${SCHEMA_VERSION}`);
  if (model.subgraphs.length === 0) add('format', 'model has no subgraphs');
  model.buffers.forEach((b, i) => {
    if (b.offset > 1 && b.offset + b.size > fileBytes) {
      add('buffer-offset', `buffers[${i}]: offset ${b.offset} + size ${b.size} is past the end of the file (${fileBytes} bytes)`);
    }
  });
  model.operatorCodes.forEach((c, i) => {
    if (c.builtinCode === 32) add('unsupported-op', `operator_codes[${i}]: custom op ${JSON.stringify(c.customCode ?? '')} is not available in this runtime`);
    else if (UNRUNNABLE_BUILTIN_CODES.has(c.builtinCode) || c.builtinCode < 0 || c.builtinCode > MAX_RUNNABLE_BUILTIN_CODE) {
      add('unsupported-op', `operator_codes[${i}]: op ${builtinOperatorName(c.builtinCode)} (code ${c.builtinCode}) is not supported by this runtime`);
    }
  });
  model.subgraphs.forEach((sg, s) => validateSubgraph(model, sg, `subgraphs[${s}]`, add));
  model.signatures.forEach((sig, i) => {
    const sg = model.subgraphs[sig.subgraphIndex];
    if (sg === undefined) { add('format', `signature_defs[${i}] "${sig.key}": subgraph ${sig.subgraphIndex} does not exist`); return; }
    for (const m of [...sig.inputs, ...sig.outputs]) {
      if (m.tensorIndex >= sg.tensors.length) add('format', `signature_defs[${i}] "${sig.key}": tensor "${m.name}" index ${m.tensorIndex} out of range`);
    }
  });
  model.metadata.forEach((m, i) => {
    if (m.buffer >= model.buffers.length) add('format', `metadata[${i}] "${m.name}": buffer ${m.buffer} out of range`);
  });
  const first = problems[0];
  if (first !== undefined) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1, 6).map((p) => p.message).join('; ')})` : '';
    throw new ModelError(`invalid model: ${first.message}${more}`, first.code);
  }
}

function validateSubgraph(model: TfliteModel, sg: SubgraphDef, path: string, add: (c: ModelErrorCode, m: string) => void): void {
  const inRange = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < sg.tensors.length;
  sg.tensors.forEach((t, i) => validateTensor(model, t, `${path}.tensors[${i}] "${t.name}"`, add));
  for (const i of [...sg.inputs, ...sg.outputs]) {
    if (!inRange(i)) add('format', `${path}: input/output tensor index ${i} out of range (${sg.tensors.length} tensors)`);
  }
  sg.operators.forEach((op, o) => {
    const where = `${path}.operators[${o}]`;
    const code = model.operatorCodes[op.opcodeIndex];
    if (code === undefined) { add('format', `${where}: opcode_index ${op.opcodeIndex} out of range`); return; }
    if (op.optionsType > BUILTIN_OPTIONS_NAMES.length) add('format', `${where}: unknown builtin options type ${op.optionsType}`);
    for (const i of op.inputs) if (i !== -1 && !inRange(i)) add('format', `${where} (${builtinOperatorName(code.builtinCode)}): input tensor ${i} out of range`);
    for (const i of op.outputs) if (!inRange(i)) add('format', `${where} (${builtinOperatorName(code.builtinCode)}): output tensor ${i} out of range`);
  });
}

function validateTensor(model: TfliteModel, t: TensorDef, where: string, add: (c: ModelErrorCode, m: string) => void): void {
  if (t.type < 0 || t.type >= TENSOR_TYPE_NAMES.length) add('format', `${where}: unknown tensor type ${t.type}`);
  if (t.shape.some((d) => !Number.isInteger(d) || d < 0)) { add('shape', `${where}: invalid shape [${t.shape.join(', ')}]`); return; }
  const elements = t.shape.reduce((a, d) => a * d, 1);
  if (elements > MAX_ELEMENTS) { add('shape', `${where}: shape [${t.shape.join(', ')}] has too many elements`); return; }
  const buffer = model.buffers[t.buffer];
  if (buffer === undefined) { add('format', `${where}: buffer ${t.buffer} out of range (${model.buffers.length} buffers)`); return; }
  const stored = buffer.data.length > 0 ? buffer.data.length : buffer.size;
  const expected = tensorByteSize(t.type, elements);
  if (stored > 0 && expected !== null && stored !== expected) {
    add('shape', `${where}: shape [${t.shape.join(', ')}] of ${TENSOR_TYPE_NAMES[t.type] ?? t.type} needs ${expected} bytes but buffer ${t.buffer} holds ${stored}`);
  }
  const q = t.quantization;
  if (q !== null && q.scale.length > 1) {
    const dim = t.shape[q.quantizedDimension];
    if (dim !== q.scale.length) add('shape', `${where}: ${q.scale.length} quantization scales for dimension ${q.quantizedDimension} of size ${dim ?? 'none'}`);
    if (q.zeroPoint.length !== 0 && q.zeroPoint.length !== q.scale.length) add('format', `${where}: ${q.zeroPoint.length} zero points for ${q.scale.length} scales`);
  }
}
