/** trainsafe command-line entry: one module per command, loaded only when that command is run. */
import { runCli, type CommandEntry } from "./run.js";

// One module per command; each exports register(program). Only the module of the command being run is
// loaded (the agent must not carry the controller's SQLite and metrics code); --help loads them all.
export const COMMANDS: readonly CommandEntry[] = [
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

await runCli(process.argv, COMMANDS);
