import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const fixtures = path.join(repo, "test", "fixtures", "crash");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-crash-cli-"));
test.after(() => fs.rmSync(root, { recursive: true, force: true }));

let n = 0;
function baseDir(files: Record<string, string> = {}): string {
  const d = path.join(root, `b${n++}`);
  fs.mkdirSync(path.join(d, "logs"), { recursive: true });
  for (const [rel, fixture] of Object.entries(files)) fs.copyFileSync(path.join(fixtures, fixture), path.join(d, rel));
  return d;
}

function run(args: string[], input?: string, cwd = root): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env.TRAINSAFE_CONFIG;
    delete env.TRAINSAFE_BASE_DIR;
    const child = spawn(process.execPath, [path.join(repo, "bin", "trainsafe.js"), ...args], { cwd, env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}

test("healthy logs: exit 0, human summary and --json with a null primary", async () => {
  const d = baseDir({ "logs/train.log": "healthy/llamafactory-2565-training-arguments-dump.log", "training_output.log": "healthy/rvt-40-max-steps-reached.log" });
  const human = await run(["crash", "scan", "-b", d]);
  assert.equal(human.code, 0, human.stderr);
  assert.match(human.stdout, /No crash found in 2 file\(s\)/);
  const json = await run(["crash", "scan", "-b", d, "--json"]);
  assert.equal(json.code, 0);
  const out = JSON.parse(json.stdout);
  assert.equal(out.primary, null);
  assert.deepEqual(out.findings, []);
  assert.deepEqual(out.files.map((f: { file: string }) => path.relative(d, f.file)).sort(), ["logs/train.log", "training_output.log"]);
  assert.equal(fs.existsSync(path.join(d, ".crash_history.json")), false);
});

test("a cascade: exit 1, the cause is primary, --json shape, recorded once however often it is scanned", async () => {
  const d = baseDir({ "logs/rank.log": "cuda_oom/funasr-2006-rank2-oom-then-nccl-watchdog.log" });
  const first = await run(["crash", "scan", "-b", d, "--json"]);
  assert.equal(first.code, 1, first.stderr);
  const out = JSON.parse(first.stdout);
  assert.equal(out.primary.category, "cuda_oom");
  assert.equal(out.primary.file, path.join(d, "logs", "rank.log"));
  assert.equal(out.primary.line, 1);
  assert.match(out.primary.text, /CUDA out of memory/);
  assert.match(out.primary.suggestion, /336\.00 MiB/);
  assert.match(out.primary.suggestion, /expandable_segments:True/);
  for (const f of out.findings) for (const k of ["category", "ruleId", "role", "file", "line", "text", "suggestion", "signature"]) assert.ok(k in f, k);
  assert.ok(out.findings.some((f: { category: string }) => f.category === "nccl_error"));
  assert.equal(out.history.added, true);
  const human = await run(["crash", "scan", "-b", d]);
  assert.equal(human.code, 1);
  assert.match(human.stdout, /^CRASH: cuda_oom \(rule cuda_oom_alloc, cause\)\n {2}at logs\/rank\.log:1\n/);
  assert.match(human.stdout, /Secondary findings[\s\S]*nccl_watchdog_timeout/);
  assert.match(human.stdout, /Already recorded/);
  const hist = await run(["crash", "history", "-b", d, "--json"]);
  assert.equal(hist.code, 0);
  const h = JSON.parse(hist.stdout);
  assert.equal(h.entries.length, 1);
  assert.equal(h.entries[0].category, "cuda_oom");
  assert.equal(h.entries[0].source, "scan");
  const table = await run(["crash", "history", "-b", d]);
  assert.match(table.stdout, /RECORDED\s+SOURCE\s+CATEGORY\s+WHERE\s+TEXT\n\S+\s+scan\s+cuda_oom\s+logs\/rank\.log:1\s/);
});

test("--file on a missing file is a usage error naming the file (exit 2)", async () => {
  const d = baseDir();
  const missing = path.join(d, "nope.log");
  const r = await run(["crash", "scan", "-b", d, "--file", missing]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(missing), r.stderr);
  assert.equal(r.stdout, "");
});

test("bad option values are usage errors (exit 2)", async () => {
  const d = baseDir();
  for (const args of [["-n", "0"], ["--last-n-lines", "ten"], ["--all", "-n", "5"]]) {
    const r = await run(["crash", "scan", "-b", d, ...args]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
  }
});

test("stdin ('-') and repeated --file; a directory given with --file is a per-file problem", async () => {
  const d = baseDir();
  const text = fs.readFileSync(path.join(fixtures, "timeout/controlnet-382-c10d-client-socket-timeout.log"), "utf8");
  const r = await run(["crash", "scan", "-b", d, "--json", "--no-history", "--file", "-", "--file", path.join(d, "logs")], text);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.primary.category, "timeout");
  assert.equal(out.primary.file, "-");
  assert.equal(out.primary.line, 2);
  assert.match(out.files.find((f: { file: string }) => f.file.endsWith("logs")).problem, /directory/);
  assert.equal(fs.existsSync(path.join(d, ".crash_history.json")), false, "--no-history records nothing");
});

test("--last-n-lines limits what is read; --all reads everything", async () => {
  const d = baseDir();
  const lines = ["OSError: [Errno 28] No space left on device", ...Array.from({ length: 50 }, (_, i) => `step ${i} loss=1.0`)];
  fs.writeFileSync(path.join(d, "logs", "train.log"), lines.join("\n") + "\n");
  const tail = await run(["crash", "scan", "-b", d, "-n", "50", "--json"]);
  assert.equal(tail.code, 0);
  assert.equal(JSON.parse(tail.stdout).files[0].linesRead, 50);
  const all = await run(["crash", "scan", "-b", d, "--all", "--json", "--no-history"]);
  assert.equal(all.code, 1);
  assert.equal(JSON.parse(all.stdout).primary.category, "disk_full");
});

test("a bad extra rules file in the settings is a config error naming the rule and field (exit 2)", async () => {
  const d = baseDir({ "logs/train.log": "healthy/megatron-1880-iteration-line.log" });
  fs.writeFileSync(path.join(d, "rules.json"), JSON.stringify({ version: 1, rules: [{ id: "mine", category: "cuda_oom", severity: "fatal", role: "cause", patterns: ["(oops"], suggestion: "never used" }] }));
  const settings = path.join(d, "trainsafe.json");
  fs.writeFileSync(settings, JSON.stringify({ baseDir: d, crash: { rulesFile: "rules.json" } }));
  const r = await run(["crash", "scan", "-c", settings]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /rules\.json: rules\[0\] \(id mine\)\.patterns\[0\]: invalid regular expression/);
});

test("crash history reports a corrupt file (exit 1) without touching it", async () => {
  const d = baseDir();
  const file = path.join(d, ".crash_history.json");
  fs.writeFileSync(file, "{broken");
  const r = await run(["crash", "history", "-b", d]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /problem: .*corrupt/);
  assert.equal(fs.readFileSync(file, "utf8"), "{broken");
});

test("crash scan --file without --base-dir records nothing in the current folder; with --base-dir it records there", async () => {
  const cwd = fs.mkdtempSync(path.join(root, "cwd-"));
  const log = path.join(fixtures, "cuda_oom", "funasr-2006-rank2-oom-then-nccl-watchdog.log");
  const r = await run(["crash", "scan", "--file", log, "--json"], undefined, cwd);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.primary.category, "cuda_oom");
  assert.equal(out.history, undefined);
  const human = await run(["crash", "scan", "--file", log], undefined, cwd);
  assert.equal(human.code, 1);
  assert.deepEqual(fs.readdirSync(cwd), [], "nothing written into the folder the user stood in");
  const d = baseDir();
  const rec = await run(["crash", "scan", "-b", d, "--file", log, "--json"], undefined, cwd);
  assert.equal(JSON.parse(rec.stdout).history.added, true);
  assert.ok(fs.existsSync(path.join(d, ".crash_history.json")));
  assert.deepEqual(fs.readdirSync(cwd), []);
});

test("a log ending in a traceback no rule knows: python_exception with the exception and the user's frame, exit 1", async () => {
  const cwd = fs.mkdtempSync(path.join(root, "cwd-"));
  const log = path.join(repo, "test", "fixtures", "tracebacks", "torchrun-child-filenotfound.log");
  const r = await run(["crash", "scan", "--file", log], undefined, cwd);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /CRASH: python_exception \(rule python_traceback, cause\)/);
  assert.match(r.stdout, /FileNotFoundError: \[Errno 2\] No such file or directory/);
  assert.match(r.stdout, /Innermost frame of your code: \S+train\.py:7 in <module>/);
});
