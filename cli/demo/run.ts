/**
 * The demo scenario: start a controller and three agents, then let real failures unfold one after the
 * other (an OOM crash and its restart, a hang with its report, a crash loop stopped by the per-host
 * budget, the same crash on two hosts stopped by the breaker), telling each event as the controller
 * learns of it. Each step waits for the events that prove it happened, within a deadline: the demo is
 * also a smoke test of the whole system. Ends with the fleet's tables, or keeps the fleet running.
 */
import path from "node:path";
import { formatDurationMs as fmt } from "../../agent/lib/units.js";
import type { HostSummary, StoredEvent } from "../../controller/domain.js";
import { FleetClient } from "../../controller/rpc/fleet-client.js";
import { renderBudget, renderCrashes, renderHosts } from "../fleet/render.js";
import { DemoFleet, tail, type ControllerInfo, type DemoHost } from "./fleet.js";
import { Feed, Narrator, type Item } from "./narrate.js";

export interface DemoOptions {
  /** Keep the fleet running after the scenario until `signal` aborts. */
  readonly keep: boolean;
  /** Deadline of each step. */
  readonly stepTimeoutMs: number;
  /** Narration (human sentences). */
  readonly write: (text: string) => void;
  /** Diagnostics when something fails. */
  readonly writeErr: (text: string) => void;
  /** Aborted on Ctrl-C: the demo stops and cleans up. */
  readonly signal: AbortSignal;
  /** Parent of the demo's temporary folder (default: the system's). */
  readonly tmpDir?: string;
}

export interface StepResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  readonly durationMs: number;
  readonly error?: string;
}

export interface DemoResult {
  /** Every step happened in time. */
  readonly ok: boolean;
  /** Stopped by Ctrl-C (SIGINT/SIGTERM). */
  readonly interrupted: boolean;
  readonly durationMs: number;
  readonly root: string;
  readonly controller: string | null;
  readonly httpUrl: string | null;
  readonly steps: StepResult[];
  readonly hosts: HostSummary[];
  readonly crashes: StoredEvent[];
  /** Processes the final sweep had to kill (0 when the orderly shutdown got everything). */
  readonly strays: number;
  /** The temporary folder is gone. */
  readonly removed: boolean;
}

/** Between two steps: time for a reader, and for the fleet to settle. */
const PAUSE_MS = 2_000;

class Interrupted extends Error {}
class StepFailed extends Error {}

const HOSTS = [
  { hostId: "gpu-01", jobId: "llama-sft" },
  { hostId: "gpu-02", jobId: "llama-dpo" },
  { hostId: "gpu-03", jobId: "mistral-pt" },
] as const;

