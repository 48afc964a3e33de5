/**
 * `trainsafe check` on plain HF Trainer output folders (the trees recorded with the real libraries in
 * test/fixtures/checkpoints/, the settings of docs/quickstart-hf.md and the auto layout) with no job
 * running: nothing fails for want of the seed layout's files, and the daemon check says what a job
 * that is not running means. A trainer started by hand in the folder without a PID file, an operator's
 * hold and a supervisor without a daemon are told apart. Real processes, real files.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readCmdline, readProcStat } from "../agent/lib/proc.js";

const REPO = path.resolve(import.meta.dirname, "..");
const BIN = path.join(REPO, "bin", "trainsafe.js");
const FIXTURES = path.join(REPO, "test", "fixtures", "checkpoints");
const DOC = fs.readFileSync(path.join(REPO, "docs", "quickstart-hf.md"), "utf8");
const root = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-checks-hf-"));
const children: ChildProcess[] = [];
after(() => {
  // Only the processes this file started, by PID.
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  fs.rmSync(root, { recursive: true, force: true });
});

// The host's own state (free disk, memory, GPUs, kernel log) is not what these tests are about.
const HOST_CHECKS = "disk,memory,gpu,xid";

let n = 0;
function copy(tree: string): string {
  const base = path.join(root, `${tree}-${n++}`);
  fs.cpSync(path.join(FIXTURES, tree), base, { recursive: true });
  return base;
}

interface CheckJson {
  id: string;
  status: string;
  message: string;
  details: Record<string, unknown>;
}

function check(args: string[]): { code: number | null; checks: Map<string, CheckJson>; raw: string } {
  const env = { ...process.env };
  delete env.TRAINSAFE_CONFIG;
  delete env.TRAINSAFE_BASE_DIR;
  const r = spawnSync(process.execPath, [BIN, "check", "--json", "--skip", HOST_CHECKS, ...args], { cwd: root, encoding: "utf8", env, timeout: 60_000 });
  let parsed: { checks: CheckJson[] };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    throw new Error(`not JSON (exit ${r.status}): ${r.stdout}${r.stderr}`);
  }
  return { code: r.status, checks: new Map(parsed.checks.map((c) => [c.id, c])), raw: r.stdout };
}

/** The settings block of docs/quickstart-hf.md for `base`. */
function quickstartSettings(base: string, extra: Record<string, unknown> = {}): string {
  const m = /```json\n([\s\S]*?)\n```/.exec(DOC.slice(DOC.indexOf("## 2. The settings file")));
  assert.ok(m, "the quickstart has its settings block");
  const settings = { ...(JSON.parse(m[1]!) as Record<string, unknown>), baseDir: base, ...extra };
  const file = path.join(base, "..", `${path.basename(base)}.settings.json`);
  fs.writeFileSync(file, JSON.stringify(settings, null, 2));
  return file;
}

test("the quickstart's settings on recorded HF trees, no job running: exit 0; the seed's files are not asked for; the daemon check says the job is not running", () => {
  for (const tree of ["hf-trainer", "hf-lora", "hf-ddp", "hf-sharded", "hf-optimizer-bin", "hf-save-only-model"]) {
    const base = copy(tree);
    fs.mkdirSync(path.join(base, "logs"));
    fs.writeFileSync(path.join(base, "logs", "train.log"), " 50%|█████     | 2/4 [00:00<00:00,  5.69it/s]\n");
    const { code, checks, raw } = check(["--config", quickstartSettings(base)]);
    assert.equal(code, 0, `${tree}: ${raw}`);
    assert.deepEqual([...checks.values()].filter((c) => c.status === "fail"), [], tree);
    for (const id of ["dirs", "files", "config-lock"]) assert.equal(checks.get(id)?.status, "skip", `${tree} ${id}: ${checks.get(id)?.message}`);
    const daemon = checks.get("daemon")!;
    assert.equal(daemon.status, "warn", tree);
    assert.match(daemon.message, /^job not running: no daemon was started in this folder \(no PID file at .*\.daemon\.pid\) and no trainsafe supervisor watches it\. Expected before the first start: `trainsafe agent` or `trainsafe watchdog` starts it \(torchrun --nproc_per_node 8 train\.py --output_dir output\)/);
    // The arguments the Trainer saved are validated; the copy is not where the recording wrote.
    assert.equal(checks.get("config")?.details.source, "training_args.bin", tree);
    assert.notEqual(checks.get("config")?.status, "fail", tree);
    assert.match(checks.get("permissions")!.message, /^BASE_DIR, logs and output are writable$/, tree);
  }
});

test("recorded trees of every layout, auto layout and default settings, no job running: exit 0, nothing fails", () => {
  for (const tree of fs.readdirSync(FIXTURES).filter((d) => fs.statSync(path.join(FIXTURES, d)).isDirectory())) {
    const base = copy(tree);
    const { code, checks, raw } = check(["--base-dir", base]);
    assert.equal(code, 0, `${tree}: ${raw}`);
    assert.deepEqual([...checks.values()].filter((c) => c.status === "fail").map((c) => `${c.id}: ${c.message}`), [], tree);
    assert.equal(checks.get("daemon")?.status, "warn", tree);
    assert.equal(checks.get("files")?.status, "skip", tree);
  }
});

