/**
 * A frozen trainer (every process of its tree SIGSTOPped, state T) killed by the watchdog's
 * `killTree` with the default 10 s grace (issue 13, item 1), against a minimal watcher measured in
 * the same rounds: SIGTERM then SIGCONT to each member (what systemd does), then /proc polled every
 * 5 ms until every member is gone. Time runs from the decision to kill (the call) to /proc showing
 * every member gone or a zombie. The tree is test/daemon/training_daemon.mjs with two children.
 *
 * A second case has a daemon that also ignores SIGTERM (the watcher above never ends it; trainsafe
 * must not wait the grace before SIGKILL because nothing in a frozen tree was running to clean up).
 *
 * Env: BENCH_FROZEN_ROUNDS (default 10). Goal: the tree gone within 200 ms of the decision.
 * Run: npm run bench -- frozen-kill
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { listDescendants, readIdentity, readProcStat, type ProcessIdentity } from "../agent/lib/proc.js";
import { killTree, stillAlive } from "../agent/watchdog/kill.js";
import { median, ms } from "./lib/measure.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DAEMON = path.join(here, "..", "test", "daemon", "training_daemon.mjs");
const ROUNDS = Number(process.env.BENCH_FROZEN_ROUNDS ?? "10");
const GRACE_MS = 10_000;
const GOAL_MS = 200;

/** PIDs this bench started, SIGKILLed (by PID) at the end whatever happened. */
const started = new Set<number>();

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

async function until<T>(what: string, probe: () => Promise<T | null | false>, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const gone = async (m: ProcessIdentity): Promise<boolean> => !(await stillAlive(m));

/** Starts a daemon with two children, waits until all three run, then freezes every one of them. */
async function frozenTree(ignoreSigterm: boolean): Promise<{ root: ProcessIdentity; members: ProcessIdentity[]; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-bench-frozen-"));
  fs.mkdirSync(path.join(dir, "status"));
  const behaviour = { stepMs: 20, children: 2, ...(ignoreSigterm ? { ignoreSigterm: true } : {}) };
  const child = spawn(process.execPath, [DAEMON, "--behaviour", JSON.stringify(behaviour)], { cwd: dir, detached: true, stdio: "ignore" });
  started.add(child.pid!);
  const pid = child.pid!;
  const kids = await until("two children", async () => {
    const d = await listDescendants(pid);
    return d.length >= 2 ? d : null;
  });
  for (const k of kids) started.add(k);
  const members = await Promise.all([pid, ...kids].map((p) => until(`identity of ${p}`, () => readIdentity(p))));
  for (const m of members) process.kill(m.pid, "SIGSTOP");
  await until("every member stopped", async () => (await Promise.all(members.map((m) => readProcStat(m.pid)))).every((s) => s?.state === "T"));
  return { root: members[0]!, members, dir };
}

/** The minimal watcher: SIGTERM then SIGCONT to each member, then /proc until all are gone. */
async function watcherKill(members: readonly ProcessIdentity[]): Promise<number> {
  const t0 = performance.now();
  for (const m of members) {
    process.kill(m.pid, "SIGTERM");
    process.kill(m.pid, "SIGCONT");
  }
  await until("tree gone (watcher)", async () => (await Promise.all(members.map(gone))).every(Boolean));
  return performance.now() - t0;
}

async function trainsafeKill(root: ProcessIdentity, members: readonly ProcessIdentity[]): Promise<number> {
  const t0 = performance.now();
  // Adopted daemon (no launch id): the tree is its process tree, as for a trainer started by hand.
  const r = await killTree(root, { graceMs: GRACE_MS, maxAttempts: 3 });
  if (!r.ok) throw new Error(`killTree failed: ${JSON.stringify(r.survivors)}`);
  await until("tree gone (trainsafe)", async () => (await Promise.all(members.map(gone))).every(Boolean));
  return performance.now() - t0;
}

async function main(): Promise<void> {
  const load = () => os.loadavg().map((x) => x.toFixed(1)).join(" ");
  process.stdout.write(`${ROUNDS} rounds; frozen tree of 3 processes; killGrace ${GRACE_MS} ms; load average ${load()}\n`);
  const watcher: number[] = [];
  const ours: number[] = [];
  const oursIgnoring: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    // Alternate which goes first so a change of load hits both.
    const order = i % 2 ? (["ours", "watcher"] as const) : (["watcher", "ours"] as const);
    for (const who of order) {
      const t = await frozenTree(false);
      (who === "watcher" ? watcher : ours).push(who === "watcher" ? await watcherKill(t.members) : await trainsafeKill(t.root, t.members));
      fs.rmSync(t.dir, { recursive: true, force: true });
    }
    const t = await frozenTree(true);
    oursIgnoring.push(await trainsafeKill(t.root, t.members));
    fs.rmSync(t.dir, { recursive: true, force: true });
  }
  const w = median(watcher);
  const o = median(ours);
  const oi = median(oursIgnoring);
  const verdict = (x: number) => (x <= GOAL_MS ? "met" : "MISSED");
  process.stdout.write(
    [
      "",
      "| what | median | min / max | goal |",
      "| --- | --- | --- | --- |",
      `| reference: watcher, SIGTERM + SIGCONT, /proc polled | ${ms(w)} | ${ms(Math.min(...watcher))} / ${ms(Math.max(...watcher))} | |`,
      `| trainsafe killTree (grace 10 s), frozen tree | ${ms(o)} (${(o / w).toFixed(2)}x the watcher) | ${ms(Math.min(...ours))} / ${ms(Math.max(...ours))} | < ${GOAL_MS} ms: ${verdict(o)} |`,
      `| trainsafe killTree (grace 10 s), frozen tree that ignores SIGTERM | ${ms(oi)} | ${ms(Math.min(...oursIgnoring))} / ${ms(Math.max(...oursIgnoring))} | < ${GOAL_MS} ms: ${verdict(oi)} |`,
      "",
      `load average at the end: ${load()}`,
      "",
    ].join("\n"),
  );
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const pid of started) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
    }
  });
