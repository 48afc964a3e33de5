/** `trainsafe agent`: the per-host service (supervisor, health checks, telemetry, controller link). */
import type { Command } from "commander";
import { Agent } from "../../agent/service/agent.js";
import { settingsFor, type LocalOptions } from "../common.js";

interface AgentCliOptions extends LocalOptions {
  controller?: string;
  hostId?: string;
  jobId?: string;
}

export function register(program: Command): void {
  program
    .command("agent")
    .description("run the host agent: supervise the training daemon, health checks, telemetry, controller link")
    .option("-b, --base-dir <dir>", "training directory (BASE_DIR); default: settings baseDir")
    .option("-c, --config <file>", "agent settings file (JSON); default: $TRAINSAFE_CONFIG")
    .option("--controller <addr>", "controller address host:port (default: settings agent.controller, $TRAINSAFE_CONTROLLER)")
    .option("--host-id <id>", "this host's id (default: settings hostId, else the hostname)")
    .option("--job-id <id>", "the training job this host belongs to")
    .action(async (opts: AgentCliOptions) => {
      const overrides: Record<string, unknown> = {
        hostId: opts.hostId,
        jobId: opts.jobId,
        agent: { controller: opts.controller ?? process.env.TRAINSAFE_CONTROLLER },
      };
      const settings = await settingsFor(opts, overrides);
      const agent = new Agent({ settings });
      await agent.start();
      await new Promise<void>((resolve) => {
        const onSignal = (sig: NodeJS.Signals) => {
          process.stderr.write(`agent: ${sig}: stopping (the training daemon keeps running)\n`);
          process.off("SIGTERM", onSignal);
          process.off("SIGINT", onSignal);
          void agent.stop().then(resolve, resolve);
        };
        process.on("SIGTERM", onSignal);
        process.on("SIGINT", onSignal);
      });
    });
}
