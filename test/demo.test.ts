/**
 * `trainsafe demo` (`npm start`) as a person runs it: a real process that starts a real controller,
 * agents and trainers. Every process the demo starts has the demo's folder (it prints it first) in its
 * command line: afterwards none may be left, and the folder must be gone.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { listProcesses, readCmdline } from "../agent/lib/proc.js";
import { Feed, Narrator } from "../cli/demo/narrate.js";
import type { BudgetStatus, StoredDecision, StoredEvent } from "../controller/domain.js";
import { CLI, fleetJson, runCli, waitFor } from "./helpers/fleet.js";

const roots: string[] = [];
const running = new Set<ChildProcess>();

/** PIDs of processes whose command line names `dir` (the demo's processes all do). */
async function processesIn(dir: string): Promise<Array<{ pid: number; cmdline: string }>> {
  const out: Array<{ pid: number; cmdline: string }> = [];
  for (const p of await listProcesses()) {
    if (p.pid === process.pid || p.state === "Z") continue;
    const cmdline = await readCmdline(p.pid);
    if (cmdline?.includes(dir)) out.push({ pid: p.pid, cmdline });
  }
  return out;
}

after(async () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of roots) {
    for (const p of await processesIn(d)) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    }
    fs.rmSync(d, { recursive: true, force: true });
  }
});

interface DemoRun {
  readonly child: ChildProcess;
  /** The demo's folder, as it announced it. */
  root(): string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or 128 + signal) and how long the demo ran. */
  readonly done: Promise<{ code: number; ms: number }>;
}

function startDemo(args: string[] = []): DemoRun {
  const t0 = Date.now();
  const child = spawn(process.execPath, [CLI, "demo", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  let out = "";
  let err = "";
  let root = "";
  child.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
    if (!root) {
      root = /real processes on this machine, in (\/\S+)\. /.exec(out)?.[1] ?? "";
      if (root) roots.push(root);
    }
  });
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number; ms: number }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), ms: Date.now() - t0 })),
  );
  return { child, root: () => root, stdout: () => out, stderr: () => err, done };
}

/** Index of the first line matching `re` at or after `from` (-1: none). */
function lineIndex(text: string, re: RegExp, from = 0): number {
  const lines = text.split("\n");
  for (let i = from; i < lines.length; i++) if (re.test(lines[i]!)) return i;
  return -1;
}

async function assertNothingLeft(run: DemoRun): Promise<void> {
  const root = run.root();
  assert.match(root, /trainsafe-demo-/, "the demo announced its folder");
  assert.deepEqual(await processesIn(root), [], "no process of the demo is left");
  assert.equal(fs.existsSync(root), false, "the demo removed its folder");
  assert.doesNotMatch(run.stderr(), /still running after the orderly shutdown/, "the orderly shutdown stopped everything by itself");
}

