/**
 * The prefilter's automaton built without a table of every state's next states (issue 13 item 3, the
 * shipped command's start): buildAutomaton (trie in typed arrays, failure links from the trie) and
 * automatonRows (rows filled by copying the failure state's row) must give, for every state and every
 * byte, the next state of the textbook definition (the longest suffix of the state's text and the byte
 * that is a prefix of some literal; newline, ESC and NUL to their own states), the literals ending in
 * each state, and states without output numbered first. Checked against that definition, computed
 * from strings, on the classic {he, she, his, hers}, literals holding newline, ESC and NUL, and 300
 * random sets; and on the shipped rules, the class table and the WebAssembly walk's byte rows agree.
 * The JavaScript walk's class table is built only when that walk runs: a bulk scan (WebAssembly) walks
 * its lines with ANSI codes or NULs on the WebAssembly rows, with the JavaScript walk's answers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { automatonRows, buildAutomaton, buildPrefilter } from "../agent/crash/prefilter.js";
import { loadRules } from "../agent/crash/rules.js";

const NL = 0x0a;
const ESC = 0x1b;
const NUL = 0x00;

/** Byte classes as buildPrefilter makes them: newline, ESC, NUL, then each literal byte; upper case as lower. */
function classesOf(literals: readonly Uint8Array[]): { cls: Uint8Array; width: number; shift: number } {
  const cls = new Uint8Array(256);
  let next = 1;
  for (const b of [NL, ESC, NUL, ...literals.flatMap((l) => [...l])]) if (!cls[b]) cls[b] = next++;
  for (let b = 0x41; b <= 0x5a; b++) cls[b] = cls[b + 0x20]!;
  let shift = 0;
  while (1 << shift < next) shift++;
  return { cls, width: 1 << shift, shift };
}

/** Checks the automaton and both kinds of rows against the definition, from the states' texts. */
function checkAgainstDefinition(literals: readonly Uint8Array[], label: string): void {
  const { cls, width, shift } = classesOf(literals);
  const specials = [cls[NL]!, cls[ESC]!, cls[NUL]!] as const;
  const { automaton: a, out } = buildAutomaton(literals, cls, width, specials);
  const { n, renum, firstSpecial, trie } = a;
  // Each state's text (as classes), from the trie.
  const text: number[][] = [[]];
  const byText = new Map<string, number>([["", 0]]);
  for (let q = 0; q < n; q++) {
    const s = a.order[q]!;
    for (let e = trie.firstEdge[s]!; e >= 0; e = trie.edgeNext[e]!) {
      const t = trie.edgeTarget[e]!;
      text[t] = [...text[s]!, trie.edgeClass[e]!];
      byText.set(text[t]!.join(","), t);
    }
  }
  assert.equal(byText.size, n, `${label}: every state reached once`);
  const litText = literals.map((l) => [...l].map((b) => cls[b]!).join(","));
  const expectedNext = (s: number, c: number): number => {
    if (c === specials[0]) return n;
    if (c === specials[1]) return n + 1;
    if (c === specials[2]) return n + 2;
    const t = [...text[s]!, c];
    for (let k = 0; k <= t.length; k++) {
      const hit = byText.get(t.slice(k).join(","));
      if (hit !== undefined) return hit;
    }
    return 0;
  };
  for (let s = 0; s < n; s++) {
    const suffixes = new Set<number>();
    const own = text[s]!.join(",");
    litText.forEach((l, id) => {
      if (own === l || own.endsWith(`,${l}`)) suffixes.add(id);
    });
    assert.deepEqual(new Set(out[s] ?? []), suffixes, `${label}: literals ending in state ${s}`);
    assert.equal(renum[s]! < firstSpecial, !out[s], `${label}: state ${s} numbered ${renum[s]}, first with output ${firstSpecial}`);
  }
  const total = n + 3;
  const classRows = new Uint16Array(total * width);
  automatonRows(a, classRows, 0, false, 0);
  const byteRows = new Int32Array(7 + total * 256);
  automatonRows(a, byteRows, 7, true, 10);
  const inverse = new Int32Array(n);
  for (let s = 0; s < n; s++) inverse[renum[s]!] = s;
  for (let r = 0; r < total; r++) {
    // The newline, ESC and NUL states behave as the root.
    const s = r < n ? inverse[r]! : 0;
    for (let b = 0; b < 256; b++) {
      const want = expectedNext(s, cls[b]!);
      const wantNumber = want >= n ? want : renum[want]!;
      assert.equal(classRows[(r << shift) | cls[b]!], wantNumber, `${label}: class row ${r}, byte ${b}`);
      assert.equal(byteRows[7 + r * 256 + b], wantNumber << 10, `${label}: byte row ${r}, byte ${b}`);
    }
  }
}

const bytes = (s: string) => new Uint8Array(Buffer.from(s, "latin1"));

test("the classic literals {he, she, his, hers}: next states, outputs and numbering as defined", () => {
  checkAgainstDefinition(["he", "she", "his", "hers"].map(bytes), "classic");
});

test("literals holding newline, ESC and NUL, repeated and nested literals", () => {
  checkAgainstDefinition(["a\nb", "\x1b[", "x\0y", "aa", "aaa", "aab", "ab", "b", "loss", "oss", "ss"].map(bytes), "specials");
});

