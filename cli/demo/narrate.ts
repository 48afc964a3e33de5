/**
 * What the demo says, driven by what the fleet reports: events that agents sent to the controller
 * (`fleet events`) and the controller's restart decisions (`fleet budget`), polled through the
 * FleetClient. Items are held back for a moment before they are told, so that an event that reached
 * the controller a little late still comes in the order things happened.
 */
import { formatDurationMs as fmt } from "../../agent/lib/units.js";
import type { BudgetStatus, EventQuery, StoredDecision, StoredEvent } from "../../controller/domain.js";

export type Item =
  | { readonly type: "event"; readonly atMs: number; readonly hostId: string; readonly event: StoredEvent }
  | { readonly type: "decision"; readonly atMs: number; readonly hostId: string; readonly decision: StoredDecision };

/** The two FleetClient calls the feed uses. */
export interface FeedSource {
  listEvents(q: EventQuery): Promise<StoredEvent[]>;
  budget(): Promise<BudgetStatus>;
}

/** Width the narration wraps long sentences to. */
const WIDTH = 110;

/** How far back each poll asks for events (an agent's spool may deliver an event this late). */
const LOOKBACK_MS = 30_000;

/** Polls the controller for new events and decisions and hands them out in time order. */
export class Feed {
  private readonly seen = new Map<string, number>();
  private pending: Item[] = [];
  /** Every item handed out so far, in the order handed out. */
  readonly told: Item[] = [];

  constructor(
    private readonly source: FeedSource,
    private readonly sinceMs: number,
    private readonly settleMs = 600,
  ) {}

  /** Fetches what is new; returns the items older than the settle time, oldest first. */
  async poll(nowMs: number): Promise<Item[]> {
    const from = Math.max(this.sinceMs, nowMs - LOOKBACK_MS);
    const [events, budget] = await Promise.all([this.source.listEvents({ sinceMs: from, limit: 1000 }), this.source.budget()]);
    for (const e of events) this.add(`e:${e.uuid}`, { type: "event", atMs: e.tsMs, hostId: e.hostId, event: e });
    for (const d of budget.recentDecisions) {
      if (d.decidedMs >= this.sinceMs) this.add(`d:${d.decisionId}`, { type: "decision", atMs: d.decidedMs, hostId: d.hostId, decision: d });
    }
    for (const [key, at] of this.seen) if (at < from - LOOKBACK_MS) this.seen.delete(key);
    return this.release((i) => i.atMs <= nowMs - this.settleMs);
  }

  /** Hands out everything still held back. */
  flush(): Item[] {
    return this.release(() => true);
  }

  private add(key: string, item: Item): void {
    if (this.seen.has(key)) return;
    this.seen.set(key, item.atMs);
    this.pending.push(item);
  }

  private release(ready: (i: Item) => boolean): Item[] {
    const out = this.pending.filter(ready).sort((a, b) => a.atMs - b.atMs);
    this.pending = this.pending.filter((i) => !ready(i));
    this.told.push(...out);
    return out;
  }
}

function details(e: StoredEvent): Record<string, unknown> {
  try {
    const v = JSON.parse(e.detailsJson || "{}") as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null);
const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 3)}...` : s);

/** "3 processes, 24 threads (1 R, 23 S); ..." from a hang report's evidence, as far as it is there. */
export function evidenceSummary(report: unknown): string {
  const ev = (report as { evidence?: Record<string, unknown> } | null)?.evidence;
  if (!ev || typeof ev !== "object") return "not included in the event";
  const parts: string[] = [];
  const procs = Array.isArray(ev.processes) ? (ev.processes as Array<{ threads?: Array<{ state?: string }> }>) : [];
  const threads = procs.flatMap((p) => (Array.isArray(p.threads) ? p.threads : []));
  const states = new Map<string, number>();
  for (const t of threads) states.set(String(t.state ?? "?"), (states.get(String(t.state ?? "?")) ?? 0) + 1);
  const stateText = [...states.entries()].sort((a, b) => b[1] - a[1]).map(([s, n]) => `${n} ${s}`).join(", ");
  parts.push(`${procs.length} process(es), ${threads.length} threads${stateText ? ` (states: ${stateText})` : ""}`);
  const cpu = ev.cpu as { cores?: unknown; sampleMs?: unknown } | null;
  if (cpu && num(cpu.cores) !== null) parts.push(`CPU ${num(cpu.cores)!.toFixed(2)} cores over ${num(cpu.sampleMs) ?? "?"} ms`);
  const notes = Array.isArray(ev.notes) ? (ev.notes as unknown[]).map(String) : [];
  parts.push(...notes);
  return parts.join("; ");
}

/** What one event means, in sentences (null: not worth telling). */
export function describeEventItem(e: StoredEvent): string[] | null {
  const d = details(e);
  switch (e.kind) {
    case "restart":
    case "local_restart": {
      const pid = num(d.pid);
      const latency = num(d.latencyMs);
      const local = e.kind === "local_restart" ? " (the controller did not answer: the agent's local budget allowed it)" : "";
      const what =
        e.category === "not_running"
          ? "training started"
          : e.category === "operator"
            ? "trainer restarted at an operator's request"
            : `trainer restarted after the ${e.category}`;
      return [`${what}, PID ${pid ?? "?"}${latency !== null && e.category !== "not_running" ? `, ${fmt(latency)} after the old one stopped` : ""}${local}`];
    }
    case "crash": {
      const how = e.signal ? `killed by ${e.signal}` : e.exitCode !== null ? `exit code ${e.exitCode}` : "exit status unknown";
      const lines = [
        e.category && e.category !== "unknown"
          ? `the trainer died (${how}); its logs name the cause: ${e.category}`
          : `the trainer died (${how}); no known crash pattern in its logs`,
      ];
      if (e.crash?.firstFatalLine) lines.push(`first fatal line: "${clip(e.crash.firstFatalLine.trim(), 110)}"`);
      if (e.crash?.suggestion) lines.push(`suggestion: ${e.crash.suggestion}`);
      return lines;
    }
    case "hang": {
      const kind = e.category.startsWith("hang_") ? e.category.slice(5) : e.category;
      const quiet = num(d.quietMs);
      const limit = num(d.limitMs);
      const reasons = Array.isArray(d.reasons) ? (d.reasons as unknown[]).map(String) : [];
      return [
        `hang: no progress for ${quiet !== null ? fmt(quiet) : "?"} at step ${num(d.step) ?? "?"} in the ${String(d.phase ?? "?")} phase (limit ${limit !== null ? fmt(limit) : "?"})`,
        `hang report: ${kind}${reasons.length ? ` - ${reasons.join("; ")}` : ""}`,
        `evidence: ${evidenceSummary(d.report)}`,
      ];
    }
    case "kill": {
      const members = Array.isArray(d.members) ? d.members.length : 0;
      const ms = num(d.durationMs);
      if (e.category === "kill_failed") return [`could not kill the trainer's process tree: ${e.message}`];
      return [`killed the trainer's process tree (PID ${num(d.pid) ?? "?"} and ${Math.max(0, members - 1)} workers) in ${ms !== null ? fmt(ms) : "?"}`];
    }
    case "block":
      return [`restart blocked by the pre-flight checks: ${e.message}`];
    case "warning":
      return [`warning: ${e.message}`];
    default:
      // grant/denial events repeat the controller's decisions (told from the decisions themselves);
      // info and health_check are routine.
      return null;
  }
}

