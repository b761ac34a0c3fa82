/**
 * Layout choice: convs whose chosen algorithm is direct-nchwc read and write NCHWc
 * (channels in blocks; a conv of few input channels reads either layout), so a chain
 * of them never transforms between layouts; every
 * other op takes what the executor runs it on, and Reorder nodes are inserted only
 * where a value's layout must change (each value converted at most once per layout).
 * Elementwise ops keep their input's layout. Graph inputs and outputs stay NCHW.
 * Opt-in: an executor without NCHWc convs refuses such programs.
 */
import { inferShapes, type Graph, type Layout, type Node, type OpType } from "./ir.js";
import type { AlgoChooser, ConvShape, FpMath } from "./lower.js";

export const NCHWC_ALGO = "direct-nchwc";
/**
 * A direct-nchwc conv with at most this many input channels reads its input as NCHW
 * (the executor's nchw-to-nchwc conv): an image blocked would be mostly padding (3
 * channels of 16), and converting it would cost more than the conv's own frame copy.
 */
export const NCHWC_PLAIN_INPUT_MAX_CHANNELS = 4;

export interface LayoutOptions {
  chooseAlgo: AlgoChooser;
  fpmath: FpMath;
  /** Ops besides conv and the elementwise ones that the executor also runs on NCHWc input (e.g. MaxPool, AveragePool, GlobalAveragePool). */
  blockedOps?: OpType[];
}

export interface LayoutAssignment {
  /** The graph with Reorder nodes where layouts change. */
  graph: Graph;
  /** Each activation's layout (absent: nchw). */
  layouts: Map<string, Layout>;
  /** The algorithm chosen for each conv node, by node name: lowering uses these. */
  algos: Map<string, string>;
}

const ELEMENTWISE = new Set<OpType>(["Relu", "Clip", "Sigmoid", "HardSwish", "Add", "Mul"]);

export function convShapeOf(n: Node & { op: "Conv" | "FusedConv" | "ConvInteger" | "QLinearConv" }, x: number[], w: number[]): ConvShape {
  const a = n.attrs;
  return {
    n: x[0]!, c: x[1]!, h: x[2]!, w: x[3]!, k: w[0]!, r: a.kernel[0], s: a.kernel[1],
    strideH: a.strides[0], strideW: a.strides[1],
    padTop: a.pads[0], padLeft: a.pads[1], padBottom: a.pads[2], padRight: a.pads[3],
    dilationH: a.dilations[0], dilationW: a.dilations[1], groups: a.group,
  };
}

export function assignLayouts(g: Graph, o: LayoutOptions): LayoutAssignment {
  const shapes = inferShapes(g);
  const blockedOps = new Set(o.blockedOps ?? []);
  const layouts = new Map<string, Layout>();
  const algos = new Map<string, string>();
  const layoutOf = (v: string): Layout => layouts.get(v) ?? "nchw";
  const nodes: Node[] = [];
  const converted = new Map<string, string>();
  /** The name of `v` in `layout`, converting it (once) right before the node being placed. */
  const ensure = (v: string, layout: Layout): string => {
    if (v === "" || g.initializers.has(v) || layoutOf(v) === layout) return v;
    const key = `${v}@${layout}`;
    let name = converted.get(key);
    if (!name) {
      name = key;
      nodes.push({ op: "Reorder", name: `reorder:${key}`, inputs: [v], outputs: [name], attrs: { layout } });
      if (layout === "nchwc") layouts.set(name, layout);
      shapes.set(name, shapes.get(v)!);
      converted.set(key, name);
    }
    return name;
  };
  for (const original of g.nodes) {
    const n = { ...original, inputs: [...original.inputs], outputs: [...original.outputs] } as Node;
    let out: Layout = "nchw";
    if (n.op === "Conv" || n.op === "FusedConv") {
      const shape = convShapeOf(n, shapes.get(n.inputs[0]!)!, shapes.get(n.inputs[1]!)!);
      const algo = o.chooseAlgo(shape, o.fpmath);
      algos.set(n.name, algo);
      out = algo === NCHWC_ALGO ? "nchwc" : "nchw";
      n.inputs[0] = ensure(n.inputs[0]!, out === "nchwc" && shape.c <= NCHWC_PLAIN_INPUT_MAX_CHANNELS ? layoutOf(n.inputs[0]!) : out);
      if (n.inputs[3]) n.inputs[3] = ensure(n.inputs[3], out);
    } else if (ELEMENTWISE.has(n.op) || blockedOps.has(n.op)) {
      const ins = n.inputs.filter((v) => v !== "" && !g.initializers.has(v));
      const rank4 = ins.every((v) => shapes.get(v)?.length === 4) && shapes.get(n.outputs[0]!)?.length === 4;
      const same = ins.length > 0 && ins.every((v) => layoutOf(v) === layoutOf(ins[0]!));
      // Constant operands would need blocking too, and a binary op needs both sides alike.
      const blocked = same && layoutOf(ins[0]!) === "nchwc" && ins.length === n.inputs.filter((v) => v !== "").length && (rank4 || n.op === "GlobalAveragePool");
      if (!blocked) n.inputs = n.inputs.map((v) => ensure(v, "nchw"));
      // Global average pooling of NCHWc input writes plain (n, c).
      out = blocked && n.op !== "GlobalAveragePool" ? "nchwc" : "nchw";
    } else {
      n.inputs = n.inputs.map((v) => ensure(v, "nchw"));
    }
    if (out === "nchwc") layouts.set(n.outputs[0]!, "nchwc");
    nodes.push(n);
  }
  // Graph outputs are read as NCHW: a blocked one is written under another name and converted back.
  const outputs = [...g.outputs];
  for (const y of outputs) {
    if (layoutOf(y) !== "nchwc") continue;
    const blockedName = `${y}@nchwc`;
    for (const n of nodes) {
      n.inputs = n.inputs.map((v) => (v === y ? blockedName : v));
      n.outputs = n.outputs.map((v) => (v === y ? blockedName : v));
    }
    layouts.delete(y);
    layouts.set(blockedName, "nchwc");
    nodes.push({ op: "Reorder", name: `reorder:${y}@nchw`, inputs: [blockedName], outputs: [y], attrs: { layout: "nchw" } });
  }
  return { graph: { ...g, nodes, outputs }, layouts, algos };
}