/** Waits `ms`, or less when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

const isEvent = (i: Item, hostId: string, kind: string, category?: string): i is Extract<Item, { type: "event" }> =>
  i.type === "event" && i.hostId === hostId && i.event.kind === kind && (category === undefined || i.event.category === category);
const isDecision = (i: Item, hostId: string, allow: boolean, scope?: string): i is Extract<Item, { type: "decision" }> =>
  i.type === "decision" && i.hostId === hostId && i.decision.allow === allow && (scope === undefined || i.decision.scope === scope);

/** Runs the demo; never throws for a failed step (the result says so) and always cleans up. */
export async function runDemo(opts: DemoOptions): Promise<DemoResult> {
  const t0 = Date.now();
  const { signal, write } = opts;
  const fleet = DemoFleet.create(opts.tmpDir);
  const narrator = new Narrator(t0, write);
  const steps: StepResult[] = [];
  let controller: ControllerInfo | null = null;
  let client: FleetClient | null = null;
  let feed: Feed | null = null;
  let hosts: HostSummary[] = [];
  let crashes: StoredEvent[] = [];
  let interrupted = false;
  let failed = false;
  const host = (id: string): DemoHost => fleet.hosts.find((h) => h.hostId === id)!;

  /** Tells what the controller learnt since the last poll. */
  const pump = async (): Promise<void> => {
    if (!feed) return;
    for (const item of await feed.poll(Date.now())) narrator.tell(item);
  };

  /** Polls until `done(items told since `fromMs`)` returns a summary, within the step deadline. */
  const until = async (what: string, fromMs: number, done: (items: Item[]) => string | null): Promise<string> => {
    const end = Date.now() + opts.stepTimeoutMs;
    for (;;) {
      if (signal.aborted) throw new Interrupted();
      try {
        await pump();
      } catch (err) {
        // One failed poll is not a failed step; a controller that stays away fails it by the deadline.
        if (Date.now() > end) throw new StepFailed(`${what}: cannot reach the controller (${(err as Error).message})`);
      }
      const summary = feed ? done(feed.told.filter((i) => i.atMs >= fromMs)) : null;
      if (summary !== null) return summary;
      const dead = fleet.deadProcesses();
      if (dead.length) throw new StepFailed(`${what}: ${dead.join(" and ")} exited`);
      if (Date.now() > end) throw new StepFailed(`${what} did not happen within ${fmt(opts.stepTimeoutMs)}`);
      await sleep(250, signal);
    }
  };

  /** Keeps telling what happens for `ms` (between steps). */
  const idle = async (ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (Date.now() < end && !signal.aborted) {
      await pump().catch(() => {});
      await sleep(Math.min(250, Math.max(0, end - Date.now())), signal);
    }
    if (signal.aborted) throw new Interrupted();
  };

  const step = async (id: string, title: string, run: () => Promise<string>): Promise<void> => {
    const s0 = Date.now();
    narrator.say(`\n== ${steps.length + 1}/5  ${title}`);
    try {
      const summary = await run();
      steps.push({ id, title, ok: true, durationMs: Date.now() - s0 });
      narrator.say(`   ok: ${summary} (${fmt(Date.now() - s0)})`);
    } catch (err) {
      if (err instanceof Interrupted) throw err;
      const message = err instanceof Error ? err.message : String(err);
      steps.push({ id, title, ok: false, durationMs: Date.now() - s0, error: message });
      narrator.say(`   FAILED: ${message}`);
      throw new StepFailed(message);
    }
  };

  try {
    narrator.say(
      `trainsafe demo: a controller and three GPU hosts, each agent supervising a pretend trainer. All of them are\n` +
        `real processes on this machine, in ${fleet.root}. The thresholds are milliseconds instead of minutes, so\n` +
        `everything happens within a minute. Each line below is an event an agent reported or a decision the controller\n` +
        `made, told as it happens.`,
    );

    await step("start", "Starting the controller and three agents", async () => {
      const started = fleet.startController(opts.stepTimeoutMs);
      const info = await Promise.race([started, new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(new Interrupted()), { once: true }))]);
      controller = info;
      narrator.say(`   controller listening on ${info.address}, SQLite store in ${path.join(fleet.root, "controller")}${info.httpUrl ? `, fleet page at ${info.httpUrl}/` : ""}`);
      client = new FleetClient({ address: info.address, callTimeoutMs: 5_000 });
      feed = new Feed(client, t0);
      for (const h of HOSTS) fleet.startAgent(fleet.prepareHost(h.hostId, h.jobId, info.address));
      narrator.say(`   agents started for ${HOSTS.map((h) => `${h.hostId} (job ${h.jobId})`).join(", ")}; each starts its trainer once the controller grants it`);
      return until("the three trainers starting", t0, (items) => {
        const started = HOSTS.filter((h) => items.some((i) => isEvent(i, h.hostId, "restart") || isEvent(i, h.hostId, "local_restart")));
        return started.length === HOSTS.length ? "three hosts training" : null;
      });
    });
    await idle(PAUSE_MS);

    await step("oom", "An OOM crash and its restart", async () => {
      const at = Date.now();
      narrator.say(`   injecting: gpu-01's next steps need more GPU memory than its GPU has (once)`);
      fleet.inject(host("gpu-01"), { fault: "cuda_oom", once: true });
      return until("gpu-01's CUDA OOM crash and restart", at, (items) => {
        const crash = items.find((i) => isEvent(i, "gpu-01", "crash", "cuda_oom"));
        const back = crash && items.find((i) => isEvent(i, "gpu-01", "restart", "crash") && i.atMs >= crash.atMs);
        return back ? `gpu-01 crashed with cuda_oom and is training again` : null;
      });
    });
    await idle(PAUSE_MS);

    await step("hang", "A hang: report, kill, restart", async () => {
      const at = Date.now();
      narrator.say(`   injecting: gpu-02's trainer gets stuck in a loop: it spins on the CPU and its step stops advancing (once)`);
      narrator.say(`   the agent allows 3s without progress in the training phase here (15 min by default)`);
      fleet.inject(host("gpu-02"), { fault: "hang", once: true, afterSteps: 0 });
      return until("gpu-02's hang report, kill and restart", at, (items) => {
        const hang = items.find((i) => isEvent(i, "gpu-02", "hang"));
        const back = hang && items.find((i) => isEvent(i, "gpu-02", "restart", "hang") && i.atMs >= hang.atMs);
        return back ? `gpu-02's hang was diagnosed as ${hang.event.category.replace(/^hang_/, "")}, its trainer killed and restarted` : null;
      });
    });
    await idle(PAUSE_MS);

    await step("crash-loop", "A crash loop stopped by the per-host budget", async () => {
      const at = Date.now();
      narrator.say(`   injecting: gpu-01's batch size is now too large for good: its trainer runs out of GPU memory at every start`);
      narrator.say(`   the controller allows 4 restarts per host in 5 minutes here (the first start counts), with growing back-off`);
      fleet.inject(host("gpu-01"), { fault: "cuda_oom" });
      return until("the per-host budget denying gpu-01's restart", at, (items) => {
        const denied = items.find((i) => isDecision(i, "gpu-01", false, "host"));
        if (!denied) return null;
        const crashes = items.filter((i) => isEvent(i, "gpu-01", "crash") && i.atMs <= denied.atMs).length;
        const restarts = items.filter((i) => isEvent(i, "gpu-01", "restart") && i.atMs <= denied.atMs).length;
        return `gpu-01 crashed ${crashes} times and was restarted ${restarts} times; then the per-host budget stopped the loop`;
      });
    });
    await idle(PAUSE_MS);

    await step("breaker", "The same crash on two hosts trips the breaker", async () => {
      const at = Date.now();
      narrator.say(`   injecting: the checkpoint volume shared by gpu-02 and gpu-03 is full: both crash saving a checkpoint, at every start`);
      narrator.say(`   the breaker opens when hosts of 2 jobs report the same crash signature within 10 minutes`);
      fleet.inject(host("gpu-02"), { fault: "disk_full" });
      fleet.inject(host("gpu-03"), { fault: "disk_full" });
      return until("the breaker denying restarts on gpu-02 and gpu-03", at, (items) => {
        const both = ["gpu-02", "gpu-03"].every((h) => items.some((i) => isDecision(i, h, false, "breaker")));
        return both ? `restarts for the disk_full signature are stopped fleet-wide until an operator resets the breaker` : null;
      });
    });

    for (const item of feed!.flush()) narrator.tell(item);
    const c = client!;
    hosts = await c.listHosts();
    crashes = await c.listCrashes({ sinceMs: 0 });
    const budget = await c.budget();
    write(`\nThe fleet now (trainsafe fleet hosts):\n\n${renderHosts(hosts, Date.now())}`);
    write(`\nCrash history (trainsafe fleet crashes):\n\n${renderCrashes(crashes)}`);
    write(`\nRestart budget (trainsafe fleet budget):\n\n${renderBudget(budget)}`);
    write(`\nEvery step happened, in ${fmt(Date.now() - t0)}.\n`);

    if (opts.keep) {
      write(keepInstructions(controller!, fleet));
      await idle(Number.POSITIVE_INFINITY).catch(() => {});
      interrupted = true;
    }
  } catch (err) {
    if (err instanceof Interrupted) interrupted = true;
    else {
      failed = true;
      if (!(err instanceof StepFailed)) {
        const message = err instanceof Error ? err.message : String(err);
        steps.push({ id: "error", title: "unexpected error", ok: false, durationMs: 0, error: message });
        narrator.say(`   FAILED: ${message}`);
      }
      opts.writeErr(diagnostics(fleet));
    }
  } finally {
    (client as FleetClient | null)?.close();
  }
  if (interrupted) write(`\ninterrupted: stopping the agents, trainers and controller\n`);
  else write(`cleaning up: stopping the agents, trainers and controller\n`);
  const cleanup = await fleet.cleanup();
  if (cleanup.strays > 0) opts.writeErr(`trainsafe demo: ${cleanup.strays} process(es) were still running after the orderly shutdown and were killed\n`);
  write(cleanup.removed ? `removed ${fleet.root}\n` : `could not remove ${fleet.root}\n`);
  const ok = !failed && !interrupted ? steps.length === 5 && steps.every((s) => s.ok) : !failed && opts.keep && steps.length === 5;
  const info = controller as ControllerInfo | null;
  return {
    ok,
    interrupted,
    durationMs: Date.now() - t0,
    root: fleet.root,
    controller: info?.address ?? null,
    httpUrl: info?.httpUrl ?? null,
    steps,
    hosts,
    crashes,
    strays: cleanup.strays,
    removed: cleanup.removed,
  };
}

