// Reads a .tflite flatbuffer into a TfliteModel with every offset bounds-checked, so corrupt or
// hostile bytes end in a ModelError naming the problem and never reach LiteRT's unchecked parser.
// It decodes structure only; graph-level checks live in tflite-validate.ts.

import { ModelError } from './errors.js';
import {
  FILE_IDENTIFIER, OPTION_LAYOUTS, Slot, builtinOptionsName, type OptionField,
} from './tflite-schema.js';
import type {
  BufferDef, MetadataDef, OperatorCodeDef, OperatorDef, OptionValues, QuantizationDef,
  SignatureDefDef, SubgraphDef, TensorDef, TensorMapDef, TfliteModel,
} from './tflite-graph.js';

/** A table position plus its vtable, so fields can be looked up by slot. */
interface TableRef {
  readonly pos: number;
  readonly vtable: number;
  readonly vtableSize: number;
  readonly path: string;
}

/** Bounds-checked little-endian access to flatbuffer bytes. */
class FlatView {
  private readonly view: DataView;
  private readonly decoder = new TextDecoder('utf-8');

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(pos: number, length: number, what: string): void {
    if (!Number.isSafeInteger(pos) || pos < 0 || length < 0 || pos + length > this.bytes.length) {
      throw new ModelError(
        `truncated or corrupt model: ${what} at byte ${pos} (+${length}) lies past the end of the file (${this.bytes.length} bytes)`,
        'truncated',
      );
    }
  }

  u8(pos: number, what: string): number { this.need(pos, 1, what); return this.view.getUint8(pos); }
  i8(pos: number, what: string): number { this.need(pos, 1, what); return this.view.getInt8(pos); }
  u16(pos: number, what: string): number { this.need(pos, 2, what); return this.view.getUint16(pos, true); }
  i32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getInt32(pos, true); }
  u32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getUint32(pos, true); }
  f32(pos: number, what: string): number { this.need(pos, 4, what); return this.view.getFloat32(pos, true); }
  i64(pos: number, what: string): number {
    this.need(pos, 8, what);
    const value = this.view.getBigInt64(pos, true);
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new ModelError(`corrupt model: ${what} = ${value} is out of range`, 'format');
    }
    return Number(value);
  }

  table(pos: number, path: string): TableRef {
    const vtable = pos - this.i32(pos, `${path} table`);
    const vtableSize = this.u16(vtable, `${path} vtable`);
    if (vtableSize < 4 || vtableSize % 2 !== 0) {
      throw new ModelError(`corrupt model: ${path} has a vtable of ${vtableSize} bytes`, 'format');
    }
    this.need(vtable, vtableSize, `${path} vtable`);
    const tableSize = this.u16(vtable + 2, `${path} vtable`);
    this.need(pos, tableSize, `${path} table`);
    return { pos, vtable, vtableSize, path };
  }

  /** Absolute position of a field, or 0 when the field is absent. */
  field(t: TableRef, slot: number): number {
    const entry = 4 + slot * 2;
    if (entry >= t.vtableSize) return 0;
    const offset = this.u16(t.vtable + entry, `${t.path} vtable`);
    return offset === 0 ? 0 : t.pos + offset;
  }

  /** Follows a uoffset stored at `pos`. */
  deref(pos: number, what: string): number {
    return pos + this.u32(pos, what);
  }

  subTable(t: TableRef, slot: number, name: string): TableRef | null {
    const pos = this.field(t, slot);
    if (pos === 0) return null;
    const path = `${t.path}.${name}`;
    return this.table(this.deref(pos, path), path);
  }

  /** Start and length of a vector field (null when absent), checked for elemSize-byte elements. */
  vector(t: TableRef, slot: number, elemSize: number, name: string): { start: number; length: number } | null {
    const pos = this.field(t, slot);
    if (pos === 0) return null;
    const path = `${t.path}.${name}`;
    const at = this.deref(pos, path);
    const length = this.u32(at, `${path} length`);
    this.need(at + 4, length * elemSize, `${path} (${length} elements)`);
    return { start: at + 4, length };
  }

  tables(t: TableRef, slot: number, name: string): TableRef[] {
    const v = this.vector(t, slot, 4, name);
    if (v === null) return [];
    const out: TableRef[] = [];
    for (let i = 0; i < v.length; i++) {
      const path = `${t.path}.${name}[${i}]`;
      out.push(this.table(this.deref(v.start + 4 * i, path), path));
    }
    return out;
  }

  string(t: TableRef, slot: number, name: string): string | null {
    const v = this.vector(t, slot, 1, name);
    if (v === null) return null;
    return this.decoder.decode(this.bytes.subarray(v.start, v.start + v.length));
  }

  ints(t: TableRef, slot: number, name: string): number[] | null {
    const v = this.vector(t, slot, 4, name);
    if (v === null) return null;
    return Array.from({ length: v.length }, (_, i) => this.i32(v.start + 4 * i, name));
  }

  floats(t: TableRef, slot: number, name: string): number[] {
    const v = this.vector(t, slot, 4, name);
    if (v === null) return [];
    return Array.from({ length: v.length }, (_, i) => this.f32(v.start + 4 * i, name));
  }

  longs(t: TableRef, slot: number, name: string): number[] {
    const v = this.vector(t, slot, 8, name);
    if (v === null) return [];
    return Array.from({ length: v.length }, (_, i) => this.i64(v.start + 8 * i, name));
  }

  scalarU32(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.u32(pos, `${t.path} field ${slot}`);
  }

  scalarI32(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.i32(pos, `${t.path} field ${slot}`);
  }

  scalarU8(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.u8(pos, `${t.path} field ${slot}`);
  }

  scalarI8(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.i8(pos, `${t.path} field ${slot}`);
  }

  scalarF32(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.f32(pos, `${t.path} field ${slot}`);
  }

  scalarU64(t: TableRef, slot: number, fallback: number): number {
    const pos = this.field(t, slot);
    return pos === 0 ? fallback : this.i64(pos, `${t.path} field ${slot}`);
  }
}

