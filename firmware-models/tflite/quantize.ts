// Symmetric per-output-channel weight quantization (int8, and int4 packed two per byte, low
// nibble first as schema.fbs INT4 says) with a per-tensor error report. Activations stay float:
// the runtime quantizes them per run (dynamic range; XNNPACK's qd8 kernels).

export type WeightDtype = 'float32' | 'int8' | 'int4';

export interface QuantizedWeights {
  dtype: 'int8' | 'int4';
  /** Quantized values, one per element (int4 values in [-7, 7]). */
  values: Int8Array;
  /** Storage bytes: int8 as is, int4 packed two per byte. */
  bytes: Uint8Array;
  /** One scale per output channel (dimension 0). */
  scales: Float32Array;
}

export interface QuantizationReport {
  tensor: string;
  dtype: 'int8' | 'int4';
  elements: number;
  maxAbsError: number;
  rmsError: number;
  /** Signal-to-quantization-noise ratio in dB (Infinity when exact). */
  snrDb: number;
}

const LEVELS = { int8: 127, int4: 7 } as const;

/**
 * Quantizes a row-major [channels, rowLength] float matrix per row (output channel). `scales`, when
 * given, are used instead of each row's own max: a matrix cut from a wider one (some input columns
 * dropped) then holds exactly the integers the wider one holds in those columns.
 */
export function quantizePerChannel(w: Float32Array, channels: number, dtype: 'int8' | 'int4', scales0?: Float32Array): QuantizedWeights {
  if (w.length % channels !== 0) throw new Error(`quantize: ${w.length} weights do not split into ${channels} channels`);
  const rowLength = w.length / channels;
  const levels = LEVELS[dtype];
  const values = new Int8Array(w.length);
  if (scales0 !== undefined && scales0.length !== channels) throw new Error(`quantize: ${scales0.length} scales for ${channels} channels`);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const scale = scales0 !== undefined ? scales0[c]! : rowScale(w, c * rowLength, rowLength, levels);
    scales[c] = scale;
    for (let i = 0; i < rowLength; i++) {
      const q = Math.round((w[c * rowLength + i] as number) / scale);
      values[c * rowLength + i] = Math.max(-levels, Math.min(levels, q));
    }
  }
  const bytes = dtype === 'int8' ? new Uint8Array(values.buffer.slice(0)) : packInt4(values);
  return { dtype, values, bytes, scales };
}

/** The per-row scales quantizePerChannel would pick for a [channels, rowLength] matrix. */
export function channelScales(w: Float32Array, channels: number, dtype: 'int8' | 'int4'): Float32Array {
  const rowLength = w.length / channels;
  return Float32Array.from({ length: channels }, (_, c) => rowScale(w, c * rowLength, rowLength, LEVELS[dtype]));
}

/** A row's symmetric scale: max |w| over the levels; a zero row keeps 1 so dequantization never divides by zero. */
function rowScale(w: Float32Array, start: number, length: number, levels: number): number {
  let maxAbs = 0;
  for (let i = start; i < start + length; i++) maxAbs = Math.max(maxAbs, Math.abs(w[i] as number));
  return Math.fround(maxAbs === 0 ? 1 : maxAbs / levels);
}

/** Packs int4 values two per byte, element 2k in the low nibble (schema.fbs TensorType INT4). */
export function packInt4(values: Int8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) {
    const nibble = (values[i] as number) & 0x0f;
    out[i >> 1] = (out[i >> 1] as number) | (i % 2 === 0 ? nibble : nibble << 4);
  }
  return out;
}

/** Unpacks int4 (low nibble first) back to one signed value per element. */
export function unpackInt4(bytes: Uint8Array, count: number): Int8Array {
  const out = new Int8Array(count);
  for (let i = 0; i < count; i++) {
    const byte = bytes[i >> 1] as number;
    const nibble = i % 2 === 0 ? byte & 0x0f : byte >> 4;
    out[i] = nibble >= 8 ? nibble - 16 : nibble;
  }
  return out;
}

/** Float weights the runtime will actually use: values × per-channel scale. */
export function dequantize(q: QuantizedWeights): Float32Array {
  const rowLength = q.values.length / q.scales.length;
  const out = new Float32Array(q.values.length);
  for (let i = 0; i < out.length; i++) out[i] = (q.values[i] as number) * (q.scales[Math.floor(i / rowLength)] as number);
  return out;
}

export function quantizationReport(tensor: string, original: Float32Array, q: QuantizedWeights): QuantizationReport {
  const deq = dequantize(q);
  let maxAbs = 0;
  let errSq = 0;
  let sigSq = 0;
  for (let i = 0; i < original.length; i++) {
    const x = original[i] as number;
    const e = x - (deq[i] as number);
    maxAbs = Math.max(maxAbs, Math.abs(e));
    errSq += e * e;
    sigSq += x * x;
  }
  const n = Math.max(1, original.length);
  return {
    tensor, dtype: q.dtype, elements: original.length, maxAbsError: maxAbs, rmsError: Math.sqrt(errSq / n),
    snrDb: errSq === 0 ? Infinity : 10 * Math.log10(sigSq / errSq),
  };
}
