/**
 * lib/proc.ts reads command lines and environments through fs callbacks (readProcFile) instead of
 * fs.promises.readFile (`check`'s /proc scan reads every process's command line): the result must be
 * what the kernel's file holds, whole, for real processes, including one longer than a read's buffer.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import { readCmdline, readEnvVar, readProcFile } from "../agent/lib/proc.js";

test("a command line and an environment are read whole, as the kernel's /proc files hold them", async (t) => {
  // Arguments of ~20 KB in all: several reads of the 4 KB first buffer; non-ASCII and empty arguments too.
  const long = Array.from({ length: 40 }, (_, i) => `--arg-${i}=${"x".repeat(500)}`);
  const args = ["-e", "setTimeout(() => {}, 30000)", "--", "naïve", "", ...long];
  const child = spawn(process.execPath, args, { stdio: "ignore", env: { ...process.env, TS_PROBE: "a=b", TS_BIG: "y".repeat(9000) } });
  t.after(() => child.kill("SIGKILL"));
  const pid = child.pid!;
  // Until the kernel has exec'd node, the child's command line is the test's own.
  for (let i = 0; i < 200 && !fs.readFileSync(`/proc/${pid}/cmdline`, "latin1").includes("--arg-39="); i++) await new Promise((r) => setTimeout(r, 10));

  const raw = fs.readFileSync(`/proc/${pid}/cmdline`);
  assert.ok(raw.length > 16_000, `cmdline is ${raw.length} bytes`);
  assert.deepEqual(await readProcFile(`/proc/${pid}/cmdline`), raw);
  assert.deepEqual(await readProcFile(`/proc/${pid}/cmdline`, { syncOpen: true }), raw);
  assert.deepEqual(await readProcFile(`/proc/${pid}/environ`), fs.readFileSync(`/proc/${pid}/environ`));
  assert.equal(await readCmdline(pid), [process.execPath, ...args].join(" "));
  assert.equal(await readEnvVar(pid, "TS_PROBE"), "a=b");
  assert.equal(await readEnvVar(pid, "TS_BIG"), "y".repeat(9000));
  assert.equal(await readEnvVar(pid, "TS_ABSENT"), null);
});

test("what cannot be read is null: no such process, no such file, an empty file", async () => {
  const gone = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
  const pid = gone.pid!;
  await new Promise((r) => gone.once("exit", r));
  // Reaped: the PID names no process (until reused, which takes the whole PID space).
  assert.equal(await readCmdline(pid), null);
  assert.equal(await readEnvVar(pid, "PATH"), null);
  assert.equal(await readProcFile("/nonexistent/trainsafe-test"), null);
  // A folder: open succeeds, read fails (EISDIR).
  assert.equal(await readProcFile("/proc"), null);
  assert.deepEqual(await readProcFile("/dev/null"), Buffer.alloc(0));
  // The same with the synchronous open of command lines.
  assert.equal(await readProcFile(`/proc/${pid}/cmdline`, { syncOpen: true }), null);
  assert.equal(await readProcFile("/nonexistent/trainsafe-test", { syncOpen: true }), null);
  assert.equal(await readProcFile("/proc", { syncOpen: true }), null);
  assert.deepEqual(await readProcFile("/dev/null", { syncOpen: true }), Buffer.alloc(0));
});

test("kernel threads: flagged PF_KTHREAD in their stat, an empty command line, and the /proc scan reads none of them", async (t) => {
  const { isKernelThread, listProcessesSync, parseProcStat } = await import("../agent/lib/proc.js");
  const { unnamedTrainers } = await import("../agent/lib/daemon.js");
  const { resolveLayout } = await import("../agent/config/layout.js");
  const os = await import("node:os");
  const path = await import("node:path");
  // The field itself: a user process is no kernel thread.
  const self = parseProcStat(fs.readFileSync("/proc/self/stat", "utf8"))!;
  assert.equal(typeof self.flags, "number");
  assert.equal(isKernelThread(self), false);
  const all = listProcessesSync();
  const kernel = all.filter(isKernelThread);
  // What skipping them relies on: each has no command line (checked on every one this machine shows).
  for (const k of kernel) assert.equal(fs.existsSync(`/proc/${k.pid}`) ? fs.readFileSync(`/proc/${k.pid}/cmdline`).length : 0, 0, `kernel thread ${k.pid} (${k.comm}) has a command line`);
  if (kernel.length === 0) t.diagnostic("no kernel threads visible in this PID namespace: the skip itself is not exercised");

  // A trainer started by hand is still found, and no kernel thread's command line is opened.
  const base = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-kthread-"));
  t.after(() => fs.rmSync(base, { recursive: true, force: true }));
  fs.mkdirSync(path.join(base, "core"));
  fs.writeFileSync(path.join(base, "core", "training_daemon.py"), "");
  const trainer = spawn(process.execPath, ["-e", "setTimeout(() => {}, 30000)", "core/training_daemon.py"], { cwd: base, stdio: "ignore" });
  t.after(() => trainer.kill("SIGKILL"));
  for (let i = 0; i < 200 && !fs.readFileSync(`/proc/${trainer.pid}/cmdline`, "latin1").includes("training_daemon.py"); i++) await new Promise((r) => setTimeout(r, 10));
  const opened: string[] = [];
  const realOpenSync = fs.openSync;
  (fs as { openSync: unknown }).openSync = (file: fs.PathLike, ...rest: unknown[]) => {
    opened.push(String(file));
    return (realOpenSync as (...a: unknown[]) => number)(file, ...rest);
  };
  let found;
  try {
    found = await unnamedTrainers(resolveLayout(base), "training_daemon\\.py");
  } finally {
    (fs as { openSync: unknown }).openSync = realOpenSync;
  }
  assert.deepEqual(found.map((f) => f.pid), [trainer.pid]);
  const kernelPids = new Set(kernel.map((k) => k.pid));
  assert.deepEqual(opened.filter((f) => kernelPids.has(Number(/^\/proc\/(\d+)\/cmdline$/.exec(f)?.[1]))), []);
  assert.ok(opened.includes(`/proc/${trainer.pid}/cmdline`), "the trainer's command line was not read");
});
