// Numbers of the TFLite flatbuffer schema (LiteRT `schema.fbs`, file identifier "TFL3") that the
// reader and the writer share: enums, table field slots and builtin-option layouts. Written from the
// public schema; holds no logic. The writer (firmware-models/tflite) imports these, never the reverse.

export const FILE_IDENTIFIER = 'TFL3';
export const SCHEMA_VERSION = 3;

/** TensorType enum (schema.fbs `enum TensorType : byte`). */
export const TensorType = {
  FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, STRING: 5, BOOL: 6, INT16: 7,
  COMPLEX64: 8, INT8: 9, FLOAT64: 10, COMPLEX128: 11, UINT64: 12, RESOURCE: 13, VARIANT: 14,
  UINT32: 15, UINT16: 16, INT4: 17, BFLOAT16: 18, INT2: 19, UINT4: 20, FLOAT8_E4M3FN: 21,
  FLOAT8_E5M2: 22,
} as const;
export type TensorTypeCode = (typeof TensorType)[keyof typeof TensorType];

/** Lower-case dtype names indexed by TensorType code. */
export const TENSOR_TYPE_NAMES: readonly string[] = Object.entries(TensorType)
  .sort((a, b) => a[1] - b[1])
  .map(([name]) => name.toLowerCase());

/** Storage bits per element, by TensorType code (0: not a fixed-size type). */
export const TENSOR_TYPE_BITS: readonly number[] = [
  32, 16, 32, 8, 64, 0, 8, 16, 64, 8, 64, 128, 64, 0, 0, 32, 16, 4, 16, 2, 4, 8, 8,
];

/** Bytes a dense tensor of this type and element count occupies (sub-byte types packed, rounded up). */
export function tensorByteSize(type: number, elementCount: number): number | null {
  const bits = TENSOR_TYPE_BITS[type];
  if (bits === undefined || bits === 0) return null;
  return Math.ceil((elementCount * bits) / 8);
}

/**
 * BuiltinOperator enum, index = code (schema.fbs `enum BuiltinOperator : int32`), up to the last
 * code with TFLite runtime kernels (161); the STABLEHLO_* codes after it are named by number.
 */
