/**
 * `trainsafe check`'s start-up in the shipped form (deploy/build.mjs, cli/launch.cts): the checks'
 * script's code cache is written after the checks ran, so that it holds the checks' compiled code
 * (compiling it at every run was ~30 ms of the command's CPU: docs/benchmarks.md, start-up,
 * 2026-12-06 02:40-04:15), and a run from that cache reports what the first run did. Its first few
 * hits rewrite it, so that a first run that compiled little (`check --only disk`, a `check` of an
 * empty folder) does not leave every later `check` compiling the rest (+5.8 ms: docs/benchmarks.md,
 * start-up, 2026-12-06 19:15).
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { buildCopy } from "./helpers/build-copy.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let tmp = "";
let dist = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-check-startup-"));
  // Built from a copy of the sources, so that the repository's own dist/ is left alone.
  const prog = buildCopy(tmp);
  dist = path.join(prog, "dist");
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The checks' script's cache file in dist/.v8-cache (one at a time: older ones are pruned). */
function checksCache(): { file: string; bytes: number } {
  const dir = path.join(dist, ".v8-cache");
  const files = fs.readdirSync(dir).filter((f) => f.startsWith("checks-worker-module-") && f.endsWith(".v8cache"));
  assert.equal(files.length, 1, files.join(" "));
  const file = path.join(dir, files[0]!);
  return { file, bytes: fs.statSync(file).size };
}

test("the checks' code cache holds the checks' compiled code, and a run from it reports what the first run did", () => {
  const base = path.join(tmp, "training");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
  const cacheDir = path.join(dist, ".v8-cache");
  const check = () => {
    const r = spawnSync(process.execPath, [path.join(dist, "trainsafe.cjs"), "check", "--base-dir", base, "--json"], { encoding: "utf8", cwd: tmp, env: { ...process.env, TRAINSAFE_CODE_CACHE: "debug" } });
    assert.equal(r.status, 1, r.stderr);
    const j = JSON.parse(r.stdout);
    return { stderr: r.stderr, checks: j.checks.map((c: { id: string; status: string; message: string }) => [c.id, c.status]) };
  };

  // The script only loaded (no check run): its cache holds the code that loading compiled.
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const load = spawnSync(process.execPath, ["-e", `require(${JSON.stringify(path.join(dist, "checks-worker.module.cjs"))})`], { encoding: "utf8", env: { ...process.env, TRAINSAFE_CODE_CACHE: "debug" } });
  assert.equal(load.status, 0, load.stderr);
  const loadedOnly = checksCache().bytes;

  // A check run: written once loaded, then again at exit with what the checks compiled.
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const first = check();
  assert.equal([...first.stderr.matchAll(/code cache miss .*written: .*checks-worker-module-/g)].length, 2, first.stderr);
  const afterRun = checksCache();
  assert.ok(afterRun.bytes > 2 * loadedOnly, `cache after a run ${afterRun.bytes} bytes, after loading only ${loadedOnly}`);

  const second = check();
  assert.match(second.stderr, /code cache hit \(.*checks-worker-module-/);
  assert.deepEqual(second.checks, first.checks);
  assert.equal(first.checks.length, 15);
  // Its first three hits rewrite it (REFRESH_HITS, cli/launch.cts); a hit after those does not.
  check();
  assert.match(check().stderr, /code cache hit \(.*checks-worker-module-[^)]*\); written: /);
  const settled = checksCache();
  const stamp = fs.statSync(settled.file).mtimeMs;
  const later = check();
  assert.match(later.stderr, /code cache hit \(.*checks-worker-module-[^)]*\)\n/);
  assert.doesNotMatch(later.stderr, /written/);
  assert.deepEqual(later.checks, first.checks);
  assert.equal(fs.statSync(settled.file).mtimeMs, stamp, "a settled cache was rewritten");
});

