/**
 * `armbench fleet run` end to end over SSH, on the loopback address only: an OpenSSH
 * server of the test's own (host key, user key and config in a temporary folder, a
 * non-privileged port, stopped at the end) and an inventory of three hosts: two names
 * for that server and one whose port is closed. Each reachable host installs the packed
 * tree with npm ci (offline, from this machine's npm cache: no traffic leaves the
 * loopback address) and runs a suite of seconds. Locally the test skips, saying why,
 * without ansible-playbook or sshd; CI sets ARMBENCH_REQUIRE_FLEET=1, which makes that a
 * failure.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { onPath } from "../src/fleet/ansible.js";
import { loadSummary } from "../src/fleet/summary.js";
import { packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import { gitState } from "../src/sysinfo/collect.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const SSHD = process.env.ARMBENCH_SSHD ?? "/usr/sbin/sshd";
const required = process.env.ARMBENCH_REQUIRE_FLEET === "1";
const missing = !onPath("ansible-playbook")
  ? "ansible-playbook is not on PATH (apt-get install ansible)"
  : !existsSync(SSHD)
    ? `${SSHD} is not installed (apt-get install openssh-server)`
    : !onPath("ssh-keygen")
      ? "ssh-keygen is not on PATH (apt-get install openssh-client)"
      : null;
const skip = !required && missing ? `${missing}; set ARMBENCH_REQUIRE_FLEET=1 to make this a failure` : false;
/** Something only the inventory holds: it must reach no file of the fleet folder. */
const SECRET = "s3cret-fleet-token-5f1c";

test("Ansible and sshd are there when CI requires them", { skip: !required && missing ? missing : false }, () => {
  assert.equal(missing, null, missing ?? "");
});

/** A port nothing listens on right now (the kernel's pick for an ephemeral listener). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs the CLI without blocking the event loop (the fleet takes minutes). */
function armbenchAsync(args: string[], cwd: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), ...args], { cwd, env: { ...process.env, SSH_AUTH_SOCK: "" } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

let dir = "";
let sshd: ChildProcess | null = null;
let inventory = "";

before(async () => {
  if (skip || missing) return;
  dir = tempDir("armbench-fleet-ssh-");
  const keygen = (file: string) => {
    const r = spawnSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "armbench-fleet-test", "-f", file]);
    assert.equal(r.status, 0, r.stderr?.toString());
  };
  keygen(path.join(dir, "host_key"));
  keygen(path.join(dir, "user_key"));
  writeFileSync(path.join(dir, "authorized_keys"), readFileSync(path.join(dir, "user_key.pub")));
  const port = await freePort();
  const closedPort = await freePort();
  writeFileSync(
    path.join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${path.join(dir, "host_key")}`,
      `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`,
      `PidFile ${path.join(dir, "sshd.pid")}`,
      "UsePAM no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PermitRootLogin prohibit-password",
      // The temporary folder's modes are not sshd's business here.
      "StrictModes no",
      "Subsystem sftp internal-sftp",
      "",
    ].join("\n"),
  );
  // Run as root, sshd needs its privilege-separation folder.
  if (process.getuid?.() === 0) mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
  sshd = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  let sshdLog = "";
  sshd.stderr!.on("data", (d: Buffer) => (sshdLog += d.toString()));
  // Host key checking stays on: the server's key is known ahead, as a user adds theirs.
  const hostKey = readFileSync(path.join(dir, "host_key.pub"), "utf8").split(" ").slice(0, 2).join(" ");
  writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
  for (let i = 0; ; i++) {
    const probe = spawnSync("ssh", ["-p", String(port), "-i", path.join(dir, "user_key"), "-o", "IdentitiesOnly=yes", "-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "BatchMode=yes", `${os.userInfo().username}@127.0.0.1`, "true"], { encoding: "utf8", env: { ...process.env, SSH_AUTH_SOCK: "" } });
    if (probe.status === 0) break;
    if (i >= 50) assert.fail(`the test's sshd did not accept the test key: ${probe.stderr.trim()} / ${sshdLog.trim()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const npmCache = spawnSync("npm", ["config", "get", "cache"], { encoding: "utf8" }).stdout.trim();
  writeFileSync(
    path.join(dir, "suite.json"),
    JSON.stringify({
      steps: [
        { name: "info", quick: ["info"] },
        { name: "gemm", quick: ["gemm", "--sizes", "64", "--no-peers", "--no-tune", "--threads", "1", "--quick"] },
      ],
    }),
  );
  inventory = path.join(dir, "fleet.yml");
  writeFileSync(
    inventory,
    [
      "all:",
      "  vars:",
      "    ansible_host: 127.0.0.1",
      `    ansible_port: ${port}`,
      `    ansible_user: ${os.userInfo().username}`,
      `    ansible_ssh_private_key_file: ${path.join(dir, "user_key")}`,
      `    ansible_ssh_common_args: "-o UserKnownHostsFile=${path.join(dir, "known_hosts")} -o IdentitiesOnly=yes"`,
      // No shared connection that outlives the run (and the server) by ControlPersist's minute.
      '    ansible_ssh_args: "-o ControlMaster=no"',
      `    ansible_python_interpreter: ${onPath("python3") ?? "/usr/bin/python3"}`,
      `    armbench_extra_path: ${path.dirname(process.execPath)}`,
      `    armbench_npm_env: { npm_config_offline: "true", npm_config_cache: "${npmCache}" }`,
      `    armbench_suite: suite.json`,
      `    some_api_token: ${SECRET}`,
      "  children:",
      "    loopback:",
      "      hosts:",
      "        h1: { armbench_price_usd_per_hour: 1.5 }",
      "        h2: { armbench_price_usd_per_hour: 2.5 }",
      "    gone:",
      "      hosts:",
      `        unreachable-host: { ansible_port: ${closedPort} }`,
      "",
    ].join("\n"),
  );
});

