/**
 * The fleet playbook's event stream (fleet/callback_plugins/armbench_events.py: one
 * JSON object per line) folded into one state per host. Pure: fed line by line while
 * ansible-playbook runs, and by the tests with recorded lines.
 */
import { z } from "zod";

import { isPhase, type Phase } from "./phases.js";

const Event = z.object({
  event: z.string(),
  time: z.number(),
  host: z.string().optional(),
  task: z.string().optional(),
  msg: z.string().optional(),
  rc: z.number().optional(),
  stderr: z.string().optional(),
  ignored: z.boolean().optional(),
});
export type FleetEvent = z.infer<typeof Event>;

export interface HostState {
  name: string;
  /** The phase of the last task that started (null before the first). */
  phase: Phase | null;
  /** Controller time (ms) of the host's first and latest event, and of its phase's first task. */
  startedMs: number | null;
  phaseMs: number | null;
  lastMs: number | null;
  /** Seconds spent in each phase so far (the current one counted up to the latest event). */
  phaseSeconds: Partial<Record<Phase, number>>;
  /** Phases that finished at least once with no failure. */
  passed: Set<Phase>;
  unreachable: boolean;
  /** The first failure: its phase and the playbook's message (a log's tail may refine it later). */
  failure: { phase: Phase; reason: string } | null;
}

export function newHostState(name: string): HostState {
  return { name, phase: null, startedMs: null, phaseMs: null, lastMs: null, phaseSeconds: {}, passed: new Set(), unreachable: false, failure: null };
}

/** One line of ansible-playbook's stdout as an event; null for any other line (Ansible may print warnings there). */
export function parseEventLine(line: string): FleetEvent | null {
  const text = line.trim();
  if (!text.startsWith("{")) return null;
  try {
    const parsed = Event.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The failure message in one line: Ansible's own, with the stderr tail when it says more. */
function failureText(e: FleetEvent): string {
  const parts = [e.msg?.trim(), e.stderr?.trim().split("\n").slice(-3).join(" ")].filter((s): s is string => Boolean(s));
  const text = parts.join(": ").replace(/\s+/g, " ").trim() || "failed with no message";
  return e.rc !== undefined && !text.includes(`exit ${e.rc}`) ? `${text} (exit ${e.rc})` : text;
}

/**
 * Applies one event; returns the host whose state changed phase or outcome (for
 * progress), or null. Hosts not in `hosts` (a name the inventory did not list) are added.
 */
export function applyEvent(hosts: Map<string, HostState>, e: FleetEvent, nowMs: number): { host: HostState; changed: boolean } | null {
  if (!e.host) return null;
  let h = hosts.get(e.host);
  if (!h) {
    h = newHostState(e.host);
    hosts.set(e.host, h);
  }
  h.startedMs ??= nowMs;
  if (h.phase && h.phaseMs !== null) h.phaseSeconds[h.phase] = (h.phaseSeconds[h.phase] ?? 0) + (nowMs - (h.lastMs ?? h.phaseMs)) / 1000;
  h.lastMs = nowMs;
  const phase = e.task && isPhase(e.task) ? e.task : null;
  if (!phase) return { host: h, changed: false };
  switch (e.event) {
    case "task": {
      const changed = h.phase !== phase;
      if (changed) h.phaseMs = nowMs;
      h.phase = phase;
      return { host: h, changed };
    }
    case "ok":
      h.passed.add(phase);
      return { host: h, changed: false };
    case "unreachable":
      h.unreachable = true;
      h.failure ??= { phase, reason: `unreachable: ${failureText(e)}` };
      return { host: h, changed: true };
    case "failed":
      if (e.ignored) return { host: h, changed: false };
      h.failure ??= { phase, reason: failureText(e) };
      return { host: h, changed: true };
    default:
      return { host: h, changed: false };
  }
}
