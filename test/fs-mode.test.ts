/**
 * agent/lib/fs-mode.ts: `resume verify` reads synchronously (no libuv thread pool), the agent and `check`
 * through node's callback API behind promises (asyncFiles). Both must give what fs.promises gives: the
 * same results and the same errors. The switch is process-wide and one way, so this file turns it on
 * part-way, after taking the asynchronous results to compare with. `crash scan` reads its logs (and the
 * rules) through the same switch.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { resolveLayout } from "../agent/config/layout.js";
import { loadRules } from "../agent/crash/rules.js";
import { defaultLogFiles, scanFiles } from "../agent/crash/scanner.js";
import { verifyResume } from "../agent/guard/resume.js";
import { asyncFiles, files, useSynchronousReads } from "../agent/lib/fs-mode.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-fs-mode-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** What each read gives through `api` (default: files, in the mode in force), errors included (code and message). */
async function reads(dir: string, api: typeof fs.promises = files): Promise<unknown[]> {
  const settle = (p: Promise<unknown>) =>
    p.then(
      (v) => ({ ok: v instanceof fs.Stats ? { size: v.size, file: v.isFile(), dir: v.isDirectory() } : v }),
      (e: NodeJS.ErrnoException) => ({ err: [e.code, e.message, e.syscall] }),
    );
  const out: unknown[] = [];
  for (const p of [path.join(dir, "config.json"), path.join(dir, "missing.json"), path.join(dir, "current_model"), path.join(dir, "current_model", "checkpoint-500", "model.safetensors")]) {
    out.push(await settle(api.stat(p)), await settle(api.lstat(p)), await settle(api.readFile(p, "utf8")));
    out.push(await settle(api.readdir(p, { withFileTypes: true }).then((ents) => ents.map((e) => [e.name, e.isFile(), e.isDirectory()]))));
    out.push(await settle(api.readdir(p)));
    out.push(
      await settle(
        api.open(p, "r").then(async (fh) => {
          try {
            const st = await fh.stat();
            const buf = Buffer.alloc(16);
            const { bytesRead } = await fh.read(buf, 0, 16, 4);
            const rest = await fh.readFile("latin1");
            return [st.size, bytesRead, buf.subarray(0, bytesRead).toString("hex"), rest.length];
          } finally {
            await fh.close();
          }
        }),
      ),
    );
  }
  return out;
}

