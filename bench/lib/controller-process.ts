/**
 * A real controller for benchmarks: `node [nodeArgs] bin/trainsafe.js controller --config FILE --json`
 * as a child process, with its state in a fresh temp folder (removed by stop()).
 */
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const CLI = path.join(ROOT, "bin", "trainsafe.js");

export interface BenchController {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly address: string;
  readonly dir: string;
  /** Its stderr so far (the log), last `maxChars` characters. */
  log(maxChars?: number): string;
  /** The SQLite database (read it after stop()). */
  readonly dbFile: string;
  /** SIGTERM and wait for the exit (SIGKILL after 10 s). */
  stop(): Promise<void>;
  /** stop(), then remove the state folder. */
  remove(): Promise<void>;
}

/**
 * Spawns `args` with node and resolves once it prints {"listening": ADDR} as its first stdout line;
 * rejects with the end of its stderr if it exits first. `log()` is the end of its stderr so far (the
 * log of thousands of connecting agents is long).
 */
async function spawnListening(args: string[], what: string): Promise<{ child: ChildProcess; address: string; log: () => string }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let err = "";
  child.stderr!.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-200_000);
  });
  let out = "";
  const address = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const nl = out.indexOf("\n");
      if (nl > 0) resolve((JSON.parse(out.slice(0, nl)) as { listening: string }).listening);
    });
    child.once("exit", (code, signal) => reject(new Error(`${what} exited (${code ?? signal}) before listening: ${err}`)));
  });
  return { child, address, log: () => err };
}

/** SIGTERM and wait for the exit (SIGKILL after `graceMs`). */
async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
  await exited;
  clearTimeout(t);
}

/** Starts a controller with `config` (listen defaults to 127.0.0.1:0) and resolves once it listens. */
export async function startController(config: Record<string, unknown> = {}, nodeArgs: string[] = []): Promise<BenchController> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-bench-ctl-"));
  const file = path.join(dir, "controller.json");
  fs.writeFileSync(file, JSON.stringify({ listen: "127.0.0.1:0", stateDir: path.join(dir, "state"), ...config }, null, 2));
  const { child, address, log } = await spawnListening([...nodeArgs, CLI, "controller", "--config", file, "--json"], "controller").catch((e: unknown) => {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  });
  const stop = () => stopChild(child, 10_000);
  return {
    child,
    pid: child.pid!,
    address,
    dir,
    dbFile: path.join(dir, "state", "controller.db"),
    log: (maxChars = 4_000) => log().slice(-maxChars),
    stop,
    remove: async () => {
      await stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface FloorServer {
  readonly pid: number;
  readonly address: string;
  stop(): Promise<void>;
}

/** Starts bench/lib/floor-server.ts (a bare AgentService: no storage, no decisions) of `kind` as a child process. */
export async function startFloorServer(kind: "grpc-js" | "http2"): Promise<FloorServer> {
  const script = path.join(ROOT, "bench", "lib", "floor-server.ts");
  const { child, address } = await spawnListening(["--import", "tsx", script, kind], `floor server (${kind})`);
  return { pid: child.pid!, address, stop: () => stopChild(child, 5_000) };
}
