// The in-memory form of a .tflite model that the reader produces and the writer consumes: plain
// data, one field per schema field we support. No parsing or serialising lives here.

export type OptionValue = number | boolean | string | number[];
export type OptionValues = Record<string, OptionValue>;

export interface OperatorCodeDef {
  builtinCode: number;
  customCode: string | null;
  version: number;
}

export interface QuantizationDef {
  scale: number[];
  zeroPoint: number[];
  quantizedDimension: number;
  min: number[];
  max: number[];
}

export interface TensorDef {
  name: string;
  shape: number[];
  /** Shape with -1 for dynamic dimensions; null when the file has none. */
  shapeSignature: number[] | null;
  type: number;
  /** Index into TfliteModel.buffers; 0 is the empty sentinel (no constant data). */
  buffer: number;
  quantization: QuantizationDef | null;
  isVariable: boolean;
  hasRank: boolean;
}

export interface OperatorDef {
  opcodeIndex: number;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** BuiltinOptions union type code (0: none). */
  optionsType: number;
  /** Decoded option fields (defaults filled in); null when the option table is not one we decode. */
  options: OptionValues | null;
}

export interface SubgraphDef {
  name: string;
  tensors: TensorDef[];
  inputs: number[];
  outputs: number[];
  operators: OperatorDef[];
}

export interface BufferDef {
  /** Inline data (may be empty). A view into the file bytes when read. */
  data: Uint8Array;
  /** Offset/size of data stored outside the flatbuffer (models over 2 GB); 0 when inline. */
  offset: number;
  size: number;
}

export interface MetadataDef {
  name: string;
  buffer: number;
}

export interface TensorMapDef {
  name: string;
  tensorIndex: number;
}

export interface SignatureDefDef {
  key: string;
  subgraphIndex: number;
  inputs: TensorMapDef[];
  outputs: TensorMapDef[];
}

export interface TfliteModel {
  version: number;
  description: string;
  operatorCodes: OperatorCodeDef[];
  subgraphs: SubgraphDef[];
  buffers: BufferDef[];
  metadata: MetadataDef[];
  signatures: SignatureDefDef[];
}
