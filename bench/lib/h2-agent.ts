/**
 * A lean simulated agent for the load benchmark: the same gRPC calls as SimAgent (test/helpers/
 * grpc-agent.ts), spoken through node:http2 with the gRPC framing written out (a length-prefixed
 * protobuf message per frame, grpc-status in the trailers, the grant's deadline as grpc-timeout),
 * so a controller sees the same requests, headers and streams. It exists because the simulated
 * agents share this machine's two cores with the controller, which real agents (one per GPU host)
 * never do: grpc-js's client side costs about 1 ms of CPU per simulated crash, twice the
 * controller's own work or more, and that CPU is taken from the controller during a burst. This
 * one costs about a quarter less.
 *
 * Only what the benchmarks use: hello, events kept until acked, telemetry, commands answered,
 * RequestRestart with a deadline. No TLS, no reconnect.
 */
import http2 from "node:http2";
import { randomUUID } from "node:crypto";
import { AgentMessage, ControllerMessage, type Welcome } from "../../proto/gen/trainsafe/v1/agent.js";
import { RestartDecision, RestartRequest, type Command, type CommandResult, type Event, type Telemetry } from "../../proto/gen/trainsafe/v1/common.js";
import { makeEvent, makeTelemetry, waitForEmpty, type CommandHandler } from "../../test/helpers/grpc-agent.js";
import { Deframer, frame } from "./grpc-frame.js";

const SERVICE = "/trainsafe.v1.AgentService";
/** The request headers grpc-js sends (HPACK makes the repeats nearly free on the wire). */
const BASE_HEADERS = {
  ":method": "POST",
  "content-type": "application/grpc",
  te: "trailers",
  "grpc-accept-encoding": "identity,deflate,gzip",
  "user-agent": "trainsafe-bench-h2/0.1",
};

/** One HTTP/2 connection that many H2Agents share (as SimAgents share a grpc-js channel). */
export class H2Channel {
  readonly session: http2.ClientHttp2Session;

  constructor(address: string) {
    this.session = http2.connect(`http://${address}`);
    this.session.on("error", () => {}); // each stream reports its own failure
  }

  close(): void {
    this.session.close();
  }
}

export interface H2AgentOptions {
  readonly hostId: string;
  readonly jobId?: string;
  readonly channel: H2Channel;
  readonly onCommand?: CommandHandler;
}

export class H2Agent {
  /** Events sent and not yet acknowledged (the spool). */
  readonly unacked = new Map<string, Event>();
  private stream: http2.ClientHttp2Stream | null = null;
  private ackWaiters: Array<() => void> = [];

  constructor(private readonly opts: H2AgentOptions) {}

  get hostId(): string {
    return this.opts.hostId;
  }

  get connected(): boolean {
    return this.stream !== null;
  }

