// `inspectModel`: what a .tflite holds (signatures, ops, tensors with shapes, dtypes and
// quantization, metadata, constant bytes by dtype) as plain data, and a text rendering of it.
// It reads and validates; it never compiles or runs the model.

import { decodeModelMetadata, type ModelMetadata } from './model-metadata.js';
import { readTflite } from './tflite-reader.js';
import { TENSOR_TYPE_NAMES, builtinOperatorName, builtinOptionsName } from './tflite-schema.js';
import type { OptionValues, TfliteModel } from './tflite-graph.js';
import { validateTflite } from './tflite-validate.js';

export interface TensorReport {
  index: number;
  name: string;
  shape: number[];
  dtype: string;
  /** Bytes of constant data (0 for activations and inputs). */
  constantBytes: number;
  isVariable: boolean;
  quantization: { scales: number; minScale: number; maxScale: number; zeroPoints: number[]; quantizedDimension: number } | null;
}

export interface OperatorReport { index: number; op: string; version: number; inputs: number[]; outputs: number[]; optionsType: string; options: OptionValues | null }

export interface SubgraphReport { name: string; inputs: number[]; outputs: number[]; tensors: TensorReport[]; operators: OperatorReport[] }

export interface ModelReport {
  sizeBytes: number;
  schemaVersion: number;
  description: string;
  signatures: { key: string; subgraph: number; inputs: { name: string; shape: number[]; dtype: string }[]; outputs: { name: string; shape: number[]; dtype: string }[] }[];
  /** Operator counts by op name over all subgraphs. */
  opCounts: Record<string, number>;
  subgraphs: SubgraphReport[];
  metadata: ModelMetadata | null;
  metadataEntries: { name: string; bytes: number }[];
  /** Constant bytes by dtype, each buffer counted once even when subgraphs share it. */
  sizeByDtype: Record<string, number>;
}

const dtypeName = (type: number): string => TENSOR_TYPE_NAMES[type] ?? `type_${type}`;

/** Reads, validates and describes .tflite bytes; throws ModelError on a bad file. */
export function inspectModel(bytes: Uint8Array): ModelReport {
  const model = readTflite(bytes);
  validateTflite(model, bytes.length);
  return describe(model, bytes.length);
}

function describe(model: TfliteModel, sizeBytes: number): ModelReport {
  const opCounts: Record<string, number> = {};
  const sizeByDtype: Record<string, number> = {};
  const counted = new Set<number>();
  const subgraphs = model.subgraphs.map((sg): SubgraphReport => ({
    name: sg.name,
    inputs: sg.inputs,
    outputs: sg.outputs,
    tensors: sg.tensors.map((t, index): TensorReport => {
      const buffer = model.buffers[t.buffer];
      const constantBytes = t.buffer === 0 ? 0 : (buffer?.data.length || buffer?.size || 0);
      if (constantBytes > 0 && !counted.has(t.buffer)) {
        counted.add(t.buffer);
        sizeByDtype[dtypeName(t.type)] = (sizeByDtype[dtypeName(t.type)] ?? 0) + constantBytes;
      }
      const q = t.quantization;
      return {
        index, name: t.name, shape: t.shape, dtype: dtypeName(t.type), constantBytes, isVariable: t.isVariable,
        quantization: q === null || q.scale.length === 0 ? null : {
          scales: q.scale.length, minScale: Math.min(...q.scale), maxScale: Math.max(...q.scale),
          zeroPoints: [...new Set(q.zeroPoint)], quantizedDimension: q.quantizedDimension,
        },
      };
    }),
    operators: sg.operators.map((op, index): OperatorReport => {
      const code = model.operatorCodes[op.opcodeIndex];
      const name = code === undefined ? '?' : code.builtinCode === 32 ? `CUSTOM(${code.customCode ?? ''})` : builtinOperatorName(code.builtinCode);
      opCounts[name] = (opCounts[name] ?? 0) + 1;
      return { index, op: name, version: code?.version ?? 0, inputs: op.inputs, outputs: op.outputs, optionsType: builtinOptionsName(op.optionsType), options: op.options };
    }),
  }));
  const io = (sgIndex: number, tensorIndex: number, name: string): { name: string; shape: number[]; dtype: string } => {
    const t = model.subgraphs[sgIndex]?.tensors[tensorIndex];
    return { name, shape: t?.shape ?? [], dtype: t === undefined ? '?' : dtypeName(t.type) };
  };
  return {
    sizeBytes,
    schemaVersion: model.version,
    description: model.description,
    signatures: model.signatures.map((s) => ({
      key: s.key, subgraph: s.subgraphIndex,
      inputs: s.inputs.map((m) => io(s.subgraphIndex, m.tensorIndex, m.name)),
      outputs: s.outputs.map((m) => io(s.subgraphIndex, m.tensorIndex, m.name)),
    })),
    opCounts,
    subgraphs,
    metadata: decodeModelMetadata(model),
    metadataEntries: model.metadata.map((m) => ({ name: m.name, bytes: model.buffers[m.buffer]?.data.length ?? 0 })),
    sizeByDtype,
  };
}

