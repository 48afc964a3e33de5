/** Shared pieces of the CLI: common options, settings loading, output helpers. */
import fs from "node:fs";
import { InvalidArgumentError, type Command } from "commander";
import { loadSettings, type Settings } from "../agent/config/settings.js";

export interface LocalOptions {
  baseDir?: string;
  config?: string;
  json?: boolean;
}

/** Adds --base-dir, --config and --json to a local (single-host) command. */
export function localOptions(cmd: Command): Command {
  return cmd
    .option("-b, --base-dir <dir>", "training directory (BASE_DIR); default: settings baseDir, else $TRAINSAFE_BASE_DIR, else .")
    .option("-c, --config <file>", "trainsafe settings file (JSON); default: $TRAINSAFE_CONFIG")
    .option("--json", "print the result as JSON on stdout");
}

/**
 * Resolves settings for a local command: --config (or $TRAINSAFE_CONFIG) and --base-dir
 * (or $TRAINSAFE_BASE_DIR, else the current folder), plus per-command overrides.
 */
export async function settingsFor(opts: LocalOptions, overrides: Record<string, unknown> = {}): Promise<Settings> {
  const file = opts.config ?? process.env.TRAINSAFE_CONFIG;
  let baseDir = opts.baseDir ?? process.env.TRAINSAFE_BASE_DIR;
  const args: { file?: string; baseDir?: string; overrides: Record<string, unknown> } = { overrides };
  if (file) args.file = file;
  if (!baseDir && !file) baseDir = process.cwd();
  if (baseDir) args.baseDir = baseDir;
  return loadSettings(args);
}

/** Whether command output goes straight to fd 1 (a file or a device); undefined until the first write. */
let directOut: boolean | undefined;

/**
 * Writes command output on stdout. Where stdout is a regular file or a character device (a terminal,
 * /dev/null), as node's own stream for them does, synchronously with fs.writeSync: process.stdout's
 * stream loads node:stream's fourteen modules (~1 ms of every local command's ~20 ms above bare node;
 * docs/benchmarks.md, start-up, 2026-12-06 11:00). A pipe or socket, a descriptor that would block,
 * and any error go to process.stdout as before (with what is left to write), so that node reports and
 * orders them as it always has.
 */
export function writeOut(text: string): void {
  if (directOut === undefined) {
    try {
      const st = fs.fstatSync(1);
      directOut = st.isFile() || st.isCharacterDevice();
    } catch {
      directOut = false;
    }
  }
  if (directOut) {
    const bytes = Buffer.from(text, "utf8");
    let done = 0;
    try {
      while (done < bytes.length) done += fs.writeSync(1, bytes, done, bytes.length - done);
      return;
    } catch {
      directOut = false;
      process.stdout.write(bytes.subarray(done));
      return;
    }
  }
  process.stdout.write(text);
}

/** Calls `done` once what writeOut wrote has left this process (at once when it went straight to fd 1). */
export function afterOutput(done: () => void): void {
  if (directOut === false) process.stdout.write("", done);
  else done();
}

/** Writes a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  // JSON escapes C0 controls but not DEL and C1 (U+0080..U+009F, which terminals may obey): escape them
  // too, so log text printed with --json to a terminal carries no live escape sequence.
  const text = JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  writeOut(text + "\n");
}

/** Renders rows as an aligned text table (no colors: output is often piped). */
export function formatTable(headers: string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => String(c)))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  return cells
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd())
    .join("\n");
}

/** Parses an integer option value or throws a usage error naming the option. */
export function intOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    // Commander turns this error into a usage message and exit code 2.
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}
