/**
 * Incidents: the crashes and hangs of the hosts of one job that belong to one failure, with the
 * host and cause it started from. When one rank runs out of GPU memory, the ranks on the other
 * hosts wait in a collective until NCCL's watchdog (or the launcher) kills them: every host reports
 * a crash, and only one of them names the cause. Grouping is a pure function of the stored crashes
 * (deterministic whatever order they arrive in); the tracker keeps the stored incidents up to date
 * at ingest, inside the transaction that stores the crash.
 */
import fs from "node:fs";
import { BUILTIN_RULES_FILE, compileRulesData } from "../agent/crash/rules.js";
import type { IncidentRole, StoredEvent } from "./domain.js";
import type { Store } from "./store/index.js";
import type { IncidentRow, MemberRow } from "./store/incidents.js";

/** One failure (crash or hang event) as the grouping sees it. */
export interface IncidentInput {
  readonly uuid: string;
  readonly hostId: string;
  /** When the agent reported it (agent clock). */
  readonly tsMs: number;
  /** When the failure began: tsMs, or earlier for a timeout that says how long it waited. */
  readonly onsetMs: number;
  readonly role: IncidentRole;
}

/** A computed incident: its members in onset order and the one it started from. */
export interface IncidentDraft {
  /** The uuid of its first member (by onset, then uuid): stable while its first member is. */
  readonly incidentId: string;
  readonly jobId: string;
  readonly startMs: number;
  /** Latest report time (tsMs) of a member. */
  readonly endMs: number;
  readonly windowMs: number;
  readonly originUuid: string;
  /** False: only symptoms were reported; the origin is the earliest of them. */
  readonly originKnown: boolean;
  readonly members: readonly IncidentInput[];
}

/** Strength of each role when choosing the origin: a cause beats a possible cause beats a symptom. */
const STRENGTH: Readonly<Record<IncidentRole, number>> = { cause: 2, possible_cause: 1, symptom: 0 };

/**
 * Categories that, without a known rule, are what a rank reports when another one failed: NCCL
 * errors and timeouts (the collective never completed), kills by the launcher or a signal, a
 * failure with no diagnosis, a hang inside a collective.
 */
const SYMPTOM_CATEGORIES: ReadonlySet<string> = new Set([
  "nccl_error",
  "timeout",
  "process_killed",
  "unknown",
  "",
  "hang_gpu_or_collective",
  "hang_unknown",
]);

/**
 * A trainer that never reached its first step (`hang_startup`) is the likely origin when the other
 * hosts time out in NCCL waiting for it, but it may itself wait for a peer that died first
 * (`init_process_group` blocks until every rank joined): an OOM or an exception elsewhere beats it,
 * a collective timeout does not. What the process was doing is in the report's details, which
 * regrouping from the store does not read, so the category alone decides. A `hang_sleeping` trainer
 * (its main thread in a timed sleep: a polling loop, a retry with back-off) waits on nothing of its
 * peers' and stays a cause, like the other hang kinds not listed here (io_wait, cpu_spin, deadlock).
 */
const POSSIBLE_CAUSE_CATEGORIES: ReadonlySet<string> = new Set(["hang_startup"]);

/** A timeout line that says how long it waited: NCCL's watchdog ("ran for N milliseconds"), else its limit ("Timeout(ms)=N"). */
const WAITED_RES = [/\bran for (\d{1,10}) milliseconds before timing out/, /\bTimeout\(ms\)=(\d{1,10})\b/];
/** A stated wait longer than this is not trusted to move the onset (a garbled number). */
const MAX_WAIT_MS = 24 * 3_600_000;

/** Crash signatures the agent makes: category/ruleId/hash (agent/crash/signature.ts). */
const SIGNATURE_RE = /^[a-z0-9_]+\/([A-Za-z0-9_.-]+)\/[0-9a-f]+$/;

export interface RuleRole {
  readonly role: "cause" | "symptom";
  readonly priority: number;
}

let shippedRoles: ReadonlyMap<string, RuleRole> | undefined;

/**
 * Role and priority of each shipped crash rule, by id (agent/crash/rules.json, the file the agents
 * classify with). Read once; when the file cannot be read the category table alone decides.
 */
export function shippedRuleRoles(): ReadonlyMap<string, RuleRole> {
  if (shippedRoles) return shippedRoles;
  try {
    const compiled = compileRulesData(JSON.parse(fs.readFileSync(BUILTIN_RULES_FILE, "utf8")), BUILTIN_RULES_FILE);
    shippedRoles = new Map(compiled.rules.map((r) => [r.id, { role: r.role, priority: r.priority }]));
  } catch {
    shippedRoles = new Map();
  }
  return shippedRoles;
}