const fmtShape = (s: readonly number[]): string => `[${s.join(', ')}]`;
const fmtBytes = (n: number): string => (n >= 2 ** 20 ? `${(n / 2 ** 20).toFixed(2)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** Human-readable rendering of a ModelReport. */
export function formatModelReport(r: ModelReport): string {
  const lines: string[] = [];
  lines.push(`size: ${fmtBytes(r.sizeBytes)} (${r.sizeBytes} bytes), schema v${r.schemaVersion}${r.description ? `, "${r.description}"` : ''}`);
  if (r.metadata !== null) {
    lines.push(`metadata: ${r.metadata.name} ${r.metadata.version}${r.metadata.labels.length > 0 ? `, ${r.metadata.labels.length} labels: ${r.metadata.labels.join(', ')}` : ''}`);
    if (r.metadata.data !== null) lines.push(`  data: ${JSON.stringify(r.metadata.data)}`);
  }
  for (const m of r.metadataEntries) lines.push(`metadata entry: ${m.name} (${fmtBytes(m.bytes)})`);
  lines.push('constant bytes by dtype:');
  for (const [dtype, bytes] of Object.entries(r.sizeByDtype)) lines.push(`  ${dtype.padEnd(8)} ${fmtBytes(bytes)}`);
  lines.push(`ops: ${Object.entries(r.opCounts).map(([op, n]) => `${op}×${n}`).join(', ')}`);
  for (const s of r.signatures) {
    lines.push(`signature "${s.key}" (subgraph ${s.subgraph})`);
    for (const i of s.inputs) lines.push(`  in  ${i.name}: ${i.dtype} ${fmtShape(i.shape)}`);
    for (const o of s.outputs) lines.push(`  out ${o.name}: ${o.dtype} ${fmtShape(o.shape)}`);
  }
  r.subgraphs.forEach((sg, si) => {
    lines.push(`subgraph ${si} "${sg.name}": ${sg.tensors.length} tensors, ${sg.operators.length} operators`);
    for (const op of sg.operators) lines.push(`  #${op.index} ${op.op} (${op.inputs.join(', ')}) -> (${op.outputs.join(', ')})${op.options !== null && Object.keys(op.options).length > 0 ? ` ${JSON.stringify(op.options)}` : ''}`);
    for (const t of sg.tensors) {
      const q = t.quantization === null ? '' : ` q: ${t.quantization.scales} scale(s) ${t.quantization.minScale.toPrecision(3)}..${t.quantization.maxScale.toPrecision(3)} axis ${t.quantization.quantizedDimension} zp ${t.quantization.zeroPoints.join('/')}`;
      lines.push(`  t${t.index} ${t.name}: ${t.dtype} ${fmtShape(t.shape)}${t.constantBytes > 0 ? ` const ${fmtBytes(t.constantBytes)}` : ''}${q}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
