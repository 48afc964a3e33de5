/**
 * FleetService: what `trainsafe fleet ...` asks the controller. Reads the store; relays commands.
 * Every call is authenticated first (controller/rpc/auth.ts); reads need the read-only role, and
 * what changes a host or the budget (kill, restart, check --fix, budget reset) needs operator, checked
 * before anything is sent to an agent.
 */
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
  ListIncidentsRequest,
  ListIncidentsResponse,
  ListHostsRequest,
  ListHostsResponse,
  ResetBudgetRequest,
  ResetBudgetResponse,
  RunCommandReply,
  RunCommandRequest,
} from "../../proto/gen/trainsafe/v1/fleet.js";
import { RpcError } from "../errors.js";
import type { RestartGrants } from "../grants.js";
import type { Logger } from "../log.js";
import type { SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import type { CommandKind, CommandOutcome, HostSummary } from "../domain.js";
import type { Role } from "../config.js";
import type { Authenticator, CallIdentity } from "./auth.js";
import {
  budgetToWire,
  crashQueryFromWire,
  eventQueryFromWire,
  fanOutFromWire,
  hostDetailToWire,
  hostIdFromWire,
  hostToWire,
  incidentQueryFromWire,
  incidentToWire,
  outcomeToWire,
  signatureFromWire,
  storedEventToWire,
  type CommandFanOut,
} from "./convert.js";
import { KeyedBuckets, RefusalLog } from "./rate.js";
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
  readonly auth: Authenticator;
  /** Fleet calls per second per caller, and the burst above it. */
  readonly fleetCallsPerSecond: number;
  readonly fleetCallBurst: number;
}

/** Commands that change a host: only operators may send them. */
const OPERATOR_COMMANDS: ReadonlySet<CommandKind> = new Set(["kill_daemon", "restart_daemon"]);

/** The role a fan-out needs: operator for process actions and for anything asking for repairs (check --fix). */
export function roleForCommand(req: Pick<CommandFanOut, "kind" | "args">): Role {
  return OPERATOR_COMMANDS.has(req.kind) || req.args.fix ? "operator" : "read-only";
}

/** Builds the FleetService handlers. */
export function fleetService(deps: FleetServiceDeps): FleetServiceServer {
  const { store, sessions, log, grants } = deps;
  const auth = rateLimited(deps);
  const withLiveState = (h: HostSummary): HostSummary => ({ ...h, connected: sessions.isConnected(h.hostId) });
  // Every caller holds at least read-only once authenticated; operator calls check more below.
  const authenticated = (call: CallIdentity) => void auth.fleetPrincipal(call);

  return {
    listHosts: unary<ListHostsRequest, ListHostsResponse>(
      log,
      "ListHosts",
      () => ({ hosts: store.hosts.list().map(withLiveState).map(hostToWire) }),
      authenticated,
    ),
    getHost: unary<GetHostRequest, WireHostDetail>(log, "GetHost", (req) => {
      const hostId = hostIdFromWire("host_id", req.hostId);
      const host = store.hosts.get(hostId);
      if (!host) throw new RpcError("not_found", `unknown host "${hostId}" (it never connected)`);
      return hostDetailToWire({
        host: withLiveState(host),
        recentEvents: store.events.query({ hostId: host.hostId, limit: 20 }),
        recentCrashes: store.crashes.query({ hostId: host.hostId, limit: 10 }),
        recentDecisions: store.decisions.recent(10, host.hostId),
        recentHealthRuns: store.healthRuns.recent(host.hostId, 10),
      });
    }, authenticated),
    listCrashes: unary<ListCrashesRequest, ListCrashesResponse>(
      log,
      "ListCrashes",
      (req) => ({ crashes: store.crashes.query(crashQueryFromWire(req)).map(storedEventToWire) }),
      authenticated,
    ),
    listIncidents: unary<ListIncidentsRequest, ListIncidentsResponse>(
      log,
      "ListIncidents",
      (req) => ({ incidents: store.incidents.query(incidentQueryFromWire(req), deps.clock()).map(incidentToWire) }),
      authenticated,
    ),
    listEvents: unary<ListEventsRequest, ListEventsResponse>(
      log,
      "ListEvents",
      (req) => ({ events: store.events.query(eventQueryFromWire(req)).map(storedEventToWire) }),
      authenticated,
    ),
    getBudget: unary<GetBudgetRequest, WireBudgetStatus>(log, "GetBudget", () => budgetToWire(grants.status()), authenticated),
    resetBudget: unary<ResetBudgetRequest, ResetBudgetResponse>(log, "ResetBudget", (req, call) => {
      const who = auth.fleetPrincipal(call);
      auth.authorize(who, "operator", "budget reset");
      const signature = signatureFromWire("signature", req.signature);
      const reset = grants.reset(signature === "" ? null : signature);
      log.info("breakers reset", { signatures: reset, by: who.name });
      return { resetSignatures: reset };
    }),
    runCommand: (call) => {
      runCommand(deps, auth, call as ServerWritableStream<RunCommandRequest | Undecodable, RunCommandReply>).catch((err: unknown) => {
        if (!call.cancelled) call.emit("error", toServiceError(err, log, "RunCommand"));
      });
    },
  };
}

