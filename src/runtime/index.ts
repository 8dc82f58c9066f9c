// Public API of src/runtime: LiteRT.js loading, compiled models, hot swap, the .tflite reader and
// schema numbers (shared with the writer in firmware-models/tflite), and model inspection.

export { ModelError, type ModelErrorCode } from './errors.js';
export { loadLiteRtRuntime, liteRtWasmDir, threadsSupported, type LiteRtOptions, type LiteRtRuntime } from './litert-loader.js';
export { Model, type SignatureInfo, type TensorData, type TensorInfo, type TensorQuantization, type TensorRecord } from './model.js';
export { readTflite } from './tflite-reader.js';
export { validateTflite } from './tflite-validate.js';
export * from './tflite-schema.js';
export type * from './tflite-graph.js';
export { WULF_METADATA_NAME, decodeModelMetadata, encodeModelMetadata, type ModelMetadata } from './model-metadata.js';
export { ModelSlot, type ModelCheck } from './model-slot.js';
export { formatModelReport, inspectModel, type ModelReport, type OperatorReport, type SubgraphReport, type TensorReport } from './inspect.js';
