// Serialises a TfliteModel (the form src/runtime's reader produces) into .tflite flatbuffer bytes
// with the `flatbuffers` runtime. Field slots and option layouts come from src/runtime's schema
// constants, so the reader and the writer cannot drift apart. No graph construction here.

import { Builder, type Offset } from 'flatbuffers';
import {
  FILE_IDENTIFIER, OPTION_LAYOUTS, PLACEHOLDER_FOR_GREATER_OP_CODES, Slot, builtinOptionsName,
  type BufferDef, type MetadataDef, type OperatorCodeDef, type OperatorDef, type OptionValues,
  type QuantizationDef, type SignatureDefDef, type SubgraphDef, type TensorDef, type TensorMapDef,
  type TfliteModel,
} from '../../src/runtime/index.js';

/** Buffer data is 16-byte aligned (schema.fbs: `data:[ubyte] (force_align: 16)`). */
const BUFFER_ALIGN = 16;

/** Writes the model; equal models give identical bytes. */
export function writeTflite(model: TfliteModel): Uint8Array {
  const initialBytes = 1024 + model.buffers.reduce((a, b) => a + b.data.length + BUFFER_ALIGN, 0);
  const b = new Builder(initialBytes);
  // Constant data first: it ends up at the end of the file, after the graph.
  const buffers = model.buffers.map((buf) => writeBuffer(b, buf));
  const buffersVec = offsets(b, buffers);
  const opcodes = offsets(b, model.operatorCodes.map((c) => writeOperatorCode(b, c)));
  const subgraphs = offsets(b, model.subgraphs.map((s) => writeSubgraph(b, s)));
  const metadata = offsets(b, model.metadata.map((m) => writeMetadata(b, m)));
  const signatures = offsets(b, model.signatures.map((s) => writeSignature(b, s)));
  const description = b.createString(model.description);
  const S = Slot.Model;
  b.startObject(8);
  b.addFieldInt32(S.version, model.version, 0);
  b.addFieldOffset(S.operator_codes, opcodes, 0);
  b.addFieldOffset(S.subgraphs, subgraphs, 0);
  b.addFieldOffset(S.description, description, 0);
  b.addFieldOffset(S.buffers, buffersVec, 0);
  if (model.metadata.length > 0) b.addFieldOffset(S.metadata, metadata, 0);
  if (model.signatures.length > 0) b.addFieldOffset(S.signature_defs, signatures, 0);
  b.finish(b.endObject(), FILE_IDENTIFIER);
  return b.asUint8Array().slice();
}

function offsets(b: Builder, items: Offset[]): Offset {
  b.startVector(4, items.length, 4);
  for (let i = items.length - 1; i >= 0; i--) b.addOffset(items[i] as Offset);
  return b.endVector();
}

function int32s(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addInt32(values[i] as number);
  return b.endVector();
}

function float32s(b: Builder, values: readonly number[]): Offset {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) b.addFloat32(values[i] as number);
  return b.endVector();
}

function int64s(b: Builder, values: readonly number[]): Offset {
  b.startVector(8, values.length, 8);
  for (let i = values.length - 1; i >= 0; i--) b.addInt64(BigInt(values[i] as number));
  return b.endVector();
}

function writeBuffer(b: Builder, buf: BufferDef): Offset {
  let data = 0;
  if (buf.data.length > 0) {
    b.prep(BUFFER_ALIGN, buf.data.length);
    data = b.createByteVector(buf.data);
  }
  const S = Slot.Buffer;
  b.startObject(3);
  if (data !== 0) b.addFieldOffset(S.data, data, 0);
  b.addFieldInt64(S.offset, BigInt(buf.offset), BigInt(0));
  b.addFieldInt64(S.size, BigInt(buf.size), BigInt(0));
  return b.endObject();
}

