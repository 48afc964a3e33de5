/** Text renderings of fleet data (tables for people; --json prints the data itself). */
import { formatBytes, formatDurationMs } from "../../agent/lib/units.js";
import type {
  BudgetStatus,
  CommandOutcome,
  GpuSummary,
  HostDetail,
  HostSummary,
  Incident,
  IncidentMember,
  StoredDecision,
  StoredEvent,
} from "../../controller/domain.js";
import { formatTable } from "../common.js";

/** C0 and C1 control characters and DEL: what a terminal may take as (part of) an escape sequence. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/**
 * One field as printable text: every C0/C1 control character becomes a visible `\xNN` (a tab a
 * space), so log text from an agent cannot set a window title, write the clipboard (OSC 52), move
 * the cursor or rewrite what was printed before it; a newline inside a field is escaped too.
 */
export function printableText(s: string): string {
  return s.replace(CONTROL, (c) => (c === "\t" ? " " : `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`));
}

/** A deep copy of `value` with every string made printable (every field a renderer may print). */
export function printable<T>(value: T): T {
  if (typeof value === "string") return printableText(value) as T;
  if (Array.isArray(value)) return value.map((v) => printable(v)) as T;
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = printable(v);
    return out as T;
  }
  return value;
}

/** JSON text with DEL and C1 controls escaped too (JSON.stringify leaves them raw; terminals may obey them). */
export function inertJson(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

/** "12s ago", "3.5m ago", "never". */
export function ago(tsMs: number, nowMs: number): string {
  if (!tsMs) return "never";
  const d = nowMs - tsMs;
  return d < 0 ? "just now" : `${formatDurationMs(d)} ago`;
}

/** Local time "2026-11-28 21:05:03". */
export function when(tsMs: number): string {
  if (!tsMs) return "-";
  const d = new Date(tsMs);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** "8x 97% 71C 560GB/640GB" or "-". */
export function gpuCell(g: GpuSummary): string {
  if (g.count === 0) return "-";
  return `${g.count}x ${Math.round(g.utilAvgPct)}% ${Math.round(g.tempMaxC)}C ${formatBytes(g.memUsedBytes)}/${formatBytes(g.memTotalBytes)}`;
}

const stepCell = (h: HostSummary) => (h.step >= 0 ? String(h.step) : "-");
const rateCell = (h: HostSummary) => (h.telemetryTsMs ? h.stepRate.toFixed(2) : "-");

/** Rows merged from several controllers carry the controller that answered for them. */
type Tagged<T> = T & { readonly controller?: string };

/** The CONTROLLER column's cells, or null when no row names a controller (one controller asked). */
function controllerCells(rows: ReadonlyArray<{ readonly controller?: string }>): string[] | null {
  return rows.some((r) => typeof r.controller === "string") ? rows.map((r) => r.controller ?? "-") : null;
}

/** Inserts the CONTROLLER column after column `at` when there is one. */
function withControllerColumn(headers: string[], rows: string[][], cells: string[] | null, at: number): string {
  if (!cells) return formatTable(headers, rows);
  return formatTable(
    [...headers.slice(0, at), "CONTROLLER", ...headers.slice(at)],
    rows.map((r, i) => [...r.slice(0, at), cells[i]!, ...r.slice(at)]),
  );
}

export function renderHosts(hosts: ReadonlyArray<Tagged<HostSummary>>, nowMs: number): string {
  hosts = printable(hosts);
  if (hosts.length === 0) return "no hosts have connected yet\n";
  const rows = hosts.map((h) => [
    h.hostId,
    h.jobId || "-",
    h.connected ? "yes" : "no",
    ago(h.lastSeenMs, nowMs),
    h.daemonState || "-",
    stepCell(h),
    rateCell(h),
    gpuCell(h.gpus),
  ]);
  const connected = hosts.filter((h) => h.connected).length;
  const controllers = new Set(hosts.map((h) => h.controller).filter(Boolean)).size;
  return (
    withControllerColumn(["HOST", "JOB", "CONNECTED", "LAST SEEN", "DAEMON", "STEP", "STEP/S", "GPUS"], rows, controllerCells(hosts), 1) +
    `\n\n${hosts.length} hosts, ${connected} connected${controllers > 1 ? `, on ${controllers} controllers` : ""}\n`
  );
}

function eventLine(e: StoredEvent): string {
  const what = [e.kind, e.category].filter(Boolean).join(" ");
  const text = (e.crash?.firstFatalLine || e.message).slice(0, 160);
  return `${when(e.tsMs)}  ${what}: ${text}`.trimEnd();
}

function decisionLine(d: StoredDecision): string {
  return `${when(d.decidedMs)}  ${d.allow ? "ALLOW" : "DENY "} [${d.scope}] ${d.reason}`;
}

export function renderHostDetail(d: Tagged<HostDetail>, nowMs: number): string {
  d = printable(d);
  const h = d.host;
  const lines = [
    `host        ${h.hostId}`,
    ...(d.controller ? [`controller  ${d.controller}`] : []),
    `job         ${h.jobId || "-"}`,
    `connected   ${h.connected ? "yes" : "no"} (last seen ${ago(h.lastSeenMs, nowMs)}, first seen ${when(h.firstSeenMs)})`,
    `agent       ${h.agentVersion || "-"}${h.capabilities.length ? ` (${h.capabilities.join(", ")})` : ""}`,
    `base dir    ${h.baseDir || "-"}`,
    `daemon      ${h.daemonState || "-"}`,
    `step        ${stepCell(h)} at ${rateCell(h)} steps/s`,
    `cpu / mem   ${h.telemetryTsMs ? `${h.cpuPct.toFixed(0)}% / ${formatBytes(h.memUsedBytes)} of ${formatBytes(h.memTotalBytes)}` : "-"}`,
    `disk free   ${h.telemetryTsMs ? formatBytes(h.diskFreeBytes) : "-"}`,
    `gpus        ${gpuCell(h.gpus)}`,
    `telemetry   ${ago(h.telemetryTsMs, nowMs)}`,
  ];
  const section = (title: string, items: string[]) => {
    lines.push("", `${title}:`);
    lines.push(...(items.length ? items.map((s) => `  ${s}`) : ["  none"]));
  };
  section("Recent crashes", d.recentCrashes.map(eventLine));
  section("Restart decisions", d.recentDecisions.map(decisionLine));
  section(
    "Health checks",
    d.recentHealthRuns.map((r) => `${when(r.tsMs)}  ${r.ok ? "ok" : `${r.problems} problem(s)`}  ${r.summary} (${r.source})`),
  );
  section("Recent events", d.recentEvents.map(eventLine));
  return lines.join("\n") + "\n";
}

export function renderCrashes(crashes: ReadonlyArray<Tagged<StoredEvent>>): string {
  crashes = printable(crashes);
  if (crashes.length === 0) return "no crashes recorded\n";
  const rows = crashes.map((c) => [
    when(c.tsMs),
    c.hostId,
    c.jobId || "-",
    c.kind === "crash" ? c.category || "-" : `${c.kind}:${c.category.replace(/^hang_/, "") || "-"}`,
    c.exitCode !== null ? String(c.exitCode) : c.signal || "-",
    (c.crash?.firstFatalLine || c.message).slice(0, 100),
  ]);
  const out = [withControllerColumn(["TIME", "HOST", "JOB", "CATEGORY", "EXIT", "FIRST FATAL LINE"], rows, controllerCells(crashes), 2)];
  const suggestions = [...new Map(crashes.filter((c) => c.crash?.suggestion).map((c) => [c.category, c.crash!.suggestion])).entries()];
  if (suggestions.length) {
    out.push("", "Suggestions:");
    for (const [cat, s] of suggestions) out.push(`  ${cat}: ${s}`);
  }
  return out.join("\n") + `\n\n${crashes.length} crash(es)\n`;
}

/** Agent text on one terminal line: control characters (escape sequences included) become "?". */
const oneLine = (s: string, max: number) => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?").slice(0, max);

const ROLE_WORDS: Readonly<Record<IncidentMember["role"], string>> = { cause: "cause", possible_cause: "possible cause", symptom: "symptom" };

function memberWhat(m: IncidentMember): string {
  const what = m.kind === "crash" ? m.category || "unknown" : `${m.kind}:${m.category.replace(/^hang_/, "") || "-"}`;
  return oneLine(what, 64);
}

/**
 * Incidents, newest first, each with its origin first (host, category, signature, first fatal
 * line), then the other hosts and what they reported, with how long after the origin began.
 */
export function renderIncidents(incidents: ReadonlyArray<Tagged<Incident>>): string {
  incidents = printable(incidents);
  if (incidents.length === 0) return "no incidents\n";
  const lines: string[] = [];
  for (const i of incidents) {
    const o = i.origin;
    const hosts = i.hostCount;
    lines.push(
      `${when(i.startMs)}  job ${oneLine(i.jobId, 128)}  ${hosts} host${hosts === 1 ? "" : "s"}${i.controller ? `  controller ${oneLine(i.controller, 128)}` : ""}${i.open ? "  (window open: more reports may join)" : ""}`,
    );
    lines.push(
      i.originKnown
        ? `  origin  ${oneLine(o.hostId, 128)}  ${memberWhat(o)}${o.role === "possible_cause" ? " (possible cause)" : ""}  ${oneLine(o.signature, 256)}`
        : `  origin unknown: only symptoms; earliest  ${oneLine(o.hostId, 128)}  ${memberWhat(o)}  ${oneLine(o.signature, 256)}`,
    );
    if (o.firstFatalLine) lines.push(`          ${oneLine(o.firstFatalLine, 200)}`);
    for (const m of i.others) {
      const after = m.onsetMs - o.onsetMs;
      const offset = after >= 0 ? `+${formatDurationMs(after)}` : `-${formatDurationMs(-after)}`;
      lines.push(`  then    ${oneLine(m.hostId, 128)}  ${memberWhat(m)} (${ROLE_WORDS[m.role]}, began ${offset})  ${oneLine(m.firstFatalLine, 140)}`.trimEnd());
    }
    if (hosts > 1 + i.others.length) lines.push(`  and ${hosts - 1 - i.others.length} more host(s)`);
    lines.push("");
  }
  lines.push(`${incidents.length} incident(s)`);
  return lines.join("\n") + "\n";
}

export function renderEvents(events: ReadonlyArray<Tagged<StoredEvent>>): string {
  events = printable(events);
  if (events.length === 0) return "no events\n";
  const rows = events.map((e) => [when(e.tsMs), e.hostId, e.kind, e.category || "-", e.message.slice(0, 120)]);
  return withControllerColumn(["TIME", "HOST", "KIND", "CATEGORY", "MESSAGE"], rows, controllerCells(events), 2) + "\n";
}

/** One word for a command outcome. */
export function outcomeWord(o: CommandOutcome): string {
  if (!o.connected) return o.error.startsWith("unknown") ? "unknown host" : "not connected";
  if (!o.ok) return o.error.startsWith("timed out") ? "timed out" : "error";
  return o.problems > 0 ? "problems" : "ok";
}

export function renderOutcomes(outcomes: ReadonlyArray<Tagged<CommandOutcome>>): string {
  outcomes = printable(outcomes);
  if (outcomes.length === 0) return "no hosts\n";
  const sorted = [...outcomes].sort((a, b) => a.hostId.localeCompare(b.hostId));
  const rows = sorted.map((o) => [
    o.hostId,
    outcomeWord(o),
    String(o.problems),
    (o.ok ? o.summary : o.error || o.summary).slice(0, 120),
    o.connected ? formatDurationMs(o.durationMs) : "-",
  ]);
  const okCount = outcomes.filter((o) => outcomeWord(o) === "ok").length;
  return withControllerColumn(["HOST", "RESULT", "PROBLEMS", "SUMMARY", "TIME"], rows, controllerCells(sorted), 1) + `\n\n${okCount} of ${outcomes.length} hosts ok\n`;
}

export function renderBudget(b: BudgetStatus): string {
  b = printable(b);
  const p = b.policy;
  const lines = [
    `policy: host ${p.hostMaxRestarts} per ${formatDurationMs(p.hostWindowMs)} (back-off ${formatDurationMs(p.backoffInitialMs)}..${formatDurationMs(p.backoffMaxMs)}), ` +
      `job coalescing ${formatDurationMs(p.jobCoalesceWindowMs)}, fleet ${p.fleetMaxRestarts} per ${formatDurationMs(p.fleetWindowMs)}, ` +
      (p.breakerThreshold > 0 ? `breaker at ${p.breakerThreshold} hosts per ${formatDurationMs(p.breakerWindowMs)}` : "breaker off"),
    `fleet: ${b.fleetRestartsInWindow} of ${p.fleetMaxRestarts} restarts used in the last ${formatDurationMs(p.fleetWindowMs)}`,
  ];
  lines.push("", "Hosts with restarts in their window:");
  if (b.hosts.length === 0) lines.push("  none");
  else {
    const rows = b.hosts.map((h) => [
      h.hostId,
      `${h.restartsInWindow}/${p.hostMaxRestarts}`,
      h.nextAllowedMs === 0 ? "now" : h.nextAllowedMs < 0 ? "never" : `in ${formatDurationMs(h.nextAllowedMs - b.nowMs)}`,
    ]);
    lines.push(...formatTable(["HOST", "USED", "NEXT RESTART"], rows).split("\n").map((l) => `  ${l}`));
  }
  const open = b.breakers.filter((x) => x.open);
  lines.push("", "Open breakers:");
  if (open.length === 0) lines.push("  none");
  for (const x of open) {
    lines.push(`  ${x.signature}  opened ${when(x.openedMs)}  hosts: ${x.hostIds.join(", ")}`);
    lines.push(`    reset: trainsafe fleet budget reset --signature ${JSON.stringify(x.signature)}`);
  }
  lines.push("", "Recent decisions:");
  if (b.recentDecisions.length === 0) lines.push("  none");
  for (const d of b.recentDecisions) lines.push(`  ${decisionLine(d).replace("  ", `  ${d.hostId}  `)}`);
  return lines.join("\n") + "\n";
}

/** Parsed command output for --json (the agent sends JSON text). */
export function outcomeJson(o: CommandOutcome): Record<string, unknown> {
  let output: unknown = null;
  if (o.outputJson) {
    try {
      output = JSON.parse(o.outputJson);
    } catch {
      output = o.outputJson;
    }
  }
  const { outputJson: _omit, ...rest } = o;
  return { ...rest, result: outcomeWord(o), output };
}
