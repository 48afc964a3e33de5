/**
 * `trainsafe controller --config FILE`: runs the fleet controller until SIGTERM or SIGINT. SIGHUP
 * reads the settings file again and applies fleet credentials and the TLS files (other changes are
 * named and wait for a restart); a file that does not load leaves everything as it was.
 */
import type { Command } from "commander";
import { usageError } from "../../agent/lib/errors.js";
import { loadControllerConfig, type ControllerConfig } from "../../controller/config.js";
import { Controller } from "../../controller/server.js";

interface ControllerOptions {
  config?: string;
  listen?: string;
  json?: boolean;
}

/** Registers the `controller` command. */
export function register(program: Command): void {
  program
    .command("controller")
    .description("run the fleet controller (gRPC server + SQLite store) until SIGTERM")
    .option("-c, --config <file>", "controller settings file (JSON); default: $TRAINSAFE_CONTROLLER_CONFIG")
    .option("--listen <host:port>", "listen address, overriding the settings (port 0: any free port)")
    .option("--json", "print {listening, db} as one JSON line on stdout once listening")
    .action(async (opts: ControllerOptions) => {
      const file = opts.config ?? process.env.TRAINSAFE_CONTROLLER_CONFIG;
      if (!file) throw usageError("controller: give --config FILE (or set TRAINSAFE_CONTROLLER_CONFIG)");
      const load = () => loadControllerConfig(file, { listen: opts.listen });
      await runController(await load(), load, opts.json === true);
    });
}

/** Starts the controller, reports where it listens, reloads on SIGHUP and stops on SIGTERM/SIGINT. */
async function runController(config: ControllerConfig, load: () => Promise<ControllerConfig>, json: boolean): Promise<void> {
  // A store found damaged while running stops the controller with exit 1, so systemd restarts it.
  let onFatal: () => void = () => {};
  const controller = new Controller(config, { onFatal: () => onFatal() });
  const { address } = await controller.start();
  const onHangup = () => {
    load().then(
      (next) => controller.reload(next),
      (err: unknown) => process.stderr.write(`trainsafe controller: SIGHUP: settings not reloaded, nothing changed: ${err instanceof Error ? err.message : String(err)}\n`),
    );
  };
  process.on("SIGHUP", onHangup);
  if (json) process.stdout.write(JSON.stringify({ listening: address, db: config.dbFile, http: controller.httpUrl }) + "\n");
  await new Promise<void>((resolve) => {
    let stopping = false;
    const onSignal = (sig: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      process.stderr.write(`trainsafe controller: ${sig}, stopping\n`);
      controller.stop().then(resolve, (err: unknown) => {
        process.stderr.write(`trainsafe controller: error while stopping: ${err instanceof Error ? err.stack : String(err)}\n`);
        process.exitCode = 1;
        resolve();
      });
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
    onFatal = () => {
      process.exitCode = 1;
      onSignal("SIGTERM");
    };
  });
  process.off("SIGHUP", onHangup);
  process.exitCode ??= 0;
}
