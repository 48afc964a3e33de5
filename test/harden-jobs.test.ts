/**
 * Issue 12, defect 6: a host certificate may not ask for grants (or say hello) under another job
 * than its own: the job of its first hello, persisted in the store, or the ones auth.hostJobs lists
 * for it. Real controller (mutual TLS, certificates from deploy/pki/make-certs.sh), real SQLite.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { credentials, status, type ServiceError } from "@grpc/grpc-js";
import { tlsTarget } from "../agent/rpc/link.js";
import { resolveControllerConfig } from "../controller/config.js";
import { silentLogger } from "../controller/log.js";
import { Controller } from "../controller/server.js";
import { AgentServiceClient } from "../proto/gen/trainsafe/v1/agent.js";
import { Fleet, ROOT } from "./helpers/fleet.js";
import { SimAgent } from "./helpers/grpc-agent.js";

const fleet = new Fleet();
after(() => fleet.cleanup());
const PKI = path.join(fleet.root, "pki");
execFileSync(path.join(ROOT, "deploy/pki/make-certs.sh"), ["--out", PKI, "--controller", "127.0.0.1", "--host", "h1", "--host", "h2"], { stdio: ["ignore", "ignore", "pipe"] });
const pem = (name: string) => fs.readFileSync(path.join(PKI, name));

function agentClient(address: string, host: string): AgentServiceClient {
  const target = tlsTarget(address);
  const creds = credentials.createSsl(pem("ca.crt"), pem(`hosts/${host}.key`), pem(`hosts/${host}.crt`), target.verify);
  return new AgentServiceClient(address, creds, { ...target.channelOptions, "grpc.use_local_subchannel_pool": 1 });
}

function controller(stateDir: string, hostJobs?: Record<string, string[]>): Controller {
  return new Controller(
    resolveControllerConfig(
      {
        listen: "127.0.0.1:0",
        stateDir,
        tls: { cert: "controller.crt", key: "controller.key", ca: "ca.crt", requireClientCert: true },
        auth: { certRoles: [{ ou: "operator", role: "operator" }], ...(hostJobs ? { hostJobs } : {}) },
      },
      { baseDir: PKI },
    ),
    { log: silentLogger },
  );
}

const deniedFor = (re: RegExp) => (err: ServiceError) => err.code === status.PERMISSION_DENIED && re.test(err.details);

test("a host is bound to the job of its first hello: grants and hellos under another job are refused, across a restart", async (t) => {
  const stateDir = path.join(fleet.root, "bound");
  let ctl = controller(stateDir);
  let { address } = await ctl.start();
  t.after(() => ctl.stop());
  const clients: Array<{ close(): void }> = [];
  t.after(() => clients.forEach((c) => c.close()));
  const client = (host: string) => {
    const c = agentClient(address, host);
    clients.push(c);
    return c;
  };

  const h1 = new SimAgent({ address, hostId: "h1", jobId: "job-a", client: client("h1") });
  await h1.connect();
  assert.equal((await h1.requestRestart({ reason: "crash" })).allow, true, "its own job is granted");
  // h1's certificate spending job-b's budget: refused, nothing decided for job-b.
  await assert.rejects(h1.requestRestart({ jobId: "job-b", reason: "crash" }), deniedFor(/job_id is "job-b" but host "h1" is bound to job "job-a"/));
  assert.equal(ctl.parts!.store.decisions.recent(50).filter((d) => d.jobId === "job-b").length, 0, "no decision under job-b");
  // Nor can it say hello as a member of job-b on a new stream.
  const moved = new SimAgent({ address, hostId: "h1", jobId: "job-b", client: client("h1") });
  await assert.rejects(moved.connect(), deniedFor(/hello\.job_id is "job-b" but host "h1" is bound to job "job-a"/));
  assert.equal(ctl.parts!.store.hosts.get("h1")?.jobId, "job-a", "the binding did not move");
  h1.close();

  // The binding is in the store: a restarted controller keeps it.
  await ctl.stop();
  ctl = controller(stateDir);
  ({ address } = await ctl.start());
  const again = new SimAgent({ address, hostId: "h1", jobId: "job-b", client: client("h1") });
  await assert.rejects(again.connect(), deniedFor(/bound to job "job-a"/));
  const h1back = new SimAgent({ address, hostId: "h1", jobId: "job-a", client: client("h1") });
  await h1back.connect();
  await assert.rejects(h1back.requestRestart({ jobId: "job-b", reason: "crash" }), deniedFor(/bound to job "job-a"/));
  // Events name a job too (incidents group by it): one under another job is refused, not stored.
  const foreign = h1back.sendEvent({ jobId: "job-b", message: "posing as job-b" });
  const own = h1back.sendEvent({ jobId: "job-a", message: "own job" });
  await h1back.waitForAcks();
  assert.deepEqual(h1back.rejected.map((r) => [r.uuid, /event\.job_id is "job-b" but host "h1" is bound to job "job-a"/.test(r.message)]), [[foreign, true]]);
  const stored = ctl.parts!.store.events.query({ hostId: "h1" });
  assert.deepEqual(stored.map((e) => [e.uuid, e.jobId]), [[own, "job-a"]]);
  h1back.close();
});

test("auth.hostJobs lists the jobs a host may use, whatever its first hello said", async (t) => {
  const stateDir = path.join(fleet.root, "listed");
  const ctl = controller(stateDir, { h2: ["job-c", "job-d"] });
  const { address } = await ctl.start();
  t.after(() => ctl.stop());
  const c = agentClient(address, "h2");
  t.after(() => c.close());
  const wrong = new SimAgent({ address, hostId: "h2", jobId: "job-a", client: c });
  await assert.rejects(wrong.connect(), deniedFor(/hello\.job_id is "job-a" but host "h2" may use only "job-c", "job-d" \(auth\.hostJobs\)/));
  const h2 = new SimAgent({ address, hostId: "h2", jobId: "job-c", client: c });
  await h2.connect();
  assert.equal((await h2.requestRestart({ reason: "crash" })).allow, true);
  // Listed jobs may change (a host moved by the operator); unlisted ones may not.
  assert.equal((await h2.requestRestart({ jobId: "job-d", reason: "crash" })).allow !== undefined, true);
  await assert.rejects(h2.requestRestart({ jobId: "job-a", reason: "crash" }), deniedFor(/may use only/));
  h2.close();
});

test("host ids that are names of Object.prototype members are plain host ids", async (t) => {
  // Found by the garbage fault suite: "constructor" looked up in auth.hostJobs found a function.
  const ctl = new Controller(resolveControllerConfig({ listen: "127.0.0.1:0", stateDir: path.join(fleet.root, "proto-names"), auth: { hostJobs: { h9: ["job-z"] } } }), { log: silentLogger });
  const { address } = await ctl.start();
  t.after(() => ctl.stop());
  for (const hostId of ["constructor", "toString", "hasOwnProperty", "valueOf"]) {
    const a = new SimAgent({ address, hostId, jobId: "job-a" });
    t.after(() => a.close());
    await a.connect();
    const uuid = a.sendEvent({ jobId: "job-b", message: "another job" });
    await a.waitForAcks();
    assert.deepEqual(a.rejected, [], `${hostId}: an unlisted host without certificates may name any job`);
    assert.equal(ctl.parts!.store.events.query({ hostId })[0]?.uuid, uuid, hostId);
    assert.equal((await a.requestRestart({ reason: "crash" })).allow, true, hostId);
  }
});
