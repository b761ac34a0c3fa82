/**
 * BERT encoders (bert-base, bert-large, distilbert) in the form torch.onnx writes
 * Hugging Face's BertModel at opset 12 with fixed shapes: MatMul + Add projections,
 * Reshape ([0, 0, heads, head size]) and Transpose into heads, MatMul of Q by K
 * transposed, Div by sqrt(head size), the additive mask from an int64 attention_mask
 * (Unsqueeze, Unsqueeze, Cast, Sub from 1, Mul by -10000), Softmax, MatMul by V,
 * LayerNormalization after each residual Add, and GELU as its Erf formula. That is the
 * form onnxruntime's optimizer fuses into its Attention, SkipLayerNormalization and
 * Gelu kernels, so the peer runs its best path on the same graph; armbench's passes
 * fuse the same patterns for its own executor.
 *
 * Why opset 12 with a LayerNormalization node, which standard ONNX has only from 17:
 * onnxruntime's attention fusion matches the op versions of opset 12 and earlier only
 * (at 13, 14 and 17 it left all 12 layers unfused, measured with onnxruntime 1.30), and
 * it runs before its own fusion of the op-by-op layer norm torch writes below opset 17,
 * so only this form (onnxruntime's own LayerNormalization, which it registers for
 * opsets 1 to 16) reaches its Attention kernel. `layerNorm: "decomposed"` builds the
 * op-by-op form instead (armbench fuses it; onnxruntime then runs unfused attention).
 *
 * Weights are seeded, N(0, 0.02) as BERT initialises them; LayerNorm gains and shifts
 * are perturbed around 1 and 0 so that a wrong scale or shift shows in the answer.
 */
import { UserError } from "../../errors.js";
import { inferShapes, type Graph, type Node, type Tensor } from "../ir.js";
import { Random } from "./builder.js";

export interface BertConfig {
  layers: number;
  hidden: number;
  heads: number;
  ffn: number;
  vocab: number;
  maxPositions: number;
  /** distilbert has no token-type embeddings and no pooler. */
  tokenTypes: boolean;
  pooler: boolean;
}

export const BERT_CONFIGS: Record<string, BertConfig> = {
  "bert-base": { layers: 12, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, tokenTypes: true, pooler: true },
  "bert-large": { layers: 24, hidden: 1024, heads: 16, ffn: 4096, vocab: 30522, maxPositions: 512, tokenTypes: true, pooler: true },
  distilbert: { layers: 6, hidden: 768, heads: 12, ffn: 3072, vocab: 30522, maxPositions: 512, tokenTypes: false, pooler: false },
};

export interface BertOptions {
  batch?: number;
  /** Tokens per sequence; default 128. */
  seq?: number;
  seed?: number;
  /** "op" (default): LayerNormalization nodes; "decomposed": ReduceMean, Sub, Pow, ReduceMean, Add, Sqrt, Div, Mul, Add. */
  layerNorm?: "op" | "decomposed";
}

/** The mask value Hugging Face's BERT adds where attention_mask is 0. */
const MASKED = -10000;
const LN_EPSILON = 1e-12;

class BertBuilder {
  readonly nodes: Node[] = [];
  readonly initializers = new Map<string, Tensor>();
  private readonly rng: Random;

  constructor(seed: number) {
    this.rng = new Random(seed);
  }

  weight(name: string, dims: number[], std: number, mean = 0): string {
    const data = new Float32Array(dims.reduce((p, v) => p * v, 1));
    for (let i = 0; i < data.length; i++) data[i] = mean + std * this.rng.normal();
    this.initializers.set(name, { dims, data });
    return name;
  }

  constant(name: string, values: number[], dims: number[] = []): string {
    this.initializers.set(name, { dims, data: Float32Array.from(values) });
    return name;
  }

  node(n: Omit<Node, "outputs"> & { outputs?: string[] }): string {
    const out = n.outputs ?? [`${n.name}.out`];
    this.nodes.push({ ...n, outputs: out } as Node);
    return out[0]!;
  }

  /** x [..., in] @ W [in, out] + b, as MatMul then Add (the product first). */
  linear(x: string, name: string, inF: number, outF: number): string {
    const w = this.weight(`${name}.weight`, [inF, outF], 0.02);
    const b = this.weight(`${name}.bias`, [outF], 0.02);
    const mm = this.node({ op: "MatMul", name: `${name}/MatMul`, inputs: [x, w], attrs: {} });
    return this.node({ op: "Add", name: `${name}/Add`, inputs: [mm, b], attrs: {} });
  }

