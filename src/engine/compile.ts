/**
 * The model compiler end to end: graph -> passes -> memory plan -> Program, plus the
 * conv-algorithm choosers the caller picks from (the default rules, or the fast-run
 * cache's measured winners with the rules behind them).
 */
import os from "node:os";

import { cacheKey, type FastRunCache } from "../conv/cache.js";
import { UserError } from "../errors.js";
import type { Native } from "../native.js";
import type { Env } from "../results/schema.js";
import { countFlops, type FlopCount, type Graph } from "./ir.js";
import { defaultAlgoChooser, lower, nativeConvShape, type AlgoChooser, type LowerOptions } from "./lower.js";
import { optimize } from "./passes.js";
import { planMemory, type MemoryPlan } from "./plan.js";
import type { Program } from "./program.js";

export interface CompiledModel {
  /** The graph as given (what onnxruntime runs, saved with saveOnnx). */
  graph: Graph;
  optimized: Graph;
  plan: MemoryPlan;
  program: Program;
  flops: FlopCount;
}

/** `memoryBytes` (default: this machine's memory) bounds what the arena and weights may take. */
export function compileModel(graph: Graph, o: LowerOptions & { memoryBytes?: number }): CompiledModel {
  const optimized = optimize(graph);
  const plan = planMemory(optimized);
  const memory = o.memoryBytes ?? os.totalmem();
  if (plan.arenaBytes + plan.weightBytes > memory) {
    const gib = (b: number) => `${(b / 2 ** 30).toFixed(2)} GiB`;
    throw new UserError(`${graph.name} needs ${gib(plan.arenaBytes)} of activations and ${gib(plan.weightBytes)} of weights, more than the ${gib(memory)} of memory here; use a smaller batch or input size.`);
  }
  return { graph, optimized, plan, program: lower(optimized, plan, o), flops: countFlops(graph) };
}

/**
 * The fast-run cache's winner for each shape it has measured on this machine, threads
 * and dtype; `fallback` (the default rules) for the rest.
 */
export function cachedAlgoChooser(cache: FastRunCache, env: Env, threads: number, fallback: AlgoChooser = defaultAlgoChooser): AlgoChooser {
  return (shape, dtype) => {
    const s = nativeConvShape(shape);
    const hit = s ? cache.entries[cacheKey(env, threads, dtype, s)] : undefined;
    return hit?.algo ?? fallback(shape, dtype);
  };
}

/** The addon's NCHWc block where it reports one; `fallback` (no nchwc step is emitted yet) otherwise. */
export function nativeNchwcBlock(native: Native, fallback = 0): number {
  const f = (native as Partial<{ nchwcBlock(): number }>).nchwcBlock;
  return typeof f === "function" ? f.call(native) : fallback;
}
