/**
 * Reading llvm-mca's text report (LLVM 19): the summary, the Instruction Info view,
 * the resource pressure per iteration and the Bottleneck Analysis. llvm-mca has a JSON
 * output too, but it leaves the bottleneck analysis out; the text is what people read.
 */

export interface McaInstruction {
  uops: number;
  latency: number;
  /** Reciprocal throughput in the core's model: cycles per instruction at full issue. */
  rthroughput: number;
  /** llvm-mca's MayLoad flag: the instruction reads memory. */
  mayLoad: boolean;
  text: string;
}

export interface McaBottleneck {
  /** Share of cycles in which backend pressure rose; 0 when llvm-mca found none. */
  backendPressurePct: number;
  resourcePct: number;
  /** The resources llvm-mca names under Resource Pressure, most to least. */
  resources: { name: string; pct: number }[];
  registerPct: number;
  memoryPct: number;
}

export interface McaReport {
  iterations: number;
  instructions: number;
  totalCycles: number;
  uops: number;
  blockRThroughput: number;
  instrs: McaInstruction[];
  /** Cycles per iteration on each resource unit, as the Resource pressure per iteration view lists them. */
  pressure: { name: string; cycles: number }[];
  /** null when the report was made without -bottleneck-analysis. */
  bottleneck: McaBottleneck | null;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+([0-9.]+)\\s*$`, "m").exec(text);
  if (!m) throw new Error(`llvm-mca output has no "${name}:" line`);
  return Number(m[1]);
}

function pctAfter(text: string, label: RegExp): number {
  const m = new RegExp(`${label.source}\\s*\\[\\s*([0-9.]+)%\\s*\\]`, "m").exec(text);
  return m ? Number(m[1]) : 0;
}

function instructionInfo(lines: string[]): McaInstruction[] {
  const head = lines.findIndex((l) => /^\[1\]\s+\[2\]\s+\[3\].*Instructions:\s*$/.test(l));
  if (head < 0) throw new Error("llvm-mca output has no Instruction Info view");
  const textAt = lines[head]!.indexOf("Instructions:");
  // The flag columns hold "*" under their header's bracket, or blanks.
  const loadAt = lines[head]!.indexOf("[4]");
  const out: McaInstruction[] = [];
  for (const line of lines.slice(head + 1)) {
    if (line.trim() === "") break;
    const m = /^\s*(\d+)\s+(\d+)\s+([0-9.]+)/.exec(line);
    if (!m) throw new Error(`unexpected Instruction Info row: ${line}`);
    out.push({ uops: Number(m[1]), latency: Number(m[2]), rthroughput: Number(m[3]), mayLoad: line.slice(loadAt, loadAt + 3).includes("*"), text: line.slice(textAt).trim() });
  }
  return out;
}

function resourcePressure(lines: string[]): { name: string; cycles: number }[] {
  const names = new Map<string, string>();
  const start = lines.indexOf("Resources:");
  if (start < 0) return [];
  for (const line of lines.slice(start + 1)) {
    const m = /^\[([0-9.]+)\]\s+-\s+(\S+)/.exec(line);
    if (!m) break;
    names.set(m[1]!, m[2]!);
  }
  const at = lines.indexOf("Resource pressure per iteration:");
  if (at < 0) return [];
  const ids = [...(lines[at + 1] ?? "").matchAll(/\[([0-9.]+)\]/g)].map((m) => m[1]!);
  const values = (lines[at + 2] ?? "").trim().split(/\s+/);
  if (ids.length !== values.length) throw new Error("llvm-mca resource pressure: the ids and values differ in number");
  return ids.map((id, i) => ({ name: names.get(id) ?? id, cycles: values[i] === "-" ? 0 : Number(values[i]) }));
}

function bottleneck(text: string, lines: string[]): McaBottleneck | null {
  if (/No resource or data dependency bottlenecks discovered/.test(text)) {
    return { backendPressurePct: 0, resourcePct: 0, resources: [], registerPct: 0, memoryPct: 0 };
  }
  if (!/Cycles with backend pressure increase/.test(text)) return null;
  const resources: { name: string; pct: number }[] = [];
  const at = lines.findIndex((l) => /^\s*Resource Pressure\s+\[/.test(l));
  for (const line of at < 0 ? [] : lines.slice(at + 1)) {
    const m = /^\s*-\s+(\S+)\s+\[\s*([0-9.]+)%\s*\]/.exec(line);
    if (!m) break;
    resources.push({ name: m[1]!, pct: Number(m[2]) });
  }
  return {
    backendPressurePct: pctAfter(text, /Cycles with backend pressure increase/),
    resourcePct: pctAfter(text, /^\s*Resource Pressure/),
    resources,
    registerPct: pctAfter(text, /- Register Dependencies/),
    memoryPct: pctAfter(text, /- Memory Dependencies/),
  };
}

/** One llvm-mca report (one code region). Throws on text that is not one. */
export function parseMcaReport(text: string): McaReport {
  const lines = text.split("\n").map((l) => l.replace(/\s+$/, ""));
  return {
    iterations: field(text, "Iterations"),
    instructions: field(text, "Instructions"),
    totalCycles: field(text, "Total Cycles"),
    uops: field(text, "Total uOps"),
    blockRThroughput: field(text, "Block RThroughput"),
    instrs: instructionInfo(lines),
    pressure: resourcePressure(lines),
    bottleneck: bottleneck(text, lines),
  };
}
