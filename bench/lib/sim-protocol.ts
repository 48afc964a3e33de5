/** Messages between a benchmark and its simulated-agent workers (bench/lib/sim-worker.ts). */

/** How simulated agents speak gRPC: grpc-js (SimAgent) or node:http2 with hand-written framing (H2Agent). */
export type SimTransport = "grpc-js" | "http2";

/** [completed at, wall-clock ms; latency ms; 1 when the grant allowed a restart]. */
export type GrantSample = [atMs: number, latencyMs: number, allowed: number, worker?: number];
/** What started an ack measurement. */
export const ACK_STEADY = 0;
export const ACK_BURST = 1;
export const ACK_PROBE = 2;
/** [completed at, wall-clock ms; ms from an event's send until the agent's spool was empty; ACK_*]. */
export type AckSample = [atMs: number, latencyMs: number, kind: number];

export interface WorkerStats {
  grants: GrantSample[];
  grantErrors: Array<[atMs: number, latencyMs: number, message: string]>;
  acks: AckSample[];
  /** Events still unacked 30 s after they were sent. */
  ackTimeouts: number;
  telemetrySent: number;
  eventsSent: number;
  commandsAnswered: number;
  /** The worker's own CPU time since it started (it shares the machine with the controller). */
  cpuMs: number;
  /** Agents whose stream has ended. */
  disconnected: number;
  /** Agents with an event sent more than 1 s before the stats were collected and not yet acknowledged. */
  unackedAgents: number;
}

export type WorkerRequest = { id: number } & (
  | { type: "init"; address: string; channels: number; gpus: number; transport: SimTransport }
  | { type: "commandResult"; outputJson: string; summary: string; problems: number }
  | { type: "connect"; hostIds: string[]; jobSize: number; concurrency: number }
  | { type: "schedule"; telemetryMs: number; eventMs: number }
  | { type: "burst"; hostIds: string[]; salt: number; spreadMs: number }
  | { type: "reference"; hostId: string; count: number }
  | { type: "probe"; hostId: string; everyMs: number }
  | { type: "pause" }
  | { type: "collect" }
  | { type: "stop" }
);

export type WorkerReply = { id: number } & (
  | { type: "ok" }
  | { type: "error"; message: string }
  | { type: "connected"; ms: number; failed: string[] }
  | { type: "reference"; grantMs: number[]; ackMs: number[] }
  | { type: "stats"; stats: WorkerStats }
);
