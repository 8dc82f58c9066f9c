// Builds TfliteModel graphs op by op: tensors, constants, per-channel quantized weights (shared
// between subgraphs), the op subset our models use with their output shapes, one SignatureDef per
// subgraph, and Wulf metadata. Serialising is writer.ts's job; checking is src/runtime's.

import {
  BuiltinOperator, SCHEMA_VERSION, TensorType, WULF_METADATA_NAME, builtinOptionsType,
  encodeModelMetadata, type BufferDef, type ModelMetadata, type OperatorCodeDef, type OptionValues,
  type QuantizationDef, type SubgraphDef, type TensorDef, type TfliteModel,
} from '../../src/runtime/index.js';
import { quantizePerChannel, quantizationReport, type QuantizationReport, type WeightDtype } from './quantize.js';
import { writeTflite } from './writer.js';

export interface TensorRef {
  readonly index: number;
  readonly shape: readonly number[];
  readonly type: number;
}

interface SharedWeight { buffer: number; type: number; shape: number[]; quantization: QuantizationDef | null }

const bytesOf = (a: Float32Array | Int32Array): Uint8Array => new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));

export class ModelBuilder {
  private readonly buffers: BufferDef[] = [{ data: new Uint8Array(0), offset: 0, size: 0 }];
  private readonly operatorCodes: OperatorCodeDef[] = [];
  private readonly graphs: GraphBuilder[] = [];
  private readonly weights = new Map<string, SharedWeight>();
  private metadata: ModelMetadata | null = null;
  readonly quantizationReports: QuantizationReport[] = [];

  constructor(private readonly description = 'written by wulf firmware-models/tflite') {}

  /** A new subgraph; it becomes the SignatureDef `key` unless `isSignature` is false (e.g. an init graph). */
  subgraph(key: string, isSignature = true): GraphBuilder {
    const g = new GraphBuilder(this, key, this.graphs.length, isSignature);
    this.graphs.push(g);
    return g;
  }

  setMetadata(meta: ModelMetadata): this { this.metadata = meta; return this; }

  addBuffer(data: Uint8Array): number {
    this.buffers.push({ data, offset: 0, size: 0 });
    return this.buffers.length - 1;
  }

  opcodeIndex(builtinCode: number, version = 1): number {
    const found = this.operatorCodes.findIndex((c) => c.builtinCode === builtinCode && c.version === version);
    if (found >= 0) return found;
    this.operatorCodes.push({ builtinCode, customCode: null, version });
    return this.operatorCodes.length - 1;
  }

  /** A weight stored once per model: later calls with the same name reuse the buffer. */
  sharedWeight(name: string, make: () => SharedWeight): SharedWeight {
    let w = this.weights.get(name);
    if (w === undefined) { w = make(); this.weights.set(name, w); }
    return w;
  }

  build(): TfliteModel {
    const buffers = [...this.buffers];
    const metadata = [];
    if (this.metadata !== null) {
      buffers.push({ data: encodeModelMetadata(this.metadata), offset: 0, size: 0 });
      metadata.push({ name: WULF_METADATA_NAME, buffer: buffers.length - 1 });
    }
    const subgraphs = this.graphs.map((g) => g.toSubgraph());
    const signed = subgraphs.map((sg, i) => ({ sg, i })).filter(({ i }) => this.graphs[i]?.isSignature === true);
    return {
      version: SCHEMA_VERSION,
      description: this.description,
      operatorCodes: [...this.operatorCodes],
      subgraphs,
      buffers,
      metadata,
      signatures: signed.map(({ sg, i }) => ({
        key: sg.name,
        subgraphIndex: i,
        inputs: sg.inputs.map((t) => ({ name: sg.tensors[t]?.name ?? '', tensorIndex: t })),
        outputs: sg.outputs.map((t) => ({ name: sg.tensors[t]?.name ?? '', tensorIndex: t })),
      })),
    };
  }

  toBytes(): Uint8Array { return writeTflite(this.build()); }
}

export class GraphBuilder {
  private readonly tensors: TensorDef[] = [];
  private readonly operators: SubgraphDef['operators'] = [];
  private readonly inputs: number[] = [];
  private readonly outputs: number[] = [];

  constructor(private readonly model: ModelBuilder, readonly key: string, readonly index: number, readonly isSignature: boolean) {}

