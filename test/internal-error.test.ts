import assert from "node:assert/strict";
import { test } from "node:test";

import { EXIT_INTERNAL, internalErrorText } from "../src/cli.js";

test("an internal error is one line saying it is a bug and how to report it; the stack only with --debug", () => {
  const err = new RangeError("convMeasure: stride must be a whole number in [1, 64]\n    at somewhere (file.js:1:1)");
  const quiet = internalErrorText(err, false);
  assert.equal(quiet.split("\n").filter(Boolean).length, 1);
  assert.match(quiet, /^armbench: internal error \(RangeError\): convMeasure: stride must be a whole number in \[1, 64\]\. This is a bug in armbench.*--debug/);
  assert.doesNotMatch(quiet, /\bat /);
  const loud = internalErrorText(err, true);
  assert.ok(loud.startsWith(quiet.trimEnd()));
  assert.match(loud, /\n\s+at /);
  assert.match(internalErrorText("a string thrown", false), /internal error \(Error\): a string thrown\./);
  assert.equal(EXIT_INTERNAL, 70);
});