after(() => {
  sshd?.kill("SIGTERM");
  // A session process of the server still holding its stderr must not keep the test alive.
  sshd?.stderr?.destroy();
  sshd?.unref();
});

test("inventory mistakes are one sentence before any host is reached", { skip }, () => {
  const bad = (body: string) => {
    const file = path.join(dir, `bad-${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, body);
    return armbench(["fleet", "run", "--inventory", file, "--out", path.join(dir, "never")], dir);
  };
  const threads = bad("all:\n  hosts:\n    a: { armbench_threads: 0 }\n");
  assert.equal(threads.status, 1);
  assert.match(threads.stderr, /^armbench: inventory host a: armbench_threads must be a whole number from 1 to 4096, got 0\.\n$/);
  const typo = bad("all:\n  hosts:\n    a: { armbench_thread: 2 }\n");
  assert.match(typo.stderr, /^armbench: inventory host a: armbench_thread is not a variable armbench reads/);
  const suite = bad("all:\n  hosts:\n    a: { armbench_suite: nowhere.json }\n");
  assert.match(suite.stderr, /^armbench: inventory host a: armbench_suite is "nowhere\.json": neither quick, full nor an existing run suite file\.\n$/);
  const none = armbench(["fleet", "run", "--inventory", path.join(dir, "missing.yml")], dir);
  assert.match(none.stderr, /^armbench: inventory .*missing\.yml does not exist; `armbench fleet init` writes an example to start from\.\n$/);
  assert.equal(existsSync(path.join(dir, "never")), false, "no fleet folder for a run that never started");
});

test("a host without Node.js >= 20 fails its check with the command that installs it", { skip, timeout: 5 * 60_000 }, async () => {
  // A Node.js 18 first on that host's PATH: what a Debian 12 machine has from its packages.
  const bin = path.join(dir, "old-node-bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(path.join(bin, "node"), '#!/bin/sh\nif [ "$1" = "--version" ]; then echo v18.19.0; exit 0; fi\nexit 1\n', { mode: 0o755 });
  const file = path.join(dir, "old-node.yml");
  const text = readFileSync(inventory, "utf8");
  // A second host that --limit leaves out: it is never reached (its port is closed anyway).
  writeFileSync(file, `${text.slice(0, text.indexOf("  children:"))}  hosts:\n    old-node: { armbench_extra_path: ${bin} }\n    left-out: { ansible_port: 1 }\n`);
  const run = await armbenchAsync(["fleet", "run", "--inventory", file, "--limit", "old-node", "--out", path.join(dir, "old-node-out")], dir);
  assert.equal(run.status, 1, run.stderr);
  const fleet = path.join(dir, "old-node-out", readdirSync(path.join(dir, "old-node-out"))[0]!);
  const hosts = loadSummary(fleet).hosts;
  assert.deepEqual(hosts.map((x) => x.name), ["old-node"]);
  assert.doesNotMatch(run.stderr, /left-out/, "the playbook itself kept to --limit");
  const [h] = hosts;
  assert.equal(h!.reached, true);
  assert.equal(h!.installed, false);
  assert.equal(h!.failure?.phase, "check");
  assert.match(h!.failure!.reason, /node: missing \(v18\.19\.0, need >= 20\)/);
  assert.match(h!.failure!.reason, /Install with `sudo [a-z-]+ (install|add|-S)[^`]*nodejs[^`]*` or rerun with --install-deps\./);
  assert.equal(existsSync(path.join(fleet, "report.html")), false, "no report without a results file");
});

test("fleet run over loopback SSH: two results files, the unreachable host named with its reason, a report of two machines", { skip, timeout: 30 * 60_000 }, async () => {
  const out = path.join(dir, "out");
  const started = Date.now();
  const run = await armbenchAsync(["fleet", "run", "--inventory", inventory, "--out", out], dir);
  const seconds = (Date.now() - started) / 1000;
  process.stderr.write(`# fleet run over loopback: ${seconds.toFixed(0)} s\n`);
  assert.equal(run.status, 1, `a failed host without --allow-partial exits non-zero\n${run.stderr}`);
  const folders = readdirSync(out).filter((d) => d.startsWith("fleet-"));
  assert.equal(folders.length, 1, folders.join(", "));
  const fleet = path.join(out, folders[0]!);
  const summary = loadSummary(fleet);
  for (const h of summary.hosts) process.stderr.write(`# ${h.name}: ${JSON.stringify(h.phaseSeconds)}\n`);
  assert.deepEqual(summary.hosts.map((h) => h.name), ["h1", "h2", "unreachable-host"]);
  for (const name of ["h1", "h2"]) {
    const h = summary.hosts.find((x) => x.name === name)!;
    assert.equal(h.failure, null, `${name}: ${JSON.stringify(h.failure)}\n${run.stderr}`);
    assert.deepEqual([h.reached, h.installed, h.ran], [true, true, true]);
    assert.equal(h.results, `${name}.json`);
    const results = loadResults(path.join(fleet, h.results!));
    assert.equal(h.records, results.records.length);
    assert.ok(results.records.some((r) => r.suite === "gemm" && r.status === "ok"), `${name} measured its gemm`);
    // The host ran the controller's tree: its results name the controller's commit.
    const git = gitState();
    if (git) assert.equal(results.env.armbench.git?.commit, git.commit);
    assert.ok(existsSync(path.join(fleet, `${name}.log`)), `${name}'s log beside its results`);
  }
  const gone = summary.hosts.find((x) => x.name === "unreachable-host")!;
  assert.equal(gone.reached, false);
  assert.equal(gone.results, null);
  assert.equal(gone.failure?.phase, "reach");
  assert.match(gone.failure!.reason, /^unreachable: .*Connection refused/);
  assert.match(run.stderr, /unreachable-host: unreachable: /);
  // The report: two machines, named as in the inventory, priced from it.
  assert.equal(summary.report, "report.html");
  const html = readFileSync(path.join(fleet, "report.html"), "utf8");
  assert.match(html, /<title>armbench report: h1 vs h2<\/title>/);
  assert.match(html, /2 machines, 2 results files/);
  // Nothing of the inventory's secrets or the user's key reaches any file of the fleet folder.
  const key = readFileSync(path.join(dir, "user_key"), "utf8").split("\n")[1]!;
  for (const f of readdirSync(fleet)) {
    const text = readFileSync(path.join(fleet, f), "utf8");
    assert.ok(!text.includes(SECRET), `${f} holds the inventory's secret`);
    assert.ok(!text.includes(key), `${f} holds the user's private key`);
  }
  // The fleet's report rebuilt from the folder, and the folder mixed with a file in armbench report.
  const again = armbench(["fleet", "report", fleet, "-o", path.join(dir, "again.html")], dir);
  assert.equal(again.status, 0, again.stderr);
  assert.match(readFileSync(path.join(dir, "again.html"), "utf8"), /<title>armbench report: h1 vs h2<\/title>/);
  const mixed = armbench(["report", fleet, path.join(fleet, "h1.json"), "-o", path.join(dir, "mixed.html")], dir);
  assert.equal(mixed.status, 0, mixed.stderr);
  assert.match(readFileSync(path.join(dir, "mixed.html"), "utf8"), /3 machines, 3 results files/);
});