/** Minimum bytes of a flatbuffer: root offset + file identifier. */
const HEADER_BYTES = 8;

/** Parses .tflite bytes; throws ModelError ('truncated', 'identifier', 'format') on bad input. */
export function readTflite(bytes: Uint8Array): TfliteModel {
  if (bytes.length < HEADER_BYTES) {
    throw new ModelError(`truncated model: ${bytes.length} bytes is shorter than a flatbuffer header`, 'truncated');
  }
  const identifier = String.fromCharCode(...bytes.subarray(4, 8));
  if (identifier !== FILE_IDENTIFIER) {
    throw new ModelError(
      `not a TFLite model: file identifier is ${JSON.stringify(identifier)}, expected "${FILE_IDENTIFIER}"`,
      'identifier',
    );
  }
  const fb = new FlatView(bytes);
  const root = fb.table(fb.deref(0, 'model root'), 'model');
  const S = Slot.Model;
  return {
    version: fb.scalarU32(root, S.version, 0),
    description: fb.string(root, S.description, 'description') ?? '',
    operatorCodes: fb.tables(root, S.operator_codes, 'operator_codes').map((t) => readOperatorCode(fb, t)),
    subgraphs: fb.tables(root, S.subgraphs, 'subgraphs').map((t) => readSubgraph(fb, t)),
    buffers: fb.tables(root, S.buffers, 'buffers').map((t) => readBuffer(fb, t)),
    metadata: fb.tables(root, S.metadata, 'metadata').map((t) => readMetadata(fb, t)),
    signatures: fb.tables(root, S.signature_defs, 'signature_defs').map((t) => readSignature(fb, t)),
  };
}

function readOperatorCode(fb: FlatView, t: TableRef): OperatorCodeDef {
  const S = Slot.OperatorCode;
  const deprecated = fb.scalarI8(t, S.deprecated_builtin_code, 0);
  const extended = fb.scalarI32(t, S.builtin_code, 0);
  // schema.fbs: the int32 field wins; old files only have the byte field.
  return {
    builtinCode: Math.max(deprecated, extended),
    customCode: fb.string(t, S.custom_code, 'custom_code'),
    version: fb.scalarI32(t, S.version, 1),
  };
}

function readSubgraph(fb: FlatView, t: TableRef): SubgraphDef {
  const S = Slot.SubGraph;
  return {
    name: fb.string(t, S.name, 'name') ?? '',
    tensors: fb.tables(t, S.tensors, 'tensors').map((tt) => readTensor(fb, tt)),
    inputs: fb.ints(t, S.inputs, 'inputs') ?? [],
    outputs: fb.ints(t, S.outputs, 'outputs') ?? [],
    operators: fb.tables(t, S.operators, 'operators').map((ot) => readOperator(fb, ot)),
  };
}

