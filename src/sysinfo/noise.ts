/** Conditions that make timings noisy or unrepresentative, as one-line warnings. */
import { NOISY_LOAD_PER_CPU } from "../constants.js";
import { isEmulated } from "./emulation.js";

export interface NoiseFacts {
  governor: string | null;
  loadAverage1: number;
  logicalCpus: number;
  virtualization: string | null;
  thp: string | null;
}

export function noiseWarnings(f: NoiseFacts): string[] {
  const out: string[] = [];
  if (f.governor !== null && f.governor !== "performance") {
    out.push(`CPU frequency governor is "${f.governor}", not "performance": the clock may change during a run (cpupower frequency-set -g performance).`);
  }
  if (f.loadAverage1 > NOISY_LOAD_PER_CPU * f.logicalCpus) {
    out.push(`load average is ${f.loadAverage1.toFixed(2)} on ${f.logicalCpus} CPUs: other work is competing for the cores.`);
  }
  if (isEmulated(f.virtualization)) {
    out.push(`${f.virtualization}: every timing here measures the emulator, not a core; only the answers (checks) mean anything.`);
  } else if (f.virtualization !== null) {
    out.push(`running virtualized (${f.virtualization}): the hypervisor adds noise and usually hides hardware counters; compare with bare metal before trusting small differences.`);
  }
  if (f.thp === "never") {
    out.push(`transparent huge pages are "never": TLB-bound results differ from hosts with THP on, and huge-page latency runs cannot use them.`);
  }
  return out;
}
