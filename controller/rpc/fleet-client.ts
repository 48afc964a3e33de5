/**
 * Client of the FleetService for the CLI: domain types in and out, a deadline on every call,
 * retries only on UNAVAILABLE (exponential back-off with full jitter), and gRPC failures turned
 * into TrainsafeErrors (an unreachable controller is kind "unreachable": exit code 3; a refused
 * credential, role or TLS handshake is kind "config": exit code 2). Credentials: a bearer token
 * sent as `authorization: Bearer ...` on every call, and/or TLS with a CA and a client certificate.
 */
import fs from "node:fs";
import { credentials, Metadata, status, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { TrainsafeError, usageError } from "../../agent/lib/errors.js";
import { tlsTarget } from "../../agent/rpc/link.js";
import { isLoopbackHost, parseListenAddress } from "../config.js";
import { FleetServiceClient, type RunCommandReply } from "../../proto/gen/trainsafe/v1/fleet.js";
import type {
  BudgetStatus,
  CommandArgs,
  CommandKind,
  CommandOutcome,
  CrashQuery,
  EventQuery,
  HostDetail,
  HostSummary,
  Incident,
  IncidentQuery,
  StoredEvent,
} from "../domain.js";
import {
  budgetFromWire,
  commandArgsToWire,
  commandKindToWire,
  eventFromStoredWire,
  eventKindToWire,
  hostDetailFromWire,
  hostFromWire,
  incidentFromWire,
  outcomeFromWire,
} from "./convert.js";

export interface FleetClientOptions {
  /** host:port of the controller. */
  readonly address: string;
  /** Deadline of each unary call. */
  readonly callTimeoutMs?: number;
  /** Tries per call (the first included) while the controller answers UNAVAILABLE. */
  readonly attempts?: number;
  readonly backoffInitialMs?: number;
  readonly backoffMaxMs?: number;
  /** Injected for tests: waits between retries. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Injected for tests: uniform [0, 1). */
  readonly random?: () => number;
  /** Bearer token (sent on every call). */
  readonly token?: string;
  /** TLS (PEM contents); present, even empty (the system's roots), makes the channel TLS. */
  readonly tls?: FleetTls;
  /** Allow plain text to a non-loopback controller (tokens then travel in clear). */
  readonly insecure?: boolean;
  /** Largest answer accepted (default 64 MiB: 10 000 events of a query). */
  readonly maxReceiveBytes?: number;
  /** Largest request sent (default 4 MiB: the controller's default limit). */
  readonly maxSendBytes?: number;
}

export interface FleetTls {
  /** CA that signed the controller's certificate; absent: the system's roots. */
  readonly ca?: Buffer;
  /** Client certificate chain and key (mutual TLS); both or neither. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Name to verify in the controller's certificate when it differs from the address's host. */
  readonly serverName?: string;
}

/** Reads --ca/--cert/--key files into a FleetTls; usage errors name the option. */
export function loadFleetTls(files: { ca?: string; cert?: string; key?: string; serverName?: string }): FleetTls {
  const read = (file: string | undefined, option: string) => {
    if (file === undefined) return undefined;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw usageError(`${option}: cannot read ${file}: ${(err as Error).message}`);
    }
  };
  if ((files.cert === undefined) !== (files.key === undefined)) throw usageError("--cert and --key go together (a client certificate and its key)");
  const out: { ca?: Buffer; cert?: Buffer; key?: Buffer; serverName?: string } = {};
  const ca = read(files.ca, "--ca");
  const cert = read(files.cert, "--cert");
  const key = read(files.key, "--key");
  if (ca) out.ca = ca;
  if (cert) out.cert = cert;
  if (key) out.key = key;
  if (files.serverName) out.serverName = files.serverName;
  return out;
}

/**
 * On a TLS channel, a connection closed right after the handshake: with TLS 1.3 the server judges
 * the client's certificate after the client considers the handshake done, so its refusal often
 * arrives as a bare close rather than as the alert.
 */