  toSubgraph(): SubgraphDef {
    return { name: this.key, tensors: [...this.tensors], inputs: [...this.inputs], outputs: [...this.outputs], operators: [...this.operators] };
  }

  private tensor(name: string, shape: readonly number[], type: number, buffer = 0, quantization: QuantizationDef | null = null): TensorRef {
    this.tensors.push({ name, shape: [...shape], shapeSignature: null, type, buffer, quantization, isVariable: false, hasRank: true });
    return { index: this.tensors.length - 1, shape: [...shape], type };
  }

  input(name: string, shape: readonly number[], type: number = TensorType.FLOAT32): TensorRef {
    const t = this.tensor(name, shape, type);
    this.inputs.push(t.index);
    return t;
  }

  /** Marks `t` as an output named `name` (the tensor takes the name). */
  output(name: string, t: TensorRef): void {
    const def = this.tensors[t.index];
    if (def === undefined) throw new Error(`output ${name}: no tensor ${t.index}`);
    def.name = name;
    this.outputs.push(t.index);
  }

  constant(name: string, data: Float32Array | Int32Array, shape: readonly number[]): TensorRef {
    const type = data instanceof Int32Array ? TensorType.INT32 : TensorType.FLOAT32;
    return this.tensor(name, shape, type, this.model.addBuffer(bytesOf(data)));
  }

  /** A constant shared by every subgraph that names it (e.g. a weight used by prefill and decode). */
  sharedConstant(name: string, data: Float32Array, shape: readonly number[]): TensorRef {
    const w = this.model.sharedWeight(name, () => ({ buffer: this.model.addBuffer(bytesOf(data)), type: TensorType.FLOAT32, shape: [...shape], quantization: null }));
    return this.tensor(name, w.shape, w.type, w.buffer);
  }

  /**
   * A [out, in] weight matrix in float32 or per-output-channel int8/int4, shared by name. `scales`
   * fixes the per-channel scales (see quantizePerChannel) instead of taking each row's own.
   */
  weight(name: string, w: Float32Array, shape: readonly [number, number], dtype: WeightDtype, scales?: Float32Array): TensorRef {
    const shared = this.model.sharedWeight(name, () => {
      if (dtype === 'float32') return { buffer: this.model.addBuffer(bytesOf(w)), type: TensorType.FLOAT32, shape: [...shape], quantization: null };
      const q = quantizePerChannel(w, shape[0], dtype, scales);
      this.model.quantizationReports.push(quantizationReport(name, w, q));
      return {
        buffer: this.model.addBuffer(q.bytes),
        type: dtype === 'int8' ? TensorType.INT8 : TensorType.INT4,
        shape: [...shape],
        quantization: { scale: Array.from(q.scales), zeroPoint: new Array<number>(shape[0]).fill(0), quantizedDimension: 0, min: [], max: [] },
      };
    });
    return this.tensor(name, shared.shape, shared.type, shared.buffer, shared.quantization);
  }

  private op(code: string, inputs: readonly (TensorRef | null)[], outShape: readonly number[], optionsName: string | null, options: OptionValues = {}, outType: number = TensorType.FLOAT32): TensorRef {
    const out = this.tensor(`${this.key}/${code.toLowerCase()}_${this.operators.length}`, outShape, outType);
    this.pushOp(code, inputs, [out], optionsName, options);
    return out;
  }

  private pushOp(code: string, inputs: readonly (TensorRef | null)[], outputs: readonly TensorRef[], optionsName: string | null, options: OptionValues): void {
    const opCode = BuiltinOperator[code];
    if (opCode === undefined) throw new Error(`unknown op ${code}`);
    this.operators.push({
      opcodeIndex: this.model.opcodeIndex(opCode),
      inputs: inputs.map((t) => (t === null ? -1 : t.index)),
      outputs: outputs.map((t) => t.index),
      optionsType: optionsName === null ? 0 : builtinOptionsType(optionsName),
      options: optionsName === null ? {} : options,
    });
  }

  /** Runs subgraph `init` once per compiled model (before the first read of its variables). */
  callOnce(init: GraphBuilder): void { this.pushOp('CALL_ONCE', [], [], 'CallOnceOptions', { init_subgraph_index: init.index }); }

