/** FleetService: what `trainsafe fleet ...` asks the controller. Reads the store; relays commands. */
import type { ServerWritableStream } from "@grpc/grpc-js";
import type {
  BudgetStatus as WireBudgetStatus,
  FleetServiceServer,
  GetBudgetRequest,
  GetHostRequest,
  HostDetail as WireHostDetail,
  ListCrashesRequest,
  ListCrashesResponse,
  ListEventsRequest,
  ListEventsResponse,
  ListHostsRequest,
  ListHostsResponse,
  ResetBudgetRequest,
  ResetBudgetResponse,
  RunCommandReply,
  RunCommandRequest,
} from "../../proto/gen/trainsafe/v1/fleet.js";
import { invalidArgument, RpcError } from "../errors.js";
import type { RestartGrants } from "../grants.js";
import type { Logger } from "../log.js";
import type { SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import type { CommandOutcome, HostSummary } from "../domain.js";
import {
  budgetToWire,
  crashQueryFromWire,
  eventQueryFromWire,
  fanOutFromWire,
  hostDetailToWire,
  hostToWire,
  LIMITS,
  outcomeToWire,
  storedEventToWire,
} from "./convert.js";
import { decoded, toServiceError, type Undecodable } from "./status.js";
import { unary } from "./unary.js";

export interface FleetServiceDeps {
  readonly store: Store;
  readonly grants: RestartGrants;
  readonly sessions: SessionRegistry;
  readonly log: Logger;
  readonly clock: () => number;
  readonly commandDefaultTimeoutMs: number;
  readonly commandMaxTimeoutMs: number;
}

/** Builds the FleetService handlers. */
export function fleetService(deps: FleetServiceDeps): FleetServiceServer {
  const { store, sessions, log, grants } = deps;
  const withLiveState = (h: HostSummary): HostSummary => ({ ...h, connected: sessions.isConnected(h.hostId) });

  return {
    listHosts: unary<ListHostsRequest, ListHostsResponse>(log, "ListHosts", () => ({
      hosts: store.hosts.list().map(withLiveState).map(hostToWire),
    })),
    getHost: unary<GetHostRequest, WireHostDetail>(log, "GetHost", (req) => {
      if (typeof req.hostId !== "string" || req.hostId === "") throw invalidArgument("host_id", "is required");
      const host = store.hosts.get(req.hostId.slice(0, LIMITS.id + 1));
      if (!host) throw new RpcError("not_found", `unknown host "${req.hostId.slice(0, LIMITS.id)}" (it never connected)`);
      return hostDetailToWire({
        host: withLiveState(host),
        recentEvents: store.events.query({ hostId: host.hostId, limit: 20 }),
        recentCrashes: store.crashes.query({ hostId: host.hostId, limit: 10 }),
        recentDecisions: store.decisions.recent(10, host.hostId),
        recentHealthRuns: store.healthRuns.recent(host.hostId, 10),
      });
    }),
    listCrashes: unary<ListCrashesRequest, ListCrashesResponse>(log, "ListCrashes", (req) => ({
      crashes: store.crashes.query(crashQueryFromWire(req)).map(storedEventToWire),
    })),
    listEvents: unary<ListEventsRequest, ListEventsResponse>(log, "ListEvents", (req) => ({
      events: store.events.query(eventQueryFromWire(req)).map(storedEventToWire),
    })),
    getBudget: unary<GetBudgetRequest, WireBudgetStatus>(log, "GetBudget", () => budgetToWire(grants.status())),
    resetBudget: unary<ResetBudgetRequest, ResetBudgetResponse>(log, "ResetBudget", (req) => {
      if (typeof req.signature !== "string" || req.signature.length > LIMITS.signature) {
        throw invalidArgument("signature", `must be a string of at most ${LIMITS.signature} characters`);
      }
      const reset = grants.reset(req.signature === "" ? null : req.signature);
      log.info("breakers reset", { signatures: reset });
      return { resetSignatures: reset };
    }),
    runCommand: (call) => {
      runCommand(deps, call as ServerWritableStream<RunCommandRequest | Undecodable, RunCommandReply>).catch((err: unknown) => {
        if (!call.cancelled) call.emit("error", toServiceError(err, log, "RunCommand"));
      });
    },
  };
}

async function runCommand(deps: FleetServiceDeps, call: ServerWritableStream<RunCommandRequest | Undecodable, RunCommandReply>): Promise<void> {
  const { store, sessions, log } = deps;
  const req = fanOutFromWire(decoded(call.request, "RunCommand"));
  const known = new Set(store.hosts.list().map((h) => h.hostId));
  const targets = req.all ? [...known].sort() : [...req.hostIds];
  let timeoutMs = Math.min(req.timeoutMs || deps.commandDefaultTimeoutMs, deps.commandMaxTimeoutMs);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  // Answer a little before the caller's deadline so it gets "timed out" outcomes, not a bare error.
  if (Number.isFinite(deadlineMs)) timeoutMs = Math.max(1, Math.min(timeoutMs, deadlineMs - deps.clock() - 250));
  log.info("relaying command", { kind: req.kind, targets: targets.length, timeoutMs });
  call.write({ body: { $case: "targets", targets: { hostIds: targets } } });
  const unknown = (hostId: string): CommandOutcome => ({
    hostId,
    connected: false,
    durationMs: 0,
    ok: false,
    outputJson: "",
    error: "unknown host (it never connected)",
    summary: "unknown host",
    problems: 0,
  });
  await Promise.all(
    targets.map(async (hostId) => {
      const outcome = known.has(hostId) ? await sessions.command(hostId, req.kind, req.args, timeoutMs) : unknown(hostId);
      if (!call.cancelled) call.write({ body: { $case: "outcome", outcome: outcomeToWire(outcome) } });
    }),
  );
  if (!call.cancelled) call.end();
}
