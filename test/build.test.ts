/**
 * The shipped form (deploy/build.mjs: dist/trainsafe.cjs run by plain node) runs every local command
 * as the sources do: same exit code, same findings and checks, and loads no package from node_modules
 * except the native addon (packages are bundled for start-up speed, issue 13 item 2). Its local commands
 * run from per-command scripts with a V8 code cache (cli/launch.cts): a missing, damaged, stale or
 * refused cache is ignored and rewritten, and a cache folder that cannot be written costs nothing.
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import { builtinModules } from "node:module";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import zlib from "node:zlib";
import { buildCopy } from "./helpers/build-copy.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let tmp = "";
let bundle = "";
let esm = "";
let base = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-build-test-"));
  // Built from a copy of the sources, so that the repository's own dist/ is left alone.
  const prog = buildCopy(tmp);
  bundle = path.join(prog, "dist", "trainsafe.cjs");
  esm = path.join(prog, "dist", "trainsafe.mjs");
  base = path.join(tmp, "training");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(entry: string, args: string[], env: Record<string, string> = {}, uid?: number): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: "utf8", cwd: tmp, env: { ...process.env, ...env }, ...(uid !== undefined ? { uid, gid: uid } : {}) });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test("the bundle imports no package but the native addon", () => {
  const dist = path.dirname(bundle);
  const files = fs.readdirSync(dist).filter((x) => /\.[cm]js$/.test(x) && x !== "training_daemon.mjs");
  assert.ok(files.includes("crash.cjs") && files.includes("trainsafe.mjs"), files.join(" "));
  for (const f of files) {
    const text = fs.readFileSync(path.join(dist, f), "utf8");
    const pkgs = [...text.matchAll(/^(?:import|export)\b[^\n]*?\bfrom\s*"([^".][^"]*)";$|\bimport\("([^".][^"]*)"\)|\brequire\("([^".][^"]*)"\)/gm)].map((m) => (m[1] ?? m[2] ?? m[3])!).filter((s) => !s.startsWith("node:") && !builtinModules.includes(s));
    assert.deepEqual([...new Set(pkgs)].filter((p) => p !== "better-sqlite3"), [], `${f} imports packages`);
  }
});

test("every local command gives the same result from the bundle as from the sources", () => {
  const dev = path.join(ROOT, "bin", "trainsafe.js");
  const log = path.join(base, "logs", "train.log");
  const cases: Array<{ args: string[]; pick: (j: any) => unknown }> = [
    { args: ["crash", "scan", "--file", log, "--no-history", "--json"], pick: (j) => [j.primary?.category, j.primary?.ruleId, j.primary?.line] },
    { args: ["crash", "scan", "--base-dir", base, "--no-history", "--json"], pick: (j) => [j.primary?.category, j.primary?.file, j.primary?.line] },
    { args: ["check", "--base-dir", base, "--json"], pick: (j) => j.checks.map((c: any) => [c.id, c.status]) },
    { args: ["config", "validate", "--base-dir", base, "--json"], pick: (j) => j.ok ?? j.valid ?? Object.keys(j).sort() },
    { args: ["resume", "verify", "--base-dir", base, "--json"], pick: (j) => JSON.stringify(j).length > 2 && Object.keys(j).sort() },
    { args: ["crash", "history", "--base-dir", base, "--json"], pick: (j) => j },
  ];
  for (const c of cases) {
    const a = run(bundle, c.args);
    const b = run(dev, c.args);
    assert.equal(a.status, b.status, `${c.args.join(" ")}: exit ${a.status} (bundle) vs ${b.status} (sources): ${a.stderr}`);
    assert.ok(a.status === 0 || a.status === 1, `${c.args.join(" ")}: exit ${a.status}: ${a.stderr}`);
    assert.deepEqual(c.pick(JSON.parse(a.stdout)), c.pick(JSON.parse(b.stdout)), c.args.join(" "));
  }
  // The crash in examples/training is found by the bundle (not just equal failures).
  const scan = JSON.parse(run(bundle, cases[0]!.args).stdout);
  assert.equal(scan.primary.category, "cuda_oom");
  assert.equal(run(bundle, ["--version"]).stdout.trim(), "0.1.0");
  // The ES module CLI (every other command, through the same entry) still runs a local command too.
  assert.deepEqual(cases[0]!.pick(JSON.parse(run(esm, cases[0]!.args).stdout)), cases[0]!.pick(scan));
  assert.match(run(bundle, ["--help"]).stdout, /controller/);
  const usage = run(bundle, ["crash", "scan", "--last-n-lines", "x"]);
  assert.equal(usage.status, 2, usage.stderr);
});

test("the local scripts are written inside CommonJS's function wrapper, which the launcher then does not add again", () => {
  // Wrapping at run time copied each script into a second string at every start (~1 ms of `check`).
  const dist = path.dirname(bundle);
  const launcher = fs.readFileSync(bundle, "latin1");
  for (const f of ["check", "crash", "config", "resume", "checks-worker"]) {
    const text = fs.readFileSync(path.join(dist, `${f}.cjs`), "latin1");
    assert.ok(text.startsWith("(function (exports, require, module, __filename, __dirname) {"), `${f}.cjs starts with the wrapper`);
    assert.ok(text.endsWith("\n})"), `${f}.cjs ends with the wrapper`);
    assert.match(launcher, new RegExp(`"?${f}"?: \\{ file: "${f}\\.cjs"[^}]*wrapped: true`), `the launcher knows ${f}.cjs is wrapped`);
  }
  // Run as built (the same text compiled as read): the commands above and below give the sources' results.
});

test("every local script is ASCII and read as latin1, String.raw templates with emoji included; their node:path is the fast path", () => {
  // A String.raw template with MLflow's emoji (agent/crash/traceback.ts) left the crash and checks scripts
  // non-ASCII: read as utf8, and held by V8 two bytes a character (0.98 MB for the checks' script).
  const dist = path.dirname(bundle);
  const launcher = fs.readFileSync(bundle, "latin1");
  for (const f of ["check", "crash", "config", "resume", "checks-worker"]) {
    const text = fs.readFileSync(path.join(dist, `${f}.cjs`), "latin1");
    assert.doesNotMatch(text, /[^\x00-\x7f]/, `${f}.cjs is not ASCII`);
    assert.match(launcher, new RegExp(`"?${f}"?: \\{ file: "${f}\\.cjs", encoding: "latin1"`), `the launcher reads ${f}.cjs as latin1`);
    // agent/lib/fast-path.ts (test/fast-path.test.ts): node's normalizeString was TurboFan-compiled at every check.
    assert.match(text, /fastPath\(import_node_path\d*\.default\)|fastPath\(import_node_path\d*\)/, `${f}.cjs's node:path is the fast path`);
  }
  // The emoji come back where they were: each script holds them as substitutions of a String.raw, whose
  // value is the source's text (evaluated here as the script would).
  for (const f of ["crash", "checks-worker"]) {
    const raw = /String\.raw`[^`]*View run[^`]*`/.exec(fs.readFileSync(path.join(dist, `${f}.cjs`), "latin1"));
    assert.ok(raw && raw[0].includes('${"\\ud83c"}${"\\udfc3"}'), `${f}.cjs: MLflow's String.raw as substitutions`);
    const value = vm.runInNewContext(raw[0]) as string;
    assert.ok(value.includes("|^\u{1F3C3} View run |^\u{1F9EA} View experiment |"), `${f}.cjs: ${value.slice(0, 120)}`);
  }
});

test("each local script copies node:fs's, node:path's and node:os's namespaces once, not once per source file", () => {
  // esbuild's __toESM copies a built-in's members (node:fs has over 100) for every file importing it: 25
  // copies made at each `check` (~0.75 ms) before the build's builtins-once facade.
  const dist = path.dirname(bundle);
  for (const f of ["check", "crash", "config", "resume", "checks-worker"]) {
    const text = fs.readFileSync(path.join(dist, `${f}.cjs`), "latin1");
    for (const m of ["fs", "path", "os"]) {
      const copies = text.split(`__toESM(require("node:${m}")`).length - 1;
      assert.ok(copies <= 1, `${f}.cjs copies node:${m} ${copies} times`);
    }
  }
});

test("check's checks run from a script of their own (in check's main thread, in the agent's worker), with its own code cache; check's script holds none of them", () => {
  const dist = path.dirname(bundle);
  const script = (f: string) => fs.readFileSync(path.join(dist, f), "latin1");
  // The Xid check's pattern and the pre-validated crash rules stand for the checks' code and what it loads.
  for (const marker of ["NVRM: Xid", '"heads":[[']) {
    assert.ok(!script("check.cjs").includes(marker), `check.cjs holds ${marker}`);
    assert.ok(script("checks-worker.cjs").includes(marker), `checks-worker.cjs lacks ${marker}`);
  }
  const cacheDir = path.join(dist, ".v8-cache");
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const check = (entry = bundle) => {
    const r = run(entry, ["check", "--base-dir", base, "--json"], { TRAINSAFE_CODE_CACHE: "debug" });
    assert.equal(r.status, 1, r.stderr);
    return { stderr: r.stderr, checks: JSON.parse(r.stdout).checks.map((c: any) => [c.id, c.status]) };
  };
  const first = check();
  assert.match(first.stderr, /code cache miss .*written: .*checks-worker-module-[0-9a-f]{8}\.v8cache/);
  const second = check();
  assert.match(second.stderr, /code cache hit \(.*checks-worker-module-/);
  assert.deepEqual(second.checks, first.checks);
  assert.equal(first.checks.length, 15);
  // The two scripts and their two caches are read into one reused buffer (grown once, for the larger
  // checks' script), not a fresh one per file; the caches a hit rewrites from it are whole: the next run hits both.
  assert.match(second.stderr, /scripts and caches: 4 file\(s\) read into 2 buffer\(s\)/);
  const third = check();
  assert.match(third.stderr, /code cache hit \(.*\/check-[0-9a-f]{8}\.v8cache\)/);
  assert.match(third.stderr, /code cache hit \(.*checks-worker-module-/);
  assert.doesNotMatch(third.stderr, /damaged|rejected/);
  assert.deepEqual(third.checks, first.checks);
  // The ES module CLI (the agent's form) runs the same checks from its own checks module (dist/checks-worker.mjs).
  assert.deepEqual(check(esm).checks, first.checks);
  // The worker's script is not a command.
  assert.equal(run(bundle, ["checks-worker"]).status, 2);
});

test("the local commands do not evaluate zod on usual input; unusual input gets the sources' exact error", () => {
  // zod's core sets this global when its module runs; a preload reports it at exit (-r changes only the cache's key).
  const probe = path.join(tmp, "zod-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\nzod evaluated: ${"__zod_globalConfig" in globalThis}\\n`));\n');
  const zodRan = (args: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, ["-r", probe, bundle, ...args], { encoding: "utf8", cwd: tmp, env: { ...process.env, ...env } });
    assert.ok(r.status === 0 || r.status === 1, `${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return /zod evaluated: true/.test(r.stderr);
  };
  // zod is a script of its own, required only when needed: the commands' scripts (and their caches) hold none of it.
  const dist = path.dirname(bundle);
  assert.match(fs.readFileSync(path.join(dist, "zod.cjs"), "utf8"), /\$ZodType/);
  for (const c of ["crash", "config", "resume", "check"]) assert.doesNotMatch(fs.readFileSync(path.join(dist, `${c}.cjs`), "latin1"), /\$ZodType/, `${c}.cjs holds zod`);
  const settings = path.join(tmp, "settings.json");
  fs.writeFileSync(settings, JSON.stringify({ crash: { lastNLines: 500 }, watchdog: { killGrace: "5s" }, checks: { minDiskFree: "1GB" } }));
  for (const args of [
    ["crash", "scan", "--file", path.join(base, "logs", "train.log"), "--no-history"],
    ["crash", "scan", "--base-dir", base, "--no-history"],
    ["crash", "history", "--base-dir", base],
    ["config", "validate", "--base-dir", base, "--validate-only"],
    ["resume", "verify", "--base-dir", base],
    ["crash", "scan", "--base-dir", base, "--no-history", "--config", settings],
  ]) {
    assert.equal(zodRan(args), false, `${args.join(" ")} evaluated zod`);
  }
  // The probe sees zod when it does run: a settings file with an unknown key is worded by zod.
  fs.writeFileSync(settings, JSON.stringify({ crash: { lastNLines: 500, lastNLine: 5 } }));
  assert.equal(spawnSync(process.execPath, ["-r", probe, bundle, "crash", "history", "--base-dir", base, "--config", settings], { encoding: "utf8", cwd: tmp }).stderr.includes("zod evaluated: true"), true);
  // Unusual input: the bundle (zod loaded on demand) and the sources print the same error, byte for byte.
  const dev = path.join(ROOT, "bin", "trainsafe.js");
  const badConfig = path.join(tmp, "bad-config");
  fs.cpSync(base, badConfig, { recursive: true });
  const cfg = JSON.parse(fs.readFileSync(path.join(badConfig, "config.json"), "utf8"));
  fs.writeFileSync(path.join(badConfig, "config.json"), JSON.stringify({ ...cfg, learning_rate: 3, save_steps: "500", lora: { r: 0 } }));
  const cases: Array<{ settings?: unknown; args: string[] }> = [
    { settings: { crash: { lastNLines: 0 } }, args: ["crash", "scan", "--base-dir", base, "--no-history"] },
    { settings: { watchdog: { killGrace: "soon" }, chekcs: {} }, args: ["crash", "history", "--base-dir", base] },
    { settings: { agent: { tls: { ca: "ca.pem", cert: "c.pem" } } }, args: ["resume", "verify", "--base-dir", base] },
    { settings: [1, 2], args: ["config", "validate", "--base-dir", base, "--validate-only"] },
    { args: ["config", "validate", "--base-dir", badConfig, "--validate-only"] },
    { args: ["config", "validate", "--base-dir", badConfig, "--validate-only", "--json"] },
  ];
  for (const c of cases) {
    const args = c.settings === undefined ? c.args : (fs.writeFileSync(settings, JSON.stringify(c.settings)), [...c.args, "--config", settings]);
    const a = run(bundle, args);
    const b = run(dev, args);
    assert.ok(a.status === 1 || a.status === 2, `${args.join(" ")}: exit ${a.status}: ${a.stderr}`);
    assert.deepEqual([a.status, a.stdout, a.stderr], [b.status, b.stdout, b.stderr], args.join(" "));
  }
});

/** Runs `crash scan` of examples/training's log with the cache reporting on stderr; checks the finding. */
function scanWithCache(env: Record<string, string> = {}, uid?: number): string {
  const r = run(bundle, ["crash", "scan", "--file", path.join(base, "logs", "train.log"), "--no-history", "--json"], { TRAINSAFE_CODE_CACHE: "debug", ...env }, uid);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).primary.ruleId, "cuda_oom_alloc", r.stderr);
  return r.stderr;
}

