/**
 * `trainsafe check` reads synchronously where no mount of the process can hang a call (agent/lib/mounts.ts,
 * runner.ts `synchronousReadsIfLocal`, fs-mode.ts `useSynchronousReadsFor`), and through the thread pool
 * anywhere else (a network mount in the table: faked through the runner's `mountInfo` seam, not mounted).
 * Synchronous reads still yield to timers, so a check's deadline fires while it reads (issue 12 item 7).
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runChecks } from "../agent/checks/runner.js";
import type { Check } from "../agent/checks/types.js";
import { resolveSettings } from "../agent/config/settings.js";
import { files, readsAreSynchronous } from "../agent/lib/fs-mode.js";
import { mountsThatMayHang, noMountMayHang, parseMountInfo } from "../agent/lib/mounts.js";

// Lines as the kernel writes them (proc(5)), from a container and a GPU host.
const ROOT_EXT4 = "1790 1700 253:1 / / rw,relatime master:1 - ext4 /dev/vda1 rw";
const LOCAL = [
  ROOT_EXT4,
  "1791 1790 0:95 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw",
  "1792 1790 0:96 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755",
  "1793 1792 0:97 / /dev/pts rw,nosuid,noexec,relatime - devpts devpts rw,gid=5,mode=620,ptmxmode=666",
  "1794 1790 0:98 / /sys ro,nosuid,nodev,noexec,relatime - sysfs sysfs ro",
  "1795 1794 0:30 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime shared:9 master:2 - cgroup2 cgroup2 rw",
  "1796 1790 259:2 /data /mnt/my\\040data rw,noatime shared:3 - xfs /dev/nvme0n1p2 rw,attr2,inode64",
  "1797 1790 0:45 / /var/lib/docker/overlay rw,relatime - overlay overlay rw,lowerdir=/a,upperdir=/b,workdir=/c",
].join("\n");
const NFS = "1800 1790 0:60 / /shared/checkpoints rw,relatime shared:40 - nfs4 10.0.0.5:/export/ckpt rw,vers=4.2,hard";

test("mounts: the mount table's types and escaped mount points are read", () => {
  const mounts = parseMountInfo(LOCAL + "\n");
  assert.equal(mounts.length, 8);
  assert.deepEqual(mounts[0], { mountPoint: "/", type: "ext4", source: "/dev/vda1" });
  assert.deepEqual(mounts[5], { mountPoint: "/sys/fs/cgroup", type: "cgroup2", source: "cgroup2" }, "optional fields before the separator are skipped");
  assert.deepEqual(mounts[6], { mountPoint: "/mnt/my data", type: "xfs", source: "/dev/nvme0n1p2" });
});

test("mounts: only local, in-memory and kernel types count as unable to hang", () => {
  assert.equal(noMountMayHang(LOCAL), true);
  assert.deepEqual(mountsThatMayHang(LOCAL), []);
  for (const line of [
    NFS,
    "1801 1790 0:61 / /home rw - nfs nas:/home rw,vers=3",
    "1802 1790 0:62 / /mnt/smb rw - cifs //srv/share rw",
    "1803 1790 0:63 / /mnt/s3 rw,nosuid,nodev - fuse.s3fs s3fs rw,user_id=0",
    "1804 1790 0:64 / /lustre rw - lustre 10.0.0.9@tcp:/fs rw",
    "1805 1790 0:65 / /net rw - autofs auto.net rw,fd=7",
    "1806 1790 0:66 / /mnt/host rw - virtiofs myfs rw",
    "1807 1790 0:67 / /mnt/new rw - somefs-nobody-knows dev rw",
  ]) {
    const table = `${LOCAL}\n${line}\n`;
    assert.equal(noMountMayHang(table), false, line);
    assert.equal(mountsThatMayHang(table).length, 1, line);
  }
  assert.equal(noMountMayHang(""), false, "an empty table says nothing");
  assert.equal(noMountMayHang(null), false, "no table: keep the asynchronous reads");
  assert.equal(noMountMayHang("garbage line\n" + LOCAL), false, "a line that cannot be read is a mount of unknown type");
  // noMountMayHang reads only the types; it agrees with the whole parse on every table: this machine's,
  // and each local line alone, with a network line, with a line cut before its type.
  const own = fs.readFileSync("/proc/self/mountinfo", "latin1");
  const lines = LOCAL.split("\n");
  const tables = [own, LOCAL, `${LOCAL}\n`, `${NFS}\n${LOCAL}`, ...lines, ...lines.map((l) => `${l}\n${NFS}`), ...lines.map((l) => l.slice(0, l.indexOf(" - ") + 2)), ...lines.map((l) => l.slice(0, l.indexOf(" - ")))];
  for (const table of tables) assert.equal(noMountMayHang(table), mountsThatMayHang(table).length === 0 && table.trim() !== "", JSON.stringify(table));
});

test("mounts: a local type on a block device that reaches the network (Ceph RBD, NBD, DRBD, a loop file) may hang", () => {
  // A Kubernetes PVC on Ceph RBD is ext4 or xfs on /dev/rbdN (rbd-nbd: /dev/nbdN), bind-mounted into the
  // pod with the same source; its I/O waits for the cluster without a timeout by default. A loop device
  // reads a file that may sit on NFS or Lustre (an Apptainer/Singularity image mounted with setuid).
  for (const line of [
    "1810 1790 252:0 / /data rw,relatime - ext4 /dev/rbd0 rw,stripe=16",
    "1811 1790 252:16 /pvc /mnt/ckpt rw,relatime shared:7 - xfs /dev/rbd1p1 rw,attr2,inode64",
    "1812 1790 43:0 / /mnt/nbd rw,relatime - ext4 /dev/nbd0 rw",
    "1813 1790 147:0 / /srv rw,relatime - ext4 /dev/drbd0 rw",
    "1814 1790 7:0 / / ro,nosuid,nodev - squashfs /dev/loop0 ro,errors=continue",
    "1815 1790 7:1 / /mnt/img rw,relatime - ext4 /dev/loop12p1 rw",
  ]) {
    const table = `${LOCAL}\n${line}\n`;
    assert.equal(noMountMayHang(table), false, line);
    assert.equal(mountsThatMayHang(table).length, 1, line);
  }
  // Local disks keep the fast path.
  assert.equal(noMountMayHang(`${LOCAL}\n1816 1790 259:3 / /scratch rw - ext4 /dev/nvme1n1p1 rw\n1817 1790 8:1 / /boot rw - vfat /dev/sda1 rw`), true);
});

test("mounts: systemd's automount of the kernel's binfmt_misc keeps the fast path; any other autofs mount may hang", () => {
  // Every systemd host has this line (proc-sys-fs-binfmt_misc.automount), mounted or not yet.
  const binfmt = "1820 1791 0:50 / /proc/sys/fs/binfmt_misc rw,relatime shared:12 - autofs systemd-1 rw,fd=29,pgrp=1,timeout=0,minproto=5,maxproto=5,direct,pipe_ino=17425";
  const mounted = "1821 1820 0:51 / /proc/sys/fs/binfmt_misc rw,nosuid,nodev,noexec,relatime shared:13 - binfmt_misc binfmt_misc rw";
  assert.equal(noMountMayHang(`${LOCAL}\n${binfmt}\n`), true);
  assert.equal(noMountMayHang(`${LOCAL}\n${binfmt}\n${mounted}\n`), true);
  assert.deepEqual(mountsThatMayHang(`${LOCAL}\n${binfmt}\n`), []);
  // The same automount anywhere else (a home or a share mounted on demand) is not the kernel's.
  for (const other of [binfmt.replace("/proc/sys/fs/binfmt_misc", "/home/user"), binfmt.replace("/proc/sys/fs/binfmt_misc", "/proc/sys/fs/binfmt_misc/x"), "1805 1790 0:65 / /net rw - autofs auto.net rw,fd=7"]) {
    assert.equal(noMountMayHang(`${LOCAL}\n${other}\n`), false, other);
    assert.equal(mountsThatMayHang(`${LOCAL}\n${other}\n`).length, 1, other);
  }
});

/** A check that stats `file` `n` times through `files`, noting whether the reads were synchronous. */
function statter(file: string, n: number, seen: { sync?: boolean }): Check {
  return {
    id: "statter",
    title: "stats a file",
    async run() {
      seen.sync = readsAreSynchronous();
      for (let i = 0; i < n; i++) await files.stat(file);
      return { status: "pass", message: `${n} stats` };
    },
  };
}

