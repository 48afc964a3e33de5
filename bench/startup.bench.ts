/**
 * Start-up of every local command (issue 13, item 2). Each command runs as a real process on a copy of
 * examples/training, in two forms: the shipped one (dist/trainsafe.cjs, built here by deploy/build.mjs
 * and run by node as the launcher install.sh writes runs it, with the node options that launcher gives
 * the command: launcherOptions; its local commands use a V8 code cache, written by the unmeasured
 * first run of each) and the development launcher
 * (bin/trainsafe.js through tsx). The shipped form's `check` is measured a second time from a copy of
 * the build whose first run was `check --only disk` (its code cache written by that run, then completed
 * by the next ones: cli/launch.cts, REFRESH_HITS), as after an install whose first run was a runbook's.
 * Its CPU time (user + sys of the process, from bash's `time`, which
 * reads the child's rusage in ms) is set against `node -e 0` measured in the same rounds. And `crash
 * scan` of a small log (BENCH_SMALL_LOG_KB, default 29) is set against `tail -n 1000 FILE | grep -E -f
 * PATTERNS` in wall time, with the scanner's own rules as the patterns (POSIX ERE).
 *
 * Every ratio is given twice, side by side: with the environment as it is, and with NODE_EXTRA_CA_CERTS
 * removed from the environment of both the reference and the command (when it is set: node then reads
 * and parses that whole CA bundle at start, ~30 ms of `node -e 0` in the container these figures come
 * from, which inflates the reference; the product itself is not changed for it). Both are measured in
 * the same rounds, each command next to its own reference.
 *
 * BENCH_STARTUP_ESM=1 adds the ES module CLI (dist/trainsafe.mjs, the shipped form before the
 * per-command scripts with their code cache) as a third form.
 *
 * Rounds (BENCH_STARTUP_ROUNDS, default 11) interleave every command with its reference, so a change
 * of the machine's load hits both; the medians and the load average are printed with each ratio and its
 * goal: CPU <= 1.5x `node -e 0`, crash scan wall <= 2x tail | grep (shipped form).
 *
 * Run: npm run bench -- startup
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { CLI, ROOT } from "./lib/controller-process.js";
import { toEre } from "./lib/ere.js";
import { median } from "./lib/measure.js";
import { buildShipped, launcherOptions } from "./lib/shipped.js";

const ROUNDS = Number(process.env.BENCH_STARTUP_ROUNDS ?? "11");
const SMALL_LOG_KB = Number(process.env.BENCH_SMALL_LOG_KB ?? "29");
const CPU_GOAL = 1.5;
const SCAN_GOAL = 2;
interface Timing {
  readonly wallMs: number;
  readonly cpuMs: number;
}

/** The environments each command and its reference run in: as is, and without NODE_EXTRA_CA_CERTS when it is set. */
const CA_VAR = "NODE_EXTRA_CA_CERTS";
const ENVS: ReadonlyArray<{ readonly name: string; readonly env: NodeJS.ProcessEnv }> = [
  { name: process.env[CA_VAR] === undefined ? `as is (${CA_VAR} not set)` : `as is (${CA_VAR} set)`, env: process.env },
  ...(process.env[CA_VAR] === undefined ? [] : [{ name: `without ${CA_VAR}`, env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== CA_VAR)) }]),
];

/** Runs argv under bash's `time` (rusage of the child, ms resolution); output discarded; throws on an unexpected exit code. */
function timed(argv: readonly string[], okCodes: readonly number[] = [0], env: NodeJS.ProcessEnv = process.env): Timing {
  const r = spawnSync(
    "bash",
    ["-c", 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >/dev/null 2>"$ERR"; echo "rc=$?" >&2; } 2>&1', "_", ...argv],
    { encoding: "utf8", env: { ...env, ERR: errFile } },
  );
  const rc = Number(/rc=(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const m = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)/.exec(r.stdout);
  if (!m || !okCodes.includes(rc)) {
    throw new Error(`${argv.join(" ")}: exit ${rc} (expected ${okCodes.join(" or ")}): ${fs.readFileSync(errFile, "utf8").slice(-2000)}`);
  }
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

let errFile = "";

/**
 * Runs argv until its code caches are settled: the launcher rewrites a cache on its first hits
 * (cli/launch.cts, REFRESH_HITS), which the measured runs would otherwise pay. At most 8 runs.
 */
function settle(argv: readonly string[], okCodes: readonly number[]): void {
  for (let i = 0; i < 8; i++) {
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: "utf8", env: { ...process.env, TRAINSAFE_CODE_CACHE: "debug" } });
    if (r.status === null || !okCodes.includes(r.status)) throw new Error(`${argv.join(" ")}: exit ${r.status}: ${r.stderr.slice(-2000)}`);
    if (!/code cache .*written: /.test(r.stderr)) return;
  }
  throw new Error(`${argv.join(" ")}: its code cache is still rewritten after 8 runs`);
}

