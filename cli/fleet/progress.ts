/** A one-line progress bar on stderr, drawn only on a terminal (piped stderr stays clean). */
export interface Progress {
  tick(label?: string): void;
  done(): void;
}

/** Progress over `total` items; a no-op unless `stream` is a TTY and there is more than one item. */
export function createProgress(total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY || total <= 1) return { tick() {}, done() {} };
  let n = 0;
  const width = 30;
  const draw = (label = "") => {
    const filled = Math.round((n / total) * width);
    stream.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${n}/${total} hosts ${label}`.slice(0, (stream.columns || 80) - 1) + "\x1b[K");
  };
  draw();
  return {
    tick(label) {
      n++;
      draw(label);
    },
    done() {
      stream.write("\r\x1b[K");
    },
  };
}
