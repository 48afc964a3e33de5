/**
 * A benchmark worker process: plays many simulated agents (SimAgent, real gRPC streams) over a few
 * shared channels, driven by its parent over IPC (bench/lib/sim-fleet.ts). It sends telemetry and
 * events on a schedule, runs crash bursts (crash event, RequestRestart, then the grant and restart
 * events a real agent sends), answers commands, and reports what it measured at the client: grant
 * latencies and event-to-ack latencies, each stamped with the wall-clock time it completed.
 *
 * Started with `fork(thisFile, [], { execArgv: ["--import", "tsx"] })`; not run on its own.
 */
import { createAgentClient, makeCrash, SimAgent, EventKind } from "../../test/helpers/grpc-agent.js";
import type { AgentServiceClient } from "../../proto/gen/trainsafe/v1/agent.js";
import { H2Agent, H2Channel } from "./h2-agent.js";
import { ACK_BURST, ACK_PROBE, ACK_STEADY, type SimTransport, type WorkerReply, type WorkerRequest, type WorkerStats } from "./sim-protocol.js";

const CATEGORIES = ["cuda_oom", "nccl_timeout", "nccl_remote_error", "gpu_xid", "segfault", "python_exception", "disk_full", "data_error"];

/** What the worker needs of a simulated agent, whichever transport plays it. */
type Agent = Pick<SimAgent, "hostId" | "connected" | "unacked" | "sendEvent" | "sendTelemetry" | "waitForAcks" | "requestRestart" | "close"> & {
  connect(timeoutMs: number): Promise<unknown>;
};

interface Slot {
  readonly agent: Agent;
  /** Next telemetry / next steady event, wall-clock ms. */
  nextTelemetryMs: number;
  nextEventMs: number;
  /** An ack measurement is running: later events join it (the spool drains as a whole). */
  measuringAck: boolean;
}

let address = "";
let transport: SimTransport = "grpc-js";
let clients: AgentServiceClient[] = [];
let channels: H2Channel[] = [];
let commandOutput = "{}";
let commandSummary = "ok";
let commandProblems = 0;
const slots = new Map<string, Slot>();
let stats = emptyStats();
let ticker: NodeJS.Timeout | null = null;
let probe: NodeJS.Timeout | null = null;
let gpus = 8;
let telemetryMs = 10_000;
/** Interval of each agent's health-check event; 0: none. */
let eventMs = 0;
const cpuStart = process.cpuUsage();

function emptyStats(): WorkerStats {
  return { grants: [], acks: [], grantErrors: [], ackTimeouts: 0, telemetrySent: 0, eventsSent: 0, commandsAnswered: 0, cpuMs: 0, disconnected: 0, unackedAgents: 0 };
}

const reply = (r: WorkerReply) => process.send!(r);

function telemetryGpus(n: number) {
  return Array.from({ length: n }, (_, index) => ({ index, utilPct: 95 + (index % 5), memUsedBytes: 70e9, memTotalBytes: 80e9, tempC: 70 + index, powerW: 640 + index }));
}

/** Measures the time until this agent's spool (its unacked events) is empty again. */
function measureAck(slot: Slot, kind: number): void {
  if (slot.measuringAck) return;
  slot.measuringAck = true;
  const t0 = performance.now();
  slot.agent.waitForAcks(30_000).then(
    () => {
      slot.measuringAck = false;
      stats.acks.push([Date.now(), performance.now() - t0, kind]);
    },
    () => {
      slot.measuringAck = false;
      stats.ackTimeouts++;
    },
  );
}

function sendEvent(slot: Slot, p: Parameters<Agent["sendEvent"]>[0], kind: number): void {
  if (!slot.agent.connected) return;
  slot.agent.sendEvent(p);
  stats.eventsSent++;
  measureAck(slot, kind);
}

/** A health-check event like the agent's periodic one (about 1 KB of details). */
function healthEvent(slot: Slot): void {
  const checks = ["daemon", "progress", "disk", "memory", "gpu", "xid", "config", "checkpoint", "permissions", "zombies", "logsize"].map((id) => ({
    id,
    status: "pass",
    message: `${id}: fine on ${slot.agent.hostId}`,
  }));
  sendEvent(slot, {
    kind: EventKind.EVENT_KIND_HEALTH_CHECK,
    category: "pass",
    message: "periodic health check: 11 pass, 0 warn, 0 fail, 0 skip",
    detailsJson: JSON.stringify({ ok: true, problems: 0, summary: "11 pass, 0 warn, 0 fail, 0 skip", checks }),
  }, ACK_STEADY);
}

