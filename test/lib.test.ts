import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { parseDurationMs, parseSizeBytes } from "../agent/lib/units.js";
import { resolveSettings } from "../agent/config/settings.js";
import { resolveLayout } from "../agent/config/layout.js";
import { parseProcStat, readIdentity } from "../agent/lib/proc.js";
import { findDaemon, readPidFile, recordIdentity } from "../agent/lib/daemon.js";
import { TrainsafeError } from "../agent/lib/errors.js";

test("durations and sizes take units", () => {
  assert.equal(parseDurationMs("500ms"), 500);
  assert.equal(parseDurationMs("15m"), 900_000);
  assert.equal(parseDurationMs("1h30m"), 5_400_000);
  assert.equal(parseDurationMs(30), 30_000);
  assert.equal(parseDurationMs("2"), 2000);
  assert.throws(() => parseDurationMs("5 minutes"), /invalid duration/);
  assert.throws(() => parseDurationMs("m"), /invalid duration/);
  assert.equal(parseSizeBytes("50GB"), 50e9);
  assert.equal(parseSizeBytes("4GiB"), 4 * 1024 ** 3);
  assert.throws(() => parseSizeBytes("lots"), /invalid size/);
});

test("duration parser never throws anything but a clear error", () => {
  fc.assert(
    fc.property(fc.string(), (s) => {
      try {
        const ms = parseDurationMs(s);
        assert.ok(Number.isFinite(ms) && ms >= 0);
      } catch (err) {
        assert.match((err as Error).message, /invalid duration/);
      }
    }),
  );
});

test("settings errors name the file and the field", () => {
  const bad = (raw: unknown) => {
    try {
      resolveSettings(raw, { baseDir: "/x", source: "ts.json" });
      return "no error";
    } catch (err) {
      assert.ok(err instanceof TrainsafeError);
      return err.message;
    }
  };
  assert.match(bad({ watchdog: { evalTimeout: "soon" } }), /^ts\.json: watchdog\.evalTimeout: invalid duration/);
  assert.match(bad({ watchdog: { maxRestarts: -1 } }), /^ts\.json: watchdog\.maxRestarts:/);
  assert.match(bad({ checks: { minDiskFre: "1GB" } }), /^ts\.json: checks\.minDiskFre: Unrecognized key/);
  assert.throws(() => resolveSettings({}, {}), /no training directory/);
  const s = resolveSettings({ watchdog: { trainingTimeout: "250ms" }, paths: { logsDir: "/var/log/train" } }, { baseDir: "/data/t" });
  assert.equal(s.watchdog.trainingTimeout, 250);
  assert.equal(s.watchdog.evalTimeout, 30 * 60_000);
  assert.equal(s.layout.logsDir, "/var/log/train");
  assert.equal(s.layout.watchdogLog, "/var/log/train/watchdog.log");
  assert.ok(Object.isFrozen(s.watchdog));
});

test("/proc/PID/stat parses a command name with spaces and parentheses", () => {
  const line = "4242 (python3 (rank 0)) S 1 4242 4242 0 -1 4194560 1 0 0 0 150 25 0 0 20 0 7 0 987654 1000 100 18446744073709551615";
  const st = parseProcStat(line);
  assert.ok(st);
  assert.equal(st.comm, "python3 (rank 0)");
  assert.equal(st.state, "S");
  assert.equal(st.ppid, 1);
  assert.equal(st.cpuTicks, 175);
  assert.equal(st.numThreads, 7);
  assert.equal(st.startTicks, 987654);
  assert.equal(parseProcStat("garbage"), null);
});

test("findDaemon proves identity and refuses a recycled PID", async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ts-lib-"));
  const layout = resolveLayout(dir);
  const elsewhere = mkdtempSync(path.join(os.tmpdir(), "ts-lib-other-"));
  const daemon = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "training_daemon"], { stdio: "ignore", cwd: dir });
  const other = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "unrelated"], { stdio: "ignore", cwd: dir });
  // The same trainer, started by hand in another run folder: matches the pattern, but is another job's.
  const foreign = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "training_daemon"], { stdio: "ignore", cwd: elsewhere });
  t.after(() => {
    daemon.kill("SIGKILL");
    other.kill("SIGKILL");
    foreign.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await findDaemon(layout, "training_daemon")).state, "no_pid_file");

  writeFileSync(layout.pidFile, "not-a-pid\n");
  assert.equal((await readPidFile(layout.pidFile)).ok, false);
  assert.equal((await findDaemon(layout, "training_daemon")).state, "bad_pid_file");

  writeFileSync(layout.pidFile, `${daemon.pid}\n`);
  const found = await findDaemon(layout, "training_daemon");
  assert.equal(found.state, "running");

  writeFileSync(layout.pidFile, String(other.pid));
  const unrelated = await findDaemon(layout, "training_daemon");
  assert.equal(unrelated.state, "not_daemon");

  writeFileSync(layout.pidFile, String(foreign.pid));
  const ofAnotherFolder = await findDaemon(layout, "training_daemon");
  assert.equal(ofAnotherFolder.state, "not_daemon");
  assert.ok(ofAnotherFolder.state === "not_daemon" && ofAnotherFolder.reason === "foreign");
  assert.match(ofAnotherFolder.message, new RegExp(`runs in ${elsewhere}`));

  // Recorded identity for this PID with another start time: the PID was recycled.
  const id = await readIdentity(daemon.pid!);
  assert.ok(id);
  await recordIdentity(layout, { ...id, startTicks: id.startTicks - 1 });
  writeFileSync(layout.pidFile, String(daemon.pid));
  const recycled = await findDaemon(layout, "training_daemon");
  assert.equal(recycled.state, "not_daemon");
  assert.match(recycled.message, /recycled/);

  daemon.kill("SIGKILL");
  await new Promise((r) => daemon.once("exit", r));
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await findDaemon(layout, "training_daemon")).state, "not_running");
});
