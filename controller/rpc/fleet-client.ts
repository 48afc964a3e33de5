/**
 * Client of the FleetService for the CLI: domain types in and out, a deadline on every call,
 * retries only on UNAVAILABLE (exponential back-off with full jitter), and gRPC failures turned
 * into TrainsafeErrors (an unreachable controller is kind "unreachable": exit code 3).
 */
import { credentials, Metadata, status, type ServiceError } from "@grpc/grpc-js";
import { TrainsafeError } from "../../agent/lib/errors.js";
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
}

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
    this.client = new FleetServiceClient(opts.address, credentials.createInsecure(), {
      "grpc.max_receive_message_length": 64 * 1024 * 1024,
      // Fail fast on a refused connection instead of waiting out the deadline.
      "grpc.initial_reconnect_backoff_ms": 100,
    });
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
        // grpc-js wraps the socket error in channel prose; the socket error is what people need.
        const cause = /Last error: (?:Error: )?(.*?)(?:\. Resolution note.*)?$/s.exec(err.details)?.[1] || err.details || "unavailable";
        return new TrainsafeError("unreachable", `cannot reach ${where} (${cause}); is it running? Set --controller or TRAINSAFE_CONTROLLER`);
      }
      case status.DEADLINE_EXCEEDED:
        return new TrainsafeError("unreachable", `${where} did not answer ${method} within ${timeoutMs}ms`);
      case status.INVALID_ARGUMENT:
      case status.NOT_FOUND:
      case status.FAILED_PRECONDITION:
        return new TrainsafeError("usage", err.details);
      default:
        return new TrainsafeError("internal", `${where} failed ${method}: ${status[err.code] ?? err.code}: ${err.details}`);
    }
  }

  private async unary<Req, Res>(method: string, fn: UnaryFn<Req, Res>, req: Req): Promise<Res> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await new Promise<Res>((resolve, reject) =>
          fn.call(this.client, req, new Metadata(), { deadline: Date.now() + this.callTimeoutMs }, (err, res) =>
            err ? reject(err) : resolve(res),
          ),
        );
      } catch (err) {
        if (isServiceError(err) && err.code === status.UNAVAILABLE && attempt < this.attempts) {
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
          const call = this.client.runCommand(wire, new Metadata(), { deadline: Date.now() + deadlineMs });
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
        if (!heard && isServiceError(err) && err.code === status.UNAVAILABLE && attempt < this.attempts) {
          await this.sleep(retryDelayMs(attempt, this.backoffInitialMs, this.backoffMaxMs, this.random));
          continue;
        }
        throw this.translate(err, "RunCommand", deadlineMs);
      }
    }
  }
}
