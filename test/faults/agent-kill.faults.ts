/**
 * Fault: the agent is killed with SIGKILL in the middle of restarting a crashed daemon, at different
 * moments: right after the daemon died (before the grant), while it waits out the grant's back-off
 * (the controller grants with a delay), the instant the new daemon process appears (before its PID
 * file is written), and right after the PID file names it. A new agent is then started on the same
 * directory. Each time: never two daemons at once (counted from /proc: processes running the test
 * daemon with BASE_DIR as their working directory), exactly one new daemon per crash, and the next
 * agent watches it (adopted or started by itself) with .daemon.pid naming it.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Fleet, waitFor, type AgentHandle } from "../helpers/fleet.js";
import { daemonPids, figure, killDaemons, pidFile, runSeed, seededRandom, sleep } from "./helpers.js";

type Moment = "after_death" | "during_backoff" | "at_spawn" | "after_pid_file";
const MOMENTS: Moment[] = ["after_death", "during_backoff", "at_spawn", "after_pid_file"];
const ROUNDS = Number(process.env.FAULTS_AGENT_KILL_ROUNDS) || 2;
const BACKOFF_MS = 1_200;

const fleet = new Fleet();
let baseDirForCleanup: string | null = null;
after(async () => {
  if (baseDirForCleanup) killDaemons(baseDirForCleanup);
  await fleet.cleanup();
});

interface Trial {
  moment: Moment;
  killDelayMs: number;
  /** What the PID file named when the agent died: the old daemon, the new one, or nothing. */
  pidFileAtKill: "old" | "new" | "none" | "other";
  /** A daemon process existed (started by the killed agent) when it died. */
  newDaemonAtKill: boolean;
  newDaemons: number;
  maxConcurrent: number;
  /** The daemon the next agent watches was started by the killed agent (adopted) or by the next one. */
  adopted: boolean;
  recoveryMs: number;
}

