import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ProgressTracker, phaseOf, readStatus, type ProgressPolicy } from "../agent/watchdog/progress.js";
import { classifyHang, type HangEvidence, type ProcessEvidence } from "../agent/watchdog/diagnose.js";

const MIN = 60_000;
const policy: ProgressPolicy = {
  trainingTimeoutMs: 15 * MIN,
  evalTimeoutMs: 30 * MIN,
  checkpointTimeoutMs: 30 * MIN,
  evalPhaseWords: ["eval", "evaluating", "evaluation", "validation"],
  checkpointPhaseWords: ["checkpoint", "saving", "save", "checkpointing"],
  adaptive: { enabled: false, minSteps: 20, multiplier: 10, floorMs: 2 * MIN },
};
const sample = (step: number | null, phaseText: string | null = "training") => ({ step, phaseText });

test("phase words: eval and checkpoint words anywhere in the phase text, anything else is training", () => {
  assert.equal(phaseOf("Running Evaluation", policy), "eval");
  assert.equal(phaseOf("eval", policy), "eval");
  assert.equal(phaseOf("saving_checkpoint", policy), "checkpoint");
  assert.equal(phaseOf("training", policy), "training");
  assert.equal(phaseOf(null, policy), "training");
  assert.equal(phaseOf("evaluated_before", policy), "training", "whole words only");
});

test("training limit: no step advance for 15 minutes is overdue; an advance resets the clock", () => {
  const t = new ProgressTracker(policy, 0);
  assert.equal(t.observe(sample(10), 1000), "advanced");
  assert.equal(t.deadlineMs(), 1000 + 15 * MIN);
  assert.equal(t.observe(sample(10), 10 * MIN), "unchanged");
  assert.equal(t.deadlineMs(), 1000 + 15 * MIN);
  assert.equal(t.observe(sample(11), 14 * MIN), "advanced");
  assert.equal(t.deadlineMs(), 29 * MIN);
  assert.equal(t.quietMs(20 * MIN), 6 * MIN);
});

test("eval phase gets the eval limit from the start of the eval, not from the last training step", () => {
  const t = new ProgressTracker(policy, 0);
  t.observe(sample(100), 0);
  // Eval starts 14 minutes after the last step and runs for 20 minutes: not a hang.
  assert.equal(t.observe(sample(100, "eval"), 14 * MIN), "phase_changed");
  assert.deepEqual(t.limit(), { phase: "eval", limitMs: 30 * MIN, adaptive: false });
  assert.equal(t.deadlineMs(), 44 * MIN);
  assert.ok(34 * MIN < t.deadlineMs());
  assert.equal(t.observe(sample(100, "saving checkpoint"), 35 * MIN), "phase_changed");
  assert.equal(t.limit().phase, "checkpoint");
  assert.equal(t.observe(sample(101, "training"), 36 * MIN), "advanced");
  assert.equal(t.limit().limitMs, 15 * MIN);
});

test("a lower step is a new run: the clock and the adaptive data start over", () => {
  const t = new ProgressTracker({ ...policy, adaptive: { ...policy.adaptive, enabled: true, minSteps: 2 } }, 0);
  for (let i = 0; i <= 5; i++) t.observe(sample(i), i * 1000);
  assert.ok(t.snapshot.stepsSeen >= 2);
  assert.equal(t.observe(sample(0), 9000), "reset");
  assert.equal(t.snapshot.stepsSeen, 0);
  assert.equal(t.snapshot.slowestGapMs, null);
  assert.equal(t.deadlineMs(), 9000 + 15 * MIN);
});

