import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { pathToFileURL } from "node:url";

import { packageRoot } from "../src/native.js";

const COMMANDS = [[], ["info"], ["micro"], ["gemm"], ["conv"], ["model"], ["run"], ["report"], ["compare"], ["fleet"], ["fleet", "init"], ["fleet", "run"], ["fleet", "report"]];
const WIDTHS = Array.from({ length: 161 }, (_, i) => 40 + i);
const WIDE = 200;

/**
 * Renders `armbench <command> --help` at each width in one child process (a process per
 * rendering would take minutes); the width comes from COLUMNS, as through a pipe.
 */
let rendered: Map<string, string> | undefined;
function renderAll(): Map<string, string> {
  if (rendered) return rendered;
  const cli = pathToFileURL(path.join(packageRoot, "dist", "src", "cli.js")).href;
  const script = `
    const { main } = await import(${JSON.stringify(cli)});
    const commands = ${JSON.stringify(COMMANDS)};
    const widths = ${JSON.stringify(WIDTHS)};
    const write = process.stdout.write.bind(process.stdout);
    const out = {};
    for (const command of commands) {
      for (const width of widths) {
        process.env.COLUMNS = String(width);
        let text = "";
        process.stdout.write = (chunk) => { text += chunk; return true; };
        const status = await main([...command, "--help"]);
        process.stdout.write = write;
        if (status !== 0) throw new Error(command.join(" ") + " --help exited " + status);
        out[command.join(" ") + "@" + width] = text;
      }
    }
    write(JSON.stringify(out));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: packageRoot,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
  rendered = new Map(Object.entries(JSON.parse(r.stdout) as Record<string, string>));
  return rendered;
}

const words = (text: string): string[] => text.split(/\s+/).filter(Boolean).sort();

test("--help of every command keeps every word whole and every line within the width, 40 to 200 columns", () => {
  const help = renderAll();
  for (const command of COMMANDS) {
    const name = `armbench ${command.join(" ")} --help`.replace("  ", " ");
    const reference = help.get(`${command.join(" ")}@${WIDE}`)!;
    assert.ok(reference.includes("--help"), `${name} printed no help`);
    const referenceWords = words(reference);
    for (const width of WIDTHS) {
      const text = help.get(`${command.join(" ")}@${width}`)!;
      assert.ok(!text.includes(" ,"), `${name} at ${width} columns has a space before a comma`);
      assert.deepEqual(words(text), referenceWords, `${name} at ${width} columns splits or joins words`);
      for (const line of text.split("\n")) {
        assert.ok(line.length <= width, `${name} at ${width} columns: a line of ${line.length}: ${JSON.stringify(line)}`);
      }
    }
  }
});

test("the CLI itself takes its help width from COLUMNS when stdout is a pipe", () => {
  const help = renderAll();
  for (const [command, width] of [[["conv"], 47], [["model"], 63], [[], 80]] as const) {
    const r = spawnSync(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), ...command, "--help"], {
      cwd: packageRoot,
      encoding: "utf8",
      env: { ...process.env, COLUMNS: String(width) },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, help.get(`${command.join(" ")}@${width}`));
  }
});

test("-h is --help, for every command, and stays an argument after --", () => {
  const help = renderAll();
  for (const command of [[], ["gemm"], ["compare"]]) {
    const r = spawnSync(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), ...command, "-h"], {
      cwd: packageRoot,
      encoding: "utf8",
      env: { ...process.env, COLUMNS: "72" },
      timeout: 60_000,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, help.get(`${command.join(" ")}@72`));
  }
  const r = spawnSync(process.execPath, [path.join(packageRoot, "bin", "armbench.js"), "compare", "--", "-h"], {
    cwd: packageRoot,
    encoding: "utf8",
    timeout: 60_000,
  });
  assert.ok(!r.stdout.includes("--help"), "-h after -- printed the help");
});
