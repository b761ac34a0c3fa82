/**
 * How armbench starts another Node process of its own (run's steps, gemm's peer
 * children). Under user-mode emulation without binfmt_misc (qemu-aarch64 in a
 * container, as the aarch64 lane runs), the kernel cannot exec the arm64 Node by
 * itself; ARMBENCH_EMULATOR names the command to start it through, and the emulator's
 * own variables (QEMU_CPU, QEMU_LD_PREFIX) pass down with the environment.
 */
import { UserError } from "./errors.js";

/** The program and arguments that run `process.execPath ARGS`. */
export function nodeCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } {
  const emulator = env.ARMBENCH_EMULATOR?.trim();
  if (!emulator) return { command: process.execPath, args: [...args] };
  const words = emulator.split(/\s+/);
  if (words.some((w) => /["'\\$`]/.test(w))) {
    throw new UserError(`ARMBENCH_EMULATOR must be a command and plain arguments separated by spaces (got ${JSON.stringify(emulator)}).`);
  }
  return { command: words[0]!, args: [...words.slice(1), process.execPath, ...args] };
}