test("synchronous reads give what fs.promises gives: results, errors, resume verify's report and crash scans", async () => {
  const base = path.join(tmp, "training");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
  const layout = resolveLayout(base);
  // fs.promises itself is the reference; asyncFiles (node's callbacks) must give exactly what it gives.
  const asyncReads = await reads(base, fs.promises);
  assert.deepEqual(await reads(base, asyncFiles), asyncReads);
  assert.deepEqual(await reads(base), asyncReads);
  const asyncReport = await verifyResume(layout);
  // Not trivially equal: the reads hit files, folders and missing paths.
  assert.ok(asyncReads.some((r) => (r as { err?: unknown }).err) && asyncReads.some((r) => (r as { ok?: unknown }).ok), JSON.stringify(asyncReads).slice(0, 400));
  assert.ok(asyncReport.checkpoints.length >= 2, JSON.stringify(asyncReport).slice(0, 400));

  // The crash scan's reads: the default logs, a directory, a missing file, a FIFO named *.log (opened
  // O_RDONLY | O_NONBLOCK: it must not wait for a writer), a log cut to 3 lines and a whole-file scan.
  const fifo = path.join(tmp, "pipe.log");
  const fifoMade = fs.existsSync("/usr/bin/mkfifo") && (await import("node:child_process")).spawnSync("mkfifo", [fifo]).status === 0;
  const scanned = [...(await defaultLogFiles(layout)), base, path.join(tmp, "missing.log"), ...(fifoMade ? [fifo] : [])];
  const scans = async () => {
    const rules = await loadRules();
    return [await scanFiles(scanned, { rules, lastNLines: 1000 }), await scanFiles(scanned, { rules, lastNLines: 3 }), await scanFiles(scanned, { rules, all: true })];
  };
  const asyncScans = await scans();
  assert.ok(asyncScans[0]!.primary && asyncScans[0]!.files.some((f) => f.problem), JSON.stringify(asyncScans[0]).slice(0, 400));

  // asyncFiles' functions until the switch, the synchronous ones after it; asyncFiles stays asynchronous.
  assert.equal(files.stat, asyncFiles.stat);
  useSynchronousReads();
  assert.notEqual(files.stat, asyncFiles.stat);
  assert.notEqual(files.stat, fs.promises.stat);
  assert.deepEqual(await reads(base), asyncReads);
  assert.deepEqual(await verifyResume(layout), asyncReport);
  assert.deepEqual(await scans(), asyncScans);
  if (fifoMade) {
    // Numeric read-only flags get a synchronous handle, which does not block on a FIFO without a writer.
    const fh = await files.open(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    assert.equal(typeof fh.writeFile, "undefined");
    assert.ok((await fh.stat()).isFIFO());
    await fh.close();
  }

  // Writes still go through fs.promises (a real FileHandle), reads of a handle see them.
  const written = path.join(tmp, "written.txt");
  const fh = await files.open(written, "wx");
  assert.ok(fh instanceof Object && typeof fh.writeFile === "function");
  await fh.writeFile("hello");
  await fh.close();
  assert.equal(await files.readFile(written, "utf8"), "hello");
  // So do numeric flags with a write bit.
  const numeric = await files.open(written, fs.constants.O_WRONLY | fs.constants.O_APPEND);
  assert.equal(typeof numeric.writeFile, "function");
  await numeric.writeFile(" world");
  await numeric.close();
  assert.equal(await files.readFile(written, "utf8"), "hello world");
  // A synchronous error is a rejection, as with fs.promises, not a throw from the call.
  const pending = files.readFile(path.join(tmp, "nope"));
  assert.ok(pending instanceof Promise);
  await assert.rejects(pending, { code: "ENOENT" });
});

test("asyncFiles' other reads and its handle's chmod give what fs.promises gives, and so do the synchronous ones", async () => {
  // Synchronous from here on (the test above already turned it on; `check` does for its run where no mount can hang).
  useSynchronousReads();
  const dir = fs.mkdtempSync(path.join(tmp, "more-"));
  const file = path.join(dir, "f.txt");
  fs.writeFileSync(file, "x");
  fs.symlinkSync(file, path.join(dir, "link"));
  const settle = (p: Promise<unknown>) => p.then((v) => ({ ok: v ?? null }), (e: NodeJS.ErrnoException) => ({ err: [e.code, e.syscall] }));
  for (const p of [file, path.join(dir, "link"), path.join(dir, "missing")]) {
    assert.deepEqual(await settle(asyncFiles.access(p, fs.constants.R_OK)), await settle(fs.promises.access(p, fs.constants.R_OK)));
    assert.deepEqual(await settle(asyncFiles.realpath(p)), await settle(fs.promises.realpath(p)));
    assert.deepEqual(await settle(asyncFiles.readlink(p)), await settle(fs.promises.readlink(p)));
    for (const api of [asyncFiles, files]) {
      const settleMsg = (q: Promise<unknown>) => q.then((v) => ({ ok: v ?? null }), (e: NodeJS.ErrnoException) => ({ err: [e.code, e.syscall, e.message] }));
      assert.deepEqual(await settleMsg(api.access(p, fs.constants.R_OK)), await settleMsg(fs.promises.access(p, fs.constants.R_OK)));
      assert.deepEqual(await settleMsg(api.realpath(p)), await settleMsg(fs.promises.realpath(p)));
      assert.deepEqual(await settleMsg(api.readlink(p)), await settleMsg(fs.promises.readlink(p)));
    }
  }
  assert.notEqual(files.access, asyncFiles.access, "the synchronous access");
  const [a, b, c] = await Promise.all([asyncFiles.statfs(dir), fs.promises.statfs(dir), files.statfs(dir)]);
  assert.equal(a.type, b.type);
  assert.equal(a.bsize, b.bsize);
  assert.equal(c.type, b.type);
  assert.equal(c.bsize, b.bsize);
  await assert.rejects(files.statfs(path.join(dir, "missing")), { code: "ENOENT", syscall: "statfs" });
  // The permissions repair: chmod through a descriptor opened read-only (O_DIRECTORY).
  const sub = path.join(dir, "sub");
  fs.mkdirSync(sub, { mode: 0o500 });
  fs.chmodSync(sub, 0o500);
  const fh = await asyncFiles.open(sub, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  await fh.chmod(0o700);
  await fh.close();
  await fh.close(); // a second close is a no-op, as the readers' error paths may call it twice
  assert.equal(fs.statSync(sub).mode & 0o777, 0o700);
  // The synchronous handle's chmod (`check --fix` reading synchronously).
  const sh = await files.open(sub, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  await sh.chmod(0o500);
  await sh.close();
  assert.equal(fs.statSync(sub).mode & 0o777, 0o500);
  fs.chmodSync(sub, 0o700);
});
