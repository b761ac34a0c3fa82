/**
 * Hand-made results files for the report tests: every suite's record names and params
 * as the suites write them (and as the model suite will), with deterministic samples.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";

import { okRecord, unavailableRecord } from "../../src/results/record.js";
import { SCHEMA, type ParamValue, type ResultRecord, type ResultsFile } from "../../src/results/schema.js";
import { sampleEnv } from "./fixtures.js";

const CHECK = { method: "test fixture", passed: true };

/** `n` samples within +-2 % of `center`, in a fixed order. */
export function spreadAround(center: number, n = 7): number[] {
  return Array.from({ length: n }, (_, i) => center * (0.98 + (0.04 * ((i * 3) % n)) / Math.max(1, n - 1)));
}

export function ok(suite: string, name: string, impl: string, params: Record<string, ParamValue>, unit: string, center: number, n = 7, derived?: Record<string, number | string | boolean | null>): ResultRecord {
  return okRecord({ suite, name, impl, params, unit, ...(derived ? { derived } : {}) }, spreadAround(center, n), CHECK);
}

export function modelRecords(speed: number): ResultRecord[] {
  const params = { model: "resnet50", batch: 1, threads: 2, fpmath: "fp32", flops: 8.2e9 };
  return [
    ok("model", "model.latency", "armbench", params, "ms", 40 / speed, 30),
    ok("model", "model.latency", "onnxruntime", params, "ms", 50 / speed, 30),
    ok("model", "model.throughput", "armbench", params, "images/s", 25 * speed),
    ok("model", "model.throughput", "onnxruntime", params, "images/s", 20 * speed),
    ok("model", "model.check", "armbench", { ...params, cosine: 0.999998, maxAbsDiff: 0.0004 }, "cosine", 0.999998, 1),
    ok("model", "model.op", "armbench", { ...params, op: "Conv" }, "ms", 30 / speed),
    ok("model", "model.op", "armbench", { ...params, op: "Relu" }, "ms", 6 / speed),
    ok("model", "model.op", "armbench", { ...params, op: "Add" }, "ms", 4 / speed),
  ];
}

