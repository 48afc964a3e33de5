import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSettings, type Settings } from "../agent/config/settings.js";
import { requiredDirs } from "../agent/config/layout.js";
import { runChecks, runCheck, selectChecks, type CheckReport } from "../agent/checks/runner.js";
import { CHECK_CATALOG } from "../agent/checks/catalog.js";
import { CHECKS } from "../agent/checks/registry.js";
import { stateSchema, statusSchema } from "../agent/checks/progress.js";
import { UNUSUAL } from "../agent/lib/schema.js";
import fc from "fast-check";
import { evaluateGpus } from "../agent/checks/gpu.js";
import type { Check } from "../agent/checks/types.js";
import { daemonLookup, unnamedTrainers } from "../agent/checks/daemon.js";
import { lockConfig } from "../agent/guard/config.js";
import { isRunning, readIdentity } from "../agent/lib/proc.js";
import { recordIdentity } from "../agent/lib/daemon.js";
import type { GpuSample } from "../agent/telemetry/gpu.js";
import { appendCrashHistory } from "../agent/crash/history.js";
import { writeCheckpoint, writeTrainingDir } from "./helpers/checkpoints.js";
import { fakeSpec, withFake } from "./helpers/fake-gpu.js";


function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-checks-"));
  t.after(() => {
    // Permission tests may leave read-only folders behind; make them removable first.
    fs.chmodSync(dir, 0o755);
    for (const d of ["logs", "status", "current_model"]) if (fs.existsSync(path.join(dir, d))) fs.chmodSync(path.join(dir, d), 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** A complete, healthy training directory: config, scripts, folders, a fresh checkpoint, status, lock. */
async function healthyDir(t: { after(fn: () => void): void }): Promise<string> {
  const base = tmp(t);
  writeTrainingDir(base, { checkpoints: [{ step: 500 }], status: { current_step: 510, total_steps: 6000, updated_at: new Date().toISOString() } });
  for (const d of ["logs", "status", "queue", "inbox", "core"]) fs.mkdirSync(path.join(base, d), { recursive: true });
  fs.writeFileSync(path.join(base, "core", "train.py"), "print('train')\n");
  fs.writeFileSync(path.join(base, "core", "training_daemon.py"), "print('daemon')\n");
  await lockConfig(settingsFor(base).layout);
  return base;
}

function settingsFor(base: string, checks: Record<string, unknown> = {}, watchdog: Record<string, unknown> = {}): Settings {
  return resolveSettings({ checks: { nvidiaSmi: path.join(base, "no-nvidia-smi"), kernelLog: path.join(base, "no-kmsg"), ...checks }, watchdog }, { baseDir: base });
}

async function one(settings: Settings, id: string, opts: { fix?: boolean; now?: () => number } = {}): Promise<CheckReport["checks"][number] & { report: CheckReport }> {
  const report = await runChecks(settings, { only: [id], ...opts });
  assert.equal(report.checks.length, 1);
  return { ...report.checks[0]!, report };
}

const children: ChildProcess[] = [];
process.on("exit", () => {
  for (const c of children) c.kill("SIGKILL");
});

/** A real long-running process with the given extra argv (appears in /proc/PID/cmdline). */
async function startProcess(t: { after(fn: () => void): void }, ...argv: string[]): Promise<number> {
  return startProcessIn(t, undefined, ...argv);
}

/** startProcess with a working directory: a trainer is only this folder's daemon when it runs in it. */
async function startProcessIn(t: { after(fn: () => void): void }, cwd: string | undefined, ...argv: string[]): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)", ...argv], { stdio: "ignore", ...(cwd ? { cwd } : {}) });
  children.push(child);
  t.after(() => {
    child.kill("SIGKILL");
  });
  const pid = child.pid!;
  // Wait until exec has happened so that /proc shows the final command line.
  for (let i = 0; i < 200; i++) {
    const id = await readIdentity(pid);
    if (id && id.cmdline.includes("setInterval")) return pid;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("child did not start");
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  await new Promise((r) => child.on("exit", r));
  assert.equal(await isRunning(child.pid!), false);
  return child.pid!;
}

// ---------- registry and runner ----------

test("registry: at least 12 checks with unique ids; unknown ids are a usage error", () => {
  const ids = CHECKS.map((c) => c.id);
  assert.ok(ids.length >= 12, `${ids.length} checks`);
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual(selectChecks(CHECKS, ["disk", "memory"]).map((c) => c.id), ["disk", "memory"]);
  assert.ok(!selectChecks(CHECKS, undefined, ["gpu"]).some((c) => c.id === "gpu"));
  assert.throws(() => selectChecks(CHECKS, ["nope"]), /unknown check "nope".*known: daemon/);
  // The CLI lists, picks and reports checks by the catalog: it names every check, in order, by its title.
  assert.deepEqual(CHECK_CATALOG, CHECKS.map((c) => ({ id: c.id, title: c.title })));
});

test("runner: checks run concurrently, a hung one times out, a throwing one fails, the rest report", async (t) => {
  const base = tmp(t);
  const sleeper = (id: string, ms: number): Check => ({
    id,
    title: id,
    run: () => new Promise((r) => setTimeout(() => r({ status: "pass", message: `slept ${ms}` }), ms)),
  });
  let sawAbort = false;
  const hung: Check = {
    id: "hung",
    title: "hung",
    run: ({ signal }) =>
      new Promise(() => {
        signal.addEventListener("abort", () => {
          sawAbort = true;
        });
      }),
  };
  const thrower: Check = { id: "boom", title: "boom", run: async () => { throw new Error("kaput"); } };
  const settings = settingsFor(base, { checkTimeout: "600ms" });
  const started = Date.now();
  const report = await runChecks(settings, { checks: [sleeper("a", 300), sleeper("b", 300), sleeper("c", 300), hung, thrower] });
  const took = Date.now() - started;
  assert.ok(took < 1500, `took ${took}ms`);
  const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(by.a!.status, "pass");
  assert.ok(by.a!.durationMs >= 290 && by.a!.durationMs < 600);
  assert.equal(by.hung!.status, "fail");
  assert.equal(by.hung!.message, "timed out after 0.6s");
  assert.ok(sawAbort, "the hung check's signal was aborted");
  assert.equal(by.boom!.status, "fail");
  assert.match(by.boom!.message, /check crashed: kaput/);
  assert.deepEqual(report.summary, { pass: 3, warn: 0, fail: 2, skip: 0 });
  assert.equal(report.ok, false);
});

test("runner: an outer abort stops waiting for checks", async (t) => {
  const base = tmp(t);
  const ac = new AbortController();
  const hung: Check = { id: "hung", title: "hung", run: () => new Promise(() => {}) };
  setTimeout(() => ac.abort(), 50);
  const r = await runCheck(hung, settingsFor(base), { timeoutMs: 10_000, signal: ac.signal });
  assert.equal(r.result.status, "skip");
  assert.equal(r.result.message, "cancelled");
});

test("a healthy training directory passes every local check", async (t) => {
  const base = await healthyDir(t);
  const pid = await startProcessIn(t, base, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}\n`);
  const report = await runChecks(settingsFor(base, { minDiskFree: "1MB", minMemoryAvailable: "1MB" }));
  const bad = report.checks.filter((c) => c.status === "fail" || c.status === "warn");
  assert.deepEqual(bad.map((c) => `${c.id}: ${c.message}`), []);
  const by = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
  assert.equal(by.gpu, "skip", "no nvidia-smi: skipped");
  assert.equal(by.xid, "skip", "kernel log path missing: skipped");
  assert.equal(by.daemon, "pass");
  assert.equal(by.checkpoint, "pass");
  assert.equal(report.ok, true);
});

// ---------- 1. daemon ----------

test("daemon: live daemon passes; a live unrelated process fails with no fix and survives --fix", async (t) => {
  const base = await healthyDir(t);
  const daemon = await startProcessIn(t, base, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${daemon}`);
  const ok = await one(settingsFor(base), "daemon");
  assert.equal(ok.status, "pass");
  assert.equal(ok.details!.pid, daemon);

  const other = await startProcess(t, "some-other-program");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${other}`);
  const r = await one(settingsFor(base), "daemon", { fix: true });
  assert.equal(r.status, "fail");
  assert.match(r.message, /does not match the daemon pattern/);
  assert.match(r.message, /foreign process/);
  assert.equal(r.fix, undefined);
  assert.deepEqual(r.report.fixes, []);
  assert.ok(fs.existsSync(path.join(base, ".daemon.pid")), "PID file of a live unrelated process kept");
  assert.ok(await isRunning(other), "the unrelated process was not touched");
});

test("daemon: a trainer of another BASE_DIR named by the PID file is reported as foreign and never touched", async (t) => {
  const base = await healthyDir(t);
  const otherBase = await healthyDir(t);
  const theirs = await startProcessIn(t, otherBase, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${theirs}`);
  const r = await one(settingsFor(base), "daemon", { fix: true });
  assert.equal(r.status, "fail");
  assert.match(r.message, /foreign process/);
  assert.match(r.message, new RegExp(`runs in ${otherBase}`));
  assert.equal(r.details!.foreign, true);
  assert.deepEqual(r.report.fixes, []);
  assert.ok(await isRunning(theirs), "the other job's trainer was not touched");
});

