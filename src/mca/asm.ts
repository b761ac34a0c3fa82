/**
 * Cutting microkernel inner loops out of GCC's AArch64 assembly for llvm-mca.
 *
 * A kernel marks its loop nest with ARMBENCH_MCA_BEGIN/END (native/src/runtime/mca_region.h),
 * which GCC copies into the .s file as `# LLVM-MCA-BEGIN name` / `# LLVM-MCA-END`. The
 * region holds the loop nest and whatever set-up GCC placed beside it; what llvm-mca
 * should simulate is the innermost loop doing the multiply-adds, found here from the
 * branches, so nobody edits assembly by hand and a recompiled kernel is re-cut the same way.
 */

export interface AsmRegion {
  name: string;
  /** Labels and instructions between the markers, comments and directives dropped. */
  lines: string[];
}

export interface AsmLoop {
  /** The label the loop branches back to. */
  label: string;
  /** From the label to the backward branch, both included. */
  lines: string[];
  fmaOps: number;
}

// "#" in GCC's output, "//" once LLVM's assembler has expanded a file's macros.
const BEGIN = /^(?:#|\/\/)\s*LLVM-MCA-BEGIN\s+(\S+)\s*$/;
const END = /^(?:#|\/\/)\s*LLVM-MCA-END\b/;
const LABEL = /^([.$\w]+):/;

/**
 * The multiply-accumulate instructions the FMA pipes execute: the figure of merit is
 * how many of these issue per cycle. Floating-point FMA in every form (NEON, SVE, scalar),
 * the bf16 and int8 dot products and matrix multiplies, and FMUL, with which a kernel
 * starts a sum by its first product instead of adding it to a zeroed register (the same
 * pipes, the same product; zeroing would cost a pipe slot per sum for nothing).
 */
const FMA_CLASS = new Set([
  "fmla", "fmul", "fmls", "fmad", "fmsb", "fnmla", "fnmls", "fnmad", "fnmsb",
  "fmadd", "fmsub", "fnmadd", "fnmsub",
  "bfdot", "bfmmla", "bfmlalb", "bfmlalt", "fmmla",
  "sdot", "udot", "usdot", "sudot", "smmla", "ummla", "usmmla",
]);

/** The instruction's mnemonic, lower case ("fmla" of "fmla v0.4s, v1.4s, v2.s[0]"). */
export function mnemonic(line: string): string {
  return (line.trim().split(/\s+/, 1)[0] ?? "").toLowerCase();
}

export function isFmaClass(line: string): boolean {
  return FMA_CLASS.has(mnemonic(line));
}

/** Every marked region of a .s file, in order. A region opened twice or never closed is refused. */
export function asmRegions(text: string): AsmRegion[] {
  const out: AsmRegion[] = [];
  let open: AsmRegion | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    const begin = BEGIN.exec(line);
    if (begin) {
      if (open) throw new Error(`region ${begin[1]} begins inside region ${open.name}`);
      open = { name: begin[1]!, lines: [] };
      continue;
    }
    if (END.test(line)) {
      // GCC may duplicate the END marker onto another exit path; only the first closes.
      if (open) out.push(open);
      open = null;
      continue;
    }
    if (!open) continue;
    const code = line.replace(/\s*\/\/.*$/, "");
    if (code === "" || code.startsWith("#")) continue;
    if (code.startsWith(".") && !LABEL.test(code)) continue;
    open.lines.push(code);
  }
  if (open) throw new Error(`region ${open.name} has no LLVM-MCA-END`);
  return out;
}

const CONDS = "eq|ne|cs|hs|cc|lo|mi|pl|vs|vc|hi|ls|ge|lt|gt|le|al";
const BRANCH = new RegExp(`^(?:b(?:\\.?(?:${CONDS}))?|cbn?z|tbn?z)\\s+(?:.*,\\s*)?([.$\\w]+)$`, "i");

/** The label a branch goes to, or null for anything that is not a branch to a label. */
export function branchTarget(line: string): string | null {
  const m = BRANCH.exec(line.trim());
  return m ? m[1]! : null;
}

/**
 * The loops of a region (a backward branch to a label of the region), innermost first in
 * the sense that a loop containing another one is left out.
 */
export function innermostLoops(lines: readonly string[]): AsmLoop[] {
  const labelAt = new Map<string, number>();
  lines.forEach((l, i) => {
    const m = LABEL.exec(l);
    if (m) labelAt.set(m[1]!, i);
  });
  const spans: { label: string; from: number; to: number }[] = [];
  lines.forEach((l, i) => {
    const target = branchTarget(l);
    const from = target === null ? undefined : labelAt.get(target);
    if (target !== null && from !== undefined && from < i) spans.push({ label: target, from, to: i });
  });
  const inner = spans.filter((s) => !spans.some((o) => o !== s && o.from >= s.from && o.to <= s.to && (o.from > s.from || o.to < s.to)));
  return inner.map((s) => {
    const body = lines.slice(s.from, s.to + 1);
    return { label: s.label, lines: body, fmaOps: body.filter(isFmaClass).length };
  });
}

/**
 * The loop llvm-mca should simulate: of the innermost loops, the one with the most
 * FMA-class instructions (GCC may unswitch a loop into copies doing less of the work).
 */
export function kernelLoop(region: AsmRegion): AsmLoop {
  const loops = innermostLoops(region.lines).filter((l) => l.fmaOps > 0);
  if (loops.length === 0) throw new Error(`region ${region.name} holds no loop with FMA-class instructions`);
  return loops.reduce((best, l) => (l.fmaOps > best.fmaOps ? l : best));
}
