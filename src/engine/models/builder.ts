/**
 * Builds the built-in models as plain ONNX-style graphs (Conv, BatchNormalization, Relu,
 * ...) with seeded weights, so nothing is downloaded and every run of a model computes
 * the same thing. Weights are He-initialised; each BatchNormalization's mean and
 * variance are derived from the per-channel moments its input is expected to have (the
 * builder carries them along), so activations stay roughly unit-scale through any depth:
 * no NaN, no overflow into infinities, no denormals, no layer of dead ReLUs.
 */
import { UserError } from "../../errors.js";
import { inferShapes, type ConvAttrs, type Graph, type Node, type Tensor } from "../ir.js";

/** A deterministic generator (mulberry32): weights must not change between runs or machines. */
export class Random {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u = 1 - this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
}

export interface ModelOptions {
  /** Default 1. */
  batch?: number;
  /** Square input height and width; default 224. */
  inputSize?: number;
  /** Default 1. */
  seed?: number;
  /** Sequence models: tokens per sequence (default 128). */
  seq?: number;
}

/** A value being built, with the per-channel mean and variance it is expected to have. */
export interface Value {
  name: string;
  dims: number[];
  mean: Float64Array;
  variance: Float64Array;
}

const normPdf = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
/** Standard normal CDF (Abramowitz-Stegun 7.1.26 through erf; ample for moment tracking). */
function normCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export class ModelBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers = new Map<string, Tensor>();
  private readonly rng: Random;
  readonly batch: number;
  readonly inputSize: number;

  constructor(
    private readonly name: string,
    opts: ModelOptions,
  ) {
    this.batch = opts.batch ?? 1;
    this.inputSize = opts.inputSize ?? 224;
    if (!Number.isInteger(this.batch) || this.batch < 1 || this.batch > 4096) throw new UserError(`batch ${opts.batch} must be an integer from 1 to 4096.`);
    if (!Number.isInteger(this.inputSize) || this.inputSize < 16 || this.inputSize > 4096) throw new UserError(`input size ${opts.inputSize} must be an integer from 16 to 4096.`);
    this.rng = new Random(opts.seed ?? 1);
  }

  /** The image input: standard-normal pixels, as a normalised image would be. */
  input(name = "input", channels = 3): Value {
    const dims = [this.batch, channels, this.inputSize, this.inputSize];
    return { name, dims, mean: new Float64Array(channels), variance: new Float64Array(channels).fill(1) };
  }

  private weight(name: string, dims: number[], std: number): Tensor {
    const n = dims.reduce((p, v) => p * v, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = std * this.rng.normal();
    const t = { dims, data };
    this.initializers.set(name, t);
    return t;
  }

  private constant(name: string, data: Float32Array): void {
    this.initializers.set(name, { dims: [data.length], data });
  }

  private outDims(n: Node, ins: Value[]): number[] {
    const shapes = inferShapes({ name: this.name, inputs: ins.map((v) => ({ name: v.name, dims: v.dims })), outputs: [], nodes: [n], initializers: this.initializers });
    return shapes.get(n.outputs[0]!)!;
  }

  conv(x: Value, name: string, k: number, kernel: number, o: { stride?: number; pad?: number; groups?: number; bias?: boolean } = {}): Value {
    const c = x.dims[1]!;
    const groups = o.groups ?? 1;
    const stride = o.stride ?? 1;
    const pad = o.pad ?? Math.floor(kernel / 2);
    const cg = c / groups;
    const fanIn = cg * kernel * kernel;
    const w = this.weight(`${name}.weight`, [k, cg, kernel, kernel], Math.sqrt(2 / fanIn));
    const inputs = [x.name, `${name}.weight`, ""];
    const bias = o.bias ? new Float32Array(k).map(() => 0.01 * this.rng.uniform()) : undefined;
    if (bias) {
      this.constant(`${name}.bias`, bias);
      inputs[2] = `${name}.bias`;
    }
    const attrs: ConvAttrs = { kernel: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group: groups };
    const node: Node = { op: "Conv", name, inputs, outputs: [`${name}.out`], attrs };
    const dims = this.outDims(node, [x]);
    this.nodes.push(node);
    // Output channel j sums weights times inputs of its group: mean and variance follow.
    const mean = new Float64Array(k);
    const variance = new Float64Array(k);
    const rs = kernel * kernel;
    const kg = k / groups;
    for (let j = 0; j < k; j++) {
      const g = Math.floor(j / kg);
      for (let ci = 0; ci < cg; ci++) {
        const ch = g * cg + ci;
        let sum = 0;
        let sq = 0;
        for (let t = 0; t < rs; t++) {
          const v = w.data[(j * cg + ci) * rs + t]!;
          sum += v;
          sq += v * v;
        }
        mean[j]! += sum * x.mean[ch]!;
        variance[j]! += sq * x.variance[ch]!;
      }
      if (bias) mean[j]! += bias[j]!;
    }
    return { name: `${name}.out`, dims, mean, variance };
  }

  /** Normalises with the statistics the input is expected to have; gamma near 1, beta small and positive. */
  batchNorm(x: Value, name: string): Value {
    const c = x.dims[1]!;
    const gamma = new Float32Array(c).map(() => 0.8 + 0.4 * this.rng.uniform());
    const beta = new Float32Array(c).map(() => 0.05 + 0.1 * this.rng.uniform());
    this.constant(`${name}.weight`, gamma);
    this.constant(`${name}.bias`, beta);
    this.constant(`${name}.running_mean`, Float32Array.from(x.mean));
    this.constant(`${name}.running_var`, Float32Array.from(x.variance, (v) => Math.max(v, 1e-3)));
    const out = `${name}.out`;
    this.nodes.push({ op: "BatchNormalization", name, inputs: [x.name, `${name}.weight`, `${name}.bias`, `${name}.running_mean`, `${name}.running_var`], outputs: [out], attrs: { epsilon: Math.fround(1e-5) } });
    return { name: out, dims: x.dims, mean: Float64Array.from(beta), variance: Float64Array.from(gamma, (g) => g * g) };
  }

  /** ReLU (max 6 as ReLU6 = Clip(0, 6)) of a channel taken as normal with the tracked moments. */
  relu(x: Value, name: string, max = Infinity): Value {
    const out = `${name}.out`;
    if (max === Infinity) this.nodes.push({ op: "Relu", name, inputs: [x.name], outputs: [out], attrs: {} });
    else this.nodes.push({ op: "Clip", name, inputs: [x.name], outputs: [out], attrs: { min: 0, max } });
    const mean = new Float64Array(x.mean.length);
    const variance = new Float64Array(x.mean.length);
    for (let i = 0; i < mean.length; i++) {
      const m = x.mean[i]!;
      const s = Math.sqrt(Math.max(x.variance[i]!, 1e-12));
      const z = m / s;
      const mu = s * normPdf(z) + m * normCdf(z);
      const sq = (m * m + s * s) * normCdf(z) + m * s * normPdf(z);
      mean[i] = mu;
      variance[i] = Math.max(sq - mu * mu, 1e-6);
    }
    return { name: out, dims: x.dims, mean, variance };
  }

  add(a: Value, b: Value, name: string): Value {
    const out = `${name}.out`;
    this.nodes.push({ op: "Add", name, inputs: [a.name, b.name], outputs: [out], attrs: {} });
    return { name: out, dims: a.dims, mean: a.mean.map((m, i) => m + b.mean[i]!), variance: a.variance.map((v, i) => v + b.variance[i]!) };
  }

  pool(x: Value, name: string, op: "MaxPool" | "AveragePool", kernel: number, stride: number, pad = 0): Value {
    const node: Node = { op, name, inputs: [x.name], outputs: [`${name}.out`], attrs: { kernel: [kernel, kernel], strides: [stride, stride], pads: [pad, pad, pad, pad], countIncludePad: false } };
    const dims = this.outDims(node, [x]);
    this.nodes.push(node);
    return { ...x, name: `${name}.out`, dims };
  }

  globalAvgPool(x: Value, name: string): Value {
    this.nodes.push({ op: "GlobalAveragePool", name, inputs: [x.name], outputs: [`${name}.out`], attrs: {} });
    return { ...x, name: `${name}.out`, dims: [x.dims[0]!, x.dims[1]!, 1, 1] };
  }

  /** Flattens to batch x features; per-channel moments become per-feature ones. */
  flatten(x: Value, name: string): Value {
    this.nodes.push({ op: "Flatten", name, inputs: [x.name], outputs: [`${name}.out`], attrs: { axis: 1 } });
    const spatial = x.dims.slice(2).reduce((p, v) => p * v, 1);
    const f = x.mean.length * spatial;
    const mean = new Float64Array(f).map((_, i) => x.mean[Math.floor(i / spatial)]!);
    const variance = new Float64Array(f).map((_, i) => x.variance[Math.floor(i / spatial)]!);
    return { name: `${name}.out`, dims: [x.dims[0]!, f], mean, variance };
  }

  dropout(x: Value, name: string): Value {
    this.nodes.push({ op: "Dropout", name, inputs: [x.name], outputs: [`${name}.out`], attrs: {} });
    return { ...x, name: `${name}.out` };
  }

  /** Fully connected, torchvision style: y = x W^T + b with W n x k (Gemm transB = 1). */
  gemm(x: Value, name: string, n: number): Value {
    const k = x.dims[1]!;
    const w = this.weight(`${name}.weight`, [n, k], Math.sqrt(2 / k));
    const b = new Float32Array(n).map(() => 0.01 * this.rng.uniform());
    this.constant(`${name}.bias`, b);
    this.nodes.push({ op: "Gemm", name, inputs: [x.name, `${name}.weight`, `${name}.bias`], outputs: [`${name}.out`], attrs: { alpha: 1, beta: 1, transA: false, transB: true } });
    const mean = new Float64Array(n);
    const variance = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      for (let i = 0; i < k; i++) {
        const v = w.data[j * k + i]!;
        mean[j]! += v * x.mean[i]!;
        variance[j]! += v * v * x.variance[i]!;
      }
      mean[j]! += b[j]!;
    }
    return { name: `${name}.out`, dims: [x.dims[0]!, n], mean, variance };
  }

  /** Conv, BatchNormalization, then ReLU (or ReLU6 with max = 6, or none). */
  convBn(x: Value, name: string, k: number, kernel: number, o: { stride?: number; pad?: number; groups?: number; act?: "relu" | "relu6" | "none" } = {}): Value {
    const y = this.batchNorm(this.conv(x, `${name}.conv`, k, kernel, o), `${name}.bn`);
    const act = o.act ?? "relu";
    return act === "none" ? y : this.relu(y, `${name}.${act}`, act === "relu6" ? 6 : Infinity);
  }

  finish(input: Value, output: Value): Graph {
    const last = this.nodes[this.nodes.length - 1]!;
    if (last.outputs[0] !== output.name) throw new Error(`${this.name}: the output must come from the last node`);
    // The graph output gets a stable name, whatever the last node was called.
    last.outputs[0] = "output";
    return { name: this.name, inputs: [{ name: input.name, dims: input.dims }], outputs: ["output"], nodes: [...this.nodes], initializers: new Map(this.initializers) };
  }
}
