/**
 * The fleet restart budget: a pure function of the request, the recent decision history, the
 * policy and `now` (no I/O, no clock), so that the store can run it inside one immediate
 * transaction and tests need no sleeping. Rules, in the order they are applied:
 *
 * 1. Breaker (scope "breaker"). Failures are grouped by crash signature. When requests carrying
 *    one signature come from `breakerThreshold` distinct failure units within `breakerWindowMs`
 *    (a unit is a job; a host without a job is its own unit, so a job-wide failure counts once,
 *    exactly as it gets one grant), the breaker opens: that request and every later one with the
 *    signature are denied fleet-wide until an operator resets it. Requests before the reset no
 *    longer count, nor do later retries of a crash that was seen before it (same crash uuid): a
 *    reset lets the waiting hosts restart. An empty signature never trips the breaker.
 * 2. Host (scope "host"). The per-host rule of the local watchdog (agent/watchdog/budget.ts):
 *    at most N restarts in a sliding window, with crash-loop back-off. Every restart of the host
 *    counts: its grants (coalesced ones too: the daemon restarts either way) and the restarts the
 *    agent did alone while the controller was unreachable.
 * 3. Job (scope "job"). If another host of the same job got a fresh grant within
 *    `jobCoalesceWindowMs`, this request is allowed as part of that grant ("coalesced into grant
 *    G"): it consumes no fleet budget and waits until the grant's start time. A host is coalesced
 *    into a given grant at most once; a second failure of the host is a new restart.
 * 4. Fleet (scope "fleet"). At most `fleetMaxRestarts` fresh (non-coalesced) grants across the
 *    fleet in any sliding `fleetWindowMs`.
 * 5. Otherwise a fresh grant (scope "host": the host rule's back-off applies).
 *
 * Windows are half-open like the host rule's: a record at `atMs` is inside while now - atMs < window.
 */
import { decideRestart, type RestartPolicy, type RestartRecord } from "../agent/watchdog/budget.js";
import { formatDurationMs as fmt } from "../agent/lib/units.js";
import type { DecisionScope } from "./domain.js";

export interface FleetPolicy {
  readonly host: RestartPolicy;
  readonly jobCoalesceWindowMs: number;
  /** 0 stops every fresh grant. */
  readonly fleetMaxRestarts: number;
  readonly fleetWindowMs: number;
  /** Distinct failure units with one signature that trip the breaker; 0 disables it. */
  readonly breakerThreshold: number;
  readonly breakerWindowMs: number;
}

/** An earlier decision, as the budget needs it. */
export interface PastDecision {
  readonly hostId: string;
  readonly jobId: string;
  readonly signature: string;
  readonly atMs: number;
  readonly allow: boolean;
  readonly coalesced: boolean;
  /** Allowed: the grant; denied: "". */
  readonly grantId: string;
  readonly delayMs: number;
  /** Event uuid of the crash that led to the request ("" or absent when unknown). */
  readonly crashUuid?: string;
}

export interface BreakerState {
  readonly open: boolean;
  /** Requests at or before this time no longer count (0: never reset). */
  readonly resetMs: number;
  readonly openedMs: number;
  readonly reason: string;
}

export interface BudgetInput {
  readonly hostId: string;
  readonly jobId: string;
  readonly signature: string;
  /** Event uuid of the crash behind this request: a retry of the same crash carries the same one. */
  readonly crashUuid?: string;
  /** Earlier decisions; any superset of the relevant ones (the function applies the windows). */
  readonly decisions: ReadonlyArray<PastDecision>;
  /** Restarts this host did on its own while the controller was unreachable. */
  readonly localRestarts: ReadonlyArray<RestartRecord>;
  /** Breaker of this request's signature, if one was ever recorded. */
  readonly breaker: BreakerState | null;
}

export interface BudgetOutcome {
  readonly allow: boolean;
  readonly scope: DecisionScope;
  readonly reason: string;
  /** Allowed: wait this long before starting; denied: until a request could be granted. */
  readonly delayMs: number;
  /** Denied: earliest time a request could be granted; null: not before an operator acts. */
  readonly retryAtMs: number | null;
  /** Allowed as part of another host's grant: that grant's id. */
  readonly coalescedInto: string | null;
  /** This request trips the signature's breaker: the hosts it counted. */
  readonly tripBreaker: { readonly hostIds: readonly string[]; readonly units: number } | null;
}

/** Failure unit for the breaker: all hosts of one job count once. */
function unitOf(d: { hostId: string; jobId: string }): string {
  return d.jobId ? `job:${d.jobId}` : `host:${d.hostId}`;
}

function resetCommand(signature: string): string {
  return `trainsafe fleet budget reset --signature ${JSON.stringify(signature)}`;
}

/** Host history for the per-host rule: grants of this host (coalesced too) plus local restarts. */
export function hostHistory(input: Pick<BudgetInput, "hostId" | "decisions" | "localRestarts">): RestartRecord[] {
  const grants = input.decisions
    .filter((d) => d.allow && d.hostId === input.hostId)
    .map((d) => ({ atMs: d.atMs, delayMs: d.delayMs, cause: "grant" }));
  return [...grants, ...input.localRestarts];
}

