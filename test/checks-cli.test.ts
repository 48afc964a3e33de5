import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isRunning, readIdentity } from "../agent/lib/proc.js";
import { writeTrainingDir } from "./helpers/checkpoints.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const BIN = path.join(ROOT, "bin", "trainsafe.js");
const FAKES = path.join(ROOT, "test", "fakes");

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function cli(args: string[], opts: { env?: Record<string, string>; uid?: number; gid?: number } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, PATH: `${FAKES}:${process.env.PATH}`, ...opts.env },
      stdio: ["ignore", "pipe", "pipe"],
      ...(opts.uid !== undefined ? { uid: opts.uid, gid: opts.gid ?? opts.uid } : {}),
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (b) => (stdout += b));
    child.stderr.on("data", (b) => (stderr += b));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-cli-check-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A healthy BASE_DIR plus a settings file with thresholds this small test machine meets. */
function healthy(t: { after(fn: () => void): void }): { base: string; settings: string; fake: string } {
  const base = tmp(t);
  writeTrainingDir(base, { checkpoints: [{ step: 500 }], status: { current_step: 510, total_steps: 6000, updated_at: new Date().toISOString() } });
  for (const d of ["logs", "status", "queue", "inbox", "core"]) fs.mkdirSync(path.join(base, d), { recursive: true });
  fs.writeFileSync(path.join(base, "core", "train.py"), "print('train')\n");
  fs.writeFileSync(path.join(base, "core", "training_daemon.py"), "print('daemon')\n");
  fs.writeFileSync(path.join(base, ".config_lock.json"), JSON.stringify({ lockedAt: new Date().toISOString(), config: JSON.parse(fs.readFileSync(path.join(base, "config.json"), "utf8")) }));
  const settings = path.join(base, "trainsafe.json");
  fs.writeFileSync(settings, JSON.stringify({ checks: { minDiskFree: "1MB", minMemoryAvailable: "1MB", kernelLog: path.join(base, "no-kmsg"), expectedGpuCount: 2 } }));
  const fake = path.join(base, "fake-gpus.json");
  const gpu = (i: number) => ({
    index: i,
    name: "NVIDIA H200",
    uuid: `GPU-${i}`,
    "temperature.gpu": 40 + i,
    "utilization.gpu": 98,
    "memory.used": 120000,
    "memory.total": 143771,
    "power.draw": 640.5,
    "ecc.errors.uncorrected.volatile.total": 0,
    "retired_pages.pending": "[N/A]",
    "remapped_rows.pending": "No",
    "remapped_rows.failure": "No",
    "remapped_rows.uncorrectable": 0,
    "clocks_throttle_reasons.active": "0x0000000000000004",
    "mig.mode.current": "Disabled",
  });
  fs.writeFileSync(fake, JSON.stringify({ gpus: [gpu(0), gpu(1)] }));
  return { base, settings, fake };
}

const children: ChildProcess[] = [];
process.on("exit", () => children.forEach((c) => c.kill("SIGKILL")));

/** A long-running process whose command line holds `arg`, running in `cwd` (a daemon runs in its BASE_DIR). */
async function startDaemonLike(t: { after(fn: () => void): void }, arg: string, cwd?: string): Promise<number> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1e6)", arg], { stdio: "ignore", cwd });
  children.push(child);
  t.after(() => {
    child.kill("SIGKILL");
  });
  for (let i = 0; i < 200; i++) {
    if ((await readIdentity(child.pid!))?.cmdline.includes(arg)) return child.pid!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("child did not start");
}

interface JsonReport {
  checks: Array<{ id: string; status: string; message: string; details: Record<string, unknown>; durationMs: number }>;
  summary: Record<"pass" | "warn" | "fail" | "skip", number>;
  fixes: Array<{ id: string; applied: boolean; message: string; statusBefore: string; statusAfter: string }>;
}