test("daemon: a recycled PID (recorded identity differs) fails without a fix", async (t) => {
  const base = await healthyDir(t);
  const pid = await startProcessIn(t, base, "core/training_daemon.py");
  const id = (await readIdentity(pid))!;
  await recordIdentity(settingsFor(base).layout, { ...id, startTicks: id.startTicks - 1 });
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}`);
  const r = await one(settingsFor(base), "daemon", { fix: true });
  assert.equal(r.status, "fail");
  assert.match(r.message, /recycled/);
  assert.deepEqual(r.report.fixes, []);
  assert.ok(fs.existsSync(path.join(base, ".daemon.pid")));
});

test("daemon: stale PID file fails, --fix removes it and the re-run reports the new state", async (t) => {
  const base = await healthyDir(t);
  const pid = await deadPid();
  const pidFile = path.join(base, ".daemon.pid");
  fs.writeFileSync(pidFile, `${pid}\n`);
  const before = await one(settingsFor(base), "daemon");
  assert.equal(before.status, "fail");
  assert.match(before.message, /stale PID file/);
  assert.match(before.fix!, /remove stale PID file \.daemon\.pid/);
  assert.ok(fs.existsSync(pidFile), "no repair without --fix");

  const after = await one(settingsFor(base), "daemon", { fix: true });
  assert.equal(fs.existsSync(pidFile), false);
  assert.equal(after.report.fixes.length, 1);
  const fx = after.report.fixes[0]!;
  assert.equal(fx.applied, true);
  assert.match(fx.message, /removed .*\.daemon\.pid/);
  assert.equal(fx.statusBefore, "fail");
  assert.equal(fx.statusAfter, "warn", "no stale file any more: a job that is not running, said so");
  assert.match(after.message, /job not running: no daemon was started in this folder \(no PID file at .*\) and no trainsafe supervisor watches it/);
});

test("daemon: a missing PID file warns saying the job is not running; a garbage one fails with a clear message", async (t) => {
  const base = await healthyDir(t);
  const missing = await one(settingsFor(base), "daemon");
  assert.equal(missing.status, "warn");
  assert.match(missing.message, /job not running: .*no PID file.*Expected before the first start: `trainsafe agent` or `trainsafe watchdog` starts it \(python3 core\/training_daemon\.py\)\. If training should be running here, it is not/);
  fs.writeFileSync(path.join(base, ".daemon.pid"), "not a pid\n");
  const r = await one(settingsFor(base), "daemon", { fix: true });
  assert.equal(r.status, "fail");
  assert.match(r.message, /not a valid PID/);
  assert.ok(fs.existsSync(path.join(base, ".daemon.pid")), "a garbage PID file is not ours to remove");
});

// ---------- 2. progress ----------

test("progress: first observation, advancing, stuck past the limit, going back", async (t) => {
  const base = await healthyDir(t);
  const statusFile = path.join(base, "status", "training_status.json");
  const t0 = Date.now();
  const write = (step: number, at: number, extra: Record<string, unknown> = {}) =>
    fs.writeFileSync(statusFile, JSON.stringify({ current_step: step, total_steps: 6000, updated_at: new Date(at).toISOString(), ...extra }));
  const s = settingsFor(base, { statusStaleAfter: "15m" });

  write(100, t0);
  let r = await one(s, "progress", { now: () => t0 });
  assert.equal(r.status, "pass");
  assert.match(r.message, /step 100\/6000.*first observation/);
  assert.ok(fs.existsSync(path.join(base, ".trainsafe", "check_state.json")));

  write(160, t0 + 60_000);
  r = await one(s, "progress", { now: () => t0 + 60_000 });
  assert.equal(r.status, "pass");
  assert.match(r.message, /step 160\/6000 \(\+60 since 1m ago\)/);

  // Status rewritten (fresh) but the step stays put: fine for a while, a failure past the limit.
  write(160, t0 + 10 * 60_000);
  r = await one(s, "progress", { now: () => t0 + 10 * 60_000 });
  assert.equal(r.status, "pass");
  assert.match(r.message, /unchanged for 9m/);
  write(160, t0 + 17 * 60_000);
  // With no daemon running this is not a hang: the daemon check reports the job is down.
  r = await one(s, "progress", { now: () => t0 + 17 * 60_000 });
  assert.equal(r.status, "warn");
  assert.match(r.message, /step 160\/6000 has not advanced for 16m \(limit 15m in training phase\), but the job is not running \(see the daemon check\): no progress is expected/);
  // With the daemon running it is.
  const daemon = await startProcessIn(t, base, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${daemon}`);
  r = await one(s, "progress", { now: () => t0 + 17 * 60_000 });
  assert.equal(r.status, "fail");
  assert.match(r.message, /^step 160\/6000 has not advanced for 16m \(limit 15m in training phase\)$/);

  write(120, t0 + 18 * 60_000);
  r = await one(s, "progress", { now: () => t0 + 18 * 60_000 });
  assert.equal(r.status, "warn");
  assert.match(r.message, /step went back from 160 to 120/);
});

