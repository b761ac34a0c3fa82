/**
 * Running a peer library in a child process and reading back what it measured, and
 * which environment each run of a peer gets: its own detection (the library's
 * variables cleared), the environment as configured, and the forced override.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { nodeCommand } from "../node-child.js";
import type { PeerOverride } from "../suites.js";
import type { PeerEvent, PeerJob } from "./peer-child.js";

const childScript = path.join(path.dirname(fileURLToPath(import.meta.url)), "peer-child.js");

/**
 * Prefixes of the variables that BLAS, oneDNN, MKL, onnxruntime and the OpenMP runtimes
 * they may be built against read (OPENBLAS_CORETYPE, BLIS_ARCH_TYPE, ONEDNN_MAX_CPU_ISA,
 * OMP_NUM_THREADS, GOMP_CPU_AFFINITY, ...). Every one is cleared for a run "as detected",
 * so no stray setting of another library can reach the one measured either.
 */
export const PEER_ENV_PREFIXES = ["OPENBLAS_", "GOTO_", "BLIS_", "OMP_", "GOMP_", "KMP_", "ONEDNN_", "DNNL_", "MKL_", "ORT_"] as const;

const OPENMP = ["OMP_", "GOMP_", "KMP_"];

/**
 * The prefixes each peer (or an OpenMP build of it) reads: only these make an
 * "as configured" run differ from the one "as detected". A peer not listed here may
 * read any of them.
 */
const PEER_PREFIXES: Record<string, readonly string[]> = {
  openblas: ["OPENBLAS_", "GOTO_", ...OPENMP],
  blis: ["BLIS_", ...OPENMP],
  onednn: ["ONEDNN_", "DNNL_", ...OPENMP],
};

export type PeerEnv = Record<string, string>;

/** The variables with one of `prefixes` that `env` sets, sorted by name. */
function pick(env: NodeJS.ProcessEnv, prefixes: readonly string[]): PeerEnv {
  const out: PeerEnv = {};
  for (const name of Object.keys(env).sort()) {
    const value = env[name];
    if (value !== undefined && prefixes.some((p) => name.startsWith(p))) out[name] = value;
  }
  return out;
}

/** Every variable `env` sets that a peer library may read. */
export const allPeerEnv = (env: NodeJS.ProcessEnv): PeerEnv => pick(env, PEER_ENV_PREFIXES);

/** The variables `env` sets that change what `peer` does. */
export const peerEnvOf = (peer: string, env: NodeJS.ProcessEnv): PeerEnv => pick(env, PEER_PREFIXES[peer] ?? PEER_ENV_PREFIXES);

/** "A=1 B=2", or "" for none. */
export const formatEnv = (env: PeerEnv): string =>
  Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");

/**
 * How a peer's child process is configured:
 * - "as-detected": every peer variable cleared, so the library picks its kernels itself;
 * - "as-configured": the environment as the user has it (only when it sets one the peer reads);
 * - "forced": cleared, plus the override that selects the kernels its detection missed.
 */
export type PeerRunKind = "as-detected" | "as-configured" | "forced";

export interface PeerVariant {
  run: PeerRunKind;
  /** The peer's variables the child runs with. */
  env: PeerEnv;
}

/** The runs of `peer` the environment calls for, before any override: "as detected", then "as configured" if it sets anything the peer reads. */
export function peerVariants(peer: string, env: NodeJS.ProcessEnv): PeerVariant[] {
  const configured = peerEnvOf(peer, env);
  const out: PeerVariant[] = [{ run: "as-detected", env: {} }];
  if (Object.keys(configured).length) out.push({ run: "as-configured", env: configured });
  return out;
}

/** The child's whole environment for `variant`, from the parent's `env` (which is not changed). */
export function childEnv(variant: PeerVariant, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (variant.run === "as-configured") return { ...env };
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && !PEER_ENV_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  return { ...out, ...variant.env };
}

/**
 * The override that selects the CPU's AVX-512 kernels when `variant` (the kernel set a
 * library chose) is narrower, or null when it is already full speed, the library has no
 * known override, or the CPU has no AVX-512.
 */
export function narrowerOverride(o: PeerOverride | undefined, variant: string, features: Record<string, boolean>): PeerEnv | null {
  if (!o || o.fullSpeed.some((v) => v.toLowerCase() === variant.toLowerCase())) return null;
  const value = features.avx512_bf16 && o.avx512_bf16 ? o.avx512_bf16 : features.avx512f && o.avx512 ? o.avx512 : undefined;
  return value ? { [o.variable]: value } : null;
}

