/**
 * runner.ts makes a check's AbortSignal when the check first reads it (most checks never do: an
 * AbortController made, aborted and dispatched per check was ~1 ms of `trainsafe check`), and the signal
 * still says what it always said: live while the check runs, aborted at its deadline ("timed out"), when
 * the run is cancelled ("cancelled") and once the runner stops waiting ("done"), also when first read
 * after that.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import { runCheck, runChecks } from "../agent/checks/runner.js";
import type { Check, CheckContext } from "../agent/checks/types.js";
import { resolveSettings } from "../agent/config/settings.js";

function settingsFor(t: { after(fn: () => void): void }, timeout = "10s") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-runner-signal-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return resolveSettings({ checks: { checkTimeout: timeout } }, { baseDir: dir });
}

const quiet = (id: string): Check => ({ id, title: id, run: async () => ({ status: "pass", message: "fine" }) });

/** Counts the AbortControllers made while `fn` runs (the runner names the global at each use). */
async function countingControllers<T>(fn: () => Promise<T>): Promise<{ result: T; made: number }> {
  const Real = globalThis.AbortController;
  let made = 0;
  globalThis.AbortController = class extends Real {
    constructor() {
      super();
      made++;
    }
  };
  try {
    return { result: await fn(), made };
  } finally {
    globalThis.AbortController = Real;
  }
}

test("only the checks that read their signal get an AbortController", async (t) => {
  const settings = settingsFor(t);
  let seen: AbortSignal | undefined;
  const reader: Check = {
    id: "reader",
    title: "reads its signal",
    async run({ signal }) {
      seen = signal;
      return { status: "pass", message: signal.aborted ? "aborted" : "live" };
    },
  };
  const { result, made } = await countingControllers(() => runChecks(settings, { checks: [quiet("a"), quiet("b"), quiet("c"), reader] }));
  assert.deepEqual(result.checks.map((c) => c.message), ["fine", "fine", "fine", "live"]);
  assert.equal(made, 2, "the run's own cancel controller and the reader's");
  assert.equal(seen?.aborted, true, "once the runner stops waiting, the signal is aborted");
  assert.equal((seen?.reason as Error).message, "done");
});

test("a signal read during the run aborts at the deadline; one first read after it is aborted already", async (t) => {
  const settings = settingsFor(t);
  let during: AbortSignal | undefined;
  let abortedAt: string | undefined;
  let ctxOf: CheckContext | undefined;
  const hung: Check = {
    id: "hung",
    title: "never ends",
    run: (ctx) =>
      new Promise(() => {
        during = ctx.signal;
        during.addEventListener("abort", () => (abortedAt = (during!.reason as Error).message));
      }),
  };
  const late: Check = {
    id: "late",
    title: "reads its signal only after its deadline",
    run: (ctx) =>
      new Promise(() => {
        ctxOf = ctx;
      }),
  };
  const r1 = await runCheck(hung, settings, { timeoutMs: 50 });
  assert.equal(r1.result.message, "timed out after 0.05s");
  assert.equal(abortedAt, "timed out");
  const r2 = await runCheck(late, settings, { timeoutMs: 50 });
  assert.equal(r2.result.status, "fail");
  const later = ctxOf!.signal;
  assert.equal(later.aborted, true);
  assert.equal((later.reason as Error).message, "timed out", "the first reason stays (not the later \"done\")");
  assert.equal(ctxOf!.signal, later, "the same signal at every read");
});

test("a cancelled run aborts the signals its checks read, before and after the cancel", async (t) => {
  const settings = settingsFor(t);
  const ac = new AbortController();
  const signals: Record<string, AbortSignal> = {};
  let ctxOf: CheckContext | undefined;
  const early: Check = {
    id: "early",
    title: "reads at once",
    run: ({ signal }) =>
      new Promise(() => {
        signals.early = signal;
        setTimeout(() => ac.abort(new Error("stop")), 20);
      }),
  };
  const lazy: Check = {
    id: "lazy",
    title: "reads after the cancel",
    run: (ctx) =>
      new Promise(() => {
        ctxOf = ctx;
      }),
  };
  const report = await runChecks(settings, { checks: [early, lazy], signal: ac.signal });
  assert.deepEqual(report.checks.map((c) => c.message), ["cancelled", "cancelled"]);
  signals.lazy = ctxOf!.signal;
  for (const [id, s] of Object.entries(signals)) {
    assert.equal(s.aborted, true, id);
    assert.equal((s.reason as Error).message, "cancelled", id);
  }
});
