/**
 * The contract between the model compiler (TypeScript: ONNX/IR -> passes -> memory plan)
 * and the native executor (native/src/engine, bound as `engineCreate`/`engineRun`/
 * `engineMeasure`). The compiler lowers an optimised graph into a Program: a flat list
 * of steps over one activation arena, every tensor an offset into it. The executor
 * copies weights once at create time (packing them for the chosen conv algorithm) and
 * then runs the steps with no JavaScript in the loop, so a timed inference measures
 * kernels, not the binding.
 *
 * Every activation is fp32 except int32 ones (int64 graph inputs such as token ids,
 * narrowed at the boundary after a range check, and what Reshape-like views make of
 * them; the quantized ops' uint8, int8 and int32 values), which only gather (as
 * indices), cast and the quantized ops read, and only the quantized ops write. Offsets and sizes are in bytes,
 * 64-byte aligned. A step may read and write the same tensor only where it says so
 * (elementwise ops).
 */

/** An activation in the arena. `nchwc` is n x ceil(c / block) x h x w x block, padded channels zero. */
export interface TensorRef {
  offset: number;
  /** NCHW dims (n, c, h, w), or (rows, cols) for 2-D tensors. The logical shape, whatever the layout. */
  dims: number[];
  layout: "nchw" | "nchwc";
  /** Absent: fp32. int32 tensors are always "nchw" (dense). */
  dtype?: "fp32" | "int32";
}

/** A constant operand given by value (copied once at create time), dims 1 to 4. */
export interface ConstOperand {
  dims: number[];
  data: Float32Array;
}

/** gelu: x / 2 (1 + erf(x / sqrt 2)); gelu-tanh: the tanh approximation (ONNX Gelu approximate="tanh"). */
export type Activation = "none" | "relu" | "clip" | "gelu" | "gelu-tanh";

export interface ConvStep {
  op: "conv";
  name: string;
  /** x and y both "nchw", or y "nchwc" with algo "direct-nchwc" and x "nchwc" (no transform at either end: a chain of such convs stays blocked) or, for a first conv, "nchw". */
  x: TensorRef;
  y: TensorRef;
  shape: {
    n: number; c: number; h: number; w: number; k: number; r: number; s: number;
    strideH: number; strideW: number;
    padTop: number; padLeft: number; padBottom: number; padRight: number;
    dilationH: number; dilationW: number;
    groups: number;
  };
  /** An algorithm name from the conv registry ("im2col", "winograd-f4", "direct-nchwc", ...). */
  algo: string;
  /** bf16: the weights rounded to bf16 once at create time, x rounded to bf16 at each run; fp32 accumulation. */
  dtype: "fp32" | "bf16";
  /** k x (c / groups) x r x s, fp32 (after BatchNormalization folding). */
  weights: Float32Array;
  bias?: Float32Array;
  /** Added before the activation; same dims and layout as y. */
  residual?: TensorRef;
  act: Activation;
  clipMin?: number;
  clipMax?: number;
}

export interface PoolStep {
  op: "maxpool" | "avgpool";
  name: string;
  /** x and y in one layout, "nchw" or "nchwc". */
  x: TensorRef;
  y: TensorRef;
  kernel: [number, number];
  stride: [number, number];
  /** top, left, bottom, right */
  pads: [number, number, number, number];
  countIncludePad?: boolean;
}

/** x "nchw" or "nchwc"; y "nchw", (n, c) or (n, c, 1, 1). */
export interface GlobalAvgPoolStep { op: "globalavgpool"; name: string; x: TensorRef; y: TensorRef }

/** y = x W^T + bias (ONNX Gemm with transB = 1 after normalisation): x is rows x k, weights n x k. */
export interface GemmStep {
  op: "gemm";
  name: string;
  x: TensorRef;
  y: TensorRef;
  rows: number; k: number; n: number;
  weights: Float32Array;
  bias?: Float32Array;
  act: Activation;
  clipMin?: number;
  clipMax?: number;
  dtype: "fp32" | "bf16";
  /** The GEMM kernel (registry index, of the step's dtype) and blocking a tuning chose; absent: the dtype's default kernel and its own blocking. */
  gemm?: GemmPick;
}

export interface GemmPick {
  kernel: number;
  mc: number;
  kc: number;
  nc: number;
}

export interface UnaryStep {
  op: "relu" | "clip" | "sigmoid" | "hardswish" | "erf" | "tanh" | "sqrt" | "exp" | "log" | "gelu" | "gelu-tanh" | "round-f16" | "round-bf16" | "round";
  name: string;
  x: TensorRef;
  y: TensorRef; // may equal x
  min?: number;
  max?: number;
}

/** Same element count and layout; no broadcasting. */
export interface BinaryStep { op: "add" | "mul"; name: string; a: TensorRef; b: TensorRef; y: TensorRef }

