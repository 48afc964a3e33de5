/**
 * The agent's link to the controller: one bidirectional stream (hello, events, telemetry and command
 * results up; acks, rejects and commands down) kept open with jittered back-off, plus the unary
 * restart-grant call with a deadline. The only agent module that touches proto/gen.
 *
 * TLS from agent.tls (the controller's CA, and this host's certificate for mutual TLS), read again
 * every agent.tls.reloadInterval so a renewed certificate needs no restart; plain text only to a
 * loopback controller, or with agent.insecure (a warning). Every text field is capped to
 * the controller's limit before it is sent, and messages are bounded by MAX_MESSAGE_BYTES.
 */
import net from "node:net";
import tls from "node:tls";
import {
  credentials,
  experimental,
  Metadata,
  status,
  type ChannelCredentials,
  type ClientDuplexStream,
  type ServiceError,
  type VerifyOptions,
} from "@grpc/grpc-js";
import { AgentServiceClient, type AgentMessage, type ControllerMessage } from "../../proto/gen/trainsafe/v1/agent.js";
import {
  CommandKind,
  DecisionScope,
  EventKind,
  type Command,
  type Event as WireEvent,
  type RestartDecision,
} from "../../proto/gen/trainsafe/v1/common.js";
import { configError, describeError } from "../lib/errors.js";
import { TlsFileError, TlsFiles } from "../lib/tls-files.js";
import type { Spool } from "./spool.js";
import type {
  AgentCommand,
  AgentCommandKind,
  AgentCommandResult,
  AgentEvent,
  AgentEventKind,
  GrantDecision,
  GrantRequest,
  TelemetrySample,
} from "../service/types.js";

export interface LinkOptions {
  readonly address: string;
  readonly hostId: string;
  readonly jobId: string;
  readonly version: string;
  readonly capabilities: readonly string[];
  readonly baseDir: string;
  readonly spool: Spool;
  readonly reconnectInitialMs: number;
  readonly reconnectMaxMs: number;
  readonly onCommand: (cmd: AgentCommand) => Promise<AgentCommandResult>;
  readonly log: (line: string) => void;
  /** TLS to the controller (resolved agent.tls: absolute paths); absent: plain text. */
  readonly tls?: LinkTls | undefined;
  /** Allow plain text to a controller that is not on loopback. */
  readonly insecure?: boolean;
  /** Settings file, named in configuration errors. */
  readonly settingsSource?: string | undefined;
  /**
   * The controller said its restart budget changed (breakers closed), or the link came up (a reset
   * may have happened while it was down): a host waiting for a grant asks again now.
   */
  readonly onBudgetMayHaveChanged?: (why: string) => void;
}

export interface LinkTls {
  readonly ca: string;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
  readonly serverName?: string | undefined;
  /** How often the files are read again, ms; 0 or absent: never. */
  readonly reloadInterval?: number | undefined;
}

function hostOf(address: string): string {
  const m = /^\[([^\]]+)\]:\d+$/.exec(address) ?? /^([^:]+):\d+$/.exec(address);
  return m?.[1] ?? address;
}

