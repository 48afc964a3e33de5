/** The controller as a real child process: SIGKILL mid-stream loses nothing, SIGTERM stops cleanly. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { SCHEMA_VERSION } from "../controller/store/migrations.js";
import { SimAgent } from "./helpers/grpc-agent.js";

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const BIN = path.join(ROOT, "bin", "trainsafe.js");

interface Proc {
  child: ChildProcess;
  address: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

function startController(configFile: string): Proc {
  const child = spawn(process.execPath, [BIN, "controller", "--config", configFile, "--json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const address = new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n") && line) resolve((JSON.parse(line) as { listening: string }).listening);
    });
    child.on("exit", (code) => reject(new Error(`controller exited (${code}) before listening: ${err}`)));
  });
  address.catch(() => {});
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return { child, address, exit, stderr: () => err };
}

function setup(t: { after(fn: () => unknown): void }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-ctlproc-"));
  const procs: Proc[] = [];
  t.after(() => {
    for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const configFile = path.join(dir, "controller.json");
  fs.writeFileSync(configFile, JSON.stringify({ listen: "127.0.0.1:0", stateDir: "state" }));
  return {
    dir,
    dbFile: path.join(dir, "state", "controller.db"),
    start: () => {
      const p = startController(configFile);
      procs.push(p);
      return p;
    },
  };
}

test("SIGKILL while an agent streams events, restart, resend unacked: every event stored exactly once", async (t) => {
  const { start, dbFile } = setup(t);
  const TOTAL = 3_000;
  const first = start();
  const agent = new SimAgent({ address: await first.address, hostId: "gpu-01", jobId: "job" });
  t.after(() => agent.close());
  await agent.connect();
  const uuids: string[] = [];
  const burst = () => {
    for (let i = 0; i < 25 && uuids.length < TOTAL; i++) uuids.push(agent.sendEvent({ message: `event ${uuids.length}` }));
  };
  // Stream in paced bursts until the controller has acked a few hundred, then kill it right after a
  // burst, so events are in flight (written, not yet acked) at the moment it dies.
  while (agent.ackedCount < 300) {
    assert.ok(uuids.length < TOTAL - 500, "the controller acks while the agent streams");
    burst();
    await new Promise((r) => setTimeout(r, 2));
  }
  burst();
  const killedAtAcked = agent.ackedCount;
  const unackedAtKill = agent.unacked.size;
  first.child.kill("SIGKILL");
  assert.equal((await first.exit).signal, "SIGKILL");
  await agent.waitForEnd();
  // Ack after commit: everything acked before the kill is in the database the dead process left.
  const atKill = new Database(dbFile, { readonly: true });
  const storedAtKill = (atKill.prepare("SELECT count(*) AS n FROM events").get() as { n: number }).n;
  atKill.close();
  assert.ok(storedAtKill >= killedAtAcked, `${storedAtKill} stored < ${killedAtAcked} acked`);
  // The agent keeps producing while the controller is down: those events wait in its spool.
  while (uuids.length < TOTAL) burst();
  assert.ok(unackedAtKill > 0, "events were in flight when the controller died");
  const second = start();
  const resent = await agent.reconnect(await second.address);
  await agent.waitForAcks(20_000);
  t.diagnostic(`sent ${TOTAL} events (${agent.sentCount} writes, ${resent} resent after restart); acked before kill ${killedAtAcked}, stored at kill ${storedAtKill}, unacked at kill ${unackedAtKill}`);
  assert.ok(resent > 0, "some events were unacked when the controller died");
  assert.equal(agent.sentCount, TOTAL + resent);

  second.child.kill("SIGTERM");
  const exit = await second.exit;
  assert.equal(exit.code, 0, second.stderr());
  assert.match(second.stderr(), /controller stopped/);

  const db = new Database(dbFile, { readonly: true });
  t.after(() => db.close());
  const stored = db.prepare("SELECT uuid FROM events WHERE host_id = 'gpu-01'").all() as Array<{ uuid: string }>;
  t.diagnostic(`stored ${stored.length} events`);
  assert.equal(stored.length, TOTAL, "no loss, no duplicates");
  assert.deepEqual(new Set(stored.map((r) => r.uuid)), new Set(uuids));
});

test("the controller refuses a database from a newer trainsafe (exit 2, clear message)", async (t) => {
  const { start, dbFile } = setup(t);
  fs.mkdirSync(path.dirname(dbFile), { recursive: true });
  const raw = new Database(dbFile);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`);
  raw.close();
  const p = start();
  const exit = await p.exit;
  assert.equal(exit.code, 2);
  assert.match(p.stderr(), new RegExp(`trainsafe: .*controller\\.db: database schema version ${SCHEMA_VERSION + 5} is newer than this trainsafe understands`));
  assert.doesNotMatch(p.stderr(), /\n\s+at /, "no stack trace");
});