/**
 * The part a failure plays in an incident. The rule named in the signature decides when it is a
 * shipped rule (a cause rule with a negative priority, such as an InfiniBand completion error, is
 * only a possible cause: it is also what a rank sees when its peer died); otherwise the category.
 */
export function incidentRole(
  ev: Pick<StoredEvent, "kind" | "category" | "signature">,
  rules: ReadonlyMap<string, RuleRole> = shippedRuleRoles(),
): IncidentRole {
  const ruleId = SIGNATURE_RE.exec(ev.signature)?.[1];
  const rule = ruleId === undefined ? undefined : rules.get(ruleId);
  if (rule) return rule.role === "symptom" ? "symptom" : rule.priority < 0 ? "possible_cause" : "cause";
  if (SYMPTOM_CATEGORIES.has(ev.category)) return "symptom";
  return POSSIBLE_CAUSE_CATEGORIES.has(ev.category) ? "possible_cause" : "cause";
}

/**
 * When a failure began: a timeout that states how long it waited began that long before it was
 * reported (NCCL's watchdog fires 10 or 30 minutes after the peer died), anything else at tsMs.
 */
export function onsetMs(tsMs: number, firstFatalLine: string): number {
  let waitedMs = 0;
  for (const re of WAITED_RES) {
    const m = re.exec(firstFatalLine);
    if (m) {
      waitedMs = Number(m[1]);
      break;
    }
  }
  if (waitedMs === 0) waitedMs = startupWaitMs(firstFatalLine);
  return waitedMs > 0 && waitedMs <= MAX_WAIT_MS ? Math.max(0, tsMs - waitedMs) : tsMs;
}

/**
 * A startup hang began when its daemon started, not when the grace ran out: the agent's first reason
 * says how long it waited ("no step was ever seen in 10m since the daemon started", durations as
 * formatDurationMs writes them: 800ms, 12.5s, 10m, 1h05m). 0 when the line is not one.
 */
function startupWaitMs(line: string): number {
  const m = /\bno step was ever seen in (?:(\d{1,4})h(\d{1,2})m|(\d{1,9}(?:\.\d+)?)(ms|s|m)) since the daemon started/.exec(line);
  if (!m) return 0;
  if (m[1] !== undefined) return (Number(m[1]) * 60 + Number(m[2])) * 60_000;
  const unit = { ms: 1, s: 1000, m: 60_000 }[m[4] as "ms" | "s" | "m"];
  return Math.round(Number(m[3]) * unit);
}

type Ordered = Pick<IncidentInput, "onsetMs" | "uuid">;
const byOnset = (a: Ordered, b: Ordered): number => a.onsetMs - b.onsetMs || (a.uuid < b.uuid ? -1 : a.uuid > b.uuid ? 1 : 0);

/**
 * Groups the failures of one job into incidents. In onset order, a failure joins the current
 * incident when it began within `windowMs` of the incident's start and its host has no failure in
 * it yet (a host's second death is a new life of the job, so a new incident); otherwise it starts
 * the next one. The origin is the earliest member of the strongest role present. The result
 * depends only on the set of inputs, never on their order.
 */
export function groupIncidents(jobId: string, inputs: readonly IncidentInput[], windowMs: number): IncidentDraft[] {
  const sorted = [...inputs].sort(byOnset);
  const out: IncidentDraft[] = [];
  let current: IncidentInput[] = [];
  let hosts = new Set<string>();
  const close = () => {
    if (current.length > 0) out.push(draft(jobId, current, windowMs));
    current = [];
    hosts = new Set();
  };
  for (const m of sorted) {
    const first = current[0];
    if (!first || m.onsetMs - first.onsetMs > windowMs || hosts.has(m.hostId)) close();
    current.push(m);
    hosts.add(m.hostId);
  }
  close();
  return out;
}

function draft(jobId: string, members: IncidentInput[], windowMs: number): IncidentDraft {
  let origin = members[0]!;
  for (const m of members) if (STRENGTH[m.role] > STRENGTH[origin.role]) origin = m;
  return {
    incidentId: members[0]!.uuid,
    jobId,
    startMs: members[0]!.onsetMs,
    endMs: Math.max(...members.map((m) => m.tsMs)),
    windowMs,
    originUuid: origin.uuid,
    originKnown: origin.role !== "symptom",
    members,
  };
}

/** True when `a` comes before `b` in the grouping order (onset, then uuid). */
const before = (a: Ordered, b: Ordered): boolean => byOnset(a, b) < 0;

/**
 * The last incident of a job as stored, with what the common cases need to place a new failure
 * without reading: its member hosts, its origin member and its last member (by onset, then uuid).
 */
interface LastIncident {
  row: IncidentRow;
  readonly hosts: Set<string>;
  origin: Pick<IncidentInput, "uuid" | "onsetMs" | "role"> | undefined;
  lastMember: Ordered;
}

