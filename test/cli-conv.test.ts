import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";

import { loadNative, packageRoot } from "../src/native.js";
import { loadResults } from "../src/results/load.js";
import { armbench } from "./helpers/cli.js";
import { tempDir } from "./helpers/fixtures.js";

const tiny = path.join(packageRoot, "test", "fixtures", "conv-tiny.json");
const native = loadNative();

test("conv checks every supported algorithm per layer, records the rest as unavailable, and picks a winner", () => {
  const file = path.join(tempDir(), "conv.json");
  const r = armbench(["conv", "--net", "tiny", "--dtype", "all", "--threads", "1", "--suite", tiny, "--json", file, "--quiet"]);
  assert.equal(r.status, 0, r.stderr);
  const { records } = loadResults(file);
  const convs = records.filter((x) => x.name === "conv");
  const winners = records.filter((x) => x.name === "conv.winner");
  // 5 layers x 2 batches x 2 dtypes, one thread.
  assert.equal(winners.length, 5 * 2 * 2);
  // Each winner's 2 samples come from the one later pass its suite asks for, not from the pass that chose it.
  for (const w of winners) {
    assert.equal(w.status, "ok", JSON.stringify(w));
    if (w.status !== "ok") continue;
    assert.equal(w.samples.length, 2);
    assert.equal(w.derived?.passes, 2);
    assert.match(w.check.method, /samples taken in 1 later pass$/);
    const chosen = convs.find((x) => x.status === "ok" && x.params.layer === w.params.layer && x.params.n === w.params.n && x.params.dtype === w.params.dtype && x.params.algo === w.params.algo);
    assert.ok(chosen && chosen.status === "ok" && chosen.samples.join() !== w.samples.join());
  }
  for (const x of convs) {
    if (x.status === "ok") {
      assert.ok(x.check.passed && Number(x.params.maxRelErr) <= Number(x.check.bound), JSON.stringify(x.params));
    } else {
      assert.equal(x.status, "unavailable", JSON.stringify(x));
      if (x.status === "unavailable") assert.ok(x.reason.length > 0);
    }
  }
  // The depthwise layer runs the depthwise algorithm; the 1x1 layer runs gemm-1x1.
  assert.ok(convs.some((x) => x.status === "ok" && x.params.layer === "depthwise 3x3/2" && x.params.algo === "depthwise"));
  assert.ok(convs.some((x) => x.status === "ok" && x.params.layer === "1x1" && x.params.algo === "gemm-1x1"));
  assert.ok(convs.some((x) => x.status === "unavailable" && x.params.layer === "3x3 pad 1, prime channels" && x.params.algo === "gemm-1x1"));
  assert.ok(!convs.some((x) => x.params.algo === "reference"), "the reference is the oracle, not a contender");
  assert.match(r.stdout, /winner/);
});

test("bad conv input gets one sentence and a non-zero exit", () => {
  const cases: [string[], RegExp][] = [
    [["conv", "--net", "vgg19"], /unknown --net "vgg19"/],
    [["conv", "--algo", "winograd-f9"], /unknown --algo "winograd-f9"/],
    [["conv", "--dtype", "fp8"], /unknown --dtype "fp8"/],
    [["conv", "--batch", "0"], /--batch must be a whole number/],
  ];
  for (const [args, msg] of cases) {
    const r = armbench(args);
    assert.equal(r.status, 1, args.join(" "));
    assert.match(r.stderr, msg);
  }
});

test("invalid shapes are refused with the reason", () => {
  const bad = native.convOutput({ n: 1, c: 6, h: 3, w: 3, k: 4, r: 5, s: 5, stride: 1, pad: 0, groups: 1 });
  assert.ok("error" in bad && bad.error.length > 0);
  const groups = native.convOutput({ n: 1, c: 6, h: 8, w: 8, k: 4, r: 3, s: 3, stride: 1, pad: 1, groups: 4 });
  assert.ok("error" in groups && /divisible/.test(groups.error));
});

test("--fast-run writes the cache and a second run reuses it, and says so", () => {
  const dir = tempDir();
  const cache = path.join(dir, "cache.json");
  const args = ["conv", "--net", "tiny", "--threads", "1", "--batch", "1", "--suite", tiny, "--fast-run", "--cache", cache];
  const first = armbench([...args, "--json", path.join(dir, "a.json")]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stderr, /fast-run cache: .*\(0 layer cases reused\)/);
  const entries = JSON.parse(readFileSync(cache, "utf8")).entries as { value: { algo: string } }[];
  assert.equal(entries.length, 5);

  const second = armbench([...args, "--json", path.join(dir, "b.json")]);
  assert.equal(second.status, 0, second.stderr);
  assert.match(second.stderr, /\(5 layer cases reused\)/);
  const { records } = loadResults(path.join(dir, "b.json"));
  const winners = records.filter((x) => x.name === "conv.winner");
  assert.equal(winners.length, 5);
  for (const w of winners) assert.equal(w.derived?.fromFastRunCache, true);
  for (const w of winners) assert.equal(w.derived?.algoSource, "cache");
  // Only the cached algorithm was timed for each layer.
  assert.equal(records.filter((x) => x.name === "conv" && x.status === "ok").length, 5);
  for (const w of winners) assert.ok(entries.some((e) => e.value.algo === w.params.algo));
});
