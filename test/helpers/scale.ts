/** A synthetic slowdown for the gate's tests and `npm run bench:gate`. */
import type { ResultRecord, ResultsFile } from "../../src/results/schema.js";
import { summarize } from "../../src/stats.js";

/** `file` with each ok record that `pick` selects made `factor` times as fast (rates x factor, times / factor). */
export function scaled(file: ResultsFile, pick: (r: ResultRecord) => boolean, factor: number, edit: (r: ResultRecord) => ResultRecord = (r) => r): ResultsFile {
  const records = file.records.map((r) => {
    if (r.status !== "ok" || !pick(r)) return r;
    const rate = r.unit.endsWith("/s");
    const samples = r.samples.map((x) => (rate ? x * factor : x / factor));
    const { median, ...spread } = summarize(samples);
    return edit({ ...r, samples, median, spread });
  });
  return { ...file, records };
}