/** Along channels; NCHW only. */
export interface ConcatStep { op: "concat"; name: string; xs: TensorRef[]; y: TensorRef }

export interface BatchNormStep {
  op: "batchnorm";
  name: string;
  x: TensorRef;
  y: TensorRef;
  scale: Float32Array; bias: Float32Array; mean: Float32Array; variance: Float32Array;
  epsilon: number;
}

/**
 * Softmax (or, with log, LogSoftmax) over the middle axis of x viewed as outer x n x
 * inner (dims [outer, n, inner]), or the last axis of rows x cols (dims [rows, cols]).
 * y may equal x.
 */
export interface SoftmaxStep { op: "softmax"; name: string; x: TensorRef; y: TensorRef; log?: boolean }

/**
 * numpy broadcasting of two operands of rank 1 to 4 (right-aligned), each an arena
 * tensor or a constant: y has the broadcast dims. pow follows C's powf; div is IEEE
 * (x / 0 is an infinity or NaN, as ONNX on floats). The comparisons write 1 where
 * true and 0 where false (bool as the executor holds it); their tensor operands may be
 * int32, compared exactly against fp32 ones. y may equal a or b when it has that
 * operand's dims.
 */
export interface BroadcastStep {
  op: "broadcast";
  name: string;
  fn: BroadcastFn;
  a: TensorRef | ConstOperand;
  b: TensorRef | ConstOperand;
  y: TensorRef;
}

export type BroadcastFn =
  | "add" | "sub" | "mul" | "div" | "pow" | "max" | "min"
  | "equal" | "not-equal" | "less" | "less-equal" | "greater" | "greater-equal";

/** y = cond ? a : b elementwise (cond nonzero), the three broadcast as a broadcast step's two. */
export interface WhereStep { op: "where"; name: string; cond: TensorRef | ConstOperand; a: TensorRef | ConstOperand; b: TensorRef | ConstOperand; y: TensorRef }

/** y = x with its axes permuted (rank 1 to 4): y.dims[i] = x.dims[perm[i]]. */
export interface TransposeStep { op: "transpose"; name: string; x: TensorRef; y: TensorRef; perm: number[] }

/**
 * Batched matrix product of two arena tensors, ONNX MatMul semantics for ranks 2 to 4:
 * a [..., m, k] x b [..., k, n] = y [..., m, n], batch dims broadcast (right-aligned,
 * a missing or 1 dim repeats). bf16: a and b rounded to bf16 at each run, fp32
 * accumulation.
 */
export interface MatMulStep { op: "matmul"; name: string; a: TensorRef; b: TensorRef; y: TensorRef; dtype: "fp32" | "bf16"; gemm?: GemmPick }

/**
 * Fused attention per head: y = softmax(scale * q @ kt + mask) @ v over each row, q
 * [..., sq, dk], kt (K transposed) [..., dk, sk], v [..., sk, dv], y [..., sq, dv],
 * ranks 2 to 4 with equal batch dims, the mask (optional) broadcasting to the scores
 * [..., sq, sk]. The executor holds one tile of query rows' scores at a time, never
 * the whole score matrix. bf16: q, kt, v and the probabilities rounded to bf16, as the
 * matmul steps it replaces round their inputs.
 */
export interface AttentionStep { op: "attention"; name: string; q: TensorRef; kt: TensorRef; v: TensorRef; mask?: TensorRef; y: TensorRef; scale: number; dtype: "fp32" | "bf16"; gemm?: GemmPick }

/**
 * LayerNormalization over the last `cols` values of each of `rows` rows (x dims with
 * rows x cols elements): y = (x + residual - mean) / sqrt(var + epsilon) * scale + bias,
 * the residual (same dims as x) added first where given (onnxruntime's
 * SkipLayerNormalization). y may equal x.
 */
export interface LayerNormStep {
  op: "layernorm";
  name: string;
  x: TensorRef;
  residual?: TensorRef;
  y: TensorRef;
  rows: number;
  cols: number;
  scale: Float32Array;
  bias?: Float32Array;
  epsilon: number;
}

/**
 * Mean, sum (both in double, rounded once), max or min (NaN propagating) over the middle
 * axis of x viewed as outer x n x inner: y is outer x inner.
 */
export interface ReduceStep { op: "reduce"; name: string; fn: "mean" | "sum" | "max" | "min"; x: TensorRef; y: TensorRef; outer: number; n: number; inner: number }

/**
 * Picks slices along one axis of data viewed as outer x axisLen x inner:
 * y[o][i][j] = data[o][idx[i]][j], for `count` indices. The data is an arena tensor (x)
 * or a constant table (an embedding); the indices an int32 arena tensor or constant
 * values. A negative index counts from the end; one outside [-axisLen, axisLen) fails
 * the run with the step and the index named.
 */
