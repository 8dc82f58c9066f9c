// Public API of the NLU boundary: the hashing projection and slot resolution (the model lands with #5).
export { project, modelInputs, tokenize, tokenBuckets, defaultProjection, PROJECTION_VERSION, type ProjectionConfig, type Token } from './projection.js';
export { resolveDevices, foldName, type EntitySlots, type Resolution } from './resolve.js';
export { readDataset, readJsonl, readJointBert, DatasetError, type Example } from './dataset.js';
export { decodeBio, evaluate, spansFromBio, type EvalReport, type Prediction, type SlotSpan } from './metrics.js';

/** One parsed utterance: what the NLU model returns. */
export interface Understanding {
  intent: string;
  confidence: number;
  slots: Array<{ name: string; value: string; raw: string; start: number; end: number }>;
  /** Entropy (nats) of the intent distribution. */
  entropy?: number;
  embedding?: number[];
}

export interface Understander {
  understand(text: string, lang: 'en' | 'fr'): Promise<Understanding>;
  readonly version: string;
}
export { NeuroLiteModel, NluModelError, UNKNOWN_INTENT } from './model.js';
export { evaluateModel, type EvalResult } from './evaluate.js';