test("a first check that compiled little (--only disk, an empty folder) leaves a cache that the next checks complete, not one every later check compiles around", () => {
  const base = path.join(tmp, "training-first-runs");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
  const empty = path.join(tmp, "empty-folder");
  fs.mkdirSync(empty, { recursive: true });
  const cacheDir = path.join(dist, ".v8-cache");
  const check = (...args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(dist, "trainsafe.cjs"), "check", ...args], { encoding: "utf8", cwd: tmp, env: { ...process.env, TRAINSAFE_CODE_CACHE: "debug" } });
    assert.ok(r.status === 0 || r.status === 1, r.stderr);
    return r.stderr;
  };
  // What a first full check of the folder leaves: the measure of a complete cache.
  fs.rmSync(cacheDir, { recursive: true, force: true });
  check("--base-dir", base);
  const full = checksCache().bytes;

  for (const first of [["--base-dir", base, "--only", "disk"], ["--base-dir", empty]]) {
    fs.rmSync(cacheDir, { recursive: true, force: true });
    check(...first);
    const partial = checksCache().bytes;
    assert.ok(partial < 0.9 * full, `${first.join(" ")}: first cache ${partial} bytes, a full run's ${full}: nothing to complete`);
    // The next full check runs from that cache and rewrites it with what it compiled besides.
    const next = check("--base-dir", base);
    const completed = checksCache().bytes;
    assert.ok(completed >= 0.98 * full, `${first.join(" ")} then check: cache ${completed} bytes, a first full check's ${full}`);
    assert.match(next, /code cache hit \(.*checks-worker-module-[^)]*\); written: /);
    // A later run that compiles little again keeps what the cache holds.
    check(...first);
    assert.ok(checksCache().bytes >= 0.98 * full, `${first.join(" ")} again shrank the cache to ${checksCache().bytes} bytes`);
  }
});

test("check loads neither node:crypto, perf_hooks, worker_threads, node:os nor node:module (~4, ~2, ~0.4, ~0.1 and ~0.9 ms of its CPU) and still saves the progress check's state", () => {
  const base = path.join(tmp, "training-modules");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
  const probe = path.join(tmp, "modules-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\nloaded: ${JSON.stringify(["crypto", "perf_hooks", "worker_threads", "os", "module"].filter((m) => process.moduleLoadList.includes(`NativeModule ${m}`)))}\\n`));\n');
  const stateFile = path.join(base, ".trainsafe", "check_state.json");
  fs.rmSync(stateFile, { force: true });
  const r = spawnSync(process.execPath, ["-r", probe, path.join(dist, "trainsafe.cjs"), "check", "--base-dir", base], { encoding: "utf8", cwd: tmp });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /loaded: \[\]/);
  assert.match(r.stdout, /progress/);
  assert.ok(JSON.parse(fs.readFileSync(stateFile, "utf8")).progress, "check_state.json has no progress entry");
  assert.deepEqual(fs.readdirSync(path.dirname(stateFile)).filter((f) => f.endsWith(".tmp")), []);
});

test("neither a scan and resume verify, which read synchronously, nor check, which reads through node's callbacks (lib/fs-mode.ts asyncFiles), loads fs.promises (~0.6 ms with readline and the watchers, ~1 ms with its first calls)", () => {
  const base = path.join(tmp, "training-fs-promises");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
  const probe = path.join(tmp, "fs-promises-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\nfs.promises loaded: ${process.moduleLoadList.includes("NativeModule internal/fs/promises")}\\n`));\n');
  const run = (args: string[], script: string[] = [path.join(dist, "trainsafe.cjs")]) => {
    const r = spawnSync(process.execPath, ["-r", probe, ...script, ...args], { encoding: "utf8", cwd: tmp });
    assert.ok(r.status === 0 || r.status === 1, `${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    const m = /fs\.promises loaded: (true|false)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    return { loaded: m[1] === "true", stdout: r.stdout };
  };
  const file = run(["crash", "scan", "--file", path.join(base, "logs", "train.log"), "--no-history"]);
  assert.equal(file.loaded, false, "crash scan --file loaded fs.promises");
  assert.match(file.stdout, /cuda_oom/);
  const folder = run(["crash", "scan", "--base-dir", base, "--no-history"]);
  assert.equal(folder.loaded, false, "crash scan of BASE_DIR loaded fs.promises");
  assert.match(folder.stdout, /cuda_oom/);
  const resume = run(["resume", "verify", "--base-dir", base]);
  assert.equal(resume.loaded, false, "resume verify loaded fs.promises");
  assert.match(resume.stdout, /checkpoint-1500/);
  // check, with every check (the progress check saves its state: an atomic write, and a folder made sure of).
  const check = run(["check", "--base-dir", base]);
  assert.equal(check.loaded, false, "check loaded fs.promises");
  assert.match(check.stdout, /checkpoint-1500/);
  // The probe sees it where it is used.
  assert.equal(run([], ["-e", 'require("fs").promises.stat(".")']).loaded, true);
});
