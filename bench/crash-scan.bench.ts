/**
 * Crash scan benchmark (`npm run bench -- crash-scan`), issue 13 item 3.
 *
 * Writes a realistic training log (bench/lib/trainer-log.ts: HF Trainer bars and dicts, Megatron
 * iteration lines, DeepSpeed, Lightning, NCCL INFO bursts, a Python warning every ~1,000 lines,
 * handled tracebacks, long lines; deterministic from BENCH_SEED, default 13) of BENCH_LOG_MB megabytes
 * (default 300; BENCH_LOG_GB also accepted) under os.tmpdir(), ending in a CUDA OOM and NCCL timeouts.
 * Measured in the same run, interleaved round by round so a change of load hits every contender:
 *   1. tail scan (last 1000 lines) of a 20 KB log and of the big one;
 *   2. whole-file scan (`crash scan --all`, in-process: scanFiles) in the threads the CLI would take
 *      at this load (scanThreadsFor, see ownLoad below), in every CPU (at most MAX_SCAN_THREADS: the
 *      old default) and in one thread, against `LC_ALL=C grep -E -n -f` and `rg -n --no-unicode -f`
 *      with the same patterns, written from the loaded rules; the scans must give the same result;
 *   3. where the scan's time goes: the prefilter pass alone, and how many lines it hands on;
 *   4. the shipped command as a user runs it once (`node --no-regexp-tier-up --no-use-osr dist/trainsafe.cjs crash scan
 *      --all --file LOG --json`, the launcher's options, built here by deploy/build.mjs): a fresh process, so start-up,
 *      the prefilter's build and the JIT's warm-up count, which the in-process rounds above (after a warm-up pass)
 *      leave out; in the threads it chooses, and pinned to one CPU with rg pinned beside it (`taskset -c 0`, where
 *      taskset is installed).
 * Wall and CPU time (user + sys) are both reported (on a loaded machine CPU time is the steadier
 * figure); the ratios are printed next to the goals (<= 1.5x grep, faster than rg) with the load
 * average before and after. The files are deleted afterwards.
 *
 * The reference patterns: each rule pattern as POSIX ERE (bench/lib/ere.ts) after removing
 * lookarounds (ERE has none; dropping one only widens the match) and spelling class escapes out
 * (`[\d.]` -> `[0-9.]`). rg gets the same text with `\/` as `/` and non-ASCII characters as UTF-8 byte
 * escapes, in byte mode (`--no-unicode`, the counterpart of LC_ALL=C; in its default Unicode mode rg
 * is far slower on these patterns, see docs/benchmarks.md). rg is optional: when it is not installed
 * the bench says so and skips it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { prefilterFor } from "../agent/crash/prefilter.js";
import { loadRules, type CompiledRules } from "../agent/crash/rules.js";
import { MAX_SCAN_THREADS, scanThreadsFor } from "../agent/crash/parallel-scan.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { toEre } from "./lib/ere.js";
import { median } from "./lib/measure.js";
import { buildShipped, launcherOptions } from "./lib/shipped.js";
import { writeTrainerLog } from "./lib/trainer-log.js";

const LOG_MB = process.env.BENCH_LOG_GB ? Number(process.env.BENCH_LOG_GB) * 1000 : Number(process.env.BENCH_LOG_MB ?? "300");
const SEED = Number(process.env.BENCH_SEED ?? "13");
const TAIL_RUNS = 9;
const FULL_RUNS = Number(process.env.BENCH_FULL_RUNS ?? "3");
const GOAL = 1.5;

interface Timing {
  wallMs: number;
  cpuMs: number;
}

/** Removes lookaround groups ((?=...), (?!...), (?<=...), (?<!...)) from a JavaScript regex source. */
function dropLookarounds(src: string): string {
  let out = "";
  for (let i = 0; i < src.length; i++) {
    if (src[i] === "\\") {
      out += src.slice(i, i + 2);
      i++;
      continue;
    }
    if (src[i] === "[") {
      // A class is copied whole: "(" inside it is a character.
      let j = i + 1;
      if (src[j] === "^") j++;
      for (; j < src.length && src[j] !== "]"; j++) if (src[j] === "\\") j++;
      out += src.slice(i, j + 1);
      i = j;
      continue;
    }
    if (/^\(\?<?[=!]/.test(src.slice(i, i + 4))) {
      let depth = 0;
      let j = i;
      for (; j < src.length; j++) {
        if (src[j] === "\\") {
          j++;
        } else if (src[j] === "[") {
          for (j++; j < src.length && src[j] !== "]"; j++) if (src[j] === "\\") j++;
        } else if (src[j] === "(") {
          depth++;
        } else if (src[j] === ")" && --depth === 0) {
          break;
        }
      }
      i = j;
      continue;
    }
    out += src[i];
  }
  return out;
}

/** Class escapes spelled out: POSIX brackets have no `\d`, `\w`, `\s`, and a backslash is literal there. */
function spellClassEscapes(src: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === "\\") {
      const d = src[i + 1] ?? "";
      i++;
      // A JavaScript identity escape of punctuation that is plain in ERE (`\"`): rg rejects it, grep warns.
      if (!inClass) out += /[^\w.[\]()*+?{}|^$\\/]/.test(d) ? d : c + d;
      else if (d === "d") out += "0-9";
      else if (d === "w") out += "A-Za-z0-9_";
      else if (d === "s") out += "[:space:]";
      else if (d === "-") out += "-";
      else out += d;
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    out += c;
  }
  return out;
}