test("progress: eval phase gets the eval limit; finished training passes; stale status warns", async (t) => {
  const base = await healthyDir(t);
  const statusFile = path.join(base, "status", "training_status.json");
  const t0 = Date.now();
  const s = settingsFor(base, { statusStaleAfter: "15m" }, { evalTimeout: "30m" });
  fs.writeFileSync(statusFile, JSON.stringify({ current_step: 500, phase: "evaluating", updated_at: t0 / 1000 }));
  await one(s, "progress", { now: () => t0 });
  fs.writeFileSync(statusFile, JSON.stringify({ current_step: 500, phase: "evaluating", updated_at: (t0 + 20 * 60_000) / 1000 }));
  const r = await one(s, "progress", { now: () => t0 + 20 * 60_000 });
  assert.equal(r.status, "pass", r.message);

  fs.writeFileSync(statusFile, JSON.stringify({ current_step: 6000, total_steps: 6000, status: "completed", updated_at: t0 - 86_400_000 }));
  const done = await one(s, "progress", { now: () => t0 });
  assert.equal(done.status, "pass");
  assert.match(done.message, /training finished at step 6000\/6000/);

  fs.writeFileSync(statusFile, JSON.stringify({ current_step: 42, updated_at: new Date(t0 - 40 * 60_000).toISOString() }));
  const stale = await one(s, "progress", { now: () => t0 });
  assert.equal(stale.status, "warn");
  assert.match(stale.message, /status\/training_status\.json not updated for 40m/);
});

test("progress: the status and state files are checked by hand as zod checks them (zod only for the unusual)", () => {
  const value = fc.oneof(
    fc.constantFrom(0, 1, 42, 1532, -1, 0.5, 2 ** 53, 2 ** 53 - 1, 1e21, 1764280500, 1764280500123),
    fc.integer({ min: -5, max: 1e6 }),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.constantFrom("", "training", "eval", "completed", "2026-11-27T22:15:00Z", "junk"),
    fc.string({ maxLength: 6 }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 2 }),
  );
  const objectOf = (keys: string[]) =>
    fc
      .tuple(fc.array(fc.tuple(fc.constantFrom(...keys), value), { maxLength: keys.length }), fc.option(fc.tuple(fc.constantFrom("phase", "loss", "_x"), value), { freq: 3 }))
      .map(([kv, extra]): Record<string, unknown> => Object.fromEntries([...kv, ...(extra ? [extra] : [])]));
  const extra = fc.option(fc.tuple(fc.constantFrom("phase", "loss", "_x"), value), { freq: 3 });
  const withExtra = (o: fc.Arbitrary<Record<string, unknown>>) => fc.tuple(o, extra).map(([v, e]) => (e ? { ...v, [e[0]]: e[1] } : v));
  const orNull = <T,>(a: fc.Arbitrary<T>) => fc.oneof(a, fc.constant(null));
  const wellFormedStatus = fc.record(
    { current_step: fc.nat(), total_steps: orNull(fc.nat()), updated_at: orNull(fc.oneof(fc.string({ maxLength: 6 }), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))), status: orNull(fc.string({ maxLength: 6 })) },
    { requiredKeys: ["current_step"] },
  );
  const wellFormedProgress = fc.record({ file: fc.string({ maxLength: 6 }), step: fc.integer(), sinceMs: fc.double({ noNaN: true, noDefaultInfinity: true }), seenAtMs: fc.nat(), mark: orNull(fc.string({ maxLength: 4 })) }, { requiredKeys: ["file", "step", "sinceMs", "seenAtMs"] });
  const status = fc.oneof(withExtra(wellFormedStatus), objectOf(["current_step", "total_steps", "updated_at", "status"]), value);
  const progress = fc.oneof(withExtra(wellFormedProgress), objectOf(["file", "step", "sinceMs", "seenAtMs", "mark"]));
  const state = fc.oneof(fc.record({ progress }, { requiredKeys: [] }), fc.tuple(progress, value).map(([p, v]) => ({ progress: p, other: v })), value);
  for (const [name, schema, arb] of [["status", statusSchema, status], ["state", stateSchema, state]] as const) {
    let vouched = 0;
    let refused = 0;
    fc.assert(
      fc.property(arb, (raw) => {
        const mine = (schema.fast as (r: unknown) => unknown)(raw);
        const ref = schema.schema().safeParse(raw);
        if (mine === UNUSUAL) return void (ref.success || refused++);
        vouched++;
        assert.ok(ref.success, `${name}: vouched for ${JSON.stringify(raw)}, which zod refuses`);
        assert.deepStrictEqual(mine, ref.data);
        assert.equal(JSON.stringify(mine), JSON.stringify(ref.data), `${name}: key order`);
      }),
      { numRuns: 800 },
    );
    // Both sides are exercised: files the check vouches for, and files zod refuses.
    assert.ok(vouched > 50 && refused > 50, `${name}: ${vouched} vouched, ${refused} refused`);
  }
});

