/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The report in a real browser: Debian's Chromium, driven by playwright-core. Locally
 * the test skips (and says why) without /usr/bin/chromium (or ARMBENCH_CHROMIUM); CI sets
 * ARMBENCH_REQUIRE_BROWSER=1, which turns a missing browser into a failure.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { test } from "node:test";

import { chromium, type Browser } from "playwright-core";

import { writeReport } from "../src/commands/report.js";
import { charts } from "../src/report/blocks.js";
import { buildSections, loadMachines } from "../src/report/build.js";
import { tempDir } from "./helpers/fixtures.js";
import { machineResults, writeResults } from "./helpers/report-fixtures.js";

/** ARMBENCH_CHROMIUM points at another build of Chromium. */
const CHROMIUM = process.env.ARMBENCH_CHROMIUM ?? "/usr/bin/chromium";
const required = process.env.ARMBENCH_REQUIRE_BROWSER === "1";
const missing = existsSync(CHROMIUM) ? null : `${CHROMIUM} is not installed (apt-get install chromium); set ARMBENCH_REQUIRE_BROWSER=1 to make this a failure`;

async function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

test("the browser is there when CI requires it", { skip: !required && missing ? missing : false }, () => {
  assert.equal(missing, null, missing ?? "");
});

test("a two-machine report draws every chart, shows the ratio table and logs no error", { skip: missing ?? false, timeout: 120_000 }, async () => {
  const dir = tempDir();
  const files = [writeResults(dir, "arm.json", machineResults("arm-host", 1, { model: true })), writeResults(dir, "x86.json", machineResults("x86-host", 0.8, { model: true }))];
  const out = path.join(dir, "report.html");
  writeReport({ files, output: out });
  const expected = charts(buildSections(loadMachines(files))).map((c) => c.id);
  assert.ok(expected.length >= 10, `${expected.length} charts`);

  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(m.text());
    });
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("request", (r) => {
      if (!r.url().startsWith("file:")) requests.push(r.url());
    });
    await page.goto(pathToFileURL(out).href, { waitUntil: "load" });
    // Drawn pixels per canvas: alpha above zero anywhere means Chart.js drew on it.
    const drawn = await page.evaluate((ids: string[]) => {
      return ids.map((id) => {
        const canvas = document.getElementById(`chart-${id}`) as HTMLCanvasElement | null;
        if (!canvas || canvas.width === 0 || canvas.height === 0) return { id, pixels: -1 };
        const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let pixels = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) pixels++;
        return { id, pixels };
      });
    }, expected);
    for (const d of drawn) assert.ok(d.pixels > 500, `chart ${d.id}: ${d.pixels} drawn pixels`);

    const ratios = await page.evaluate(() => {
      const section = document.getElementById("ratios");
      const tables = section ? [...section.querySelectorAll("table")] : [];
      return tables.map((t) => ({ caption: t.caption?.textContent ?? "", rows: t.tBodies[0]?.rows.length ?? 0, head: [...t.querySelectorAll("th")].map((th) => th.textContent) }));
    });
    const geo = ratios.find((t) => /Geometric-mean speedup over arm-host/.test(t.caption));
    assert.ok(geo && geo.rows >= 4, JSON.stringify(ratios));
    assert.ok(ratios.some((t) => /Performance per dollar/.test(t.caption)) === false, "no prices were given");
    const every = ratios.find((t) => /Every shared benchmark/.test(t.caption));
    assert.ok(every && every.rows > 20 && every.head.includes("x86-host speedup"), JSON.stringify(every));

    // Sorting a numeric column orders it.
    const sorted = await page.evaluate(() => {
      const table = [...document.querySelectorAll<HTMLTableElement>("#ratios table")].find((t) => /Every shared/.test(t.caption?.textContent ?? ""))!;
      const th = [...table.querySelectorAll("th")].find((h) => h.textContent === "x86-host speedup")!;
      th.click();
      const col = [...table.querySelectorAll("th")].indexOf(th);
      return [...table.tBodies[0]!.rows].map((r) => r.cells[col]!.getAttribute("data-v")).filter((v) => v !== "").map(Number);
    });
    assert.deepEqual(sorted, [...sorted].sort((a, b) => a - b));

    // A newcomer's reading: one chart per FMA family, cache sizes with their sources, one line per failure reason.
    assert.deepEqual(expected.filter((id) => id.startsWith("fma-0-")), ["fma-0-arm-neon-fma", "fma-0-arm-neon-dot-product-and-matrix"]);
    const shown = await page.evaluate(() => {
      const systems = [...document.querySelectorAll("#systems tbody tr")].map((r) => [...r.querySelectorAll("td")].map((c) => c.textContent ?? ""));
      const failed = [...document.querySelectorAll<HTMLTableElement>("#gemm table")].find((t) => /did not run/.test(t.caption?.textContent ?? ""));
      return { systems, failed: failed ? [...failed.tBodies[0]!.rows].map((r) => [...r.cells].map((c) => c.textContent ?? "")) : null };
    });
    const l3 = shown.systems.find((r) => r[0] === "L3 cache");
    assert.ok(l3 && l3.slice(1).every((c) => c.startsWith("256 MiB (sysfs; cpuid: 32 MiB), shared by 2 CPUs")), JSON.stringify(shown.systems));
    // Per machine, openblas's bf16 (three sizes, two variants) is one line of six cases.
    assert.deepEqual(shown.failed?.map((r) => [r[0], r[3], r[5]]), [["arm-host", "6", "cblas_sbgemm missing"], ["x86-host", "6", "cblas_sbgemm missing"]]);

    await page.screenshot({ path: path.join(dir, "report.png"), fullPage: false });
    assert.deepEqual(errors, []);
    assert.deepEqual(requests, []);
  } finally {
    await browser.close();
  }
});
