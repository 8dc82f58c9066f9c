// A compiled model: validated .tflite bytes compiled by LiteRT.js, its named signatures with their
// input/output tensors, run() with typed arrays in and out, and release() once no run is in flight.
// It does not swap models (model-slot.ts) and does not parse flatbuffers itself (tflite-reader.ts).

import { readFile } from 'node:fs/promises';
import { Tensor, type CompiledModel } from '@litertjs/core';
import { ModelError } from './errors.js';
import type { LiteRtRuntime } from './litert-loader.js';
import { readTflite } from './tflite-reader.js';
import { TENSOR_TYPE_NAMES, TensorType } from './tflite-schema.js';
import type { TfliteModel } from './tflite-graph.js';
import { validateTflite } from './tflite-validate.js';

export type TensorData = Float32Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Uint8Array<ArrayBuffer> | Int8Array<ArrayBuffer>;
export type TensorRecord = Record<string, TensorData>;

export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: string;
  /**
   * Per-tensor quantization read from the flatbuffer (real = scale × (q − zeroPoint)); null when the
   * tensor has none or is quantized per axis. LiteRT.js does not report it, so it comes from the file.
   */
  readonly quantization: TensorQuantization | null;
}

export interface TensorQuantization {
  readonly scale: number;
  readonly zeroPoint: number;
}

export interface SignatureInfo {
  readonly key: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
}

/**
 * Element types LiteRT.js 2.5.3 can pass in or out. Its JS type table lacks int8, int16, int64…; int8
 * comes from patches/@litertjs+core+2.5.3.patch, applied by `npm ci` (postinstall, patch-package).
 */
const IO_TYPES: ReadonlyMap<number, { ctor: new (n: number) => TensorData; name: string }> = new Map([
  [TensorType.FLOAT32, { ctor: Float32Array, name: 'float32' }],
  [TensorType.INT32, { ctor: Int32Array, name: 'int32' }],
  [TensorType.UINT8, { ctor: Uint8Array, name: 'uint8' }],
  [TensorType.INT8, { ctor: Int8Array, name: 'int8' }],
]);

/** The key LiteRT.js gives a model that has no SignatureDefs. */
const DEFAULT_SIGNATURE = 'serving_default';

export class Model {
  private inFlight = 0;
  private releaseRequested = false;
  private released = false;
  private drained: (() => void) | undefined;

  private constructor(
    private readonly compiled: CompiledModel,
    readonly graph: TfliteModel,
    readonly signatures: readonly SignatureInfo[],
    readonly sizeBytes: number,
  ) {}

  /** Validates and compiles .tflite bytes; throws ModelError naming the problem. */
  static async fromBytes(runtime: LiteRtRuntime, bytes: Uint8Array): Promise<Model> {
    const graph = readTflite(bytes);
    validateTflite(graph, bytes.length);
    const signatures = describeSignatures(graph);
    let compiled: CompiledModel;
    try {
      compiled = await runtime.liteRt.loadAndCompile(bytes, { accelerator: 'wasm', cpuOptions: { numThreads: runtime.threads } });
    } catch (err) {
      if (err instanceof Error && /Element type INT8 is not supported/.test(err.message)) {
        throw new ModelError('LiteRT.js lacks int8 tensors: patches/@litertjs+core+2.5.3.patch is not applied to node_modules (run `npm ci`, whose postinstall applies it)', 'dtype', { cause: err });
      }
      throw new ModelError(`LiteRT refused the model: ${err instanceof Error ? err.message : String(err)}`, 'compile', { cause: err });
    }
    return new Model(compiled, graph, signatures, bytes.length);
  }

  static async fromFile(runtime: LiteRtRuntime, file: string): Promise<Model> {
    return Model.fromBytes(runtime, new Uint8Array(await readFile(file)));
  }

  get isReleased(): boolean { return this.releaseRequested; }

  signature(key?: string): SignatureInfo {
    const sig = key === undefined ? this.signatures[0] : this.signatures.find((s) => s.key === key);
    if (sig === undefined) {
      throw new ModelError(`unknown signature ${JSON.stringify(key)} (model has ${this.signatures.map((s) => s.key).join(', ')})`, 'signature');
    }
    return sig;
  }