test("progress: half-written, junk and impossible status files warn and name the file", async (t) => {
  const base = await healthyDir(t);
  const statusFile = path.join(base, "status", "training_status.json");
  const s = settingsFor(base);
  fs.writeFileSync(statusFile, '{"current_step": 12, "total_ste');
  let r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.ok(r.message.includes(statusFile), r.message);
  assert.match(r.message, /invalid JSON/);

  fs.writeFileSync(statusFile, Buffer.from([0, 1, 2, 255, 254]));
  r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.ok(r.message.includes(statusFile));

  fs.writeFileSync(statusFile, JSON.stringify({ current_step: "twelve" }));
  r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.match(r.message, /current_step/);

  fs.writeFileSync(statusFile, JSON.stringify({ current_step: 7000, total_steps: 6000, updated_at: new Date().toISOString() }));
  r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.match(r.message, /current_step 7000 is beyond total_steps 6000/);

  fs.rmSync(statusFile);
  fs.mkdirSync(statusFile);
  r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.match(r.message, /is not a regular file/);
  fs.rmdirSync(statusFile);
  // Without a status file, the newest checkpoint's trainer_state.json is the progress source (as for the watchdog).
  r = await one(s, "progress");
  assert.equal(r.details!.source, "trainer_state", r.message);
  assert.match(r.message, /step 500 from current_model\/checkpoint-500\/trainer_state\.json/);
  fs.rmSync(path.join(base, "current_model"), { recursive: true });
  r = await one(s, "progress");
  assert.equal(r.status, "warn");
  assert.match(r.message, /no status file/);
});

// ---------- 3, 4. disk and memory ----------

test("disk: fail under the minimum, warn under twice it, pass above", async (t) => {
  const base = await healthyDir(t);
  const st = fs.statfsSync(base);
  const free = st.bavail * st.bsize;
  assert.equal((await one(settingsFor(base, { minDiskFree: free * 2 }), "disk")).status, "fail");
  assert.equal((await one(settingsFor(base, { minDiskFree: Math.floor(free / 1.5) }), "disk")).status, "warn");
  const ok = await one(settingsFor(base, { minDiskFree: Math.floor(free / 4) }), "disk");
  assert.equal(ok.status, "pass");
  assert.ok(Math.abs((ok.details!.freeBytes as number) - free) < free * 0.05);
  const gone = await one(settingsFor(path.join(base, "missing")), "disk");
  assert.equal(gone.status, "fail");
  assert.match(gone.message, /cannot read free space/);
});

test("memory: MemAvailable against the minimum", async (t) => {
  const base = tmp(t);
  const avail = Number(/MemAvailable:\s+(\d+)/.exec(fs.readFileSync("/proc/meminfo", "utf8"))![1]) * 1024;
  const fail = await one(settingsFor(base, { minMemoryAvailable: avail * 4 }), "memory");
  assert.equal(fail.status, "fail");
  assert.match(fail.message, /need/);
  assert.equal((await one(settingsFor(base, { minMemoryAvailable: Math.floor(avail / 1.5) }), "memory")).status, "warn");
  assert.equal((await one(settingsFor(base, { minMemoryAvailable: Math.floor(avail / 4) }), "memory")).status, "pass");
});

// ---------- 5. GPUs ----------

const GPU: GpuSample = {
  index: 0,
  name: "NVIDIA H200",
  uuid: "GPU-0",
  temperatureC: 40,
  utilizationPct: 97,
  memoryUsedMiB: 100_000,
  memoryTotalMiB: 143_771,
  powerW: 650,
  eccUncorrected: 0,
  retiredPagesPending: null,
  remappedPending: false,
  remappedFailure: false,
  remappedUncorrectable: 0,
  throttleReasons: ["sw_power_cap"],
  throttleMask: 4,
  migMode: "Disabled",
};
const policy = { expectGpus: false, expectedGpuCount: undefined, maxGpuTemperatureC: 85 };
const avail = (gpus: GpuSample[]) => ({ available: true as const, gpus, fields: [], unsupportedFields: [], problems: [] });

