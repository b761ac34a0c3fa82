/**
 * A fleet's hosts as Ansible reads the user's inventory: names, groups and the armbench_*
 * variables armbench itself uses, checked here so that a typo is one sentence before
 * any host is reached. Other variables (how to reach a host, passwords) stay Ansible's:
 * they are read only by ansible-playbook and never copied anywhere.
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";

import { loadRunSteps } from "../commands/run.js";
import { UserError } from "../errors.js";
import { oneLine } from "../format.js";
import { runAnsibleTool, type AnsibleTools } from "./ansible.js";

/** Suites every host knows; anything else is a run suite file on the controller. */
export const FLEET_SUITES = ["quick", "full"] as const;

export interface FleetHost {
  /** The inventory name (unique in an inventory). */
  name: string;
  /** The file name its results and logs are fetched to: the name made safe, unique in the fleet. */
  stem: string;
  groups: string[];
  price: number | null;
  threads: number | null;
  /** "quick", "full" or an absolute path of a run suite file on the controller. */
  suite: string;
  /** Where on the host armbench is installed and run; null: ~/armbench-fleet/<stem>. */
  remoteDir: string | null;
}

/** The armbench_* variables an inventory may set; any other armbench_* name is a typo. */
const KNOWN_VARS = new Set([
  "armbench_price_usd_per_hour",
  "armbench_threads",
  "armbench_suite",
  "armbench_remote_dir",
  "armbench_extra_path",
  "armbench_npm_env",
  "armbench_allow_become",
  "armbench_install_timeout_s",
  "armbench_run_timeout_s",
]);

/** File stems for inventory names: safe on every filesystem, distinct, never a name the fleet folder uses itself. */
export function fileStems(names: readonly string[]): Map<string, string> {
  const taken = new Set(["fleet-summary", "report", "ansible", "armbench"]);
  const out = new Map<string, string>();
  for (const name of names) {
    const base = name.replace(/[^A-Za-z0-9._-]+/g, "_").replace(/^[.]+/, "_").slice(0, 80) || "host";
    let stem = base;
    for (let i = 2; taken.has(stem.toLowerCase()); i++) stem = `${base}-${i}`;
    taken.add(stem.toLowerCase());
    out.set(name, stem);
  }
  return out;
}

interface InventoryJson {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
  [group: string]: unknown;
}

/** Each host's groups, parents included, from `ansible-inventory --list`. */
function groupsOf(inv: InventoryJson): Map<string, Set<string>> {
  const groups = new Map<string, { hosts: string[]; children: string[] }>();
  for (const [name, value] of Object.entries(inv)) {
    if (name === "_meta" || typeof value !== "object" || value === null) continue;
    const g = value as { hosts?: unknown; children?: unknown };
    groups.set(name, {
      hosts: Array.isArray(g.hosts) ? g.hosts.map(String) : [],
      children: Array.isArray(g.children) ? g.children.map(String) : [],
    });
  }
  const out = new Map<string, Set<string>>();
  const visit = (group: string, trail: string[]): void => {
    const g = groups.get(group);
    if (!g || trail.includes(group)) return;
    const named = [...trail, group].filter((n) => n !== "all" && n !== "ungrouped");
    for (const h of g.hosts) {
      const set = out.get(h) ?? new Set<string>();
      named.forEach((n) => set.add(n));
      out.set(h, set);
    }
    for (const c of g.children) visit(c, [...trail, group]);
  };
  visit("all", []);
  for (const h of Object.keys(inv._meta?.hostvars ?? {})) if (!out.has(h)) out.set(h, new Set());
  return out;
}

/** The host names a --limit pattern selects, as Ansible resolves it. */
function limitHosts(tools: AnsibleTools, inventory: string, pattern: string): Set<string> {
  const text = runAnsibleTool(tools.adhoc, ["-i", inventory, pattern, "--list-hosts"], `resolving --limit ${JSON.stringify(pattern)}`);
  const names = text
    .split("\n")
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean);
  return new Set(names);
}

function positiveNumber(v: unknown): number | null {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) && n > 0 ? n : null;
}

