import { test, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { checkZip, checkZipBytes, inspectZip } from "../agent/guard/zip.js";
import { openFileSource } from "../agent/guard/bytes.js";
import { pickleBytes, torchSaveBytes, zipBytes, type ZipEntry } from "./helpers/checkpoints.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-zip-"));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ENTRIES: ZipEntry[] = [
  { name: "archive/data.pkl", data: pickleBytes({ lr: 2e-5 }) },
  { name: "archive/data/0", data: new Uint8Array(100).fill(7) },
  { name: "archive/version", data: Buffer.from("3\n") },
];

async function problemsOf(bytes: Uint8Array): Promise<string> {
  const r = await checkZipBytes(bytes, "optimizer.pt");
  assert.equal(r.ok, false, "expected a problem");
  assert.ok(r.problems.every((p) => p.startsWith("optimizer.pt: ")), r.problems.join("\n"));
  return r.problems.join("\n");
}

/** Offset of the end record in a zip without comment. */
const eocdAt = (b: Uint8Array) => b.length - 22;

test("torch.save-style archives, ZIP64 archives, comments and empty archives pass", async () => {
  const torch = await checkZipBytes(torchSaveBytes({ state: {}, param_groups: [] }, [new Uint8Array(64)]));
  assert.equal(torch.ok, true, torch.problems.join("\n"));
  assert.ok(torch.entryNames.includes("archive/data.pkl"));
  assert.ok(torch.entryNames.includes("archive/data/0"));
  assert.equal(torch.zip64, false);

  const z64 = await checkZipBytes(zipBytes(ENTRIES, { zip64: true }));
  assert.equal(z64.ok, true, z64.problems.join("\n"));
  assert.equal(z64.zip64, true);
  assert.equal(z64.entryCount, 3);

  const withComment = await checkZipBytes(zipBytes(ENTRIES, { comment: "PK\u0005\u0006 looks like a signature" }));
  assert.equal(withComment.ok, true, withComment.problems.join("\n"));
  assert.equal((await checkZipBytes(zipBytes([]))).ok, true);
});

test("archives written by an independent implementation (Python's zipfile, deflated and ZIP64) pass", async (t) => {
  const py = spawnSync("python3", ["--version"]);
  if (py.status !== 0) return t.skip("python3 not installed");
  const out = path.join(tmp, "py");
  const script = `
import zipfile, sys
with zipfile.ZipFile(sys.argv[1] + ".zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("archive/data.pkl", b"\\x80\\x02}q\\x00." * 50)
    z.writestr("archive/data/0", bytes(range(256)) * 20)
with zipfile.ZipFile(sys.argv[1] + "64.zip", "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    with z.open("archive/data/0", "w", force_zip64=True) as f:
        f.write(b"x" * 1000)
`;
  const r = spawnSync("python3", ["-c", script, out]);
  assert.equal(r.status, 0, String(r.stderr));
  for (const f of [`${out}.zip`, `${out}64.zip`]) {
    const c = await checkZip(f);
    assert.equal(c.ok, true, `${f}: ${c.problems.join("\n")}`);
  }
});

test("a truncated archive has no end record and says so", async () => {
  const bytes = torchSaveBytes({ a: 1 }, [new Uint8Array(64)]);
  const msg = await problemsOf(bytes.subarray(0, bytes.length - 1));
  assert.match(msg, /no end-of-central-directory record/);
  assert.match(msg, /truncated\?/);
  assert.match(await problemsOf(new Uint8Array(0)), /empty file/);
  assert.match(await problemsOf(new Uint8Array(10)), /no end-of-central-directory/);
});

test("a legacy (pickle) torch.save file is named as such", async () => {
  assert.match(await problemsOf(pickleBytes({ state: {} })), /legacy torch\.save format/);
});

test("central directory problems: bad signature, fewer entries than promised, offsets out of range", async () => {
  const base = Buffer.from(zipBytes(ENTRIES));
  const cdOffset = base.readUInt32LE(eocdAt(base) + 16);

  const badSig = Buffer.from(base);
  badSig[cdOffset] = 0;
  assert.match(await problemsOf(badSig), /entry 0 has a bad signature/);

  const moreEntries = Buffer.from(base);
  moreEntries.writeUInt16LE(4, eocdAt(base) + 8);
  moreEntries.writeUInt16LE(4, eocdAt(base) + 10);
  assert.match(await problemsOf(moreEntries), /central directory ends after 3 of 4 entries/);

  const disagree = Buffer.from(base);
  disagree.writeUInt16LE(2, eocdAt(base) + 8);
  assert.match(await problemsOf(disagree), /disagrees with itself/);

  const farOffset = Buffer.from(base);
  farOffset.writeUInt32LE(base.length * 2, eocdAt(base) + 16);
  assert.match(await problemsOf(farOffset), /runs past its end record/);

  // An entry whose data would overlap the central directory.
  const bigEntry = Buffer.from(base);
  bigEntry.writeUInt32LE(cdOffset + 1, cdOffset + 20);
  assert.match(await problemsOf(bigEntry), /entry "archive\/data\.pkl" .* runs into the central directory/);
  // Sizes that fit before the directory but not once the local header is counted.
  const overLocal = Buffer.from(base);
  overLocal.writeUInt32LE(cdOffset - 10, cdOffset + 20);
  assert.match(await problemsOf(overLocal), /entry "archive\/data\.pkl": data ends at \d+, past the start of the central directory/);
});