/** Jobs whose last incident is kept in memory (the least recently failed ones are dropped first). */
const MAX_CACHED_JOBS = 4_096;

/**
 * Keeps the stored incidents of each job equal to groupIncidents over all its stored failures.
 * Incidents are consecutive runs of the onset order, so a new failure with onset t can change only
 * the incidents that start at t - window or later: those are regrouped together with it, the
 * earlier ones stay as they are. Most failures come after the start of the job's last incident,
 * and then what the regrouping would do is known from that incident alone (join it, or start the
 * next one), which keeps a 1000-host job failing at once linear, not quadratic. Called inside the
 * transaction that stored the failure.
 *
 * The ingest is the only writer of incidents, so the tracker keeps each job's last incident in
 * memory (issue 12: a burst of 250 crashes read it back 250 times): those common cases then write
 * their rows and read nothing. Any other case drops the job's entry and works from the store as
 * before. A transaction that rolls back must call forget(): the entries may describe its writes.
 */
export class IncidentTracker {
  private readonly last = new Map<string, LastIncident>();

  constructor(
    private readonly store: Store,
    readonly windowMs: number,
    private readonly rules: ReadonlyMap<string, RuleRole> = shippedRuleRoles(),
  ) {}

  /** Drops what is kept in memory (after a rolled-back transaction); the store is read again. */
  forget(): void {
    this.last.clear();
  }

  /** Adds a newly stored crash or hang event (not a replay) to its job's incidents. */
  add(ev: Pick<StoredEvent, "uuid" | "hostId" | "jobId" | "tsMs" | "kind" | "category" | "signature" | "crash">): void {
    // Incidents group the hosts of one job; a host without a job id has nothing to be grouped with.
    if (ev.jobId === "") return;
    const input: IncidentInput = {
      uuid: ev.uuid,
      hostId: ev.hostId,
      tsMs: ev.tsMs,
      onsetMs: onsetMs(ev.tsMs, ev.crash?.firstFatalLine ?? ""),
      role: incidentRole(ev, this.rules),
    };
    const repo = this.store.incidents;
    const cached = this.lastOf(ev.jobId);
    const last = cached?.row;
    const afterLastStart = last !== undefined && before({ onsetMs: last.start_ms, uuid: last.incident_id }, input);
    if (!cached || !last || (afterLastStart && input.onsetMs - last.start_ms > this.windowMs)) {
      // After every member of every incident (those began by last.start_ms + window): a new incident.
      this.startAfterLast(ev.jobId, input);
      return;
    }
    if (afterLastStart && !cached.hosts.has(input.hostId)) {
      // Within the last incident's window, its host not in it: it joins, and nothing else moves.
      const origin = this.newOrigin(cached.origin, input);
      repo.join(last, input, origin);
      cached.row = {
        ...last,
        end_ms: Math.max(last.end_ms, input.tsMs),
        host_count: last.host_count + 1,
        origin_uuid: origin?.originUuid ?? last.origin_uuid,
        origin_known: origin ? (origin.originKnown ? 1 : 0) : last.origin_known,
      };
      cached.hosts.add(input.hostId);
      if (origin) cached.origin = input;
      if (before(cached.lastMember, input)) cached.lastMember = input;
      return;
    }
    if (afterLastStart && before(cached.lastMember, input)) {
      // Its host is in the last incident and it comes after every member (a host failing again,
      // a crash loop): the sweep closes the last incident at it, so it starts the next one.
      this.startAfterLast(ev.jobId, input);
      return;
    }
    // The rare cases (a late report, a regrouping) work from the store; the entry is read again.
    this.last.delete(ev.jobId);
    if (!afterLastStart && this.placedBeforeLast(last, input)) return;
    const fromMs = input.onsetMs - this.windowMs;
    const old = repo.membersFrom(ev.jobId, fromMs);
    repo.regroup(ev.jobId, fromMs, old, groupIncidents(ev.jobId, [...old.map(inputFromRow), input], this.windowMs));
  }

  /** Stores `m` as a new incident of its own after the job's last one, which it becomes. */
  private startAfterLast(jobId: string, m: IncidentInput): void {
    const [draft] = groupIncidents(jobId, [m], this.windowMs);
    const [key] = this.store.incidents.insert([draft!]);
    this.remember(jobId, {
      row: {
        incident_key: key!,
        incident_id: m.uuid,
        job_id: jobId,
        start_ms: m.onsetMs,
        end_ms: m.tsMs,
        window_ms: this.windowMs,
        origin_uuid: m.uuid,
        origin_known: m.role !== "symptom" ? 1 : 0,
        host_count: 1,
      },
      hosts: new Set([m.hostId]),
      origin: m,
      lastMember: m,
    });
  }

