/** Where armbench keeps what it learns about a machine between runs. */
import os from "node:os";
import path from "node:path";

/** $ARMBENCH_CACHE_DIR, else $XDG_CACHE_HOME/armbench, else ~/.cache/armbench. */
export function armbenchCacheDir(): string {
  return process.env.ARMBENCH_CACHE_DIR || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "armbench");
}
