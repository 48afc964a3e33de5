import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { listDescendants, readIdentity, readProcStat } from "../agent/lib/proc.js";
import { killTree, realKillDeps } from "../agent/watchdog/kill.js";
import { diagnoseHang } from "../agent/watchdog/diagnose.js";
import { alive, currentStep, ProcessJanitor, startDaemon, waitFor } from "./watchdog-helpers.js";

const janitor = new ProcessJanitor();
afterEach(() => janitor.cleanup());

function baseDir(): string {
  return janitor.baseDir("ts-kill-");
}

async function startedTree(behaviour: Record<string, unknown>, children: number) {
  const dir = baseDir();
  const child = startDaemon(dir, { ...behaviour, children }, janitor);
  const pid = child.pid!;
  await waitFor("children", async () => (await listDescendants(pid)).length >= children);
  await waitFor("first step", () => currentStep(dir) !== null);
  const id = (await readIdentity(pid))!;
  return { dir, pid, id, tree: [pid, ...(await listDescendants(pid))] };
}

test("killTree: SIGTERM takes down a daemon and its children; /proc confirms every one is gone", async () => {
  const { id, tree } = await startedTree({ stepMs: 20 }, 2);
  const r = await killTree(id, { graceMs: 3000, maxAttempts: 3 });
  assert.equal(r.ok, true);
  assert.equal(r.attempts, 1);
  assert.deepEqual(r.members.map((m) => m.pid).sort(), [...tree].sort());
  assert.ok(r.signals.every((s) => s.signal === "SIGTERM"), JSON.stringify(r.signals));
  for (const p of tree) assert.equal(await alive(p), false, `PID ${p} still alive`);
});

test("killTree: a daemon (and children) ignoring SIGTERM is killed by SIGKILL after the grace period", async () => {
  const { id, tree, pid } = await startedTree({ stepMs: 20, ignoreSigterm: true, hangAtStep: 3, hangMode: "busy" }, 2);
  const r = await killTree(id, { graceMs: 300, maxAttempts: 3 });
  assert.equal(r.ok, true);
  assert.ok(r.signals.some((s) => s.signal === "SIGTERM" && s.pid === pid));
  assert.deepEqual(new Set(r.signals.filter((s) => s.signal === "SIGKILL").map((s) => s.pid)), new Set(tree));
  assert.ok(r.durationMs >= 300, `grace period honoured (${r.durationMs} ms)`);
  for (const p of tree) assert.equal(await alive(p), false);
});

test("killTree: a recycled PID (start time differs) is never signalled", async () => {
  const dir = baseDir();
  const child = startDaemon(dir, { stepMs: 20 }, janitor);
  const real = (await waitFor("identity", () => readIdentity(child.pid!)))!;
  const sent: Array<[number, string]> = [];
  const r = await killTree({ ...real, startTicks: real.startTicks - 1 }, { graceMs: 100, maxAttempts: 3 }, { ...realKillDeps, signal: (p, s) => void sent.push([p, s]) });
  assert.deepEqual(sent, []);
  assert.equal(r.attempts, 0);
  assert.equal(r.skipped[0]?.pid, real.pid);
  assert.equal(await alive(real.pid), true);
});

test("killTree: after maxAttempts failed attempts the tree is reported unkillable", async () => {
  const { id, tree } = await startedTree({ stepMs: 20 }, 1);
  // Stands in for a process stuck in D state, which SIGKILL cannot end: every signal is lost.
  const sent: string[] = [];
  const r = await killTree(id, { graceMs: 50, maxAttempts: 3 }, { ...realKillDeps, signal: (_p, s) => void sent.push(s) });
  assert.equal(r.ok, false);
  assert.equal(r.attempts, 3);
  assert.deepEqual(new Set(r.survivors.map((s) => s.pid)), new Set(tree));
  // TERM and KILL on attempt 1, KILL on attempts 2 and 3, to both members.
  assert.deepEqual(sent, ["SIGTERM", "SIGTERM", "SIGKILL", "SIGKILL", "SIGKILL", "SIGKILL", "SIGKILL", "SIGKILL"]);
});

test("diagnoseHang: a busy-looping daemon is cpu_spin; a futex-blocked one is deadlock; states and wchan are captured", async () => {
  const spin = await startedTree({ stepMs: 20, hangAtStep: 2, hangMode: "busy" }, 0);
  await waitFor("hang", () => (currentStep(spin.dir) ?? 0) >= 2);
  const r1 = await diagnoseHang(spin.id, { timeoutMs: 2000, cpuSampleMs: 300 });
  assert.equal(r1.kind, "cpu_spin", JSON.stringify(r1.reasons));
  assert.ok(r1.evidence.cpu!.deltaTicks > 0);
  assert.ok(r1.evidence.processes[0]!.threads.length > 1);

  const lock = await startedTree({ stepMs: 20, hangAtStep: 2, hangMode: "futex" }, 0);
  await waitFor("hang", () => (currentStep(lock.dir) ?? 0) >= 2);
  await new Promise((r) => setTimeout(r, 200));
  const r2 = await diagnoseHang(lock.id, { timeoutMs: 2000, cpuSampleMs: 300 });
  assert.equal(r2.kind, "deadlock", JSON.stringify(r2.reasons));
  assert.ok(r2.evidence.processes[0]!.threads.some((t) => /futex/.test(t.wchan)));
});

