/**
 * A simulated agent over a real gRPC stream, for tests and benchmarks: says hello, streams events
 * (kept as "unacked" until the controller acknowledges them, like the agent's spool), telemetry
 * and command results, and asks for restart grants. Many SimAgents can share one channel
 * (`createAgentClient`) so a few processes can play thousands of agents.
 */
import { randomUUID } from "node:crypto";
import { Client, credentials, Metadata, status, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import {
  AgentServiceClient,
  type AgentMessage,
  type ControllerMessage,
  type Reject,
  type Welcome,
} from "../../proto/gen/trainsafe/v1/agent.js";
import {
  EventKind,
  type Command,
  type CommandResult,
  type Event,
  type RestartDecision,
  type RestartRequest,
  type Telemetry,
} from "../../proto/gen/trainsafe/v1/common.js";

export { EventKind, CommandKind, DecisionScope } from "../../proto/gen/trainsafe/v1/common.js";
export type { Command, Event, RestartDecision, Telemetry } from "../../proto/gen/trainsafe/v1/common.js";

/** One client (one HTTP/2 channel) that several SimAgents may share. */
export function createAgentClient(address: string, maxMessageBytes = 16 * 1024 * 1024): AgentServiceClient {
  return new AgentServiceClient(address, credentials.createInsecure(), {
    "grpc.max_send_message_length": maxMessageBytes,
    "grpc.max_receive_message_length": maxMessageBytes,
    // Separate channels per client even for the same address (the default would share one).
    "grpc.use_local_subchannel_pool": 1,
  });
}

/** A complete Event with defaults; `uuid` is new unless given. */
export function makeEvent(p: Partial<Event> = {}): Event {
  return {
    uuid: randomUUID(),
    tsMs: Date.now(),
    hostId: "",
    jobId: "",
    kind: EventKind.EVENT_KIND_INFO,
    category: "",
    signature: "",
    message: "",
    detailsJson: "",
    exitCode: undefined,
    signal: "",
    crash: undefined,
    ...p,
  };
}

/** A crash Event (kind CRASH) with its diagnosis. */
export function makeCrash(p: { category: string; signature?: string; firstFatalLine?: string; suggestion?: string } & Partial<Event>): Event {
  const { firstFatalLine, suggestion, ...rest } = p;
  return makeEvent({
    kind: EventKind.EVENT_KIND_CRASH,
    signature: p.signature ?? `${p.category}:sig`,
    message: `daemon crashed: ${p.category}`,
    exitCode: 1,
    crash: { firstFatalLine: firstFatalLine ?? `fatal: ${p.category}`, excerpt: "", suggestion: suggestion ?? "", logFile: "logs/train.log" },
    ...rest,
  });
}

export function makeTelemetry(p: Partial<Telemetry> = {}): Telemetry {
  return {
    tsMs: Date.now(),
    cpuPct: 12.5,
    memUsedBytes: 8e9,
    memTotalBytes: 64e9,
    diskFreeBytes: 500e9,
    gpus: [{ index: 0, utilPct: 97, memUsedBytes: 70e9, memTotalBytes: 80e9, tempC: 71, powerW: 650 }],
    step: 1200,
    stepRate: 2.5,
    daemonState: "running",
    ...p,
  };
}

/**
 * Resolves when `unacked` is empty: at once, or when the owner calls the waiter it pushes on
 * `waiters` (after an ack empties the map); rejects after `timeoutMs`.
 */
export function waitForEmpty(unacked: ReadonlyMap<string, unknown>, waiters: Array<() => void>, timeoutMs: number, hostId: string): Promise<void> {
  if (unacked.size === 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${hostId}: ${unacked.size} events unacked after ${timeoutMs}ms`)), timeoutMs);
    waiters.push(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export type CommandHandler = (cmd: Command) => Partial<CommandResult> | Promise<Partial<CommandResult>>;

export interface SimAgentOptions {
  readonly address: string;
  readonly hostId: string;
  readonly jobId?: string;
  readonly agentVersion?: string;
  readonly capabilities?: string[];
  readonly baseDir?: string;
  /** Shared client; without one the agent makes (and closes) its own. */
  readonly client?: AgentServiceClient;
  /** Answers commands; default: ok with summary "ok". */
  readonly onCommand?: CommandHandler;
}

export class SimAgent {
  /** Events sent and not yet acknowledged, oldest first (the spool). */
  readonly unacked = new Map<string, Event>();
  readonly rejected: Reject[] = [];
  readonly commands: Command[] = [];
  ackedCount = 0;
  /** Every event write, resends included. */
  sentCount = 0;
  welcome: Welcome | null = null;
  /** Status that ended the last stream (null while open or after a clean end). */
  streamError: ServiceError | null = null;
  private client: AgentServiceClient;
  private ownsClient: boolean;
  private stream: ClientDuplexStream<AgentMessage, ControllerMessage> | null = null;
  private ackWaiters: Array<() => void> = [];
  private endWaiters: Array<() => void> = [];
  private onCommand: CommandHandler;

  constructor(private opts: SimAgentOptions) {
    this.client = opts.client ?? createAgentClient(opts.address);
    this.ownsClient = !opts.client;
    this.onCommand = opts.onCommand ?? (() => ({ ok: true, summary: "ok", outputJson: "{}" }));
  }

  get hostId(): string {
    return this.opts.hostId;
  }

  get connected(): boolean {
    return this.stream !== null;
  }

  /** Opens the stream, says hello and resolves with the controller's welcome. */
  connect(timeoutMs = 5_000): Promise<Welcome> {
    this.streamError = null;
    this.welcome = null;
    const stream = this.client.connect(new Metadata(), {});
    this.stream = stream;
    const welcome = new Promise<Welcome>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.hostId}: no welcome within ${timeoutMs}ms`)), timeoutMs);
      stream.on("data", (msg: ControllerMessage) => {
        const b = msg.body;
        if (!b) return;
        if (b.$case === "welcome") {
          clearTimeout(timer);
          this.welcome = b.welcome;
          resolve(b.welcome);
        } else this.onMessage(b);
      });
      stream.on("error", (err: ServiceError) => {
        clearTimeout(timer);
        this.streamError = err;
        reject(err);
        this.ended(stream);
      });
      stream.on("end", () => this.ended(stream));
    });
    welcome.catch(() => {}); // also reported through streamError
    stream.write({
      body: {
        $case: "hello",
        hello: {
          hostId: this.opts.hostId,
          jobId: this.opts.jobId ?? "",
          agentVersion: this.opts.agentVersion ?? "sim-0.1.0",
          capabilities: this.opts.capabilities ?? ["command:RUN_CHECKS", "command:KILL_DAEMON", "command:RESTART_DAEMON"],
          baseDir: this.opts.baseDir ?? "/srv/training",
        },
      },
    });
    return welcome;
  }

  private ended(stream: ClientDuplexStream<AgentMessage, ControllerMessage>): void {
    if (this.stream === stream) this.stream = null;
    for (const w of this.endWaiters.splice(0)) w();
  }

  private onMessage(b: NonNullable<ControllerMessage["body"]>): void {
    switch (b.$case) {
      case "ack":
        for (const uuid of b.ack.uuids) {
          if (this.unacked.delete(uuid)) this.ackedCount++;
        }
        if (this.unacked.size === 0) for (const w of this.ackWaiters.splice(0)) w();
        return;
      case "reject":
        this.rejected.push(b.reject);
        // An event the controller will never take leaves the spool.
        if (this.unacked.delete(b.reject.uuid) && this.unacked.size === 0) for (const w of this.ackWaiters.splice(0)) w();
        return;
      case "command":
        this.commands.push(b.command);
        void this.answer(b.command);
        return;
      case "welcome":
        return;
    }
  }

  private async answer(cmd: Command): Promise<void> {
    let r: Partial<CommandResult>;
    try {
      r = await this.onCommand(cmd);
    } catch (err) {
      r = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    this.write({
      body: {
        $case: "commandResult",
        commandResult: { commandId: cmd.commandId, ok: false, outputJson: "", error: "", summary: "", problems: 0, ...r },
      },
    });
  }

  /** Writes a raw message on the stream (tests of invalid input). */
  write(msg: AgentMessage): void {
    this.stream?.write(msg);
  }

  /** Sends an event (host/job filled in) and keeps it until acked; returns its uuid. */
  sendEvent(p: Partial<Event> = {}): string {
    const ev = makeEvent({ hostId: this.opts.hostId, jobId: this.opts.jobId ?? "", ...p });
    this.unacked.set(ev.uuid, ev);
    this.sentCount++;
    this.write({ body: { $case: "event", event: ev } });
    return ev.uuid;
  }

  /** Resends every unacked event in order (after a reconnect); returns how many. */
  resendUnacked(): number {
    for (const ev of this.unacked.values()) {
      this.sentCount++;
      this.write({ body: { $case: "event", event: ev } });
    }
    return this.unacked.size;
  }

  sendTelemetry(p: Partial<Telemetry> = {}): void {
    this.write({ body: { $case: "telemetry", telemetry: makeTelemetry(p) } });
  }

  /** Resolves when nothing is unacked; rejects after `timeoutMs`. */
  waitForAcks(timeoutMs = 5_000): Promise<void> {
    return waitForEmpty(this.unacked, this.ackWaiters, timeoutMs, this.hostId);
  }

  /** Resolves when the current stream has ended (error or end). */
  waitForEnd(timeoutMs = 5_000): Promise<void> {
    if (!this.stream) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.hostId}: stream still open after ${timeoutMs}ms`)), timeoutMs);
      this.endWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Asks for a restart grant with a deadline (a new request_id unless given). */
  requestRestart(p: Partial<RestartRequest> = {}, deadlineMs = 2_000): Promise<RestartDecision> {
    const req: RestartRequest = {
      requestId: randomUUID(),
      hostId: this.opts.hostId,
      jobId: this.opts.jobId ?? "",
      signature: "",
      category: "",
      reason: "crash",
      localRestarts: 0,
      crashUuid: "",
      ...p,
    };
    return new Promise((resolve, reject) =>
      this.client.requestRestart(req, new Metadata(), { deadline: Date.now() + deadlineMs }, (err, res) => (err ? reject(err) : resolve(res))),
    );
  }

  /** Drops the stream (without ending it cleanly) and connects to `address`, resending unacked events. */
  async reconnect(address = this.opts.address): Promise<number> {
    this.stream?.cancel();
    this.stream = null;
    if (address !== this.opts.address) {
      if (this.ownsClient) this.client.close();
      this.opts = { ...this.opts, address };
      this.client = createAgentClient(address);
      this.ownsClient = true;
    }
    await this.connect();
    return this.resendUnacked();
  }

  /** Half-closes the stream and closes the client if this agent made it. */
  close(): void {
    this.stream?.end();
    this.stream = null;
    if (this.ownsClient) this.client.close();
  }
}

/** Calls a method with raw bytes as the request (tests of undecodable input). */
export function rawUnary(address: string, method: string, bytes: Buffer, deadlineMs = 2_000): Promise<{ code: number; details: string }> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    client.makeUnaryRequest<Buffer, Buffer>(
      method,
      (b) => b,
      (b) => b,
      bytes,
      new Metadata(),
      { deadline: Date.now() + deadlineMs },
      (err) => {
        client.close();
        resolve(err ? { code: err.code, details: err.details } : { code: status.OK, details: "" });
      },
    );
  });
}

/** Opens the agent stream, writes raw bytes, and resolves with the status that ends it. */
export function rawStream(address: string, chunks: Buffer[], timeoutMs = 3_000): Promise<{ code: number; details: string }> {
  const client = new Client(address, credentials.createInsecure());
  return new Promise((resolve) => {
    const call = client.makeBidiStreamRequest<Buffer, Buffer>(
      "/trainsafe.v1.AgentService/Connect",
      (b) => b,
      (b) => b,
      new Metadata(),
      { deadline: Date.now() + timeoutMs },
    );
    call.on("data", () => {});
    call.on("error", (err: ServiceError) => {
      client.close();
      resolve({ code: err.code, details: err.details });
    });
    call.on("end", () => {
      client.close();
      resolve({ code: status.OK, details: "" });
    });
    for (const c of chunks) call.write(c);
  });
}

/** Opens the agent stream, writes well-formed messages as given (no automatic hello), and resolves with its end status. */
export function scriptedStream(address: string, messages: AgentMessage[], timeoutMs = 3_000): Promise<{ code: number; details: string; received: ControllerMessage[] }> {
  const client = createAgentClient(address);
  const received: ControllerMessage[] = [];
  return new Promise((resolve) => {
    const call = client.connect(new Metadata(), { deadline: Date.now() + timeoutMs });
    call.on("data", (m: ControllerMessage) => received.push(m));
    call.on("error", (err: ServiceError) => {
      client.close();
      resolve({ code: err.code, details: err.details, received });
    });
    call.on("end", () => {
      client.close();
      resolve({ code: status.OK, details: "", received });
    });
    for (const m of messages) call.write(m);
  });
}