export const BUILTIN_OPERATOR_NAMES: readonly string[] = [
  'ADD', 'AVERAGE_POOL_2D', 'CONCATENATION', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'DEPTH_TO_SPACE',
  'DEQUANTIZE', 'EMBEDDING_LOOKUP', 'FLOOR', 'FULLY_CONNECTED', 'HASHTABLE_LOOKUP',
  'L2_NORMALIZATION', 'L2_POOL_2D', 'LOCAL_RESPONSE_NORMALIZATION', 'LOGISTIC', 'LSH_PROJECTION',
  'LSTM', 'MAX_POOL_2D', 'MUL', 'RELU', 'RELU_N1_TO_1', 'RELU6', 'RESHAPE', 'RESIZE_BILINEAR', 'RNN',
  'SOFTMAX', 'SPACE_TO_DEPTH', 'SVDF', 'TANH', 'CONCAT_EMBEDDINGS', 'SKIP_GRAM', 'CALL', 'CUSTOM',
  'EMBEDDING_LOOKUP_SPARSE', 'PAD', 'UNIDIRECTIONAL_SEQUENCE_RNN', 'GATHER', 'BATCH_TO_SPACE_ND',
  'SPACE_TO_BATCH_ND', 'TRANSPOSE', 'MEAN', 'SUB', 'DIV', 'SQUEEZE', 'UNIDIRECTIONAL_SEQUENCE_LSTM',
  'STRIDED_SLICE', 'BIDIRECTIONAL_SEQUENCE_RNN', 'EXP', 'TOPK_V2', 'SPLIT', 'LOG_SOFTMAX', 'DELEGATE',
  'BIDIRECTIONAL_SEQUENCE_LSTM', 'CAST', 'PRELU', 'MAXIMUM', 'ARG_MAX', 'MINIMUM', 'LESS', 'NEG',
  'PADV2', 'GREATER', 'GREATER_EQUAL', 'LESS_EQUAL', 'SELECT', 'SLICE', 'SIN', 'TRANSPOSE_CONV',
  'SPARSE_TO_DENSE', 'TILE', 'EXPAND_DIMS', 'EQUAL', 'NOT_EQUAL', 'LOG', 'SUM', 'SQRT', 'RSQRT',
  'SHAPE', 'POW', 'ARG_MIN', 'FAKE_QUANT', 'REDUCE_PROD', 'REDUCE_MAX', 'PACK', 'LOGICAL_OR',
  'ONE_HOT', 'LOGICAL_AND', 'LOGICAL_NOT', 'UNPACK', 'REDUCE_MIN', 'FLOOR_DIV', 'REDUCE_ANY',
  'SQUARE', 'ZEROS_LIKE', 'FILL', 'FLOOR_MOD', 'RANGE', 'RESIZE_NEAREST_NEIGHBOR', 'LEAKY_RELU',
  'SQUARED_DIFFERENCE', 'MIRROR_PAD', 'ABS', 'SPLIT_V', 'UNIQUE', 'CEIL', 'REVERSE_V2', 'ADD_N',
  'GATHER_ND', 'COS', 'WHERE', 'RANK', 'ELU', 'REVERSE_SEQUENCE', 'MATRIX_DIAG', 'QUANTIZE',
  'MATRIX_SET_DIAG', 'ROUND', 'HARD_SWISH', 'IF', 'WHILE', 'NON_MAX_SUPPRESSION_V4',
  'NON_MAX_SUPPRESSION_V5', 'SCATTER_ND', 'SELECT_V2', 'DENSIFY', 'SEGMENT_SUM', 'BATCH_MATMUL',
  'PLACEHOLDER_FOR_GREATER_OP_CODES', 'CUMSUM', 'CALL_ONCE', 'BROADCAST_TO', 'RFFT2D', 'CONV_3D',
  'IMAG', 'REAL', 'COMPLEX_ABS', 'HASHTABLE', 'HASHTABLE_FIND', 'HASHTABLE_IMPORT',
  'HASHTABLE_SIZE', 'REDUCE_ALL', 'CONV_3D_TRANSPOSE', 'VAR_HANDLE', 'READ_VARIABLE',
  'ASSIGN_VARIABLE', 'BROADCAST_ARGS', 'RANDOM_STANDARD_NORMAL', 'BUCKETIZE', 'RANDOM_UNIFORM',
  'MULTINOMIAL', 'GELU', 'DYNAMIC_UPDATE_SLICE', 'RELU_0_TO_1', 'UNSORTED_SEGMENT_PROD',
  'UNSORTED_SEGMENT_MAX', 'UNSORTED_SEGMENT_SUM', 'ATAN2', 'UNSORTED_SEGMENT_MIN', 'SIGN', 'BITCAST',
  'BITWISE_XOR', 'RIGHT_SHIFT',
];

/** Builtin operator codes by name, for the ops the writer emits and the validator names. */
export const BuiltinOperator = Object.fromEntries(
  BUILTIN_OPERATOR_NAMES.map((name, code) => [name, code]),
) as Readonly<Record<string, number>>;

export function builtinOperatorName(code: number): string {
  return BUILTIN_OPERATOR_NAMES[code] ?? `BUILTIN_${code}`;
}

/** Codes below this live in OperatorCode.deprecated_builtin_code too (a byte). */
export const PLACEHOLDER_FOR_GREATER_OP_CODES = 127;

/**
 * Builtin codes the TFLite interpreter has no kernel for (CUSTOM needs a registered custom op;
 * DELEGATE and the placeholder are not ops; STABLEHLO_* above 161 are refused as unsupported).
 */
export const UNRUNNABLE_BUILTIN_CODES: ReadonlySet<number> = new Set([32, 51, 127]);
export const MAX_RUNNABLE_BUILTIN_CODE = BUILTIN_OPERATOR_NAMES.length - 1;