  /** A resource handle for the variable `sharedName` (one per compiled model, shared by its subgraphs). */
  varHandle(sharedName: string): TensorRef {
    return this.op('VAR_HANDLE', [], [], 'VarHandleOptions', { container: '', shared_name: sharedName }, TensorType.RESOURCE);
  }

  readVariable(handle: TensorRef, shape: readonly number[]): TensorRef { return this.op('READ_VARIABLE', [handle], shape, 'ReadVariableOptions'); }
  assignVariable(handle: TensorRef, value: TensorRef): void { this.pushOp('ASSIGN_VARIABLE', [handle, value], [], 'AssignVariableOptions', {}); }

  /** A float32 tensor of `shape` filled with `value` at run time (no constant data in the file). */
  fill(shape: readonly number[], value: number): TensorRef {
    const dims = this.constant(`${this.key}/fill_dims_${this.operators.length}`, Int32Array.from(shape), [shape.length]);
    return this.op('FILL', [dims, this.constant(`${this.key}/fill_value_${this.operators.length}`, Float32Array.of(value), [])], shape, 'FillOptions');
  }

  fullyConnected(x: TensorRef, w: TensorRef, bias: TensorRef | null = null, keepNumDims = true): TensorRef {
    const [units, depth] = w.shape as [number, number];
    if (x.shape[x.shape.length - 1] !== depth) throw new Error(`fullyConnected: input [${x.shape.join(',')}] vs weights [${w.shape.join(',')}]`);
    const outShape = keepNumDims ? [...x.shape.slice(0, -1), units] : [x.shape.reduce((a, d) => a * d, 1) / depth, units];
    return this.op('FULLY_CONNECTED', [x, w, bias], outShape, 'FullyConnectedOptions', {
      fused_activation_function: 0, weights_format: 0, keep_num_dims: keepNumDims, asymmetric_quantize_inputs: false, quantized_bias_type: 0,
    });
  }

  private binary(code: string, optionsName: string | null, a: TensorRef, b: TensorRef, options: OptionValues = {}): TensorRef {
    return this.op(code, [a, b], broadcastShape(a.shape, b.shape), optionsName, options, a.type);
  }

  add(a: TensorRef, b: TensorRef): TensorRef { return this.binary('ADD', 'AddOptions', a, b, { fused_activation_function: 0, pot_scale_int16: true }); }
  sub(a: TensorRef, b: TensorRef): TensorRef { return this.binary('SUB', 'SubOptions', a, b, { fused_activation_function: 0, pot_scale_int16: true }); }
  mul(a: TensorRef, b: TensorRef): TensorRef { return this.binary('MUL', 'MulOptions', a, b, { fused_activation_function: 0 }); }
  div(a: TensorRef, b: TensorRef): TensorRef { return this.binary('DIV', 'DivOptions', a, b, { fused_activation_function: 0 }); }
  squaredDifference(a: TensorRef, b: TensorRef): TensorRef { return this.binary('SQUARED_DIFFERENCE', 'SquaredDifferenceOptions', a, b); }

  rsqrt(x: TensorRef): TensorRef { return this.op('RSQRT', [x], x.shape, null); }
  logistic(x: TensorRef): TensorRef { return this.op('LOGISTIC', [x], x.shape, null); }
  tanh(x: TensorRef): TensorRef { return this.op('TANH', [x], x.shape, null); }
  exp(x: TensorRef): TensorRef { return this.op('EXP', [x], x.shape, 'ExpOptions'); }
  gelu(x: TensorRef, approximate = false): TensorRef { return this.op('GELU', [x], x.shape, 'GeluOptions', { approximate }); }
  softmax(x: TensorRef, beta = 1): TensorRef { return this.op('SOFTMAX', [x], x.shape, 'SoftmaxOptions', { beta }); }

