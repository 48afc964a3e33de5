/** Shared pieces of the CLI: common options, settings loading, output helpers. */
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

/** Writes a value as pretty JSON on stdout. */
export function printJson(value: unknown): void {
  // JSON escapes C0 controls but not DEL and C1 (U+0080..U+009F, which terminals may obey): escape them
  // too, so log text printed with --json to a terminal carries no live escape sequence.
  const text = JSON.stringify(value, null, 2).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  process.stdout.write(text + "\n");
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
