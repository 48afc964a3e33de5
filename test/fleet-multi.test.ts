/**
 * A fleet on two controllers: the real `trainsafe fleet` CLI asked with `--controller a,b` merges two
 * real controller processes' answers (hosts, crashes, events, budget), routes a command to the
 * controller that knows the host, reports a job seen on both controllers, and says which controller
 * did not answer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { Fleet, runCli } from "./helpers/fleet.js";
import { makeCrash, SimAgent, type CommandHandler } from "./helpers/grpc-agent.js";

interface HostRow {
  hostId: string;
  jobId: string;
  controller: string;
}

test("fleet --controller a,b: merged hosts, crashes and events, routed commands, a split job reported", { timeout: 120_000 }, async (t) => {
  const fleet = new Fleet();
  const sims: SimAgent[] = [];
  t.after(async () => {
    for (const s of sims) s.close();
    await fleet.cleanup();
  });
  const a = await fleet.controller({}, undefined, path.join(fleet.root, "ctl-a"));
  const b = await fleet.controller({}, undefined, path.join(fleet.root, "ctl-b"));
  const both = `${a.address},${b.address}`;
  const commanded: string[] = [];
  const agent = async (address: string, hostId: string, jobId: string) => {
    const onCommand: CommandHandler = () => {
      commanded.push(hostId);
      return { ok: true, summary: `done on ${hostId}`, outputJson: "{}" };
    };
    const s = new SimAgent({ address, hostId, jobId, onCommand });
    sims.push(s);
    await s.connect();
    return s;
  };
  const g1 = await agent(a.address, "gpu-01", "job-a");
  await agent(a.address, "gpu-02", "job-a");
  const g3 = await agent(b.address, "gpu-03", "job-b");
  g1.sendEvent(makeCrash({ category: "cuda_oom", firstFatalLine: "torch.OutOfMemoryError: CUDA out of memory" }));
  g3.sendEvent(makeCrash({ category: "nccl_timeout", firstFatalLine: "Watchdog caught collective operation timeout" }));
  await Promise.all([g1.waitForAcks(), g3.waitForAcks()]);

  // Hosts of both controllers in one answer, each with the controller that knows it.
  const hostsJson = await runCli(["fleet", "hosts", "--controller", both, "--json"]);
  assert.equal(hostsJson.code, 0, hostsJson.stderr);
  const hosts = JSON.parse(hostsJson.stdout) as HostRow[];
  assert.deepEqual(
    hosts.map((h) => [h.hostId, h.jobId, h.controller]),
    [
      ["gpu-01", "job-a", a.address],
      ["gpu-02", "job-a", a.address],
      ["gpu-03", "job-b", b.address],
    ],
  );
  const table = await runCli(["fleet", "hosts", "--controller", both]);
  assert.equal(table.code, 0, table.stderr);
  const header = table.stdout.split("\n")[0]!;
  assert.match(header, /^HOST\s+CONTROLLER\s+JOB\s+CONNECTED/);
  assert.match(table.stdout, new RegExp(`gpu-03\\s+${b.address.replace(/\./g, "\\.")}\\s+job-b`));
  assert.match(table.stdout, /3 hosts, 3 connected, on 2 controllers/);

  // One controller alone prints what it always printed: no controller column or field.
  const one = JSON.parse((await runCli(["fleet", "hosts", "--controller", a.address, "--json"])).stdout) as Array<Record<string, unknown>>;
  assert.equal(one.length, 2);
  assert.ok(!("controller" in one[0]!));

  // Crashes and events merged, newest first, tagged.
  const crashes = await runCli(["fleet", "crashes", "--controller", both, "--json"]);
  assert.equal(crashes.code, 1, "crashes found: exit 1 as with one controller");
  const c = JSON.parse(crashes.stdout) as { crashes: Array<{ hostId: string; category: string; controller: string }> };
  assert.deepEqual(c.crashes.map((x) => [x.hostId, x.category, x.controller]).sort(), [
    ["gpu-01", "cuda_oom", a.address],
    ["gpu-03", "nccl_timeout", b.address],
  ]);
  const events = JSON.parse((await runCli(["fleet", "events", "--controller", both, "--json"])).stdout) as Array<{ hostId: string; controller: string }>;
  assert.deepEqual([...new Set(events.map((e) => `${e.hostId}@${e.controller}`))].sort(), [`gpu-01@${a.address}`, `gpu-03@${b.address}`]);

  // A command goes to the controller that knows the host, and only to it.
  const kill = await runCli(["fleet", "kill", "gpu-03", "--controller", both, "--json"]);
  assert.equal(kill.code, 0, kill.stderr);
  const outcome = JSON.parse(kill.stdout) as Array<{ hostId: string; result: string; controller: string }>;
  assert.deepEqual(outcome.map((o) => [o.hostId, o.result, o.controller]), [["gpu-03", "ok", b.address]]);
  assert.deepEqual(commanded, ["gpu-03"]);
  const nobody = await runCli(["fleet", "restart", "gpu-99", "--controller", both]);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stdout, /gpu-99\s+-\s+unknown host\s+0\s+unknown host \(none of /);
  assert.deepEqual(commanded, ["gpu-03"], "an unknown host reaches no agent");
  const status = await runCli(["fleet", "status", "gpu-03", "--controller", both]);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`controller  ${b.address.replace(/\./g, "\\.")}`));

  // A job whose hosts report to both controllers: its budget is split. Reported on stderr, exit 1.
  await agent(b.address, "gpu-04", "job-a");
  const split = await runCli(["fleet", "hosts", "--controller", both, "--json"]);
  assert.equal(split.code, 1);
  assert.equal((JSON.parse(split.stdout) as HostRow[]).length, 4, "the table is still printed");
  assert.match(split.stderr, /job job-a is seen on 2 controllers .*hosts gpu-01, gpu-02, gpu-04/);
  const budget = await runCli(["fleet", "budget", "--controller", both]);
  assert.equal(budget.code, 1);
  assert.match(budget.stderr, /job job-a is seen on 2 controllers/);
  assert.equal(budget.stdout.match(/^controller /gm)?.length, 2, "one budget section per controller");

  // A controller that does not answer: the others' hosts are printed, its failure named, exit 3.
  const down = await runCli(["fleet", "hosts", "--controller", `${a.address},127.0.0.1:1`, "--json", "--timeout", "2s"]);
  assert.equal(down.code, 3);
  assert.equal((JSON.parse(down.stdout) as HostRow[]).length, 2);
  assert.match(down.stderr, /controller 127\.0\.0\.1:1: cannot reach/);
  const top = await runCli(["fleet", "top", "--once", "--controller", both]);
  assert.equal(top.code, 2);
  assert.match(top.stderr, /fleet top talks to one controller/);
});
