import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLayout } from "../agent/config/layout.js";
import { appendCrashHistory, readCrashHistory, type NewCrashHistoryEntry } from "../agent/crash/history.js";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-history-"));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshLayout = () => {
  const d = path.join(root, `b${n++}`);
  fs.mkdirSync(d);
  return resolveLayout(d);
};

const scanEntry = (over: Partial<NewCrashHistoryEntry> = {}): NewCrashHistoryEntry => ({
  source: "scan",
  category: "cuda_oom",
  signature: "cuda_oom/cuda_oom_alloc/abc123abc123",
  file: "/base/logs/train.log",
  line: 120,
  text: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
  suggestion: "lower the batch size",
  details: { byteOffset: 4096 },
  ...over,
});

test("the same crash scanned twice is recorded once; the same message elsewhere in the log is a new crash", async () => {
  const layout = freshLayout();
  const first = await appendCrashHistory(layout, scanEntry());
  assert.equal(first.added, true);
  assert.equal(first.problem, undefined);
  const again = await appendCrashHistory(layout, scanEntry());
  assert.equal(again.added, false);
  assert.equal(again.entry.id, first.entry.id);
  const later = await appendCrashHistory(layout, scanEntry({ line: 900, details: { byteOffset: 81920 } }));
  assert.equal(later.added, true);
  const { entries, problems } = await readCrashHistory(layout);
  assert.deepEqual(problems, []);
  assert.equal(entries.length, 2);
  assert.match(entries[0]!.recordedAt, /^\d{4}-\d\d-\d\dT/);
});

test("watchdog and hang records are events: two identical ones are two entries unless a fingerprint says otherwise", async () => {
  const layout = freshLayout();
  const crash = { source: "watchdog" as const, category: "process_killed", signature: "exit/-9", exitCode: null, signal: "SIGKILL" };
  assert.equal((await appendCrashHistory(layout, crash)).added, true);
  assert.equal((await appendCrashHistory(layout, crash)).added, true);
  const hang = { source: "hang" as const, category: "hang", signature: "hang/io", hangKind: "io", details: { threadsInD: 3 }, fingerprint: "hang-pid-4242-start-99" };
  assert.equal((await appendCrashHistory(layout, hang)).added, true);
  assert.equal((await appendCrashHistory(layout, hang)).added, false);
  const { entries } = await readCrashHistory(layout);
  assert.deepEqual(entries.map((e) => e.source), ["watchdog", "watchdog", "hang"]);
  assert.equal(entries[0]!.signal, "SIGKILL");
  assert.deepEqual(entries[2]!.details, { threadsInD: 3 });
});

test("the history is bounded: the oldest entries are dropped first", async () => {
  const layout = freshLayout();
  for (let i = 0; i < 7; i++) await appendCrashHistory(layout, scanEntry({ line: i, details: { byteOffset: i } }), { maxEntries: 5 });
  const { entries } = await readCrashHistory(layout);
  assert.deepEqual(entries.map((e) => e.line), [2, 3, 4, 5, 6]);
});

test("a legacy array from the old Python tool is kept: unknown entries verbatim, recognisable fields mapped", async () => {
  const layout = freshLayout();
  const legacy = [
    { timestamp: "2025-11-20T10:00:00", crash_type: "cuda_oom", log_file: "logs/train.log", line: "CUDA out of memory", suggestion: "reduce batch" },
    { time: 1732096800.5, type: "process_killed", weird: { nested: [1, 2] } },
    "free text the old tool wrote",
    42,
  ];
  fs.writeFileSync(layout.crashHistoryFile, JSON.stringify(legacy));
  const read = await readCrashHistory(layout);
  assert.deepEqual(read.problems, []);
  assert.equal(read.entries.length, 4);
  assert.equal(read.entries[0]!.category, "cuda_oom");
  assert.equal(read.entries[0]!.file, "logs/train.log");
  assert.equal(read.entries[1]!.recordedAt, new Date(1732096800500).toISOString());
  assert.deepEqual(read.entries.map((e) => e.legacy), legacy);
  await appendCrashHistory(layout, scanEntry());
  const written = JSON.parse(fs.readFileSync(layout.crashHistoryFile, "utf8"));
  assert.equal(written.format, "trainsafe.crash_history");
  assert.deepEqual(written.entries.slice(0, 4).map((e: { legacy: unknown }) => e.legacy), legacy);
  assert.equal(written.entries.length, 5);
  // Reading our own file back keeps the legacy entries as they are (no double wrapping).
  const again = await readCrashHistory(layout);
  assert.deepEqual(again.entries.slice(0, 4).map((e) => e.legacy), legacy);
});