test("GPU evaluation: count, temperature, ECC, remapping and throttle reasons", () => {
  assert.equal(evaluateGpus(avail([GPU, { ...GPU, index: 1 }]), policy).status, "pass");
  assert.equal(evaluateGpus(avail([GPU]), { ...policy, expectedGpuCount: 8 }).status, "fail");
  assert.match(evaluateGpus(avail([GPU]), { ...policy, expectedGpuCount: 8 }).message, /1 of 8 expected GPUs/);
  assert.equal(evaluateGpus(avail([{ ...GPU, temperatureC: 81 }]), policy).status, "warn");
  assert.equal(evaluateGpus(avail([{ ...GPU, temperatureC: 86 }]), policy).status, "fail");
  assert.equal(evaluateGpus(avail([{ ...GPU, temperatureC: null, powerW: null }]), policy).status, "pass");
  assert.match(evaluateGpus(avail([GPU, { ...GPU, index: 1, memoryUsedMiB: null }]), policy).message, /memory \?\/280\.8 GiB used/);
  assert.match(evaluateGpus(avail([{ ...GPU, eccUncorrected: 3 }]), policy).message, /3 uncorrectable ECC errors/);
  assert.equal(evaluateGpus(avail([{ ...GPU, remappedFailure: true }]), policy).status, "fail");
  assert.equal(evaluateGpus(avail([{ ...GPU, remappedPending: true }]), policy).status, "warn");
  assert.equal(evaluateGpus(avail([{ ...GPU, throttleReasons: ["gpu_idle", "applications_clocks_setting"] }]), policy).status, "pass");
  assert.equal(evaluateGpus(avail([{ ...GPU, throttleReasons: ["sw_thermal_slowdown"] }]), policy).status, "warn");
  const hw = evaluateGpus(avail([GPU, { ...GPU, index: 3, throttleReasons: ["hw_slowdown", "hw_power_brake_slowdown"] }]), policy);
  assert.equal(hw.status, "fail");
  assert.match(hw.message, /GPU 3 clocks throttled: hw_slowdown, hw_power_brake_slowdown/);
  assert.equal(evaluateGpus(avail([]), policy).status, "fail");
  assert.equal(evaluateGpus({ available: false, cause: "not_found", reason: "nvidia-smi: not found on PATH" }, policy).status, "skip");
  assert.equal(evaluateGpus({ available: false, cause: "not_found", reason: "x" }, { ...policy, expectGpus: true }).status, "fail");
  assert.equal(evaluateGpus({ available: false, cause: "failed", reason: "x" }, policy).status, "fail");
  // PCI cross-check: a GPU the driver lost still sits on the bus.
  const bus = (n: number) => ({ available: true as const, gpus: Array.from({ length: n }, (_, i) => ({ address: `${i}:00.0`, classCode: "0302", deviceId: "2335" })) });
  const lost = evaluateGpus(avail([GPU, { ...GPU, index: 1 }]), policy, bus(3));
  assert.equal(lost.status, "fail");
  assert.match(lost.message, /3 NVIDIA GPUs on the PCI bus but nvidia-smi lists 2/);
  assert.equal(evaluateGpus(avail([GPU]), policy, bus(1)).status, "pass");
  assert.equal(evaluateGpus(avail([GPU]), policy, { available: false, cause: "not_found", reason: "lspci: not found on PATH" }).status, "pass");
  const noSmi = evaluateGpus({ available: false, cause: "not_found", reason: "nvidia-smi: not found on PATH" }, policy, bus(8));
  assert.equal(noSmi.status, "fail");
  assert.match(noSmi.message, /8 NVIDIA GPUs on the PCI bus but nvidia-smi: not found/);
});