test("adaptive limit: multiplier x slowest gap, clamped to [floor, trainingTimeout], only after minSteps", () => {
  const ad = { ...policy, adaptive: { enabled: true, minSteps: 4, multiplier: 10, floorMs: 2 * MIN } };
  const t = new ProgressTracker(ad, 0);
  // First sighting at 0 is not an advance; gaps between advances: 30 s, 30 s, 45 s.
  t.observe(sample(0), 0);
  t.observe(sample(1), 30_000);
  t.observe(sample(2), 60_000);
  assert.equal(t.limit().limitMs, 15 * MIN, "not enough steps yet");
  t.observe(sample(3), 90_000);
  t.observe(sample(4), 135_000);
  assert.equal(t.snapshot.stepsSeen, 4);
  assert.equal(t.snapshot.slowestGapMs, 45_000);
  assert.deepEqual(t.limit(), { phase: "training", limitMs: 450_000, adaptive: true });

  // Fast steps: the floor wins.
  const fast = new ProgressTracker(ad, 0);
  for (let i = 0; i <= 10; i++) fast.observe(sample(i), i * 100);
  assert.equal(fast.limit().limitMs, 2 * MIN);
  // Slow steps: never above the configured limit.
  const slow = new ProgressTracker(ad, 0);
  for (let i = 0; i <= 10; i++) slow.observe(sample(i), i * 5 * MIN);
  assert.deepEqual(slow.limit(), { phase: "training", limitMs: 15 * MIN, adaptive: false });
  // Eval gaps do not count, and eval keeps its own limit.
  const ev = new ProgressTracker(ad, 0);
  for (let i = 0; i <= 5; i++) ev.observe(sample(i), i * 1000);
  ev.observe(sample(5, "eval"), 6000);
  ev.observe(sample(6, "training"), 20 * MIN);
  ev.observe(sample(7, "training"), 20 * MIN + 1000);
  assert.equal(ev.snapshot.slowestGapMs, 1000);
  ev.observe(sample(7, "eval"), 21 * MIN);
  assert.equal(ev.limit().limitMs, 30 * MIN);
});

