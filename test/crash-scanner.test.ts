import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import fc from "fast-check";
import { resolveLayout } from "../agent/config/layout.js";
import { resolveSettings } from "../agent/config/settings.js";
import { loadRules } from "../agent/crash/rules.js";
import { defaultLogFiles, MAX_FINDINGS_PER_FILE, scanBaseDir, scanFiles, STALE_FILE_WINDOW_MS } from "../agent/crash/scanner.js";

const rules = await loadRules();
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-scan-"));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => {
  const d = path.join(root, `d${n++}`);
  fs.mkdirSync(d, { recursive: true });
  return d;
};
const healthy = (count: number, from = 0) => Array.from({ length: count }, (_, i) => `step ${from + i} loss=2.31 lr=1e-5 ddp_timeout=1800`);

const OOM = "[rank2]: torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 336.00 MiB. GPU  has a total capacity of 79.15 GiB";
const WATCHDOG = "[rank5]:[E ProcessGroupNCCL.cpp:563] [Rank 5] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=15734, OpType=ALLREDUCE, NumelIn=220084533, NumelOut=220084533, Timeout(ms)=600000) ran for 600037 milliseconds before timing out.";

test("across rank logs the cause wins over symptoms, whatever the file order", async () => {
  const d = freshDir();
  const a = path.join(d, "a-rank5.log");
  const z = path.join(d, "z-rank2.log");
  fs.writeFileSync(a, [...healthy(20), WATCHDOG].join("\n") + "\n");
  fs.writeFileSync(z, [...healthy(20), OOM].join("\n") + "\n");
  const r = await scanFiles([a, z], { rules });
  assert.equal(r.primary?.category, "cuda_oom");
  assert.equal(r.primary?.file, z);
  assert.equal(r.primary?.line, 21);
  assert.ok(r.findings.some((f) => f.category === "nccl_error" && f.file === a));
});

test("a log last written long before the newest one cannot hold the primary (stale)", async () => {
  const d = freshDir();
  const old = path.join(d, "old.log");
  const cur = path.join(d, "current.log");
  fs.writeFileSync(old, OOM + "\n");
  fs.writeFileSync(cur, WATCHDOG + "\n");
  const past = (Date.now() - STALE_FILE_WINDOW_MS - 3_600_000) / 1000;
  fs.utimesSync(old, past, past);
  const r = await scanFiles([old, cur], { rules });
  assert.equal(r.primary?.category, "nccl_error");
  assert.equal(r.files.find((f) => f.file === old)?.stale, true);
  assert.ok(r.findings.some((f) => f.category === "cuda_oom"), "the old crash is still listed");
});

test("only the last incident of a file can be primary; a gap of more than incidentGapLines starts a new one", async () => {
  const d = freshDir();
  const file = path.join(d, "train.log");
  const gap = rules.incidentGapLines;
  fs.writeFileSync(file, [OOM, ...healthy(gap + 10), "Killed"].join("\n") + "\n");
  const r = await scanFiles([file], { rules, all: true });
  assert.equal(r.primary?.ruleId, "killed_shell_report");
  const oom = r.findings.find((f) => f.category === "cuda_oom")!;
  assert.equal(oom.finalIncident, false);
  // Within the gap, the OOM is part of the same incident and, being a cause, it wins.
  fs.writeFileSync(file, [OOM, ...healthy(gap - 10), "Killed"].join("\n") + "\n");
  const r2 = await scanFiles([file], { rules, all: true });
  assert.equal(r2.primary?.category, "cuda_oom");
  assert.equal(r2.primary?.line, 1);
});

test("whole-file scans give the same findings (lines, byte offsets) for any chunk size", async () => {
  const d = freshDir();
  const crashLines = [OOM, WATCHDOG, "Killed", "OSError: [Errno 28] No space left on device", "已杀死", "Segmentation fault (core dumped)"];
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.constantFrom(...crashLines), fc.constantFrom("step 1 loss=2.0", "", "é日本 ok", "x".repeat(70))), { minLength: 1, maxLength: 60 }),
      fc.integer({ min: 8, max: 200 }),
      fc.boolean(),
      async (lines, chunkBytes, finalNewline) => {
        const file = path.join(d, "p.log");
        const text = lines.join("\n") + (finalNewline ? "\n" : "");
        fs.writeFileSync(file, text);
        const expected: Array<[number, number, string]> = [];
        const bytes = Buffer.from(text);
        let offset = 0;
        lines.forEach((l, i) => {
          if (crashLines.includes(l)) expected.push([i + 1, offset, l]);
          offset += Buffer.byteLength(l) + 1;
        });
        const r = await scanFiles([file], { rules, all: true, chunkBytes });
        assert.deepEqual(r.findings.map((f) => [f.line, f.byteOffset, f.text]), expected);
        assert.equal(r.files[0]!.linesRead, lines.length - (finalNewline || lines.at(-1) !== "" ? 0 : 1));
        for (const f of r.findings) assert.equal(bytes.subarray(f.byteOffset!, f.byteOffset! + Buffer.byteLength(f.text)).toString(), f.text);
        const tail = await scanFiles([file], { rules, lastNLines: 1000 });
        assert.deepEqual(tail.findings.map((f) => [f.line, f.byteOffset]), expected.map(([l, o]) => [l, o]));
      },
    ),
    { numRuns: 60 },
  );
});