/** Counts node:fs's asynchronous (callback) and synchronous stat calls while `fn` runs. */
async function countingStats<T>(fn: () => Promise<T>): Promise<{ result: T; async: number; sync: number }> {
  const real = { stat: fs.stat, statSync: fs.statSync };
  // node:fs's own object, which lib/fs-mode.ts calls through (its members are writable; the types say readonly).
  const nodeFs = fs as { -readonly [K in keyof typeof fs]: (typeof fs)[K] };
  let nAsync = 0;
  let nSync = 0;
  nodeFs.stat = ((...a: Parameters<typeof fs.stat>) => {
    nAsync++;
    return (real.stat as (...x: unknown[]) => void)(...a);
  }) as typeof fs.stat;
  nodeFs.statSync = ((...a: Parameters<typeof fs.statSync>) => {
    nSync++;
    return (real.statSync as (...x: unknown[]) => unknown)(...a);
  }) as typeof fs.statSync;
  try {
    const result = await fn();
    return { result, async: nAsync, sync: nSync };
  } finally {
    nodeFs.stat = real.stat;
    nodeFs.statSync = real.statSync;
  }
}

function base(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-sync-reads-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "config.json"), "{}");
  return dir;
}

test("runner: reads are synchronous for the run where every mount is local, and asynchronous again after it", async (t) => {
  const dir = base(t);
  const settings = resolveSettings({}, { baseDir: dir });
  const seen: { sync?: boolean } = {};
  const r = await countingStats(() => runChecks(settings, { checks: [statter(path.join(dir, "config.json"), 20, seen)], synchronousReadsIfLocal: true, mountInfo: () => LOCAL }));
  assert.equal(r.result.checks[0]!.status, "pass");
  assert.equal(seen.sync, true);
  assert.equal(r.async, 0, "no stat went through the thread pool");
  assert.ok(r.sync >= 20, `${r.sync} synchronous stats`);
  assert.equal(readsAreSynchronous(), false, "the mode before the run is back");
});

