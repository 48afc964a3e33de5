/**
 * Crash scan benchmark (`npm run bench -- crash`).
 *
 * Generates a synthetic training log of BENCH_LOG_GB gigabytes (default 2) under os.tmpdir():
 * realistic step lines, periodic warnings full of tempting words (ddp_timeout, nan filters,
 * fp16 overflow, UserWarning, "killed" in progress bars), and a CUDA OOM followed by NCCL
 * timeouts near the end. Measured in the same run:
 *   1. tail scan (last 1000 lines): median time for a 20 KB file and for the big file;
 *   2. whole-file scan (--all) time against `grep -E -n` with the same patterns on the same file.
 * The file is deleted afterwards.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { toEre } from "./lib/ere.js";

const GB = Number(process.env.BENCH_LOG_GB ?? "2");
const TAIL_RUNS = 9;
const FULL_RUNS = 3;
const GREP_RUNS = 3;

const STEP = (i: number) =>
  `[2025-11-28 21:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")},${String(i % 1000).padStart(3, "0")}] INFO trainer.py:2201 >> step ${i}/2000000 | loss ${(2 + Math.sin(i / 97)).toFixed(4)} | lr 1.00e-05 | grad_norm ${((i % 13) / 7).toFixed(3)} | tokens/s 41234.5 | mem 61.2GiB | elapsed ${(i * 0.42).toFixed(1)}s`;
const TEMPTING = [
  "/usr/lib/python3.11/site-packages/torch/utils/checkpoint.py:91: UserWarning: None of the inputs have requires_grad=True. Gradients will be None",
  "[2025-11-28 21:00:01,123] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768",
  "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0",
  "TrainingArguments(ddp_timeout=1800, logging_nan_inf_filter=True, max_steps=-1, save_steps=500, dataloader_num_workers=8)",
  "train.py:196: FutureWarning: `torch.cuda.amp.GradScaler(args...)` is deprecated. Please use `torch.amp.GradScaler('cuda', args...)` instead.",
  "Evaluating: 100%|██████████| 250/250 [00:41<00:00, 6.02it/s, killed_workers=0, nan_count=0]",
  "pbg-dgx-1:1243335:1244249 [6] NCCL INFO NET/IB : No device found.",
  "wandb: Network error (TransientError), entering retry loop.",
];
const CRASH = [
  "[rank2]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.35 GiB. GPU 2 has a total capacity of 79.15 GiB of which 1.70 GiB is free.",
  "[rank5]:[E1128 21:59:08.408271257 ProcessGroupNCCL.cpp:607] [Rank 5] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1580, OpType=ALLREDUCE, NumelIn=466119168, NumelOut=466119168, Timeout(ms)=600000) ran for 600060 milliseconds before timing out.",
  "E1128 21:59:09.971000 3304089 site-packages/torch/distributed/elastic/multiprocessing/api.py:882] failed (exitcode: 1) local_rank: 2 (pid: 3304209) of binary: /usr/bin/python3",
];

function generate(file: string, bytes: number): { crashLine: number } {
  const fd = fs.openSync(file, "w");
  let written = 0;
  let line = 0;
  let batch: string[] = [];
  const flush = () => {
    const s = batch.join("\n") + "\n";
    fs.writeSync(fd, s);
    written += Buffer.byteLength(s);
    batch = [];
  };
  let pending = 0;
  while (written + pending < bytes) {
    line++;
    const l = line % 101 === 0 ? TEMPTING[line % TEMPTING.length]! : STEP(line);
    batch.push(l);
    pending += Buffer.byteLength(l) + 1;
    if (batch.length === 20_000) {
      flush();
      pending = 0;
    }
  }
  // `line` counts the lines pushed so far.
  for (let i = 0; i < 40; i++) batch.push(STEP(++line));
  const crashLine = ++line;
  batch.push(CRASH[0]!);
  for (let i = 0; i < 30; i++, line++) batch.push(`  File "/opt/train/model.py", line ${100 + i}, in forward`);
  batch.push(CRASH[1]!, CRASH[2]!);
  for (let i = 0; i < 20; i++) batch.push(TEMPTING[i % TEMPTING.length]!);
  flush();
  fs.closeSync(fd);
  return { crashLine };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function main(): Promise<void> {
  const rules = await loadRules();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-crash-bench-"));
  try {
    const small = path.join(dir, "small.log");
    const big = path.join(dir, "big.log");
    const t0 = performance.now();
    generate(small, 20 * 1024);
    const { crashLine } = generate(big, GB * 1e9);
    const sizeBig = fs.statSync(big).size;
    process.stdout.write(`generated ${(sizeBig / 1e9).toFixed(2)} GB in ${((performance.now() - t0) / 1000).toFixed(1)} s (${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? "?"})\n`);

    const tail = async (file: string) => {
      const times: number[] = [];
      let primary = "";
      for (let i = 0; i < TAIL_RUNS; i++) {
        const s = performance.now();
        const r = await scanFiles([file], { rules, lastNLines: 1000 });
        times.push(performance.now() - s);
        primary = `${r.primary?.category ?? "none"} at line ${r.primary?.line}`;
      }
      return { ms: median(times), primary };
    };
    const tailSmall = await tail(small);
    const tailBig = await tail(big);

    const fullTimes: number[] = [];
    let fullPrimary = "";
    let fullFindings = 0;
    for (let i = 0; i < FULL_RUNS; i++) {
      const s = performance.now();
      const r = await scanFiles([big], { rules, all: true });
      fullTimes.push(performance.now() - s);
      fullPrimary = `${r.primary?.category} (${r.primary?.ruleId}) at line ${r.primary?.line}`;
      fullFindings = r.findings.length;
    }
    const fullMs = median(fullTimes);

    const patternsFile = path.join(dir, "patterns.ere");
    fs.writeFileSync(patternsFile, rules.rules.flatMap((r) => r.patterns.map((p) => toEre(p.source, p.ignoreCase))).join("\n") + "\n");
    const grep = (env: NodeJS.ProcessEnv) => {
      const times: number[] = [];
      let matches = 0;
      for (let i = 0; i < GREP_RUNS; i++) {
        const s = performance.now();
        const r = spawnSync("grep", ["-E", "-n", "-f", patternsFile, big], { env, maxBuffer: 1 << 30 });
        times.push(performance.now() - s);
        if (r.status !== 0 && r.status !== 1) throw new Error(`grep failed: ${r.stderr}`);
        matches = r.stdout.toString().split("\n").filter(Boolean).length;
      }
      return { ms: median(times), matches };
    };
    const grepC = grep({ ...process.env, LC_ALL: "C" });
    const grepUtf8 = grep({ ...process.env, LC_ALL: "C.UTF-8" });

    const mbps = (ms: number) => ((sizeBig / 1e6) / (ms / 1000)).toFixed(0);
    const rows = [
      ["tail, last 1000 lines, 20 KB file", `${tailSmall.ms.toFixed(2)} ms`, `median of ${TAIL_RUNS}`, tailSmall.primary],
      [`tail, last 1000 lines, ${(sizeBig / 1e9).toFixed(2)} GB file`, `${tailBig.ms.toFixed(2)} ms`, `median of ${TAIL_RUNS}; ${(tailBig.ms / tailSmall.ms).toFixed(2)}x the 20 KB time`, tailBig.primary],
      [`whole file (--all), ${(sizeBig / 1e9).toFixed(2)} GB`, `${(fullMs / 1000).toFixed(2)} s`, `${mbps(fullMs)} MB/s, median of ${FULL_RUNS}`, `${fullPrimary}; ${fullFindings} findings`],
      ["grep -E -n -f <same patterns>, LC_ALL=C", `${(grepC.ms / 1000).toFixed(2)} s`, `${mbps(grepC.ms)} MB/s; scan/grep = ${(fullMs / grepC.ms).toFixed(2)}x`, `${grepC.matches} matching lines`],
      ["grep -E -n -f <same patterns>, LC_ALL=C.UTF-8", `${(grepUtf8.ms / 1000).toFixed(2)} s`, `${mbps(grepUtf8.ms)} MB/s; scan/grep = ${(fullMs / grepUtf8.ms).toFixed(2)}x`, `${grepUtf8.matches} matching lines`],
    ];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows) process.stdout.write(`${r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ")}\n`);
    process.stdout.write(`planted crash: cuda_oom at line ${crashLine}\n`);
    const expected = `cuda_oom (cuda_oom_alloc) at line ${crashLine}`;
    if (fullPrimary !== expected) throw new Error(`whole-file scan found "${fullPrimary}", expected "${expected}"`);
    if (!tailBig.primary.startsWith("cuda_oom")) throw new Error(`tail scan found ${tailBig.primary}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();