test("the agent SIGKILLed while it restarts the daemon: one daemon, restarted once, adopted by the next agent", { timeout: 150_000 }, async (t) => {
  const seed = runSeed();
  const rand = seededRandom(seed);
  const ctl = await fleet.controller({
    // Every restart after the first waits BACKOFF_MS: the window in which an agent dies waiting.
    budget: { hostMaxRestarts: 1000, backoffInitial: `${BACKOFF_MS}ms`, backoffMax: `${BACKOFF_MS}ms`, healthyReset: "10m", fleetMaxRestarts: 1000, breakerThreshold: 0 },
  });
  const { baseDir, configFile } = fleet.prepareAgent("k1", "job-k", ctl.address);
  baseDirForCleanup = baseDir;
  const settings = JSON.parse(fs.readFileSync(configFile, "utf8"));
  settings.watchdog.maxRestarts = 1000;
  settings.watchdog.healthyReset = "10m";
  fs.writeFileSync(configFile, JSON.stringify(settings));
  const statusFile = path.join(baseDir, ".trainsafe", "agent", "agent-status.json");

  // Watches the directory's daemons all along: the most seen at once, and every PID ever seen.
  const seen = new Map<number, number>();
  let maxConcurrent = 0;
  const observe = () => {
    const pids = daemonPids(baseDir);
    maxConcurrent = Math.max(maxConcurrent, pids.length);
    for (const p of pids) if (!seen.has(p)) seen.set(p, Date.now());
    return pids;
  };
  const sampler = setInterval(observe, 10);
  t.after(() => clearInterval(sampler));

  let agent: AgentHandle = fleet.startAgent("k1", baseDir, configFile);
  await waitFor("the first daemon, watched", () => agent.status()?.daemonState === "running" && agent.status()?.daemonPid === pidFile(baseDir), 30_000, 50);

  const trials: Trial[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const moment of MOMENTS) {
      const [old] = observe();
      assert.ok(old, "a daemon runs before the trial");
      assert.equal(agent.status()?.daemonPid, old, "the agent watches it");
      const before = new Set(seen.keys());
      const concurrentBefore = maxConcurrent;
      maxConcurrent = 0;
      const grantsBefore = (agent.output().match(/restart granted \(crash\)/g) ?? []).length;
      fleet.control(baseDir, { crashAtStep: 0, once: true });
      let killDelayMs = 0;
      let newDaemonAtKill = false;

      // On a loaded machine each step can take several times as long as here: generous limits, and a
      // failure says what the agent was doing.
      const explain = (err: unknown): never => {
        throw new Error(`${moment} (round ${round}): ${(err as Error).message}; daemons now: ${daemonPids(baseDir).join(",") || "none"}\nagent output:\n${agent.output().slice(-3000)}`);
      };
      if (moment === "after_death") {
        await waitFor("the daemon's death", () => !daemonPids(baseDir).includes(old), 30_000, 2).catch(explain);
        killDelayMs = Math.floor(rand() * 150);
        await sleep(killDelayMs);
      } else if (moment === "during_backoff") {
        await waitFor("the grant", () => (agent.output().match(/restart granted \(crash\)/g) ?? []).length > grantsBefore, 30_000, 5).catch(explain);
        killDelayMs = Math.floor(rand() * (BACKOFF_MS - 200));
        await sleep(killDelayMs);
      } else if (moment === "at_spawn") {
        // A tight loop on purpose: the agent must die between the new process's exec and its PID file.
        const until = Date.now() + 30_000;
        for (;;) {
          if (daemonPids(baseDir).some((p) => p !== old)) break;
          if (Date.now() > until) explain(new Error("no new daemon within 30 s"));
        }
      } else {
        await waitFor("the PID file naming a new daemon", () => {
          const p = pidFile(baseDir);
          return p !== null && p !== old;
        }, 30_000, 2).catch(explain);
      }
      agent.child.kill("SIGKILL");
      const killedAt = Date.now();
      const pf = pidFile(baseDir);
      const now = observe();
      newDaemonAtKill = now.some((p) => !before.has(p));
      const pidFileAtKill = pf === null ? "none" : pf === old ? "old" : now.includes(pf) ? "new" : "other";
      await new Promise((r) => (agent.child.exitCode !== null || agent.child.signalCode !== null ? r(null) : agent.child.once("exit", r)));

      fs.rmSync(statusFile, { force: true });
      agent = fleet.startAgent("k1", baseDir, configFile);
      const watched = await waitFor(
        `the next agent watching a daemon (${moment})`,
        () => {
          const st = agent.status();
          const pids = daemonPids(baseDir);
          return st?.daemonState === "running" && pids.length === 1 && st.daemonPid === pids[0] && pidFile(baseDir) === pids[0] ? pids[0] : null;
        },
        30_000,
        20,
      ).catch((err) => {
        throw new Error(
          `${(err as Error).message}; daemons now: ${daemonPids(baseDir).join(",")}, PID file at kill: ${pidFileAtKill}, new daemon at kill: ${newDaemonAtKill}\nagent output:\n${agent.output().slice(-3000)}`,
        );
      });
      const recoveryMs = Date.now() - killedAt;
      // Nothing more starts once the next agent watches one (a late second start would show here).
      await sleep(300);
      observe();
      const newDaemons = [...seen.keys()].filter((p) => !before.has(p));
      trials.push({ moment, killDelayMs, pidFileAtKill, newDaemonAtKill, newDaemons: newDaemons.length, maxConcurrent, adopted: newDaemonAtKill && newDaemons[0] === watched, recoveryMs });
      maxConcurrent = Math.max(maxConcurrent, concurrentBefore);
      assert.equal(trials.at(-1)!.maxConcurrent, 1, `${moment}: never two daemons (saw ${trials.at(-1)!.maxConcurrent}); new PIDs ${newDaemons.join(",")}`);
      assert.equal(newDaemons.length, 1, `${moment}: restarted exactly once (new daemon PIDs: ${newDaemons.join(",")})`);
      assert.deepEqual(daemonPids(baseDir), [watched]);
    }
  }
  await fleet.stop(agent.child, "SIGTERM");
  const byMoment = Object.fromEntries(
    MOMENTS.map((m) => {
      const ts = trials.filter((x) => x.moment === m);
      return [m, { trials: ts.length, pidFileAtKill: ts.map((x) => x.pidFileAtKill), adopted: ts.filter((x) => x.adopted).length, maxRecoveryMs: Math.max(...ts.map((x) => x.recoveryMs)) }];
    }),
  );
  figure(t, "agent-sigkill-during-restart", {
    seed,
    trials: trials.length,
    maxConcurrentDaemons: Math.max(...trials.map((x) => x.maxConcurrent)),
    newDaemonsPerCrash: [...new Set(trials.map((x) => x.newDaemons))],
    byMoment,
  });
  // The at_spawn trials are only worth something if they hit the window they aim at.
  assert.ok(trials.some((x) => x.moment === "at_spawn" && x.newDaemonAtKill), "an agent died with its new daemon already started");
});
