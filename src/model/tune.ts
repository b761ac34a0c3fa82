/**
 * The model tunes its own convs (the fast-run mechanism, at load): on first use of a graph
 * at a thread count and fpmath, every algorithm that runs each distinct conv is timed
 * alone, its answer checked (as `armbench conv` does); then a few whole programs built
 * from those timings race each other, because a layer's winner alone may leave NCHWc and
 * pay reorders on both sides that only the whole model shows. The fastest program whose
 * answer agrees with the default rules' program is kept, per layer, in the model-tune
 * cache (src/cache/store.ts's policy); later loads take it from there.
 */
import { createHash } from "node:crypto";

import { z } from "zod";

import { cacheFile, cacheLookup, cacheScope, cacheStore, loadKeyedCache, saveKeyedCache, type KeyedCache } from "../cache/store.js";
import { parseShapeKey, shapeKey, type AlgoSource } from "../conv/cache.js";
import { defaultConvAlgo } from "../conv/heuristic.js";
import { agreement } from "../engine/compare.js";
import { compileModel, defaultAlgoPolicy, type AlgoPolicy, type CompiledModel } from "../engine/compile.js";
import type { Graph, OpType } from "../engine/ir.js";
import { seededInputs } from "../engine/inputs.js";
import { NCHWC_ALGO } from "../engine/layout.js";
import { defaultAlgoChooser, nativeConvShape, type AlgoChooser, type FpMath } from "../engine/lower.js";
import type { Native, NativeConvShape, NativeHandle } from "../native.js";
import type { Env } from "../results/schema.js";
import { median } from "../stats.js";

/** Each algorithm's samples alone: few and short, since the whole-model race decides. */
const ALONE_SAMPLES = 3;
const ALONE_MIN_SAMPLE_NS = 2e6;
/** The whole-model race: rounds, each running every program this many times in turn. */
const RACE_ROUNDS = 5;
const RACE_ITERATIONS = 2;
/**
 * A layer leaves the layout its default-rules algorithm keeps only when its fastest
 * algorithm alone beats the fastest that keeps it by more than this share; one program
 * per threshold races (0: every layer's winner alone; Infinity: no layout changes).
 */
const LAYOUT_THRESHOLDS = [0, 0.15, 0.4, Infinity];
/** The cosine a tuned program's output must reach against the default rules' program. */
const AGREEMENT: Record<FpMath, number> = { fp32: 0.99999, bf16: 0.999 };

const Entry = z.object({
  /** Per conv (shapeKey/dtype): the algorithm the winning program runs. */
  algos: z.record(z.string(), z.string().min(1)),
  /** The name of the winning program. */
  program: z.string().min(1),
  /** Each raced program's median latency (ms). */
  raced: z.array(z.object({ program: z.string().min(1), ms: z.number().positive() })).max(16),
  tuneMs: z.number().nonnegative(),
  measuredAt: z.string(),
});
export type ModelTuneEntry = z.infer<typeof Entry>;
export type ModelTuneCache = KeyedCache<ModelTuneEntry>;

export function defaultModelTuneCacheFile(): string {
  return cacheFile("model-tune.json");
}

const convKey = (s: NativeConvShape, dtype: string) => `${shapeKey(s)}/${dtype}`;

/** Reads the cache, dropping entries that name a conv or an algorithm this build does not run. */
export function loadModelTuneCache(file: string, env: Env, native: Pick<Native, "convAlgos">, warn: (message: string) => void): ModelTuneCache {
  return loadKeyedCache(
    file,
    {
      kind: "model-tune",
      value: Entry,
      check: (v) => {
        for (const [key, algo] of Object.entries(v.algos)) {
          const [shapeText, dtype] = key.split("/");
          const shape = shapeText ? parseShapeKey(shapeText) : null;
          if (!shape || (dtype !== "fp32" && dtype !== "bf16")) return { field: `value.algos.${key}`, message: "not a conv shape and dtype" };
          let known;
          try {
            known = native.convAlgos(shape).find((a) => a.name === algo && a.name !== "reference");
          } catch (err) {
            return { field: `value.algos.${key}`, message: (err as Error).message };
          }
          if (!known || known.unsupported !== null) return { field: `value.algos.${key}`, message: `"${algo}" does not run this shape here` };
        }
        return null;
      },
    },
    cacheScope(env),
    warn,
  );
}

/** What a graph's tuning is cached under: its name, layout and its convs in order (shapes, dtypes). */
export function graphItem(graph: Graph, program: CompiledModel["program"], layout: string): string {
  const convs = program.steps.flatMap((st) => (st.op === "conv" ? [`${st.name}:${JSON.stringify(st.shape)}:${st.dtype}`] : []));
  const hash = createHash("sha256").update(convs.join("\n")).digest("hex").slice(0, 16);
  return `${graph.name}/${layout}/${hash}`;
}