test("a zeroed local header (a hole left by a crash) is found", async () => {
  const base = Buffer.from(zipBytes(ENTRIES));
  const cdOffset = base.readUInt32LE(eocdAt(base) + 16);
  const secondLocal = base.readUInt32LE(cdOffset + 46 + "archive/data.pkl".length + 42);
  base.fill(0, secondLocal, secondLocal + 30);
  assert.match(await problemsOf(base), /entry "archive\/data\/0": no local header at offset \d+/);
});

test("ZIP64: a missing locator or a locator pointing nowhere is reported", async () => {
  const base = Buffer.from(zipBytes(ENTRIES, { zip64: true }));
  const locator = base.length - 22 - 20;
  const noLocator = Buffer.from(base);
  noLocator[locator] = 0;
  assert.match(await problemsOf(noLocator), /ZIP64 locator is missing/);
  const wrongTarget = Buffer.from(base);
  wrongTarget.writeBigUInt64LE(5n, locator + 8);
  assert.match(await problemsOf(wrongTarget), /no ZIP64 end record is there/);
});

test("files: missing, a directory in place of the file", async () => {
  assert.deepEqual((await checkZip(path.join(tmp, "none.pt"), { label: "ckpt/optimizer.pt" })).problems, ["ckpt/optimizer.pt: missing"]);
  fs.mkdirSync(path.join(tmp, "scheduler.pt"));
  assert.match((await checkZip(path.join(tmp, "scheduler.pt"))).problems[0]!, /is a directory/);
});

test("a huge (sparse) archive is checked from its headers only", async () => {
  // One stored 3 GiB entry that was never written: local header, a hole, then directory and end record.
  const size = 3 * 1024 ** 3;
  const name = Buffer.from("archive/data/0");
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  const cdOffset = 30 + name.length + size;
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt32LE(size, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + name.length, 12);
  end.writeUInt32LE(cdOffset, 16);
  const file = path.join(tmp, "big.pt");
  const fd = fs.openSync(file, "w");
  fs.writeSync(fd, Buffer.concat([local, name]), 0, 30 + name.length, 0);
  fs.writeSync(fd, Buffer.concat([central, name, end]), 0, 46 + name.length + 22, cdOffset);
  fs.closeSync(fd);
  const opened = await openFileSource(file, "big.pt");
  assert.ok(opened.ok);
  const r = await inspectZip(opened.source, "big.pt");
  await opened.close();
  assert.equal(r.ok, true, r.problems.join("\n"));
  assert.ok(opened.source.bytesRead < 70_000, `read ${opened.source.bytesRead} bytes`);
});

// ---------- properties ----------

const entriesArb = fc.uniqueArray(
  fc.record({ name: fc.string({ minLength: 1, maxLength: 20 }), data: fc.uint8Array({ maxLength: 200 }) }),
  { selector: (e) => e.name, maxLength: 5 },
);

function wellFormed(r: { ok: boolean; problems: string[] }): void {
  assert.equal(typeof r.ok, "boolean");
  assert.equal(r.ok, r.problems.length === 0);
  for (const p of r.problems) assert.equal(typeof p, "string");
}

test("property: random bytes never throw and always give a result", async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 400 }), async (bytes) => wellFormed(await checkZipBytes(bytes))),
    { numRuns: 300 },
  );
  // Random bytes that end in an end record exercise the directory parser.
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ minLength: 18, maxLength: 18 }), async (body, rec) => {
      const tail = Buffer.concat([Buffer.from([0x50, 0x4b, 0x05, 0x06]), rec]);
      tail.writeUInt16LE(0, 20);
      wellFormed(await checkZipBytes(Buffer.concat([body, tail])));
    }),
    { numRuns: 300 },
  );
});

test("property: every truncation of a valid archive is rejected", async () => {
  await fc.assert(
    fc.asyncProperty(entriesArb, fc.boolean(), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), async (entries, z64, frac) => {
      const bytes = zipBytes(entries, { zip64: z64 });
      assert.equal((await checkZipBytes(bytes)).ok, true);
      const r = await checkZipBytes(bytes.subarray(0, Math.floor(frac * bytes.length)));
      wellFormed(r);
      assert.equal(r.ok, false);
    }),
    { numRuns: 200 },
  );
});

test("property: bit flips never throw; flips in the end record's counts and offsets are caught", async () => {
  await fc.assert(
    fc.asyncProperty(entriesArb, fc.boolean(), fc.nat(), fc.integer({ min: 0, max: 7 }), async (entries, z64, at, bit) => {
      const bytes = Buffer.from(zipBytes(entries, { zip64: z64 }));
      const pos = at % bytes.length;
      bytes[pos]! ^= 1 << bit;
      const r = await checkZipBytes(bytes);
      wellFormed(r);
      const eocd = bytes.length - 22;
      // Every field of a plain archive's end record (signature, disks, counts, size, offset, comment length) matters.
      if (!z64 && pos >= eocd) assert.equal(r.ok, false, `flip at end record byte ${pos - eocd}`);
    }),
    { numRuns: 400 },
  );
});
