/**
 * `trainsafe check [--fix]`: the comprehensive health check of one training host. Options, --list and
 * the report need only the catalog; the checks' code is loaded when they run (agent/checks/in-worker.ts),
 * in this thread, and the command exits once it has reported, so a check that timed out with work
 * still queued does not hold it past the deadline.
 */
import type { Command } from "commander";
import { CHECK_CATALOG } from "../../agent/checks/catalog.js";
import { exitOnceReported, runChecksInThisThread } from "../../agent/checks/in-worker.js";
import type { CheckReport } from "../../agent/checks/report.js";
import type { CheckStatus } from "../../agent/checks/types.js";
import { formatDurationMs } from "../../agent/lib/units.js";
import { afterOutput, collect, formatTable, localOptions, printJson, settingsFor, writeOut, type LocalOptions } from "../common.js";

interface CheckOptions extends LocalOptions {
  fix?: boolean;
  only?: string[];
  skip?: string[];
  timeout?: string;
  list?: boolean;
}

const WORD: Record<CheckStatus, string> = { pass: "✓ pass", warn: "! WARN", fail: "✗ FAIL", skip: "- skip" };

/** Splits repeated and comma-separated id lists ("a,b" "c") into ids. */
function ids(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(",")).map((s) => s.trim()).filter(Boolean);
}

/** Renders a report for people: one aligned line per check, then repairs, then a summary line. */
export function renderReport(report: CheckReport, opts: { fixRequested: boolean }): string {
  const lines: string[] = [];
  lines.push(formatTable(["STATUS", "CHECK", "RESULT"], report.checks.map((c) => [WORD[c.status], c.id, c.message])));
  if (report.fixes.length > 0) {
    lines.push("", "Repairs:");
    for (const f of report.fixes) {
      lines.push(
        f.applied
          ? `  ${f.id}: ${f.message} (${f.statusBefore} -> ${f.statusAfter})`
          : `  ${f.id}: could not ${f.description}: ${f.message} (still ${f.statusAfter})`,
      );
    }
  }
  const offered = report.checks.filter((c) => c.fix && (c.status === "fail" || c.status === "warn"));
  if (offered.length > 0) {
    lines.push("", opts.fixRequested ? "Repairs offered after the re-run:" : "Run with --fix to:");
    for (const c of offered) lines.push(`  ${c.id}: ${c.fix}`);
  }
  const s = report.summary;
  lines.push("", `${report.checks.length} check${report.checks.length === 1 ? "" : "s"} in ${formatDurationMs(report.durationMs)}: ${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip`);
  return lines.join("\n") + "\n";
}

/** Registers `check`. */
export function register(program: Command): void {
  localOptions(
    program
      .command("check")
      .description("run the health checks of a training directory (daemon, progress, disk, memory, GPUs, config, checkpoints, crashes...)")
      .option("--fix", "apply safe repairs (create missing folders, remove a stale PID file, restore write permission, create a missing config lock)")
      .option("--only <ids>", "run only these checks (comma-separated, repeatable)", collect)
      .option("--skip <ids>", "leave out these checks (comma-separated, repeatable)", collect)
      .option("--timeout <duration>", "per-check timeout, e.g. 5s (default: settings checks.checkTimeout)")
      .option("--list", "list the checks and exit"),
  ).action(async (opts: CheckOptions) => {
    if (opts.list) {
      if (opts.json) printJson(CHECK_CATALOG.map((c) => ({ id: c.id, title: c.title })));
      else writeOut(formatTable(["CHECK", "TITLE"], CHECK_CATALOG.map((c) => [c.id, c.title])) + "\n");
      return;
    }
    const settings = await settingsFor(opts, opts.timeout !== undefined ? { checks: { checkTimeout: opts.timeout } } : {});
    // Ctrl-C / SIGTERM: abort the run so that children in their own process groups (nvidia-smi) are killed.
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let report: CheckReport;
    try {
      report = await runChecksInThisThread(settings, { fix: opts.fix === true, only: ids(opts.only), skip: ids(opts.skip), signal: ac.signal });
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
    if (opts.json) {
      printJson({
        checks: report.checks.map((c) => ({ id: c.id, title: c.title, status: c.status, message: c.message, details: c.details ?? {}, durationMs: c.durationMs, ...(c.fix ? { fix: c.fix } : {}) })),
        summary: report.summary,
        fixes: report.fixes,
        durationMs: report.durationMs,
      });
    } else {
      writeOut(renderReport(report, { fixRequested: opts.fix === true }));
    }
    process.exitCode = ac.signal.aborted ? 130 : report.ok ? 0 : 1;
    exitOnceReported(afterOutput);
  });
}
