import { test } from "node:test";
import assert from "node:assert/strict";
import os from "node:os";
import { HostSampler, parseProcStatCpu } from "../agent/telemetry/host.js";
import { StepRate } from "../agent/service/telemetry.js";

test("/proc/stat's cpu line gives busy and total jiffies", () => {
  const text = "cpu  4705 356 584 3699176 23060 0 277 0 0 0\ncpu0 1393280 32966 572056 13343292 6130 0 17875 0 23933 0\n";
  assert.deepEqual(parseProcStatCpu(text), { busy: 4705 + 356 + 584 + 277, total: 4705 + 356 + 584 + 3699176 + 23060 + 277 });
  assert.equal(parseProcStatCpu("garbage"), null);
  assert.equal(parseProcStatCpu("cpu  a b c d"), null);
});

test("the host sampler measures CPU between samples and reads memory and disk of this machine", async () => {
  const s = new HostSampler();
  const first = await s.sample(os.tmpdir());
  assert.equal(first.cpuPct, null, "no CPU figure before a second sample");
  const end = Date.now() + 200;
  while (Date.now() < end); // keep one core busy
  const second = await s.sample(os.tmpdir());
  assert.ok(second.cpuPct !== null && second.cpuPct > 0 && second.cpuPct <= 100, `cpu ${second.cpuPct}`);
  assert.ok((second.memTotalBytes ?? 0) > 0 && (second.diskFreeBytes ?? 0) > 0);
  assert.deepEqual(second.problems, []);
  const missing = await s.sample("/nonexistent/dir");
  assert.equal(missing.diskFreeBytes, null);
  assert.match(missing.problems.join(" "), /disk \/nonexistent\/dir/);
});

test("step rate: steps per second between reads that moved, reset on a restart from an earlier step", () => {
  const r = new StepRate();
  assert.equal(r.update(100, 0), 0);
  assert.equal(r.update(110, 5_000), 2);
  assert.equal(r.update(110, 6_000), 2, "unchanged until a minute without steps");
  assert.equal(r.update(null, 7_000), 2, "an unreadable status changes nothing");
  assert.equal(r.update(110, 70_000), 0, "a minute without a step");
  assert.equal(r.update(50, 71_000), 0, "restarted from a checkpoint: start over");
  assert.equal(r.update(60, 72_000), 10);
});