test("large files in tail mode: line numbers count from the end, byte offsets stay exact", async () => {
  const d = freshDir();
  const file = path.join(d, "big.log");
  const body = healthy(120_000).join("\n") + "\n";
  fs.writeFileSync(file, body + [OOM, "step x", "step y"].join("\n") + "\n");
  assert.ok(fs.statSync(file).size > 4 * 1024 * 1024);
  const r = await scanFiles([file], { rules, lastNLines: 10 });
  assert.equal(r.files[0]!.lineNumbersFromEnd, true);
  assert.equal(r.files[0]!.linesRead, 10);
  assert.equal(r.primary?.line, -3);
  assert.equal(r.primary?.byteOffset, Buffer.byteLength(body));
  const all = await scanFiles([file], { rules, all: true });
  assert.equal(all.primary?.line, 120_001);
  assert.equal(all.primary?.byteOffset, r.primary?.byteOffset);
});

test("bad files give per-file problems, never a crash: directory, binary, FIFO, missing", async () => {
  const d = freshDir();
  const dirLog = path.join(d, "dir.log");
  fs.mkdirSync(dirLog);
  const bin = path.join(d, "bin.log");
  const junk = Buffer.alloc(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919) % 256;
  fs.writeFileSync(bin, Buffer.concat([junk, Buffer.from("\nSegmentation fault (core dumped)\nKilled\n")]));
  const fifo = path.join(d, "pipe.log");
  execFileSync("mkfifo", [fifo]);
  const missing = path.join(d, "missing.log");
  for (const all of [false, true]) {
    const r = await scanFiles([dirLog, bin, fifo, missing], { rules, all });
    assert.equal(r.primary, null);
    assert.deepEqual(r.findings, []);
    const problem = (f: string) => r.files.find((x) => x.file === f)?.problem ?? "";
    assert.match(problem(dirLog), /directory/);
    assert.match(problem(bin), /looks binary/);
    assert.match(problem(fifo), /not a regular file/);
    assert.match(problem(missing), /does not exist/);
  }
});

test("a log zero-filled at the end (power loss) is still scanned; a file of only zeros has no findings", async () => {
  const d = freshDir();
  const file = path.join(d, "powerloss.log");
  fs.writeFileSync(file, Buffer.concat([Buffer.from([...healthy(10), OOM, "step 11"].join("\n") + "\n"), Buffer.alloc(256 * 1024)]));
  for (const all of [false, true]) {
    const r = await scanFiles([file], { rules, all });
    assert.equal(r.files[0]!.problem, undefined);
    assert.equal(r.primary?.category, "cuda_oom");
    assert.equal(r.primary?.line, 11);
  }
  const zeros = path.join(d, "zeros.log");
  fs.writeFileSync(zeros, Buffer.alloc(100_000));
  const z = await scanFiles([zeros], { rules });
  assert.equal(z.primary, null);
  assert.equal(z.files[0]!.problem, undefined);
});

test("an unreadable log is a per-file problem", { skip: process.getuid?.() === 0 ? "running as root: file permissions are not enforced" : false }, async () => {
  const d = freshDir();
  const file = path.join(d, "secret.log");
  fs.writeFileSync(file, "Killed\n");
  fs.chmodSync(file, 0o000);
  const r = await scanFiles([file], { rules });
  assert.match(r.files[0]!.problem ?? "", /permission denied/);
  assert.equal(r.primary, null);
});

test("lines longer than the tail limit are skipped with a problem; the lines after them are scanned", async () => {
  const d = freshDir();
  const file = path.join(d, "long.log");
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, "x".repeat(33 * 1024 * 1024) + "\n");
  fs.writeSync(fd, "Killed\n");
  fs.closeSync(fd);
  const r = await scanFiles([file], { rules, lastNLines: 1000 });
  assert.match(r.files[0]!.problem ?? "", /span more than/);
  assert.equal(r.primary?.ruleId, "killed_shell_report");
});

