/**
 * `armbench fleet run`: packs this armbench, drives fleet/playbook.yml over the
 * inventory's hosts with ansible-playbook, follows its event stream for live per-host
 * progress, then writes fleet-summary.json and one report over every fetched results file.
 */
import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

import { writeReport } from "../commands/report.js";
import { UserError } from "../errors.js";
import { oneLine, plural } from "../format.js";
import { packageRoot } from "../native.js";
import { loadResults } from "../results/load.js";
import { utcStamp } from "../results/write.js";
import { gitState } from "../sysinfo/collect.js";
import { ansibleEnv, findAnsible, onPath } from "./ansible.js";
import { applyEvent, newHostState, parseEventLine, type HostState } from "./events.js";
import { readInventory, runArgs, type FleetHost } from "./inventory.js";
import { PHASE_DOING } from "./phases.js";
import { renderSummary, writeSummary, FLEET_SCHEMA, SUMMARY_FILE, type FleetSummary, type HostSummary } from "./summary.js";

export interface FleetRunOptions {
  inventory: string;
  suite?: string | undefined;
  limit?: string | undefined;
  /** Parent of the fleet-<UTC time> folder (default results/). */
  out?: string | undefined;
  forks?: number | undefined;
  /** --threads: for every host, over the inventory's armbench_threads. */
  threads?: number | undefined;
  installDeps: boolean;
  allowPartial: boolean;
  quiet: boolean;
  /** The summary as JSON: "" or "-" for stdout, else a file. */
  json?: string | undefined;
}

/** How often the progress shows every busy host with its phase and time. */
const HEARTBEAT_MS = 60_000;
/** Ansible's default of 5 forks would run a sixth host only after one of the first five ends. */
const MAX_DEFAULT_FORKS = 64;

const PLAYBOOK = path.join(packageRoot, "fleet", "playbook.yml");
const CALLBACKS = path.join(packageRoot, "fleet", "callback_plugins");

/** `fleet-<UTC yyyymmdd-hhmmss>`, numbered when a folder of that second exists. */
function fleetFolder(parent: string, now: Date): string {
  const stamp = utcStamp(now);
  let dir = path.join(parent, `fleet-${stamp}`);
  for (let i = 2; existsSync(dir); i++) dir = path.join(parent, `fleet-${stamp}-${i}`);
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new UserError(`cannot create the fleet folder ${dir}: ${(err as Error).message}.`);
  }
  return dir;
}

