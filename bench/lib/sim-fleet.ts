/**
 * Many simulated agents spread over a few worker processes (bench/lib/sim-worker.ts), each worker
 * with a few shared gRPC channels: thousands of real streams to a real controller without thousands
 * of processes. Host ids are `${prefix}${index}`; host i lives on worker i % workers.
 */
import { fork, type ChildProcess } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { GrantSample, SimTransport, WorkerReply, WorkerRequest, WorkerStats } from "./sim-protocol.js";

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), "sim-worker.ts");

/** A request without its id (Omit over each member of the union, not over their common keys). */
type Body = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, "id"> : never) : never;

class Worker {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  readonly ready: Promise<void>;

  constructor(readonly child: ChildProcess) {
    this.ready = new Promise((resolve, reject) => {
      this.waiting.set(0, { resolve: () => resolve(), reject });
    });
    child.on("message", (r: WorkerReply) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.type === "error") w.reject(new Error(`sim worker ${child.pid}: ${r.message}`));
      else w.resolve(r);
    });
    child.on("exit", (code, signal) => {
      for (const w of this.waiting.values()) w.reject(new Error(`sim worker ${child.pid} exited (${code ?? signal})`));
      this.waiting.clear();
    });
  }

  call(body: Body): Promise<WorkerReply> {
    const id = this.nextId++;
    if (!this.child.connected) return Promise.reject(new Error(`sim worker ${this.child.pid} is gone`));
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.child.send({ ...body, id } as WorkerRequest);
    });
  }
}

export interface SimFleetOptions {
  readonly address: string;
  readonly workers: number;
  /** gRPC channels (HTTP/2 connections) per worker; its agents share them round-robin. */
  readonly channelsPerWorker: number;
  readonly prefix?: string;
  /** Hosts per job (consecutive indexes share a job); 0: no jobs. */
  readonly jobSize?: number;
  /** GPUs in each telemetry sample. */
  readonly gpus?: number;
  /** How the agents speak gRPC (default grpc-js). */
  readonly transport?: SimTransport;
}

export class SimFleet {
  private readonly workers: Worker[] = [];
  private count = 0;
  private stopped = false;
  readonly prefix: string;

  constructor(private readonly opts: SimFleetOptions) {
    this.prefix = opts.prefix ?? "sim-";
  }