test("300 random literal sets over a small alphabet agree with the definition", () => {
  let seed = 13;
  const rand = (k: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  const alphabet = "abcAB\n";
  for (let round = 0; round < 300; round++) {
    const lits: Uint8Array[] = [];
    for (let i = 0, count = 1 + rand(12); i < count; i++) {
      let s = "";
      for (let j = 0, len = 1 + rand(6); j < len; j++) s += alphabet[rand(alphabet.length)];
      lits.push(bytes(s.toLowerCase()));
    }
    checkAgainstDefinition(lits, `round ${round} (${lits.map((l) => JSON.stringify(Buffer.from(l).toString("latin1"))).join(" ")})`);
  }
});

test("shipped rules: the class table and the WebAssembly walk's byte rows (16-bit entries and 32-bit) give the same next state for every state and byte", async () => {
  const rules = await loadRules();
  for (const entry16 of [true, false]) {
    const pf = buildPrefilter(rules, { byteRows: true, entry16 });
    const walk = pf.bulkSpec().walk;
    assert.ok(walk, "WebAssembly walk available");
    assert.equal(walk.entry16, entry16);
    assert.equal(walk.rowShift, entry16 ? 9 : 10);
    // A JavaScript walk (a text under 8 MiB, not bulk) builds the class table.
    pf.scan(Buffer.from("loss: nan\n"), 0, 10, () => {}, false, false);
    const { table, cls, shift } = pf.spec;
    assert.ok(table, "class table built by the JavaScript walk");
    const i32 = new Int32Array(walk.memory.buffer, 0, 256);
    for (let b = 0; b < 256; b++) assert.equal(i32[b], cls[b]! << (entry16 ? 1 : 2));
    const next = entry16 ? (s: number, b: number) => new Uint16Array(walk.memory.buffer, 1024, pf.stateCount * 256)[s * 256 + b]! : (s: number, b: number) => new Int32Array(walk.memory.buffer, 1024, pf.stateCount * 256)[s * 256 + b]! >> 10;
    let differ = 0;
    for (let s = 0; s < pf.stateCount; s++) {
      for (let b = 0; b < 256; b++) if (next(s, b) !== table[(s << shift) | cls[b]!]) differ++;
    }
    assert.equal(differ, 0);
  }
});

test("shipped rules: the WebAssembly walk's table has 16-bit entries (half the memory and page faults of 32-bit ones) while the states fit", async () => {
  const pf = buildPrefilter(await loadRules());
  const walk = pf.bulkSpec().walk!;
  assert.ok(pf.stateCount <= 0x10000, `${pf.stateCount} states: past 65,536 the walk uses 32-bit entries (this test then needs its bound revised)`);
  assert.equal(walk.entry16, true);
  assert.equal(walk.tableBytes, 1024 + pf.stateCount * 2 * (walk.byteRows ? 256 : 1 << pf.spec.shift));
});

test("a bulk scan builds no JavaScript walk table, and hands on the JavaScript walk's lines, ANSI codes and NULs included", async () => {
  const rules = await loadRules();
  const lines: string[] = [];
  const kinds = [
    "iteration      100/  500000 | lm loss: 5.1E+00 | loss scale: 1.0 | grad norm: 1.234 | number of skipped iterations:   0 | number of nan iterations:   0 |",
    "\x1b[31mRuntimeError: CUDA out of memory.\x1b[0m Tried to allocate 2.00 GiB",
    "RuntimeError: CUDA \x1b[1mout of\x1b[0m memory. Tried to allocate",
    "torch.distributed.DistBackendError: NCCL\0 error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp",
    "{'loss': nan, 'grad_norm': nan, 'learning_rate': 1e-05, 'epoch': 0.5}",
    "\x1b[32mINFO\x1b[0m step 12 loss \x1b[33mnan\x1b[0m",
    "plain line without anything",
    "Killed",
    "\0\0\0\0",
  ];
  for (let i = 0; i < 3000; i++) lines.push(kinds[i % kinds.length]!, `filler ${i}`);
  const text = Buffer.from(lines.join("\n") + "\n", "utf8");
  const seen = (pf: ReturnType<typeof buildPrefilter>, bulk: boolean) => {
    const got: string[] = [];
    const nl = pf.scan(text, 0, text.length, (s, e, before, patterns, cleaned) => got.push(`${s}-${e} ${before} ${patterns.join(",")} ${cleaned}`), false, bulk);
    return { got, nl };
  };
  const reference = seen(buildPrefilter(rules, { wasm: false }), false);
  assert.ok(reference.got.some((g) => g.endsWith(" true")), "some lines cleaned");
  for (const [byteRows, entry16] of [[true, true], [true, false], [false, true], [false, false]] as const) {
    const pf = buildPrefilter(rules, { byteRows, entry16 });
    const bulk = seen(pf, true);
    assert.equal(pf.spec.walk === null, false, "WebAssembly walk available");
    // assert.ok, not equal: a failure message would print the whole table.
    assert.ok(pf.spec.table === undefined, `byteRows ${byteRows}: no JavaScript walk table built by a bulk scan`);
    assert.equal(bulk.nl, reference.nl);
    const first = bulk.got.findIndex((g, i) => g !== reference.got[i]);
    assert.ok(first < 0 && bulk.got.length === reference.got.length, `byteRows ${byteRows}: same lines, candidates and cleaning as the JavaScript walk (first difference at ${first}: ${bulk.got[first]} against ${reference.got[first]})`);
    // bulkSpec (what a worker thread gets) does not build it either where there is a WebAssembly walk.
    assert.ok(pf.bulkSpec().table === undefined);
  }
  const noWasm = buildPrefilter(rules, { wasm: false });
  assert.ok(noWasm.bulkSpec().table, "without WebAssembly, bulkSpec builds the table for the worker threads");
});
