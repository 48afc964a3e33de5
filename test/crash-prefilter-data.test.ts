/**
 * The prefilter's tables shipped as data (issue 13 item 3, the shipped command's start): deploy/build.mjs
 * writes prefilterData of the shipped rules beside the bundle, and buildPrefilter reads them back instead
 * of building them when they were made for the same patterns' factors. Read back, they give byte for byte
 * what a run-time build gives (the lists, the class table, the WebAssembly walk's rows of both kinds and
 * entries of both widths); data made for other rules is not used (its fingerprint differs); damaged,
 * truncated or foreign bytes give a run-time build and the same candidates, with a note on stderr only
 * under NODE_DEBUG=trainsafe.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { buildPrefilter, prefilterData, type Prefilter } from "../agent/crash/prefilter.js";
import { compileRulesData, loadRules } from "../agent/crash/rules.js";

/** The bytes of a typed array (its view only). */
const bytesOf = (a: ArrayBufferView) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Candidate lines of `text` as "start-end patterns cleaned", each line's through the bulk (WebAssembly) walk or the JavaScript one. */
function candidates(pf: Prefilter, text: Buffer, bulk: boolean): string[] {
  const got: string[] = [];
  pf.scan(text, 0, text.length, (s, e, before, patterns, cleaned) => got.push(`${s}-${e} ${before} ${patterns.join(",")} ${cleaned}`), false, bulk);
  return got;
}

const sample = Buffer.from(
  [
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB",
    "\x1b[31mtorch.distributed.DistBackendError: NCCL\x1b[0m error in: ProcessGroupNCCL.cpp",
    "{'loss': nan, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 0.5}",
    "NVRM: Xid (PCI:0000:3b:00): 79, pid=1234, GPU has fallen off the bus.",
    "plain line\0 without anything",
    "Killed",
  ].join("\n") + "\n",
);

test("shipped rules: the data read back gives byte for byte the lists, class table and WebAssembly rows (both row kinds, both entry widths) of a run-time build", async () => {
  const rules = await loadRules();
  const data = prefilterData(rules);
  for (const [byteRows, entry16] of [[true, true], [true, false], [false, true], [false, false]] as const) {
    const built = buildPrefilter(rules, { byteRows, entry16, shipped: null });
    const read = buildPrefilter(rules, { byteRows, entry16, shipped: data });
    assert.equal(built.fromData, false);
    assert.equal(read.fromData, true, "the data was made for these rules: used");
    assert.deepEqual([read.stateCount, read.literalCount, read.alwaysRun], [built.stateCount, built.literalCount, built.alwaysRun]);
    const a = built.spec;
    const b = read.spec;
    assert.deepEqual([b.shift, b.n, b.firstSpecial, b.wide], [a.shift, a.n, a.firstSpecial, a.wide]);
    for (const k of ["cls", "litLen", "factorPattern", "patternNeeded", "alwaysRun"] as const) assert.ok(bytesOf(b[k]).equals(bytesOf(a[k])), `${k}: same bytes`);
    for (const k of ["stateOut", "litExact", "litFactors"] as const) {
      assert.ok(bytesOf(b[k].start).equals(bytesOf(a[k].start)) && bytesOf(b[k].items).equals(bytesOf(a[k].items)), `${k}: same bytes`);
    }
    const wa = built.bulkSpec().walk!;
    const wb = read.bulkSpec().walk!;
    assert.deepEqual([wb.byteRows, wb.entry16, wb.rowShift, wb.tableBytes], [byteRows, entry16, wa.rowShift, wa.tableBytes]);
    // assert.ok, not equal: a failure message would print the whole table.
    assert.ok(Buffer.from(wb.memory.buffer, 0, wb.tableBytes).equals(Buffer.from(wa.memory.buffer, 0, wa.tableBytes)), `byteRows ${byteRows}, entry16 ${entry16}: the same WebAssembly table`);
    // The JavaScript walk's class table (built on its first use) and its answers.
    assert.deepEqual(candidates(read, sample, false), candidates(built, sample, false));
    assert.deepEqual(candidates(read, sample, true), candidates(built, sample, true));
    assert.ok(a.table && b.table && bytesOf(b.table).equals(bytesOf(a.table)), "the same class table");
  }
});