test("gpu check through the fake nvidia-smi: hot GPU and missing GPU fail; driver failure fails", async (t) => {
  const base = tmp(t);
  const row = { index: 0, name: "NVIDIA H200", uuid: "GPU-0", "temperature.gpu": 91, "memory.used": 1000, "memory.total": 143771, "clocks_throttle_reasons.active": "0x0000000000000040" };
  const s = resolveSettings({ checks: { expectedGpuCount: 2 } }, { baseDir: base });
  const r = await withFake(fakeSpec(base, { gpus: [row] }), () => one(s, "gpu"));
  assert.equal(r.status, "fail");
  assert.match(r.message, /1 of 2 expected GPUs visible; GPU 0 at 91°C \(limit 85°C\); GPU 0 clocks throttled: hw_thermal_slowdown/);
  // nvidia-smi lists 2 GPUs, lspci (fake) shows 3 on the bus: one was lost by the driver.
  const lspci = path.join(base, "lspci.txt");
  fs.writeFileSync(lspci, "18:00.0 0302: 10de:2335 (rev a1)\n2a:00.0 0302: 10de:2335 (rev a1)\n3a:00.0 0302: 10de:2335 (rev a1)\n05:00.0 0680: 10de:22a3 (rev a1)\n");
  process.env.FAKE_LSPCI = lspci;
  try {
    const cool = { ...row, "temperature.gpu": 40, "clocks_throttle_reasons.active": "0x1" };
    const lost = await withFake(fakeSpec(base, { gpus: [cool, { ...cool, index: 1, uuid: "GPU-1" }] }), () => one(s, "gpu"));
    assert.equal(lost.status, "fail");
    assert.match(lost.message, /^3 NVIDIA GPUs on the PCI bus but nvidia-smi lists 2/);
  } finally {
    delete process.env.FAKE_LSPCI;
  }
  const down = await withFake(fakeSpec(base, { mode: "fail" }), () => one(s, "gpu"));
  assert.equal(down.status, "fail");
  assert.match(down.message, /couldn't communicate with the NVIDIA driver/);
});

test("gpu check: a hung nvidia-smi fails with 'timed out' within the check timeout and is killed", async (t) => {
  const base = tmp(t);
  const pidFile = path.join(base, "fake.pids");
  const s = resolveSettings({ checks: { checkTimeout: "800ms" } }, { baseDir: base });
  // runChecks runs the checks in a worker thread here (as the agent does); under tsx on a loaded
  // machine that worker's start-up alone can take seconds, so the wall bound is counted past the
  // same call's cost for a check that returns at once (measured just before, same load).
  const warmStarted = Date.now();
  await one(s, "dirs");
  const workerMs = Date.now() - warmStarted;
  const started = Date.now();
  const r = await withFake(fakeSpec(base, { mode: "hang", hangChild: true, pidFile }), () => one(s, "gpu"));
  const took = Date.now() - started;
  assert.equal(r.status, "fail");
  assert.match(r.message, /timed out after 0\.8s|did not answer within 0\.8s/);
  assert.ok(r.durationMs < 1500, `the check took ${r.durationMs}ms in the runner`);
  assert.ok(took - workerMs < 2500, `took ${took}ms (${workerMs}ms for a check that returns at once)`);
  const pids = fs.readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.equal(pids.length, 2);
  const until = Date.now() + 2000;
  while ((await Promise.all(pids.map(isRunning))).some(Boolean) && Date.now() < until) await new Promise((res) => setTimeout(res, 20));
  assert.deepEqual(await Promise.all(pids.map(isRunning)), [false, false], "fake nvidia-smi and its child are gone");
});

test("gpu check: skip without nvidia-smi, fail when GPUs are expected", async (t) => {
  const base = tmp(t);
  assert.equal((await one(settingsFor(base), "gpu")).status, "skip");
  const r = await one(settingsFor(base, { expectGpus: true }), "gpu");
  assert.equal(r.status, "fail");
  assert.match(r.message, /not found/);
});

// ---------- 7. permissions ----------

test("permissions: a read-only logs folder is reported and --fix restores u+w on folders only", async (t) => {
  const base = await healthyDir(t);
  const logs = path.join(base, "logs");
  const statusFile = path.join(base, "status", "training_status.json");
  fs.chmodSync(logs, 0o555);
  fs.chmodSync(statusFile, 0o444);
  const root = process.getuid!() === 0;
  const r = await one(settingsFor(base), "permissions");
  // Root passes access() whatever the mode: the missing owner bit is then a warning, else a failure.
  assert.equal(r.status, root ? "warn" : "fail");
  assert.match(r.message, /logs: /);
  assert.match(r.message, /status\/training_status\.json: /);
  assert.match(r.fix!, /chmod u\+w logs$/);
  const fixed = await one(settingsFor(base), "permissions", { fix: true });
  assert.equal(fixed.report.fixes[0]!.applied, true);
  assert.equal(fs.statSync(logs).mode & 0o777, 0o755);
  assert.equal(fs.statSync(statusFile).mode & 0o777, 0o444, "files are never chmod-ed");
  fs.chmodSync(statusFile, 0o644);
  assert.equal((await one(settingsFor(base), "permissions")).status, "pass");
});

// ---------- 8, 9. folders and files ----------

test("dirs: missing folders fail; --fix creates them; a file in a folder's place is not 'fixed'", async (t) => {
  const base = await healthyDir(t);
  fs.rmSync(path.join(base, "queue"), { recursive: true });
  fs.rmSync(path.join(base, "inbox"), { recursive: true });
  const r = await one(settingsFor(base), "dirs");
  assert.equal(r.status, "fail");
  assert.match(r.message, /missing: inbox, queue/);
  const fixed = await one(settingsFor(base), "dirs", { fix: true });
  assert.equal(fixed.status, "pass");
  assert.deepEqual(
    fixed.report.fixes.map((f) => [f.applied, f.statusBefore, f.statusAfter]),
    [[true, "fail", "pass"]],
  );
  for (const d of requiredDirs(settingsFor(base).layout)) assert.ok(fs.statSync(d).isDirectory(), d);

  fs.rmSync(path.join(base, "logs"), { recursive: true });
  fs.writeFileSync(path.join(base, "logs"), "oops");
  const wrong = await one(settingsFor(base), "dirs", { fix: true });
  assert.equal(wrong.status, "fail");
  assert.match(wrong.message, /logs is not a folder/);
  assert.deepEqual(wrong.report.fixes, []);
  assert.equal(fs.readFileSync(path.join(base, "logs"), "utf8"), "oops");
});

test("files: missing scripts or config fail, with no repair offered", async (t) => {
  const base = await healthyDir(t);
  fs.rmSync(path.join(base, "core", "train.py"));
  fs.rmSync(path.join(base, "config.json"));
  const r = await one(settingsFor(base), "files", { fix: true });
  assert.equal(r.status, "fail");
  assert.match(r.message, /config\.json is missing; core\/train\.py is missing/);
  assert.deepEqual(r.report.fixes, []);
  assert.equal(fs.existsSync(path.join(base, "config.json")), false, "never creates config");
});

// ---------- 6, 10, 11. config, checkpoints, lock ----------

test("config: valid passes, invalid fails naming the field", async (t) => {
  const base = await healthyDir(t);
  assert.equal((await one(settingsFor(base), "config")).status, "pass");
  const cfg = JSON.parse(fs.readFileSync(path.join(base, "config.json"), "utf8"));
  fs.writeFileSync(path.join(base, "config.json"), JSON.stringify({ ...cfg, learning_rate: -1 }));
  const r = await one(settingsFor(base), "config");
  assert.equal(r.status, "fail");
  assert.match(r.message, /learning_rate/);
  fs.writeFileSync(path.join(base, "config.json"), '{"base_model": ');
  const half = await one(settingsFor(base), "config");
  assert.equal(half.status, "fail");
  assert.ok(half.message.includes(path.join(base, "config.json")));
});

test("config-lock: missing lock without checkpoints is created by --fix; base_model change with checkpoints fails", async (t) => {
  const base = tmp(t);
  writeTrainingDir(base, {});
  const lockFile = path.join(base, ".config_lock.json");
  const r = await one(settingsFor(base), "config-lock");
  assert.equal(r.status, "warn");
  assert.match(r.fix!, /create \.config_lock\.json/);
  const fixed = await one(settingsFor(base), "config-lock", { fix: true });
  assert.equal(fixed.status, "pass");
  assert.ok(fs.existsSync(lockFile));
  assert.equal(fixed.report.fixes[0]!.statusAfter, "pass");

  writeCheckpoint(path.join(base, "current_model"), { step: 500 });
  const cfg = JSON.parse(fs.readFileSync(path.join(base, "config.json"), "utf8"));
  fs.writeFileSync(path.join(base, "config.json"), JSON.stringify({ ...cfg, base_model: "mistralai/Mistral-7B-v0.3" }));
  const changed = await one(settingsFor(base), "config-lock");
  assert.equal(changed.status, "fail");
  assert.match(changed.message, /base_model changed while checkpoints exist/);

  fs.rmSync(lockFile);
  const noLock = await one(settingsFor(base), "config-lock", { fix: true });
  assert.equal(noLock.status, "warn");
  assert.match(noLock.message, /1 checkpoint\(s\) exist/);
  assert.deepEqual(noLock.report.fixes, [], "no lock is created once checkpoints exist");
  assert.equal(fs.existsSync(lockFile), false);
});

test("checkpoint: none is skip, fresh complete passes, old warns, newer incomplete fails resume", async (t) => {
  const base = tmp(t);
  writeTrainingDir(base, { status: { current_step: 510 } });
  assert.equal((await one(settingsFor(base), "checkpoint")).status, "skip");
  const model = path.join(base, "current_model");
  const dir = writeCheckpoint(model, { step: 500 });
  const r = await one(settingsFor(base), "checkpoint");
  assert.equal(r.status, "pass");
  assert.match(r.message, /resumes from checkpoint-500/);
  const old = await one(settingsFor(base, { maxCheckpointAge: "1h" }), "checkpoint", { now: () => fs.statSync(dir).mtimeMs + 2 * 3_600_000 });
  assert.equal(old.status, "warn");
  assert.match(old.message, /checkpoint-500 is 2h00m old \(limit 1h00m\)/);
  writeCheckpoint(model, { step: 1000, truncate: { "model.safetensors": 100 } });
  const bad = await one(settingsFor(base), "checkpoint");
  assert.equal(bad.status, "fail");
  assert.match(bad.message, /checkpoint-1000 is incomplete/);
});

// ---------- extras: Xid, zombies, log size ----------

test("xid: recent hardware Xid fails, application Xid warns, old ones pass, unreadable log skips", async (t) => {
  const base = tmp(t);
  const uptimeUs = Math.floor(Number(fs.readFileSync("/proc/uptime", "utf8").split(" ")[0]) * 1e6);
  const kmsg = path.join(base, "kmsg");
  const rec = (seq: number, tsUs: number, text: string) => `3,${seq},${tsUs},-;${text}\n`;
  fs.writeFileSync(
    kmsg,
    rec(1, 0, "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, name=python, GPU has fallen off the bus.") +
      rec(2, uptimeUs - 1_000_000, "NVRM: Xid (PCI:0000:86:00): 13, pid=4242, name=python, Graphics SM Warp Exception on (GPC 0, TPC 1, SM 0)") +
      rec(3, uptimeUs - 500_000, "usb 1-1: new device") +
      " SUBSYSTEM=usb\n",
  );
  const app = await one(settingsFor(base, { kernelLog: kmsg, recentCrashWindow: "10m" }), "xid");
  assert.equal(app.status, "warn", app.message);
  assert.match(app.message, /1 Xid error in the last 10m; latest: Xid 13 on PCI:0000:86:00/);
  fs.appendFileSync(kmsg, rec(4, uptimeUs - 200_000, "NVRM: Xid (PCI:0000:3b:00): 48, pid=1234, name=python, An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at partition 6, subpartition 0."));
  const hw = await one(settingsFor(base, { kernelLog: kmsg, recentCrashWindow: "10m" }), "xid");
  assert.equal(hw.status, "fail");
  assert.match(hw.message, /latest hardware: Xid 48 .*double-bit ECC error/);
  const quiet = await one(settingsFor(base, { kernelLog: kmsg, recentCrashWindow: "100ms" }), "xid");
  assert.equal(quiet.status, "pass");
  assert.match(quiet.message, /\(3 older\)/);
  assert.equal((await one(settingsFor(base), "xid")).status, "skip");

  // A long log (more reads than one batch) is read to its end: the Xid after 20 MB of records is found.
  const filler = rec(5, uptimeUs - 100_000, `eth0: link flapping ${"x".repeat(100)}`);
  fs.appendFileSync(kmsg, filler.repeat(Math.ceil((20 * 1024 * 1024) / filler.length)) + rec(6, uptimeUs - 50_000, "NVRM: Xid (PCI:0000:86:00): 79, pid=1, name=python, GPU has fallen off the bus."));
  const late = await one(settingsFor(base, { kernelLog: kmsg, recentCrashWindow: "10m" }), "xid");
  assert.equal(late.status, "fail", late.message);
  assert.match(late.message, /latest hardware: Xid 79 on PCI:0000:86:00/);
});

test("zombies: defunct children of the daemon warn", async (t) => {
  const base = await healthyDir(t);
  // sh starts a short child then execs into a sleeper that never reaps it: a real zombie.
  const child = spawn("sh", ["-c", "sleep 0 & exec sleep 31.4159"], { stdio: "ignore", cwd: base });
  children.push(child);
  t.after(() => {
    child.kill("SIGKILL");
  });
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${child.pid}`);
  const s = settingsFor(base, {}, { daemonPattern: "sleep 31\\.4159" });
  let r = await one(s, "zombies");
  for (let i = 0; i < 100 && r.status !== "warn"; i++) {
    await new Promise((res) => setTimeout(res, 20));
    r = await one(s, "zombies");
  }
  assert.equal(r.status, "warn", r.message);
  assert.match(r.message, /1 defunct process under daemon PID \d+ \(\d+ sleep\)/);
  fs.rmSync(path.join(base, ".daemon.pid"));
  assert.equal((await one(s, "zombies")).status, "skip");
});

test("log-size: logs folder over the limit warns naming the largest file", async (t) => {
  const base = await healthyDir(t);
  fs.writeFileSync(path.join(base, "logs", "train.log"), Buffer.alloc(300_000));
  fs.mkdirSync(path.join(base, "logs", "old"));
  fs.writeFileSync(path.join(base, "logs", "old", "a.log"), Buffer.alloc(1000));
  const r = await one(settingsFor(base, { maxLogDirSize: "100KB" }), "log-size");
  assert.equal(r.status, "warn");
  assert.match(r.message, /logs holds 301\.0 KB in 2 files, over 100\.0 KB; largest logs\/train\.log 300\.0 KB/);
  assert.equal((await one(settingsFor(base, { maxLogDirSize: "1MB" }), "log-size")).status, "pass");
});

// ---------- 12. crashes ----------

test("crashes: a fatal line in the log tail fails while the daemon is down, warns while it runs; history counts", async (t) => {
  const base = await healthyDir(t);
  const s = settingsFor(base, { recentCrashWindow: "1h" });
  assert.equal((await one(s, "crashes")).status, "pass");

  fs.writeFileSync(
    path.join(base, "logs", "train.log"),
    "step 510 loss 1.93\n" +
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.06 GiB is free.\n",
  );
  const down = await one(s, "crashes");
  assert.equal(down.status, "fail", down.message);
  assert.match(down.message, /^cuda_oom in logs\/train\.log:2: torch\.OutOfMemoryError.* — The GPU ran out of memory allocating 2\.00 GiB/);

  const pid = await startProcessIn(t, base, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}`);
  const running = await one(s, "crashes");
  assert.equal(running.status, "warn", "the daemon runs again: an earlier crash");

  fs.rmSync(path.join(base, "logs", "train.log"));
  const layout = s.layout;
  const now = Date.now();
  await appendCrashHistory(layout, { source: "watchdog", category: "nccl_timeout", signature: "sig-a", suggestion: "check the network", recordedAt: new Date(now - 10 * 60_000).toISOString() });
  await appendCrashHistory(layout, { source: "watchdog", category: "cuda_oom", signature: "sig-b", suggestion: "lower the batch size", recordedAt: new Date(now - 5 * 60_000).toISOString() });
  await appendCrashHistory(layout, { source: "watchdog", category: "cuda_oom", signature: "sig-c", recordedAt: new Date(now - 3 * 3_600_000).toISOString() });
  const hist = await one(s, "crashes", { now: () => now });
  assert.equal(hist.status, "warn");
  assert.match(hist.message, /^2 crash\(es\) in the last 1h00m \(1x nccl_timeout, 1x cuda_oom\); latest cuda_oom: lower the batch size$/);
  assert.equal((await one(settingsFor(base, { recentCrashWindow: "1m" }), "crashes", { now: () => now })).status, "pass");

  fs.writeFileSync(layout.crashHistoryFile, '{"format":"trainsafe.crash_history","version":1,"entries":[{"id":');
  const corrupt = await one(s, "crashes");
  assert.equal(corrupt.status, "warn");
  assert.ok(corrupt.message.includes(".crash_history.json"), corrupt.message);
});

