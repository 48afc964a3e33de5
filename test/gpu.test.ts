import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import {
  GPU_FIELDS,
  decodeThrottleReasons,
  gpuProcesses,
  nvidiaSmiCommands,
  parseComputeAppsCsv,
  parseGpuCsv,
  parseNvidiaValue,
  queryGpus,
  rejectedField,
} from "../agent/telemetry/gpu.js";
import { isRunning } from "../agent/lib/proc.js";
import { FAKES, fakeSpec, withFake } from "./helpers/fake-gpu.js";

const FAKE = path.join(FAKES, "nvidia-smi");
const SAMPLE = path.join(FAKES, "samples", "h200-driver-580.159.04.txt");

/** Commands and outputs captured on the real H200 (`=== cmd`, output lines, `--- rc=N`). */
function samples(): Array<{ cmd: string; output: string; rc: number }> {
  const out: Array<{ cmd: string; output: string; rc: number }> = [];
  let cur: { cmd: string; lines: string[] } | null = null;
  for (const line of fs.readFileSync(SAMPLE, "utf8").split("\n")) {
    if (line.startsWith("=== ")) cur = { cmd: line.slice(4), lines: [] };
    else if (line.startsWith("--- rc=") && cur) {
      out.push({ cmd: cur.cmd, output: cur.lines.join("\n"), rc: Number(line.slice(7)) });
      cur = null;
    } else cur?.lines.push(line);
  }
  return out;
}

function fieldsOf(cmd: string): string[] {
  return /--query-gpu=(\S+)/.exec(cmd)![1]!.split(",");
}

const DEFAULT_FIELDS = GPU_FIELDS.map((f) => f.names[0]!);

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-gpu-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const H200 = {
  index: 0,
  name: "NVIDIA H200",
  uuid: "GPU-9bac4ad2-7b06-e93a-6343-67a08344637c",
  "temperature.gpu": 35,
  "utilization.gpu": 0,
  "memory.used": 0,
  "memory.total": 143771,
  "power.draw": 122.84,
  "ecc.errors.uncorrected.volatile.total": 0,
  "retired_pages.pending": "[N/A]",
  "remapped_rows.pending": "No",
  "remapped_rows.failure": "No",
  "remapped_rows.uncorrectable": 0,
  "clocks_throttle_reasons.active": "0x0000000000000001",
  "mig.mode.current": "Disabled",
};

test("parses the real H200 answers (driver 580) for both throttle field names", () => {
  const queries = samples().filter((s) => s.cmd.includes("--query-gpu=index,name") && s.cmd.endsWith("--format=csv,noheader,nounits"));
  assert.equal(queries.length, 2, "sample file has the throttle and event-reasons queries");
  for (const s of queries) {
    assert.equal(s.rc, 0);
    const { gpus, problems } = parseGpuCsv(s.output, fieldsOf(s.cmd));
    assert.deepEqual(problems, []);
    assert.equal(gpus.length, 1);
    const g = gpus[0]!;
    assert.equal(g.index, 0);
    assert.equal(g.name, "NVIDIA H200");
    assert.equal(g.uuid, "GPU-9bac4ad2-7b06-e93a-6343-67a08344637c");
    assert.equal(g.temperatureC, 35);
    assert.equal(g.memoryTotalMiB, 143771);
    assert.ok(g.powerW !== null && g.powerW > 100 && g.powerW < 700);
    assert.equal(g.eccUncorrected, 0);
    assert.equal(g.retiredPagesPending, null, "[N/A] on Hopper (row remapping replaced page retirement)");
    assert.equal(g.remappedPending, false);
    assert.equal(g.remappedFailure, false);
    assert.equal(g.remappedUncorrectable, 0);
    assert.equal(g.throttleMask, 1);
    assert.deepEqual(g.throttleReasons, ["gpu_idle"]);
  }
});