test("runner: a network mount in the table keeps the asynchronous reads (the seam, no real mount)", async (t) => {
  const dir = base(t);
  const settings = resolveSettings({}, { baseDir: dir });
  const seen: { sync?: boolean } = {};
  const r = await countingStats(() => runChecks(settings, { checks: [statter(path.join(dir, "config.json"), 20, seen)], synchronousReadsIfLocal: true, mountInfo: () => `${LOCAL}\n${NFS}\n` }));
  assert.equal(r.result.checks[0]!.status, "pass");
  assert.equal(seen.sync, false);
  assert.equal(r.sync, 0, "no synchronous stat");
  assert.ok(r.async >= 20, `${r.async} stats through the thread pool`);
  // Nor without the option (the agent's way), whatever the table says.
  const seen2: { sync?: boolean } = {};
  const r2 = await countingStats(() => runChecks(settings, { checks: [statter(path.join(dir, "config.json"), 5, seen2)], mountInfo: () => LOCAL }));
  assert.equal(seen2.sync, false);
  assert.equal(r2.sync, 0);
});

test("runner: a check reading synchronously without end still times out at its deadline", { timeout: 30_000 }, async (t) => {
  const dir = base(t);
  const settings = resolveSettings({ checks: { checkTimeout: "300ms" } }, { baseDir: dir });
  const file = path.join(dir, "config.json");
  let reads = 0;
  let stop = false;
  const endless: Check = {
    id: "endless",
    title: "reads for ever",
    async run() {
      while (!stop) {
        await files.stat(file);
        reads++;
      }
      return { status: "pass", message: "stopped" };
    },
  };
  const started = Date.now();
  const report = await runChecks(settings, { checks: [endless], synchronousReadsIfLocal: true, mountInfo: () => LOCAL });
  const tookMs = Date.now() - started;
  stop = true;
  assert.equal(report.checks[0]!.status, "fail");
  assert.equal(report.checks[0]!.message, "timed out after 0.3s");
  assert.ok(tookMs < 1_500, `the deadline fired after ${tookMs} ms`);
  assert.ok(reads > 100, `${reads} reads were made, synchronously, before it`);
  // Let the check see `stop` and end (its reads are asynchronous again: the run restored the mode).
  await new Promise((resolve) => setTimeout(resolve, 20));
});