test("readStatus: half-written, missing, junk and a directory are failed reads, never exceptions", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-status-"));
  try {
    const f = path.join(dir, "training_status.json");
    assert.deepEqual(await readStatus(f, "phase").then((r) => r.ok), false);
    fs.writeFileSync(f, '{"current_step": 12, "pha');
    let r = await readStatus(f, "phase");
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, "invalid_json");
    fs.writeFileSync(f, "");
    r = await readStatus(f, "phase");
    assert.equal(!r.ok && r.reason, "empty");
    fs.writeFileSync(f, Buffer.from([0xff, 0x00, 0x13, 0x37]));
    assert.equal((await readStatus(f, "phase")).ok, false);
    fs.writeFileSync(f, '{"current_step": "twelve"}');
    r = await readStatus(f, "phase");
    assert.match(!r.ok ? r.message : "", /current_step: expected a non-negative number/);
    fs.writeFileSync(f, '{"current_step": 12, "status": "evaluating", "phase": 3}');
    assert.deepEqual(await readStatus(f, "status"), { ok: true, sample: { step: 12, phaseText: "evaluating" } });
    assert.deepEqual(await readStatus(f, "phase"), { ok: true, sample: { step: 12, phaseText: null } });
    fs.rmSync(f);
    fs.mkdirSync(f);
    r = await readStatus(f, "phase");
    assert.equal(!r.ok && r.reason, "not_a_file");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

const thread = (tid: number, state: string, wchan: string) => ({ tid, comm: "python", state, wchan });
const proc = (pid: number, threads: ProcessEvidence["threads"]): ProcessEvidence => ({ pid, cmdline: "python train.py", threads });
const evidence = (over: Partial<HangEvidence>): HangEvidence => ({
  processes: [proc(10, [thread(10, "S", "futex_do_wait"), thread(11, "S", "futex_do_wait")])],
  cpu: { sampleMs: 500, deltaTicks: 0, cores: 0 },
  gpu: null,
  stacks: [],
  notes: [],
  ...over,
});

test("classifyHang: threads in D are an I/O hang, naming the wchan", () => {
  const d = classifyHang(
    evidence({ processes: [proc(10, [thread(10, "D", "nfs_wait_bit_killable"), thread(11, "D", "nfs_wait_bit_killable"), thread(12, "S", "futex_do_wait")])] }),
  );
  assert.equal(d.kind, "io_wait");
  assert.match(d.reasons[0]!, /2 of 3 threads in uninterruptible sleep \(D\) in nfs_wait_bit_killable/);
  // One worker thread in D among many is a page fault, not a hang.
  const many = Array.from({ length: 12 }, (_, i) => thread(20 + i, "S", "futex_do_wait"));
  assert.notEqual(classifyHang(evidence({ processes: [proc(10, [thread(10, "S", "futex_do_wait"), thread(99, "D", "io_schedule"), ...many])] })).kind, "io_wait");
});

test("classifyHang: a busy GPU or a collective on the Python stack is gpu_or_collective", () => {
  const gpu = classifyHang(
    evidence({ gpu: { available: true, gpus: [{ index: 0, uuid: "GPU-1", utilizationPct: 100, memoryUsedMiB: 70000 }], processes: [] } }),
  );
  assert.equal(gpu.kind, "gpu_or_collective");
  assert.match(gpu.reasons[0]!, /GPU 0 at 100%/);
  const stack = classifyHang(
    evidence({ cpu: { sampleMs: 500, deltaTicks: 50, cores: 1 }, stacks: [{ pid: 10, ok: true, text: "Thread 10 (active): \"MainThread\"\n    all_reduce (torch/distributed/distributed_c10d.py:2050)" }] }),
  );
  assert.equal(stack.kind, "gpu_or_collective");
  assert.match(stack.reasons[0]!, /all_reduce/);
});

test("classifyHang: CPU moving is cpu_spin; CPU still on futexes is deadlock; otherwise unknown", () => {
  assert.equal(classifyHang(evidence({ cpu: { sampleMs: 500, deltaTicks: 48, cores: 0.96 } })).kind, "cpu_spin");
  const dl = classifyHang(evidence({}));
  assert.equal(dl.kind, "deadlock");
  assert.match(dl.reasons[0]!, /2 of 2 threads parked on futexes/);
  assert.equal(classifyHang(evidence({ processes: [proc(10, [thread(10, "S", "do_epoll_wait")])] })).kind, "unknown");
  assert.equal(classifyHang(evidence({ cpu: null })).kind, "unknown");
  const lock = classifyHang(
    evidence({ processes: [proc(10, [thread(10, "S", "do_epoll_wait")])], stacks: [{ pid: 10, ok: true, text: "    acquire (threading.py:320)" }] }),
  );
  assert.equal(lock.kind, "deadlock");
});

test("classifyHang: main threads in a timed sleep are sleeping, not a deadlock, though workers wait on futexes", () => {
  // What a torch process in time.sleep shows: the main thread in hrtimer_nanosleep, OpenMP workers in futex waits.
  const torchSleep = evidence({ processes: [proc(10, [thread(10, "S", "hrtimer_nanosleep"), thread(11, "S", "futex_do_wait"), thread(12, "S", "futex_do_wait")])] });
  const d = classifyHang(torchSleep);
  assert.equal(d.kind, "sleeping");
  assert.match(d.reasons[0]!, /main thread of the process in a timed sleep \(hrtimer_nanosleep/);
  // A tree: every process's main thread must sleep.
  const tree = [proc(10, [thread(10, "S", "do_nanosleep")]), proc(20, [thread(20, "S", "hrtimer_nanosleep")])];
  assert.equal(classifyHang(evidence({ processes: tree })).kind, "sleeping");
  const childLocked = [proc(10, [thread(10, "S", "hrtimer_nanosleep")]), proc(20, [thread(20, "S", "futex_do_wait"), thread(21, "S", "futex_do_wait")])];
  assert.equal(classifyHang(evidence({ processes: childLocked })).kind, "deadlock");
  // The main thread blocked on a lock is still a deadlock; a busy CPU is still cpu_spin.
  assert.equal(classifyHang(evidence({ processes: [proc(10, [thread(10, "S", "futex_do_wait"), thread(11, "S", "hrtimer_nanosleep")])] })).kind, "deadlock");
  assert.equal(classifyHang({ ...torchSleep, cpu: { sampleMs: 500, deltaTicks: 50, cores: 1 } }).kind, "cpu_spin");
});

const grace = { ...policy, startupGraceMs: 10 * MIN };

test("startup grace: before the first progress the limit is the grace, then the phase limit", () => {
  const t = new ProgressTracker({ ...grace, trainingTimeoutMs: 20_000 }, 0);
  assert.deepEqual(t.limit(), { phase: "startup", limitMs: 10 * MIN, adaptive: false });
  assert.equal(t.deadlineMs(), 10 * MIN);
  // 60 s of imports, then the first step: from there the 20 s training limit.
  assert.equal(t.observe({ step: 1, phaseText: null, fresh: true }, 60_000), "advanced");
  assert.equal(t.snapshot.started, true);
  assert.deepEqual(t.limit(), { phase: "training", limitMs: 20_000, adaptive: false });
  assert.equal(t.deadlineMs(), 80_000);
  // Without a grace configured, the phase limit applies from the start (as before).
  assert.equal(new ProgressTracker(policy, 0).limit().phase, "training");
});

test("startup grace: the previous run's step is a baseline; a change from it, or a fresh sample, is the first progress", () => {
  const t = new ProgressTracker(grace, 0);
  assert.equal(t.observe({ step: 500, phaseText: null, mark: "log:100", growth: "1:100", fresh: false }, 1000), "unchanged");
  assert.equal(t.snapshot.started, false);
  assert.equal(t.snapshot.step, null, "a stale step is not reported as this run's");
  assert.equal(t.deadlineMs(), 10 * MIN);
  // The log grows (imports): the startup clock restarts, it is not progress.
  assert.equal(t.observe({ step: 500, phaseText: null, mark: "log:100", growth: "1:180", fresh: false }, 2 * MIN), "grew");
  assert.equal(t.snapshot.started, false);
  assert.equal(t.deadlineMs(), 12 * MIN);
  // The new run's first bar update (step 1, lower than the baseline) ends the grace.
  assert.equal(t.observe({ step: 1, phaseText: null, mark: "log:200", growth: "1:250", fresh: false }, 3 * MIN), "advanced");
  assert.equal(t.snapshot.started, true);
  assert.equal(t.snapshot.step, 1);
  assert.equal(t.limit().phase, "training");
  // After that, growth alone is not progress, but a new progress line without a step is.
  assert.equal(t.observe({ step: 1, phaseText: null, mark: "log:200", growth: "1:400", fresh: true }, 4 * MIN), "unchanged");
  assert.equal(t.snapshot.changedAtMs, 3 * MIN);
  assert.equal(t.observe({ step: null, phaseText: null, mark: "log:300", growth: "1:500", fresh: true }, 5 * MIN), "advanced");
  assert.equal(t.snapshot.step, 1);
  assert.equal(t.snapshot.changedAtMs, 5 * MIN);
  // A fresh status file step ends the grace at once.
  const s = new ProgressTracker(grace, 0);
  assert.equal(s.observe({ step: 0, phaseText: "training", fresh: true }, 5000), "advanced");
  assert.equal(s.snapshot.started, true);
  // A step restored from this same process's saved state means the grace is over.
  assert.equal(new ProgressTracker(grace, 0, { step: 7, phaseText: null, changedAtMs: 0 }).limit().phase, "training");
  assert.equal(new ProgressTracker(grace, 0, { step: null, phaseText: null, changedAtMs: 0 }).limit().phase, "startup");
});