function cacheFiles(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith(".v8cache")).sort() : [];
}

test("the code cache is written on the first run, used on the next, and rewritten when damaged, stale or refused", () => {
  const cacheDir = path.join(path.dirname(bundle), ".v8-cache");
  fs.rmSync(cacheDir, { recursive: true, force: true });
  assert.match(scanWithCache(), /code cache miss .*written: .*crash-scan-[0-9a-f]{8}\.v8cache/);
  const [scanCache] = cacheFiles(cacheDir);
  assert.ok(scanCache, "no cache written");
  assert.match(scanWithCache(), /code cache hit/);
  const file = path.join(cacheDir, scanCache);
  const good = fs.readFileSync(file);

  // Damaged payload (V8 itself would run it): ignored, the command's result unchanged, rewritten.
  const bad = Buffer.from(good);
  bad[bad.length - 1000]! ^= 0xff;
  fs.writeFileSync(file, bad);
  assert.match(scanWithCache(), /code cache damaged .*written: /);
  assert.notDeepEqual(fs.readFileSync(file), bad, "the damaged cache was not rewritten");
  assert.match(scanWithCache(), /code cache hit/);

  // Truncated, and garbage.
  fs.writeFileSync(file, good.subarray(0, 100));
  assert.match(scanWithCache(), /code cache damaged/);
  fs.writeFileSync(file, "not a cache\n");
  assert.match(scanWithCache(), /code cache damaged/);
  assert.match(scanWithCache(), /code cache hit/);

  // Stale: another script's cache under this name (its header names another script): ignored, rewritten.
  assert.equal(run(bundle, ["config", "validate", "--base-dir", base, "--validate-only"]).status, 0);
  const configCache = cacheFiles(cacheDir).find((f) => f.startsWith("config-validate-"));
  assert.ok(configCache, cacheFiles(cacheDir).join(" "));
  const other = fs.readFileSync(path.join(cacheDir, configCache));
  fs.writeFileSync(file, other);
  assert.match(scanWithCache(), /code cache damaged .*written: /);
  assert.match(scanWithCache(), /code cache hit/);

  // Refused by V8: a well-formed header for this script over another script's code.
  const header = (b: Buffer) => b.subarray(0, b.indexOf(10, b.indexOf(10) + 1) + 1);
  const meta = JSON.parse(header(good).toString("utf8").split("\n")[1]!);
  const payload = other.subarray(header(other).length);
  const forged = { ...meta, dataBytes: payload.length, dataSum: `crc32-${zlib.crc32(payload).toString(16).padStart(8, "0")}` };
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`${header(good).toString("utf8").split("\n")[0]}\n${JSON.stringify(forged)}\n`), payload]));
  assert.match(scanWithCache(), /code cache rejected .*written: /);
  assert.match(scanWithCache(), /code cache hit/);

  // The former format (version 1: a SHA-1 header) over this script's own payload: ignored, rewritten.
  const goodPayload = good.subarray(header(good).length);
  const v1 = { fingerprint: path.basename(file).slice("crash-scan-".length, -".v8cache".length), dataBytes: goodPayload.length, dataSha1: "0".repeat(40) };
  fs.writeFileSync(file, Buffer.concat([Buffer.from(`trainsafe-v8-cache 1\n${JSON.stringify(v1)}\n`), goodPayload]));
  assert.match(scanWithCache(), /code cache damaged .*written: /);
  assert.match(scanWithCache(), /code cache hit/);

  // A cache file that others may write is not run.
  fs.chmodSync(file, 0o666);
  assert.match(scanWithCache(), /code cache damaged/);
  assert.match(scanWithCache(), /code cache hit/);

  // Off: no cache read or written.
  const r = run(bundle, ["crash", "scan", "--file", path.join(base, "logs", "train.log"), "--no-history", "--json"], { TRAINSAFE_CODE_CACHE: "off" });
  assert.equal(JSON.parse(r.stdout).primary.ruleId, "cuda_oom_alloc");
  assert.doesNotMatch(r.stderr, /code cache/);
});

