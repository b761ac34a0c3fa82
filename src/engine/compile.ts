/**
 * The model compiler end to end: graph -> passes -> memory plan -> Program, plus the
 * conv-algorithm choosers the caller picks from (the default rules, or the fast-run
 * cache's measured winners with the rules behind them).
 */
import os from "node:os";

import { cachedWinner, type AlgoSource, type FastRunCache } from "../conv/cache.js";
import { UserError } from "../errors.js";
import type { Native } from "../native.js";
import { countFlops, type FlopCount, type Graph, type OpType } from "./ir.js";
import { assignLayouts } from "./layout.js";
import { defaultAlgoChooser, lower, nativeConvShape, type AlgoChooser, type ConvShape, type FpMath, type LowerOptions } from "./lower.js";
import { optimize } from "./passes.js";
import { planMemory, type MemoryPlan, type PlanLayouts } from "./plan.js";
import type { Program } from "./program.js";

export interface CompiledModel {
  /** The graph as given (what onnxruntime runs, saved with saveOnnx). */
  graph: Graph;
  optimized: Graph;
  plan: MemoryPlan;
  program: Program;
  flops: FlopCount;
}

export interface CompileOptions extends LowerOptions {
  /** Bounds what the arena and weights may take; default this machine's memory. */
  memoryBytes?: number;
  /**
   * Keep NCHWc between direct-nchwc convs (assignLayouts), with the other ops the
   * executor runs on NCHWc; absent: every tensor NCHW.
   */
  nchwc?: { blockedOps?: OpType[] };
}

export function compileModel(graph: Graph, o: CompileOptions): CompiledModel {
  let optimized = optimize(graph);
  let lowering: LowerOptions = o;
  let blocked: PlanLayouts | undefined;
  if (o.nchwc) {
    if (!(o.nchwcBlock > 0)) throw new UserError("NCHWc layouts need the executor's channel block (native.nchwcBlock()), and none was given.");
    const a = assignLayouts(optimized, { chooseAlgo: o.chooseAlgo, fpmath: o.fpmath, ...o.nchwc });
    optimized = a.graph;
    lowering = { ...o, layouts: a.layouts, algos: a.algos };
    blocked = { layouts: a.layouts, block: o.nchwcBlock };
  }
  const plan = planMemory(optimized, blocked);
  const memory = o.memoryBytes ?? os.totalmem();
  if (plan.arenaBytes + plan.weightBytes > memory) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    throw new UserError(`${graph.name} needs ${gib(plan.arenaBytes)} of activations and ${gib(plan.weightBytes)} of weights, more than the ${gib(memory)} of memory here; use a smaller batch or input size.`);
  }
  return { graph, optimized, plan, program: lower(optimized, plan, lowering), flops: countFlops(graph) };
}

/** How a model's convs get their algorithms, and where each choice came from. */
export interface AlgoPolicy {
  choose: AlgoChooser;
  sourceOf(shape: ConvShape, dtype: FpMath): AlgoSource;
  /** For people: where the choices come from. */
  describe: string;
  /** When the choices were measured for this run: how long that took (ms). */
  tunedInMs?: number;
  /** When the choices came from a race of whole programs: each one's median latency (ms), and the winner. */
  race?: { winner: string; raced: { program: string; ms: number }[] };
}

export const defaultAlgoPolicy: AlgoPolicy = { choose: defaultAlgoChooser, sourceOf: () => "default-rules", describe: "the default rules" };

/**
 * The fast-run cache's winner for each shape it has measured on this machine and build
 * at this thread count and dtype; `fallback` (the default rules) for the rest. Another
 * thread count's winner is never borrowed: the fastest algorithm changes with threads.
 */
export function cachedAlgoPolicy(cache: FastRunCache, threads: number, fallback: AlgoChooser = defaultAlgoChooser): AlgoPolicy {
  const hit = (shape: ConvShape, dtype: FpMath) => {
    const s = nativeConvShape(shape);
    return s ? cachedWinner(cache, threads, dtype, s) : undefined;
  };
  return {
    choose: (shape, dtype) => hit(shape, dtype)?.algo ?? fallback(shape, dtype),
    sourceOf: (shape, dtype) => (hit(shape, dtype) ? "cache" : "default-rules"),
    describe: `the fast-run cache ${cache.file} (${threads}-thread winners), the default rules elsewhere`,
  };
}

export interface ConvChoice {
  node: string;
  algo: string;
  source: AlgoSource;
}

/** Every conv step's algorithm and where it came from, in program order. */
export function convChoices(program: Program, policy: AlgoPolicy): ConvChoice[] {
  return program.steps.flatMap((st) => (st.op === "conv" ? [{ node: st.name, algo: st.algo, source: policy.sourceOf(st.shape, st.dtype) }] : []));
}

/**
 * A latency record's summary of its convs' algorithms (records hold scalars): where
 * they came from ("cache", "default-rules", or both joined by "+"), how many from each,
 * and each layer's choice as `node=algo(source)`.
 */
export function convChoiceFields(choices: ConvChoice[]): Record<string, string | number> {
  const fromCache = choices.filter((c) => c.source === "cache").length;
  const sources = [...new Set(choices.map((c) => c.source))].sort();
  return {
    algoSource: sources.length ? sources.join("+") : "no convs",
    convsFromCache: fromCache,
    convsFromDefaultRules: choices.length - fromCache,
    convAlgos: choices.map((c) => `${c.node}=${c.algo}(${c.source})`).join("; "),
  };
}

/** The addon's NCHWc block where it reports one; `fallback` (no nchwc step is emitted yet) otherwise. */
export function nativeNchwcBlock(native: Native, fallback = 0): number {
  const f = (native as Partial<{ nchwcBlock(): number }>).nchwcBlock;
  return typeof f === "function" ? f.call(native) : fallback;
}
