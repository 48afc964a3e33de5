/**
 * The fleet page in a real headless Chromium (Debian's /usr/bin/chromium driven by playwright-core)
 * against a real controller and SimAgents: the hosts appear, an injected crash shows up through the
 * page's own auto-refresh (no reload), agent text stays text, and a stopped controller is reported.
 * Set TRAINSAFE_PAGE_SCREENSHOT=docs/fleet-page.png to refresh the screenshot in the docs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { DecisionScope, EventKind, makeCrash, makeEvent } from "./helpers/grpc-agent.js";
import { startHttpController } from "./metrics-helpers.js";

const CHROMIUM = "/usr/bin/chromium";
const skip = fs.existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing: install it with apt-get install chromium (.ci/run does)`;
if (skip) process.stderr.write(`page-browser.test.ts: SKIPPED, ${skip}\n`);

const HOSTILE = `RuntimeError: bad batch <img src=x onerror="window.__xss=1"><script>window.__xss=2</script>`;

async function launch(t: { after(fn: () => unknown): void }): Promise<BrowserContext> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    viewport: { width: 1366, height: 900 },
    timeout: 20_000,
  });
  t.after(async () => {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

/** Texts of the first cell of each row of a table body. */
function firstCells(page: Page, tbody: string): Promise<string[]> {
  return page.locator(`${tbody} tr td:first-child`).allTextContents();
}

test("the fleet page lists the hosts, shows an injected crash on its own refresh, keeps agent text inert", { skip, timeout: 60_000 }, async (t) => {
  const fleet = await startHttpController(t, { budget: { breakerThreshold: 2 } });
  const agents = await Promise.all([
    fleet.agent("gpu-node-01", "llm-pretrain"),
    fleet.agent("gpu-node-02", "llm-pretrain"),
    fleet.agent("gpu-node-03", "llm-pretrain"),
    fleet.agent("gpu-node-04"),
  ]);
  const gpus = (temps: number[]) =>
    temps.map((tempC, index) => ({ index, utilPct: 96, memUsedBytes: 71e9 + index * 1e9, memTotalBytes: 80e9, tempC, powerW: 640 }));
  agents[0]!.sendTelemetry({ step: 18_240, stepRate: 2.41, gpus: gpus([68, 71, 74, 70]) });
  agents[1]!.sendTelemetry({ step: 18_236, stepRate: 2.39, gpus: gpus([66, 69, 72, 90]) });
  agents[2]!.sendTelemetry({ step: 17_912, stepRate: 0, daemonState: "hung", gpus: gpus([55, 54, 56, 55]) });
  agents[3]!.sendTelemetry({ step: 3_020, stepRate: 0.85, gpus: gpus([61, 63]) });
  const now = Date.now();
  agents[3]!.sendEvent(
    makeCrash({
      category: "cuda_oom",
      signature: "cuda_oom:alloc",
      firstFatalLine: "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.50 GiB",
      suggestion: "lower the batch size or enable gradient checkpointing",
      tsMs: now - 5 * 3_600_000,
    }),
  );
  agents[2]!.sendEvent(
    makeEvent({ kind: EventKind.EVENT_KIND_HANG, category: "hang_io", signature: "hang:io", message: "no step for 15m", tsMs: now - 40 * 60_000 }),
  );
  await Promise.all(agents.map((a) => a.waitForAcks()));

  const context = await launch(t);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on("pageerror", (err) => pageErrors.push(err.message));
  let loads = 0;
  page.on("load", () => loads++);
  await page.goto(`${fleet.url}/`);
  await page.waitForFunction(() => document.querySelectorAll("#host-rows tr").length === 4, null, { timeout: 10_000 });
  assert.deepEqual(await firstCells(page, "#host-rows"), ["gpu-node-01", "gpu-node-02", "gpu-node-03", "gpu-node-04"]);
  const row3 = (await page.locator('#host-rows tr[data-host="gpu-node-03"]').innerText()).replace(/\s+/g, " ");
  assert.match(row3, /llm-pretrain connected hung 17,912 0\.00/);
  assert.match(row3, /hang: hang_io/);
  assert.equal(await page.locator("#sum-connected").textContent(), "4");
  assert.match((await page.locator("#status").textContent()) ?? "", /^updated /);

  // A crash and a restart storm arrive while the page is open; it must show them without a reload.
  await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 1));
  agents[1]!.sendEvent(
    makeCrash({
      category: "nccl_error",
      signature: "nccl:timeout",
      firstFatalLine: "torch.distributed.DistBackendError: NCCL communicator was aborted on rank 9: Watchdog caught collective operation timeout",
      suggestion: "check the InfiniBand links of the job's hosts",
    }),
  );
  agents[3]!.sendEvent(makeCrash({ category: "unknown", signature: "unknown:x", firstFatalLine: HOSTILE }));
  await Promise.all(agents.map((a) => a.waitForAcks()));
  assert.equal((await agents[1]!.requestRestart({ signature: "nccl:timeout", category: "nccl_error" })).allow, true);
  const trip = await agents[3]!.requestRestart({ signature: "nccl:timeout", category: "nccl_error" });
  assert.equal(trip.scope, DecisionScope.DECISION_SCOPE_BREAKER);

  const seenAfterMs = Date.now();
  await page.waitForFunction(() => document.querySelector("#crash-rows")?.textContent?.includes("NCCL communicator was aborted"), null, {
    timeout: 10_000,
  });
  const waitedMs = Date.now() - seenAfterMs;
  assert.equal(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker), 1, "same document: no reload");
  assert.equal(loads, 1, "the page loaded once");
  assert.ok(waitedMs < 8_000, `the page showed the crash after ${waitedMs} ms`);

  const row2 = (await page.locator('#host-rows tr[data-host="gpu-node-02"]').innerText()).replace(/\s+/g, " ");
  assert.match(row2, /nccl_error/);
  assert.match(row2, /NCCL communicator was aborted/);
  assert.equal(await page.locator('#host-rows tr[data-host="gpu-node-02"]').getAttribute("class"), "recent-crash");
  assert.equal(await page.locator("#breakers").isVisible(), true, "the open breaker is shown");
  assert.match(await page.locator("#breaker-rows").innerText(), /nccl:timeout/);
  assert.equal(await page.locator("#sum-breakers").textContent(), "1");
  assert.match(await page.locator("#decision-rows").innerText(), /denied/);

  // Untrusted text is shown as text: the markup is visible, nothing of it ran or became an element.
  const crashLines = await page.locator("#crash-rows td.line").allTextContents();
  assert.ok(crashLines.includes(HOSTILE), "the hostile line is shown verbatim");
  assert.equal(await page.locator("main img, main script").count(), 0);
  assert.equal(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
  assert.equal(await page.locator("#strip .dot").count(), 4, "four failures in the last 24 h on the timeline");
  assert.deepEqual(pageErrors, []);

  const shot = process.env.TRAINSAFE_PAGE_SCREENSHOT;
  const png = await page.screenshot({ path: shot, fullPage: true });
  assert.deepEqual([...png.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");

  // The controller goes away: the page says so instead of showing old data as current.
  await fleet.controller.stop();
  await page.waitForFunction(() => document.querySelector("#status")?.textContent?.includes("controller unreachable"), null, {
    timeout: 10_000,
  });
  assert.equal(await page.locator("#host-rows tr").count(), 4, "the last data stays visible");
});