test("a read-only program folder: the cache goes to the user's cache folder, or nowhere, and the command works", () => {
  const dist = path.dirname(bundle);
  const cacheDir = path.join(dist, ".v8-cache");
  fs.rmSync(cacheDir, { recursive: true, force: true });
  const userCache = path.join(tmp, "xdg");
  const env = { XDG_CACHE_HOME: userCache, HOME: path.join(tmp, "no-home") };
  // Root writes anywhere: the read-only case runs as nobody (65534) then, else the folder is made read-only.
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? 65534 : undefined;
  const restore: Array<[string, number]> = [];
  const readOnly = (p: string) => {
    restore.push([p, fs.statSync(p).mode & 0o777]);
    fs.chmodSync(p, 0o555);
  };
  try {
    if (asRoot) {
      // nobody must be able to read the program and the training folder (mkdtemp makes 0700 folders).
      fs.chmodSync(tmp, 0o755);
      fs.mkdirSync(userCache, { mode: 0o755 });
      fs.chownSync(userCache, 65534, 65534);
    } else readOnly(dist);
    assert.match(scanWithCache(env, uid), new RegExp(`code cache miss .*written: ${userCache}/trainsafe/v8-cache/crash-scan-`));
    assert.equal(cacheFiles(cacheDir).length, 0);
    assert.match(scanWithCache(env, uid), new RegExp(`code cache hit \\(${userCache}/`));
    // No writable cache folder at all: every run compiles, and still works.
    const noWrite = path.join(tmp, "read-only");
    fs.mkdirSync(noWrite, { mode: 0o755 });
    readOnly(noWrite);
    assert.match(scanWithCache({ XDG_CACHE_HOME: path.join(noWrite, "cache"), HOME: "/nonexistent" }, uid), /code cache miss \(none found\); written: nowhere writable/);

    // A cache beside the scripts, written by their owner, that this user may not rewrite: used as it is.
    // Its first hits would rewrite it where it lies (cli/launch.cts, REFRESH_HITS); a rewrite elsewhere
    // would never be read before it, so every run would pay the serialisation again.
    for (const [p, mode] of restore.splice(0).reverse()) fs.chmodSync(p, mode);
    assert.match(scanWithCache(), /code cache miss .*written: .*\.v8-cache\/crash-scan-/);
    if (!asRoot) readOnly(cacheDir);
    const userFiles = () => cacheFiles(path.join(userCache, "trainsafe", "v8-cache")).map((f) => [f, fs.statSync(path.join(userCache, "trainsafe", "v8-cache", f)).mtimeMs]);
    const before = userFiles();
    for (let i = 0; i < 2; i++) {
      const stderr = scanWithCache(env, uid);
      assert.match(stderr, new RegExp(`code cache hit \\(${cacheDir}/crash-scan-[0-9a-f]+\\.v8cache\\)\n`));
      assert.doesNotMatch(stderr, /written/);
    }
    assert.deepEqual(userFiles(), before, "the cache was written in the user's cache folder");
  } finally {
    for (const [p, mode] of restore.reverse()) fs.chmodSync(p, mode);
  }
});

