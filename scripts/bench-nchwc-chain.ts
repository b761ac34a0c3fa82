/**
 * node dist/scripts/bench-nchwc-chain.js [rounds] [iterations]: what keeping NCHWc
 * between convolutions saves, on one thread. Two ResNet-50-like chains at 56 x 56,
 * batch 1, fp32 and bf16:
 *   "64":         1x1 64->64 + ReLU, 3x3 64->64 + ReLU, 1x1 64->64 + x + ReLU
 *   "bottleneck": 1x1 256->64 + ReLU, 3x3 64->64 + ReLU, 1x1 64->256 + x + ReLU (layer1)
 * each compiled three ways and run through the engine (engineCreate / engineMeasure):
 *   nchwc:       reorder in, the three convs direct-nchwc on NCHWc tensors, reorder out
 *   nchw-direct: the same direct-nchwc plans on NCHW tensors (each conv transforms its
 *                input in and its output back)
 *   nchw-gemm:   gemm-1x1 and im2col on NCHW, for context
 * The variants are measured in alternation, `rounds` times `iterations` inferences
 * each, because the machine may be shared; medians are over all samples of a variant,
 * ratios are of those medians, and the median per-round ratio is printed beside them.
 * "whole" is an inference (nchwc: with its two reorders, which a network pays once, not
 * per chain); "convs" sums the conv steps' own times (per-step profile).
 * Before timing, every variant's output is checked against nchw-direct's (bit for bit
 * for nchwc; within a loose bound for nchw-gemm, a different summation order).
 */
import { loadNative, type NativeHandle } from "../src/native.js";
import type { Program, Step, TensorRef } from "../src/engine/program.js";
import { median } from "../src/stats.js";

const rounds = Number(process.argv[2] ?? 7);
const iterations = Number(process.argv[3] ?? 15);
const native = loadNative();
const block = native.nchwcBlock();

let seed = 12345;
function random(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648 - 0.5;
}
const randoms = (n: number, scale: number) => Float32Array.from({ length: n }, () => scale * random());

interface Conv { c: number; k: number; r: number; residual: boolean }
type Variant = "nchwc" | "nchw-direct" | "nchw-gemm";
const variants: Variant[] = ["nchwc", "nchw-direct", "nchw-gemm"];

function build(convs: Conv[], hw: number, dtype: "fp32" | "bf16", variant: Variant, weights: Float32Array[], biases: Float32Array[]): Program {
  let arena = 0;
  const tensor = (c: number, layout: "nchw" | "nchwc"): TensorRef => {
    const ref: TensorRef = { offset: arena, dims: [1, c, hw, hw], layout };
    const floats = (layout === "nchwc" ? Math.ceil(c / block) * block : c) * hw * hw;
    arena += Math.ceil((floats * 4) / 64) * 64;
    return ref;
  };
  const blocked = variant === "nchwc";
  const layout = blocked ? "nchwc" : "nchw";
  const input = tensor(convs[0]!.c, "nchw");
  const steps: Step[] = [];
  let x = input;
  if (blocked) {
    x = tensor(convs[0]!.c, "nchwc");
    steps.push({ op: "reorder", name: "to-nchwc", x: input, y: x });
  }
  const first = x;
  convs.forEach((cv, i) => {
    const y = tensor(cv.k, layout);
    const pad = (cv.r - 1) / 2;
    const algo = variant === "nchw-gemm" ? (cv.r === 1 ? "gemm-1x1" : "im2col") : "direct-nchwc";
    steps.push({
      op: "conv", name: `conv${i}`, x, y, algo, dtype, act: "relu",
      shape: { n: 1, c: cv.c, h: hw, w: hw, k: cv.k, r: cv.r, s: cv.r, strideH: 1, strideW: 1, padTop: pad, padLeft: pad, padBottom: pad, padRight: pad, dilationH: 1, dilationW: 1, groups: 1 },
      weights: weights[i]!, bias: biases[i], ...(cv.residual ? { residual: first } : {}),
    });
    x = y;
  });
  let output = x;
  if (blocked) {
    output = tensor(convs[convs.length - 1]!.k, "nchw");
    steps.push({ op: "reorder", name: "to-nchw", x, y: output });
  }
  return { arenaBytes: arena, inputs: [{ name: "x", ref: input }], outputs: [{ name: "y", ref: output }], steps, nchwcBlock: blocked ? block : 0 };
}