function readTensor(fb: FlatView, t: TableRef): TensorDef {
  const S = Slot.Tensor;
  const q = fb.subTable(t, S.quantization, 'quantization');
  return {
    name: fb.string(t, S.name, 'name') ?? '',
    shape: fb.ints(t, S.shape, 'shape') ?? [],
    shapeSignature: fb.ints(t, S.shape_signature, 'shape_signature'),
    type: fb.scalarI8(t, S.type, 0),
    buffer: fb.scalarU32(t, S.buffer, 0),
    quantization: q === null ? null : readQuantization(fb, q),
    isVariable: fb.scalarU8(t, S.is_variable, 0) !== 0,
    hasRank: fb.scalarU8(t, S.has_rank, 0) !== 0,
  };
}

function readQuantization(fb: FlatView, t: TableRef): QuantizationDef {
  const S = Slot.QuantizationParameters;
  return {
    min: fb.floats(t, S.min, 'min'),
    max: fb.floats(t, S.max, 'max'),
    scale: fb.floats(t, S.scale, 'scale'),
    zeroPoint: fb.longs(t, S.zero_point, 'zero_point'),
    quantizedDimension: fb.scalarI32(t, S.quantized_dimension, 0),
  };
}

function readOperator(fb: FlatView, t: TableRef): OperatorDef {
  const S = Slot.Operator;
  const optionsType = fb.scalarU8(t, S.builtin_options_type, 0);
  const optionsTable = optionsType === 0 ? null : fb.subTable(t, S.builtin_options, 'builtin_options');
  const layout = OPTION_LAYOUTS[builtinOptionsName(optionsType)];
  let options: OptionValues | null = null;
  if (optionsType === 0) options = {};
  else if (layout !== undefined) options = readOptions(fb, optionsTable, layout);
  return {
    opcodeIndex: fb.scalarU32(t, S.opcode_index, 0),
    inputs: fb.ints(t, S.inputs, 'inputs') ?? [],
    outputs: fb.ints(t, S.outputs, 'outputs') ?? [],
    optionsType,
    options,
  };
}

function readOptions(fb: FlatView, t: TableRef | null, layout: readonly OptionField[]): OptionValues {
  const values: OptionValues = {};
  for (const field of layout) {
    if (t === null) { values[field.name] = field.kind === 'int[]' ? [] : field.defaultValue; continue; }
    const fallback = Number(field.defaultValue);
    switch (field.kind) {
      case 'string': values[field.name] = fb.string(t, field.slot, field.name) ?? ''; break;
      case 'bool': values[field.name] = fb.scalarU8(t, field.slot, fallback) !== 0; break;
      case 'byte': values[field.name] = fb.scalarI8(t, field.slot, fallback); break;
      case 'int': values[field.name] = fb.scalarI32(t, field.slot, fallback); break;
      case 'float': values[field.name] = fb.scalarF32(t, field.slot, fallback); break;
      case 'int[]': values[field.name] = fb.ints(t, field.slot, field.name) ?? []; break;
    }
  }
  return values;
}

function readBuffer(fb: FlatView, t: TableRef): BufferDef {
  const S = Slot.Buffer;
  const v = fb.vector(t, S.data, 1, 'data');
  return {
    data: v === null ? new Uint8Array(0) : fb.bytes.subarray(v.start, v.start + v.length),
    offset: fb.scalarU64(t, S.offset, 0),
    size: fb.scalarU64(t, S.size, 0),
  };
}

function readMetadata(fb: FlatView, t: TableRef): MetadataDef {
  return { name: fb.string(t, Slot.Metadata.name, 'name') ?? '', buffer: fb.scalarU32(t, Slot.Metadata.buffer, 0) };
}

function readTensorMap(fb: FlatView, t: TableRef): TensorMapDef {
  return { name: fb.string(t, Slot.TensorMap.name, 'name') ?? '', tensorIndex: fb.scalarU32(t, Slot.TensorMap.tensor_index, 0) };
}

function readSignature(fb: FlatView, t: TableRef): SignatureDefDef {
  const S = Slot.SignatureDef;
  return {
    key: fb.string(t, S.signature_key, 'signature_key') ?? '',
    subgraphIndex: fb.scalarU32(t, S.subgraph_index, 0),
    inputs: fb.tables(t, S.inputs, 'inputs').map((m) => readTensorMap(fb, m)),
    outputs: fb.tables(t, S.outputs, 'outputs').map((m) => readTensorMap(fb, m)),
  };
}
