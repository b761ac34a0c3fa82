/**
 * Recorded CPUID answers of another machine (ARMBENCH_CPUID_RECORDING), so a run can
 * read the caches that machine's CPUID describes: for tests, and for replaying a
 * user's machine. The file is untrusted: a bad one is refused naming the field.
 */
import { readFileSync, statSync } from "node:fs";
import { z } from "zod";

import { UserError } from "../errors.js";

const MAX_FILE_BYTES = 1 << 20;

/** A 32-bit register as a number or a "0x..." string. */
const Word = z.union([
  z.number().int().min(0).max(0xffffffff),
  z
    .string()
    .regex(/^0x[0-9a-fA-F]{1,8}$/, "must be a hex string such as 0x0000001f")
    .transform((t) => Number(t)),
]);

const Recording = z.object({
  about: z.string().optional(),
  answers: z.array(z.tuple([Word, Word, Word, Word, Word, Word])).min(1).max(4096),
});

/** The answers as [leaf, subleaf, eax, ebx, ecx, edx] rows. */
export function parseCpuidRecording(text: string, file: string): number[][] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UserError(`${file} (ARMBENCH_CPUID_RECORDING) is not valid JSON.`);
  }
  const r = Recording.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new UserError(`${file} (ARMBENCH_CPUID_RECORDING): field ${issue.path.join(".") || "(root)"}: ${issue.message}.`);
  }
  return r.data.answers;
}

export function readCpuidRecording(file: string): number[][] {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) throw new UserError(`${file} (ARMBENCH_CPUID_RECORDING) is larger than 1 MiB; it is not a CPUID recording.`);
    text = readFileSync(file, "utf8");
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read ${file} (ARMBENCH_CPUID_RECORDING): ${(e as Error).message}.`);
  }
  return parseCpuidRecording(text, file);
}
