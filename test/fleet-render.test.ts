import { test } from "node:test";
import assert from "node:assert/strict";
import { parseSince } from "../cli/commands/fleet.js";
import { createProgress } from "../cli/fleet/progress.js";
import { gpuCell, outcomeJson, renderHosts, renderOutcomes } from "../cli/fleet/render.js";
import { retryDelayMs } from "../controller/rpc/fleet-client.js";
import type { HostSummary } from "../controller/domain.js";

const NOW = 1_800_000_000_000;

function host(p: Partial<HostSummary>): HostSummary {
  return {
    hostId: "h",
    jobId: "",
    connected: true,
    firstSeenMs: NOW - 3_600_000,
    lastSeenMs: NOW - 12_000,
    agentVersion: "1",
    capabilities: [],
    baseDir: "/b",
    daemonState: "running",
    step: 10,
    stepRate: 1.234,
    cpuPct: 5,
    memUsedBytes: 1,
    memTotalBytes: 2,
    diskFreeBytes: 3,
    gpus: { count: 8, utilAvgPct: 96.6, tempMaxC: 71.2, memUsedBytes: 560e9, memTotalBytes: 640e9, powerW: 5000 },
    telemetryTsMs: NOW - 5_000,
    ...p,
  };
}

test("hosts table: one row per host with last seen, step rate and a GPU summary", () => {
  const text = renderHosts([host({ hostId: "gpu-01", jobId: "j" }), host({ hostId: "gpu-02", connected: false, step: -1, telemetryTsMs: 0, gpus: { count: 0, utilAvgPct: 0, tempMaxC: 0, memUsedBytes: 0, memTotalBytes: 0, powerW: 0 } })], NOW);
  const lines = text.split("\n");
  assert.match(lines[0]!, /^HOST +JOB +CONNECTED +LAST SEEN +DAEMON +STEP +STEP\/S +GPUS$/);
  assert.match(lines[1]!, /^gpu-01 +j +yes +12s ago +running +10 +1\.23 +8x 97% 71C 560\.0 GB\/640\.0 GB$/);
  assert.match(lines[2]!, /^gpu-02 +- +no +12s ago +running +- +- +-$/);
  assert.match(text, /2 hosts, 1 connected/);
  assert.equal(gpuCell(host({}).gpus), "8x 97% 71C 560.0 GB/640.0 GB");
});

test("command outcomes: words for each result and parsed output in JSON", () => {
  const base = { ok: true, outputJson: '{"a":1}', error: "", summary: "fine", problems: 0, durationMs: 1500, connected: true };
  const outs = [
    { ...base, hostId: "b" },
    { ...base, hostId: "a", problems: 2, summary: "2 fail" },
    { ...base, hostId: "c", ok: false, connected: false, error: "not connected", outputJson: "" },
    { ...base, hostId: "d", ok: false, error: "timed out after 500ms", outputJson: "" },
  ];
  const text = renderOutcomes(outs);
  assert.match(text, /^a +problems +2 +2 fail +1\.5s$/m);
  assert.match(text, /^c +not connected +0 +not connected +-$/m);
  assert.match(text, /^d +timed out /m);
  assert.match(text, /1 of 4 hosts ok/);
  assert.deepEqual(outcomeJson(outs[0]!).output, { a: 1 });
  assert.equal(outcomeJson(outs[2]!).result, "not connected");
});

test("--since takes a duration ago or an ISO date", () => {
  assert.equal(parseSince("2h", NOW), NOW - 7_200_000);
  assert.equal(parseSince("2026-01-02T03:04:05Z", NOW), Date.parse("2026-01-02T03:04:05Z"));
  assert.throws(() => parseSince("yesterday", NOW), /--since: invalid duration/);
  assert.throws(() => parseSince("2026-13-45", NOW), /--since: invalid date/);
});

test("the progress bar draws only on a terminal and only for several hosts", () => {
  const writes: string[] = [];
  const tty = { isTTY: true, columns: 80, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  const p = createProgress(4, tty);
  p.tick("a");
  p.tick("b");
  p.done();
  assert.match(writes[2]!, /\[#{15}\.{15}\] 2\/4 hosts b/);
  const piped = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  const before = writes.length;
  createProgress(4, piped).tick();
  createProgress(1, tty).tick();
  assert.equal(writes.length, before);
});

test("retry delays grow exponentially up to the cap, with full jitter", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => retryDelayMs(n, 100, 2_000, () => 0.999)), [99, 199, 399, 799, 1598, 1998]);
  assert.equal(retryDelayMs(3, 100, 2_000, () => 0), 0);
});