/**
 * A real process started in `cwd`, once its exec chain has settled: `python3` may be a pyenv shim
 * that execs twice, so the command line must start with the interpreter itself.
 */
async function startIn(cwd: string, argv: string[], settled: RegExp): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { cwd, stdio: "ignore" });
  children.push(child);
  for (let i = 0; i < 1000; i++) {
    if (settled.test((await readCmdline(child.pid!)) ?? "")) return child.pid!;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${argv.join(" ")} did not start`);
}

const PYTHON_TRAIN = /^(\S*\/)?python3(\.\d+)? train\.py/;

test("a trainer started by hand in the folder that no PID file names fails, saying how to have it adopted; a trainer of another folder is not it", async () => {
  const base = copy("hf-trainer");
  const settings = quickstartSettings(base);
  fs.writeFileSync(path.join(base, "train.py"), "import time\ntime.sleep(120)\n");
  // A trainer of the same script in another folder is never taken for this folder's.
  const elsewhere = path.join(root, "other-run");
  fs.mkdirSync(elsewhere, { recursive: true });
  fs.writeFileSync(path.join(elsewhere, "train.py"), "import time\ntime.sleep(120)\n");
  const other = await startIn(elsewhere, ["python3", "train.py"], PYTHON_TRAIN);
  const quiet = check(["--config", settings, "--only", "daemon"]);
  assert.equal(quiet.checks.get("daemon")?.status, "warn", quiet.raw);

  const pid = await startIn(base, ["python3", "train.py", "--output_dir", "output"], PYTHON_TRAIN);
  const r = check(["--config", settings, "--only", "daemon"]);
  assert.equal(r.code, 1, r.raw);
  const d = r.checks.get("daemon")!;
  assert.equal(d.status, "fail");
  assert.match(d.message, new RegExp(`^a trainer started by hand runs in this folder: PID ${pid} \\("(\\S*/)?python3(\\.\\d+)? train\\.py --output_dir output"\\), and no PID file names it\\. trainsafe does not supervise it, and an agent or \`trainsafe watchdog\` will not start this folder's daemon beside it \\(the start is blocked until it is gone\\)\\. To have it adopted: echo ${pid} > \\.daemon\\.pid$`));
  assert.deepEqual((d.details.trainers as Array<{ pid: number }>).map((t) => t.pid), [pid], "not the other folder's trainer");

  // Done as the message says: the daemon check passes, the trainer untouched.
  fs.writeFileSync(path.join(base, ".daemon.pid"), `${pid}\n`);
  const adopted = check(["--config", settings, "--only", "daemon"]);
  assert.equal(adopted.code, 0, adopted.raw);
  assert.equal(adopted.checks.get("daemon")?.status, "pass");
  assert.ok((await readProcStat(pid)) !== null && (await readProcStat(other)) !== null, "nothing was signalled");
});

test("no PID file: an operator's hold warns (not running on purpose); a live supervisor without a daemon fails", async () => {
  const base = copy("hf-trainer");
  const settings = quickstartSettings(base);
  fs.mkdirSync(path.join(base, ".trainsafe"), { recursive: true });
  const atMs = Date.now() - 120_000;
  fs.writeFileSync(path.join(base, ".trainsafe", "hold.json"), JSON.stringify({ reason: "fleet kill by alice", atMs }));
  const held = check(["--config", settings, "--only", "daemon"]);
  assert.equal(held.code, 0, held.raw);
  assert.equal(held.checks.get("daemon")?.status, "warn");
  assert.match(held.checks.get("daemon")!.message, /^not running, on purpose: held by an operator since .* \(2(\.\d)?m ago\): fleet kill by alice\. Nothing starts it until `trainsafe fleet restart HOST` or `trainsafe watchdog` lifts the hold/);
  fs.rmSync(path.join(base, ".trainsafe", "hold.json"));

  // The lock a supervisor holds (pid and start time of a live process of this folder).
  const sup = await startIn(base, [process.execPath, "-e", "setInterval(() => {}, 1e6)", "supervisor-stand-in"], /supervisor-stand-in/);
  const st = await readProcStat(sup);
  fs.writeFileSync(path.join(base, ".trainsafe", "supervisor.lock"), JSON.stringify({ pid: sup, startTicks: st!.startTicks, baseDir: base }) + "\n");
  const waiting = check(["--config", settings, "--only", "daemon"]);
  assert.equal(waiting.code, 1, waiting.raw);
  assert.match(waiting.checks.get("daemon")!.message, new RegExp(`^daemon not running: no PID file at .*, though a supervisor \\(PID ${sup}\\) watches this folder: it is waiting for its restart budget or a restart is blocked \\(see logs/watchdog\\.log\\)$`));
  // A lock copied from another folder names another folder's supervisor.
  fs.writeFileSync(path.join(base, ".trainsafe", "supervisor.lock"), JSON.stringify({ pid: sup, startTicks: st!.startTicks, baseDir: "/srv/elsewhere" }) + "\n");
  assert.equal(check(["--config", settings, "--only", "daemon"]).checks.get("daemon")?.status, "warn");
});