test("the bundle's pre-validated rules find what the sources find in every crash corpus log", () => {
  const corpus = path.join(ROOT, "test", "fixtures", "crash-corpus");
  const files = fs.readdirSync(corpus, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".log")).sort().map((f) => path.join(corpus, f));
  assert.ok(files.length > 100, `${files.length} corpus logs`);
  const scan = (entry: string) => {
    const args = ["crash", "scan", "--no-history", "--json", ...files.flatMap((f) => ["--file", f])];
    const r = spawnSync(process.execPath, [entry, ...args], { encoding: "utf8", cwd: tmp, maxBuffer: 1 << 28 });
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status} ${r.error}: ${r.stderr}`);
    const j = JSON.parse(r.stdout);
    return { primary: j.primary && [j.primary.file, j.primary.line, j.primary.ruleId], findings: j.findings.map((f: any) => [f.file, f.line, f.ruleId, f.category]) };
  };
  const shipped = scan(bundle);
  assert.ok(shipped.findings.length > files.length, `${shipped.findings.length} findings`);
  assert.deepEqual(shipped, scan(path.join(ROOT, "bin", "trainsafe.js")));
});

test("crypto is loaded only by what writes: not by resume verify, crash history, config validate or a scan that records nothing", () => {
  // node:crypto's modules and OpenSSL's digest table cost ~4-5 ms of a start; the launcher checks its
  // caches with zlib's CRC-32, the scripts require crypto on first use, signatures hash in JS.
  const probe = path.join(tmp, "crypto-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\ncrypto loaded: ${process.moduleLoadList.includes("NativeModule crypto")}\\n`));\n');
  const base2 = path.join(tmp, "training-crypto");
  fs.cpSync(base, base2, { recursive: true });
  const cryptoRan = (args: string[], codes = [0, 1]) => {
    const r = spawnSync(process.execPath, ["-r", probe, bundle, ...args], { encoding: "utf8", cwd: tmp });
    assert.ok(codes.includes(r.status!), `${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    const m = /crypto loaded: (true|false)/.exec(r.stderr);
    assert.ok(m, r.stderr);
    return { loaded: m[1] === "true", stdout: r.stdout };
  };
  for (const args of [
    ["crash", "scan", "--file", path.join(base2, "logs", "train.log"), "--no-history", "--json"],
    ["crash", "scan", "--base-dir", base2, "--no-history"],
    ["crash", "history", "--base-dir", base2],
    ["resume", "verify", "--base-dir", base2],
  ]) {
    assert.equal(cryptoRan(args).loaded, false, `${args.join(" ")} loaded crypto`);
  }
  // The probe sees crypto when it is used, and what uses it works through the lazy module: a recorded
  // scan (randomUUID, and the atomic write's randomBytes), the config lock (createHash, randomBytes).
  const recorded = cryptoRan(["crash", "scan", "--base-dir", base2, "--json"]);
  assert.equal(recorded.loaded, true);
  const history = JSON.parse(recorded.stdout).history;
  assert.equal(history.added, true, recorded.stdout);
  assert.match(history.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const entry = JSON.parse(fs.readFileSync(path.join(base2, ".crash_history.json"), "utf8")).entries.at(-1);
  assert.equal(entry.id, history.id);
  // Its signature and fingerprint are the ones the sources (node:crypto's SHA-256) give.
  const dev = JSON.parse(run(path.join(ROOT, "bin", "trainsafe.js"), ["crash", "scan", "--base-dir", base2, "--json"]).stdout);
  assert.equal(dev.history.added, false, "the sources' scan should find the bundle's entry (same fingerprint)");
  assert.equal(dev.primary.signature, JSON.parse(recorded.stdout).primary.signature);
  fs.rmSync(path.join(base2, ".config_lock.json"), { force: true });
  const locked = cryptoRan(["config", "lock", "--base-dir", base2]);
  // The lock's hash is SHA-256 in JS and its atomic write names the temporary file without crypto (agent/lib/files.ts).
  assert.equal(locked.loaded, false);
  const lock = JSON.parse(fs.readFileSync(path.join(base2, ".config_lock.json"), "utf8"));
  assert.match(lock.configHash, /^[0-9a-f]{64}$/);
  // validate compares the lock's hash (SHA-256 in JS), and finds the lock just written unchanged.
  const validated = cryptoRan(["config", "validate", "--base-dir", base2, "--json"]);
  assert.equal(validated.loaded, false, "config validate loaded crypto");
  assert.doesNotMatch(validated.stdout, /configHash does not match/, validated.stdout);
  fs.writeFileSync(path.join(base2, ".config_lock.json"), JSON.stringify({ ...lock, configHash: "0".repeat(64) }));
  assert.match(cryptoRan(["config", "validate", "--base-dir", base2, "--json"]).stdout, /configHash does not match/);
});

test("resume verify and crash scan read synchronously: they start no libuv thread pool, and report what the sources report", { skip: !fs.existsSync("/proc/self/task") && "needs /proc" }, () => {
  // The thread pool starts with the first fs.promises call (4 threads); a probe counts the process's threads at exit.
  const probe = path.join(tmp, "threads-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\nthreads: ${require("fs").readdirSync("/proc/self/task").length}\\n`));\n');
  const threads = (args: string[]) => {
    const r = spawnSync(process.execPath, ["-r", probe, bundle, ...args], { encoding: "utf8", cwd: tmp });
    assert.ok(r.status === 0 || r.status === 1, `${args.join(" ")}: exit ${r.status}: ${r.stderr}`);
    return { n: Number(/threads: (\d+)/.exec(r.stderr)?.[1]), stdout: r.stdout };
  };
  const resume = threads(["resume", "verify", "--base-dir", base, "--json"]);
  const history = threads(["crash", "history", "--base-dir", base]);
  assert.ok(resume.n > 0 && history.n > 0);
  assert.ok(history.n - resume.n >= 2, `resume verify ran ${resume.n} threads, crash history (fs.promises) ${history.n}`);
  const dev = run(path.join(ROOT, "bin", "trainsafe.js"), ["resume", "verify", "--base-dir", base, "--json"]);
  assert.deepEqual(JSON.parse(resume.stdout), JSON.parse(dev.stdout));
  // `crash scan` (a file, BASE_DIR) reads its logs and rules synchronously too, and finds what the sources find.
  for (const args of [["--file", path.join(base, "logs", "train.log")], ["--base-dir", base]]) {
    const scan = threads(["crash", "scan", ...args, "--no-history", "--json"]);
    assert.ok(scan.n > 0 && history.n - scan.n >= 2, `crash scan ${args[0]} ran ${scan.n} threads, crash history (fs.promises) ${history.n}`);
    const devScan = spawnSync(process.execPath, [path.join(ROOT, "bin", "trainsafe.js"), "crash", "scan", ...args, "--no-history", "--json"], { encoding: "utf8", cwd: tmp });
    assert.equal(devScan.status, 1, devScan.stderr);
    assert.deepEqual(JSON.parse(scan.stdout), JSON.parse(devScan.stdout));
  }
});