/** BuiltinOptions union members in schema order; the union type code is index + 1 (0 is NONE). */
export const BUILTIN_OPTIONS_NAMES: readonly string[] = [
  'Conv2DOptions', 'DepthwiseConv2DOptions', 'ConcatEmbeddingsOptions', 'LSHProjectionOptions',
  'Pool2DOptions', 'SVDFOptions', 'RNNOptions', 'FullyConnectedOptions', 'SoftmaxOptions',
  'ConcatenationOptions', 'AddOptions', 'L2NormOptions', 'LocalResponseNormalizationOptions',
  'LSTMOptions', 'ResizeBilinearOptions', 'CallOptions', 'ReshapeOptions', 'SkipGramOptions',
  'SpaceToDepthOptions', 'EmbeddingLookupSparseOptions', 'MulOptions', 'PadOptions',
  'GatherOptions', 'BatchToSpaceNDOptions', 'SpaceToBatchNDOptions', 'TransposeOptions',
  'ReducerOptions', 'SubOptions', 'DivOptions', 'SqueezeOptions', 'SequenceRNNOptions',
  'StridedSliceOptions', 'ExpOptions', 'TopKV2Options', 'SplitOptions', 'LogSoftmaxOptions',
  'CastOptions', 'DequantizeOptions', 'MaximumMinimumOptions', 'ArgMaxOptions', 'LessOptions',
  'NegOptions', 'PadV2Options', 'GreaterOptions', 'GreaterEqualOptions', 'LessEqualOptions',
  'SelectOptions', 'SliceOptions', 'TransposeConvOptions', 'SparseToDenseOptions', 'TileOptions',
  'ExpandDimsOptions', 'EqualOptions', 'NotEqualOptions', 'ShapeOptions', 'PowOptions',
  'ArgMinOptions', 'FakeQuantOptions', 'PackOptions', 'LogicalOrOptions', 'OneHotOptions',
  'LogicalAndOptions', 'LogicalNotOptions', 'UnpackOptions', 'FloorDivOptions', 'SquareOptions',
  'ZerosLikeOptions', 'FillOptions', 'BidirectionalSequenceLSTMOptions',
  'BidirectionalSequenceRNNOptions', 'UnidirectionalSequenceLSTMOptions', 'FloorModOptions',
  'RangeOptions', 'ResizeNearestNeighborOptions', 'LeakyReluOptions', 'SquaredDifferenceOptions',
  'MirrorPadOptions', 'AbsOptions', 'SplitVOptions', 'UniqueOptions', 'ReverseV2Options',
  'AddNOptions', 'GatherNdOptions', 'CosOptions', 'WhereOptions', 'RankOptions',
  'ReverseSequenceOptions', 'MatrixDiagOptions', 'QuantizeOptions', 'MatrixSetDiagOptions',
  'HardSwishOptions', 'IfOptions', 'WhileOptions', 'DepthToSpaceOptions',
  'NonMaxSuppressionV4Options', 'NonMaxSuppressionV5Options', 'ScatterNdOptions',
  'SelectV2Options', 'DensifyOptions', 'SegmentSumOptions', 'BatchMatMulOptions', 'CumsumOptions',
  'CallOnceOptions', 'BroadcastToOptions', 'Rfft2dOptions', 'Conv3DOptions', 'HashtableOptions',
  'HashtableFindOptions', 'HashtableImportOptions', 'HashtableSizeOptions', 'VarHandleOptions',
  'ReadVariableOptions', 'AssignVariableOptions', 'RandomOptions', 'BucketizeOptions',
  'GeluOptions', 'DynamicUpdateSliceOptions', 'UnsortedSegmentProdOptions',
  'UnsortedSegmentMaxOptions', 'UnsortedSegmentMinOptions', 'UnsortedSegmentSumOptions',
  'ATan2Options', 'SignOptions', 'BitcastOptions', 'BitwiseXorOptions', 'RightShiftOptions',
];

export function builtinOptionsType(name: string): number {
  const index = BUILTIN_OPTIONS_NAMES.indexOf(name);
  if (index < 0) throw new Error(`unknown BuiltinOptions member ${name}`);
  return index + 1;
}

export function builtinOptionsName(type: number): string {
  return type === 0 ? 'NONE' : (BUILTIN_OPTIONS_NAMES[type - 1] ?? `BuiltinOptions_${type}`);
}

/** Kinds an options field can have; `int[]` is a vector of int32; `string` is read as '' when absent. */
export type OptionFieldKind = 'byte' | 'bool' | 'int' | 'float' | 'int[]' | 'string';
export interface OptionField {
  readonly name: string;
  readonly slot: number;
  readonly kind: OptionFieldKind;
  readonly defaultValue: number | boolean | string;
}

