import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { backoffMs, decideRestart, type RestartPolicy, type RestartRecord } from "../agent/watchdog/budget.js";
import { loadRestartHistory, restartsFile, saveRestartHistory } from "../agent/watchdog/state.js";
import { resolveLayout } from "../agent/config/layout.js";

const S = 1000;
const MIN = 60 * S;
/** The brief's policy: 3 restarts in 5 minutes; back-off 10 s doubling to 5 min; reset after 10 min healthy. */
const brief: RestartPolicy = { maxRestarts: 3, windowMs: 5 * MIN, backoffInitialMs: 10 * S, backoffMaxMs: 5 * MIN, healthyResetMs: 10 * MIN };
const T0 = 1_700_000_000_000;
const rec = (atMs: number, delayMs = 0): RestartRecord => ({ atMs, delayMs });

test("first restart is granted at once, with no back-off", () => {
  const d = decideRestart([], brief, T0);
  assert.equal(d.allow, true);
  assert.equal(d.delayMs, 0);
  assert.equal(d.retryAtMs, null);
  assert.equal(d.streak, 0);
  assert.match(d.reason, /restart 1 of 3/);
});

test("second and third consecutive restarts wait the initial back-off, then double", () => {
  const h1 = [rec(T0)];
  const d2 = decideRestart(h1, brief, T0 + 20 * S);
  assert.deepEqual([d2.allow, d2.delayMs, d2.streak], [true, 10 * S, 1]);
  const h2 = [...h1, rec(T0 + 20 * S, d2.delayMs)];
  const d3 = decideRestart(h2, brief, T0 + 60 * S);
  assert.deepEqual([d3.allow, d3.delayMs, d3.streak], [true, 20 * S, 2]);
});

test("the fourth restart inside the window is denied until the oldest grant leaves it", () => {
  const h = [rec(T0), rec(T0 + 30 * S, 10 * S), rec(T0 + 90 * S, 20 * S)];
  const d = decideRestart(h, brief, T0 + 2 * MIN);
  assert.equal(d.allow, false);
  assert.equal(d.inWindow, 3);
  assert.equal(d.retryAtMs, T0 + 5 * MIN);
  assert.equal(d.delayMs, T0 + 5 * MIN - (T0 + 2 * MIN));
  assert.match(d.reason, /budget exhausted: 3 restarts in the last 5m/);
});

test("window boundary: a grant exactly windowMs old no longer counts", () => {
  const h = [rec(T0), rec(T0 + 1), rec(T0 + 2)];
  assert.equal(decideRestart(h, brief, T0 + 5 * MIN - 1).allow, false);
  const d = decideRestart(h, brief, T0 + 5 * MIN);
  assert.equal(d.allow, true);
  assert.equal(d.inWindow, 2);
});

test("retryAtMs of a denial is when the count drops below the limit, with more grants than the limit", () => {
  // A controller may have granted more than the local limit; the local decision still waits for enough to leave.
  const h = [rec(T0), rec(T0 + 10 * S), rec(T0 + 20 * S), rec(T0 + 30 * S)];
  const d = decideRestart(h, brief, T0 + 40 * S);
  assert.equal(d.allow, false);
  assert.equal(d.retryAtMs, T0 + 10 * S + 5 * MIN);
  assert.equal(decideRestart(h, brief, d.retryAtMs!).allow, true);
});

test("a healthy run as long as healthyReset ends the streak: no back-off", () => {
  const h = [rec(T0), rec(T0 + 20 * S, 10 * S)];
  // The last daemon started at T0+30s; it ran 10 min before this failure.
  const d = decideRestart(h, brief, T0 + 30 * S + 10 * MIN);
  assert.deepEqual([d.allow, d.delayMs, d.streak], [true, 0, 0]);
  const almost = decideRestart(h, brief, T0 + 30 * S + 10 * MIN - 1);
  assert.deepEqual([almost.delayMs, almost.streak], [20 * S, 2]);
});

test("the streak stops at an earlier healthy run", () => {
  // r0 ran 20 min (healthy); r1 and r2 crashed quickly.
  const h = [rec(T0), rec(T0 + 20 * MIN), rec(T0 + 20 * MIN + 5 * S, 10 * S)];
  const d = decideRestart(h, { ...brief, maxRestarts: 10 }, T0 + 20 * MIN + 30 * S);
  assert.equal(d.streak, 2);
  assert.equal(d.delayMs, 20 * S);
});

test("back-off is capped at backoffMax", () => {
  const p = { ...brief, maxRestarts: 100, windowMs: 1 };
  assert.equal(backoffMs(0, p), 0);
  assert.equal(backoffMs(1, p), 10 * S);
  assert.equal(backoffMs(5, p), 160 * S);
  assert.equal(backoffMs(6, p), 5 * MIN);
  assert.equal(backoffMs(10_000, p), 5 * MIN);
});

