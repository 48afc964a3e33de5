/** A small line logger for the controller: one line per entry on stderr (journald adds the time). */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, err?: unknown, fields?: Record<string, unknown>): void;
}

function line(level: string, msg: string, fields?: Record<string, unknown>): string {
  const extra = fields && Object.keys(fields).length > 0 ? " " + JSON.stringify(fields) : "";
  return `${new Date().toISOString()} ${level} ${msg}${extra}\n`;
}

/** Logger writing to `write` (default: stderr). */
export function createLogger(write: (text: string) => void = (t) => process.stderr.write(t)): Logger {
  return {
    info: (msg, fields) => write(line("info", msg, fields)),
    warn: (msg, fields) => write(line("warn", msg, fields)),
    error: (msg, err, fields) => {
      const stack = err instanceof Error ? `\n${err.stack ?? err.message}` : err === undefined ? "" : ` ${String(err)}`;
      write(line("error", `${msg}${stack}`, fields));
    },
  };
}

/** A logger that drops everything (tests that assert on other things). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