  connect(timeoutMs = 5_000): Promise<Welcome> {
    const stream = this.opts.channel.session.request({ ...BASE_HEADERS, ":path": `${SERVICE}/Connect` });
    this.stream = stream;
    const deframer = new Deframer();
    const welcome = new Promise<Welcome>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.hostId}: no welcome within ${timeoutMs}ms`)), timeoutMs);
      stream.on("data", (chunk: Buffer) =>
        deframer.push(chunk, (bytes) => {
          const b = ControllerMessage.decode(bytes).body;
          if (b?.$case === "welcome") {
            clearTimeout(timer);
            resolve(b.welcome);
          } else if (b) this.onMessage(b);
        }),
      );
      const ended = (err?: Error) => {
        clearTimeout(timer);
        if (this.stream === stream) this.stream = null;
        reject(err ?? new Error(`${this.hostId}: stream ended`));
      };
      stream.on("error", ended);
      stream.on("close", () => ended());
    });
    welcome.catch(() => {});
    this.write({ body: { $case: "hello", hello: { hostId: this.hostId, jobId: this.opts.jobId ?? "", agentVersion: "sim-h2-0.1.0", capabilities: ["command:RUN_CHECKS", "command:KILL_DAEMON", "command:RESTART_DAEMON"], baseDir: "/srv/training" } } });
    return welcome;
  }

  private onMessage(b: NonNullable<ControllerMessage["body"]>): void {
    if (b.$case === "ack") {
      for (const uuid of b.ack.uuids) this.unacked.delete(uuid);
      if (this.unacked.size === 0) for (const w of this.ackWaiters.splice(0)) w();
    } else if (b.$case === "reject") {
      if (this.unacked.delete(b.reject.uuid) && this.unacked.size === 0) for (const w of this.ackWaiters.splice(0)) w();
    } else if (b.$case === "command") {
      void this.answer(b.command);
    }
  }

  private async answer(cmd: Command): Promise<void> {
    let r: Partial<CommandResult>;
    try {
      r = this.opts.onCommand ? await this.opts.onCommand(cmd) : { ok: true, summary: "ok", outputJson: "{}" };
    } catch (err) {
      r = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    this.write({ body: { $case: "commandResult", commandResult: { commandId: cmd.commandId, ok: false, outputJson: "", error: "", summary: "", problems: 0, ...r } } });
  }

  private write(msg: AgentMessage): void {
    this.stream?.write(frame(AgentMessage.encode(msg).finish()));
  }

  sendEvent(p: Partial<Event> = {}): string {
    const ev = makeEvent({ hostId: this.hostId, jobId: this.opts.jobId ?? "", ...p });
    this.unacked.set(ev.uuid, ev);
    this.write({ body: { $case: "event", event: ev } });
    return ev.uuid;
  }

  sendTelemetry(p: Partial<Telemetry> = {}): void {
    this.write({ body: { $case: "telemetry", telemetry: makeTelemetry(p) } });
  }

  waitForAcks(timeoutMs = 5_000): Promise<void> {
    return waitForEmpty(this.unacked, this.ackWaiters, timeoutMs, this.hostId);
  }

  /** RequestRestart with a deadline (sent as grpc-timeout, and enforced here as grpc-js would). */
  requestRestart(p: Partial<RestartRequest> = {}, deadlineMs = 2_000): Promise<RestartDecision> {
    const req: RestartRequest = { requestId: randomUUID(), hostId: this.hostId, jobId: this.opts.jobId ?? "", signature: "", category: "", reason: "crash", localRestarts: 0, crashUuid: "", ...p };
    return new Promise((resolve, reject) => {
      const stream = this.opts.channel.session.request({ ...BASE_HEADERS, ":path": `${SERVICE}/RequestRestart`, "grpc-timeout": `${deadlineMs}m` });
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error(`${this.hostId}: RequestRestart deadline exceeded`));
      }, deadlineMs);
      let reply: RestartDecision | null = null;
      const deframer = new Deframer();
      stream.on("data", (chunk: Buffer) => deframer.push(chunk, (bytes) => (reply = RestartDecision.decode(bytes))));
      const finish = (grpcStatus: string | undefined, message: string | undefined) => {
        clearTimeout(timer);
        if (grpcStatus === "0" && reply) resolve(reply);
        else reject(new Error(`${this.hostId}: RequestRestart failed (grpc-status ${grpcStatus ?? "none"}: ${message ?? ""})`));
      };
      // A trailers-only answer (an error) arrives as response headers carrying grpc-status.
      stream.on("response", (h) => {
        if (h["grpc-status"] !== undefined) finish(String(h["grpc-status"]), h["grpc-message"] as string | undefined);
      });
      stream.on("trailers", (t) => finish(String(t["grpc-status"]), t["grpc-message"] as string | undefined));
      stream.on("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      stream.end(frame(RestartRequest.encode(req).finish()));
    });
  }

  close(): void {
    this.stream?.end();
    this.stream = null;
  }
}