test("maxRestarts 0 disables restarts: denied with no retry time", () => {
  const d = decideRestart([], { ...brief, maxRestarts: 0 }, T0);
  assert.equal(d.allow, false);
  assert.equal(d.retryAtMs, null);
  assert.match(d.reason, /disabled/);
});

test("unsorted history and records from the future (clock stepped back) are handled", () => {
  const h = [rec(T0 + 60 * S), rec(T0), rec(T0 + 10 * MIN)];
  const d = decideRestart(h, brief, T0 + 90 * S);
  // T0+10min is in the future but still counted: three grants, denied.
  assert.equal(d.allow, false);
  assert.equal(d.inWindow, 3);
});

test("decideRestart does not modify the history it is given", () => {
  const h = [rec(T0 + 2), rec(T0)];
  const copy = JSON.stringify(h);
  decideRestart(h, brief, T0 + 5);
  assert.equal(JSON.stringify(h), copy);
});

/** Simulates requests at the given times, appending each grant the way the supervisor does. */
function simulate(policy: RestartPolicy, times: number[]): RestartRecord[] {
  const history: RestartRecord[] = [];
  for (const t of times) {
    const d = decideRestart(history, policy, t);
    if (d.allow) history.push({ atMs: t, delayMs: d.delayMs });
  }
  return history;
}

const policyArb = fc.record({
  maxRestarts: fc.integer({ min: 0, max: 6 }),
  windowMs: fc.integer({ min: 1, max: 10 * MIN }),
  backoffInitialMs: fc.integer({ min: 0, max: MIN }),
  backoffMaxMs: fc.integer({ min: 0, max: 10 * MIN }),
  healthyResetMs: fc.integer({ min: 0, max: 20 * MIN }),
});
const timesArb = fc.array(fc.integer({ min: 0, max: 60 * MIN }), { maxLength: 60 }).map((a) => a.sort((x, y) => x - y).map((x) => T0 + x));

test("property: never more than maxRestarts grants in any window", () => {
  fc.assert(
    fc.property(policyArb, timesArb, (policy, times) => {
      const grants = simulate(policy, times).map((r) => r.atMs);
      for (let i = 0; i < grants.length; i++) {
        const inWindow = grants.filter((g) => g >= grants[i]! && g - grants[i]! < policy.windowMs).length;
        if (inWindow > policy.maxRestarts) return false;
      }
      return true;
    }),
    { numRuns: 500 },
  );
});

test("property: a denial's retryAtMs is in the future and a request then is granted (absent new grants)", () => {
  fc.assert(
    fc.property(policyArb.filter((p) => p.maxRestarts > 0), timesArb, fc.integer({ min: 0, max: 60 * MIN }), (policy, times, dt) => {
      const history = simulate(policy, times);
      const now = (times.at(-1) ?? T0) + dt;
      const d = decideRestart(history, policy, now);
      if (d.allow) return d.retryAtMs === null && d.delayMs >= 0 && d.delayMs <= Math.max(policy.backoffMaxMs, 0);
      return d.retryAtMs !== null && d.retryAtMs > now && decideRestart(history, policy, d.retryAtMs).allow;
    }),
    { numRuns: 500 },
  );
});

test("property: back-off never exceeds backoffMax and is 0 for the first restart of a streak", () => {
  fc.assert(
    fc.property(policyArb, timesArb, (policy, times) => {
      const history: RestartRecord[] = [];
      for (const t of times) {
        const d = decideRestart(history, policy, t);
        if (d.delayMs > policy.backoffMaxMs && d.allow) return false;
        if (d.allow && d.streak === 0 && d.delayMs !== 0) return false;
        if (d.allow) history.push({ atMs: t, delayMs: d.delayMs });
      }
      return true;
    }),
    { numRuns: 500 },
  );
});

test("restart history survives a restart of the supervisor (atomic file), and junk is reported, not thrown", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ts-budget-"));
  try {
    const layout = resolveLayout(dir);
    assert.deepEqual(await loadRestartHistory(layout), { records: [] });
    await saveRestartHistory(layout, [rec(T0 + 5, 10), { atMs: T0, delayMs: 0, cause: "crash" }]);
    const back = await loadRestartHistory(layout);
    assert.deepEqual(back.records.map((r) => r.atMs), [T0, T0 + 5]);
    assert.equal(back.records[0]!.cause, "crash");
    // The decision made from the reloaded history equals the one from memory.
    assert.deepEqual(decideRestart(back.records, brief, T0 + 10), decideRestart([rec(T0), rec(T0 + 5, 10)], brief, T0 + 10));

    fs.writeFileSync(restartsFile(layout), '{"version":1,"records":[{"atMs":');
    const junk = await loadRestartHistory(layout);
    assert.deepEqual(junk.records, []);
    assert.match(junk.problem!, /restarts\.json: invalid JSON/);
    fs.rmSync(restartsFile(layout));
    fs.mkdirSync(restartsFile(layout));
    assert.match((await loadRestartHistory(layout)).problem!, /not a regular file/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