test("stdin ('-') is scanned in tail and whole mode with absolute line numbers", async () => {
  const lines = [...healthy(300_000), OOM, "step after"];
  const text = lines.join("\n") + "\n";
  const tail = await scanFiles(["-"], { rules, lastNLines: 5, stdin: Readable.from([Buffer.from(text)]) });
  assert.equal(tail.primary?.line, 300_001);
  assert.equal(tail.files[0]!.linesRead, 5);
  assert.equal(tail.primary?.byteOffset, text.indexOf(OOM));
  const chunks = [];
  for (let i = 0; i < text.length; i += 1_000_003) chunks.push(Buffer.from(text.slice(i, i + 1_000_003)));
  const all = await scanFiles(["-"], { rules, all: true, stdin: Readable.from(chunks) });
  assert.equal(all.primary?.line, 300_001);
  assert.equal(all.files[0]!.linesRead, lines.length);
});

test("findings are capped per file; the first of each rule is kept and the rest counted", async () => {
  const d = freshDir();
  const file = path.join(d, "many.log");
  const lines = Array.from({ length: MAX_FINDINGS_PER_FILE + 500 }, () => WATCHDOG);
  lines.push(OOM);
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const r = await scanFiles([file], { rules, all: true });
  assert.equal(r.findings.length, MAX_FINDINGS_PER_FILE + 1);
  assert.equal(r.files[0]!.droppedFindings, 500);
  assert.equal(r.primary?.category, "cuda_oom");
});

test("default logs: BASE_DIR/logs/*.log without trainsafe's own logs, then training_output.log", async () => {
  const d = freshDir();
  const layout = resolveLayout(d);
  assert.deepEqual(await defaultLogFiles(layout), []);
  fs.mkdirSync(layout.logsDir);
  for (const name of ["b.log", "a.log", "watchdog.log", "anti_stuck.log", "notes.txt"]) fs.writeFileSync(path.join(layout.logsDir, name), "x\n");
  fs.writeFileSync(layout.outputLog, "x\n");
  assert.deepEqual(await defaultLogFiles(layout), [path.join(layout.logsDir, "a.log"), path.join(layout.logsDir, "b.log"), layout.outputLog]);
});

test("scanBaseDir uses the settings: lastNLines and an extra rules file relative to BASE_DIR", async () => {
  const d = freshDir();
  fs.mkdirSync(path.join(d, "logs"));
  fs.writeFileSync(path.join(d, "logs", "train.log"), ["our_loader: shard 17 unreachable", ...healthy(50)].join("\n") + "\n");
  fs.writeFileSync(
    path.join(d, "site-rules.json"),
    JSON.stringify({ version: 1, rules: [{ id: "site_shard", category: "timeout", severity: "fatal", role: "cause", patterns: ["shard (?<n>\\d+) unreachable"], suggestion: "remount shard {n}" }] }),
  );
  const few = resolveSettings({ crash: { lastNLines: 20, rulesFile: "site-rules.json" } }, { baseDir: d });
  assert.equal((await scanBaseDir(few)).primary, null);
  const many = resolveSettings({ crash: { lastNLines: 100, rulesFile: "site-rules.json" } }, { baseDir: d });
  const r = await scanBaseDir(many);
  assert.equal(r.primary?.ruleId, "site_shard");
  assert.equal(r.primary?.suggestion, "remount shard 17");
});

test("signature normalisation: the same text as the former token regex, and linear on a long token without a digit", { timeout: 10_000 }, async () => {
  const { normalizeForSignature } = await import("../agent/crash/signature.js");
  // The former form, quadratic on a long digit-free token (fuzz seed 660848: 3.4 s for one 34 KB line).
  const former = (text: string) => text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/(?:[A-Za-z]:)?(?:[\\/][\w.@+~-]+){2,}[\\/]?/g, "<path>").replace(/\b\d+(?:\.\d+)?\s?[KMGTPE]i?B\b/gi, "<size>").replace(/[^\s'"(),=<>[\]{}]*\d[^\s'"(),=<>[\]{}]*/g, "#").replace(/\s+/g, " ").trim().toLowerCase();
  const piece = fc.constantFrom("a", "7", " ", "(", "=", "'", "/x", "GiB", "\x1b[31m", "node-17", "[", "}", "\t", "0x1f");
  fc.assert(fc.property(fc.array(piece, { maxLength: 60 }), (parts) => normalizeForSignature(parts.join("")) === former(parts.join(""))), { numRuns: 2000 });
  assert.equal(normalizeForSignature(`RuntimeError: ${"A".repeat(1_000_000)} at gpu-node-17`), `runtimeerror: ${"a".repeat(1_000_000)} at #`);
});