/** Checks one host's armbench_* variables; returns them, or throws one sentence naming host and variable. */
function hostSettings(name: string, vars: Record<string, unknown>, inventoryDir: string, suiteOverride: string | null): Omit<FleetHost, "stem" | "groups"> {
  const bad = (v: string, what: string): never => {
    throw new UserError(`inventory host ${name}: ${v} ${what}, got ${oneLine(JSON.stringify(vars[v]) ?? "undefined", 80)}.`);
  };
  for (const key of Object.keys(vars)) {
    if (key.startsWith("armbench_") && !KNOWN_VARS.has(key)) {
      throw new UserError(`inventory host ${name}: ${key} is not a variable armbench reads (it knows ${[...KNOWN_VARS].join(", ")}).`);
    }
  }
  let price: number | null = null;
  if (vars.armbench_price_usd_per_hour !== undefined) price = positiveNumber(vars.armbench_price_usd_per_hour) ?? bad("armbench_price_usd_per_hour", "must be a positive price in USD per hour");
  let threads: number | null = null;
  if (vars.armbench_threads !== undefined) {
    const t = positiveNumber(vars.armbench_threads);
    threads = t !== null && Number.isInteger(t) && t <= 4096 ? t : bad("armbench_threads", "must be a whole number from 1 to 4096");
  }
  for (const key of ["armbench_install_timeout_s", "armbench_run_timeout_s"]) {
    if (vars[key] !== undefined && !(positiveNumber(vars[key]) !== null && Number.isInteger(Number(vars[key])))) bad(key, "must be a whole number of seconds");
  }
  if (vars.armbench_npm_env !== undefined) {
    const env = vars.armbench_npm_env;
    const ok = typeof env === "object" && env !== null && !Array.isArray(env) && Object.values(env).every((x) => typeof x === "string" || typeof x === "number" || typeof x === "boolean");
    if (!ok) bad("armbench_npm_env", "must map environment variable names to plain values");
  }
  let remoteDir: string | null = null;
  if (vars.armbench_remote_dir !== undefined) {
    const d = vars.armbench_remote_dir;
    remoteDir = typeof d === "string" && (d.startsWith("/") || d.startsWith("~/")) && !/[\n\r]/.test(d) ? d : bad("armbench_remote_dir", "must be an absolute path or one under ~/");
  }
  const suiteValue = suiteOverride ?? (vars.armbench_suite === undefined ? "quick" : typeof vars.armbench_suite === "string" ? vars.armbench_suite : bad("armbench_suite", "must be quick, full or a run suite file"));
  const suite = resolveSuite(suiteValue, suiteOverride === null ? inventoryDir : process.cwd(), suiteOverride === null ? `inventory host ${name}: armbench_suite` : "--suite");
  return { name, price, threads, suite, remoteDir };
}

/** quick, full, or a run suite file (checked now: a bad file fails here, not on every host). */
export function resolveSuite(value: string, baseDir: string, what: string): string {
  if ((FLEET_SUITES as readonly string[]).includes(value)) return value;
  const file = path.resolve(baseDir, value);
  if (!existsSync(file)) throw new UserError(`${what} is ${JSON.stringify(value)}: neither quick, full nor an existing run suite file.`);
  loadRunSteps(file);
  return file;
}

export interface InventoryOptions {
  limit?: string | undefined;
  /** --suite: for every host, over the inventory's armbench_suite. */
  suite?: string | undefined;
}

/** The fleet's hosts, in inventory order, after --limit. */
export function readInventory(tools: AnsibleTools, inventory: string, opts: InventoryOptions = {}): FleetHost[] {
  if (!existsSync(inventory)) throw new UserError(`inventory ${inventory} does not exist; \`armbench fleet init\` writes an example to start from.`);
  const inventoryDir = statSync(inventory).isDirectory() ? path.resolve(inventory) : path.dirname(path.resolve(inventory));
  const text = runAnsibleTool(tools.inventory, ["-i", inventory, "--list"], `reading inventory ${inventory}`);
  let inv: InventoryJson;
  try {
    inv = JSON.parse(text) as InventoryJson;
  } catch {
    throw new UserError(`ansible-inventory printed no inventory for ${inventory}; check it with \`ansible-inventory -i ${inventory} --graph\`.`);
  }
  const groups = groupsOf(inv);
  let names = [...groups.keys()];
  if (names.length === 0) throw new UserError(`inventory ${inventory} lists no hosts (or Ansible could not parse it: \`ansible-inventory -i ${inventory} --graph\` says why).`);
  if (opts.limit !== undefined) {
    const chosen = limitHosts(tools, inventory, opts.limit);
    names = names.filter((n) => chosen.has(n));
    if (names.length === 0) throw new UserError(`--limit ${JSON.stringify(opts.limit)} matches none of the inventory's hosts (${[...groups.keys()].slice(0, 10).join(", ")}).`);
  }
  const suiteOverride = opts.suite ?? null;
  const stems = fileStems(names);
  const hostvars = inv._meta?.hostvars ?? {};
  return names.map((name) => ({
    ...hostSettings(name, hostvars[name] ?? {}, inventoryDir, suiteOverride),
    stem: stems.get(name)!,
    groups: [...(groups.get(name) ?? [])].sort(),
  }));
}

/** `armbench run`'s arguments for a host's suite and threads (a suite file is copied beside the package as suite.json). */
export function runArgs(host: FleetHost): string[] {
  const args = ["run"];
  if (host.suite === "full") args.push("--full");
  else if (host.suite !== "quick") args.push("--suite", "../suite.json");
  if (host.threads !== null) args.push("--threads", String(host.threads));
  return args;
}
