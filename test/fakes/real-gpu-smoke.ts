/**
 * Smoke run on a REAL GPU host (not part of `npm test`): the nvidia-smi queries, the GPU and Xid checks,
 * compute-app listing with a live CUDA process (when python3 has torch), and a forced deadline kill.
 * Prints one JSON document and exits non-zero when an expectation fails.
 *   npx tsx test/fakes/real-gpu-smoke.ts [out.json]
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveSettings } from "../../agent/config/settings.js";
import { diskCheck } from "../../agent/checks/disk.js";
import { gpuCheck } from "../../agent/checks/gpu.js";
import { memoryCheck } from "../../agent/checks/memory.js";
import { runChecks } from "../../agent/checks/runner.js";
import { xidCheck } from "../../agent/checks/xid.js";
import { listProcesses } from "../../agent/lib/proc.js";
import { GPU_FIELDS, gpuProcesses, nvidiaSmiCommands, queryGpus } from "../../agent/telemetry/gpu.js";

const out: Record<string, unknown> = {};
const failures: string[] = [];
const expect = (ok: boolean, what: string) => {
  if (!ok) failures.push(what);
};

out.commands = nvidiaSmiCommands();
const q = await queryGpus({ timeoutMs: 15_000 });
out.query = q;
expect(q.available, "queryGpus available");
if (q.available) {
  expect(q.gpus.length >= 1, "at least one GPU");
  expect(q.unsupportedFields.length === 0 && q.fields.length === GPU_FIELDS.length, "every field accepted");
  for (const g of q.gpus) {
    expect(typeof g.temperatureC === "number" && typeof g.memoryTotalMiB === "number", `GPU ${g.index} numbers`);
    expect(g.uuid?.startsWith("GPU-") === true, `GPU ${g.index} uuid`);
    expect(g.throttleMask !== null, `GPU ${g.index} throttle mask`);
  }
}

const timesMs: number[] = [];
for (let i = 0; i < 7; i++) {
  const t0 = performance.now();
  await queryGpus({ timeoutMs: 15_000 });
  timesMs.push(+(performance.now() - t0).toFixed(1));
}
out.queryTimesMs = timesMs;
out.queryMedianMs = [...timesMs].sort((a, b) => a - b)[3];

// A live CUDA process must show up in the compute-apps query with its memory.
let cuda: ReturnType<typeof spawn> | null = null;
try {
  cuda = spawn("python3", ["-c", "import torch,time,sys; x=torch.ones(1<<28, device='cuda'); print('ready', flush=True); time.sleep(60)"], { stdio: ["ignore", "pipe", "pipe"] });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 60_000);
    cuda!.stdout!.on("data", (b: Buffer) => {
      if (b.toString().includes("ready")) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    cuda!.on("error", () => resolve(false));
    cuda!.on("exit", () => resolve(false));
  });
  out.cudaReady = ready;
  const apps = await gpuProcesses({ timeoutMs: 15_000 });
  out.computeApps = apps;
  if (ready) {
    expect(apps.available && apps.processes.some((p) => p.pid === cuda!.pid && (p.usedMemoryMiB ?? 0) >= 1024), "CUDA process listed with >= 1 GiB");
  }
} finally {
  cuda?.kill("SIGKILL");
}

// Deadline far shorter than nvidia-smi needs: it must be killed and gone.
const killed = await queryGpus({ timeoutMs: 5 });
out.forcedTimeout = killed;
expect(!killed.available && killed.cause === "timeout", "5 ms deadline reports a timeout");
await new Promise((r) => setTimeout(r, 200));
const leftovers = (await listProcesses()).filter((p) => p.comm === "nvidia-smi");
out.nvidiaSmiLeftovers = leftovers.map((p) => ({ pid: p.pid, state: p.state }));
expect(leftovers.filter((p) => p.state !== "Z").length === 0, "no nvidia-smi left running");

const base = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-smoke-"));
try {
  const checks = [gpuCheck, xidCheck, memoryCheck, diskCheck];
  const report = await runChecks(resolveSettings({ checks: { minDiskFree: "1GB" } }, { baseDir: base }), { checks });
  out.checks = report.checks.map((c) => ({ id: c.id, status: c.status, message: c.message, durationMs: c.durationMs }));
  const gpu = report.checks.find((c) => c.id === "gpu")!;
  expect(gpu.status === "pass" || gpu.status === "warn", `gpu check ran (${gpu.status}: ${gpu.message})`);
  const xid = report.checks.find((c) => c.id === "xid")!;
  expect(xid.status !== "skip", `xid check read the kernel log (${xid.message})`);
  const count = q.available ? q.gpus.length : 0;
  const wrong = await runChecks(resolveSettings({ checks: { expectedGpuCount: count + 1 } }, { baseDir: base }), { checks: [gpuCheck] });
  out.expectedCountCheck = wrong.checks[0];
  expect(wrong.checks[0]!.status === "fail", "expected count above the real count fails");
} finally {
  fs.rmSync(base, { recursive: true, force: true });
}

out.failures = failures;
const text = JSON.stringify(out, null, 2);
if (process.argv[2]) fs.writeFileSync(process.argv[2], text + "\n");
process.stdout.write(text + "\n");
process.exitCode = failures.length ? 1 : 0;