test("npm start: the whole scenario is told from real events and the demo exits 0 within 90 s", { timeout: 150_000 }, async () => {
  const run = startDemo();
  const { code, ms } = await run.done;
  const out = run.stdout();
  assert.equal(code, 0, `exit code\n${out}\n${run.stderr()}`);
  assert.ok(ms < 90_000, `the demo took ${ms} ms`);

  for (const h of ["gpu-01", "gpu-02", "gpu-03"]) assert.notEqual(lineIndex(out, new RegExp(`${h} +training started, PID \\d+`)), -1, `${h} started training`);

  // The OOM crash, then its restart.
  const oom = lineIndex(out, /gpu-01 +the trainer died \(exit code 1\); its logs name the cause: cuda_oom$/);
  assert.notEqual(oom, -1, "gpu-01's OOM crash is told");
  assert.match(out, /first fatal line: "torch\.OutOfMemoryError: CUDA out of memory/);
  assert.notEqual(lineIndex(out, /gpu-01 +trainer restarted after the crash, PID \d+/, oom), -1, "and its restart after it");

  // The hang: limit, kind with its evidence, kill of the tree, restart.
  const hang = lineIndex(out, /gpu-02 +hang: no progress for \S+ at step \d+ in the training phase \(limit 3s\)/);
  assert.notEqual(hang, -1, "gpu-02's hang is told");
  assert.match(out, /hang report: (io_wait|gpu_or_collective|cpu_spin|deadlock|unknown) - \S/);
  assert.match(out, /evidence: 3 process\(es\), \d+ threads \(states: /);
  const kill = lineIndex(out, /gpu-02 +killed the trainer's process tree \(PID \d+ and 2 workers\)/, hang);
  assert.notEqual(kill, -1, "the hung trainer's tree is killed");
  assert.notEqual(lineIndex(out, /gpu-02 +trainer restarted after the hang/, kill), -1, "and restarted");

  // The crash loop, stopped by the per-host budget.
  const loop = lineIndex(out, /^== 4\/5/);
  assert.notEqual(lineIndex(out, /gpu-01 +the trainer died .*cuda_oom \(the same crash again\)/, loop), -1);
  assert.notEqual(lineIndex(out, /gpu-01 +controller: restart DENIED \[host\]: host gpu-01: restart budget exhausted/, loop), -1);

  // The same crash on two hosts: the breaker denies both.
  const storm = lineIndex(out, /^== 5\/5/);
  assert.notEqual(lineIndex(out, /the same crash signature as on gpu-0[23]: disk_full\//, storm), -1);
  for (const h of ["gpu-02", "gpu-03"]) {
    assert.notEqual(lineIndex(out, new RegExp(`${h} +controller: restart DENIED \\[breaker\\]`), storm), -1, `the breaker denied ${h}`);
  }
  assert.equal(out.match(/^ {3}ok: /gm)?.length, 5, "five steps done");

  // The closing tables, rendered as `trainsafe fleet ...` renders them.
  assert.match(out, /HOST +JOB +CONNECTED +LAST SEEN +DAEMON/);
  assert.match(out, /TIME +HOST +JOB +CATEGORY +EXIT +FIRST FATAL LINE/);
  assert.match(out, /Open breakers:\n {2}disk_full\/disk_full\/\w+ +opened/);
  assert.match(out, /Every step happened/);
  await assertNothingLeft(run);
});

test("Ctrl-C in the middle of the scenario stops every process and removes the folder", { timeout: 90_000 }, async () => {
  const run = startDemo();
  // The moment with the most going on: gpu-02's trainer spinning in its hang, the others training.
  await waitFor("the hang being injected", () => /injecting: gpu-02's trainer gets stuck/.test(run.stdout()), 60_000, 100);
  await new Promise((r) => setTimeout(r, 1_500));
  const before = await processesIn(run.root());
  // Controller, three agents, three trainers and their workers.
  assert.ok(before.length >= 7, `the demo's processes are running: ${before.map((p) => p.cmdline.slice(0, 80)).join("; ")}`);
  run.child.kill("SIGINT");
  const { code } = await run.done;
  assert.equal(code, 130, `exit code after Ctrl-C\n${run.stdout()}\n${run.stderr()}`);
  assert.match(run.stdout(), /interrupted: stopping the agents, trainers and controller/);
  await assertNothingLeft(run);
});

test("--keep: the printed commands work against the running fleet, and Ctrl-C ends it cleanly", { timeout: 150_000 }, async (t) => {
  const run = startDemo(["--keep"]);
  await waitFor("the keep instructions", () => /Ctrl-C stops everything/.test(run.stdout()), 120_000, 200);
  const out = run.stdout();
  const address = /^ {2}controller {3}(\S+)$/m.exec(out)?.[1];
  assert.ok(address, "the controller address is printed");
  assert.match(out, new RegExp(`npx trainsafe fleet hosts --controller ${address}`));

  const hosts = await fleetJson<Array<{ hostId: string; connected: boolean }>>(address, ["hosts"]);
  assert.deepEqual(hosts.map((h) => [h.hostId, h.connected]), [["gpu-01", true], ["gpu-02", true], ["gpu-03", true]]);
  // The demo's controller serves the fleet page (httpPort 0): its URL is printed and answers.
  const page = /^ {2}fleet page {3}(http:\/\/\S+)\/ /m.exec(out)?.[1];
  assert.ok(page, "the page URL is printed");
  const res = await fetch(`${page}/`);
  assert.equal(res.status, 200, "the fleet page is served");
  assert.match(await res.text(), /<html/i);

  // "Fix the volume" and reset the breaker exactly as printed: the hosts waiting on it train again.
  const rm = /^ {2}rm (\S+daemon_control\.json) (\S+daemon_control\.json)$/m.exec(out);
  assert.ok(rm, "the fix is printed");
  for (const f of [rm[1]!, rm[2]!]) fs.rmSync(f);
  const reset = await runCli(["fleet", "budget", "reset", "--controller", address]);
  assert.equal(reset.code, 0, reset.stderr);
  const runningHosts = async () =>
    (await fleetJson<Array<{ hostId: string; daemonState: string }>>(address, ["hosts"]))
      .filter((h) => ["gpu-02", "gpu-03"].includes(h.hostId) && h.daemonState === "running")
      .map((h) => h.hostId);
  await waitFor("a host waiting on the breaker running again", async () => (await runningHosts()).length > 0, 30_000, 300);
  await t.test("after one reset both hosts that waited on the breaker train again", async () => {
    await waitFor("gpu-02 and gpu-03 running", async () => (await runningHosts()).length === 2, 15_000, 300);
  });
  // The narration goes on after the scenario: the restarts after the reset are told.
  const keepAt = run.stdout().indexOf("Ctrl-C stops everything");
  await waitFor("the restarts told", () => /gpu-0[23] +trainer restarted after the crash/.test(run.stdout().slice(keepAt)), 10_000, 100);

  run.child.kill("SIGINT");
  const { code } = await run.done;
  assert.equal(code, 0, `Ctrl-C is the normal end of --keep\n${run.stderr()}`);
  await assertNothingLeft(run);
});

test("the feed tells items in the order they happened, late ones included, and repeated denials once", async () => {
  const ev = (uuid: string, tsMs: number, hostId: string, kind: string, extra: Partial<StoredEvent> = {}): StoredEvent => ({
    uuid, tsMs, hostId, jobId: "j", kind: kind as StoredEvent["kind"], category: "", signature: "", message: "", detailsJson: "{}",
    exitCode: null, signal: "", crash: null, receivedMs: tsMs, ...extra,
  });
  const deny = (decisionId: string, decidedMs: number): StoredDecision => ({
    decisionId, decidedMs, allow: false, scope: "breaker", reason: "restarts for signature s are stopped fleet-wide", delayMs: 0, grantId: "",
    coalesced: false, requestId: decisionId, hostId: "h2", jobId: "j", signature: "s", category: "disk_full", requestReason: "crash",
  });
  let events: StoredEvent[] = [];
  let decisions: StoredDecision[] = [];
  const source = {
    listEvents: async () => events,
    budget: async () => ({ recentDecisions: decisions }) as unknown as BudgetStatus,
  };
  const feed = new Feed(source, 1_000, 500);
  const out: string[] = [];
  const narrator = new Narrator(1_000, (t) => out.push(t));
  // A crash stored late (after the restart that followed it): held back, then told first.
  events = [ev("restart", 2_200, "h1", "restart", { category: "crash", detailsJson: '{"pid":7,"latencyMs":150}' })];
  assert.deepEqual(await feed.poll(2_300), [], "nothing is told before it settled");
  events = [...events, ev("crash", 2_000, "h1", "crash", { category: "cuda_oom", exitCode: 1 })];
  const told = await feed.poll(3_000);
  assert.deepEqual(told.map((i) => (i.type === "event" ? i.event.uuid : "")), ["crash", "restart"]);
  assert.deepEqual(await feed.poll(3_100), [], "an item is told once");
  for (const i of told) narrator.tell(i);
  assert.match(out.join(""), /\+1\.0s +h1 +the trainer died \(exit code 1\); its logs name the cause: cuda_oom\n +\+1\.2s +h1 +trainer restarted after the crash, PID 7, 150ms/);

  decisions = [deny("d1", 4_000), deny("d2", 5_000), deny("d3", 6_000)];
  const lines = (await feed.poll(7_000)).map((i) => narrator.tell(i).length);
  assert.deepEqual(lines, [1, 0, 0], "a host asking again while denied is told once");
  assert.equal(narrator.suppressed, 2);
});