export interface PeerChoices {
  peer: string;
  /** The CPU's name for people ("Zen 5"). */
  cpu: string;
  override: PeerOverride | undefined;
  features: Record<string, boolean>;
  /** What the library chose with its variables cleared, or why that run told nothing. */
  detected: { variant: string } | { failed: string };
  /** What it chose with the environment as configured; null when there was no such run. */
  configured: { variant: string; env: PeerEnv } | null;
}

/**
 * One sentence per finding about a peer's kernel choice, naming the real cause: the
 * library only when its own detection (variables cleared) chose narrow kernels, the
 * environment's variable when only the configured run did.
 */
export function peerChoiceWarnings(c: PeerChoices): string[] {
  const out: string[] = [];
  const forced = "variant" in c.detected ? narrowerOverride(c.override, c.detected.variant, c.features) : null;
  if ("variant" in c.detected && forced) {
    out.push(
      `${c.peer} chose "${c.detected.variant}" kernels by its own detection on this ${c.cpu} although the CPU has AVX-512; it is measured as detected and again with ${formatEnv(forced)}.`,
    );
  }
  if (!c.configured) return out;
  const conf = c.configured;
  // The variable that picks the kernel set, when set, is the one to name; otherwise every one set.
  const cause = c.override && conf.env[c.override.variable] !== undefined ? `${c.override.variable}=${conf.env[c.override.variable]}` : formatEnv(conf.env);
  const confNarrow = narrowerOverride(c.override, conf.variant, c.features) !== null;
  if ("failed" in c.detected) {
    if (confNarrow) {
      out.push(
        `${c.peer} chose "${conf.variant}" kernels on this ${c.cpu} as configured (${cause}) although the CPU has AVX-512; with its variables cleared it did not run (${c.detected.failed}), so whether its own detection would choose them is not known.`,
      );
    }
    return out;
  }
  if (conf.variant === c.detected.variant) return out;
  if (confNarrow && !forced) {
    out.push(
      `${c.peer} chose "${conf.variant}" kernels on this ${c.cpu} only because the environment sets ${cause}: by its own detection (those variables cleared) it picks "${c.detected.variant}"; both are measured.`,
    );
  } else {
    out.push(`${c.peer} chose "${conf.variant}" kernels with the environment's ${cause} and "${c.detected.variant}" with it cleared; both are measured.`);
  }
  return out;
}

export interface PeerRun {
  open: Extract<PeerEvent, { type: "open" }> | null;
  results: Map<number, Extract<PeerEvent, { type: "result" | "error" }>>;
  /** Why the child ended early (a signal or an exit status), or null when it finished. */
  died: string | null;
}

/**
 * Runs `job` in a fresh process configured for `variant` from `env` (the parent's
 * environment by default; libraries read their variables only at load, hence a process).
 */
export function runPeer(job: PeerJob, variant: PeerVariant, onEvent: (e: PeerEvent) => void = () => {}, env: NodeJS.ProcessEnv = process.env): Promise<PeerRun> {
  return new Promise((resolve) => {
    const node = nodeCommand([childScript], env);
    const child = spawn(node.command, node.args, { env: childEnv(variant, env), stdio: ["pipe", "pipe", "pipe"] });
    const run: PeerRun = { open: null, results: new Map(), died: null };
    let buffered = "";
    let stderr = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (!line.trim()) continue;
        const e = JSON.parse(line) as PeerEvent;
        if (e.type === "open") run.open = e;
        else run.results.set(e.index, e);
        onEvent(e);
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c: string) => {
      stderr = (stderr + c).slice(-2000);
    });
    child.on("close", (code, signal) => {
      // A library that aborts says why on stderr in a few lines (libblis: where, what, "Aborting.").
      const said = stderr.trim() ? `: ${stderr.trim().split("\n").slice(-3).map((l) => l.trim()).join(" ").slice(-400)}` : "";
      if (signal) run.died = `the ${job.peer} process was killed by ${signal}${said}`;
      else if (code !== 0) run.died = `the ${job.peer} process exited with status ${code}${said}`;
      resolve(run);
    });
    child.stdin.end(JSON.stringify(job));
  });
}