test("the shipped rules are validated at build time; an edited dist/rules.json is validated at run time", () => {
  const dist = path.dirname(bundle);
  const rulesFile = path.join(dist, "rules.json");
  // Pre-validated rules (each rule's head, and its body as JSON text) are in the command's script.
  const script = fs.readFileSync(path.join(dist, "crash.cjs"), "latin1");
  assert.match(script, /"heads":\[\[/);
  // As ASCII JSON: a JS escape of a non-ASCII character in the literal would make V8 hold all of it as two bytes a character.
  const literal = script.split("\n").find((l) => l.includes('{"sha1":'))!;
  assert.doesNotMatch(literal, /(?<!\\)\\u(?!00[0-7])[0-9a-fA-F]{4}/);
  if (/[^\x00-\x7f]/.test(fs.readFileSync(rulesFile, "utf8"))) assert.match(literal, /\\\\u[0-9a-f]{4}/, "the rules' non-ASCII characters are not JSON escapes");
  const original = fs.readFileSync(rulesFile, "utf8");
  const scan = () => run(bundle, ["crash", "scan", "--file", path.join(base, "logs", "train.log"), "--no-history", "--json"]);
  const edit = (f: (rule: any) => void) => {
    const data = JSON.parse(original);
    const i = data.rules.findIndex((r: any) => r.id === "cuda_oom_alloc");
    f(data.rules[i]);
    fs.writeFileSync(rulesFile, JSON.stringify(data));
    return i;
  };
  try {
    // A valid edit takes effect (the file no longer matches the one built from).
    edit((r) => (r.category = "host_oom"));
    const edited = scan();
    assert.equal(edited.status, 1, edited.stderr);
    assert.deepEqual([JSON.parse(edited.stdout).primary.category, JSON.parse(edited.stdout).primary.ruleId], ["host_oom", "cuda_oom_alloc"]);
    // An invalid one gets the error of any rules file: file, rule and field.
    // An edit of one word that keeps the file's size (its CRC-32 is compared, not its size alone).
    const at = original.indexOf('"category"', original.indexOf('"id": "cuda_oom_alloc"'));
    assert.ok(at > 0 && original.slice(at, at + 22) === '"category": "cuda_oom"', original.slice(at, at + 30));
    fs.writeFileSync(rulesFile, original.slice(0, at) + '"category": "host_oom"' + original.slice(at + 22));
    assert.equal(fs.statSync(rulesFile).size, Buffer.byteLength(original));
    const sameSize = scan();
    assert.deepEqual([JSON.parse(sameSize.stdout).primary.category, JSON.parse(sameSize.stdout).primary.ruleId], ["host_oom", "cuda_oom_alloc"], sameSize.stderr);
    const i = edit((r) => (r.severity = "fatalish"));
    const bad = scan();
    assert.equal(bad.status, 2, bad.stderr);
    assert.ok(bad.stderr.includes(`${rulesFile}: rules[${i}] (id cuda_oom_alloc).severity: `), bad.stderr);
  } finally {
    fs.writeFileSync(rulesFile, original);
  }
  assert.equal(JSON.parse(scan().stdout).primary.category, "cuda_oom");
});

test("a shipped rules file with an error fails the build, naming the file, rule and field", () => {
  const prog = path.join(tmp, "bad-rules-prog");
  for (const d of ["agent", "cli", "controller", "proto", "deploy"]) fs.cpSync(path.join(ROOT, d), path.join(prog, d), { recursive: true });
  fs.copyFileSync(path.join(ROOT, "package.json"), path.join(prog, "package.json"));
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(prog, "node_modules"));
  const file = path.join(prog, "agent", "crash", "rules.json");
  const data = JSON.parse(fs.readFileSync(file, "utf8"));
  data.rules[2].patterns = ["(unclosed"];
  fs.writeFileSync(file, JSON.stringify(data));
  const b = spawnSync(process.execPath, [path.join(prog, "deploy", "build.mjs"), prog], { encoding: "utf8" });
  assert.equal(b.status, 1, b.stderr);
  assert.ok(b.stderr.includes(`${file}: rules[2] (id ${data.rules[2].id}).patterns[0]: invalid regular expression`), b.stderr);
  assert.deepEqual(fs.readdirSync(path.join(prog, "dist")), ["rules.json"], "a failed build leaves no bundle and no temporary file");
});

test("yaml and child_process, required by the local scripts on first use, still work there: nvidia-smi and a YAML training config give the sources' results", () => {
  const dev = path.join(ROOT, "bin", "trainsafe.js");
  const dist = path.dirname(bundle);
  // The facades stand in for the modules: neither is loaded at the script's start any more.
  assert.match(fs.readFileSync(path.join(dist, "checks-worker.cjs"), "latin1"), /lazy-module:yaml[\s\S]*lazy-module:node:child_process/);
  // nvidia-smi (test/fakes) is run through the lazily required child_process.spawn.
  const gpus = path.join(tmp, "gpus.json");
  const gpu = (i: number) => ({ index: i, name: "NVIDIA H200", uuid: `GPU-${i}`, "temperature.gpu": 41, "utilization.gpu": 97, "memory.used": 1000, "memory.total": 143771, "power.draw": 600, "ecc.errors.uncorrected.volatile.total": 0, "retired_pages.pending": "[N/A]", "remapped_rows.pending": "No", "remapped_rows.failure": "No", "remapped_rows.uncorrectable": 0, "clocks_throttle_reasons.active": "0x0000000000000004", "mig.mode.current": "Disabled" });
  fs.writeFileSync(gpus, JSON.stringify({ gpus: [gpu(0), gpu(1)] }));
  const env = { PATH: `${path.join(ROOT, "test", "fakes")}${path.delimiter}${process.env.PATH}`, FAKE_NVIDIA_SMI: gpus };
  const pick = (r: { stdout: string }) => JSON.parse(r.stdout).checks.map((c: any) => [c.id, c.status, c.message]);
  const shipped = run(bundle, ["check", "--base-dir", base, "--only", "gpu", "--json"], env);
  assert.deepEqual(pick(shipped), pick(run(dev, ["check", "--base-dir", base, "--only", "gpu", "--json"], env)));
  assert.equal(pick(shipped)[0][1], "pass", shipped.stdout);
  assert.match(pick(shipped)[0][2], /2 GPU/);
  // A YAML trainingConfig (hf layout) is parsed through the lazily required yaml (LineCounter, parseAllDocuments, visit).
  const hf = path.join(tmp, "hf-yaml");
  fs.cpSync(path.join(ROOT, "test", "fixtures", "checkpoints", "hf-trainer"), hf, { recursive: true });
  fs.writeFileSync(path.join(hf, "sft.yaml"), "output_dir: output\nlearning_rate: 1e-4\nper_device_train_batch_size: 0\nfp16: true\nbf16: yes\n");
  const settings = path.join(hf, "trainsafe.json");
  fs.writeFileSync(settings, JSON.stringify({ layout: "hf", trainingConfig: "sft.yaml" }));
  const args = ["config", "validate", "--base-dir", hf, "--config", settings, "--json"];
  const a = run(bundle, args);
  const b = run(dev, args);
  assert.equal(a.status, 1, a.stderr);
  assert.equal(a.status, b.status);
  assert.deepEqual(JSON.parse(a.stdout), JSON.parse(b.stdout));
  assert.match(JSON.stringify(JSON.parse(a.stdout).errors), /per_device_train_batch_size.*line 3/);
});

test("a whole-file scan reads the prefilter's tables from dist/prefilter.bin; a damaged, truncated, missing or stale one gets them built: the same JSON, a note only under NODE_DEBUG=trainsafe", () => {
  const dist = path.dirname(bundle);
  const dataFile = path.join(dist, "prefilter.bin");
  const rulesFile = path.join(dist, "rules.json");
  const data = fs.readFileSync(dataFile);
  const rules = fs.readFileSync(rulesFile, "utf8");
  // 3 MB: a whole-file scan prefilters a file of 2 MB or more (agent/crash/scanner.ts, PREFILTER_MIN_BYTES).
  const log = path.join(tmp, "prefilter-data.log");
  const filler = Array.from({ length: 30_000 }, (_, i) => `iteration ${i}/500000 | lm loss: 5.1E+00 | grad norm: 1.234 | skipped: 0\n`).join("");
  fs.writeFileSync(log, filler + fs.readFileSync(path.join(base, "logs", "train.log"), "utf8") + "rank 3: trainsafe-test marker of an edited rule\n");
  const scan = (debug: boolean) => {
    const r = run(bundle, ["crash", "scan", "--all", "--file", log, "--no-history", "--json"], debug ? { NODE_DEBUG: "trainsafe" } : {});
    assert.equal(r.status, 1, r.stderr);
    return { json: JSON.stringify(JSON.parse(r.stdout, (k, v) => (k === "durationMs" ? undefined : v))), stderr: r.stderr };
  };
  const want = scan(false);
  assert.equal(want.stderr, "");
  assert.match(scan(true).stderr, /^trainsafe: prefilter: tables from .*prefilter\.bin\n$/);
  const damaged = Buffer.from(data);
  damaged[damaged.length >> 1]! ^= 1;
  const cases: [string, Buffer | null, RegExp][] = [
    ["a byte changed", damaged, /not the file this bundle was built with/],
    ["truncated", data.subarray(0, data.length - 4096), /not the file this bundle was built with/],
    ["missing", null, /ENOENT/],
  ];
  try {
    for (const [what, bytes, note] of cases) {
      if (bytes) fs.writeFileSync(dataFile, bytes);
      else fs.rmSync(dataFile);
      assert.deepEqual(scan(false), want, what);
      const debug = scan(true);
      assert.equal(debug.json, want.json, what);
      assert.match(debug.stderr, new RegExp(`^trainsafe: prefilter: .*prefilter\\.bin: .*(?:${note.source}).*; building its tables\\n$`), what);
    }
    fs.writeFileSync(dataFile, data);
    // dist/rules.json edited: the rules are read from it; a change of their patterns makes the data stale
    // (built at run time, and the edited pattern finds its line), any other change leaves it valid.
    const edit = (f: (rule: { category: string; patterns: string[] }) => void) => {
      const d = JSON.parse(rules);
      f(d.rules.find((r: { id: string }) => r.id === "cuda_oom_alloc"));
      fs.writeFileSync(rulesFile, JSON.stringify(d));
    };
    edit((r) => r.patterns.push("trainsafe-test marker (?<size>\\w+)"));
    const stale = scan(true);
    assert.match(stale.stderr, /^trainsafe: prefilter: .*prefilter\.bin: made for other rules .*; building its tables\n$/);
    assert.ok(JSON.parse(stale.json).findings.some((f: { text: string }) => f.text.includes("trainsafe-test marker")), "the edited pattern's line is found");
    edit((r) => (r.category = "host_oom"));
    const other = scan(true);
    assert.match(other.stderr, /^trainsafe: prefilter: tables from /);
    assert.equal(JSON.parse(other.json).primary.category, "host_oom");
  } finally {
    fs.writeFileSync(dataFile, data);
    fs.writeFileSync(rulesFile, rules);
  }
});