test("diagnoseHang: a Python stack from py-spy (a fake on PATH) waiting in all_reduce is gpu_or_collective", async () => {
  const { id, dir } = await startedTree({ stepMs: 20, hangAtStep: 2, hangMode: "futex" }, 0);
  const bin = `${dir}/bin`;
  fs.mkdirSync(bin);
  fs.writeFileSync(
    `${bin}/py-spy`,
    `#!/bin/sh\n[ "$1" = dump ] && [ "$2" = --pid ] || exit 2\necho "Process $3: python train.py"\necho 'Thread 0x7F (active): "MainThread"'\necho '    all_reduce (torch/distributed/distributed_c10d.py:2050)'\necho '    train (train.py:412)'\n`,
    { mode: 0o755 },
  );
  const hung = `${bin}/hung-py-spy`;
  fs.writeFileSync(hung, "#!/bin/sh\nexec sleep 30\n", { mode: 0o755 });
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  let r;
  try {
    r = await diagnoseHang(id, { timeoutMs: 2000, cpuSampleMs: 100, nvidiaSmi: "/nonexistent/nvidia-smi" });
  } finally {
    process.env.PATH = savedPath;
  }
  assert.equal(r.kind, "gpu_or_collective");
  assert.match(r.evidence.stacks[0]!.text, new RegExp(`Process ${id.pid}`));
  // A py-spy that hangs is cut off at the deadline and the report still comes back.
  const t0 = Date.now();
  const slow = await diagnoseHang(id, { timeoutMs: 300, cpuSampleMs: 50, pySpy: hung });
  assert.ok(Date.now() - t0 < 2000);
  assert.equal(slow.evidence.stacks[0]!.ok, false);
  assert.match(slow.evidence.stacks[0]!.text, /did not answer/);
});

test("diagnoseHang: GPU evidence from nvidia-smi (fake on PATH) names the daemon's GPU", async () => {
  const { id, dir } = await startedTree({ stepMs: 20, hangAtStep: 2, hangMode: "futex" }, 0);
  const smi = `${dir}/nvidia-smi`;
  fs.writeFileSync(
    smi,
    `#!/bin/sh
case "$1" in
  --query-compute-apps=*) echo "${id.pid}, 70123, GPU-aaaa"; echo "999999, 100, GPU-bbbb" ;;
  --query-gpu=*) echo "0, NVIDIA H100 80GB HBM3, GPU-aaaa, 60, 100, 70500, 81559, 300.5, 0, [N/A], No, No, 0, 0x0000000000000000, Disabled"
                 echo "1, NVIDIA H100 80GB HBM3, GPU-bbbb, 40, 3, 100, 81559, 80.0, 0, [N/A], No, No, 0, 0x0000000000000001, Disabled" ;;
esac
`,
    { mode: 0o755 },
  );
  const r = await diagnoseHang(id, { timeoutMs: 2000, cpuSampleMs: 100, nvidiaSmi: smi, pySpy: "/nonexistent/py-spy" });
  assert.equal(r.kind, "gpu_or_collective", JSON.stringify(r));
  assert.deepEqual(r.evidence.gpu!.gpus.map((g) => [g.index, g.utilizationPct, g.memoryUsedMiB]), [[0, 100, 70500]]);
  assert.deepEqual(r.evidence.gpu!.processes, [{ pid: id.pid, gpuUuid: "GPU-aaaa", usedMemoryMiB: 70123 }]);
});

test("killTree: a SIGSTOPped (frozen) tree is gone in under a second despite a 10 s grace", async () => {
  const { id, tree } = await startedTree({ stepMs: 20, ignoreSigterm: true }, 2);
  for (const p of tree) process.kill(p, "SIGSTOP");
  await waitFor("every member stopped", async () => {
    const states = await Promise.all(tree.map(async (p) => (await readProcStat(p))?.state));
    return states.every((s) => s === "T");
  });
  const t0 = Date.now();
  const r = await killTree(id, { graceMs: 10_000, maxAttempts: 3 });
  const tookMs = Date.now() - t0;
  assert.equal(r.ok, true);
  assert.ok(tookMs < 1000, `took ${tookMs} ms`);
  assert.ok(r.signals.some((s) => s.signal === "SIGCONT"), "stopped members are continued so they can act on SIGTERM");
  for (const p of tree) assert.equal(await alive(p), false);
});

test("killTree: a stopped daemon among running children gets SIGCONT, so SIGTERM ends it within the grace", async () => {
  const { id, tree, pid } = await startedTree({ stepMs: 20 }, 1);
  process.kill(pid, "SIGSTOP");
  await waitFor("daemon stopped", async () => (await readProcStat(pid))?.state === "T");
  const r = await killTree(id, { graceMs: 5000, maxAttempts: 3 });
  assert.equal(r.ok, true);
  assert.ok(r.durationMs < 4000, `SIGTERM honoured after SIGCONT (${r.durationMs} ms)`);
  assert.ok(r.signals.every((s) => s.signal !== "SIGKILL"), JSON.stringify(r.signals));
  for (const p of tree) assert.equal(await alive(p), false);
});