  /** The job's last incident, from memory or else read from the store (undefined: it has none). */
  private lastOf(jobId: string): LastIncident | undefined {
    const kept = this.last.get(jobId);
    if (kept) {
      // Most recently used last: the map's first entries are the ones to drop.
      this.last.delete(jobId);
      this.last.set(jobId, kept);
      return kept;
    }
    const repo = this.store.incidents;
    const row = repo.lastOf(jobId);
    if (!row) return undefined;
    const origin = repo.member(row.origin_uuid);
    const lastMember = repo.lastMember(row.incident_key);
    const entry: LastIncident = {
      row,
      hosts: new Set(repo.hostsOf(row.incident_key)),
      origin: origin && { uuid: origin.uuid, onsetMs: origin.onset_ms, role: origin.role },
      // An incident always has a member (its first); an empty one made by hand sorts before anything.
      lastMember: lastMember ? { onsetMs: lastMember.onset_ms, uuid: lastMember.uuid } : { onsetMs: -Infinity, uuid: "" },
    };
    this.remember(jobId, entry);
    return entry;
  }

  private remember(jobId: string, entry: LastIncident): void {
    this.last.delete(jobId);
    this.last.set(jobId, entry);
    if (this.last.size > MAX_CACHED_JOBS) this.last.delete(this.last.keys().next().value!);
  }

  /** The origin an incident whose origin member is `origin` gets when `m` joins it, or null when its origin stays. */
  private newOrigin(origin: Pick<IncidentInput, "uuid" | "onsetMs" | "role"> | undefined, m: IncidentInput): { originUuid: string; originKnown: boolean } | null {
    const wins = !origin || STRENGTH[m.role] > STRENGTH[origin.role] || (STRENGTH[m.role] === STRENGTH[origin.role] && before(m, origin));
    return wins ? { originUuid: m.uuid, originKnown: m.role !== "symptom" } : null;
  }

  /** newOrigin for an incident read from the store. */
  private newOriginOf(incident: IncidentRow, m: IncidentInput): { originUuid: string; originKnown: boolean } | null {
    const o = this.store.incidents.member(incident.origin_uuid);
    return this.newOrigin(o && { uuid: o.uuid, onsetMs: o.onset_ms, role: o.role }, m);
  }

  /**
   * A failure that sorts before the last incident's first member but after every member of the
   * incident before it (a report that arrives late, such as the OOM host's) changes one incident
   * when it joins that previous incident, or becomes the last incident's new first member without
   * pushing any member out of its window. Returns false when neither holds (then regroup).
   */
  private placedBeforeLast(last: IncidentRow, m: IncidentInput): boolean {
    const repo = this.store.incidents;
    const prev = repo.previousOf(last);
    if (prev) {
      const prevMax = repo.lastMember(prev.incident_key)!;
      if (!before({ onsetMs: prevMax.onset_ms, uuid: prevMax.uuid }, m)) return false;
      if (m.onsetMs - prev.start_ms <= this.windowMs && !repo.hasHost(prev.incident_key, m.hostId)) {
        // The sweep reaches it while the previous incident is open: it joins; the last one started for reasons it does not change.
        repo.join(prev, m, this.newOriginOf(prev, m));
        return true;
      }
    }
    const lastMax = repo.lastMember(last.incident_key)!;
    if (lastMax.onset_ms - m.onsetMs > this.windowMs || repo.hasHost(last.incident_key, m.hostId)) return false;
    repo.prepend(last, m, this.newOriginOf(last, m));
    return true;
  }

  /**
   * Regroups everything when the stored incidents were made with another window, or when crashes
   * are stored that belong to no incident (a database from before incidents): one transaction.
   */
  rebuildIfStale(): boolean {
    return this.store.immediate(() => {
      if (!this.store.incidents.stale(this.windowMs)) return false;
      this.last.clear();
      this.store.incidents.clear();
      const byJob = new Map<string, IncidentInput[]>();
      for (const ev of this.store.incidents.allJobFailures()) {
        const list = byJob.get(ev.jobId) ?? [];
        list.push({
          uuid: ev.uuid,
          hostId: ev.hostId,
          tsMs: ev.tsMs,
          onsetMs: onsetMs(ev.tsMs, ev.firstFatalLine),
          role: incidentRole(ev, this.rules),
        });
        byJob.set(ev.jobId, list);
      }
      for (const [jobId, inputs] of byJob) this.store.incidents.insert(groupIncidents(jobId, inputs, this.windowMs));
      return true;
    });
  }
}

function inputFromRow(r: MemberRow): IncidentInput {
  return { uuid: r.uuid, hostId: r.host_id, tsMs: r.ts_ms, onsetMs: r.onset_ms, role: r.role };
}

