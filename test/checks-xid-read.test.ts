/**
 * The xid check's reading of the kernel log: the records read back to back into one growing buffer
 * (readKernelLog) and only the lines holding "NVRM: Xid" parsed (parseXidRecords) give what reading
 * record by record and parsing every line gave.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { findXids, parseXidRecords, readKernelLog, type KernelRecord } from "../agent/checks/xid.js";

/** The reference: every /dev/kmsg record of the text parsed, line by line ("prio,seq,ts_us,flags;message"). */
function parseKmsg(text: string): KernelRecord[] {
  const out: KernelRecord[] = [];
  for (const line of text.split("\n")) {
    const m = /^\d+,\d+,(\d+),[^;]*;(.*)$/.exec(line);
    if (m) out.push({ tsUs: Number(m[1]), text: m[2]! });
  }
  return out;
}

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-xid-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Pieces of kernel log text: records with and without Xids, the mark in odd places, continuation lines, CRs. */
const piece = fc.oneof(
  fc.record({ seq: fc.nat(99999), ts: fc.nat(2 ** 40), xid: fc.integer({ min: 1, max: 160 }), dev: fc.constantFrom("PCI:0000:3b:00", "PCI:0000:86:00", "") }).map(
    ({ seq, ts, xid, dev }) => `3,${seq},${ts},-;NVRM: Xid (${dev}): ${xid}, pid=1234, name=python, GPU has fallen off the bus.`,
  ),
  fc.record({ seq: fc.nat(99999), ts: fc.nat(2 ** 40) }).map(({ seq, ts }) => `6,${seq},${ts},-;usb 1-1: new device`),
  fc.constantFrom(
    " SUBSYSTEM=pci",
    " DEVICE=+pci:0000:3b:00.0 NVRM: Xid (PCI:0000:3b:00): 79",
    "4,7,100,-NVRM: Xid (PCI:0000:3b:00): 79, in the header;text",
    "4,8,200,-;NVRM: Xid (PCI:0000:3b:00): 48\r",
    "NVRM: Xid (PCI:0000:3b:00): 79 without a header",
    "4,9,300,-;NVRM: Xid (PCI:0000:3b:00): 94 and NVRM: Xid (PCI:0000:3b:00): 95 twice",
    "4,10,400,-;NVRM: Xid (bad",
    "4,11,500,-;NVRM: Xi",
    "",
  ),
);

test("parseXidRecords gives findXids the Xids of parseKmsg's records on generated kernel logs", () => {
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 40 }), fc.boolean(), fc.double({ min: 0, max: 2e6, noNaN: true }), (pieces, trailingNewline, uptimeS) => {
      const text = pieces.join("\n") + (trailingNewline ? "\n" : "");
      assert.deepEqual(findXids(parseXidRecords(text), uptimeS), findXids(parseKmsg(text), uptimeS));
    }),
    { numRuns: 3000 },
  );
  // Hand-picked ends: the mark at the very start and at the very end of the text.
  for (const text of ["NVRM: Xid", "3,1,5,-;NVRM: Xid (PCI:0): 79", "x\n3,1,5,-;NVRM: Xid (PCI:0): 79", "3,1,5,-;a\n3,2,6,-;NVRM: Xid (PCI:0): 13\n"]) {
    assert.deepEqual(findXids(parseXidRecords(text), 100), findXids(parseKmsg(text), 100), JSON.stringify(text));
  }
  assert.equal(findXids(parseXidRecords("3,2,6,-;NVRM: Xid (PCI:0): 13\n"), 100).length, 1);
});

test("readKernelLog reads a log longer than its buffer to the end, byte for byte, across its growths", async (t) => {
  const dir = tmp(t);
  const file = path.join(dir, "kmsg");
  // Multi-byte characters straddle the reads and the doublings; 300 KB from a 16 KB start: five doublings.
  const records: string[] = [];
  for (let i = 0; records.join("").length < 300 * 1024; i++) records.push(`6,${i},${i * 1000},-;eth0: link ${"é€".repeat(i % 50)} flapping ${i}\n`);
  const content = records.join("");
  fs.writeFileSync(file, content);
  sameText(await readKernelLog(file, new AbortController().signal, 16 * 1024), content);
  sameText(await readKernelLog(file, new AbortController().signal), content);
  fs.writeFileSync(file, "");
  assert.equal(await readKernelLog(file, new AbortController().signal), "");
  const aborted = new AbortController();
  aborted.abort();
  fs.writeFileSync(file, content);
  assert.equal(await readKernelLog(file, aborted.signal), "", "an aborted check reads nothing more");
});

test("readKernelLog reads /dev/kmsg record by record as the kernel gives them", { skip: !canRead("/dev/kmsg") && "/dev/kmsg not readable here" }, async () => {
  const text = await readKernelLog("/dev/kmsg", new AbortController().signal);
  const records = parseKmsg(text);
  assert.ok(records.length > 0, "the kernel log has records");
  // Each record's header line is whole: every non-continuation line parses, and sequence numbers increase.
  const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith(" "));
  assert.equal(records.length, lines.length);
  const seqs = lines.map((l) => Number(l.split(",")[1]));
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `record ${i}: sequence ${seqs[i]} after ${seqs[i - 1]}`);
});

/** assert.equal of two long texts, reporting where they first differ (assert's own diff of 300 KB texts takes minutes). */
function sameText(got: string, want: string): void {
  if (got === want) return;
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  assert.fail(`texts differ from character ${i} (lengths ${got.length} and ${want.length}): ${JSON.stringify(got.slice(i, i + 40))} against ${JSON.stringify(want.slice(i, i + 40))}`);
}

function canRead(file: string): boolean {
  try {
    fs.closeSync(fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK));
    return true;
  } catch {
    return false;
  }
}