/** A training log of about `kb` KB: trainer step lines and warnings, then an OOM and NCCL timeouts at the end. */
function smallLog(file: string, kb: number): void {
  const tail = fs.readFileSync(path.join(ROOT, "examples", "training", "logs", "train.log"), "utf8");
  const lines: string[] = [];
  let size = tail.length;
  for (let i = 1; size < kb * 1000; i++) {
    const l =
      i % 97 === 0
        ? "/usr/lib/python3.11/site-packages/torch/utils/checkpoint.py:91: UserWarning: None of the inputs have requires_grad=True. Gradients will be None"
        : `{'loss': ${(2 + Math.sin(i / 7)).toFixed(4)}, 'grad_norm': ${((i % 13) / 7).toFixed(3)}, 'learning_rate': 1e-05, 'epoch': ${(i / 1000).toFixed(2)}}`;
    lines.push(l);
    size += l.length + 1;
  }
  fs.writeFileSync(file, lines.join("\n") + "\n" + tail);
}

/** One row: per environment (ENVS), the command's median, its reference's and their ratio; then the goal. */
function ratioLine(what: string, pairs: ReadonlyArray<{ x: number; ref: number }>, goal: number, unit: string): string {
  const cells = pairs.map(({ x, ref }) => {
    const ratio = x / ref;
    return `${Math.round(x)} ms / ${ref < 10 ? ref.toFixed(1) : Math.round(ref)} ms = **${ratio.toFixed(2)}x** (${ratio <= goal ? "met" : "MISSED"})`;
  });
  return `| ${what} | ${cells.join(" | ")} | <= ${goal}x (${unit}) |`;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-startup-bench-"));
  errFile = path.join(dir, "stderr");
  try {
    const bundle = path.join(buildShipped(), "trainsafe.cjs");
    // A copy of the build whose first `check` is `check --only disk` (before any run wrote a cache here).
    const firstRunElsewhere = path.join(dir, "dist-first-only-disk");
    fs.cpSync(path.join(ROOT, "dist"), firstRunElsewhere, { recursive: true, filter: (src) => path.basename(src) !== ".v8-cache" });
    const base = path.join(dir, "training");
    fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
    const log = path.join(dir, "small.log");
    smallLog(log, SMALL_LOG_KB);
    const rules = await loadRules();
    const patterns = path.join(dir, "patterns");
    fs.writeFileSync(patterns, rules.rules.flatMap((r) => r.patterns.map((p) => toEre(p.source, p.ignoreCase))).join("\n") + "\n");

    // Exit 1 is "problems found": examples/training holds a crash and a failing check on purpose.
    const commands: Array<{ name: string; args: string[]; ok: number[] }> = [
      { name: "--version", args: ["--version"], ok: [0] },
      { name: "crash scan (small log)", args: ["crash", "scan", "--file", log, "--no-history"], ok: [1] },
      { name: "crash scan (BASE_DIR logs)", args: ["crash", "scan", "--base-dir", base, "--no-history"], ok: [1] },
      { name: "crash history", args: ["crash", "history", "--base-dir", base], ok: [0, 1] },
      { name: "check", args: ["check", "--base-dir", base], ok: [0, 1] },
      { name: "config validate", args: ["config", "validate", "--base-dir", base], ok: [0, 1] },
      { name: "resume verify", args: ["resume", "verify", "--base-dir", base], ok: [0, 1] },
    ];
    const shipped = (dist: string) => (args: readonly string[]) => [process.execPath, ...launcherOptions(args), path.join(dist, "trainsafe.cjs"), ...args];
    const forms: Array<{ name: string; argv: (args: readonly string[]) => string[] }> = [
      { name: "shipped (node [the launcher's options] dist/trainsafe.cjs)", argv: shipped(path.dirname(bundle)) },
      // What the launcher ran before the per-command scripts: the ES module chunks, no code cache.
      ...(process.env.BENCH_STARTUP_ESM === "1" ? [{ name: "ES module CLI (node dist/trainsafe.mjs)", argv: (args: readonly string[]) => [process.execPath, path.join(ROOT, "dist", "trainsafe.mjs"), ...args] }] : []),
      { name: "development (node bin/trainsafe.js, tsx)", argv: (args: readonly string[]) => [process.execPath, CLI, ...args] },
    ];
    // Unmeasured runs of each: the code cache is written on the first run after a build, as on an install,
    // and completed by the next few.
    for (const f of forms) for (const c of commands) settle(f.argv(c.args), c.ok);
    const checkCmd = commands.find((c) => c.name === "check")!;
    const elsewhere = { name: "shipped, first run `check --only disk`: check", argv: shipped(firstRunElsewhere)(checkCmd.args), ok: checkCmd.ok };
    timed(shipped(firstRunElsewhere)(["check", "--base-dir", base, "--only", "disk"]), [0, 1]);
    settle(elsewhere.argv, elsewhere.ok);

    // Per environment (index in ENVS): the references and the commands' timings.
    const nodeRef: number[][] = ENVS.map(() => []);
    const grepRef: number[] = [];
    const cpu = ENVS.map(() => new Map<string, number[]>());
    const wall = ENVS.map(() => new Map<string, number[]>());
    const push = (m: Map<string, number[]>, key: string, v: number) => (m.get(key) ?? m.set(key, []).get(key)!).push(v);
    const load: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      load.push(os.loadavg()[0]!);
      for (const f of forms) {
        for (const c of commands) {
          ENVS.forEach((e, k) => {
            nodeRef[k]!.push(timed([process.execPath, "-e", "0"], [0], e.env).cpuMs);
            const t = timed(f.argv(c.args), c.ok, e.env);
            push(cpu[k]!, `${f.name}\0${c.name}`, t.cpuMs);
            push(wall[k]!, `${f.name}\0${c.name}`, t.wallMs);
          });
          if (c.name === "crash scan (small log)") {
            grepRef.push(timed(["bash", "-c", 'tail -n 1000 "$1" | grep -E -n -f "$2"', "_", log, patterns]).wallMs);
          }
        }
      }
      ENVS.forEach((e, k) => {
        nodeRef[k]!.push(timed([process.execPath, "-e", "0"], [0], e.env).cpuMs);
        push(cpu[k]!, elsewhere.name, timed(elsewhere.argv, elsewhere.ok, e.env).cpuMs);
      });
    }
    const nodeMs = nodeRef.map((r) => median(r));
    const grepMs = median(grepRef);
    const cpuPairs = (key: string) => ENVS.map((_, k) => ({ x: median(cpu[k]!.get(key)!), ref: nodeMs[k]! }));
    const wallPairs = (key: string) => ENVS.map((_, k) => ({ x: median(wall[k]!.get(key)!), ref: grepMs }));
    const header = (first: string) => [`| ${first} | ${ENVS.map((e) => e.name).join(" | ")} | goal |`, `| --- | ${ENVS.map(() => "---").join(" | ")} | --- |`];
    const out: string[] = [
      `${ROUNDS} rounds; node ${process.version}; ${os.cpus().length} CPUs; small log ${(fs.statSync(log).size / 1000).toFixed(1)} KB; ${rules.rules.length} rules`,
      `load average (1 min) during the rounds: ${Math.min(...load).toFixed(1)} to ${Math.max(...load).toFixed(1)}; at the end ${os.loadavg().map((x) => x.toFixed(1)).join(" ")}`,
      `reference \`node -e 0\`: CPU median ${ENVS.map((e, k) => `${Math.round(nodeMs[k]!)} ms ${e.name}`).join(", ")} (n=${nodeRef[0]!.length} each); \`tail -n 1000 | grep -E -n -f\` (${rules.rules.length} rules' patterns): wall median ${grepMs.toFixed(1)} ms (n=${grepRef.length})`,
      "",
      "Each cell: the command's CPU median / `node -e 0`'s CPU median in the same environment = ratio.",
      "",
      ...header("command (CPU)"),
    ];
    for (const f of forms) {
      for (const c of commands) out.push(ratioLine(`${f.name}: ${c.name}`, cpuPairs(`${f.name}\0${c.name}`), CPU_GOAL, "CPU"));
      if (f === forms[0]) out.push(ratioLine(elsewhere.name, cpuPairs(elsewhere.name), CPU_GOAL, "CPU"));
    }
    out.push("", "Each cell: the scan's wall median / `tail -n 1000 | grep -E`'s wall median (grep does not read the variable) = ratio.", "", ...header("crash scan of the small log (wall)"));
    for (const f of forms) out.push(ratioLine(f.name, wallPairs(`${f.name}\0crash scan (small log)`), SCAN_GOAL, "wall"));
    process.stdout.write(out.join("\n") + "\n");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