const TLS_CLOSED_RE = /Failed to connect|socket disconnected before secure TLS|Connection dropped|ECONNRESET/i;

/** TLS failures grpc-js reports as UNAVAILABLE: a credentials problem, not an unreachable controller. */
const TLS_FAILURE_RE =
  /certificate|SSL routines|wrong version number|handshake|self[- ]signed|unable to (?:get|verify)|ERR_TLS|ERR_SSL|CERT_|Hostname\/IP does not match|packet length too long/i;

export interface FanOutRequest {
  readonly hostIds?: readonly string[];
  readonly all?: boolean;
  readonly kind: CommandKind;
  readonly args?: Partial<CommandArgs>;
  /** Per agent; 0 or absent: the controller's default. */
  readonly timeoutMs?: number;
}

export interface FanOutHooks {
  onTargets?(hostIds: readonly string[]): void;
  onOutcome?(outcome: CommandOutcome): void;
}

type UnaryFn<Req, Res> = (
  req: Req,
  md: Metadata,
  opts: { deadline: number },
  cb: (err: ServiceError | null, res: Res) => void,
) => unknown;

const isServiceError = (e: unknown): e is ServiceError => typeof (e as ServiceError)?.code === "number";

/** Delay before retry `attempt` (1-based): full jitter over an exponentially growing cap. */
export function retryDelayMs(attempt: number, initialMs: number, maxMs: number, random: () => number): number {
  const cap = Math.min(maxMs, initialMs * 2 ** Math.min(attempt - 1, 30));
  return Math.floor(random() * cap);
}

