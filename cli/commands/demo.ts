/**
 * `trainsafe demo` (`npm start`): a controller and three agents with pretend trainers in a temporary
 * folder, and a scenario of real failures told as they happen (cli/demo/run.ts). Exit 0 when every
 * step happened in time, 1 when one did not (the demo is also a smoke test), 130 on Ctrl-C during the
 * scenario; with --keep, Ctrl-C after the scenario is the normal end (0).
 */
import type { Command } from "commander";
import { usageError } from "../../agent/lib/errors.js";
import { parseDurationMs } from "../../agent/lib/units.js";
import { printJson } from "../common.js";
import { runDemo } from "../demo/run.js";

interface DemoCliOptions {
  keep?: boolean;
  stepTimeout?: string;
  json?: boolean;
}

/** Registers the `demo` command. */
export function register(program: Command): void {
  program
    .command("demo")
    .description("run a controller and three agents locally and watch a crash, a hang and a restart storm unfold")
    .option("--keep", "keep the fleet running after the scenario (explore with `trainsafe fleet ...`); Ctrl-C ends it")
    .option("--step-timeout <duration>", "how long each step of the scenario may take before the demo fails (default 30s)")
    .option("--json", "tell the story on stderr and print the result (steps, hosts, crashes) as JSON on stdout")
    .action(async (opts: DemoCliOptions) => {
      let stepTimeoutMs = 30_000;
      if (opts.stepTimeout !== undefined) {
        try {
          stepTimeoutMs = parseDurationMs(opts.stepTimeout);
        } catch (err) {
          throw usageError(`--step-timeout: ${(err as Error).message}`);
        }
        if (stepTimeoutMs <= 0) throw usageError("--step-timeout must be positive");
      }
      const abort = new AbortController();
      let signals = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        signals++;
        if (signals === 1) abort.abort();
        else process.stderr.write(`trainsafe demo: ${sig}: still cleaning up, a moment\n`);
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const narration = opts.json ? (t: string) => process.stderr.write(t) : (t: string) => process.stdout.write(t);
      try {
        const result = await runDemo({
          keep: opts.keep === true,
          stepTimeoutMs,
          write: narration,
          writeErr: (t) => process.stderr.write(t),
          signal: abort.signal,
        });
        if (opts.json) printJson(result);
        process.exitCode = result.ok ? 0 : result.interrupted ? 130 : 1;
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });
}
