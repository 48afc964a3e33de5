import { test } from "node:test";
import assert from "node:assert/strict";
import { status } from "@grpc/grpc-js";
import { toServiceError } from "../controller/rpc/status.js";
import { RpcError } from "../controller/errors.js";
import type { Logger } from "../controller/log.js";

function recordingLog() {
  const errors: string[] = [];
  const log = { info: () => {}, warn: () => {}, error: (msg: string) => void errors.push(msg) } as unknown as Logger;
  return { log, errors };
}

test("a full or failing database answers UNAVAILABLE and is logged once per interval, not per call", () => {
  const { log, errors } = recordingLog();
  const full = Object.assign(new Error("database or disk is full"), { code: "SQLITE_FULL" });
  for (let i = 0; i < 20; i++) {
    const e = toServiceError(full, log, "Connect");
    assert.equal(e.code, status.UNAVAILABLE);
    assert.match(String(e.details), /storage unavailable \(SQLITE_FULL\)/);
  }
  assert.equal(errors.length, 1);
});

test("typed errors keep their code; anything else is INTERNAL and logged", () => {
  const { log, errors } = recordingLog();
  assert.equal(toServiceError(new RpcError("permission_denied", "no"), log, "X").code, status.PERMISSION_DENIED);
  assert.equal(errors.length, 0);
  const e = toServiceError(new TypeError("boom"), log, "X");
  assert.equal(e.code, status.INTERNAL);
  assert.equal(errors.length, 1);
});