test("the checks of one run share one /proc scan: the daemon check and the progress check's jobRunning ask once, and both use the answer", async (t) => {
  const base = await healthyDir(t);
  const s = settingsFor(base, { statusStaleAfter: "15m" });
  // The mechanism: one map for a run's checks, a new one for the next run.
  const seen: Array<Map<string, unknown> | undefined> = [];
  const probe = (id: string): Check => ({ id, title: id, run: async ({ shared }) => (seen.push(shared), { status: "pass", message: "ok" }) });
  await runChecks(s, { checks: [probe("a"), probe("b")] });
  await runChecks(s, { checks: [probe("a")] });
  assert.ok(seen[0] instanceof Map);
  assert.equal(seen[0], seen[1], "one map for the checks of a run");
  assert.notEqual(seen[2], seen[0], "a new map for the next run");
  // One scan per map; without a map, a scan of its own each time.
  const shared = new Map<string, unknown>();
  const first = unnamedTrainers(s, shared);
  assert.equal(unnamedTrainers(s, shared), first);
  const own = [unnamedTrainers(s), unnamedTrainers(s)];
  assert.notEqual(own[0], own[1]);
  await Promise.all([first, ...own]);

  // A stuck step, no PID file, and a trainer started by hand in the folder: the daemon check names the
  // trainer and the progress check, from the same scan, knows the job runs (a hang, not "not running").
  const t0 = Date.now() - 20 * 60_000;
  const statusFile = path.join(base, "status", "training_status.json");
  const write = (at: number) => fs.writeFileSync(statusFile, JSON.stringify({ current_step: 160, total_steps: 6000, updated_at: new Date(at).toISOString() }));
  write(t0);
  await one(s, "progress", { now: () => t0 });
  write(t0 + 17 * 60_000);
  const pid = await startProcessIn(t, base, "core/training_daemon.py");
  const report = await runChecks(s, { only: ["daemon", "progress"], now: () => t0 + 17 * 60_000 });
  const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(by.daemon!.status, "fail");
  assert.match(by.daemon!.message, new RegExp(`a trainer started by hand runs in this folder: PID ${pid}`));
  assert.equal(by.progress!.status, "fail");
  assert.match(by.progress!.message, /^step 160\/6000 has not advanced for 17m \(limit 15m in training phase\)$/);
});

