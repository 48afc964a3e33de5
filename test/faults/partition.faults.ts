/**
 * Fault: a network partition. The agent runs in its own network namespace, joined to the controller
 * by a veth pair (10.200.N.1 on the controller's side, 10.200.N.2 on the agent's, addresses that
 * exist only inside this machine); `ip link set ... down` cuts it for FAULTS_PARTITION_S seconds
 * (default 15) while the controller keeps running. Unlike a stopped controller, nothing tells the
 * agent the link is gone: its grant request must time out into the local budget, and what it wrote
 * into the dead connection must still arrive once the link is back. Needs root and `ip netns`;
 * skipped with a message otherwise.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CLI, Fleet, waitFor } from "../helpers/fleet.js";
import { daemonPids, envSeconds, figure, killDaemons, sleep, storedEvents } from "./helpers.js";

const PARTITION_S = envSeconds("FAULTS_PARTITION_S", 15);
const N = 200 + (process.pid % 50);
const NS = `tsfaults${process.pid}`;
const HOST_IF = `tsfh${process.pid % 100000}`;
const NS_IF = `tsfn${process.pid % 100000}`;
const HOST_IP = `10.200.${N}.1`;
const NS_IP = `10.200.${N}.2`;

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function netnsWorks(): string | false {
  if (process.getuid?.() !== 0) return "needs root for ip netns; skipped";
  try {
    ip("netns", "add", NS);
    ip("link", "add", HOST_IF, "type", "veth", "peer", "name", NS_IF);
    ip("link", "set", NS_IF, "netns", NS);
    ip("addr", "add", `${HOST_IP}/30`, "dev", HOST_IF);
    ip("link", "set", HOST_IF, "up");
    ip("netns", "exec", NS, "ip", "addr", "add", `${NS_IP}/30`, "dev", NS_IF);
    ip("netns", "exec", NS, "ip", "link", "set", NS_IF, "up");
    ip("netns", "exec", NS, "ip", "link", "set", "lo", "up");
    return false;
  } catch (err) {
    teardown();
    return `ip netns / veth not usable here (${String((err as { stderr?: Buffer }).stderr ?? err).trim().slice(0, 200)}); skipped`;
  }
}

function teardown(): void {
  for (const args of [["link", "del", HOST_IF], ["netns", "del", NS]]) {
    try {
      ip(...args);
    } catch {
      /* not there */
    }
  }
}

const skip = netnsWorks();
const fleet = new Fleet();
const children: ChildProcess[] = [];
let baseDirForCleanup: string | null = null;
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  if (baseDirForCleanup) killDaemons(baseDirForCleanup);
  await fleet.cleanup();
  teardown();
});

test(`an agent cut off by a network partition for ${PARTITION_S} s: local budget, then everything delivered`, { skip, timeout: (PARTITION_S + 150) * 1000 }, async (t) => {
  // Plain text off loopback must be asked for: these addresses exist only inside this machine.
  // Off loopback the fleet service needs credentials; this test reads the database instead.
  const auth = { tokens: [{ name: "faults", sha256: createHash("sha256").update(randomBytes(32)).digest("hex"), role: "read-only" }] };
  const ctl = await fleet.controller({ insecure: true, auth, budget: { hostMaxRestarts: 100, backoffInitial: "100ms", backoffMax: "300ms", breakerThreshold: 0 } }, `${HOST_IP}:0`);
  const { baseDir, configFile } = fleet.prepareAgent("part-1", "job-part", ctl.address);
  baseDirForCleanup = baseDir;
  const s = JSON.parse(fs.readFileSync(configFile, "utf8"));
  s.agent.healthCheckInterval = "2s";
  s.agent.insecure = true;
  fs.writeFileSync(configFile, JSON.stringify(s));
  // `ip netns exec` execs the agent in place: the child's PID is the agent's.
  const child = spawn("ip", ["netns", "exec", NS, process.execPath, CLI, "agent", "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
  children.push(child);
  let out = "";
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const status = () => {
    try {
      return JSON.parse(fs.readFileSync(path.join(baseDir, ".trainsafe", "agent", "agent-status.json"), "utf8")) as { connected: boolean; daemonState: string; pendingEvents: number; published: number };
    } catch {
      return null;
    }
  };
  await waitFor("the agent in its namespace connected, daemon running", () => status()?.connected && status()?.daemonState === "running", 30_000, 100).catch((err) => {
    throw new Error(`${(err as Error).message}\nagent output:\n${out.slice(-2000)}`);
  });

  ip("link", "set", HOST_IF, "down");
  const cutAt = Date.now();
  const [pid] = daemonPids(baseDir);
  assert.ok(pid);
  fleet.control(baseDir, { crashAtStep: 0, once: true });
  await waitFor("a local restart during the partition", () => daemonPids(baseDir).some((p) => p !== pid), 20_000, 50);
  const localRestartAfterMs = Date.now() - cutAt;
  const grantLine = /restart granted \(crash\): controller did not answer[^\n]*/.exec(out)?.[0] ?? "";
  await sleep(Math.max(0, cutAt + PARTITION_S * 1000 - Date.now()));
  const pendingAtHeal = status()?.pendingEvents ?? 0;
  ip("link", "set", HOST_IF, "up");
  const healedAt = Date.now();
  await waitFor("the agent's spool drained after the partition", () => status()?.connected && status()?.pendingEvents === 0, 120_000, 100);
  const drainMs = Date.now() - healedAt;

  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  const st = status()!;
  await fleet.stop(ctl.child, "SIGTERM");
  const rows = storedEvents(path.join(ctl.stateDir, "controller.db")).filter((r) => r.host_id === "part-1");
  const local = rows.filter((r) => r.kind === "local_restart");
  const crashes = rows.filter((r) => r.kind === "crash");
  figure(t, "network-partition", {
    partitionS: PARTITION_S,
    localRestartAfterMs,
    grantFallback: grantLine.slice(0, 200),
    pendingAtHeal,
    drainAfterHealMs: drainMs,
    localRestartsStored: local.length,
    crashesStored: crashes.length,
    published: st.published,
    stored: rows.length,
    lost: st.published - rows.length,
    duplicated: rows.length - new Set(rows.map((r) => r.uuid)).size,
  });
  assert.match(grantLine, /local budget/, "the grant came from the local budget");
  assert.equal(local.length, 1, "the local restart reached the controller");
  assert.equal(crashes.length, 1, "the crash reached the controller");
  assert.equal(st.pendingEvents, 0);
  assert.equal(rows.length, st.published, "every event made is stored");
  assert.equal(new Set(rows.map((r) => r.uuid)).size, rows.length, "no duplicates");
});