  /** (x - mean) / sqrt(var + eps) * gain + shift over the last axis: one node, or op by op as torch writes it below opset 17. */
  layerNorm(x: string, name: string, hidden: number, form: "op" | "decomposed"): string {
    const scale = this.weight(`${name}.weight`, [hidden], 0.1, 1);
    const bias = this.weight(`${name}.bias`, [hidden], 0.1);
    if (form === "op") return this.node({ op: "LayerNormalization", name, inputs: [x, scale, bias], attrs: { axis: -1, epsilon: LN_EPSILON } });
    const mean = this.node({ op: "ReduceMean", name: `${name}/ReduceMean`, inputs: [x], attrs: { axes: [-1], keepdims: true } });
    const d = this.node({ op: "Sub", name: `${name}/Sub`, inputs: [x, mean], attrs: {} });
    const sq = this.node({ op: "Pow", name: `${name}/Pow`, inputs: [d, this.constant(`${name}/two`, [2])], attrs: {} });
    const variance = this.node({ op: "ReduceMean", name: `${name}/ReduceMean_1`, inputs: [sq], attrs: { axes: [-1], keepdims: true } });
    const ve = this.node({ op: "Add", name: `${name}/Add`, inputs: [variance, this.constant(`${name}/eps`, [LN_EPSILON])], attrs: {} });
    const std = this.node({ op: "Sqrt", name: `${name}/Sqrt`, inputs: [ve], attrs: {} });
    const norm = this.node({ op: "Div", name: `${name}/Div`, inputs: [d, std], attrs: {} });
    const scaled = this.node({ op: "Mul", name: `${name}/Mul`, inputs: [norm, scale], attrs: {} });
    return this.node({ op: "Add", name: `${name}/Add_1`, inputs: [scaled, bias], attrs: {} });
  }

  reshape(x: string, name: string, shape: number[]): string {
    return this.node({ op: "Reshape", name, inputs: [x], attrs: { shape } });
  }

  transpose(x: string, name: string, perm: number[]): string {
    return this.node({ op: "Transpose", name, inputs: [x], attrs: { perm } });
  }

  /** x * (1 + erf(x / sqrt 2)) * 0.5, node by node as torch exports it. */
  gelu(x: string, name: string): string {
    const div = this.node({ op: "Div", name: `${name}/Div`, inputs: [x, this.constant(`${name}/sqrt2`, [Math.SQRT2])], attrs: {} });
    const erf = this.node({ op: "Erf", name: `${name}/Erf`, inputs: [div], attrs: {} });
    const plus = this.node({ op: "Add", name: `${name}/Add`, inputs: [erf, this.constant(`${name}/one`, [1])], attrs: {} });
    const times = this.node({ op: "Mul", name: `${name}/Mul`, inputs: [x, plus], attrs: {} });
    return this.node({ op: "Mul", name: `${name}/Mul_1`, inputs: [times, this.constant(`${name}/half`, [0.5])], attrs: {} });
  }
}

export function bert(model: string, opts: BertOptions = {}): Graph {
  const c = BERT_CONFIGS[model];
  if (!c) throw new UserError(`unknown BERT preset "${model}"; the presets are ${Object.keys(BERT_CONFIGS).join(", ")}.`);
  return bertGraph(model, c, opts);
}