/** What to try while the fleet keeps running (exact commands for this controller). */
function keepInstructions(c: ControllerInfo, fleet: DemoFleet): string {
  const ctl = `--controller ${c.address}`;
  const control = (id: string) => path.join(fleet.hosts.find((h) => h.hostId === id)!.baseDir, "daemon_control.json");
  const lines = [
    "",
    "The fleet keeps running (--keep). Explore it:",
    "",
    `  controller   ${c.address}`,
    c.httpUrl ? `  fleet page   ${c.httpUrl}/   (metrics: ${c.httpUrl}/metrics)` : "  fleet page   not served by this controller",
    `  files        ${fleet.root}  (controller.log, hosts/*/agent.log, hosts/*/training/logs/)`,
    "",
    `  npx trainsafe fleet hosts ${ctl}`,
    `  npx trainsafe fleet status gpu-02 ${ctl}`,
    `  npx trainsafe fleet crashes ${ctl}`,
    `  npx trainsafe fleet events --host gpu-02 ${ctl}`,
    `  npx trainsafe fleet budget ${ctl}`,
    `  npx trainsafe fleet check --all ${ctl}`,
    `  npx trainsafe fleet top ${ctl}`,
    "",
    "Fix the full checkpoint volume, then close the breaker; gpu-02 and gpu-03 restart and train again:",
    `  rm ${control("gpu-02")} ${control("gpu-03")}`,
    `  npx trainsafe fleet budget reset ${ctl}`,
    "Fix gpu-01's batch size; its per-host budget allows the next restart 5 minutes after the loop began:",
    `  rm ${control("gpu-01")}`,
    "",
    "New events are told below as they happen. Ctrl-C stops everything and removes the folder.",
    "",
  ];
  return lines.join("\n") + "\n";
}

/** The last lines of every log, for a failed step. */
function diagnostics(fleet: DemoFleet): string {
  const parts = [`\ntrainsafe demo: a step failed; the last lines of each log follow.\n`];
  parts.push(`--- controller (${path.join(fleet.root, "controller.log")})\n${tail(path.join(fleet.root, "controller.log"), 10)}\n`);
  for (const h of fleet.hosts) parts.push(`--- agent of ${h.hostId} (${h.logFile})\n${tail(h.logFile, 15)}\n`);
  return parts.join("");
}