/**
 * A POSIX bracket expression as rg's syntax needs it: rg nests classes (`[a[bc]]`) and reads escapes
 * inside them, so a plain `[` (not `[:name:]`), a leading `]` and a backslash are escaped there
 * (`[^]]*?[[:space:],[]` from `[^\]]*?[\s,\[]` made rg stop with "unclosed character class").
 */
function bracketsForRg(ere: string): string {
  let out = "";
  for (let i = 0; i < ere.length; i++) {
    const c = ere[i]!;
    if (c === "\\") {
      out += ere.slice(i, i + 2);
      i++;
      continue;
    }
    if (c !== "[") {
      out += c;
      continue;
    }
    out += "[";
    let j = i + 1;
    if (ere[j] === "^") out += ere[j++];
    if (ere[j] === "]") {
      out += "\\]";
      j++;
    }
    for (; j < ere.length && ere[j] !== "]"; j++) {
      const d = ere[j]!;
      if (d === "[" && ere[j + 1] === ":") {
        const close = ere.indexOf(":]", j + 2);
        out += ere.slice(j, close + 2);
        j = close + 1;
      } else out += d === "[" || d === "\\" ? `\\${d}` : d;
    }
    out += "]";
    i = j;
  }
  return out;
}

/** The rules' patterns as grep -E (POSIX ERE) and rg (byte mode) pattern files. */
function referencePatterns(rules: CompiledRules): { ere: string; rg: string } {
  const ere = rules.rules.flatMap((r) => r.patterns.map((p) => toEre(spellClassEscapes(dropLookarounds(p.source)), p.ignoreCase)));
  const rg = ere.map((p) =>
    bracketsForRg(p.replace(/\\\//g, "/"))
      .replace(/[^\x00-\x7f]/g, (ch) => [...Buffer.from(ch, "utf8")].map((b) => `\\x${b.toString(16).toUpperCase()}`).join("")),
  );
  return { ere: ere.join("\n") + "\n", rg: rg.join("\n") + "\n" };
}

/**
 * Runs argv under bash's `time` (rusage of the child), its output to the file `out`: not /dev/null,
 * where GNU grep stops at the first match (it behaves as -q). Exit 0 or 1 (no match) expected.
 */
function timed(argv: readonly string[], out: string, env: NodeJS.ProcessEnv = process.env): Timing {
  const r = spawnSync("bash", ["-c", 'TIMEFORMAT="%3R %3U %3S"; { time "$@" >"$OUT" 2>/dev/null; echo "rc=$?" >&2; } 2>&1', "_", ...argv], { encoding: "utf8", env: { ...env, OUT: out } });
  const rc = Number(/rc=(\d+)/.exec(r.stdout)?.[1] ?? NaN);
  const m = /(\d+\.\d+) (\d+\.\d+) (\d+\.\d+)/.exec(r.stdout);
  if (!m || (rc !== 0 && rc !== 1)) throw new Error(`${argv.join(" ")}: exit ${rc}: ${r.stdout}${r.stderr}`);
  return { wallMs: Number(m[1]) * 1000, cpuMs: (Number(m[2]) + Number(m[3])) * 1000 };
}

function countLines(file: string): number {
  const buf = fs.readFileSync(file);
  let n = 0;
  for (let i = buf.indexOf(0x0a); i !== -1; i = buf.indexOf(0x0a, i + 1)) n++;
  return n;
}

/** Busy spans of the bench's own threads (performance.now() ms), for ownLoad. */
const ownSpans: { from: number; to: number; threads: number }[] = [];

/** Runs f, counted as `threads` busy threads of the bench's own in the load average. */
async function own<T>(threads: number, f: () => T | Promise<T>): Promise<T> {
  const from = performance.now();
  try {
    return await f();
  } finally {
    ownSpans.push({ from, to: performance.now(), threads });
  }
}

/**
 * The bench's own share of the 1-minute load average now: the kernel averages the runnable tasks with
 * a 60 s time constant, so a span of n threads from s to e still counts n * (e^-(now-e)/60 - e^-(now-s)/60).
 * The CLI's scan starts with none of its own work in the load average; the bench's scans follow a
 * minute of its own (the log's generation, the other contenders), which the thread rule would
 * otherwise take for other work. An estimate (the kernel samples every 5 s).
 */
function ownLoad(now = performance.now()): number {
  const decay = (ms: number) => Math.exp(-Math.max(0, now - ms) / 60_000);
  return ownSpans.reduce((sum, s) => sum + s.threads * (decay(s.to) - decay(s.from)), 0);
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(" ");

async function main(): Promise<void> {
  const rules = await loadRules();
  const pf = prefilterFor(rules);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-crash-bench-"));
  const loadBefore = load();
  try {
    const small = path.join(dir, "small.log");
    const big = path.join(dir, "big.log");
    const t0 = performance.now();
    writeTrainerLog(small, 20 * 1024, SEED);
    const gen = await own(1, () => writeTrainerLog(big, LOG_MB * 1e6, SEED));
    const sizeBig = fs.statSync(big).size;
    const gb = (sizeBig / 1e9).toFixed(2);
    process.stdout.write(
      `generated ${gb} GB (${gen.lines} lines, seed ${SEED}) in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"}, node ${process.version}\n` +
        `rules: ${rules.rules.length} rules, ${pf.patterns.length} patterns, ${pf.literalCount} literals (${pf.stateCount} automaton states), ${pf.alwaysRun.length} patterns without a literal (run on every line)\n`,
    );

    const { ere, rg } = referencePatterns(rules);
    const ereFile = path.join(dir, "patterns.ere");
    const rgFile = path.join(dir, "patterns.rg");
    const grepOut = path.join(dir, "grep.out");
    const rgOut = path.join(dir, "rg.out");
    fs.writeFileSync(ereFile, ere);
    fs.writeFileSync(rgFile, rg);
    const rgBin = spawnSync("rg", ["--version"], { encoding: "utf8" });
    const rgVersion = rgBin.status === 0 ? rgBin.stdout.split("\n")[0]! : null;
    if (!rgVersion) process.stdout.write("rg (ripgrep) is not installed here: the rg comparison is skipped (apt-get install ripgrep to include it)\n");

    const tail = async (file: string) => {
      const times: number[] = [];
      let primary = "";
      for (let i = 0; i < TAIL_RUNS; i++) {
        const s = performance.now();
        const r = await scanFiles([file], { rules, lastNLines: 1000 });
        times.push(performance.now() - s);
        primary = `${r.primary?.ruleId ?? "none"} at line ${r.primary?.line}`;
      }
      return { ms: median(times), primary };
    };
    const tailSmall = await own(1, () => tail(small));
    const tailBig = await own(1, () => tail(big));

    // Where the time goes: the prefilter pass alone over the file (same reads as the scan).
    const pass = await own(1, () => {
      const fd = fs.openSync(big, "r");
      const buf = Buffer.allocUnsafe(16 << 20);
      let pos = 0;
      let keep = 0;
      let candidates = 0;
      let lines = 0;
      const c0 = process.cpuUsage();
      for (;;) {
        const n = fs.readSync(fd, buf, keep, buf.length - keep, pos);
        if (n === 0) break;
        pos += n;
        const len = keep + n;
        const end = pos >= sizeBig ? len : buf.lastIndexOf(0x0a, len - 1) + 1;
        lines += pf.scan(buf, 0, end, () => candidates++);
        keep = len - end;
        buf.copy(buf, 0, end, len);
      }
      fs.closeSync(fd);
      const cu = process.cpuUsage(c0);
      return { cpuMs: (cu.user + cu.system) / 1000, candidates, lines };
    });

    const cpus = os.availableParallelism();
    const allThreads = Math.min(cpus, MAX_SCAN_THREADS);
    type ScanResult = Awaited<ReturnType<typeof scanFiles>>;
    // One scan in `threads` threads; CPU time is the process's, worker threads included.
    const scanIn = async (threads: number, times: Timing[]): Promise<ScanResult> =>
      own(threads, async () => {
        const c0 = process.cpuUsage();
        const s = performance.now();
        const r = await scanFiles([big], { rules, all: true, parallel: { threads } });
        const wallMs = performance.now() - s;
        const cu = process.cpuUsage(c0);
        times.push({ wallMs, cpuMs: (cu.user + cu.system) / 1000 });
        return r;
      });
    const scanT: Timing[] = [];
    const allT: Timing[] = [];
    const singleT: Timing[] = [];
    const grepT: Timing[] = [];
    const rgT: Timing[] = [];
    const chosen: { threads: number; load: number; own: number }[] = [];
    // The shipped command, one scan per process (item 4 of the header).
    const scanArgs = ["crash", "scan", "--all", "--file", big, "--json"];
    const shippedArgv = [process.execPath, ...launcherOptions(scanArgs), path.join(buildShipped(), "trainsafe.cjs"), ...scanArgs];
    const pinned = spawnSync("taskset", ["-c", "0", "true"]).status === 0 ? ["taskset", "-c", "0"] : null;
    const shipOut = path.join(dir, "shipped.json");
    const shipT: Timing[] = [];
    const shipPinnedT: Timing[] = [];
    const rgPinnedT: Timing[] = [];
    let result: ScanResult | undefined;
    let inAll: ScanResult | undefined;
    let single: ScanResult | undefined;
    for (let i = 0; i < FULL_RUNS; i++) {
      // The threads `crash scan --all` would take now: the rule on the load average less the bench's own part.
      const seen = os.loadavg()[0]!;
      const mine = ownLoad();
      const threads = scanThreadsFor(cpus, Math.max(0, seen - mine), os.cpus().length);
      chosen.push({ threads, load: seen, own: mine });
      result = await scanIn(threads, scanT);
      inAll = await scanIn(allThreads, allT);
      single = await scanIn(1, singleT);
      grepT.push(await own(1, () => timed(["grep", "-E", "-n", "-f", ereFile, big], grepOut, { ...process.env, LC_ALL: "C" })));
      if (rgVersion) rgT.push(await own(1, () => timed(["rg", "-n", "--no-unicode", "-f", rgFile, big], rgOut)));
      shipT.push(await own(allThreads, () => timed(shippedArgv, shipOut)));
      if (pinned) {
        shipPinnedT.push(await own(1, () => timed([...pinned, ...shippedArgv], shipOut)));
        if (rgVersion) rgPinnedT.push(await own(1, () => timed([...pinned, "rg", "-n", "--no-unicode", "-f", rgFile, big], rgOut)));
      }
    }
    const shipped = JSON.parse(fs.readFileSync(shipOut, "utf8")) as { primary?: { ruleId?: string; line?: number } };
    const grepLines = countLines(grepOut);
    const rgLines = rgVersion ? countLines(rgOut) : 0;
    const loadAfter = load();

    const med = (ts: Timing[]) => ({ wallMs: median(ts.map((t) => t.wallMs)), cpuMs: median(ts.map((t) => t.cpuMs)) });
    const scan = med(scanT);
    const scanAll = med(allT);
    const scanSingle = med(singleT);
    const loads = chosen.map((c) => c.load);
    const byLoad = `threads ${chosen.map((c) => c.threads).join(", ")} at load ${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`;
    const chosenText = chosen.map((c) => `${c.threads} at load ${c.load.toFixed(2)} (~${c.own.toFixed(2)} the bench's own)`).join(", ");
    const grep = med(grepT);
    const mbps = (ms: number) => `${(sizeBig / 1e6 / (ms / 1000)).toFixed(0)} MB/s`;
    const sec = (t: Timing) => `${(t.wallMs / 1000).toFixed(2)} s wall, ${(t.cpuMs / 1000).toFixed(2)} s CPU`;
    const ratio = (a: Timing, b: Timing) => `${(a.wallMs / b.wallMs).toFixed(2)}x wall, ${(a.cpuMs / b.cpuMs).toFixed(2)}x CPU`;
    const primary = `${result!.primary?.ruleId} at line ${result!.primary?.line}`;
    const rows: string[][] = [
      ["tail, last 1000 lines, 20 KB file", `${tailSmall.ms.toFixed(2)} ms`, `median of ${TAIL_RUNS}`, tailSmall.primary],
      [`tail, last 1000 lines, ${gb} GB file`, `${tailBig.ms.toFixed(2)} ms`, `median of ${TAIL_RUNS}`, tailBig.primary],
      [`whole file (--all), ${gb} GB, threads by load`, sec(scan), `${mbps(scan.wallMs)}, median of ${FULL_RUNS}`, `${primary}; ${result!.findings.length} findings; threads chosen: ${chosen.map((c) => c.threads).join(", ")}`],
      [`  the same in ${allThreads} threads (every CPU)`, sec(scanAll), `${mbps(scanAll.wallMs)}, median of ${FULL_RUNS}`, "same result"],
      [`  the same in one thread`, sec(scanSingle), `${mbps(scanSingle.wallMs)}, median of ${FULL_RUNS}`, "same result"],
      ["  of which the prefilter pass", `${(pass.cpuMs / 1000).toFixed(2)} s CPU`, `${mbps(pass.cpuMs)}`, `${pass.candidates} of ${pass.lines} lines (${((100 * pass.candidates) / pass.lines).toFixed(1)} %) handed to the regexes`],
      ["grep -E -n -f <same patterns>, LC_ALL=C", sec(grep), mbps(grep.wallMs), `${grepLines} matching lines`],
    ];
    if (rgVersion) rows.push([`rg -n --no-unicode -f <same patterns> (${rgVersion})`, sec(med(rgT)), mbps(med(rgT).wallMs), `${rgLines} matching lines`]);
    rows.push(["shipped command, one scan per process", sec(med(shipT)), `${mbps(med(shipT).wallMs)}, median of ${FULL_RUNS}`, `${shipped.primary?.ruleId} at line ${shipped.primary?.line}`]);
    if (pinned) rows.push(["  the same pinned to one CPU (taskset -c 0)", sec(med(shipPinnedT)), `${mbps(med(shipPinnedT).wallMs)}, median of ${FULL_RUNS}`, "same result"]);
    if (pinned && rgVersion) rows.push(["  rg pinned to the same CPU", sec(med(rgPinnedT)), mbps(med(rgPinnedT).wallMs), ""]);
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(`${r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ")}\n`);
    const verdict = (a: Timing, b: Timing, goal: number) =>
      `${a.wallMs / b.wallMs <= goal ? "met" : "missed"} in wall time, ${a.cpuMs / b.cpuMs <= goal ? "met" : "missed"} in CPU time`;
    const against = (t: Timing) => `/ grep: ${ratio(t, grep)}` + (rgVersion ? `; / rg: ${ratio(t, med(rgT))}` : "");
    process.stdout.write(
      `threads chosen by the load (round by round): ${chosenText}\n` +
        `scan (${byLoad}) / grep (LC_ALL=C): ${ratio(scan, grep)}; goal <= ${GOAL}x: ${verdict(scan, grep, GOAL)}\n` +
        (rgVersion ? `scan (${byLoad}) / rg (--no-unicode): ${ratio(scan, med(rgT))}; goal: faster than rg (< 1x): ${verdict(scan, med(rgT), 1)}\n` : "scan / rg: rg not installed, not measured\n") +
        `${allThreads} threads ${against(scanAll)}\n` +
        `one thread ${against(scanSingle)}\n` +
        (rgVersion ? `shipped command / rg: ${ratio(med(shipT), med(rgT))}; goal: faster than rg (< 1x): ${verdict(med(shipT), med(rgT), 1)}\n` : "") +
        (pinned && rgVersion ? `shipped command pinned to one CPU / rg pinned: ${ratio(med(shipPinnedT), med(rgPinnedT))}; goal: faster than rg (< 1x): ${verdict(med(shipPinnedT), med(rgPinnedT), 1)}\n` : "") +
        `load average (1, 5, 15 min): ${loadBefore} before, ${loadAfter} after\n`,
    );
    assert.deepEqual(result, single, "the scan in the threads chosen and the single-thread scan differ");
    assert.deepEqual(inAll, single, "the parallel and the single-thread scan differ");
    const expected = `${gen.crashRuleId} at line ${gen.crashLine}`;
    if (primary !== expected) throw new Error(`whole-file scan found "${primary}", expected "${expected}"`);
    if (`${shipped.primary?.ruleId} at line ${shipped.primary?.line}` !== expected) throw new Error(`the shipped command found ${shipped.primary?.ruleId} at line ${shipped.primary?.line}, expected "${expected}"`);
    if (result!.files[0]!.linesRead !== gen.lines) throw new Error(`whole-file scan read ${result!.files[0]!.linesRead} lines, the log has ${gen.lines}`);
    if (!tailBig.primary.startsWith(gen.crashRuleId)) throw new Error(`tail scan found ${tailBig.primary}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
