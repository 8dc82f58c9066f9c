// The Wulf metadata entry of a .tflite file: one Metadata record named "wulf.metadata" whose buffer
// holds UTF-8 JSON {format, name, version, labels, data}. Defined once here; the writer imports it.

import { ModelError } from './errors.js';
import type { TfliteModel } from './tflite-graph.js';

export const WULF_METADATA_NAME = 'wulf.metadata';
export const WULF_METADATA_FORMAT = 1;

export interface ModelMetadata {
  name: string;
  version: string;
  labels: string[];
  /** Free-form JSON (training config, tokenizer facts, golden cases…). */
  data: unknown;
}

export function encodeModelMetadata(meta: ModelMetadata): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ format: WULF_METADATA_FORMAT, ...meta }));
}

/** The Wulf metadata of a model, or null when the file has none. */
export function decodeModelMetadata(model: TfliteModel): ModelMetadata | null {
  const entry = model.metadata.find((m) => m.name === WULF_METADATA_NAME);
  if (entry === undefined) return null;
  const bytes = model.buffers[entry.buffer]?.data ?? new Uint8Array(0);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ModelError(`${WULF_METADATA_NAME}: not valid JSON (${String(err)})`, 'format');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new ModelError(`${WULF_METADATA_NAME}: not a JSON object`, 'format');
  const o = parsed as Record<string, unknown>;
  const labels = Array.isArray(o['labels']) ? o['labels'].filter((l): l is string => typeof l === 'string') : [];
  return {
    name: typeof o['name'] === 'string' ? o['name'] : '',
    version: typeof o['version'] === 'string' ? o['version'] : '',
    labels,
    data: o['data'] ?? null,
  };
}