/** What a real agent does after a crash: report it, ask for a grant, report the decision and the restart. */
async function crash(slot: Slot, signature: string, category: string): Promise<void> {
  const a = slot.agent;
  if (!a.connected) return;
  // sendEvent fills uuid, host and job; keep the crash's own fields.
  const { uuid: _u, hostId: _h, jobId: _j, ...fields } = makeCrash({ category, signature });
  const crashUuid = a.sendEvent(fields);
  stats.eventsSent++;
  measureAck(slot, ACK_BURST);
  const t0 = performance.now();
  try {
    const d = await a.requestRestart({ signature, category, reason: "crash", crashUuid }, 5_000);
    stats.grants.push([Date.now(), performance.now() - t0, d.allow ? 1 : 0]);
    sendEvent(slot, { kind: d.allow ? EventKind.EVENT_KIND_GRANT : EventKind.EVENT_KIND_DENIAL, category: "crash", message: d.reason }, ACK_BURST);
    if (d.allow) sendEvent(slot, { kind: EventKind.EVENT_KIND_RESTART, category: "crash", message: "daemon restarted" }, ACK_BURST);
  } catch (err) {
    stats.grantErrors.push([Date.now(), performance.now() - t0, String((err as Error).message ?? err).slice(0, 200)]);
  }
}

function tick(): void {
  const now = Date.now();
  for (const slot of slots.values()) {
    if (!slot.agent.connected) continue;
    if (now >= slot.nextTelemetryMs) {
      slot.nextTelemetryMs += telemetryMs;
      if (slot.nextTelemetryMs < now) slot.nextTelemetryMs = now + telemetryMs;
      slot.agent.sendTelemetry({ gpus: telemetryGpus(gpus), step: Math.floor(now / 400), stepRate: 2.5 });
      stats.telemetrySent++;
    }
    if (eventMs > 0 && now >= slot.nextEventMs) {
      slot.nextEventMs += eventMs;
      if (slot.nextEventMs < now) slot.nextEventMs = now + eventMs;
      healthEvent(slot);
    }
  }
}