test("the real rejection message and the real no-devices answer are recognised", () => {
  const bad = samples().find((s) => s.cmd.includes("bogus.field"))!;
  assert.equal(bad.rc, 2);
  assert.equal(rejectedField(bad.output), "bogus.field");
  const none = samples().find((s) => s.cmd.includes("-i 7"))!;
  assert.match(none.output, /No devices were found/);
  const apps = samples().find((s) => s.cmd.includes("--query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits"))!;
  assert.deepEqual(parseComputeAppsCsv(apps.output), { processes: [], problems: [] });
});

test("parses several GPUs with [N/A], [Not Supported], MIG and a name containing a comma", () => {
  // Rows in the shape nvidia-smi prints for these GPUs: 8-GPU H100 node under load (SW power cap),
  // a V100 (page retirement, no row remapping), a GeForce (no ECC, no power reading), an A100 in MIG
  // mode (utilization not reported with MIG on, per `nvidia-smi --help-query-gpu`).
  const text = [
    "0, NVIDIA H100 80GB HBM3, GPU-aaaaaaaa-0000-0000-0000-000000000000, 61, 100, 71234, 81559, 689.12, 0, [N/A], No, No, 0, 0x0000000000000004, Disabled",
    "1, NVIDIA H100 80GB HBM3, GPU-aaaaaaaa-0000-0000-0000-000000000001, 88, 97, 71230, 81559, 701.40, 2, [N/A], Yes, No, 1, 0x0000000000000048, Disabled",
    "2, Tesla V100-SXM2-32GB, GPU-bbbbbbbb-0000-0000-0000-000000000002, 44, 35, 1200, 32768, 60.31, 0, Yes, [N/A], [N/A], [N/A], 0x0000000000000000, [N/A]",
    "3, NVIDIA GeForce RTX 3090, Founders, GPU-cccccccc-0000-0000-0000-000000000003, 52, 12, 800, 24576, [Not Supported], [N/A], [N/A], [N/A], [N/A], [N/A], 0x0000000000000001, [N/A]",
    "4, NVIDIA A100-SXM4-80GB, GPU-dddddddd-0000-0000-0000-000000000004, 33, [N/A], 13, 81920, 61.17, 0, [N/A], No, No, 0, 0x0000000000000001, Enabled",
    "",
  ].join("\n");
  const { gpus, problems } = parseGpuCsv(text, DEFAULT_FIELDS);
  assert.deepEqual(problems, []);
  assert.deepEqual(gpus.map((g) => g.index), [0, 1, 2, 3, 4]);
  assert.deepEqual(gpus[0]!.throttleReasons, ["sw_power_cap"]);
  assert.equal(gpus[1]!.eccUncorrected, 2);
  assert.equal(gpus[1]!.remappedPending, true);
  assert.deepEqual(gpus[1]!.throttleReasons, ["hw_slowdown", "hw_thermal_slowdown"]);
  assert.equal(gpus[1]!.throttleMask, 0x48);
  assert.equal(gpus[2]!.retiredPagesPending, true);
  assert.equal(gpus[2]!.remappedPending, null);
  assert.equal(gpus[2]!.migMode, null);
  assert.equal(gpus[3]!.name, "NVIDIA GeForce RTX 3090, Founders");
  assert.equal(gpus[3]!.uuid, "GPU-cccccccc-0000-0000-0000-000000000003");
  assert.equal(gpus[3]!.powerW, null);
  assert.equal(gpus[3]!.eccUncorrected, null);
  assert.equal(gpus[4]!.utilizationPct, null);
  assert.equal(gpus[4]!.migMode, "Enabled");
  assert.equal(gpus[4]!.memoryUsedMiB, 13);
});

test("lines that are not GPU rows become problems, not GPUs", () => {
  const text = "Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\n0, NVIDIA H200, GPU-x, 35\n";
  const { gpus, problems } = parseGpuCsv(text, ["index", "name", "uuid", "temperature.gpu"]);
  assert.equal(gpus.length, 1);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /Unable to determine/);
});

