// The one error type that leaves src/runtime: every refusal (bad file, bad input, released model)
// carries a code a caller can switch on and a message naming the problem.

export type ModelErrorCode =
  | 'truncated' // the flatbuffer refers past the end of the bytes
  | 'identifier' // not a TFLite file ("TFL3")
  | 'buffer-offset' // a Buffer's external offset/size lies past the end of the file
  | 'format' // structurally invalid graph (bad index, missing field, unknown union)
  | 'unsupported-op' // an op the runtime has no kernel for
  | 'shape' // a tensor's shape disagrees with its data or with what the model expects
  | 'dtype' // an input of the wrong element type, or a type LiteRT.js cannot carry
  | 'signature' // an unknown signature or tensor name
  | 'compile' // LiteRT refused the model after validation passed
  | 'check' // a hot-swap candidate failed its acceptance check
  | 'released' // the model was released
  | 'runtime'; // LiteRT.js could not be loaded or failed while running

export class ModelError extends Error {
  constructor(message: string, readonly code: ModelErrorCode, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelError';
  }
}