const f = (name: string, slot: number, kind: OptionFieldKind, defaultValue: number | boolean = 0): OptionField =>
  ({ name, slot, kind, defaultValue: kind === 'bool' && defaultValue === 0 ? false : kind === 'string' ? '' : defaultValue });

/**
 * Field layouts of the option tables the reader decodes and the writer emits. Option tables
 * not listed here are read as their type only (inspect shows the name; the writer refuses them).
 */
export const OPTION_LAYOUTS: Readonly<Record<string, readonly OptionField[]>> = {
  FullyConnectedOptions: [
    f('fused_activation_function', 0, 'byte'), f('weights_format', 1, 'byte'),
    f('keep_num_dims', 2, 'bool'), f('asymmetric_quantize_inputs', 3, 'bool'),
    f('quantized_bias_type', 4, 'byte'),
  ],
  SoftmaxOptions: [f('beta', 0, 'float')],
  ConcatenationOptions: [f('axis', 0, 'int'), f('fused_activation_function', 1, 'byte')],
  AddOptions: [f('fused_activation_function', 0, 'byte'), f('pot_scale_int16', 1, 'bool', true)],
  SubOptions: [f('fused_activation_function', 0, 'byte'), f('pot_scale_int16', 1, 'bool', true)],
  MulOptions: [f('fused_activation_function', 0, 'byte')],
  DivOptions: [f('fused_activation_function', 0, 'byte')],
  ReshapeOptions: [f('new_shape', 0, 'int[]')],
  GatherOptions: [f('axis', 0, 'int'), f('batch_dims', 1, 'int')],
  TransposeOptions: [],
  ReducerOptions: [f('keep_dims', 0, 'bool')],
  StridedSliceOptions: [
    f('begin_mask', 0, 'int'), f('end_mask', 1, 'int'), f('ellipsis_mask', 2, 'int'),
    f('new_axis_mask', 3, 'int'), f('shrink_axis_mask', 4, 'int'), f('offset', 5, 'bool'),
  ],
  SliceOptions: [],
  SquaredDifferenceOptions: [],
  BatchMatMulOptions: [f('adj_x', 0, 'bool'), f('adj_y', 1, 'bool'), f('asymmetric_quantize_inputs', 2, 'bool')],
  GeluOptions: [f('approximate', 0, 'bool')],
  DynamicUpdateSliceOptions: [],
  ExpOptions: [],
  CastOptions: [f('in_data_type', 0, 'byte'), f('out_data_type', 1, 'byte')],
  SqueezeOptions: [f('squeeze_dims', 0, 'int[]')],
  ExpandDimsOptions: [],
  MaximumMinimumOptions: [],
  PowOptions: [],
  NegOptions: [],
  SquareOptions: [],
  // Resource variables (state kept inside a compiled model between runs).
  VarHandleOptions: [f('container', 0, 'string'), f('shared_name', 1, 'string')],
  ReadVariableOptions: [],
  AssignVariableOptions: [],
  CallOnceOptions: [f('init_subgraph_index', 0, 'int')],
  FillOptions: [],
};

/** Field slots of the tables the reader walks and the writer emits (schema.fbs declaration order). */
export const Slot = {
  Model: { version: 0, operator_codes: 1, subgraphs: 2, description: 3, buffers: 4, metadata_buffer: 5, metadata: 6, signature_defs: 7 },
  OperatorCode: { deprecated_builtin_code: 0, custom_code: 1, version: 2, builtin_code: 3 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, is_variable: 5, sparsity: 6, shape_signature: 7, has_rank: 8 },
  QuantizationParameters: { min: 0, max: 1, scale: 2, zero_point: 3, details_type: 4, details: 5, quantized_dimension: 6 },
  // A union takes two slots: its type (ubyte) and then its value.
  Operator: { opcode_index: 0, inputs: 1, outputs: 2, builtin_options_type: 3, builtin_options: 4, custom_options: 5, custom_options_format: 6, mutating_variable_inputs: 7, intermediates: 8 },
  Buffer: { data: 0, offset: 1, size: 2 },
  Metadata: { name: 0, buffer: 1 },
  TensorMap: { name: 0, tensor_index: 1 },
  SignatureDef: { inputs: 0, outputs: 1, signature_key: 2, subgraph_index: 4 },
} as const;