test("no placeholder ever parses as a number or NaN", () => {
  for (const v of ["[N/A]", "N/A", "[Not Supported]", "[Unknown Error]", "[GPU requires reset]", "ERR!", "", "  "]) {
    assert.equal(parseNvidiaValue(v), null, v);
  }
  const cell = fc.oneof(
    fc.constantFrom("[N/A]", "[Not Supported]", "ERR!", "[Unknown Error]", "Yes", "No", "0x0000000000000044", "-", "nan", "inf"),
    fc.string({ maxLength: 12 }).filter((s) => !s.includes(",") && !s.includes("\n")),
    fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  );
  fc.assert(
    fc.property(fc.array(cell, { minLength: DEFAULT_FIELDS.length - 1, maxLength: DEFAULT_FIELDS.length - 1 }), (cells) => {
      const { gpus } = parseGpuCsv(`0, ${cells.join(", ")}`, DEFAULT_FIELDS);
      for (const g of gpus) {
        for (const [k, v] of Object.entries(g)) {
          if (typeof v === "number") assert.ok(Number.isFinite(v), `${k} = ${v}`);
        }
      }
    }),
  );
});

test("throttle masks decode to names, unknown bits are kept", () => {
  assert.deepEqual(decodeThrottleReasons("0x0000000000000000"), { mask: 0, reasons: [] });
  assert.deepEqual(decodeThrottleReasons("0x0000000000000084").reasons, ["sw_power_cap", "hw_power_brake_slowdown"]);
  assert.deepEqual(decodeThrottleReasons("0x0000000000010020").reasons, ["sw_thermal_slowdown", "unknown(0x10000)"]);
  assert.deepEqual(decodeThrottleReasons("[N/A]"), { mask: null, reasons: [] });
  assert.deepEqual(decodeThrottleReasons(null), { mask: null, reasons: [] });
});

test("compute apps: pids, [N/A] memory under MIG", () => {
  const { processes, problems } = parseComputeAppsCsv("4242, 70112, GPU-a\n4243, [N/A], GPU-b\nnot a row\n");
  assert.deepEqual(processes, [
    { pid: 4242, usedMemoryMiB: 70112, gpuUuid: "GPU-a" },
    { pid: 4243, usedMemoryMiB: null, gpuUuid: "GPU-b" },
  ]);
  assert.equal(problems.length, 1);
});

test("queryGpus reads several GPUs through the fake nvidia-smi on PATH", async (t) => {
  const dir = tmp(t);
  const log = path.join(dir, "calls");
  const spec = fakeSpec(dir, { gpus: [H200, { ...H200, index: 1, uuid: "GPU-2", "temperature.gpu": "[N/A]" }], callLog: log });
  const r = await withFake(spec, () => queryGpus({ timeoutMs: 5000 }));
  assert.ok(r.available);
  assert.equal(r.gpus.length, 2);
  assert.equal(r.gpus[1]!.temperatureC, null);
  assert.deepEqual(r.unsupportedFields, []);
  const calls = fs.readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l) as string[]);
  assert.deepEqual(calls, [nvidiaSmiCommands()[0]!.split(" ").slice(1)], "exactly the documented command");
});

test("a rejected field is swapped for its alias or dropped, then remembered", async (t) => {
  const dir = tmp(t);
  const log = path.join(dir, "calls");
  const spec = fakeSpec(dir, { mode: "reject-field", rejectFields: ["clocks_throttle_reasons.active", "remapped_rows.uncorrectable"], gpus: [{ ...H200, "clocks_throttle_reasons.active": "0x40" }], callLog: log });
  await withFake(spec, async () => {
    const r = await queryGpus({ timeoutMs: 5000 });
    assert.ok(r.available, JSON.stringify(r));
    assert.deepEqual(r.unsupportedFields.sort(), ["clocks_throttle_reasons.active", "remapped_rows.uncorrectable"]);
    assert.ok(r.fields.includes("clocks_event_reasons.active"));
    assert.deepEqual(r.gpus[0]!.throttleReasons, ["hw_thermal_slowdown"]);
    assert.equal(r.gpus[0]!.remappedUncorrectable, null);
    const before = fs.readFileSync(log, "utf8").trim().split("\n").length;
    assert.equal(before, 3);
    const again = await queryGpus({ timeoutMs: 5000 });
    assert.ok(again.available);
    assert.equal(fs.readFileSync(log, "utf8").trim().split("\n").length, before + 1, "learned fields: one call");
  });
});

