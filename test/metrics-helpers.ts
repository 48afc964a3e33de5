/**
 * A real controller with its HTTP server on 127.0.0.1:0 and a fresh state folder, plus SimAgents
 * over real gRPC, for the /metrics and fleet page tests. Also a small parser of the Prometheus text
 * format so tests read values, not substrings.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveControllerConfig } from "../controller/config.js";
import { silentLogger } from "../controller/log.js";
import { Controller } from "../controller/server.js";
import { SimAgent } from "./helpers/grpc-agent.js";

export interface TestFleet {
  readonly controller: Controller;
  readonly address: string;
  /** e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly dir: string;
  agent(hostId: string, jobId?: string): Promise<SimAgent>;
  /** Stops the controller (agents stay open); starts a new one on the same state folder. */
  restart(): Promise<void>;
}

/** Starts a controller with HTTP on port 0; everything is stopped and removed after the test. */
export async function startHttpController(t: { after(fn: () => unknown): void }, raw: Record<string, unknown> = {}): Promise<TestFleet> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-http-"));
  const config = resolveControllerConfig({ listen: "127.0.0.1:0", httpPort: 0, stateDir: dir, ...raw });
  const agents: SimAgent[] = [];
  const fleet = {
    controller: new Controller(config, { log: silentLogger }),
    address: "",
    url: "",
    dir,
    async agent(hostId: string, jobId = "") {
      const a = new SimAgent({ address: fleet.address, hostId, jobId });
      agents.push(a);
      await a.connect();
      return a;
    },
    async restart() {
      await fleet.controller.stop();
      fleet.controller = new Controller(config, { log: silentLogger });
      await boot();
    },
  };
  const boot = async () => {
    fleet.address = (await fleet.controller.start()).address;
    fleet.url = fleet.controller.httpUrl ?? "";
  };
  t.after(async () => {
    for (const a of agents) a.close();
    await fleet.controller.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  await boot();
  return fleet;
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the Prometheus text format (sample lines only). */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${JSON.stringify(line)}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

/** The value of the one sample with this name and (at least) these labels; undefined when absent. */
export function valueOf(samples: ReadonlyArray<Sample>, name: string, labels: Record<string, string> = {}): number | undefined {
  const hits = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (hits.length > 1) throw new Error(`${hits.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return hits[0]?.value;
}

/** GETs `url` and returns status, headers and body text. */
export async function get(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; body: string }> {
  const res = await fetch(url, init);
  return { status: res.status, headers: res.headers, body: await res.text() };
}
