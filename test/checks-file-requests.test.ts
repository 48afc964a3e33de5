/**
 * Where `check` reads synchronously (every mount local: runner.ts `synchronousReadsIfLocal`), the files of
 * BASE_DIR cost it no thread-pool request: the progress check's saved state is made, written, closed and
 * renamed with synchronous calls, only its two fsyncs stay requests (a flush may wait on the disk, and a
 * check's deadline must fire meanwhile), and the daemon check reads the PID file and the supervisor's lock
 * synchronously. Each request was a round trip to libuv's threads (~0.1-0.2 ms of CPU; docs/benchmarks.md,
 * start-up, 2026-12-07 18:40). Where a mount may hang (a network mount in the table, through the runner's
 * seam), every step is a request as before, and both ways save the same state.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runChecks } from "../agent/checks/runner.js";
import { daemonCheck } from "../agent/checks/daemon.js";
import { progressCheck } from "../agent/checks/progress.js";
import { resolveSettings } from "../agent/config/settings.js";
import { writeFileAtomic } from "../agent/lib/files.js";
import { useSynchronousReadsFor } from "../agent/lib/fs-mode.js";

const LOCAL = "1790 1700 253:1 / / rw,relatime master:1 - ext4 /dev/vda1 rw\n1791 1790 0:95 / /proc rw - proc proc rw\n";
const NFS = `${LOCAL}1800 1790 0:60 / /shared rw,relatime - nfs4 10.0.0.5:/export rw,vers=4.2,hard\n`;

/** node:fs's callback functions that lib/fs-mode.ts and lib/files.ts call (looked up at each call). */
const CALLBACKS = ["open", "writeFile", "fsync", "close", "rename", "rm", "mkdir", "stat", "lstat", "readFile", "readdir", "access"] as const;

/** The requests (callback calls) made through node:fs while `fn` runs: the call's name and its first argument. */
async function recordingRequests<T>(fn: () => Promise<T>): Promise<{ result: T; requests: Array<[string, unknown]> }> {
  // node:fs's own object, which lib/fs-mode.ts and lib/files.ts call through (its members are writable; the types say readonly).
  const nodeFs = fs as unknown as Record<string, (...a: unknown[]) => unknown>;
  const real = Object.fromEntries(CALLBACKS.map((name) => [name, nodeFs[name]!]));
  const requests: Array<[string, unknown]> = [];
  for (const name of CALLBACKS) {
    nodeFs[name] = (...a: unknown[]) => {
      requests.push([name, a[0]]);
      return real[name]!(...a);
    };
  }
  try {
    return { result: await fn(), requests };
  } finally {
    for (const name of CALLBACKS) nodeFs[name] = real[name]!;
  }
}

function baseDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-file-requests-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.mkdirSync(path.join(dir, "status"));
  fs.writeFileSync(path.join(dir, "status", "training_status.json"), JSON.stringify({ current_step: 120, total_steps: 500, updated_at: new Date(1_700_000_000_000).toISOString() }));
  return dir;
}

const NOW = 1_700_000_060_000;

test("progress: with synchronous reads the state is saved with two requests, its fsyncs; with a network mount, every step is one", async (t) => {
  const saved: string[] = [];
  for (const [table, expectSync] of [[LOCAL, true], [NFS, false]] as const) {
    const dir = baseDir(t);
    const settings = resolveSettings({}, { baseDir: dir });
    const { result, requests } = await recordingRequests(() => runChecks(settings, { checks: [progressCheck], now: () => NOW, synchronousReadsIfLocal: true, mountInfo: () => table }));
    const c = result.checks[0]!;
    assert.equal(c.status, "pass", c.message);
    assert.match(c.message, /^step 120\/500, updated 1m ago \(first observation/);
    const names = requests.map(([name]) => name);
    if (expectSync) {
      assert.deepEqual(names, ["fsync", "fsync"], "the file's and the folder's fsync only");
    } else {
      for (const step of ["mkdir", "open", "writeFile", "fsync", "close", "rename"]) assert.ok(names.includes(step), `${step} is a request: ${names.join(", ")}`);
    }
    const stateDir = path.join(dir, ".trainsafe");
    assert.deepEqual(fs.readdirSync(stateDir), ["check_state.json"], "no temporary file is left");
    saved.push(fs.readFileSync(path.join(stateDir, "check_state.json"), "utf8").replaceAll(dir, "BASE"));
  }
  assert.equal(saved[0], saved[1], "both ways save the same state");
  assert.deepEqual(JSON.parse(saved[0]!), { progress: { file: "BASE/status/training_status.json", step: 120, sinceMs: NOW, seenAtMs: NOW } });
});

test("daemon: with synchronous reads no request names a file of BASE_DIR (PID file, supervisor lock, hold, identity)", async (t) => {
  const dir = baseDir(t);
  const settings = resolveSettings({}, { baseDir: dir });
  const { result, requests } = await recordingRequests(() => runChecks(settings, { checks: [daemonCheck], synchronousReadsIfLocal: true, mountInfo: () => LOCAL }));
  assert.match(result.checks[0]!.message, /no daemon was started in this folder/);
  const ours = requests.filter(([, first]) => typeof first === "string" && first.startsWith(dir));
  assert.deepEqual(ours, []);
  // Where a mount may hang, the same files are read through requests.
  const again = await recordingRequests(() => runChecks(settings, { checks: [daemonCheck], synchronousReadsIfLocal: true, mountInfo: () => NFS }));
  assert.equal(again.result.checks[0]!.message, result.checks[0]!.message);
  assert.ok(again.requests.some(([name, first]) => name === "stat" && first === settings.layout.pidFile), "the PID file's stat is a request there");
});

test("writeFileAtomic with synchronous steps: the same file, mode and errors; a missing folder leaves nothing", async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-file-requests-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const restore = useSynchronousReadsFor(Infinity);
  try {
    const { requests } = await recordingRequests(async () => {
      await writeFileAtomic(path.join(dir, "a.json"), "first\n", 0o600, { syncWhereReadsAre: true });
      await writeFileAtomic(path.join(dir, "a.json"), new TextEncoder().encode("second\n"), undefined, { syncWhereReadsAre: true });
    });
    assert.deepEqual(requests.map(([name]) => name), ["fsync", "fsync", "fsync", "fsync"]);
    assert.equal(fs.readFileSync(path.join(dir, "a.json"), "utf8"), "second\n");
    await writeFileAtomic(path.join(dir, "m.json"), "{}", 0o600, { syncWhereReadsAre: true });
    assert.equal(fs.statSync(path.join(dir, "m.json")).mode & 0o777, 0o600);
    await assert.rejects(writeFileAtomic(path.join(dir, "missing", "b.json"), "x", undefined, { syncWhereReadsAre: true }), { code: "ENOENT" });
    // Without the option the steps stay requests, synchronous reads or not.
    const plain = await recordingRequests(() => writeFileAtomic(path.join(dir, "c.json"), "c", undefined));
    assert.deepEqual(plain.requests.map(([name]) => name), ["open", "writeFile", "fsync", "close", "rename", "open", "fsync", "close"]);
  } finally {
    restore();
  }
  assert.deepEqual(fs.readdirSync(dir).sort(), ["a.json", "c.json", "m.json"]);
});