const rulesWith = (pattern: string) =>
  compileRulesData({
    version: 1,
    rules: [
      { id: "oom", category: "cuda_oom", severity: "fatal", role: "cause", patterns: ["CUDA out of memory"], suggestion: "Lower the batch size." },
      { id: "changed", category: "nccl_error", severity: "fatal", role: "cause", patterns: [pattern], suggestion: "Check the network." },
    ],
  });

test("data made for other rules (a pattern changed, the data not rebuilt) is not used: the changed pattern's line is still a candidate", () => {
  const stale = prefilterData(rulesWith("NCCL watchdog timeout"));
  const now = rulesWith("socket closed by peer");
  const text = Buffer.from("step 1 loss 2.0\nerror: socket closed by peer\nCUDA out of memory\n");
  const pf = buildPrefilter(now, { shipped: stale });
  assert.equal(pf.fromData, false, "the fingerprint differs: tables built");
  const found = candidates(pf, text, false);
  assert.deepEqual(found, candidates(buildPrefilter(now, { shipped: null }), text, false));
  assert.ok(found.some((c) => c.startsWith("16-44 1 1 ")), `the changed pattern's line is a candidate: ${found.join(" | ")}`);
  // The same rules' own data is used; a change elsewhere in a rule (not its patterns) keeps it valid.
  assert.equal(buildPrefilter(now, { shipped: prefilterData(now) }).fromData, true);
});

test("damaged, truncated or foreign data: tables built, the same candidates; a note on stderr only under NODE_DEBUG=trainsafe", () => {
  const rules = rulesWith("socket closed by peer");
  const good = prefilterData(rules);
  const text = Buffer.from("error: socket closed by peer\nCUDA out of memory\nnothing\n");
  const want = candidates(buildPrefilter(rules, { shipped: null }), text, false);
  const flipped = (at: number) => {
    const d = Uint8Array.from(good);
    d[at]! ^= 0x10;
    return d;
  };
  const cases: [string, Uint8Array, RegExp][] = [
    ["a byte of the tables changed", flipped(good.length - 3), /checksum mismatch/],
    ["a byte of the header changed", flipped(40), /checksum mismatch/],
    ["truncated", good.subarray(0, good.length - 100), /truncated/],
    ["cut to its header", good.subarray(0, 60), /not prefilter data|truncated/],
    ["not prefilter data", Buffer.from("{}\n"), /not prefilter data/],
    ["empty", new Uint8Array(0), /not prefilter data/],
  ];
  const saved = process.env.NODE_DEBUG;
  const write = process.stderr.write;
  const notes: string[] = [];
  process.stderr.write = ((chunk: string) => (notes.push(String(chunk)), true)) as typeof process.stderr.write;
  try {
    for (const debug of [false, true]) {
      if (debug) process.env.NODE_DEBUG = "trainsafe";
      else delete process.env.NODE_DEBUG;
      for (const [what, data, note] of cases) {
        notes.length = 0;
        const pf = buildPrefilter(rules, { shipped: data });
        assert.equal(pf.fromData, false, what);
        assert.deepEqual(candidates(pf, text, false), want, what);
        if (debug) assert.match(notes.join(""), new RegExp(`^trainsafe: prefilter: data: .*(?:${note.source}).*; building its tables\\n$`), what);
        else assert.deepEqual(notes, [], `${what}: nothing on stderr without NODE_DEBUG`);
      }
    }
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env.NODE_DEBUG;
    else process.env.NODE_DEBUG = saved;
  }
  assert.equal(buildPrefilter(rules, { shipped: good }).fromData, true, "the intact data is used");
});