/** Loopback: 127.0.0.0/8, ::1, localhost (the rule of controller/config.ts isLoopbackHost). */
export function isLoopbackAddress(address: string): boolean {
  const h = hostOf(address).toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

/**
 * How a TLS client names the controller: `serverName` when given; otherwise the address's host.
 * SNI may not carry an IP address (RFC 6066; Node warns on every process that tries), so for an IP
 * a placeholder goes in SNI and the certificate is still verified against the IP itself.
 */
export function tlsTarget(address: string, serverName?: string): { channelOptions: Record<string, string>; verify: VerifyOptions } {
  if (serverName) return { channelOptions: { "grpc.ssl_target_name_override": serverName }, verify: {} };
  const host = hostOf(address);
  if (net.isIP(host) === 0) return { channelOptions: {}, verify: {} };
  return {
    channelOptions: { "grpc.ssl_target_name_override": "trainsafe-controller" },
    verify: { checkServerIdentity: (_name, cert) => tls.checkServerIdentity(host, cert) },
  };
}

/**
 * Channel credentials for the controller link; throws a config error naming the agent.* field
 * for plain text to a non-loopback controller without agent.insecure, or an unreadable file.
 */
export function linkCredentials(opts: Pick<LinkOptions, "address" | "tls" | "insecure" | "settingsSource" | "log">): {
  creds: ChannelCredentials;
  channelOptions: Record<string, string>;
  /** The files behind the credentials, to re-read (null on plain text). */
  files: TlsFiles | null;
} {
  const src = opts.settingsSource ?? "agent settings";
  if (!opts.tls) {
    if (!isLoopbackAddress(opts.address)) {
      if (!opts.insecure) {
        throw configError(
          src,
          `plain text to the controller at ${opts.address} (not loopback) would let anyone on the path read and forge this agent's traffic: give agent.tls {ca, cert, key} or set agent.insecure: true`,
          "agent.tls",
        );
      }
      opts.log(`WARNING: agent.insecure: plain-text link to the controller at ${opts.address}; anyone on the network can read and forge it`);
    }
    return { creds: credentials.createInsecure(), channelOptions: {}, files: null };
  }
  const t = opts.tls;
  const files = new TlsFiles({ caFile: t.ca, certFile: t.cert, keyFile: t.key }, "agent.tls", src);
  const target = tlsTarget(opts.address, t.serverName);
  // Each new connection takes the files' latest certificates (see TlsFiles.reload).
  const creds = experimental.createCertificateProviderChannelCredentials(files.caProvider()!, files.identityProvider(), target.verify);
  return { creds, channelOptions: target.channelOptions, files };
}

const MAX_MESSAGE_BYTES = 4 * 1024 * 1024;
const DETAILS_CAP_BYTES = 60 * 1024;
const EXCERPT_CAP = 16 * 1024;

const EVENT_KINDS: Readonly<Record<AgentEventKind, EventKind>> = {
  crash: EventKind.EVENT_KIND_CRASH,
  hang: EventKind.EVENT_KIND_HANG,
  kill: EventKind.EVENT_KIND_KILL,
  restart: EventKind.EVENT_KIND_RESTART,
  grant: EventKind.EVENT_KIND_GRANT,
  denial: EventKind.EVENT_KIND_DENIAL,
  block: EventKind.EVENT_KIND_BLOCK,
  health_check: EventKind.EVENT_KIND_HEALTH_CHECK,
  info: EventKind.EVENT_KIND_INFO,
  warning: EventKind.EVENT_KIND_WARNING,
  local_restart: EventKind.EVENT_KIND_LOCAL_RESTART,
};

const COMMAND_KINDS: ReadonlyMap<CommandKind, AgentCommandKind> = new Map([
  [CommandKind.COMMAND_KIND_RUN_CHECKS, "run_checks"],
  [CommandKind.COMMAND_KIND_SCAN_CRASHES, "scan_crashes"],
  [CommandKind.COMMAND_KIND_VERIFY_RESUME, "verify_resume"],
  [CommandKind.COMMAND_KIND_VALIDATE_CONFIG, "validate_config"],
  [CommandKind.COMMAND_KIND_KILL_DAEMON, "kill_daemon"],
  [CommandKind.COMMAND_KIND_RESTART_DAEMON, "restart_daemon"],
]);

const SCOPES: ReadonlyMap<DecisionScope, GrantDecision["scope"]> = new Map([
  [DecisionScope.DECISION_SCOPE_HOST, "host"],
  [DecisionScope.DECISION_SCOPE_JOB, "job"],
  [DecisionScope.DECISION_SCOPE_FLEET, "fleet"],
  [DecisionScope.DECISION_SCOPE_BREAKER, "breaker"],
]);

/** Error from requestGrant when the controller did not answer (the caller falls back to the local budget). */
export class ControllerUnavailable extends Error {}

/**
 * Error from requestGrant when the controller answered with a refusal instead of a decision (over
 * its rate limit, permission denied, ...): an answer, so the caller waits and asks again later; it
 * never falls back to the local budget for it.
 */
export class ControllerRefused extends Error {
  constructor(
    message: string,
    /** gRPC status name, e.g. "RESOURCE_EXHAUSTED". */
    readonly code: string,
  ) {
    super(message);
  }
}

/** Codes that mean no answer came (nothing decided; the controller is away or too slow). */
const NO_ANSWER: ReadonlySet<status> = new Set([status.DEADLINE_EXCEEDED, status.UNAVAILABLE, status.CANCELLED]);

export class ControllerLink {
  private readonly client: AgentServiceClient;
  private stream: ClientDuplexStream<AgentMessage, ControllerMessage> | null = null;
  private welcomed = false;
  private stopped = true;
  private attempt = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly tlsFiles: TlsFiles | null;
  private tlsTimer: NodeJS.Timeout | null = null;
  /** Times the stream was (re)established; tests and the page read it. */
  connects = 0;

  constructor(private readonly opts: LinkOptions) {
    const { creds, channelOptions, files } = linkCredentials(opts);
    this.tlsFiles = files;
    this.client = new AgentServiceClient(opts.address, creds, {
      ...channelOptions,
      "grpc.max_send_message_length": MAX_MESSAGE_BYTES,
      "grpc.max_receive_message_length": MAX_MESSAGE_BYTES,
      "grpc.keepalive_time_ms": 30_000,
      "grpc.keepalive_timeout_ms": 10_000,
      // The channel's own reconnect back-off grows to 2 minutes by default, which would keep an agent
      // away (and on the local budget) long after the controller is back: follow ours instead.
      "grpc.initial_reconnect_backoff_ms": opts.reconnectInitialMs,
      "grpc.min_reconnect_backoff_ms": opts.reconnectInitialMs,
      "grpc.max_reconnect_backoff_ms": opts.reconnectMaxMs,
    });
  }

  /** True while a stream is open and the controller has welcomed this agent. */
  get connected(): boolean {
    return this.stream !== null && this.welcomed;
  }

  start(): void {
    this.stopped = false;
    const every = this.opts.tls?.reloadInterval ?? 0;
    if (this.tlsFiles && every > 0 && !this.tlsTimer) {
      this.tlsTimer = setInterval(() => this.reloadTls(), every);
      this.tlsTimer.unref();
    }
    this.open();
  }

  /**
   * Reads the TLS files again: new, sound ones are used by the next connection (the open stream
   * keeps its own); unsound ones are refused with a line naming the file and the old ones stay.
   */
  reloadTls(): void {
    if (!this.tlsFiles) return;
    try {
      if (this.tlsFiles.reload() === "reloaded") {
        const s = this.tlsFiles.summary;
        this.opts.log(`TLS files reloaded: the next connection to the controller uses them${s ? ` (certificate ${s.subject}, serial ${s.serial}, valid to ${s.validTo})` : ""}`);
      }
    } catch (err) {
      if (!(err instanceof TlsFileError)) throw err;
      this.opts.log(`ERROR: TLS files not reloaded, still using the previous ones: ${err.message}`);
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.tlsTimer) clearInterval(this.tlsTimer);
    this.tlsTimer = null;
    const s = this.stream;
    this.stream = null;
    if (s) {
      s.removeAllListeners();
      s.on("error", () => {});
      s.end();
      s.cancel();
    }
    this.client.close();
  }

  /** Spools the event durably, then sends it when connected. Returns false when the spool refused it. */
  publish(ev: AgentEvent): boolean {
    const stored = this.opts.spool.append(ev as unknown as { uuid: string });
    if (this.connected) this.write({ body: { $case: "event", event: toWireEvent(ev, this.opts) } });
    return stored;
  }

  /** Sends a telemetry sample when connected (telemetry is not spooled: the latest one wins). */
  sendTelemetry(t: TelemetrySample): void {
    if (!this.connected) return;
    this.write({ body: { $case: "telemetry", telemetry: { ...t, gpus: [...t.gpus] } } });
  }

  /** Asks the controller for a restart grant; throws ControllerUnavailable when it cannot answer in time. */
  requestGrant(req: GrantRequest, deadlineMs: number): Promise<GrantDecision> {
    return new Promise((resolve, reject) => {
      const deadline = new Date(Date.now() + deadlineMs);
      this.client.requestRestart(
        { ...req, hostId: this.opts.hostId, jobId: this.opts.jobId },
        new Metadata(),
        { deadline },
        (err: ServiceError | null, res: RestartDecision) => {
          if (err) {
            const text = `controller ${this.opts.address}: ${status[err.code] ?? err.code}: ${err.details || err.message}`;
            // A refusal is the controller's answer (an open breaker behind a rate limit must hold);
            // only the absence of an answer lets the local budget decide.
            reject(NO_ANSWER.has(err.code) ? new ControllerUnavailable(text) : new ControllerRefused(text, String(status[err.code] ?? err.code)));
            return;
          }
          resolve({
            allow: res.allow,
            reason: res.reason,
            delayMs: res.delayMs,
            scope: SCOPES.get(res.scope) ?? "host",
            grantId: res.grantId,
            coalesced: res.coalesced,
          });
        },
      );
    });
  }

  private open(): void {
    if (this.stopped) return;
    const s = this.client.connect();
    this.stream = s;
    this.welcomed = false;
    s.on("data", (msg: ControllerMessage) => this.onMessage(s, msg));
    s.on("error", (err: ServiceError) => this.onClosed(s, `${status[err.code] ?? err.code}: ${err.details || err.message}`));
    s.on("end", () => this.onClosed(s, "stream ended by the controller"));
    s.write({
      body: {
        $case: "hello",
        hello: {
          hostId: this.opts.hostId,
          jobId: this.opts.jobId,
          agentVersion: this.opts.version,
          capabilities: [...this.opts.capabilities],
          baseDir: this.opts.baseDir,
        },
      },
    });
  }

  private onMessage(s: ClientDuplexStream<AgentMessage, ControllerMessage>, msg: ControllerMessage): void {
    if (s !== this.stream || !msg.body) return;
    const body = msg.body;
    switch (body.$case) {
      case "welcome":
        this.welcomed = true;
        this.attempt = 0;
        this.connects++;
        this.opts.log(`connected to controller ${this.opts.address} (session ${body.welcome.sessionId})`);
        this.replay();
        this.opts.onBudgetMayHaveChanged?.("connected to the controller");
        break;
      case "budgetChanged":
        this.opts.log(`controller: restart budget changed (${body.budgetChanged.reason || "breakers closed"})`);
        this.opts.onBudgetMayHaveChanged?.(body.budgetChanged.reason || "budget changed");
        break;
      case "ack":
        this.opts.spool.ack(body.ack.uuids);
        break;
      case "reject":
        this.opts.log(`controller rejected event ${body.reject.uuid}: ${body.reject.message} (dropped from the spool)`);
        this.opts.spool.ack([body.reject.uuid]);
        break;
      case "command":
        void this.runCommand(body.command);
        break;
    }
  }

  /** Resends every spooled event; the controller stores each uuid once, so repeats are harmless. */
  private replay(): void {
    const pending = this.opts.spool.pendingEvents();
    if (pending.length) this.opts.log(`replaying ${pending.length} spooled event(s)`);
    for (const ev of pending) {
      this.write({ body: { $case: "event", event: toWireEvent(ev as unknown as AgentEvent, this.opts) } });
    }
  }

  private async runCommand(cmd: Command): Promise<void> {
    const kind = COMMAND_KINDS.get(cmd.kind);
    let result: AgentCommandResult;
    if (!kind) {
      // Only enumerated commands run; anything else is refused.
      result = { ok: false, output: null, error: `unknown command kind ${cmd.kind}`, summary: "refused", problems: 0 };
    } else {
      try {
        result = await this.opts.onCommand({
          id: cmd.commandId,
          kind,
          fix: cmd.args?.fix ?? false,
          names: cmd.args?.names ?? [],
          lastNLines: cmd.args?.lastNLines ?? 0,
          reason: cmd.args?.reason ?? "",
        });
      } catch (err) {
        result = { ok: false, output: null, error: describeError(err), summary: "failed", problems: 0 };
      }
    }
    let outputJson = JSON.stringify(result.output ?? null);
    if (outputJson.length > 1024 * 1024) outputJson = JSON.stringify({ truncated: true, summary: result.summary });
    this.write({
      body: {
        $case: "commandResult",
        commandResult: {
          commandId: cmd.commandId,
          ok: result.ok,
          outputJson,
          error: capBytes(result.error, 4096),
          summary: capBytes(result.summary, 1024),
          problems: result.problems,
        },
      },
    });
  }

  private write(msg: AgentMessage): void {
    const s = this.stream;
    if (!s) return;
    try {
      s.write(msg);
    } catch (err) {
      this.opts.log(`write to controller failed: ${describeError(err)}`);
    }
  }

  private onClosed(s: ClientDuplexStream<AgentMessage, ControllerMessage>, why: string): void {
    if (s !== this.stream) return;
    const wasConnected = this.welcomed;
    this.stream = null;
    this.welcomed = false;
    s.removeAllListeners();
    s.on("error", () => {});
    if (this.stopped) return;
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectInitialMs * 2 ** this.attempt);
    this.attempt++;
    // Full jitter: agents that lost the controller together don't come back together.
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    if (wasConnected || this.attempt === 1) this.opts.log(`controller link down (${why}); reconnecting in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, delay);
  }
}

function toWireEvent(ev: AgentEvent, opts: LinkOptions): WireEvent {
  let details = ev.details === undefined ? "" : JSON.stringify(ev.details);
  if (details.length > DETAILS_CAP_BYTES) details = JSON.stringify({ truncated: true, bytes: details.length });
  const wire: WireEvent = {
    uuid: ev.uuid,
    tsMs: ev.tsMs,
    hostId: opts.hostId,
    jobId: opts.jobId,
    kind: EVENT_KINDS[ev.kind] ?? EventKind.EVENT_KIND_INFO,
    category: capBytes(ev.category, 64),
    signature: capBytes(ev.signature, 256),
    message: capBytes(ev.message, 4096),
    detailsJson: details,
    signal: capBytes((ev.signal ?? ""), 16),
    crash: ev.crash
      ? {
          firstFatalLine: capBytes(ev.crash.firstFatalLine, 4096),
          excerpt: capBytes(ev.crash.excerpt, EXCERPT_CAP, true),
          suggestion: capBytes(ev.crash.suggestion, 4096),
          logFile: capBytes(ev.crash.logFile, 1024),
        }
      : undefined,
  };
  if (typeof ev.exitCode === "number") wire.exitCode = ev.exitCode;
  return wire;
}

/** Cuts text to at most `maxBytes` of UTF-8 (the controller's limits are in bytes), keeping the head or the tail. */
function capBytes(text: string, maxBytes: number, keepTail = false): string {
  const buf = Buffer.from(text);
  if (buf.length <= maxBytes) return text;
  const cut = keepTail ? buf.subarray(buf.length - maxBytes) : buf.subarray(0, maxBytes);
  // Drop a character split by the cut (it decodes to U+FFFD at the edge).
  return cut.toString("utf8").replace(keepTail ? /^\uFFFD+/ : /\uFFFD+$/, "");
}
