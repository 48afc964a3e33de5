/** trainsafe command-line entry: registers one module per command; errors become exit codes here. */
import { Command, CommanderError } from "commander";
import { EXIT_CODE, TrainsafeError } from "../agent/lib/errors.js";

// One module per command; each exports register(program). Only the module of the command being run is
// loaded (the agent must not carry the controller's SQLite and metrics code); --help loads them all.
const COMMANDS: ReadonlyArray<{ readonly name: string; readonly load: () => Promise<{ register(program: Command): void }> }> = [
  // keep one command per line (this order is the order in --help)
  { name: "check", load: () => import("./commands/check.js") },
  { name: "crash", load: () => import("./commands/crash.js") },
  { name: "config", load: () => import("./commands/config.js") },
  { name: "resume", load: () => import("./commands/resume.js") },
  { name: "watchdog", load: () => import("./commands/watchdog.js") },
  { name: "agent", load: () => import("./commands/agent.js") },
  { name: "controller", load: () => import("./commands/controller.js") },
  { name: "fleet", load: () => import("./commands/fleet.js") },
  { name: "demo", load: () => import("./commands/demo.js") },
];

async function main(argv: string[]): Promise<void> {
  const program = new Command("trainsafe")
    .description("Keeps GPU training jobs alive and explains why they die.")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  const args = argv.slice(2);
  const name = args.find((a) => !a.startsWith("-"));
  const chosen = COMMANDS.filter((c) => c.name === name);
  // `--version` needs no command; help and unknown commands need them all (to list them).
  const versionOnly = name === undefined && args.some((a) => a === "-V" || a === "--version");
  for (const c of chosen.length ? chosen : versionOnly ? [] : COMMANDS) (await c.load()).register(program);
  try {
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

await main(process.argv);