/** One machine's results: `speed` scales every rate up and every time down. */
export function machineResults(hostname: string, speed: number, opts: { model?: boolean } = {}): ResultsFile {
  const env = sampleEnv();
  env.machine.hostname = hostname;
  // Each source a level can have: a VM's sysfs L3 that CPUID contradicts, with its note.
  env.caches = [
    { level: 1, type: "Data", sizeBytes: 65536, lineBytes: 64, ways: 4, sharedByCpus: 1, source: "sysfs" },
    { level: 2, type: "Unified", sizeBytes: 1 << 20, lineBytes: 64, ways: 8, sharedByCpus: 1, source: "cpuid" },
    {
      level: 3,
      type: "Unified",
      sizeBytes: 256 << 20,
      lineBytes: 64,
      ways: 16,
      sharedByCpus: 2,
      source: "sysfs",
      disagrees: [{ source: "cpuid", sizeBytes: 32 << 20 }],
      note: "the hypervisor reports the whole package's L3 as one level",
    },
  ];
  const records: ResultRecord[] = [];
  // Two FMA families: NEON's plain FMA and its matrix instructions.
  for (const [insn, dtype, cycles] of [["fmla", "fp32", 4], ["bfmmla", "bf16", 6]] as const) {
    for (const k of [1, 2, 3, 4, 5, 6, 8]) {
      records.push(ok("micro", "micro.fma.chains", "armbench", { isa: "neon", insn, bits: 128, dtype, chain: "acc", k }, "cycles/instr", Math.max(cycles / k, 0.5) / speed));
    }
  }
  const form = { isa: "neon", insn: "fmla", bits: 128, dtype: "fp32", chain: "acc" };
  records.push(ok("micro", "micro.fma.latency", "armbench", form, "cycles", 4 / speed));
  records.push(ok("micro", "micro.fma.throughput", "armbench", form, "instr/cycle", 2 * speed, 7, { fromK: 8, bestK: 8 }));
  records.push(ok("micro", "micro.fma.parallelism", "armbench", form, "chains", 8, 7, { saturatesAt: 8, littleLawAgrees: true }));
  records.push(ok("micro", "micro.peak", "armbench", { dtype: "fp32", isa: "neon", insn: "fmla", bits: 128, threads: 2 }, "GFLOP/s", 80 * speed));
  records.push(ok("micro", "micro.peak", "armbench", { dtype: "bf16", isa: "neon", insn: "bfmmla", bits: 128, threads: 2 }, "GFLOP/s", 320 * speed));
  for (const page of ["4k", "huge"]) {
    for (const bytes of [4096, 65536, 1 << 20, 1 << 24, 1 << 27]) {
      const ns = bytes <= 65536 ? 1.2 : bytes <= 1 << 20 ? 4 : bytes <= 1 << 24 ? 15 : 90;
      records.push(ok("micro", "micro.mem.latency", "armbench", { bytes, page, hugeObtained: page === "huge", seed: 1, passes: 4 }, "ns", ns / speed));
    }
    records.push(ok("micro", "micro.mem.level", "armbench", { level: "L1", bytes: 65536, cacheBytes: 65536, cacheSource: "sysfs", page }, "cycles", 4 / speed, 4, { ns: 1.2 / speed }));
  }
  for (const pages of [8, 64, 512, 4096]) records.push(ok("micro", "micro.tlb", "armbench", { pages, pageBytes: 4096, page: "4k", seed: 2 }, "ns", (pages > 64 ? 3 : 1.2) / speed));
  for (const [bytes, level] of [[16384, "L1"], [1 << 20, "L2"], [1 << 28, "DRAM"]] as const) {
    for (const threads of [1, 2]) records.push(ok("micro", "micro.bandwidth", "armbench", { kernel: "read", bytes, threads, isa: "neon" }, "GB/s", (level === "DRAM" ? 20 : 100) * threads * speed, 3, { level }));
  }
  for (const dtype of ["fp32", "bf16"]) {
    const peak = (dtype === "fp32" ? 80 : 320) * speed;
    records.push(ok("micro", "micro.dtype-peak", "armbench", { dtype, threads: 2 }, "GFLOP/s", peak, 7, { form: dtype === "fp32" ? "neon fmla 128" : "neon bfmmla 128" }));
    for (const size of [64, 256, 1024]) {
      // OpenBLAS twice, as a peer variant is measured: its own choice of kernels and a forced wider one.
      for (const [impl, eff, run, kernel] of [["armbench", 0.8, null, "f32_neon_8x12"], ["openblas", 0.5, "as-detected", "openblas:Haswell"], ["openblas", 0.7, "forced", "openblas:SkylakeX"]] as const) {
        const params = { m: size, n: size, k: size, dtype, threads: 2, kernel, set: "square", shape: `${size}^3`, warm: false, ...(run ? { run } : {}) };
        if (impl === "openblas" && dtype === "bf16") records.push(unavailableRecord({ suite: "gemm", name: "gemm", impl, params, unit: "GFLOP/s" }, "cblas_sbgemm missing"));
        else records.push(ok("gemm", "gemm", impl, { ...params, pctPeak: eff * 100 }, "GFLOP/s", peak * eff * (size / 1024) ** 0.1));
      }
    }
  }
  const layer = { net: "resnet50", layer: "res2 3x3 64-64", n: 1, c: 64, h: 56, w: 56, k: 64, r: 3, s: 3, stride: 1, pad: 1, groups: 1, dtype: "fp32", threads: 2 };
  for (const [algo, g] of [["im2col", 40], ["winograd-f4", 60]] as const) records.push(ok("conv", "conv", "armbench", { ...layer, algo }, "GFLOP/s", g * speed));
  records.push(ok("conv", "conv.winner", "armbench", { ...layer, algo: "winograd-f4" }, "GFLOP/s", 60 * speed, 7, { fromFastRunCache: false, defaultAlgo: "winograd-f4" }));
  if (opts.model) records.push(...modelRecords(speed));
  return { schema: SCHEMA, env, records };
}

export function writeResults(dir: string, name: string, results: ResultsFile): string {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify(results));
  return file;
}