  /** Runs one signature (the first when none is named); inputs and outputs by tensor name. */
  async run(inputs: TensorRecord, signatureKey?: string): Promise<TensorRecord> {
    if (this.releaseRequested) throw new ModelError('model was released', 'released');
    const sig = this.signature(signatureKey);
    this.inFlight++;
    const tensors: Record<string, Tensor> = {};
    try {
      for (const info of sig.inputs) tensors[info.name] = toTensor(info, inputs[info.name]);
      for (const name of Object.keys(inputs)) {
        if (!sig.inputs.some((i) => i.name === name)) throw new ModelError(`signature "${sig.key}" has no input "${name}"`, 'signature');
      }
      const outputs = sig.key === DEFAULT_SIGNATURE && this.graph.signatures.length === 0
        ? await this.compiled.run(tensors)
        : await this.compiled.run(sig.key, tensors);
      const result: TensorRecord = {};
      for (const [name, tensor] of Object.entries(outputs)) {
        // toTypedArray() copies out of the wasm heap with slice(), so the buffer is never shared.
        try { result[name] = tensor.toTypedArray() as TensorData; } finally { tensor.delete(); }
      }
      return result;
    } finally {
      for (const t of Object.values(tensors)) t.delete();
      this.inFlight--;
      if (this.inFlight === 0 && this.releaseRequested) this.finishRelease();
    }
  }

  /** Frees the compiled model now, or after the last run in flight; resolves once freed. */
  release(): Promise<void> {
    this.releaseRequested = true;
    if (this.released) return Promise.resolve();
    if (this.inFlight === 0) { this.finishRelease(); return Promise.resolve(); }
    return new Promise((resolve) => {
      const previous = this.drained;
      this.drained = () => { previous?.(); resolve(); };
    });
  }

  private finishRelease(): void {
    if (this.released) return;
    this.released = true;
    this.compiled.delete();
    this.drained?.();
    this.drained = undefined;
  }
}

function toTensor(info: TensorInfo, data: TensorData | undefined): Tensor {
  if (data === undefined) throw new ModelError(`missing input "${info.name}"`, 'signature');
  const elements = info.shape.reduce((a, d) => a * d, 1);
  const expectedCtor = [...IO_TYPES.values()].find((t) => t.name === info.dtype)?.ctor;
  if (expectedCtor === undefined || !(data instanceof expectedCtor)) {
    throw new ModelError(`input "${info.name}" must be ${info.dtype} (got ${data.constructor.name})`, 'dtype');
  }
  if (data.length !== elements) {
    throw new ModelError(`input "${info.name}" has ${data.length} elements, shape [${info.shape.join(', ')}] needs ${elements}`, 'shape');
  }
  return new Tensor(data, [...info.shape]);
}

/** Signatures as the file declares them, or one default signature over subgraph 0. */
function describeSignatures(graph: TfliteModel): SignatureInfo[] {
  const info = (subgraph: number, index: number, alias: string): TensorInfo => {
    const t = graph.subgraphs[subgraph]?.tensors[index];
    if (t === undefined) throw new ModelError(`tensor ${index} of subgraph ${subgraph} does not exist`, 'format');
    const io = IO_TYPES.get(t.type);
    if (io === undefined) {
      throw new ModelError(`tensor "${alias}" is ${TENSOR_TYPE_NAMES[t.type] ?? t.type}; LiteRT.js 2.5.3 only passes float32, int32, uint8 and int8 in and out`, 'dtype');
    }
    const q = t.quantization;
    const quantization = q !== null && q.scale.length === 1 ? { scale: q.scale[0] ?? 0, zeroPoint: q.zeroPoint[0] ?? 0 } : null;
    return { name: alias, shape: t.shape, dtype: io.name, quantization };
  };
  if (graph.signatures.length === 0) {
    const sg = graph.subgraphs[0];
    if (sg === undefined) throw new ModelError('model has no subgraphs', 'format');
    return [{
      key: DEFAULT_SIGNATURE,
      inputs: sg.inputs.map((i) => info(0, i, sg.tensors[i]?.name ?? `input_${i}`)),
      outputs: sg.outputs.map((i) => info(0, i, sg.tensors[i]?.name ?? `output_${i}`)),
    }];
  }
  return graph.signatures.map((s) => ({
    key: s.key,
    inputs: s.inputs.map((m) => info(s.subgraphIndex, m.tensorIndex, m.name)),
    outputs: s.outputs.map((m) => info(s.subgraphIndex, m.tensorIndex, m.name)),
  }));
}