function writeOperatorCode(b: Builder, c: OperatorCodeDef): Offset {
  const custom = c.customCode === null ? 0 : b.createString(c.customCode);
  const S = Slot.OperatorCode;
  b.startObject(4);
  // Old readers only look at the byte field; codes past 127 put the placeholder there.
  b.addFieldInt8(S.deprecated_builtin_code, Math.min(c.builtinCode, PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
  if (custom !== 0) b.addFieldOffset(S.custom_code, custom, 0);
  b.addFieldInt32(S.version, c.version, 1);
  b.addFieldInt32(S.builtin_code, c.builtinCode, 0);
  return b.endObject();
}

function writeSubgraph(b: Builder, s: SubgraphDef): Offset {
  const tensors = offsets(b, s.tensors.map((t) => writeTensor(b, t)));
  const inputs = int32s(b, s.inputs);
  const outputs = int32s(b, s.outputs);
  const operators = offsets(b, s.operators.map((o) => writeOperator(b, o)));
  const name = b.createString(s.name);
  const S = Slot.SubGraph;
  b.startObject(5);
  b.addFieldOffset(S.tensors, tensors, 0);
  b.addFieldOffset(S.inputs, inputs, 0);
  b.addFieldOffset(S.outputs, outputs, 0);
  b.addFieldOffset(S.operators, operators, 0);
  b.addFieldOffset(S.name, name, 0);
  return b.endObject();
}

function writeTensor(b: Builder, t: TensorDef): Offset {
  const shape = int32s(b, t.shape);
  const name = b.createString(t.name);
  const quant = t.quantization === null ? 0 : writeQuantization(b, t.quantization);
  const signature = t.shapeSignature === null ? 0 : int32s(b, t.shapeSignature);
  const S = Slot.Tensor;
  b.startObject(9);
  b.addFieldOffset(S.shape, shape, 0);
  b.addFieldInt8(S.type, t.type, 0);
  b.addFieldInt32(S.buffer, t.buffer, 0);
  b.addFieldOffset(S.name, name, 0);
  if (quant !== 0) b.addFieldOffset(S.quantization, quant, 0);
  b.addFieldInt8(S.is_variable, t.isVariable ? 1 : 0, 0);
  if (signature !== 0) b.addFieldOffset(S.shape_signature, signature, 0);
  b.addFieldInt8(S.has_rank, t.hasRank ? 1 : 0, 0);
  return b.endObject();
}

function writeQuantization(b: Builder, q: QuantizationDef): Offset {
  const min = q.min.length > 0 ? float32s(b, q.min) : 0;
  const max = q.max.length > 0 ? float32s(b, q.max) : 0;
  const scale = float32s(b, q.scale);
  const zeroPoint = int64s(b, q.zeroPoint);
  const S = Slot.QuantizationParameters;
  b.startObject(7);
  if (min !== 0) b.addFieldOffset(S.min, min, 0);
  if (max !== 0) b.addFieldOffset(S.max, max, 0);
  b.addFieldOffset(S.scale, scale, 0);
  b.addFieldOffset(S.zero_point, zeroPoint, 0);
  b.addFieldInt32(S.quantized_dimension, q.quantizedDimension, 0);
  return b.endObject();
}

function writeOperator(b: Builder, o: OperatorDef): Offset {
  const inputs = int32s(b, o.inputs);
  const outputs = int32s(b, o.outputs);
  const options = o.optionsType === 0 ? 0 : writeOptions(b, o.optionsType, o.options);
  const S = Slot.Operator;
  b.startObject(9);
  b.addFieldInt32(S.opcode_index, o.opcodeIndex, 0);
  b.addFieldOffset(S.inputs, inputs, 0);
  b.addFieldOffset(S.outputs, outputs, 0);
  b.addFieldInt8(S.builtin_options_type, o.optionsType, 0);
  if (options !== 0) b.addFieldOffset(S.builtin_options, options, 0);
  return b.endObject();
}

function writeOptions(b: Builder, type: number, values: OptionValues | null): Offset {
  const name = builtinOptionsName(type);
  const layout = OPTION_LAYOUTS[name];
  if (layout === undefined || values === null) throw new Error(`writer: cannot write ${name} (no layout)`);
  const vectors = new Map<string, Offset>();
  for (const field of layout) {
    const v = values[field.name];
    if (field.kind === 'int[]') vectors.set(field.name, int32s(b, Array.isArray(v) ? v : []));
    if (field.kind === 'string' && typeof v === 'string' && v !== '') vectors.set(field.name, b.createString(v));
  }
  b.startObject(layout.reduce((n, f) => Math.max(n, f.slot + 1), 0));
  for (const field of layout) {
    const v = values[field.name] ?? field.defaultValue;
    const num = typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'number' ? v : 0;
    const def = typeof field.defaultValue === 'boolean' ? (field.defaultValue ? 1 : 0) : Number(field.defaultValue) || 0;
    switch (field.kind) {
      case 'bool': case 'byte': b.addFieldInt8(field.slot, num, def); break;
      case 'int': b.addFieldInt32(field.slot, num, def); break;
      case 'float': b.addFieldFloat32(field.slot, num, def); break;
      case 'int[]': case 'string': b.addFieldOffset(field.slot, vectors.get(field.name) ?? 0, 0); break;
    }
  }
  return b.endObject();
}

function writeMetadata(b: Builder, m: MetadataDef): Offset {
  const name = b.createString(m.name);
  b.startObject(2);
  b.addFieldOffset(Slot.Metadata.name, name, 0);
  b.addFieldInt32(Slot.Metadata.buffer, m.buffer, 0);
  return b.endObject();
}

function writeTensorMap(b: Builder, m: TensorMapDef): Offset {
  const name = b.createString(m.name);
  b.startObject(2);
  b.addFieldOffset(Slot.TensorMap.name, name, 0);
  b.addFieldInt32(Slot.TensorMap.tensor_index, m.tensorIndex, 0);
  return b.endObject();
}

function writeSignature(b: Builder, s: SignatureDefDef): Offset {
  const inputs = offsets(b, s.inputs.map((m) => writeTensorMap(b, m)));
  const outputs = offsets(b, s.outputs.map((m) => writeTensorMap(b, m)));
  const key = b.createString(s.key);
  const S = Slot.SignatureDef;
  b.startObject(5);
  b.addFieldOffset(S.inputs, inputs, 0);
  b.addFieldOffset(S.outputs, outputs, 0);
  b.addFieldOffset(S.signature_key, key, 0);
  b.addFieldInt32(S.subgraph_index, s.subgraphIndex, 0);
  return b.endObject();
}