const chains: Record<string, Conv[]> = {
  "64": [{ c: 64, k: 64, r: 1, residual: false }, { c: 64, k: 64, r: 3, residual: false }, { c: 64, k: 64, r: 1, residual: true }],
  bottleneck: [{ c: 256, k: 64, r: 1, residual: false }, { c: 64, k: 64, r: 3, residual: false }, { c: 64, k: 256, r: 1, residual: true }],
};
const hw = 56;

console.log(`block ${block}, ${rounds} rounds x ${iterations} inferences per variant, one thread, batch 1, ${hw}x${hw}`);
for (const [chainName, convs] of Object.entries(chains)) {
  const weights = convs.map((cv) => randoms(cv.k * cv.c * cv.r * cv.r, Math.sqrt(2 / (cv.c * cv.r * cv.r))));
  const biases = convs.map((cv) => randoms(cv.k, 0.1));
  const x = randoms(convs[0]!.c * hw * hw, 2);
  const flops = convs.reduce((s, cv) => s + 2 * cv.c * cv.k * cv.r * cv.r * hw * hw, 0);
  for (const dtype of ["fp32", "bf16"] as const) {
    const engines = new Map<Variant, NativeHandle>();
    for (const v of variants) engines.set(v, native.engineCreate(build(convs, hw, dtype, v, weights, biases)));
    const kernels = native.engineInfo(engines.get("nchwc")!).kernels;
    const outs = new Map<Variant, Float32Array>();
    for (const v of variants) {
      const out = (await native.engineRun(engines.get(v)!, [x])).outputs[0]!;
      if (!(out instanceof Float32Array)) throw new Error(`the chain's output is int32, not fp32`);
      outs.set(v, out);
    }
    const ref = outs.get("nchw-direct")!;
    const nchwc = outs.get("nchwc")!;
    const same = ref.every((v, i) => Object.is(v, nchwc[i]));
    let worst = 0, scale = 0;
    outs.get("nchw-gemm")!.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - ref[i]!)); scale = Math.max(scale, Math.abs(ref[i]!)); });
    const gemmOk = worst <= (dtype === "bf16" ? 0.05 : 1e-3) * scale;
    if (!same || !gemmOk) {
      console.log(`${chainName} ${dtype}: CHECK FAILED (nchwc bit-identical: ${same}; nchw-gemm worst ${worst} of scale ${scale})`);
      process.exitCode = 1;
      continue;
    }
    const whole = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    const convOnly = new Map<Variant, number[]>(variants.map((v) => [v, []]));
    const convSteps = (v: Variant) => build(convs, hw, dtype, v, weights, biases).steps.map((st, i) => (st.op === "conv" ? i : -1)).filter((i) => i >= 0);
    const roundRatios: number[] = [];
    const roundConvRatios: number[] = [];
    for (let r = 0; r < rounds; ++r) {
      const med = new Map<Variant, number>();
      const convMed = new Map<Variant, number>();
      // Alternate the order too, so neither variant always runs first.
      for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
        const m = await native.engineMeasure(engines.get(v)!, [x], { warmup: 2, iterations, profile: true });
        const idx = convSteps(v);
        const conv = (m.stepNs ?? []).map((row) => idx.reduce((s2, i) => s2 + (row[i] ?? 0), 0));
        whole.get(v)!.push(...m.samplesNs);
        convOnly.get(v)!.push(...conv);
        med.set(v, median(m.samplesNs));
        convMed.set(v, median(conv));
      }
      roundRatios.push(med.get("nchw-direct")! / med.get("nchwc")!);
      roundConvRatios.push(convMed.get("nchw-direct")! / convMed.get("nchwc")!);
    }
    const ms = (m: Map<Variant, number[]>, v: Variant) => median(m.get(v)!) / 1e6;
    for (const [what, m, rr] of [["whole", whole, roundRatios], ["convs", convOnly, roundConvRatios]] as const) {
      const line = variants.map((v) => `${v} ${ms(m, v).toFixed(3)} ms (${(flops / (ms(m, v) * 1e6)).toFixed(1)} GFLOP/s)`).join(", ");
      console.log(
        `${chainName} ${dtype} ${what}: ${line}; nchw-direct / nchwc ${(ms(m, "nchw-direct") / ms(m, "nchwc")).toFixed(3)} ` +
          `(per-round median ${median(rr).toFixed(3)}), nchw-gemm / nchwc ${(ms(m, "nchw-gemm") / ms(m, "nchwc")).toFixed(3)}`,
      );
    }
    console.log(`  nchwc steps: ${kernels.join(", ")}`);
  }
}
