import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";

import { allPeerEnv, childEnv, PEER_ENV_PREFIXES, peerChoiceWarnings, peerEnvOf, peerVariants, runPeer, type PeerChoices } from "../src/gemm/peers.js";
import { loadNative, packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import { recordKey } from "../src/results/identity.js";
import type { ResultRecord } from "../src/results/schema.js";
import { GemmSuite, loadSuite } from "../src/suites.js";
import { tempDir } from "./helpers/fixtures.js";

const suite = loadSuite("gemm", GemmSuite, false);

/** This process's environment without any peer variable, whatever the machine sets. */
function bareEnv(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!PEER_ENV_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  return out;
}

const haswellEnv = { OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "512" };

test("every variable a peer reads is found, and each peer gets only its own", () => {
  const env = { HOME: "/home/x", PATH: "/bin", ...haswellEnv, BLIS_ARCH_TYPE: "haswell", OMP_NUM_THREADS: "4", ORT_LOGGING: "1", MKL_CBWR: "AVX2", OPENBLASX: "no" };
  assert.deepEqual(allPeerEnv(env), { BLIS_ARCH_TYPE: "haswell", MKL_CBWR: "AVX2", OMP_NUM_THREADS: "4", OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "512", ORT_LOGGING: "1" });
  assert.deepEqual(peerEnvOf("openblas", env), { OMP_NUM_THREADS: "4", OPENBLAS_CORETYPE: "Haswell", OPENBLAS_L2_SIZE: "512" });
  assert.deepEqual(peerEnvOf("blis", env), { BLIS_ARCH_TYPE: "haswell", OMP_NUM_THREADS: "4" });
  assert.deepEqual(peerEnvOf("onednn", { ...env, ONEDNN_MAX_CPU_ISA: "AVX2", DNNL_VERBOSE: "0" }), { DNNL_VERBOSE: "0", OMP_NUM_THREADS: "4", ONEDNN_MAX_CPU_ISA: "AVX2" });
});

test("an 'as configured' run exists only when the environment sets a variable the peer reads", () => {
  assert.deepEqual(peerVariants("openblas", { HOME: "/h" }), [{ run: "as-detected", env: {} }]);
  // Another library's variable changes nothing for this one.
  assert.deepEqual(peerVariants("openblas", { BLIS_ARCH_TYPE: "skx", ORT_X: "1" }), [{ run: "as-detected", env: {} }]);
  assert.deepEqual(peerVariants("openblas", { HOME: "/h", ...haswellEnv }), [
    { run: "as-detected", env: {} },
    { run: "as-configured", env: haswellEnv },
  ]);
});

test("the 'as detected' child gets every peer variable cleared, the 'as configured' one the environment as it is", () => {
  const env = { HOME: "/h", PATH: "/bin", ...haswellEnv, BLIS_ARCH_TYPE: "haswell", ORT_X: "1" };
  const before = { ...env };
  assert.deepEqual(childEnv({ run: "as-detected", env: {} }, env), { HOME: "/h", PATH: "/bin" });
  assert.deepEqual(childEnv({ run: "as-configured", env: haswellEnv }, env), env);
  assert.deepEqual(childEnv({ run: "forced", env: { OPENBLAS_CORETYPE: "SkylakeX" } }, env), { HOME: "/h", PATH: "/bin", OPENBLAS_CORETYPE: "SkylakeX" });
  assert.deepEqual(env, before, "the parent's environment is left as it is");
});

test("the child process reports the variables it really ran with", async () => {
  const parent = { ...bareEnv(), ...haswellEnv, BLIS_ARCH_TYPE: "haswell" };
  const job = { peer: "openblas", cases: [] };
  const detected = await runPeer(job, { run: "as-detected", env: {} }, () => {}, parent);
  const configured = await runPeer(job, { run: "as-configured", env: haswellEnv }, () => {}, parent);
  assert.equal(detected.died, null);
  assert.equal(configured.died, null);
  assert.deepEqual(detected.open?.env, {});
  assert.deepEqual(configured.open?.env, { ...haswellEnv, BLIS_ARCH_TYPE: "haswell" });
  // A DYNAMIC_ARCH OpenBLAS reads the variable: it must have reached the library.
  if (process.arch === "x64" && configured.open?.ok && /DYNAMIC_ARCH/.test(configured.open.version)) {
    assert.equal(configured.open.variant, "Haswell");
  }
});

const zen5 = { avx2: true, avx512f: true, avx512_bf16: true };
const openblas = (over: Partial<PeerChoices>): PeerChoices => ({
  peer: "openblas",
  cpu: "Zen 5",
  override: suite.overrides.openblas,
  features: zen5,
  detected: { variant: "Cooperlake" },
  configured: null,
  ...over,
});

test("narrow kernels chosen only as configured are blamed on the environment's variable, not the library", () => {
  const w = peerChoiceWarnings(openblas({ configured: { variant: "Haswell", env: haswellEnv } }));
  assert.equal(w.length, 1);
  assert.match(w[0]!, /^openblas chose "Haswell" kernels on this Zen 5 only because the environment sets OPENBLAS_CORETYPE=Haswell: /);
  assert.match(w[0]!, /by its own detection \(those variables cleared\) it picks "Cooperlake"/);
  // Without the variable that picks the kernel set, every variable set is named.
  const other = peerChoiceWarnings(openblas({ configured: { variant: "Haswell", env: { OPENBLAS_L2_SIZE: "512" } } }));
  assert.match(other[0]!, /environment sets OPENBLAS_L2_SIZE=512:/);
});

test("the library is blamed only when its own detection chose narrow kernels", () => {
  const own = peerChoiceWarnings(openblas({ detected: { variant: "Haswell" } }));
  assert.deepEqual(own, ['openblas chose "Haswell" kernels by its own detection on this Zen 5 although the CPU has AVX-512; it is measured as detected and again with OPENBLAS_CORETYPE=Cooperlake.']);
  // Narrow both ways: the library's own choice is the cause, the environment adds nothing.
  assert.deepEqual(peerChoiceWarnings(openblas({ detected: { variant: "Haswell" }, configured: { variant: "Haswell", env: haswellEnv } })), own);
  // Full-speed kernels, or a CPU without AVX-512: nothing to say.
  assert.deepEqual(peerChoiceWarnings(openblas({ configured: { variant: "Cooperlake", env: { OMP_NUM_THREADS: "2" } } })), []);
  assert.deepEqual(peerChoiceWarnings(openblas({ features: { avx2: true }, detected: { variant: "Haswell" }, configured: { variant: "Haswell", env: haswellEnv } })), []);
});

test("a changed choice of a peer without a known override, and a detection that did not run, are said as such", () => {
  const onednn = peerChoiceWarnings({
    peer: "onednn",
    cpu: "Sapphire Rapids",
    override: undefined,
    features: zen5,
    detected: { variant: "avx512_core_amx" },
    configured: { variant: "avx2", env: { ONEDNN_MAX_CPU_ISA: "AVX2" } },
  });
  assert.deepEqual(onednn, ['onednn chose "avx2" kernels with the environment\'s ONEDNN_MAX_CPU_ISA=AVX2 and "avx512_core_amx" with it cleared; both are measured.']);
  const died = peerChoiceWarnings(openblas({ detected: { failed: "the openblas process was killed by SIGILL" }, configured: { variant: "Haswell", env: haswellEnv } }));
  assert.equal(died.length, 1);
  assert.match(died[0]!, /as configured \(OPENBLAS_CORETYPE=Haswell\).*did not run \(the openblas process was killed by SIGILL\), so whether its own detection would choose them is not known/);
});

const tiny = path.join(packageRoot, "test", "fixtures", "gemm-tiny.json");

function gemmWith(env: NodeJS.ProcessEnv): ResultRecord[] {
  const file = path.join(tempDir(), "gemm.json");
  const r = spawnSync(
    process.execPath,
    [path.join(packageRoot, "bin", "armbench.js"), "gemm", "--sizes", "32", "--threads", "1", "--dtype", "fp32", "--peers", "openblas", "--suite", tiny, "--json", file, "--quiet"],
    { cwd: packageRoot, encoding: "utf8", timeout: 120_000, env },
  );
  assert.equal(r.status, 0, r.stderr);
  return loadResults(file).records.filter((x) => x.name === "gemm" && x.impl === "openblas");
}

test("armbench gemm records each peer run with the variables it ran with, and keeps the runs apart in identity", () => {
  const plain = gemmWith(bareEnv());
  assert.ok(plain.every((x) => x.params.run !== "as-configured"), "no variable set, no run as configured");
  const plainDetected = plain.filter((x) => x.params.run === "as-detected");
  assert.ok(plainDetected.length > 0);
  assert.ok(plainDetected.every((x) => x.derived?.peerEnv === "" && x.derived?.clearedEnv === ""));
  // A CPU whose OpenBLAS picks narrow kernels by itself also gets the forced run, with its variable.
  for (const x of plain.filter((p) => p.params.run === "forced")) assert.match(String(x.derived?.peerEnv), /^OPENBLAS_CORETYPE=/);

  const set = gemmWith({ ...bareEnv(), ...haswellEnv, BLIS_ARCH_TYPE: "haswell" });
  const detected = set.filter((x) => x.params.run === "as-detected");
  assert.ok(detected.length > 0);
  for (const x of detected) {
    assert.equal(x.params.peerEnv, undefined);
    assert.equal(x.derived?.peerEnv, "");
    assert.equal(x.derived?.clearedEnv, "BLIS_ARCH_TYPE=haswell OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512");
  }
  // A library that is not installed is missing in every environment: no second run.
  // (A child that died is not that: its reason names the process.)
  const missing = detected.every((x) => x.status === "unavailable" && !("kernel" in x.params) && !/^the openblas process|did not start/.test(x.reason));
  const configured = set.filter((x) => x.params.run === "as-configured");
  assert.equal(configured.length > 0, !missing);
  for (const x of configured) {
    assert.equal(x.params.peerEnv, "OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512");
    assert.equal(x.derived?.peerEnv, "BLIS_ARCH_TYPE=haswell OPENBLAS_CORETYPE=Haswell OPENBLAS_L2_SIZE=512");
    const twin = detected.find((d) => d.params.m === x.params.m && d.params.dtype === x.params.dtype);
    if (twin) assert.notEqual(recordKey(twin), recordKey(x));
  }
  // The same run in two files is the same benchmark, whatever it measured.
  for (const x of detected) {
    const again = plainDetected.find((p) => p.params.m === x.params.m);
    if (again) assert.equal(recordKey(again), recordKey(x));
  }
});

test("the child runs each case on the CPUs the parent names, the ones our kernels use: one outside its mask is that case's error", async (t) => {
  const cpus = loadNative().allowedCpus();
  const base = { dtype: "fp32" as const, threads: 1, m: 16, n: 16, k: 16, transA: 0 as const, transB: 0 as const, warm: 1 as const, seed: 1, samples: 1, minSampleNs: 0 };
  const job = { peer: "openblas", cases: [{ ...base, cpus: [cpus[cpus.length - 1]!] }, { ...base, cpus: [Math.max(...cpus) + 1] }] };
  const run = await runPeer(job, { run: "as-detected", env: {} }, () => {}, bareEnv());
  assert.equal(run.died, null);
  if (!run.open?.ok) {
    t.skip(`OpenBLAS did not open here: ${run.open?.reason ?? "no open event"}`);
    return;
  }
  assert.equal(run.results.get(0)?.type, "result", JSON.stringify(run.results.get(0)));
  const bad = run.results.get(1);
  assert.ok(bad?.type === "error" && /^confineProcess: cpus names CPU \d+, which this process may not run on/.test(bad.message), JSON.stringify(bad));
});
