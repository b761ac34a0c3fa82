#!/usr/bin/env node
// The installed entry point: the compiled CLI lives in dist/ (built by `npm ci`).
let cli;
try {
  cli = await import("../dist/src/cli.js");
} catch (err) {
  if (err && err.code === "ERR_MODULE_NOT_FOUND" && String(err.message).includes("dist/src/cli.js")) {
    process.stderr.write("armbench: the TypeScript is not compiled yet; run `npm ci` (or `npm run build`) in the armbench folder.\n");
    process.exit(1);
  }
  throw err;
}
process.exitCode = await cli.main(process.argv.slice(2));