test("literals are searched by their first 20 bytes: the shipped rules' automaton has a state per distinct prefix of at most 20 bytes; a line with the literal is a candidate, with only those bytes too (the regexes decide), in another case not", async () => {
  const shipped = buildPrefilter(await loadRules(), { shipped: null });
  const prefixes = new Set<string>();
  for (const p of shipped.patterns) {
    for (const f of p.searched) {
      for (const s of f) {
        // As searched: UTF-8, ASCII upper case as lower.
        const b = Buffer.from(Buffer.from(s, "utf8").subarray(0, 20).map((x) => (x >= 0x41 && x <= 0x5a ? x + 0x20 : x)));
        for (let k = 1; k <= b.length; k++) prefixes.add(b.subarray(0, k).toString("latin1"));
      }
    }
  }
  // The root, a state per prefix, and the newline, ESC and NUL states.
  assert.equal(shipped.stateCount, 1 + prefixes.size + 3);
  const rules = rulesWith("ProcessGroupNCCL watchdog caught collective operation timeout");
  const pf = buildPrefilter(rules, { shipped: null });
  const lines = ["[rank1]: ProcessGroupNCCL watchdog caught collective operation timeout: WorkNCCL", "[rank1]: ProcessGroupNCCL watchdog thread started", "[rank1]: processgroupnccl watchdog caught collective operation timeout", "step 3 loss 1.9"];
  const text = Buffer.from(lines.join("\n") + "\n");
  const lineOf = (c: string) => lines[Number(c.split(" ")[1])]!;
  assert.deepEqual(candidates(pf, text, false).map(lineOf), lines.slice(0, 2));
  assert.deepEqual(candidates(pf, text, true).map(lineOf), lines.slice(0, 2));
});

/** `data` with its header's CRC-32 made right again after an edit (a writer's bug or a foreign writer, not damage). */
function resealed(data: Uint8Array): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  view.setUint32(12, zlib.crc32(data.subarray(16)) >>> 0, true);
  return data;
}

test("whole but unusable data is not used: tables written on a machine of the other byte order, or with an edge list or failure link that loops; tables built, the same candidates", async () => {
  const rules = await loadRules();
  const good = prefilterData(rules);
  const want = candidates(buildPrefilter(rules, { shipped: null }), sample, true);
  const header = new DataView(good.buffer, good.byteOffset, good.byteLength);
  const count = header.getUint32(8 + 4 * 11, true);
  const headerBytes = 8 + 4 * (13 + count);
  const sectionStart = (k: number) => headerBytes + 256 + 4 * Array.from({ length: k }, (_, j) => header.getUint32(8 + 4 * (13 + j), true)).reduce((a, x) => a + x, 0);
  // The sections as a big-endian machine would have written them, with its byte-order mark.
  const swapped = Uint8Array.from(good);
  for (let i = headerBytes + 256; i < swapped.length; i += 4) swapped.subarray(i, i + 4).reverse();
  swapped.subarray(8 + 4 * 12, 8 + 4 * 13).reverse();
  // Section 4 is the edges' next edge (edgeNext): its second state's edge pointed back at the first.
  const looping = Uint8Array.from(good);
  const edgeNext = new DataView(looping.buffer, sectionStart(4), 4 * header.getUint32(8 + 4 * 5, true));
  let e = 1;
  while (edgeNext.getInt32(4 * e, true) === -1) e++;
  edgeNext.setInt32(4 * edgeNext.getInt32(4 * e, true), e, true);
  // Section 1 is the failure links: a state's made its own.
  const selfFail = Uint8Array.from(good);
  new DataView(selfFail.buffer, sectionStart(1)).setInt32(4 * 5, 5, true);
  const saved = process.env.NODE_DEBUG;
  const write = process.stderr.write;
  const notes: string[] = [];
  process.stderr.write = ((chunk: string) => (notes.push(String(chunk)), true)) as typeof process.stderr.write;
  process.env.NODE_DEBUG = "trainsafe";
  try {
    for (const [what, data, why] of [
      ["other byte order", resealed(swapped), "written on a machine of the other byte order"],
      ["an edge list that loops", resealed(looping), "bad trie edges"],
      ["a failure link to itself", resealed(selfFail), "bad failure links"],
    ] as const) {
      notes.length = 0;
      const pf = buildPrefilter(rules, { shipped: data });
      assert.equal(pf.fromData, false, what);
      assert.equal(notes.join(""), `trainsafe: prefilter: data: ${why}; building its tables\n`, what);
      assert.deepEqual(candidates(pf, sample, true), want, what);
    }
  } finally {
    process.stderr.write = write;
    if (saved === undefined) delete process.env.NODE_DEBUG;
    else process.env.NODE_DEBUG = saved;
  }
  assert.equal(buildPrefilter(rules, { shipped: resealed(Uint8Array.from(good)) }).fromData, true, "resealing alone changes nothing");
});