export class FleetClient {
  private readonly client: FleetServiceClient;
  private readonly callTimeoutMs: number;
  private readonly attempts: number;
  private readonly backoffInitialMs: number;
  private readonly backoffMaxMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(private readonly opts: FleetClientOptions) {
    let host: string;
    try {
      host = parseListenAddress(opts.address).host;
    } catch (err) {
      throw usageError(`--controller: ${(err as Error).message}`);
    }
    if (opts.token !== undefined && !/^[\x21-\x7e]{1,1024}$/.test(opts.token)) {
      throw usageError("--token: a token is 1-1024 printable ASCII characters without spaces");
    }
    const tls = opts.tls;
    if (!tls && !isLoopbackHost(host) && !opts.insecure) {
      throw usageError(
        `refusing plain text to ${opts.address} (not loopback): give --ca (and --cert/--key for mutual TLS), --tls for the system's roots, or --insecure`,
      );
    }
    let creds: ChannelCredentials = credentials.createInsecure();
    let target: ReturnType<typeof tlsTarget> = { channelOptions: {}, verify: {} };
    if (tls) {
      if ((tls.cert === undefined) !== (tls.key === undefined)) throw usageError("--cert and --key go together (a client certificate and its key)");
      target = tlsTarget(opts.address, tls.serverName);
      creds = credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null, target.verify);
    }
    const channelOptions: Record<string, string | number> = {
      ...target.channelOptions,
      "grpc.max_receive_message_length": opts.maxReceiveBytes ?? 64 * 1024 * 1024,
      "grpc.max_send_message_length": opts.maxSendBytes ?? 4 * 1024 * 1024,
      // Fail fast on a refused connection instead of waiting out the deadline.
      "grpc.initial_reconnect_backoff_ms": 100,
      // A connection of its own: a failed handshake of another client in this process (same
      // address, equal credentials) would otherwise be shared, its cause reduced to "Failed to connect".
      "grpc.use_local_subchannel_pool": 1,
    };
    this.client = new FleetServiceClient(opts.address, creds, channelOptions);
    this.callTimeoutMs = opts.callTimeoutMs ?? 10_000;
    this.attempts = Math.max(1, opts.attempts ?? 4);
    this.backoffInitialMs = opts.backoffInitialMs ?? 100;
    this.backoffMaxMs = opts.backoffMaxMs ?? 2_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.random = opts.random ?? Math.random;
  }

  close(): void {
    this.client.close();
  }

  /** The TrainsafeError a failed call becomes. */
  translate(err: unknown, method: string, timeoutMs = this.callTimeoutMs): TrainsafeError {
    if (err instanceof TrainsafeError) return err;
    if (!isServiceError(err)) return new TrainsafeError("internal", `${method}: ${err instanceof Error ? err.message : String(err)}`);
    const where = `the controller at ${this.opts.address}`;
    switch (err.code) {
      case status.UNAVAILABLE: {
        if (this.opts.tls && !TLS_FAILURE_RE.test(err.details ?? "") && TLS_CLOSED_RE.test(err.details ?? "")) {
          return new TrainsafeError(
            "config",
            `TLS with ${where} failed: it closed the connection after the handshake, which is how it refuses a client certificate it does not accept (or a missing one); check --cert/--key and --ca (or TRAINSAFE_CERT, TRAINSAFE_KEY, TRAINSAFE_CA)`,
          );
        }
        if (TLS_FAILURE_RE.test(err.details ?? "")) {
          const cause = /Last error: (?:Error: )?(.*?)(?:\s*\(\d{4}-[^)]*\))?(?:\. Resolution note.*)?$/s.exec(err.details)?.[1] || err.details;
          return new TrainsafeError(
            "config",
            `TLS with ${where} failed (${cause.trim()}); check --ca, --cert/--key and --server-name (or TRAINSAFE_CA, TRAINSAFE_CERT, TRAINSAFE_KEY)`,
          );
        }
        // grpc-js wraps the socket error in channel prose; the socket error is what people need.
        const cause = /Last error: (?:Error: )?(.*?)(?:\. Resolution note.*)?$/s.exec(err.details)?.[1] || err.details || "unavailable";
        return new TrainsafeError("unreachable", `cannot reach ${where} (${cause}); is it running? Set --controller or TRAINSAFE_CONTROLLER`);
      }
      case status.DEADLINE_EXCEEDED:
        return new TrainsafeError("unreachable", `${where} did not answer ${method} within ${timeoutMs}ms`);
      case status.UNAUTHENTICATED:
        return new TrainsafeError("config", `not authenticated by ${where}: ${err.details} (use --token or TRAINSAFE_TOKEN, or --cert/--key)`);
      case status.PERMISSION_DENIED:
        return new TrainsafeError("config", `permission denied by ${where}: ${err.details}`);
      case status.INVALID_ARGUMENT:
      case status.NOT_FOUND:
      case status.FAILED_PRECONDITION:
        return new TrainsafeError("usage", err.details);
      case status.RESOURCE_EXHAUSTED:
        // Over the controller's per-caller rate: like an unreachable controller, worth a later try
        // (exit 3). Otherwise a message over a size limit.
        return new TrainsafeError(
          /limits\.fleetCallsPerSecond/.test(err.details ?? "") ? "unreachable" : "internal",
          `${where} refused ${method} (RESOURCE_EXHAUSTED): ${err.details}`,
        );
      default:
        return new TrainsafeError("internal", `${where} failed ${method}: ${status[err.code] ?? err.code}: ${err.details}`);
    }
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.opts.token !== undefined) md.set("authorization", `Bearer ${this.opts.token}`);
    return md;
  }

  /** UNAVAILABLE is retried, except a failed TLS handshake: it fails the same way every time. */
  private retryable(err: unknown): boolean {
    return isServiceError(err) && err.code === status.UNAVAILABLE && !TLS_FAILURE_RE.test(err.details ?? "");
  }

  private async unary<Req, Res>(method: string, fn: UnaryFn<Req, Res>, req: Req): Promise<Res> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await new Promise<Res>((resolve, reject) =>
          fn.call(this.client, req, this.metadata(), { deadline: Date.now() + this.callTimeoutMs }, (err, res) =>
            err ? reject(err) : resolve(res),
          ),
        );
      } catch (err) {
        if (this.retryable(err) && attempt < this.attempts) {
          await this.sleep(retryDelayMs(attempt, this.backoffInitialMs, this.backoffMaxMs, this.random));
          continue;
        }
        throw this.translate(err, method);
      }
    }
  }

  async listHosts(): Promise<HostSummary[]> {
    const r = await this.unary("ListHosts", this.client.listHosts, {});
    return r.hosts.map(hostFromWire);
  }

  async getHost(hostId: string): Promise<HostDetail> {
    return hostDetailFromWire(await this.unary("GetHost", this.client.getHost, { hostId }));
  }

  async listCrashes(q: CrashQuery = {}): Promise<StoredEvent[]> {
    const r = await this.unary("ListCrashes", this.client.listCrashes, {
      hostId: q.hostId ?? "",
      jobId: q.jobId ?? "",
      category: q.category ?? "",
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 0,
    });
    return r.crashes.map(eventFromStoredWire);
  }

  /** Incidents (crashes of one job's hosts grouped, origin first), newest first. */
  async listIncidents(q: IncidentQuery = {}): Promise<Incident[]> {
    const r = await this.unary("ListIncidents", this.client.listIncidents, {
      jobId: q.jobId ?? "",
      hostId: q.hostId ?? "",
      category: q.category ?? "",
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 0,
    });
    return r.incidents.map(incidentFromWire);
  }

  async listEvents(q: EventQuery = {}): Promise<StoredEvent[]> {
    const r = await this.unary("ListEvents", this.client.listEvents, {
      hostId: q.hostId ?? "",
      jobId: q.jobId ?? "",
      kind: q.kind ? eventKindToWire(q.kind) : 0,
      sinceMs: q.sinceMs ?? 0,
      limit: q.limit ?? 0,
    });
    return r.events.map(eventFromStoredWire);
  }

  async budget(): Promise<BudgetStatus> {
    return budgetFromWire(await this.unary("GetBudget", this.client.getBudget, {}));
  }

  /** Closes the breaker of `signature`, or every open one; returns the signatures closed. */
  async resetBudget(signature?: string): Promise<string[]> {
    const r = await this.unary("ResetBudget", this.client.resetBudget, { signature: signature ?? "" });
    return r.resetSignatures;
  }

  /**
   * Sends a command to agents through the controller; outcomes arrive as each agent answers.
   * The call's deadline is the per-agent timeout plus a margin, so slow agents come back as
   * "timed out" outcomes rather than a failed call.
   */
  async runCommand(req: FanOutRequest, hooks: FanOutHooks = {}): Promise<CommandOutcome[]> {
    const args = commandArgsToWire({ fix: false, names: [], lastNLines: 0, reason: "", extraJson: "", ...req.args });
    const wire = {
      hostIds: [...(req.hostIds ?? [])],
      all: req.all ?? false,
      kind: commandKindToWire(req.kind),
      args,
      timeoutMs: req.timeoutMs ?? 0,
    };
    const deadlineMs = (req.timeoutMs || 60_000) + Math.max(this.callTimeoutMs, 5_000);
    for (let attempt = 1; ; attempt++) {
      let heard = false;
      try {
        return await new Promise<CommandOutcome[]>((resolve, reject) => {
          const outcomes: CommandOutcome[] = [];
          const call = this.client.runCommand(wire, this.metadata(), { deadline: Date.now() + deadlineMs });
          call.on("data", (reply: RunCommandReply) => {
            heard = true;
            const b = reply.body;
            if (b?.$case === "targets") hooks.onTargets?.(b.targets.hostIds);
            else if (b?.$case === "outcome") {
              const o = outcomeFromWire(b.outcome);
              outcomes.push(o);
              hooks.onOutcome?.(o);
            }
          });
          call.on("error", reject);
          call.on("end", () => resolve(outcomes));
        });
      } catch (err) {
        // A retry after the controller started relaying would run the command twice.
        if (!heard && this.retryable(err) && attempt < this.attempts) {
          await this.sleep(retryDelayMs(attempt, this.backoffInitialMs, this.backoffMaxMs, this.random));
          continue;
        }
        throw this.translate(err, "RunCommand", deadlineMs);
      }
    }
  }
}