export interface GatherStep {
  op: "gather";
  name: string;
  x?: TensorRef;
  table?: Float32Array;
  outer: number;
  axisLen: number;
  inner: number;
  indices?: TensorRef;
  indexValues?: Int32Array;
  /** An index equal to axisLen gives a row of zeros (im2col over a padded window). */
  zeroRow?: boolean;
  count: number;
  y: TensorRef;
}

/** int32 -> fp32, elementwise (ONNX Cast of token masks). */
export interface CastStep { op: "cast"; name: string; x: TensorRef; y: TensorRef }

/**
 * The quantized ops (native quantize.h): uint8 and int8 values held one per int32
 * (TensorRef dtype "int32"), scales fp32, zero points and biases int32 values (a
 * constant's given as fp32 numbers, each such an integer); a parameter holds one value
 * or one per slice of its axis.
 *
 * quantize: y = saturate(round-half-even(x / scale) + zero) into [qmin, qmax], x fp32
 * viewed as outer x n x inner, the parameters per n; towardZero: truncation (a Cast
 * to an 8-bit type, scale 1). dequantize: y (fp32) = (x - zero) * scale.
 */
export interface QuantizeStep {
  op: "quantize" | "dequantize";
  name: string;
  x: TensorRef;
  y: TensorRef;
  outer: number;
  n: number;
  inner: number;
  scale: TensorRef | ConstOperand;
  zero?: TensorRef | ConstOperand;
  qmin?: number;
  qmax?: number;
  towardZero?: boolean;
}

/** QLinearMatMul's and QLinearConv's: the sums requantized by x scale * w scale / y scale into y's type. */
export interface Requantization {
  xScale: TensorRef | ConstOperand;
  wScale: TensorRef | ConstOperand;
  yScale: TensorRef | ConstOperand;
  yZero?: TensorRef | ConstOperand;
  qmin: number;
  qmax: number;
}

/**
 * MatMulInteger (and, with a yScale, QLinearMatMul): a [..., m, k] times w [..., k, n]
 * (w's batch dims absent or a's) = y [..., m, n] int32, less the zero points (a's per
 * row, w's per column); aSigned, wSigned: int8 values (else uint8). Runs on the int8 GEMM.
 */
export type MatMulIntegerStep = {
  op: "matmul-integer";
  name: string;
  a: TensorRef;
  w: TensorRef | ConstOperand;
  y: TensorRef;
  aZero?: TensorRef | ConstOperand;
  wZero?: TensorRef | ConstOperand;
  aSigned: boolean;
  wSigned: boolean;
} & (Requantization | Record<never, never>);

/** The quantizer's DynamicQuantMatMul: x [..., k] fp32 quantized per call, times the constant int8 w [k, n] with its n scales; y fp32. */
export interface DynamicQuantMatMulStep {
  op: "dynamic-quant-matmul";
  name: string;
  x: TensorRef;
  w: ConstOperand;
  wScale: ConstOperand;
  y: TensorRef;
}

/** ConvInteger (and, with a yScale, QLinearConv, its int32 bias added to the sums): NCHW, int32. */
export type ConvIntegerStep = {
  op: "conv-integer";
  name: string;
  x: TensorRef;
  w: TensorRef | ConstOperand;
  y: TensorRef;
  shape: ConvStep["shape"];
  xZero?: TensorRef | ConstOperand;
  wZero?: TensorRef | ConstOperand;
  bias?: TensorRef | ConstOperand;
} & (Requantization | Record<never, never>);

/** NCHW <-> NCHWc, or a plain copy when both layouts agree (a reshape that could not alias). */
export interface ReorderStep { op: "reorder"; name: string; x: TensorRef; y: TensorRef }

export type Step =
  | ConvStep | PoolStep | GlobalAvgPoolStep | GemmStep | UnaryStep | BinaryStep
  | ConcatStep | BatchNormStep | SoftmaxStep | ReorderStep
  | BroadcastStep | TransposeStep | MatMulStep | AttentionStep | LayerNormStep | ReduceStep | GatherStep | CastStep | WhereStep
  | QuantizeStep | MatMulIntegerStep | ConvIntegerStep | DynamicQuantMatMulStep;

export interface Program {
  arenaBytes: number;
  /** Graph inputs, NCHW fp32 (or int32: given as an Int32Array), written into the arena before the first step. */
  inputs: { name: string; ref: TensorRef }[];
  /** Graph outputs, read from the arena after the last step. */
  outputs: { name: string; ref: TensorRef }[];
  steps: Step[];
  /** The NCHWc block the compiler assumed (the executor refuses a program built for another). */
  nchwcBlock: number;
}