  private reduce(code: string, x: TensorRef, axes: readonly number[], keepDims: boolean): TensorRef {
    const rank = x.shape.length;
    const norm = axes.map((a) => (a < 0 ? a + rank : a));
    const outShape = keepDims ? x.shape.map((d, i) => (norm.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !norm.includes(i));
    const axesT = this.constant(`${this.key}/axes_${this.operators.length}`, Int32Array.from(axes), [axes.length]);
    return this.op(code, [x, axesT], outShape, 'ReducerOptions', { keep_dims: keepDims });
  }

  mean(x: TensorRef, axes: readonly number[], keepDims = true): TensorRef { return this.reduce('MEAN', x, axes, keepDims); }
  sum(x: TensorRef, axes: readonly number[], keepDims = true): TensorRef { return this.reduce('SUM', x, axes, keepDims); }

  reshape(x: TensorRef, shape: readonly number[]): TensorRef {
    const shapeT = this.constant(`${this.key}/shape_${this.operators.length}`, Int32Array.from(shape), [shape.length]);
    return this.op('RESHAPE', [x, shapeT], shape, 'ReshapeOptions', { new_shape: [...shape] }, x.type);
  }

  transpose(x: TensorRef, perm: readonly number[]): TensorRef {
    const permT = this.constant(`${this.key}/perm_${this.operators.length}`, Int32Array.from(perm), [perm.length]);
    return this.op('TRANSPOSE', [x, permT], perm.map((p) => x.shape[p] as number), 'TransposeOptions', {}, x.type);
  }

  concat(xs: readonly TensorRef[], axis: number): TensorRef {
    const first = xs[0];
    if (first === undefined) throw new Error('concat: no inputs');
    const a = axis < 0 ? axis + first.shape.length : axis;
    const outShape = first.shape.map((d, i) => (i === a ? xs.reduce((s, t) => s + (t.shape[i] as number), 0) : d));
    return this.op('CONCATENATION', xs, outShape, 'ConcatenationOptions', { axis, fused_activation_function: 0 }, first.type);
  }

  gather(params: TensorRef, indices: TensorRef, axis = 0): TensorRef {
    const a = axis < 0 ? axis + params.shape.length : axis;
    const outShape = [...params.shape.slice(0, a), ...indices.shape, ...params.shape.slice(a + 1)];
    return this.op('GATHER', [params, indices], outShape, 'GatherOptions', { axis, batch_dims: 0 }, params.type);
  }

  slice(x: TensorRef, begin: readonly number[], size: readonly number[]): TensorRef {
    const b = this.constant(`${this.key}/begin_${this.operators.length}`, Int32Array.from(begin), [begin.length]);
    const s = this.constant(`${this.key}/size_${this.operators.length}`, Int32Array.from(size), [size.length]);
    return this.op('SLICE', [x, b, s], size.map((d, i) => (d === -1 ? (x.shape[i] as number) - (begin[i] as number) : d)), 'SliceOptions', {}, x.type);
  }

  /** STRIDED_SLICE with positive strides and explicit begin/end (no masks). */
  stridedSlice(x: TensorRef, begin: readonly number[], end: readonly number[], strides: readonly number[]): TensorRef {
    const n = this.operators.length;
    const outShape = begin.map((b, i) => Math.max(0, Math.ceil(((end[i] as number) - b) / (strides[i] as number))));
    return this.op('STRIDED_SLICE', [
      x,
      this.constant(`${this.key}/ss_begin_${n}`, Int32Array.from(begin), [begin.length]),
      this.constant(`${this.key}/ss_end_${n}`, Int32Array.from(end), [end.length]),
      this.constant(`${this.key}/ss_strides_${n}`, Int32Array.from(strides), [strides.length]),
    ], outShape, 'StridedSliceOptions', { begin_mask: 0, end_mask: 0, ellipsis_mask: 0, new_axis_mask: 0, shrink_axis_mask: 0, offset: false }, x.type);
  }

  /** Writes `update` into `operand` at `start` (an int32 tensor, one index per dimension). */
  dynamicUpdateSlice(operand: TensorRef, update: TensorRef, start: TensorRef): TensorRef {
    return this.op('DYNAMIC_UPDATE_SLICE', [operand, update, start], operand.shape, 'DynamicUpdateSliceOptions', {}, operand.type);
  }

  batchMatmul(a: TensorRef, b: TensorRef, adjX = false, adjY = false): TensorRef {
    const ra = a.shape.length;
    const rb = b.shape.length;
    const m = adjX ? a.shape[ra - 1] : a.shape[ra - 2];
    const n = adjY ? b.shape[rb - 2] : b.shape[rb - 1];
    const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.op('BATCH_MATMUL', [a, b], [...batch, m as number, n as number], 'BatchMatMulOptions', { adj_x: adjX, adj_y: adjY, asymmetric_quantize_inputs: false });
  }
}

/** NumPy-style broadcast of two shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a.join(',')}] with [${b.join(',')}]`);
    out.push(Math.max(da, db));
  }
  return out;
}
