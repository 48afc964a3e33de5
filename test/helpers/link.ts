/** ControllerLink options and refusal checks shared by the security tests. */
import assert from "node:assert/strict";
import path from "node:path";
import type { TestContext } from "node:test";
import { TrainsafeError } from "../../agent/lib/errors.js";
import type { LinkOptions } from "../../agent/rpc/link.js";
import { Spool } from "../../agent/rpc/spool.js";

/**
 * Options for a ControllerLink of `hostId` whose spool lives in `dir/spool-<hostId>` (closed after
 * the test); fast reconnects, commands answered ok, log lines dropped unless `overrides` says more.
 */
export function linkOptions(t: TestContext, dir: string, hostId: string, overrides: Partial<LinkOptions> & Pick<LinkOptions, "address">): LinkOptions {
  const spool = new Spool({ dir: path.join(dir, `spool-${hostId}`) });
  spool.open();
  t.after(() => spool.close());
  return {
    hostId,
    jobId: "",
    version: "test",
    capabilities: [],
    baseDir: dir,
    spool,
    reconnectInitialMs: 100,
    reconnectMaxMs: 1_000,
    onCommand: async () => ({ ok: true, output: null, error: "", summary: "", problems: 0 }),
    log: () => {},
    ...overrides,
  };
}

/** Awaits `p`, which must fail with a TrainsafeError, and returns that error. */
export async function refusal(p: Promise<unknown>): Promise<TrainsafeError> {
  const err = await p.then(
    () => assert.fail("expected a refusal"),
    (e: unknown) => e,
  );
  assert.ok(err instanceof TrainsafeError, `a TrainsafeError, got ${String(err)}`);
  return err;
}