test("check --json on a healthy directory: exit 0 and the documented shape", async (t) => {
  const { base, settings, fake } = healthy(t);
  const pid = await startDaemonLike(t, "core/training_daemon.py", base);
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}\n`);
  const r = await cli(["check", "--base-dir", base, "--config", settings, "--json"], { env: { FAKE_NVIDIA_SMI: fake } });
  const out = JSON.parse(r.stdout) as JsonReport;
  const bad = out.checks.filter((c) => c.status === "fail" || c.status === "warn").map((c) => `${c.id}: ${c.message}`);
  assert.deepEqual(bad, [], r.stderr);
  assert.equal(r.code, 0);
  assert.ok(out.checks.length >= 12);
  for (const c of out.checks) {
    assert.equal(typeof c.id, "string");
    assert.ok(["pass", "warn", "fail", "skip"].includes(c.status));
    assert.equal(typeof c.message, "string");
    assert.equal(typeof c.details, "object");
    assert.ok(Number.isInteger(c.durationMs));
  }
  const sum = out.summary.pass + out.summary.warn + out.summary.fail + out.summary.skip;
  assert.equal(sum, out.checks.length);
  assert.deepEqual(out.fixes, []);
  const gpu = out.checks.find((c) => c.id === "gpu")!;
  assert.equal(gpu.status, "pass");
  assert.match(gpu.message, /^2 GPUs \(NVIDIA H200\), max 41°C/);
  assert.equal((gpu.details.gpus as unknown[]).length, 2);
});

test("check on a broken directory exits 1; --fix repairs folders and a stale PID file, then reports", async (t) => {
  const { base, settings, fake } = healthy(t);
  fs.rmSync(path.join(base, "queue"), { recursive: true });
  fs.rmSync(path.join(base, "logs"), { recursive: true });
  const dead = spawn(process.execPath, ["-e", "0"]);
  await new Promise((r) => dead.on("exit", r));
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${dead.pid}\n`);
  const env = { env: { FAKE_NVIDIA_SMI: fake } };

  const human = await cli(["check", "--base-dir", base, "--config", settings, "--only", "daemon,dirs", "--only", "disk"], env);
  assert.equal(human.code, 1);
  const lines = human.stdout.split("\n");
  assert.match(lines[0]!, /^STATUS\s+CHECK\s+RESULT$/);
  assert.match(human.stdout, /^✗ FAIL  daemon  stale PID file: PID \d+ from .* is not running: the daemon died \(a crash, a kill, a reboot\) and nothing restarted it$/m);
  assert.match(human.stdout, /^✗ FAIL  dirs    missing: logs, queue$/m);
  assert.match(human.stdout, /^✓ pass  disk    /m);
  assert.match(human.stdout, /Run with --fix to:\n  daemon: remove stale PID file \.daemon\.pid/);
  assert.match(human.stdout, /^3 checks in \d+(ms|\.\ds|s): 1 pass, 0 warn, 2 fail, 0 skip$/m);
  assert.ok(fs.existsSync(path.join(base, ".daemon.pid")));

  const fixed = await cli(["check", "--base-dir", base, "--config", settings, "--skip", "gpu,xid", "--fix", "--json"], env);
  const out = JSON.parse(fixed.stdout) as JsonReport;
  const fx = Object.fromEntries(out.fixes.map((f) => [f.id, f]));
  assert.equal(fx.dirs?.applied, true);
  assert.equal(fx.dirs?.statusAfter, "pass");
  assert.equal(fx.daemon?.applied, true);
  assert.equal(fx.daemon?.statusBefore, "fail");
  assert.ok(fs.statSync(path.join(base, "queue")).isDirectory());
  assert.ok(fs.statSync(path.join(base, "logs")).isDirectory());
  assert.equal(fs.existsSync(path.join(base, ".daemon.pid")), false);
  assert.ok(!out.checks.some((c) => c.id === "gpu" || c.id === "xid"));
  // --fix starts nothing: the job is still not running, which the daemon check now says (a warning:
  // no stale file, no supervisor, nothing started here); the exit code follows the other checks.
  const daemon = out.checks.find((c) => c.id === "daemon")!;
  assert.equal(daemon.status, "warn");
  assert.match(daemon.message, /^job not running: no daemon was started in this folder/);
  assert.equal(fixed.code, out.checks.some((c) => c.status === "fail") ? 1 : 0);
});

test("--fix never removes the PID file of a live unrelated process", async (t) => {
  const { base, settings, fake } = healthy(t);
  const other = await startDaemonLike(t, "unrelated-worker");
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${other}\n`);
  const r = await cli(["check", "--base-dir", base, "--config", settings, "--only", "daemon", "--fix", "--json"], { env: { FAKE_NVIDIA_SMI: fake } });
  assert.equal(r.code, 1);
  const out = JSON.parse(r.stdout) as JsonReport;
  assert.deepEqual(out.fixes, []);
  // Not this folder's trainer: named as foreign, never signalled, its PID file left alone.
  assert.match(out.checks[0]!.message, /foreign process: PID \d+ .*unrelated-worker.*does not match the daemon pattern/);
  assert.ok(fs.existsSync(path.join(base, ".daemon.pid")));
  assert.ok(await isRunning(other));
});

test("a hung nvidia-smi: check fails within the timeout and leaves no process behind", async (t) => {
  const { base, settings } = healthy(t);
  const pidFile = path.join(base, "fake.pids");
  const fake = path.join(base, "hang.json");
  fs.writeFileSync(fake, JSON.stringify({ mode: "hang", hangChild: true, pidFile }));
  const r = await cli(["check", "--base-dir", base, "--config", settings, "--only", "gpu", "--timeout", "1s", "--json"], { env: { FAKE_NVIDIA_SMI: fake } });
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonReport;
  assert.equal(out.checks[0]!.status, "fail");
  assert.match(out.checks[0]!.message, /timed out after 1s|did not answer within 1s/);
  assert.ok(out.checks[0]!.durationMs < 2000);
  const pids = fs.readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.equal(pids.length, 2);
  assert.deepEqual(await Promise.all(pids.map(isRunning)), [false, false]);
});

test("usage errors exit 2: unknown check id, bad timeout", async (t) => {
  const { base } = healthy(t);
  const r = await cli(["check", "--base-dir", base, "--only", "gpu,nope"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown check "nope" \(known: daemon, /);
  assert.equal(r.stdout, "");
  const bad = await cli(["check", "--base-dir", base, "--timeout", "soon"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /checks\.checkTimeout/);
});

test("permissions as a user who cannot write BASE_DIR: fail, and no chmod offered on others' folders", { skip: process.getuid?.() !== 0 && "needs root to run the CLI as another user" }, async (t) => {
  const { base, settings } = healthy(t);
  // The test runs as root: let nobody read the tree, but not write it.
  for (const p of [base, path.join(base, "logs"), path.join(base, "status"), path.join(base, "current_model")]) fs.chmodSync(p, 0o755);
  fs.chmodSync(settings, 0o644);
  const r = await cli(["check", "--base-dir", base, "--config", settings, "--only", "permissions", "--fix", "--json"], { uid: 65534, env: { HOME: base } });
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonReport;
  assert.equal(out.checks[0]!.status, "fail");
  assert.match(out.checks[0]!.message, /BASE_DIR: not writable by uid 65534 \(mode 0755, owner uid 0\)/);
  assert.match(out.checks[0]!.message, /owned by another user: fix by hand/);
  assert.deepEqual(out.fixes, []);
  assert.equal(fs.statSync(base).mode & 0o777, 0o755);
});