  /** Starts the worker processes and opens their channels. */
  async start(): Promise<void> {
    for (let i = 0; i < this.opts.workers; i++) {
      const child = fork(WORKER, [], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
      this.workers.push(new Worker(child));
    }
    await Promise.all(this.workers.map((w) => w.ready));
    await this.all({ type: "init", address: this.opts.address, channels: this.opts.channelsPerWorker, gpus: this.opts.gpus ?? 8, transport: this.opts.transport ?? "grpc-js" });
  }

  /** PIDs of the worker processes (to measure their CPU). */
  get pids(): number[] {
    return this.workers.map((w) => w.child.pid!);
  }

  /** Agents connected so far (host ids 0..size-1). */
  get size(): number {
    return this.count;
  }

  hostId(index: number): string {
    return `${this.prefix}${index}`;
  }

  private owner(index: number): Worker {
    return this.workers[index % this.workers.length]!;
  }

  private all(body: Body): Promise<WorkerReply[]> {
    return Promise.all(this.workers.map((w) => w.call(body)));
  }

  private byWorker(indexes: readonly number[]): Map<Worker, string[]> {
    const m = new Map<Worker, string[]>();
    for (const i of indexes) {
      const w = this.owner(i);
      const list = m.get(w) ?? [];
      list.push(this.hostId(i));
      m.set(w, list);
    }
    return m;
  }

  /** Connects agents until `total` are connected; resolves with the time it took and any failures. */
  async grow(total: number, concurrencyPerWorker = 64): Promise<{ ms: number; failed: string[] }> {
    const indexes = Array.from({ length: Math.max(0, total - this.count) }, (_, k) => this.count + k);
    const t0 = performance.now();
    const replies = await Promise.all(
      [...this.byWorker(indexes)].map(([w, hostIds]) => w.call({ type: "connect", hostIds, jobSize: this.opts.jobSize ?? 0, concurrency: concurrencyPerWorker })),
    );
    this.count = Math.max(this.count, total);
    const failed = replies.flatMap((r) => (r.type === "connected" ? r.failed : []));
    return { ms: performance.now() - t0, failed };
  }

  /** Every agent sends telemetry every `telemetryMs` and a health-check event every `eventMs` (0: none), each at a random phase. */
  async schedule(telemetryMs: number, eventMs: number): Promise<void> {
    await this.all({ type: "schedule", telemetryMs, eventMs });
  }

  /** What every agent answers to commands. */
  async setCommandResult(outputJson: string, summary: string, problems: number): Promise<void> {
    await this.all({ type: "commandResult", outputJson, summary, problems });
  }

  /**
   * These agents crash: crash event, RequestRestart, decision and restart events; all at once, or each
   * at a random moment within `spreadMs`. Resolves when every grant is answered.
   */
  async burst(indexes: readonly number[], salt: number, spreadMs = 0): Promise<void> {
    await Promise.all([...this.byWorker(indexes)].map(([w, hostIds]) => w.call({ type: "burst", hostIds, salt, spreadMs })));
  }

  /** `count` sequential event acks and grants from agent `index` (run it while nothing else happens). */
  async reference(index: number, count: number): Promise<{ grantMs: number[]; ackMs: number[] }> {
    const r = await this.owner(index).call({ type: "reference", hostId: this.hostId(index), count });
    if (r.type !== "reference") throw new Error("unexpected reply to reference");
    return { grantMs: r.grantMs, ackMs: r.ackMs };
  }

  /** Agent `index` sends a small event every `everyMs`; its acks are recorded as ACK_PROBE samples. */
  async probe(index: number, everyMs: number): Promise<void> {
    await this.owner(index).call({ type: "probe", hostId: this.hostId(index), everyMs });
  }

  /** Stops the telemetry, event and probe schedules (bursts and commands still work). */
  async pause(): Promise<void> {
    await this.all({ type: "pause" });
  }

  /** Everything measured since the last collect, merged across workers. */
  async collect(): Promise<WorkerStats> {
    const replies = await this.all({ type: "collect" });
    const out: WorkerStats = { grants: [], grantErrors: [], acks: [], ackTimeouts: 0, telemetrySent: 0, eventsSent: 0, commandsAnswered: 0, cpuMs: 0, disconnected: 0, unackedAgents: 0 };
    for (const [w, r] of replies.entries()) {
      if (r.type !== "stats") continue;
      const s = r.stats;
      // The worker's index rides along for diagnostics (BENCH_DUMP).
      out.grants.push(...s.grants.map((g): GrantSample => [g[0], g[1], g[2], w]));
      out.grantErrors.push(...s.grantErrors);
      out.acks.push(...s.acks);
      out.ackTimeouts += s.ackTimeouts;
      out.telemetrySent += s.telemetrySent;
      out.eventsSent += s.eventsSent;
      out.commandsAnswered += s.commandsAnswered;
      out.cpuMs += s.cpuMs;
      out.disconnected += s.disconnected;
      out.unackedAgents += s.unackedAgents;
    }
    return out;
  }

  /** Closes every stream and ends the workers (safe to call twice). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await Promise.allSettled(this.workers.map((w) => w.call({ type: "stop" })));
    await Promise.all(
      this.workers.map((w) =>
        w.child.exitCode !== null || w.child.signalCode !== null
          ? undefined
          : new Promise<void>((resolve) => {
              const t = setTimeout(() => {
                w.child.kill("SIGKILL");
                resolve();
              }, 3_000);
              w.child.once("exit", () => {
                clearTimeout(t);
                resolve();
              });
            }),
      ),
    );
  }
}
