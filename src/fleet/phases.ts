/**
 * The phases of a fleet host, in order: fleet/playbook.yml names its tasks after them
 * (several tasks may share one name), and the summary says which one a host failed in.
 */
export const PHASES = ["reach", "check", "install deps", "copy", "install", "run", "fetch"] as const;
export type Phase = (typeof PHASES)[number];

/** What the progress line says a host is doing in each phase. */
export const PHASE_DOING: Record<Phase, string> = {
  reach: "connecting",
  check: "checking Node.js, npm, CMake, a C++17 compiler, make and tar",
  "install deps": "installing missing prerequisites",
  copy: "copying armbench",
  install: "installing (npm ci, building the native addon)",
  run: "running the suite",
  fetch: "fetching results and logs",
};

export function isPhase(name: string): name is Phase {
  return (PHASES as readonly string[]).includes(name);
}
