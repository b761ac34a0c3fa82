/**
 * The contract between the model compiler (TypeScript: ONNX/IR -> passes -> memory plan)
 * and the native executor (native/src/engine, bound as `engineCreate`/`engineRun`/
 * `engineMeasure`). The compiler lowers an optimised graph into a Program: a flat list
 * of steps over one activation arena, every tensor an offset into it. The executor
 * copies weights once at create time (packing them for the chosen conv algorithm) and
 * then runs the steps with no JavaScript in the loop, so a timed inference measures
 * kernels, not the binding.
 *
 * Every activation is fp32. Offsets and sizes are in bytes, 64-byte aligned. A step
 * may read and write the same tensor only where it says so (elementwise ops).
 */

/** An activation in the arena. `nchwc` is n x ceil(c / block) x h x w x block, padded channels zero. */
export interface TensorRef {
  offset: number;
  /** NCHW dims (n, c, h, w), or (rows, cols) for 2-D tensors. The logical shape, whatever the layout. */
  dims: number[];
  layout: "nchw" | "nchwc";
}

export type Activation = "none" | "relu" | "clip";

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
}

export interface UnaryStep {
  op: "relu" | "clip" | "sigmoid" | "hardswish";
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

/** Along the last axis of a rows x cols tensor. */
export interface SoftmaxStep { op: "softmax"; name: string; x: TensorRef; y: TensorRef }

/** NCHW <-> NCHWc, or a plain copy when both layouts agree (a reshape that could not alias). */
export interface ReorderStep { op: "reorder"; name: string; x: TensorRef; y: TensorRef }

export type Step =
  | ConvStep | PoolStep | GlobalAvgPoolStep | GemmStep | UnaryStep | BinaryStep
  | ConcatStep | BatchNormStep | SoftmaxStep | ReorderStep;

export interface Program {
  arenaBytes: number;
  /** Graph inputs, NCHW fp32, written into the arena before the first step. */
  inputs: { name: string; ref: TensorRef }[];
  /** Graph outputs, read from the arena after the last step. */
  outputs: { name: string; ref: TensorRef }[];
  steps: Step[];
  /** The NCHWc block the compiler assumed (the executor refuses a program built for another). */
  nchwcBlock: number;
}
