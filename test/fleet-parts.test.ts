/**
 * The fleet's parts that need no Ansible: file stems, the event stream folded into host
 * states, a host's summary line, fleet folders as report inputs, and the one sentence a
 * controller without Ansible gets. test/fleet.test.ts runs the whole thing over SSH.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { expandInputs, loadMachines } from "../src/report/build.js";
import { applyEvent, newHostState, parseEventLine, type HostState } from "../src/fleet/events.js";
import { fileStems, runArgs, type FleetHost } from "../src/fleet/inventory.js";
import { summarizeHost } from "../src/fleet/run.js";
import { FLEET_SCHEMA, loadSummary, SUMMARY_FILE, type FleetSummary } from "../src/fleet/summary.js";
import { ANSIBLE_MISSING } from "../src/fleet/ansible.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";
import { machineResults, writeResults } from "./helpers/report-fixtures.js";

const host = (name: string, over: Partial<FleetHost> = {}): FleetHost => ({ name, stem: name, groups: [], price: null, threads: null, suite: "quick", remoteDir: null, ...over });

test("file stems are safe, distinct and never a name the fleet folder uses itself", () => {
  const stems = fileStems(["graviton3-a", "a/b", "a:b", "..hidden", "Fleet-Summary", "report", "x".repeat(200), ""]);
  assert.equal(stems.get("graviton3-a"), "graviton3-a");
  assert.equal(stems.get("a/b"), "a_b");
  assert.equal(stems.get("a:b"), "a_b-2");
  assert.equal(stems.get("..hidden"), "_hidden");
  assert.equal(stems.get("Fleet-Summary"), "Fleet-Summary-2");
  assert.equal(stems.get("report"), "report-2");
  assert.equal(stems.get("x".repeat(200))!.length, 80);
  assert.equal(stems.get(""), "host");
  assert.equal(new Set(stems.values()).size, stems.size);
});

test("run arguments follow the host's suite and threads", () => {
  assert.deepEqual(runArgs(host("a")), ["run"]);
  assert.deepEqual(runArgs(host("a", { suite: "full", threads: 8 })), ["run", "--full", "--threads", "8"]);
  assert.deepEqual(runArgs(host("a", { suite: "/home/u/tiny.json" })), ["run", "--suite", "../suite.json"]);
});

/** Feeds recorded event lines, one second apart. */
function fold(names: string[], lines: object[]): Map<string, HostState> {
  const states = new Map(names.map((n) => [n, newHostState(n)] as const));
  lines.forEach((l, i) => {
    const e = parseEventLine(JSON.stringify({ time: i, ...l }));
    assert.ok(e, JSON.stringify(l));
    applyEvent(states, e, i * 1000);
  });
  return states;
}

test("events: an unreachable host, a host failing its install, a host that ran", () => {
  const ok = (host: string, task: string) => [{ event: "task", host, task }, { event: "ok", host, task }];
  const states = fold(["gone", "broken", "fine"], [
    { event: "task", host: "gone", task: "reach" },
    { event: "unreachable", host: "gone", task: "reach", msg: "Failed to connect to the host via ssh: Connection refused" },
    ...ok("broken", "reach"), ...ok("broken", "check"), { event: "task", host: "broken", task: "install deps" }, { event: "skipped", host: "broken", task: "install deps" },
    ...ok("broken", "copy"), { event: "task", host: "broken", task: "install" },
    { event: "failed", host: "broken", task: "install", msg: "non-zero return code", rc: 1 },
    { event: "failed", host: "broken", task: "fetch", msg: "later failure" },
    ...ok("fine", "reach"), ...ok("fine", "check"), ...ok("fine", "copy"), ...ok("fine", "install"), ...ok("fine", "run"), ...ok("fine", "fetch"),
  ]);
  const gone = states.get("gone")!;
  assert.equal(gone.unreachable, true);
  assert.match(gone.failure!.reason, /^unreachable: Failed to connect.*Connection refused/);
  const broken = states.get("broken")!;
  assert.deepEqual(broken.failure, { phase: "install", reason: "non-zero return code (exit 1)" });
  assert.equal(broken.passed.has("install deps"), false);
  const fine = states.get("fine")!;
  assert.equal(fine.failure, null);
  assert.ok(fine.passed.has("run"));
  // Lines that are not events (another callback's output, a warning) are no events.
  assert.equal(parseEventLine("[WARNING]: something"), null);
  assert.equal(parseEventLine("{not json"), null);
  assert.equal(parseEventLine(JSON.stringify({ event: 3 })), null);
});

