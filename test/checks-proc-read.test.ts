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
