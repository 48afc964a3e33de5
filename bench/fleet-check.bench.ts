/**
 * `trainsafe fleet check --all` across 500 simulated agents (real gRPC streams from worker processes,
 * bench/lib/sim-worker.ts) connected to a real controller process. Every agent answers RUN_CHECKS with
 * a real result: the `trainsafe check --json` output of a copy of examples/training, captured at the
 * start of the run (about 10 KB of JSON), with its summary and problem count.
 *
 * Timed, median of BENCH_RUNS (default 5):
 * - the real CLI end to end: `node bin/trainsafe.js fleet check --all --controller ADDR --json`
 *   (spawn to exit, stdout parsed and checked: one outcome per agent, each connected with the result);
 * - the RunCommand call alone, from this process (FleetClient: new channel, call, all outcomes in):
 *   the fan-out cost without the CLI's start-up;
 * - reference: `node bin/trainsafe.js --version`, the CLI's start-up alone (tsx, every command module).
 * Goal: the CLI end to end under 2 s.
 *
 * Env: BENCH_FLEET_AGENTS (default 500), BENCH_RUNS (default 5).
 * Run: npm run bench -- fleet-check
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { FleetClient } from "../controller/rpc/fleet-client.js";
import { CLI, ROOT, startController } from "./lib/controller-process.js";
import { median, ms, readCpuMs } from "./lib/measure.js";
import { SimFleet } from "./lib/sim-fleet.js";

const AGENTS = Number(process.env.BENCH_FLEET_AGENTS ?? 500);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const GOAL_MS = 2_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  wallMs: number;
}

function runNode(args: string[]): Promise<Run> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr, wallMs: performance.now() - t0 });
    });
  });
}

/** A real `trainsafe check --json` of a copy of the example training directory. */
async function captureCheck(): Promise<{ outputJson: string; summary: string; problems: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-bench-check-"));
  try {
    fs.cpSync(path.join(ROOT, "examples", "training"), dir, { recursive: true });
    const r = await runNode([CLI, "check", "--base-dir", dir, "--json"]);
    if (r.code !== 0 && r.code !== 1) throw new Error(`check --json exited ${r.code}: ${r.stderr}`);
    const report = JSON.parse(r.stdout) as { summary: { pass: number; warn: number; fail: number; skip: number } };
    const s = report.summary;
    // The same summary line and problem count the agent's RUN_CHECKS answer carries (agent/service/commands.ts).
    return { outputJson: JSON.stringify(report), summary: `${s.pass} pass, ${s.warn} warn, ${s.fail} fail, ${s.skip} skip`, problems: s.fail + s.warn };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const result = await captureCheck();
  const ctl = await startController({});
  const sims = new SimFleet({ address: ctl.address, workers: 4, channelsPerWorker: 1, prefix: "fc-", jobSize: 8, gpus: 8 });
  try {
    await sims.start();
    await sims.setCommandResult(result.outputJson, result.summary, result.problems);
    const grown = await sims.grow(AGENTS);
    if (grown.failed.length > 0) throw new Error(`${grown.failed.length} agents could not connect: ${grown.failed[0]}`);
    process.stderr.write(`${AGENTS} agents connected in ${ms(grown.ms)}; each answers with ${result.outputJson.length} bytes of check output (${result.summary})\n`);

    const startup: number[] = [];
    const alone: number[] = [];
    const cli: number[] = [];
    const ctlCpuPerCall: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const v = await runNode([CLI, "--version"]);
      if (v.code !== 0) throw new Error(`--version exited ${v.code}: ${v.stderr}`);
      startup.push(v.wallMs);

      const client = new FleetClient({ address: ctl.address, callTimeoutMs: 30_000 });
      const c0 = readCpuMs(ctl.pid) ?? NaN;
      const t0 = performance.now();
      const outcomes = await client.runCommand({ all: true, kind: "run_checks" });
      alone.push(performance.now() - t0);
      ctlCpuPerCall.push((readCpuMs(ctl.pid) ?? NaN) - c0);
      client.close();
      const good = outcomes.filter((o) => o.connected && o.ok && o.summary === result.summary && o.outputJson.length === result.outputJson.length);
      if (good.length !== AGENTS) throw new Error(`RunCommand: ${good.length} of ${AGENTS} good outcomes (of ${outcomes.length})`);

      const r = await runNode([CLI, "fleet", "check", "--all", "--controller", ctl.address, "--json"]);
      // Exit 1: the captured result has problems, so every host "fails" its checks.
      if (r.code !== 0 && r.code !== 1) throw new Error(`fleet check exited ${r.code}: ${r.stderr}`);
      const parsed = JSON.parse(r.stdout) as Array<{ hostId: string; connected: boolean; summary: string; output: unknown }>;
      const okHosts = new Set(parsed.filter((o) => o.connected && o.summary === result.summary && o.output && typeof o.output === "object").map((o) => o.hostId));
      if (okHosts.size !== AGENTS) throw new Error(`fleet check --json: ${okHosts.size} of ${AGENTS} hosts with the check output`);
      cli.push(r.wallMs);
    }
    const stats = await sims.collect();
    const cliMs = median(cli);
    const lines = [
      `| what (${AGENTS} agents, median of ${RUNS}) | median | min / max |`,
      "| --- | --- | --- |",
      `| \`fleet check --all --json\`, CLI end to end | ${ms(cliMs)} | ${ms(Math.min(...cli))} / ${ms(Math.max(...cli))} |`,
      `| RunCommand alone (new channel, fan-out, ${AGENTS} outcomes) | ${ms(median(alone))} | ${ms(Math.min(...alone))} / ${ms(Math.max(...alone))} |`,
      `| reference: \`trainsafe --version\` (CLI start-up) | ${ms(median(startup))} | ${ms(Math.min(...startup))} / ${ms(Math.max(...startup))} |`,
      "",
      `controller CPU per RunCommand: ${ms(median(ctlCpuPerCall))} (median); agents answered ${stats.commandsAnswered} commands`,
      `CLI end to end = ${(cliMs / median(startup)).toFixed(2)}x the CLI start-up; start-up is ${((100 * median(startup)) / cliMs).toFixed(0)} % of it`,
      `goal: under ${GOAL_MS} ms end to end: ${cliMs < GOAL_MS ? "met" : "MISSED"} (${ms(cliMs)})`,
      `load average ${os.loadavg().map((x) => x.toFixed(1)).join(" ")} (${os.cpus().length} CPUs)`,
      "",
    ];
    process.stdout.write(lines.join("\n") + "\n");
  } finally {
    await sims.stop();
    await ctl.remove();
  }
}

await main();