/** `npm pack` of this working tree: every host installs exactly these files. */
function packArmbench(into: string): { tarball: string; lockfile: string } {
  const npm = onPath("npm");
  if (!npm) throw new UserError("armbench fleet packs armbench with npm, and npm is not on PATH.");
  const lockfile = path.join(packageRoot, "package-lock.json");
  if (!existsSync(lockfile)) throw new UserError(`${lockfile} is missing: every host installs with npm ci, which needs the lock file.`);
  const r = spawnSync(npm, ["pack", "--json", "--ignore-scripts", "--pack-destination", into], { cwd: packageRoot, encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new UserError(`npm pack of ${packageRoot} failed: ${oneLine(r.stderr || `exit ${r.status}`, 300)}.`);
  let name: string | undefined;
  try {
    name = (JSON.parse(r.stdout) as { filename?: string }[])[0]?.filename;
  } catch {
    name = undefined;
  }
  const tarball = name ? path.join(into, name.replace(/^@[^/]+\//, "").replace("/", "-")) : "";
  if (!name || !existsSync(tarball)) throw new UserError(`npm pack wrote no tarball into ${into}.`);
  return { tarball, lockfile };
}

/** The last line of a log that says something (a failure's cause is usually there). */
function logTail(file: string, pattern?: RegExp): string | null {
  if (!existsSync(file)) return null;
  const lines = readFileSync(file, "utf8")
    .split("\n")
    .map((l) => l.replace(/\x1b\[[0-9;]*m/g, "").trim())
    .filter(Boolean);
  const pick = (pattern ? [...lines].reverse().find((l) => pattern.test(l)) : undefined) ?? lines.at(-1);
  return pick ? oneLine(pick, 300) : null;
}

function fileIf(dir: string, name: string): string | null {
  return existsSync(path.join(dir, name)) ? name : null;
}

/** One host's line of the summary, from its events and the files fetched for it. */
export function summarizeHost(host: FleetHost, state: HostState, dir: string): HostSummary {
  const results = fileIf(dir, `${host.stem}.json`);
  const log = fileIf(dir, `${host.stem}.log`);
  const installLog = fileIf(dir, `${host.stem}.install.log`);
  let records = 0;
  let resultsNote: string | null = null;
  let resultsFile = results;
  if (results) {
    try {
      records = loadResults(path.join(dir, results)).records.length;
    } catch (err) {
      resultsNote = `its results file is unreadable: ${(err as Error).message}`;
      resultsFile = null;
    }
  }
  let failure = state.failure;
  if (failure?.phase === "install" && installLog) {
    const tail = logTail(path.join(dir, installLog), /\b(error|ERR!|failed)\b/i);
    if (tail) failure = { ...failure, reason: `${failure.reason}; install.log: ${tail}` };
  } else if (failure?.phase === "run" && log) {
    const tail = logTail(path.join(dir, log), /^armbench[: ]/);
    if (tail) failure = { ...failure, reason: `${failure.reason}; run.log: ${tail}` };
  }
  if (!failure && !state.passed.has("run")) {
    failure = { phase: state.phase ?? "reach", reason: state.startedMs === null ? "ansible-playbook ended before reaching this host (see ansible.log)" : "did not finish (see ansible.log)" };
  }
  if (!failure && resultsNote) failure = { phase: "fetch", reason: resultsNote };
  return {
    name: host.name,
    stem: host.stem,
    groups: host.groups,
    pricePerHour: host.price,
    suite: host.suite === "quick" || host.suite === "full" ? host.suite : path.basename(host.suite),
    reached: state.passed.has("reach") && !state.unreachable,
    installed: state.passed.has("install"),
    ran: state.passed.has("run"),
    seconds: state.startedMs !== null && state.lastMs !== null ? (state.lastMs - state.startedMs) / 1000 : null,
    phaseSeconds: Object.fromEntries(Object.entries(state.phaseSeconds).map(([k, v]) => [k, Math.round(v * 10) / 10])),
    records,
    results: resultsFile,
    log,
    installLog,
    failure,
  };
}

function elapsed(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

interface PlaybookRun {
  states: Map<string, HostState>;
  exitCode: number | null;
  interrupted: boolean;
}

/** Runs the playbook, folding its events into host states and showing progress. */
function runPlaybook(playbook: string, args: string[], hosts: readonly FleetHost[], logFile: string, quiet: boolean): Promise<PlaybookRun> {
  const states = new Map(hosts.map((h) => [h.name, newHostState(h.name)] as const));
  const say = (line: string) => {
    if (!quiet) process.stderr.write(`fleet: ${line}\n`);
  };
  return new Promise((resolve) => {
    const log = createWriteStream(logFile);
    const child = spawn(playbook, args, {
      // stdin stays the user's: Ansible may ask for a become or vault password.
      stdio: ["inherit", "pipe", "pipe"],
      // Ours first on the callback path, the user's own (or Ansible's default) after it.
      env: ansibleEnv({
        ANSIBLE_STDOUT_CALLBACK: "armbench_events",
        ANSIBLE_CALLBACK_PLUGINS: [CALLBACKS, process.env.ANSIBLE_CALLBACK_PLUGINS || "~/.ansible/plugins/callback:/usr/share/ansible/plugins/callback"].join(path.delimiter),
      }),
    });
    let interrupted = false;
    const onSignal = () => {
      interrupted = true;
      say("interrupted: stopping ansible-playbook; the summary keeps what was fetched");
      child.kill("SIGINT");
    };
    process.on("SIGINT", onSignal);
    child.stderr.pipe(log, { end: false });
    const shown = new Map<string, string>();
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      const e = parseEventLine(line);
      if (!e) {
        // Another callback's output or a warning: kept, never parsed.
        log.write(`${line}\n`);
        return;
      }
      const applied = applyEvent(states, e, Date.now());
      if (!applied) return;
      const h = applied.host;
      if (e.event === "ok" && e.task === "fetch") {
        say(`${h.name}: ${h.failure ? `failed at ${h.failure.phase}` : "done"} after ${elapsed(Date.now() - (h.startedMs ?? Date.now()))}`);
      } else if (e.event === "ok" && e.task === "install deps") {
        say(`${h.name}: missing prerequisites installed`);
      } else if (applied.changed && h.failure && (e.event === "failed" || e.event === "unreachable")) {
        say(`${h.name}: ${h.unreachable ? "" : `failed at ${h.failure.phase}: `}${oneLine(h.failure.reason, 160)}`);
      } else if (e.event === "task" && h.phase && h.phase !== "install deps" && shown.get(h.name) !== h.phase) {
        // "install deps" starts on every host and is skipped on most: it is shown only when it installed something.
        shown.set(h.name, h.phase);
        say(`${h.name}: ${PHASE_DOING[h.phase]}`);
      }
    });
    const started = Date.now();
    const heartbeat = setInterval(() => {
      const busy = [...states.values()].filter((h) => h.startedMs !== null && !h.failure && !h.passed.has("fetch"));
      if (busy.length) say(`${elapsed(Date.now() - started)}: ${busy.map((h) => `${h.name} ${h.phase ?? "starting"} for ${elapsed(Date.now() - (h.phaseMs ?? h.startedMs!))}`).join(", ")}`);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const finish = (code: number | null) => {
      clearInterval(heartbeat);
      process.off("SIGINT", onSignal);
      log.end(() => resolve({ states, exitCode: code, interrupted }));
    };
    child.on("error", (err) => {
      log.write(`cannot start ${playbook}: ${err.message}\n`);
      finish(null);
    });
    child.on("close", (code) => finish(code));
  });
}

export async function runFleet(opts: FleetRunOptions): Promise<number> {
  const tools = findAnsible();
  if (opts.forks !== undefined && !(Number.isInteger(opts.forks) && opts.forks >= 1 && opts.forks <= 1000)) {
    throw new UserError(`--forks must be a whole number from 1 to 1000, got ${JSON.stringify(opts.forks)}.`);
  }
  const hosts = readInventory(tools, opts.inventory, { limit: opts.limit, suite: opts.suite }).map((h) => (opts.threads === undefined ? h : { ...h, threads: opts.threads }));
  const startedAt = new Date();
  const dir = fleetFolder(opts.out ?? "results", startedAt);
  const scratch = mkdtempSync(path.join(os.tmpdir(), "armbench-fleet-"));
  try {
    const { tarball, lockfile } = packArmbench(scratch);
    const git = gitState();
    const version = (JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }).version;
    const forks = opts.forks ?? Math.min(hosts.length, MAX_DEFAULT_FORKS);
    const plan = Object.fromEntries(
      hosts.map((h) => [h.name, { stem: h.stem, remote_dir: h.remoteDir ?? "", run_args: runArgs(h), suite_file: h.suite === "quick" || h.suite === "full" ? "" : h.suite }]),
    );
    // Only what armbench decided: nothing of the inventory's own variables goes into this file.
    const varsFile = path.join(scratch, "vars.json");
    writeFileSync(
      varsFile,
      JSON.stringify({
        armbench_plan: plan,
        armbench_out: path.resolve(dir),
        armbench_tarball: tarball,
        armbench_lockfile: lockfile,
        armbench_git: git ?? { commit: "unknown", dirty: true },
        armbench_install_deps: opts.installDeps,
      }),
    );
    if (!opts.quiet) {
      const kb = Math.round(statSync(tarball).size / 1024);
      const at = git ? ` at ${git.commit.slice(0, 12)}${git.dirty ? " with uncommitted changes" : ""}` : "";
      process.stderr.write(
        `fleet: ${plural(hosts.length, "host")} (${hosts.map((h) => h.name).join(", ")}), ${forks} at a time; armbench ${version}${at} packed (${kb} KiB); into ${dir}\n`,
      );
    }
    // The user's own pattern, as Ansible resolved it for the host list: names are not patterns (brackets, ~, ! mean more there).
    const args = ["-i", opts.inventory, PLAYBOOK, "-e", `@${varsFile}`, "--forks", String(forks), ...(opts.limit !== undefined ? ["--limit", opts.limit] : [])];
    const run = await runPlaybook(tools.playbook, args, hosts, path.join(dir, "ansible.log"), opts.quiet);
    const summaries = hosts.map((h) => summarizeHost(h, run.states.get(h.name) ?? newHostState(h.name), dir));
    const finishedAt = new Date();
    const withResults = summaries.filter((s) => s.results !== null);
    const report = withResults.length ? "report.html" : null;
    const summary: FleetSummary = {
      schema: FLEET_SCHEMA,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      seconds: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      inventory: path.resolve(opts.inventory),
      limit: opts.limit ?? null,
      armbench: { version, git },
      hosts: summaries,
      report,
    };
    // The summary first (the report reads it for labels and prices), then the report, then the summary naming it.
    writeSummary(dir, { ...summary, report: null });
    if (report) writeReport({ files: [dir], output: path.join(dir, report) });
    writeSummary(dir, summary);
    process.stderr.write(renderSummary(summary));
    const failed = summaries.filter((s) => s.failure !== null);
    process.stderr.write(
      `fleet: ${summaries.length - failed.length} of ${plural(summaries.length, "host")} ran in ${elapsed(summary.seconds * 1000)}; ${SUMMARY_FILE}${report ? `, ${report}` : ""} and ${plural(withResults.length, "results file")} in ${dir}\n`,
    );
    if (opts.json !== undefined) {
      const text = `${JSON.stringify(summary, null, 2)}\n`;
      if (opts.json === "" || opts.json === "-") process.stdout.write(text);
      else writeFileSync(opts.json, text);
    }
    if ([...run.states.values()].every((h) => h.startedMs === null)) {
      const tail = logTail(path.join(dir, "ansible.log"), /ERROR|error/);
      process.stderr.write(`armbench: ansible-playbook reached no host${tail ? `: ${tail}` : ""}; see ${path.join(dir, "ansible.log")}.\n`);
    }
    if (run.interrupted) return 130;
    if (failed.length === 0) return 0;
    return opts.allowPartial && withResults.length > 0 ? 0 : 1;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