async function connectAll(hostIds: readonly string[], jobSize: number, concurrency: number): Promise<{ failed: string[] }> {
  const failed: string[] = [];
  let next = 0;
  const one = async () => {
    while (next < hostIds.length) {
      const hostId = hostIds[next++]!;
      const index = Number(/(\d+)$/.exec(hostId)?.[1] ?? 0);
      const jobId = jobSize > 0 ? `job-${Math.floor(index / jobSize)}` : "";
      const onCommand = () => {
        stats.commandsAnswered++;
        return { ok: true, outputJson: commandOutput, summary: commandSummary, problems: commandProblems };
      };
      const agent: Agent =
        transport === "http2"
          ? new H2Agent({ hostId, jobId, channel: channels[index % channels.length]!, onCommand })
          : new SimAgent({ address, hostId, jobId, client: clients[index % clients.length]!, onCommand });
      try {
        await agent.connect(15_000);
        const now = Date.now();
        slots.set(hostId, {
          agent,
          // A random phase: real agents started at different times.
          nextTelemetryMs: now + Math.random() * telemetryMs,
          nextEventMs: now + Math.random() * (eventMs || 1),
          measuringAck: false,
        });
      } catch (err) {
        failed.push(`${hostId}: ${(err as Error).message}`);
        agent.close();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, one));
  return { failed };
}

async function handle(req: WorkerRequest): Promise<WorkerReply> {
  switch (req.type) {
    case "init":
      address = req.address;
      transport = req.transport;
      if (transport === "http2") channels = Array.from({ length: req.channels }, () => new H2Channel(address));
      else clients = Array.from({ length: req.channels }, () => createAgentClient(address));
      gpus = req.gpus;
      return { id: req.id, type: "ok" };
    case "commandResult":
      commandOutput = req.outputJson;
      commandSummary = req.summary;
      commandProblems = req.problems;
      return { id: req.id, type: "ok" };
    case "connect": {
      const t0 = performance.now();
      const { failed } = await connectAll(req.hostIds, req.jobSize, req.concurrency);
      return { id: req.id, type: "connected", ms: performance.now() - t0, failed };
    }
    case "schedule":
      telemetryMs = req.telemetryMs;
      eventMs = req.eventMs;
      for (const s of slots.values()) {
        s.nextTelemetryMs = Date.now() + Math.random() * telemetryMs;
        s.nextEventMs = Date.now() + Math.random() * (eventMs || 1);
      }
      ticker ??= setInterval(tick, 20);
      return { id: req.id, type: "ok" };
    case "burst": {
      const jobs = req.hostIds.map((h, i) => {
        const slot = slots.get(h);
        const category = CATEGORIES[(i + req.salt) % CATEGORIES.length]!;
        if (!slot) return Promise.resolve();
        const go = () => crash(slot, `${category}:bench-${(i + req.salt) % 16}`, category);
        // A spread: agents notice their daemon's death at their own liveness-poll phase.
        return req.spreadMs > 0 ? new Promise<void>((r) => setTimeout(() => void go().then(r), Math.random() * req.spreadMs)) : go();
      });
      await Promise.all(jobs);
      return { id: req.id, type: "ok" };
    }
    case "reference": {
      // Sequential calls from one agent on an otherwise idle controller: the floor of both latencies.
      const slot = slots.get(req.hostId);
      if (!slot) throw new Error(`reference: ${req.hostId} is not connected here`);
      const grantMs: number[] = [];
      const ackMs: number[] = [];
      for (let i = 0; i < req.count; i++) {
        let t0 = performance.now();
        slot.agent.sendEvent({ kind: EventKind.EVENT_KIND_INFO, message: `reference ${i}` });
        stats.eventsSent++;
        await slot.agent.waitForAcks(5_000);
        ackMs.push(performance.now() - t0);
        t0 = performance.now();
        await slot.agent.requestRestart({ signature: `reference:${i}`, category: "reference", reason: "crash" }, 5_000);
        grantMs.push(performance.now() - t0);
      }
      return { id: req.id, type: "reference", grantMs, ackMs };
    }
    case "probe": {
      // One agent sends a small event every `everyMs`: its ack latency over time shows any backlog.
      const slot = slots.get(req.hostId);
      if (!slot) throw new Error(`probe: ${req.hostId} is not connected here`);
      probe ??= setInterval(() => sendEvent(slot, { kind: EventKind.EVENT_KIND_INFO, message: "probe" }, ACK_PROBE), req.everyMs);
      return { id: req.id, type: "ok" };
    }
    case "collect": {
      const out = stats;
      stats = emptyStats();
      const cpu = process.cpuUsage(cpuStart);
      out.cpuMs = (cpu.user + cpu.system) / 1000;
      for (const s of slots.values()) {
        if (!s.agent.connected) out.disconnected++;
        // Events keep flowing while stats are collected: only an old unacked event is a backlog.
        const oldMs = Date.now() - 1_000;
        for (const ev of s.agent.unacked.values()) {
          if (ev.tsMs < oldMs) {
            out.unackedAgents++;
            break;
          }
        }
      }
      return { id: req.id, type: "stats", stats: out };
    }
    case "pause":
      if (ticker) clearInterval(ticker);
      if (probe) clearInterval(probe);
      ticker = probe = null;
      return { id: req.id, type: "ok" };
    case "stop":
      if (ticker) clearInterval(ticker);
      if (probe) clearInterval(probe);
      for (const s of slots.values()) s.agent.close();
      for (const c of clients) c.close();
      for (const c of channels) c.close();
      setTimeout(() => process.exit(0), 50).unref();
      return { id: req.id, type: "ok" };
  }
}

process.on("message", (req: WorkerRequest) => {
  handle(req).then(reply, (err: unknown) => reply({ id: req.id, type: "error", message: err instanceof Error ? (err.stack ?? err.message) : String(err) }));
});
process.on("disconnect", () => process.exit(0));
reply({ id: 0, type: "ok" });
