/**
 * The trainsafe command line without its list of commands: builds the program from the command modules
 * it is given, parses argv, and maps errors to exit codes. cli/main.ts gives it every command (loaded
 * on demand); the shipped form's per-command scripts (deploy/build.mjs) give it one, bundled in.
 */
import { Command, CommanderError } from "commander";
import { EXIT_CODE, TrainsafeError } from "../agent/lib/errors.js";

/** One command module: registers itself (and its subcommands) on the program. */
export interface CommandModule {
  register(program: Command): void;
}

/** A command by name, with its module loaded only when the command is run (or listed by --help). */
export interface CommandEntry {
  readonly name: string;
  readonly load: () => Promise<CommandModule>;
}

/** The command an argv names: its first word that is not an option (undefined for none). */
export function commandName(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith("-"));
}

/** Runs the command line `argv` (process.argv form) with these commands; sets process.exitCode. */
export async function runCli(argv: string[], commands: readonly CommandEntry[]): Promise<void> {
  const program = new Command("trainsafe")
    .description("Keeps GPU training jobs alive and explains why they die.")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const args = argv.slice(2);
  const name = commandName(args);
  const chosen = commands.filter((c) => c.name === name);
  // `--version` needs no command; help and unknown commands need them all (to list them).
  const versionOnly = name === undefined && args.some((a) => a === "-V" || a === "--version");
  try {
    for (const c of chosen.length ? chosen : versionOnly ? [] : commands) (await c.load()).register(program);
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

/** Maps any error to an exit code and prints a one-line message (a stack only for the unexpected). */
function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") return 0;
    return 2; // commander already printed the message
  }
  if (err instanceof TrainsafeError) {
    process.stderr.write(`trainsafe: ${err.message}\n`);
    return EXIT_CODE[err.kind];
  }
  process.stderr.write(`trainsafe: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT_CODE.internal;
}