test("a host's summary: records counted from its results file, a failure explained by its log", () => {
  const dir = tempDir("armbench-fleet-");
  writeResults(dir, "fine.json", machineResults("fine-box", 1));
  writeFileSync(path.join(dir, "fine.log"), "armbench run: info\n");
  writeFileSync(path.join(dir, "broken.install.log"), "added 80 packages\nnpm error code 1\nnpm error path /x\n");
  writeFileSync(path.join(dir, "torn.json"), '{"schema": "armbench/1", "env"');
  const states = fold(["fine", "broken", "torn", "never"], [
    ...["reach", "check", "copy", "install", "run", "fetch"].flatMap((task) => [{ event: "task", host: "fine", task }, { event: "ok", host: "fine", task }]),
    { event: "task", host: "broken", task: "install" },
    { event: "failed", host: "broken", task: "install", msg: "non-zero return code", rc: 1 },
    ...["reach", "check", "copy", "install", "run", "fetch"].flatMap((task) => [{ event: "task", host: "torn", task }, { event: "ok", host: "torn", task }]),
  ]);
  const fine = summarizeHost(host("fine", { price: 1.5, groups: ["x86"] }), states.get("fine")!, dir);
  assert.equal(fine.failure, null);
  assert.equal(fine.ran, true);
  assert.equal(fine.records, machineResults("fine-box", 1).records.length);
  assert.equal(fine.results, "fine.json");
  assert.equal(fine.log, "fine.log");
  assert.equal(fine.seconds, 11);
  // One second per event: each phase from its first task to the next phase's.
  assert.deepEqual(fine.phaseSeconds, { reach: 2, check: 2, copy: 2, install: 2, run: 2, fetch: 1 });
  const broken = summarizeHost(host("broken"), states.get("broken")!, dir);
  assert.equal(broken.installed, false);
  assert.equal(broken.failure!.phase, "install");
  assert.match(broken.failure!.reason, /exit 1.*install\.log: npm error path \/x/);
  const torn = summarizeHost(host("torn"), states.get("torn")!, dir);
  assert.equal(torn.results, null);
  assert.match(torn.failure!.reason, /results file is unreadable/);
  const never = summarizeHost(host("never"), newHostState("never"), dir);
  assert.equal(never.reached, false);
  assert.match(never.failure!.reason, /ended before reaching this host/);
});

function fleetFolder(hosts: { name: string; price: number | null; hostname: string; speed: number }[]): string {
  const dir = tempDir("armbench-fleet-dir-");
  const summary: FleetSummary = {
    schema: FLEET_SCHEMA,
    startedAt: "2026-12-07T10:00:00.000Z",
    finishedAt: "2026-12-07T10:10:00.000Z",
    seconds: 600,
    inventory: "/x/fleet.yml",
    limit: null,
    armbench: { version: "0.1.0", git: null },
    hosts: hosts.map((h) => {
      writeResults(dir, `${h.name}.json`, machineResults(h.hostname, h.speed));
      return { name: h.name, stem: h.name, groups: [], pricePerHour: h.price, suite: "quick", reached: true, installed: true, ran: true, seconds: 500, phaseSeconds: { install: 200, run: 300 }, records: 1, results: `${h.name}.json`, log: null, installLog: null, failure: null };
    }),
    report: null,
  };
  writeFileSync(path.join(dir, SUMMARY_FILE), JSON.stringify(summary));
  return dir;
}

test("a fleet folder as report input: one column per inventory name, even for one hostname, priced from the inventory", () => {
  // Two inventory names for one machine (as the loopback test has): two columns, never merged.
  const dir = fleetFolder([
    { name: "h1", price: 1.5, hostname: "same-box", speed: 1 },
    { name: "h2", price: null, hostname: "same-box", speed: 1.2 },
  ]);
  const machines = loadMachines([dir]);
  assert.deepEqual(machines.map((m) => m.label), ["h1", "h2"]);
  assert.deepEqual(machines.map((m) => m.pricePerHour), [1.5, null]);
  // --price wins over the inventory's.
  assert.deepEqual(loadMachines([dir], new Map([["h1", 3]])).map((m) => m.pricePerHour), [3, null]);
  // Mixed with a plain results file: that one keeps its hostname.
  const other = writeResults(tempDir(), "other.json", machineResults("other-box", 2));
  assert.deepEqual(loadMachines([dir, other]).map((m) => m.label), ["h1", "h2", "other-box"]);
  assert.equal(expandInputs([dir]).inputs.length, 2);
});

test("fleet folders that are not, and summaries that point outside their folder, are one sentence each", () => {
  const plain = tempDir();
  assert.throws(() => loadMachines([plain]), /is a folder but not a fleet folder \(no fleet-summary\.json\)/);
  const dir = fleetFolder([{ name: "h1", price: null, hostname: "a", speed: 1 }]);
  const summary = JSON.parse(JSON.stringify(loadSummary(dir))) as FleetSummary;
  summary.hosts[0]!.results = "../../etc/passwd";
  writeFileSync(path.join(dir, SUMMARY_FILE), JSON.stringify(summary));
  assert.throws(() => loadSummary(dir), /not a valid fleet summary: hosts\.0\.results: must be a file name in the fleet folder/);
  writeFileSync(path.join(dir, SUMMARY_FILE), "{");
  assert.throws(() => loadSummary(dir), /fleet-summary\.json is not valid JSON/);
  mkdirSync(path.join(dir, "sub"));
  assert.throws(() => loadSummary(path.join(dir, "sub")), /is not a fleet folder: it has no fleet-summary\.json/);
});

test("without Ansible, fleet run says so in one sentence; fleet init and other commands need none", () => {
  const dir = tempDir();
  const env = { ...process.env, PATH: path.join(dir, "no-such-bin") };
  const init = armbench(["fleet", "init", "-o", path.join(dir, "fleet.yml")], dir, env);
  assert.equal(init.status, 0, init.stderr);
  const run = armbench(["fleet", "run", "--inventory", path.join(dir, "fleet.yml")], dir, env);
  assert.equal(run.status, 1);
  assert.equal(run.stderr, `armbench: ${ANSIBLE_MISSING}\n`);
  const again = armbench(["fleet", "init", "-o", path.join(dir, "fleet.yml")], dir, env);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /fleet\.yml exists; give another --output or --force to replace it\.\n$/);
  const report = armbench(["fleet", "report", dir], dir, env);
  assert.equal(report.status, 1);
  assert.match(report.stderr, /is not a fleet folder: it has no fleet-summary\.json/);
  const missing = armbench(["fleet", "run"], dir, env);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /^armbench: fleet run needs the Ansible inventory: --inventory FILE/);
});