test("driver failure, no devices and a missing nvidia-smi are told apart", async (t) => {
  const dir = tmp(t);
  const failed = await withFake(fakeSpec(dir, { mode: "fail" }), () => queryGpus({ timeoutMs: 5000 }));
  assert.equal(failed.available, false);
  assert.ok(!failed.available && failed.cause === "failed");
  assert.match(!failed.available ? failed.reason : "", /couldn't communicate with the NVIDIA driver/);
  assert.match(!failed.available ? failed.reason : "", /code 9/);

  const none = await withFake(fakeSpec(dir, { mode: "no-devices" }), () => queryGpus({ timeoutMs: 5000 }));
  assert.ok(none.available);
  assert.deepEqual(none.gpus, []);

  const missing = await queryGpus({ timeoutMs: 5000, nvidiaSmi: path.join(dir, "no-such-nvidia-smi") });
  assert.ok(!missing.available && missing.cause === "not_found", JSON.stringify(missing));
});

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const until = Date.now() + withinMs;
  for (;;) {
    const alive = (await Promise.all(pids.map(isRunning))).some(Boolean);
    if (!alive) return true;
    if (Date.now() > until) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
}

test("a hung nvidia-smi is killed at the deadline, grandchild included", async (t) => {
  const dir = tmp(t);
  const pidFile = path.join(dir, "pids");
  const started = Date.now();
  const r = await withFake(fakeSpec(dir, { mode: "hang", hangChild: true, pidFile }), () => queryGpus({ timeoutMs: 700 }));
  const tookMs = Date.now() - started;
  assert.ok(!r.available && r.cause === "timeout", JSON.stringify(r));
  assert.match(!r.available ? r.reason : "", /did not answer within 0\.7s and was killed/);
  assert.ok(tookMs < 3000, `returned after ${tookMs}ms`);
  const pids = fs.readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.equal(pids.length, 2, "the fake and its grandchild wrote their PIDs");
  assert.ok(await gone(pids, 2000), `still running: ${pids}`);
});

test("aborting the signal kills nvidia-smi at once (gpuProcesses too)", async (t) => {
  const dir = tmp(t);
  const pidFile = path.join(dir, "pids");
  const ac = new AbortController();
  await withFake(fakeSpec(dir, { mode: "hang", pidFile }), async () => {
    const p = gpuProcesses({ timeoutMs: 60_000, signal: ac.signal });
    while (!fs.existsSync(pidFile) || fs.readFileSync(pidFile, "utf8") === "") await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    const r = await p;
    assert.ok(!r.available && r.cause === "aborted", JSON.stringify(r));
  });
  const pids = fs.readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.ok(await gone(pids, 2000));
});

test("gpuProcesses lists compute apps from the fake", async (t) => {
  const dir = tmp(t);
  const spec = fakeSpec(dir, { processes: [{ pid: 4242, used_memory: 70112, gpu_uuid: "GPU-1" }, { pid: 77, used_memory: "[N/A]", gpu_uuid: "GPU-2" }] });
  const r = await withFake(spec, () => gpuProcesses({ timeoutMs: 5000 }));
  assert.ok(r.available);
  assert.deepEqual(r.processes, [
    { pid: 4242, usedMemoryMiB: 70112, gpuUuid: "GPU-1" },
    { pid: 77, usedMemoryMiB: null, gpuUuid: "GPU-2" },
  ]);
});

test("the README lists exactly the commands nvidiaSmiCommands() prints", () => {
  const readme = fs.readFileSync(path.join(FAKES, "README.md"), "utf8");
  for (const line of nvidiaSmiCommands()) assert.ok(readme.includes(`    ${line}\n`), `README lacks: ${line}`);
  assert.ok(fs.statSync(FAKE).mode & 0o100, "fake nvidia-smi is executable");
});

test("a trainsafe process that exits mid-query takes its hung nvidia-smi with it", async (t) => {
  const dir = tmp(t);
  const pidFile = path.join(dir, "pids");
  const spec = fakeSpec(dir, { mode: "hang", hangChild: true, pidFile });
  const script = `
    import { queryGpus } from ${JSON.stringify(path.resolve(import.meta.dirname, "../agent/telemetry/gpu.ts"))};
    import fs from "node:fs";
    void queryGpus({ timeoutMs: 60000 });
    const wait = setInterval(() => {
      if (fs.existsSync(${JSON.stringify(pidFile)}) && fs.readFileSync(${JSON.stringify(pidFile)}, "utf8").split("\\n").length > 2) {
        clearInterval(wait);
        process.exit(3);
      }
    }, 10);`;
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    env: { ...process.env, PATH: `${FAKES}:${process.env.PATH}`, FAKE_NVIDIA_SMI: spec },
    timeout: 20_000,
  });
  assert.equal(r.status, 3, String(r.stderr));
  const pids = fs.readFileSync(pidFile, "utf8").trim().split("\n").map(Number);
  assert.ok(await gone(pids, 2000), `left behind: ${pids}`);
});

