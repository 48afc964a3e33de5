/** trainsafe command-line entry: registers one module per command; errors become exit codes here. */
import { Command, CommanderError } from "commander";
import { EXIT_CODE, TrainsafeError } from "../agent/lib/errors.js";

// One module per command; each exports register(program).
const COMMANDS: ReadonlyArray<() => Promise<{ register(program: Command): void }>> = [
  // keep one import per line (this order is the order in --help)
  () => import("./commands/check.js"),
  () => import("./commands/crash.js"),
  () => import("./commands/config.js"),
  () => import("./commands/resume.js"),
  () => import("./commands/watchdog.js"),
  () => import("./commands/agent.js"),
  () => import("./commands/controller.js"),
  () => import("./commands/fleet.js"),
  () => import("./commands/demo.js"),
];

async function main(argv: string[]): Promise<void> {
  const program = new Command("trainsafe")
    .description("Keeps GPU training jobs alive and explains why they die.")
    .version("0.1.0")
    .showHelpAfterError()
    .exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const load of COMMANDS) (await load()).register(program);
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