/** Fresh grants (not coalesced) inside the fleet window, oldest first. */
export function fleetGrantsInWindow(decisions: ReadonlyArray<PastDecision>, policy: FleetPolicy, nowMs: number): PastDecision[] {
  return decisions
    .filter((d) => d.allow && !d.coalesced && nowMs - d.atMs < policy.fleetWindowMs)
    .sort((a, b) => a.atMs - b.atMs);
}

/** Decides one restart request. Pure: same input, same outcome. */
export function decideFleetRestart(input: BudgetInput, policy: FleetPolicy, nowMs: number): BudgetOutcome {
  const none = { coalescedInto: null, tripBreaker: null } as const;
  const sig = input.signature;

  // 1. Breaker.
  if (sig && input.breaker?.open) {
    return {
      ...none,
      allow: false,
      scope: "breaker",
      // The trip reason already names the reset command; older ones may not.
      reason: `restarts for signature "${sig}" are stopped fleet-wide: ${input.breaker.reason}${
        input.breaker.reason.includes(resetCommand(sig)) ? "" : `; reset with \`${resetCommand(sig)}\``
      }`,
      delayMs: 0,
      retryAtMs: null,
    };
  }
  if (sig && policy.breakerThreshold > 0) {
    const resetMs = input.breaker?.resetMs ?? 0;
    // A reset forgives the failures seen so far: the retries of hosts that were waiting on the
    // breaker carry the same crash uuid and must not trip it again; only new crashes count.
    const forgiven = new Set(
      input.decisions.filter((d) => d.signature === sig && d.atMs <= resetMs && d.crashUuid).map((d) => d.crashUuid),
    );
    const counts = (d: { crashUuid?: string }) => !(d.crashUuid && forgiven.has(d.crashUuid));
    const related = input.decisions.filter(
      (d) => d.signature === sig && nowMs - d.atMs < policy.breakerWindowMs && d.atMs > resetMs && counts(d),
    );
    const units = new Set([...(counts(input) ? [unitOf(input)] : []), ...related.map(unitOf)]);
    if (units.size >= policy.breakerThreshold) {
      const hostIds = [...new Set([...related.map((d) => d.hostId), input.hostId])].sort();
      const what = units.size === hostIds.length ? `${hostIds.length} hosts` : `${hostIds.length} hosts in ${units.size} jobs/hosts`;
      return {
        allow: false,
        scope: "breaker",
        reason:
          `correlated failure: signature "${sig}" from ${what} within ${fmt(policy.breakerWindowMs)} ` +
          `(threshold ${policy.breakerThreshold}); restarts for it stop fleet-wide until \`${resetCommand(sig)}\``,
        delayMs: 0,
        retryAtMs: null,
        coalescedInto: null,
        tripBreaker: { hostIds, units: units.size },
      };
    }
  }

  // 2. Host.
  const host = decideRestart(hostHistory(input), policy.host, nowMs);
  if (!host.allow) {
    return { ...none, allow: false, scope: "host", reason: `host ${input.hostId}: ${host.reason}`, delayMs: host.delayMs, retryAtMs: host.retryAtMs };
  }

  // 3. Job.
  if (input.jobId) {
    const usedByMe = new Set(input.decisions.filter((d) => d.allow && d.hostId === input.hostId).map((d) => d.grantId));
    const jobGrant = input.decisions
      .filter(
        (d) =>
          d.allow &&
          !d.coalesced &&
          d.jobId === input.jobId &&
          d.hostId !== input.hostId &&
          nowMs - d.atMs < policy.jobCoalesceWindowMs &&
          !usedByMe.has(d.grantId),
      )
      .sort((a, b) => b.atMs - a.atMs)[0];
    if (jobGrant) {
      // Start together with the host that holds the grant, and never sooner than our own back-off.
      const delayMs = Math.max(host.delayMs, jobGrant.atMs + jobGrant.delayMs - nowMs, 0);
      return {
        ...none,
        allow: true,
        scope: "job",
        reason:
          `job ${input.jobId}: coalesced into grant ${jobGrant.grantId} given to ${jobGrant.hostId} ` +
          `${fmt(Math.max(0, nowMs - jobGrant.atMs))} ago (a job-wide failure is one restart)`,
        delayMs,
        retryAtMs: null,
        coalescedInto: jobGrant.grantId,
      };
    }
  }

  // 4. Fleet.
  const fleet = fleetGrantsInWindow(input.decisions, policy, nowMs);
  if (fleet.length >= policy.fleetMaxRestarts) {
    const leaving = fleet[fleet.length - policy.fleetMaxRestarts];
    const retryAtMs = leaving ? Math.max(nowMs, leaving.atMs + policy.fleetWindowMs) : null;
    return {
      ...none,
      allow: false,
      scope: "fleet",
      reason: `fleet cap: ${fleet.length} restarts granted fleet-wide in the last ${fmt(policy.fleetWindowMs)} (limit ${policy.fleetMaxRestarts})`,
      delayMs: retryAtMs === null ? 0 : retryAtMs - nowMs,
      retryAtMs,
    };
  }

  // 5. Fresh grant.
  return { ...none, allow: true, scope: "host", reason: `host ${input.hostId}: ${host.reason}`, delayMs: host.delayMs, retryAtMs: null };
}
