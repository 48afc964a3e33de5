/**
 * agent/crash/signature.ts and the config lock hash in plain JS (agent/lib/sha256.ts, so that a scan
 * recording nothing and `config validate` never load node:crypto): its SHA-256 must be crypto's, byte for
 * byte, or every signature, history fingerprint and config lock written before would change.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fs from "node:fs";
import fc from "fast-check";
import { configHash } from "../agent/guard/config.js";
import { crashSignature, shortHash } from "../agent/crash/signature.js";
import { sha256Hex } from "../agent/lib/sha256.js";

const nodeSha256 = (data: Uint8Array | string) => createHash("sha256").update(data).digest("hex");

test("sha256Hex is node:crypto's SHA-256 at every length around the padding boundaries", () => {
  // Lengths where the 0x80 byte and the 64-bit length fall in the same block, the next block, or exactly fill one.
  for (let n = 0; n <= 200; n++) {
    const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 167 + n * 13 + 7) & 0xff);
    assert.equal(sha256Hex(bytes), nodeSha256(bytes), `length ${n}`);
  }
  // FIPS 180-4's examples.
  assert.equal(sha256Hex(Buffer.from("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  assert.equal(sha256Hex(new Uint8Array(0)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const million = Buffer.alloc(1_000_000, "a");
  assert.equal(sha256Hex(million), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
});

test("shortHash and crashSignature give what node:crypto gives on any text (UTF-8, lone surrogates included)", () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "binary", maxLength: 300 }), fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString("latin1"))), fc.integer({ min: 1, max: 64 }), (text, n) => {
      assert.equal(shortHash(text, n), nodeSha256(text).slice(0, n));
    }),
    { numRuns: 600 },
  );
  // A lone surrogate is hashed as U+FFFD's bytes, as Buffer and crypto encode it.
  assert.equal(shortHash("a\ud800b", 64), nodeSha256("a\ufffdb"));
  const line = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 336.00 MiB. GPU 0 has a total capacity of 79.10 GiB";
  const expected = `cuda_oom/cuda_oom_alloc/${nodeSha256("cuda_oom\ncuda_oom_alloc\ntorch.outofmemoryerror: cuda out of memory. tried to allocate <size>. gpu # has a total capacity of <size>").slice(0, 12)}`;
  assert.equal(crashSignature("cuda_oom", "cuda_oom_alloc", line), expected);
});

test("configHash gives the hash a lock written with node:crypto holds", () => {
  const lock = JSON.parse(fs.readFileSync(new URL("../examples/training/.config_lock.json", import.meta.url), "utf8"));
  assert.match(lock.configHash, /^[0-9a-f]{64}$/);
  assert.equal(configHash(lock.config), lock.configHash);
  // Not a constant: another config, another hash.
  assert.notEqual(configHash({ ...lock.config, learning_rate: 0.5 }), lock.configHash);
});

test("configHash keeps only the last config's hash: a config changed in place, or another one in between, is hashed anew", () => {
  // The canonical form (keys sorted at every level), hashed by node:crypto.
  const canon = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map(canon).join(",")}]` : v && typeof v === "object" ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(",")}}` : (JSON.stringify(v) ?? "null");
  const config = { base_model: "m", learning_rate: 1e-5, lora: { r: 8, alpha: 16 } };
  const first = configHash(config);
  assert.equal(first, nodeSha256(canon(config)));
  assert.equal(configHash(config), first);
  // The same object, edited: not the kept hash.
  config.lora.r = 16;
  assert.equal(configHash(config), nodeSha256(canon(config)));
  assert.notEqual(configHash(config), first);
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 12 }), (picks) => {
      const configs = [{ a: 1 }, { a: 2 }, { b: [1, "x"] }, {}];
      for (const i of picks) assert.equal(configHash(configs[i]), nodeSha256(canon(configs[i])));
    }),
    { numRuns: 200 },
  );
});