/** Any size of the same encoder (tests build small ones). */
export function bertGraph(model: string, c: BertConfig, opts: BertOptions = {}): Graph {
  if (c.hidden % c.heads !== 0) throw new UserError(`${model}: hidden size ${c.hidden} is not a multiple of ${c.heads} heads.`);
  const batch = opts.batch ?? 1;
  const seq = opts.seq ?? 128;
  if (!(Number.isInteger(seq) && seq >= 1 && seq <= c.maxPositions)) throw new UserError(`--seq ${seq} must be a whole number from 1 to ${c.maxPositions} (${model}'s position table).`);
  const b = new BertBuilder(opts.seed ?? 1);
  const h = c.hidden;
  const dHead = h / c.heads;

  const words = b.weight("embeddings.word_embeddings.weight", [c.vocab, h], 0.02);
  let x = b.node({ op: "Gather", name: "embeddings/word", inputs: [words, "input_ids"], attrs: { axis: 0 } });
  const positions = Array.from({ length: seq }, (_, i) => i);
  const pos = b.node({
    op: "Gather", name: "embeddings/position", inputs: [b.weight("embeddings.position_embeddings.weight", [c.maxPositions, h], 0.02)],
    attrs: { axis: 0, indices: { dims: [1, seq], data: positions } },
  });
  x = b.node({ op: "Add", name: "embeddings/add_position", inputs: [x, pos], attrs: {} });
  if (c.tokenTypes) {
    const types = b.node({
      op: "Gather", name: "embeddings/token_type", inputs: [b.weight("embeddings.token_type_embeddings.weight", [2, h], 0.02)],
      attrs: { axis: 0, indices: { dims: [1, seq], data: new Array<number>(seq).fill(0) } },
    });
    x = b.node({ op: "Add", name: "embeddings/add_token_type", inputs: [x, types], attrs: {} });
  }
  const form = opts.layerNorm ?? "op";
  x = b.layerNorm(x, "embeddings.LayerNorm", h, form);

  // [batch, seq] of 1 (attend) and 0 (padding) -> [batch, 1, 1, seq] of 0 and MASKED.
  let mask = b.node({ op: "Unsqueeze", name: "mask/Unsqueeze", inputs: ["attention_mask"], attrs: { axes: [1] } });
  mask = b.node({ op: "Unsqueeze", name: "mask/Unsqueeze_1", inputs: [mask], attrs: { axes: [2] } });
  mask = b.node({ op: "Cast", name: "mask/Cast", inputs: [mask], attrs: { to: "float32" } });
  mask = b.node({ op: "Sub", name: "mask/Sub", inputs: [b.constant("mask/one", [1]), mask], attrs: {} });
  mask = b.node({ op: "Mul", name: "mask/Mul", inputs: [mask, b.constant("mask/filter", [MASKED])], attrs: {} });

  const scale = b.constant("attention/scale", [Math.sqrt(dHead)]);
  for (let l = 0; l < c.layers; l++) {
    const p = `encoder.layer.${l}`;
    // 0 copies the input's dimension: the shape torch writes, and what onnxruntime's fusion expects.
    const heads = (v: string, name: string, perm: number[]) => b.transpose(b.reshape(v, `${name}/Reshape`, [0, 0, c.heads, dHead]), `${name}/Transpose`, perm);
    const q = heads(b.linear(x, `${p}.attention.self.query`, h, h), `${p}.attention.self.query`, [0, 2, 1, 3]);
    const k = heads(b.linear(x, `${p}.attention.self.key`, h, h), `${p}.attention.self.key`, [0, 2, 3, 1]);
    const v = heads(b.linear(x, `${p}.attention.self.value`, h, h), `${p}.attention.self.value`, [0, 2, 1, 3]);
    let s = b.node({ op: "MatMul", name: `${p}.attention.self/MatMul`, inputs: [q, k], attrs: {} });
    s = b.node({ op: "Div", name: `${p}.attention.self/Div`, inputs: [s, scale], attrs: {} });
    s = b.node({ op: "Add", name: `${p}.attention.self/Add`, inputs: [s, mask], attrs: {} });
    s = b.node({ op: "Softmax", name: `${p}.attention.self/Softmax`, inputs: [s], attrs: { axis: 3 } });
    let ctx = b.node({ op: "MatMul", name: `${p}.attention.self/MatMul_1`, inputs: [s, v], attrs: {} });
    ctx = b.transpose(ctx, `${p}.attention.self/Transpose`, [0, 2, 1, 3]);
    ctx = b.reshape(ctx, `${p}.attention.self/Reshape`, [0, 0, h]);
    const attn = b.linear(ctx, `${p}.attention.output.dense`, h, h);
    const sum1 = b.node({ op: "Add", name: `${p}.attention.output/Add`, inputs: [attn, x], attrs: {} });
    x = b.layerNorm(sum1, `${p}.attention.output.LayerNorm`, h, form);
    const up = b.gelu(b.linear(x, `${p}.intermediate.dense`, h, c.ffn), `${p}.intermediate.gelu`);
    const down = b.linear(up, `${p}.output.dense`, c.ffn, h);
    const sum2 = b.node({ op: "Add", name: `${p}.output/Add`, inputs: [down, x], attrs: {} });
    x = b.layerNorm(sum2, `${p}.output.LayerNorm`, h, form);
  }
  const lastHidden = b.node({ op: "Identity", name: "last_hidden_state", inputs: [x], outputs: ["last_hidden_state"], attrs: {} });
  const outputs = [lastHidden];
  if (c.pooler) {
    const first = b.node({ op: "Gather", name: "pooler/Gather", inputs: [lastHidden], attrs: { axis: 1, indices: { dims: [], data: [0] } } });
    const dense = b.linear(first, "pooler.dense", h, h);
    outputs.push(b.node({ op: "Tanh", name: "pooler/Tanh", inputs: [dense], outputs: ["pooler_output"], attrs: {} }));
  }
  const g: Graph = {
    name: model,
    inputs: [
      { name: "input_ids", dims: [batch, seq], dtype: "int64" },
      { name: "attention_mask", dims: [batch, seq], dtype: "int64" },
    ],
    outputs,
    nodes: b.nodes,
    initializers: b.initializers,
    opset: 12,
  };
  inferShapes(g);
  return g;
}
