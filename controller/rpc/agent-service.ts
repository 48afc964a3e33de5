/**
 * AgentService: the agents' long-lived stream and restart grants. Protocol violations (bytes that
 * do not decode, no hello first, a second hello) end the stream with INVALID_ARGUMENT; a single
 * invalid event, sample or result is answered with a Reject on the stream, which stays open (an
 * agent must drop a rejected event from its spool, or it would resend it forever).
 *
 * With host certificates required (tls.ca), a hello or a RequestRestart whose host id is not the one
 * the caller's certificate names is refused (PERMISSION_DENIED), so no agent speaks for another.
 * Each stream has a token bucket for events and telemetry: over the rate, telemetry samples are
 * dropped (the next one replaces them anyway) and events are still taken but the stream stops being
 * read until the debt is paid, so HTTP/2 flow control pushes back on the agent and nothing is lost.
 */
import { status, type ServerDuplexStream } from "@grpc/grpc-js";
import type { AgentMessage, AgentServiceServer, ControllerMessage } from "../../proto/gen/trainsafe/v1/agent.js";
import type { RestartDecision, RestartRequest } from "../../proto/gen/trainsafe/v1/common.js";
import { RpcError } from "../errors.js";
import type { Ingest } from "../ingest.js";
import type { Logger } from "../log.js";
import type { RestartGrants } from "../grants.js";
import type { AgentLink, Session, SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import type { Authenticator } from "./auth.js";
import {
  commandArgsToWire,
  commandKindToWire,
  commandResultFromWire,
  eventFromWire,
  helloFromWire,
  restartAskFromWire,
  telemetryFromWire,
  verdictToWire,
} from "./convert.js";
import { KeyedBuckets, RefusalLog, TokenBucket } from "./rate.js";
import { decoded, toServiceError, Undecodable } from "./status.js";
import { unary } from "./unary.js";

export interface AgentServiceDeps {
  readonly store: Store;
  readonly ingest: Ingest;
  readonly grants: RestartGrants;
  readonly sessions: SessionRegistry;
  readonly log: Logger;
  readonly clock: () => number;
  readonly controllerVersion: string;
  readonly maxMessageBytes: number;
  readonly auth: Authenticator;
  /** Events + telemetry per second per stream, and the burst above it. */
  readonly agentMessagesPerSecond: number;
  readonly agentMessageBurst: number;
  /** RequestRestart calls per minute per host, and the burst above it. */
  readonly grantRequestsPerMinute: number;
  readonly grantRequestBurst: number;
}

function isConstraintError(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("SQLITE_CONSTRAINT");
}

/** Builds the AgentService handlers. */
export function agentService(deps: AgentServiceDeps): AgentServiceServer {
  const { log } = deps;
  const grantRate = new KeyedBuckets(deps.grantRequestsPerMinute / 60, deps.grantRequestBurst, deps.clock);
  const refusals = new RefusalLog(deps.clock);
  return {
    connect: (call) => handleStream(deps, call as ServerDuplexStream<AgentMessage | Undecodable, ControllerMessage>),
    requestRestart: unary<RestartRequest, RestartDecision>(log, "RequestRestart", async (req, call) => {
      const ask = restartAskFromWire(req);
      deps.auth.requireHost(call, ask.hostId, "host_id");
      deps.auth.requireJob(ask.hostId, ask.jobId, deps.store.hosts.jobOf(ask.hostId), "job_id");
      if (!grantRate.tryTake(ask.hostId)) {
        if (refusals.due()) log.warn("restart requests over the per-host rate refused", { host: ask.hostId, refused: refusals.count, perMinute: deps.grantRequestsPerMinute });
        throw new RpcError(
          "resource_exhausted",
          `host ${ask.hostId}: over ${deps.grantRequestsPerMinute} restart requests a minute (limits.grantRequestsPerMinute); nothing was decided, ask again later`,
        );
      }
      return verdictToWire(await deps.grants.decideSoon(ask));
    }),
  };
}

function handleStream(deps: AgentServiceDeps, call: ServerDuplexStream<AgentMessage | Undecodable, ControllerMessage>): void {
  const { log, sessions, ingest, store, clock } = deps;
  let session: Session | null = null;
  let ended = false;
  let acks: string[] = [];
  const bucket = new TokenBucket(deps.agentMessagesPerSecond, deps.agentMessageBurst, clock);
  let paused = false;
  let resumeTimer: NodeJS.Timeout | null = null;
  const drops = new RefusalLog(clock);
  /** Stops reading the stream for `ms`: gRPC stops taking its frames and the agent's writes wait. */
  const backOff = (ms: number) => {
    if (paused || ended) return;
    paused = true;
    call.pause();
    resumeTimer = setTimeout(() => {
      resumeTimer = null;
      paused = false;
      if (!ended) call.resume();
    }, ms);
  };

  const write = (msg: ControllerMessage) => {
    if (!ended) call.write(msg);
  };
  const cleanup = () => {
    if (resumeTimer) clearTimeout(resumeTimer);
    resumeTimer = null;
    if (!session) return;
    const s = session;
    session = null;
    sessions.close(s);
    // "Last seen" of a host that went away is when its stream ended.
    try {
      if (store.db.open) store.hosts.touch(s.hostId, clock());
    } catch (err) {
      log.error("cannot record the end of an agent stream", err, { host: s.hostId });
    }
  };
  /** Ends the stream with an error status (idempotent). */
  const fail = (err: unknown) => {
    if (ended) return;
    ended = true;
    cleanup();
    call.emit("error", toServiceError(err, log, "Connect"));
  };
  const reject = (uuid: string, err: RpcError) => {
    log.warn("rejected a message from an agent", { host: session?.hostId, uuid, error: err.message });
    write({ body: { $case: "reject", reject: { uuid: uuid.slice(0, 64), code: status.INVALID_ARGUMENT, message: err.message } } });
  };
  const ack = (uuid: string) => {
    acks.push(uuid);
    // Every event of one commit is acked in one message, after the commit's loop of callbacks.
    if (acks.length === 1) {
      queueMicrotask(() => {
        const uuids = acks;
        acks = [];
        write({ body: { $case: "ack", ack: { uuids } } });
      });
    }
  };
  const link: AgentLink = {
    sendCommand: (cmd) =>
      write({
        body: {
          $case: "command",
          command: { commandId: cmd.commandId, kind: commandKindToWire(cmd.kind), args: commandArgsToWire(cmd.args), deadlineMs: cmd.deadlineMs },
        },
      }),
    budgetChanged: (signatures, reason) => write({ body: { $case: "budgetChanged", budgetChanged: { signatures: [...signatures], reason } } }),
    close: (reason, code) => {
      if (ended) return;
      ended = true;
      session = null; // the registry already dropped it
      const grpcCode = code === "aborted" ? status.ABORTED : status.UNAVAILABLE;
      call.emit("error", Object.assign(new Error(reason), { code: grpcCode, details: reason }));
    },
  };

  const onMessage = (raw: AgentMessage | Undecodable) => {
    const msg = decoded(raw, "AgentMessage");
    const body = msg.body;
    if (!body) throw new RpcError("invalid_argument", "empty AgentMessage (no body)");
    if (!session) {
      if (body.$case !== "hello") throw new RpcError("invalid_argument", `the first message must be hello, got ${body.$case}`);
      const hello = helloFromWire(body.hello);
      deps.auth.requireHost(call, hello.hostId, "hello.host_id");
      deps.auth.requireJob(hello.hostId, hello.jobId, store.hosts.jobOf(hello.hostId), "hello.job_id");
      store.hosts.upsertHello(hello, clock());
      session = sessions.open(hello, link);
      write({
        body: {
          $case: "welcome",
          welcome: {
            sessionId: session.id,
            controllerVersion: deps.controllerVersion,
            serverTimeMs: clock(),
            maxMessageBytes: deps.maxMessageBytes,
          },
        },
      });
      log.info("agent connected", { host: hello.hostId, job: hello.jobId, version: hello.agentVersion, peer: call.getPeer() });
      return;
    }
    const s: Session = session;
    switch (body.$case) {
      case "hello":
        throw new RpcError("invalid_argument", "hello was already sent on this stream");
      case "event": {
        // Every event costs a token, valid or not: a flood of rejects is bounded like a flood of events.
        const waitMs = bucket.take();
        if (waitMs > 0) backOff(waitMs);
        let ev;
        try {
          ev = eventFromWire(body.event, s.hello);
          // An event may name its job (one spooled before the host moved); only a job the host may use.
          if (ev.jobId !== s.hello.jobId) deps.auth.requireJob(s.hostId, ev.jobId, s.hello.jobId, "event.job_id");
        } catch (err) {
          if (err instanceof RpcError) return reject(typeof body.event.uuid === "string" ? body.event.uuid : "", err);
          throw err;
        }
        const uuid = ev.uuid;
        ingest.event(ev, (err) => {
          if (!err) return ack(uuid);
          if (isConstraintError(err)) return reject(uuid, new RpcError("invalid_argument", `cannot be stored: ${err.message}`));
          // The store is failing: end the stream so the agent keeps the event and replays it later.
          fail(new RpcError("unavailable", "the controller cannot store events right now"));
        });
        return;
      }
      case "telemetry": {
        if (!bucket.tryTake()) {
          if (drops.due()) log.warn("agent over its message rate: telemetry dropped", { host: s.hostId, dropped: drops.count, perSecond: deps.agentMessagesPerSecond });
          return;
        }
        try {
          ingest.telemetry(telemetryFromWire(body.telemetry, s.hello));
        } catch (err) {
          if (err instanceof RpcError) return reject("", err);
          throw err;
        }
        return;
      }
      case "commandResult": {
        let r;
        try {
          r = commandResultFromWire(body.commandResult);
        } catch (err) {
          if (err instanceof RpcError) return reject(String(body.commandResult.commandId ?? ""), err);
          throw err;
        }
        const delivered = sessions.answer(s, r.commandId, r.answer);
        if (!delivered) {
          log.warn("command result nobody waits for (late or unknown)", { host: s.hostId, command: r.commandId });
          return;
        }
        if (delivered.kind === "run_checks") {
          const a = r.answer;
          ingest.healthRun(
            { hostId: s.hostId, tsMs: clock(), source: "command", ok: a.ok && a.problems === 0, problems: a.problems, summary: a.summary || a.error },
            a.outputJson,
          );
        }
        return;
      }
    }
  };

  call.on("data", (raw: AgentMessage | Undecodable) => {
    if (ended) return;
    try {
      onMessage(raw);
    } catch (err) {
      fail(err);
    }
  });
  // The agent half-closed: finish cleanly.
  call.on("end", () => {
    if (ended) return;
    ended = true;
    cleanup();
    call.end();
  });
  call.on("cancelled", () => {
    ended = true;
    cleanup();
  });
  call.on("close", () => {
    ended = true;
    cleanup();
  });
}
