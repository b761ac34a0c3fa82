/**
 * One peer library, in a process of its own: a library that crashes on load cannot
 * harm the parent, and the variables it reads only while it initialises
 * (OPENBLAS_CORETYPE, BLIS_ARCH_TYPE), cleared or set for this process alone, cannot
 * leak into the parent or another peer. Reads a job as JSON on stdin and writes one
 * JSON line per event on stdout.
 */
import { loadNative, type NativeGemmCase } from "../native.js";
import { allPeerEnv, type PeerEnv } from "./peers.js";

export interface PeerJob {
  peer: string;
  path?: string;
  /** threads: the library's thread count; cpus: where every thread of this process runs for the case (ours runs on the same). */
  cases: (Omit<NativeGemmCase, "peer" | "pool" | "kernel"> & { threads: number; cpus: number[] })[];
}

/** `env`: the peer variables this process saw, so the record says what the library really read. */
export type PeerEvent =
  | { type: "open"; ok: true; env: PeerEnv; name: string; library: string; version: string; variant: string; unsupported: { fp32: string | null; bf16: string | null; int8: string | null } }
  | { type: "open"; ok: false; env: PeerEnv; reason: string }
  | { type: "result"; index: number; check: import("../native.js").NativeGemmCheck; samples: { ns: number; calls: number }[] }
  | { type: "error"; index: number; message: string; unsupported?: boolean };

function emit(e: PeerEvent): void {
  process.stdout.write(`${JSON.stringify(e)}\n`);
}

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += chunk;
  return text;
}

async function main(): Promise<void> {
  const job = JSON.parse(await readStdin()) as PeerJob;
  const env = allPeerEnv(process.env);
  const native = loadNative();
  const p = native.peerOpen(job.peer, job.path);
  if (!p.ok) {
    emit({ type: "open", ok: false, env, reason: p.reason });
    return;
  }
  const { handle, ...info } = p;
  emit({ type: "open", env, ...info });
  for (const [index, c] of job.cases.entries()) {
    const unsupported = p.unsupported[c.dtype];
    if (unsupported) {
      emit({ type: "error", index, message: unsupported, unsupported: true });
      continue;
    }
    try {
      // On the CPUs our kernels ran this case on, as on a VM whose CPUs differ in speed a
      // library left to the scheduler may land on another one.
      native.confineProcess(c.cpus);
      native.peerSetThreads(handle, c.threads);
      const { threads: _threads, cpus: _cpus, ...rest } = c;
      const r = await native.gemmMeasure({ ...rest, peer: handle });
      emit({ type: "result", index, check: r.check, samples: r.samples });
    } catch (err) {
      emit({ type: "error", index, message: (err as Error).message });
    }
  }
}

await main();