// `lspci -n -d 10de:` of an 8-GPU HGX H100 board: GPUs are class 0302, NVSwitches 0680 (not GPUs).
const HGX_LSPCI = [
  "05:00.0 0680: 10de:22a3 (rev a1)",
  "06:00.0 0680: 10de:22a3 (rev a1)",
  "18:00.0 0302: 10de:2330 (rev a1)",
  "2a:00.0 0302: 10de:2330 (rev a1)",
  "3a:00.0 0302: 10de:2330 (rev a1)",
  "5d:00.0 0302: 10de:2330 (rev a1)",
  "9a:00.0 0302: 10de:2330 (rev a1)",
  "ab:00.0 0302: 10de:2330 (rev a1)",
  "ba:00.0 0302: 10de:2330 (rev a1)",
  "db:00.0 0302: 10de:2330 (rev a1)",
  "",
].join("\n");

test("lspci: only display controllers count as GPUs; domain-qualified addresses parse", async (t) => {
  const { parseLspci, pciGpus } = await import("../agent/telemetry/gpu.js");
  const gpus = parseLspci(HGX_LSPCI);
  assert.equal(gpus.length, 8);
  assert.deepEqual(gpus[0], { address: "18:00.0", classCode: "0302", deviceId: "2330" });
  assert.deepEqual(parseLspci("0000:01:00.0 0300: 10de:2204 (rev a1)\n0000:01:00.1 0403: 10de:1aef (rev a1)\n"), [
    { address: "0000:01:00.0", classCode: "0300", deviceId: "2204" },
  ]);
  const dir = tmp(t);
  const file = path.join(dir, "lspci.txt");
  fs.writeFileSync(file, HGX_LSPCI);
  const saved = { PATH: process.env.PATH, L: process.env.FAKE_LSPCI };
  process.env.PATH = `${FAKES}:${saved.PATH}`;
  try {
    process.env.FAKE_LSPCI = file;
    const r = await pciGpus({ timeoutMs: 5000 });
    assert.ok(r.available && r.gpus.length === 8);
    delete process.env.FAKE_LSPCI;
    const none = await pciGpus({ timeoutMs: 5000 });
    assert.ok(!none.available && none.cause === "failed");
  } finally {
    process.env.PATH = saved.PATH;
    if (saved.L !== undefined) process.env.FAKE_LSPCI = saved.L;
  }
});