/** Runs the development CLI; a run still going after `killAfterMs` is killed (SIGKILL: a thread blocked in a system call runs no SIGTERM handler). */
function cliRun(args: string[], killAfterMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(process.execPath, [path.resolve(import.meta.dirname, "..", "bin", "trainsafe.js"), ...args], { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.on("data", (b) => (stdout += b));
    const timer = setTimeout(() => child.kill("SIGKILL"), killAfterMs);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, ms: Date.now() - started });
    });
  });
}

test("check: a FIFO in place of a checkpoint file is reported, not waited on, with synchronous reads (this machine's mounts are local)", { timeout: 60_000 }, async (t) => {
  assert.equal(noMountMayHang(), true, "this test needs a machine whose mounts are all local (the synchronous path)");
  const dir = base(t);
  const ckpt = path.join(dir, "current_model", "checkpoint-500");
  fs.cpSync(path.resolve(import.meta.dirname, "..", "examples", "training", "current_model", "checkpoint-500"), ckpt, { recursive: true });
  fs.rmSync(path.join(ckpt, "model.safetensors"));
  execFileSync("mkfifo", [path.join(ckpt, "model.safetensors")]);
  // An open for reading of a FIFO waits for a writer: synchronously, in the main thread, for ever.
  const r = await cliRun(["check", "--base-dir", dir, "--only", "checkpoint", "--timeout", "2s", "--json"], 20_000);
  assert.equal(r.signal, null, `check did not end by itself (killed after ${r.ms} ms); output: ${r.stdout}`);
  const checkpoint = (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; message: string; details?: unknown }> }).checks.find((c) => c.id === "checkpoint")!;
  assert.match(JSON.stringify(checkpoint), /model\.safetensors: is not a regular file/);
});

test("check: a FIFO named `latest` in a DeepSpeed tree is not waited on with synchronous reads", { timeout: 60_000 }, async (t) => {
  assert.equal(noMountMayHang(), true, "this test needs a machine whose mounts are all local (the synchronous path)");
  const dir = base(t);
  fs.cpSync(path.resolve(import.meta.dirname, "fixtures", "checkpoints", "deepspeed"), dir, { recursive: true });
  const latest = path.join(dir, "checkpoints", "latest");
  fs.rmSync(latest);
  execFileSync("mkfifo", [latest]);
  const r = await cliRun(["check", "--base-dir", dir, "--only", "checkpoint", "--timeout", "2s", "--json"], 20_000);
  assert.equal(r.signal, null, `check did not end by itself (killed after ${r.ms} ms); output: ${r.stdout}`);
  const checkpoint = (JSON.parse(r.stdout) as { checks: Array<{ id: string; status: string; message: string }> }).checks.find((c) => c.id === "checkpoint")!;
  assert.notEqual(checkpoint.message, "timed out after 2s", "read as the empty file it is without a writer, not waited on");
});

test("resume verify (synchronous reads for its whole run) reports a FIFO named `latest` instead of waiting on it", { timeout: 60_000 }, async (t) => {
  const dir = base(t);
  fs.cpSync(path.resolve(import.meta.dirname, "fixtures", "checkpoints", "deepspeed"), dir, { recursive: true });
  const latest = path.join(dir, "checkpoints", "latest");
  fs.rmSync(latest);
  execFileSync("mkfifo", [latest]);
  const r = await cliRun(["resume", "verify", "--base-dir", dir], 20_000);
  assert.equal(r.signal, null, `resume verify did not end by itself (killed after ${r.ms} ms); output: ${r.stdout}`);
  assert.match(r.stdout, /checkpoints\/latest names ""/);
});