/**
 * The authenticator, with each authenticated caller's calls counted against its bucket (a script in
 * a loop must not take the controller from the agents): over the rate, RESOURCE_EXHAUSTED naming
 * the setting, before the request is read. Refusals are logged at most once a minute.
 */
function rateLimited(deps: FleetServiceDeps): Pick<Authenticator, "fleetPrincipal" | "authorize"> {
  const buckets = new KeyedBuckets(deps.fleetCallsPerSecond, deps.fleetCallBurst, deps.clock);
  const refusals = new RefusalLog(deps.clock);
  return {
    fleetPrincipal: (call) => {
      const who = deps.auth.fleetPrincipal(call);
      if (!buckets.tryTake(who.name)) {
        if (refusals.due()) deps.log.warn("fleet calls over the per-caller rate refused", { caller: who.name, refused: refusals.count, perSecond: deps.fleetCallsPerSecond });
        throw new RpcError("resource_exhausted", `${who.name}: over ${deps.fleetCallsPerSecond} fleet calls a second (limits.fleetCallsPerSecond); try again shortly`);
      }
      return who;
    },
    authorize: (p, need, action) => deps.auth.authorize(p, need, action),
  };
}

async function runCommand(deps: FleetServiceDeps, auth: Pick<Authenticator, "fleetPrincipal" | "authorize">, call: ServerWritableStream<RunCommandRequest | Undecodable, RunCommandReply>): Promise<void> {
  const { store, sessions, log } = deps;
  const who = auth.fleetPrincipal(call);
  const req = fanOutFromWire(decoded(call.request, "RunCommand"));
  // Checked before anything is written to an agent: a refused command reaches nobody.
  auth.authorize(who, roleForCommand(req), OPERATOR_COMMANDS.has(req.kind) ? req.kind.replace("_daemon", "") : `${req.kind} with fix`);
  const known = new Set(store.hosts.list().map((h) => h.hostId));
  const targets = req.all ? [...known].sort() : [...req.hostIds];
  let timeoutMs = Math.min(req.timeoutMs || deps.commandDefaultTimeoutMs, deps.commandMaxTimeoutMs);
  const deadline = call.getDeadline();
  const deadlineMs = deadline instanceof Date ? deadline.getTime() : deadline;
  // Answer a little before the caller's deadline so it gets "timed out" outcomes, not a bare error.
  if (Number.isFinite(deadlineMs)) timeoutMs = Math.max(1, Math.min(timeoutMs, deadlineMs - deps.clock() - 250));
  log.info("relaying command", { kind: req.kind, targets: targets.length, timeoutMs, by: who.name });
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
