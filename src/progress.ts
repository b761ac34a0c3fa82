/** Progress lines on stderr, shown only when stderr is a terminal and not --quiet. */

export interface Progress {
  /** Replaces the current progress line. */
  update(message: string): void;
  /** Clears the progress line. */
  done(): void;
}

export function createProgress(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (quiet || !stream.isTTY) return { update() {}, done() {} };
  let shown = false;
  return {
    update(message) {
      const width = Math.max(20, (stream.columns ?? 80) - 1);
      stream.write(`\r\x1b[2K${message.slice(0, width)}`);
      shown = true;
    },
    done() {
      if (shown) stream.write("\r\x1b[2K");
      shown = false;
    },
  };
}