/** The policy a tuning (cached or measured here) gives: its algorithm per conv, the default rules for any other. */
export function tunedPolicy(entry: ModelTuneEntry, source: AlgoSource, describe: string): AlgoPolicy {
  const pick = (shape: Parameters<AlgoChooser>[0], dtype: FpMath) => {
    const s = nativeConvShape(shape);
    return s ? entry.algos[convKey(s, dtype)] : undefined;
  };
  return {
    choose: (shape, dtype) => pick(shape, dtype) ?? defaultAlgoChooser(shape, dtype),
    sourceOf: (shape, dtype) => (pick(shape, dtype) ? source : "default-rules"),
    describe,
  };
}

export interface ModelTuneContext {
  native: Native;
  progress(message: string): void;
  warn(message: string): void;
}

export interface ModelTuneRequest {
  graph: Graph;
  fpmath: FpMath;
  threads: number;
  pool: NativeHandle;
  nchwcBlock: number;
  layout: "nchw" | "nchwc";
  blockedOps: OpType[];
}

interface Conv {
  shape: NativeConvShape;
  dtype: FpMath;
  /** ms per call of each algorithm that ran it with a checked answer. */
  ms: Map<string, number>;
}

const compileFor = (req: ModelTuneRequest, choose: AlgoChooser): CompiledModel =>
  compileModel(req.graph, { fpmath: req.fpmath, chooseAlgo: choose, nchwcBlock: req.nchwcBlock, ...(req.layout === "nchwc" ? { nchwc: { blockedOps: req.blockedOps } } : {}) });

const isNchwc = (algo: string) => algo === NCHWC_ALGO;

/**
 * The programs that race, each a map conv -> algorithm: the default rules; per threshold
 * (LAYOUT_THRESHOLDS) a conv's winner alone unless it changes layout against the default
 * rules' choice without beating the fastest algorithm that keeps it by more than the
 * threshold; and direct-nchwc wherever it ran. A program equal to an earlier one is not raced twice.
 */
export function candidatePrograms(convs: readonly Conv[], chooseDefault: (c: Conv) => string): { name: string; algos: Record<string, string> }[] {
  const out: { name: string; algos: Record<string, string> }[] = [];
  const seen = new Set<string>();
  const add = (name: string, algos: Record<string, string>) => {
    const key = JSON.stringify(Object.entries(algos).sort());
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ name, algos });
  };
  add("default rules", Object.fromEntries(convs.map((c) => [convKey(c.shape, c.dtype), chooseDefault(c)])));
  for (const t of LAYOUT_THRESHOLDS) {
    const algos: Record<string, string> = {};
    for (const c of convs) {
      const def = chooseDefault(c);
      const ranked = [...c.ms].sort((a, b) => a[1] - b[1]);
      const best = ranked[0];
      if (!best) {
        algos[convKey(c.shape, c.dtype)] = def;
        continue;
      }
      const keeps = ranked.find(([a]) => isNchwc(a) === isNchwc(def));
      const leave = !keeps || isNchwc(best[0]) === isNchwc(def) || best[1] < keeps[1] * (1 - t);
      algos[convKey(c.shape, c.dtype)] = leave ? best[0] : keeps[0];
    }
    const name = t === 0 ? "each conv's winner alone" : t === Infinity ? "winners that keep the default layout" : `winners, leaving the layout when ${Math.round(t * 100)}% faster`;
    add(name, algos);
  }
  // Every conv NCHWc where it ran checked alone: no reorder anywhere, whatever the rules say
  // of a layer (Winograd's transforms may lose to the reorders they bring on one core).
  add("direct-nchwc wherever it runs", Object.fromEntries(convs.map((c) => [convKey(c.shape, c.dtype), c.ms.has(NCHWC_ALGO) ? NCHWC_ALGO : chooseDefault(c)])));
  return out;
}

/** Times every checked algorithm of each distinct conv of `program` alone. */
async function timeConvsAlone(ctx: ModelTuneContext, program: CompiledModel["program"], req: ModelTuneRequest): Promise<Conv[]> {
  const convs = new Map<string, Conv>();
  for (const st of program.steps) {
    if (st.op !== "conv") continue;
    const shape = nativeConvShape(st.shape);
    if (!shape) continue;
    const dtype = st.dtype as FpMath;
    if (!convs.has(convKey(shape, dtype))) convs.set(convKey(shape, dtype), { shape, dtype, ms: new Map() });
  }
  let i = 0;
  for (const c of convs.values()) {
    i++;
    for (const a of ctx.native.convAlgos(c.shape)) {
      if (a.name === "reference" || a.unsupported !== null) continue;
      ctx.progress(`tuning ${req.graph.name} on ${req.threads} thread(s): conv ${i}/${convs.size} ${shapeKey(c.shape)}, ${a.name}`);
      try {
        const r = await ctx.native.convMeasure({ ...c.shape, dtype: c.dtype, algo: a.id, bias: 1, act: 1, seed: 11, samples: ALONE_SAMPLES, minSampleNs: ALONE_MIN_SAMPLE_NS, pool: req.pool });
        if (r.check.passed) c.ms.set(a.name, median(r.samples.map((s) => s.ns / s.calls / 1e6)));
      } catch {
        // An algorithm that fails alone is not a candidate; the default rules' program still races.
      }
    }
  }
  return [...convs.values()];
}

