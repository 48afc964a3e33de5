/**
 * Recent crashes: crash-history entries within checks.recentCrashWindow and a tail scan of the logs.
 * A crash found in the log tail fails while the daemon is down (it is why training stopped) and warns
 * while it runs again (an earlier crash it recovered from).
 */
import { readCrashHistory } from "../crash/history.js";
import { scanBaseDir } from "../crash/scanner.js";
import { formatDurationMs } from "../lib/units.js";
import { daemonLookup } from "./daemon.js";
import { result, type Check } from "./types.js";
import { rel } from "./util.js";

export const crashesCheck: Check = {
  id: "crashes",
  title: "recent crashes",
  async run({ settings, now, shared }) {
    const { layout } = settings;
    const windowMs = settings.checks.recentCrashWindow;
    const [history, scan, daemon] = await Promise.all([readCrashHistory(layout), scanBaseDir(settings), daemonLookup(settings, shared)]);
    const nowMs = now();
    const recent = history.entries.filter((e) => {
      const t = Date.parse(e.recordedAt);
      return !Number.isNaN(t) && nowMs - t <= windowMs;
    });
    const p = scan.primary;
    const details = {
      windowMs,
      recentHistory: recent.map((e) => ({ recordedAt: e.recordedAt, category: e.category, signature: e.signature, suggestion: e.suggestion })),
      historyProblems: history.problems,
      primary: p,
      filesScanned: scan.files.map((f) => f.file),
      daemonRunning: daemon.state === "running",
    };
    const parts: string[] = [];
    if (p) {
      // Negative line numbers count from the end of a file read only at its tail.
      const where = p.line > 0 ? `${rel(layout, p.file)}:${p.line}` : `${rel(layout, p.file)} (${-p.line} lines from the end)`;
      parts.push(`${p.category} in ${where}: ${p.text.trim().slice(0, 160)} — ${p.suggestion}`);
    }
    if (recent.length > 0) {
      const last = recent.at(-1)!;
      const counts = new Map<string, number>();
      for (const e of recent) counts.set(e.category, (counts.get(e.category) ?? 0) + 1);
      const summary = [...counts].map(([c, n]) => `${n}x ${c}`).join(", ");
      parts.push(`${recent.length} crash(es) in the last ${formatDurationMs(windowMs)} (${summary}); latest ${last.category}${last.suggestion ? `: ${last.suggestion}` : ""}`);
    }
    if (history.problems.length > 0) parts.push(history.problems.join("; "));
    if (!p && recent.length === 0) {
      const extra = history.problems.length ? `; ${history.problems.join("; ")}` : "";
      return result(history.problems.length ? "warn" : "pass", `no crashes in the last ${formatDurationMs(windowMs)} and none in the log tails${extra}`, details);
    }
    const status = p && daemon.state !== "running" ? "fail" : "warn";
    return result(status, parts.join("; "), details);
  },
};