test("a legacy object with a list under 'crashes' keeps its other top-level keys", async () => {
  const layout = freshLayout();
  fs.writeFileSync(layout.crashHistoryFile, JSON.stringify({ version: "0.3", last_check: "yesterday", crashes: [{ crash_type: "timeout" }] }));
  await appendCrashHistory(layout, scanEntry());
  const written = JSON.parse(fs.readFileSync(layout.crashHistoryFile, "utf8"));
  assert.deepEqual(written.legacyTopLevel, { version: "0.3", last_check: "yesterday" });
  assert.deepEqual(written.entries[0].legacy, { crash_type: "timeout" });
  fs.writeFileSync(layout.crashHistoryFile, JSON.stringify({ history: [{ kind: "segfault" }] }));
  const { entries } = await readCrashHistory(layout);
  assert.equal(entries[0]!.category, "segfault");
});

test("a corrupt history file is moved aside (never silently overwritten) and the move is reported", async () => {
  const layout = freshLayout();
  const garbage = '[{"timestamp": "2025-11-20", "crash_type": "cuda_o';
  fs.writeFileSync(layout.crashHistoryFile, garbage);
  const read = await readCrashHistory(layout);
  assert.equal(read.entries.length, 0);
  assert.match(read.problems.join(), /corrupt \(invalid JSON/);
  assert.equal(fs.readFileSync(layout.crashHistoryFile, "utf8"), garbage, "reading never changes the file");
  const r = await appendCrashHistory(layout, scanEntry(), { now: () => new Date("2026-01-02T03:04:05.678Z") });
  assert.equal(r.added, true);
  const aside = `${layout.crashHistoryFile}.corrupt-2026-01-02T03-04-05-678Z`;
  assert.match(r.problem ?? "", /moved aside to/);
  assert.ok(r.problem!.includes(aside));
  assert.equal(fs.readFileSync(aside, "utf8"), garbage);
  assert.equal((await readCrashHistory(layout)).entries.length, 1);
});

test("a history that is a directory or an empty file is reported, not a crash of the reader", async () => {
  const layout = freshLayout();
  fs.writeFileSync(layout.crashHistoryFile, "  \n");
  assert.match((await readCrashHistory(layout)).problems.join(), /was empty/);
  assert.equal((await appendCrashHistory(layout, scanEntry())).added, true);
  const layout2 = freshLayout();
  fs.mkdirSync(layout2.crashHistoryFile);
  assert.match((await readCrashHistory(layout2)).problems.join(), /not a regular file/);
});

test("an abandoned lock (its holder is dead) is taken over", async () => {
  const layout = freshLayout();
  const dead = spawn(process.execPath, ["-e", ""]);
  const deadPid: number = await new Promise((resolve) => dead.on("exit", () => resolve(dead.pid!)));
  fs.writeFileSync(`${layout.crashHistoryFile}.lock`, JSON.stringify({ pid: deadPid, host: os.hostname(), token: "x", at: new Date().toISOString() }));
  const started = Date.now();
  const r = await appendCrashHistory(layout, scanEntry());
  assert.equal(r.added, true);
  assert.ok(Date.now() - started < 2000);
  assert.equal(fs.existsSync(`${layout.crashHistoryFile}.lock`), false);
});

test("concurrent writers in separate processes lose none of each other's entries", async () => {
  const layout = freshLayout();
  const writers = 4;
  const perWriter = 8;
  const script = `
    import { resolveLayout } from ${JSON.stringify(path.join(repo, "agent/config/layout.ts"))};
    import { appendCrashHistory } from ${JSON.stringify(path.join(repo, "agent/crash/history.ts"))};
    const layout = resolveLayout(process.argv[1]);
    for (let i = 0; i < ${perWriter}; i++) {
      const r = await appendCrashHistory(layout, { source: "watchdog", category: "process_killed", signature: "w", fingerprint: "w" + process.argv[2] + "-" + i, exitCode: i });
      if (!r.added || r.problem) { console.error(JSON.stringify(r)); process.exit(1); }
    }`;
  const runs = Array.from({ length: writers }, (_, w) =>
    new Promise<number>((resolve) => {
      const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script, layout.baseDir, String(w)], { cwd: repo, stdio: ["ignore", "ignore", "inherit"] });
      child.on("exit", (code) => resolve(code ?? 1));
    }),
  );
  assert.deepEqual(await Promise.all(runs), Array(writers).fill(0));
  const { entries, problems } = await readCrashHistory(layout);
  assert.deepEqual(problems, []);
  assert.equal(entries.length, writers * perWriter);
  assert.equal(new Set(entries.map((e) => e.fingerprint)).size, writers * perWriter);
});

test("a missing BASE_DIR is reported, not created", async () => {
  const layout = resolveLayout(path.join(root, "does-not-exist"));
  const r = await appendCrashHistory(layout, scanEntry());
  assert.equal(r.added, false);
  assert.match(r.problem ?? "", /does-not-exist does not exist/);
  assert.equal(fs.existsSync(layout.baseDir), false);
});