test("the checks of one run look the daemon up once: the daemon, crashes and zombies checks share it, and the next run looks again", async (t) => {
  const base = await healthyDir(t);
  const s = settingsFor(base);
  const shared = new Map<string, unknown>();
  const first = daemonLookup(s, shared);
  assert.equal(daemonLookup(s, shared), first);
  assert.notEqual(daemonLookup(s), daemonLookup(s), "without a map, a lookup of its own each time");
  assert.equal((await first).state, "no_pid_file");

  const pid = await startProcessIn(t, base, "core/training_daemon.py");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}`);
  // Count the reads of the PID file (findDaemon stats it first, lib/daemon.ts readPidFile, through
  // lib/fs-mode.ts's asyncFiles: node's callback fs.stat).
  let pidFileStats = 0;
  const stat = fs.stat;
  (fs as { stat: unknown }).stat = (file: fs.PathLike, ...rest: unknown[]) => {
    if (String(file) === s.layout.pidFile) pidFileStats++;
    return (stat as (...a: unknown[]) => void)(file, ...rest);
  };
  t.after(() => {
    (fs as { stat: unknown }).stat = stat;
  });
  const report = await runChecks(s, { only: ["daemon", "crashes", "zombies"], inThread: true });
  const by = Object.fromEntries(report.checks.map((c) => [c.id, c]));
  assert.equal(by.daemon!.status, "pass", by.daemon!.message);
  assert.match(by.daemon!.message, new RegExp(`daemon PID ${pid} running`));
  assert.equal(by.zombies!.status, "pass", by.zombies!.message);
  assert.equal(by.zombies!.message, `no defunct children under daemon PID ${pid}`);
  assert.equal((by.crashes!.details as { daemonRunning: boolean }).daemonRunning, true);
  assert.equal(pidFileStats, 1, "one lookup for the run's three checks");
  await runChecks(s, { only: ["daemon", "zombies"], inThread: true });
  assert.equal(pidFileStats, 2, "the next run looks again");
});