/**
 * Tunes `req.graph` at its thread count: every distinct conv alone, then the candidate
 * programs raced in rounds (each program's runs spread over the rounds, so none meets only
 * a quiet or a busy stretch of the machine). A program that fails to build or whose answer
 * disagrees with the default rules' is dropped with a warning.
 */
export async function tuneModel(ctx: ModelTuneContext, req: ModelTuneRequest, base = compileFor(req, defaultAlgoPolicy.choose)): Promise<ModelTuneEntry> {
  const t0 = process.hrtime.bigint();
  const convs = await timeConvsAlone(ctx, base.program, req);
  const programs = candidatePrograms(convs, (c) => defaultConvAlgo(c.shape, c.dtype));
  const inputs = seededInputs(req.graph).map((t) => t.data);

  const racers: { name: string; algos: Record<string, string>; engine: NativeHandle; ms: number[] }[] = [];
  let reference: Float32Array | Int32Array | null = null;
  for (const p of programs) {
    ctx.progress(`tuning ${req.graph.name} on ${req.threads} thread(s): building "${p.name}"`);
    try {
      const policy = tunedPolicy({ algos: p.algos, program: p.name, raced: [], tuneMs: 0, measuredAt: "" }, "measured", p.name);
      const engine = ctx.native.engineCreate(compileFor(req, policy.choose).program, req.pool);
      const out = (await ctx.native.engineRun(engine, inputs)).outputs[0]!;
      if (reference === null) reference = out;
      else {
        const a = agreement(out, reference);
        if (!(a.nonFinite === 0 && a.cosine >= AGREEMENT[req.fpmath])) {
          ctx.warn(`tuning ${req.graph.name}: the program "${p.name}" disagrees with the default rules' (cosine ${a.cosine.toPrecision(7)}), so it was not raced.`);
          continue;
        }
      }
      racers.push({ ...p, engine, ms: [] });
    } catch (err) {
      ctx.warn(`tuning ${req.graph.name}: the program "${p.name}" did not run (${(err as Error).message}), so it was not raced.`);
    }
  }
  for (let round = 0; round < RACE_ROUNDS; round++) {
    for (const r of racers) {
      ctx.progress(`tuning ${req.graph.name} on ${req.threads} thread(s): racing "${r.name}" (round ${round + 1}/${RACE_ROUNDS})`);
      const m = await ctx.native.engineMeasure(r.engine, inputs, { warmup: 0, iterations: RACE_ITERATIONS });
      r.ms.push(...m.samplesNs.map((ns) => ns / 1e6));
    }
  }
  const raced = racers.map((r) => ({ program: r.name, algos: r.algos, ms: median(r.ms) }));
  const won = raced.reduce<(typeof raced)[number] | null>((a, b) => (!a || b.ms < a.ms ? b : a), null);
  const tuneMs = Number(process.hrtime.bigint() - t0) / 1e6;
  return {
    algos: won ? won.algos : Object.fromEntries(convs.map((c) => [convKey(c.shape, c.dtype), defaultConvAlgo(c.shape, c.dtype)])),
    program: won ? won.program : "default rules",
    raced: raced.map(({ program, ms }) => ({ program, ms })),
    tuneMs,
    measuredAt: new Date().toISOString(),
  };
}

/**
 * The conv algorithms of this graph, thread count and fpmath: the cached tuning, or a new
 * one measured now and stored; its description says which, with the race's figures.
 */
export async function tunedAlgos(ctx: ModelTuneContext, cache: ModelTuneCache, req: ModelTuneRequest): Promise<AlgoPolicy> {
  const base = compileFor(req, defaultAlgoPolicy.choose);
  // Nothing to choose (a transformer): no time spent, no cache entry written.
  if (!base.program.steps.some((s) => s.op === "conv")) return { ...defaultAlgoPolicy, describe: "no convs to tune" };
  const item = graphItem(req.graph, base.program, req.layout);
  const hit = cacheLookup(cache, req.threads, req.fpmath, item);
  const entry = hit ?? (await tuneModel(ctx, req, base));
  if (!hit) {
    cacheStore(cache, req.threads, req.fpmath, item, entry);
    saveKeyedCache(cache);
  }
  const source: AlgoSource = hit ? "cache" : "measured";
  const race = entry.raced.map((r) => `${r.program} ${r.ms.toFixed(2)} ms`).join(", ");
  const summary = `${hit ? `the model-tune cache ${cache.file}` : `tuned here in ${(entry.tuneMs / 1000).toFixed(1)} s`}: "${entry.program}" (raced: ${race || "nothing"})`;
  return { ...tunedPolicy(entry, source, summary), race: { winner: entry.program, raced: entry.raced }, ...(hit ? {} : { tunedInMs: entry.tuneMs }) };
}