/** A breaker decision that opened the breaker (the others are requests refused while it is open). */
const trips = (d: StoredDecision) => d.scope === "breaker" && /^correlated failure/.test(d.reason);

/** What one restart decision says. */
export function describeDecision(d: StoredDecision): string[] {
  if (d.allow) return [`controller: restart granted [${d.scope}${d.coalesced ? ", shared job grant" : ""}]: ${d.reason}`];
  const retry = d.delayMs > 0 ? `; the agent asks again in ${fmt(d.delayMs)}` : "; the agent keeps asking (repeats are not shown)";
  // The controller's refusal while a breaker is open repeats the whole trip reason; the trip was told.
  const reason = d.scope === "breaker" && !trips(d) && d.signature ? `the breaker of signature ${d.signature} is open` : clip(d.reason, 240);
  return [`controller: restart DENIED [${d.scope}]: ${reason}${retry}`];
}

/** Breaks `text` into lines of at most `width` characters at spaces (longer words stay whole). */
export function wrap(text: string, width: number): string[] {
  const out: string[] = [];
  let cur = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + word.length > width) {
      out.push(cur);
      cur = word;
    } else cur = cur ? `${cur} ${word}` : word;
  }
  if (cur) out.push(cur);
  return out.length ? out : [""];
}

/** Turns items into timestamped lines; repeated identical denials of a host are told once. */
export class Narrator {
  private readonly lastDenial = new Map<string, string>();
  /** Signature of each host's last crash, and the first host that reported each signature. */
  private readonly lastCrash = new Map<string, string>();
  private readonly firstWithSignature = new Map<string, string>();
  /** Denials not told because they repeated the previous one of their host. */
  suppressed = 0;

  constructor(
    private readonly startMs: number,
    private readonly write: (text: string) => void,
  ) {}

  /** Prints one item (or nothing); returns the lines printed. */
  tell(item: Item): string[] {
    let lines: string[] | null;
    if (item.type === "decision") {
      const d = item.decision;
      // A host asks again while it is denied: the same rule against the same crash is told once
      // (a breaker tripping again is news).
      const key = `${d.scope}|${d.signature}|${trips(d)}`;
      if (!d.allow && this.lastDenial.get(d.hostId) === key) {
        this.suppressed++;
        return [];
      }
      if (d.allow) this.lastDenial.delete(d.hostId);
      else this.lastDenial.set(d.hostId, key);
      lines = describeDecision(d);
    } else {
      lines = item.event.kind === "crash" ? this.crashLines(item.event) : describeEventItem(item.event);
      if (lines) this.lastDenial.delete(item.hostId);
    }
    if (!lines) return [];
    this.line(item.atMs, item.hostId, lines);
    return lines;
  }

  /** A crash in full the first time; the same crash again on the same host in one line. */
  private crashLines(e: StoredEvent): string[] | null {
    const lines = describeEventItem(e);
    if (!lines || !e.signature) return lines;
    const again = this.lastCrash.get(e.hostId) === e.signature;
    this.lastCrash.set(e.hostId, e.signature);
    const first = this.firstWithSignature.get(e.signature);
    if (!first) this.firstWithSignature.set(e.signature, e.hostId);
    if (again) return [`${lines[0]!} (the same crash again)`];
    if (first && first !== e.hostId) lines.push(`the same crash signature as on ${first}: ${e.signature}`);
    return lines;
  }

  /** A line of the demo's own (a step title, an injected fault). */
  say(text: string): void {
    this.write(`${text}\n`);
  }

  private line(atMs: number, who: string, lines: string[]): void {
    const stamp = `+${((atMs - this.startMs) / 1000).toFixed(1)}s`.padStart(7);
    const head = `${stamp}  ${who.padEnd(8)}  `;
    const pad = " ".repeat(head.length);
    const body = lines.flatMap((l) => wrap(l, WIDTH - pad.length).map((w, j) => (j === 0 ? w : `  ${w}`)));
    this.write(body.map((l, i) => (i === 0 ? head : pad) + l).join("\n") + "\n");
  }
}
