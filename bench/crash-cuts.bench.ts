/**
 * Crash diagnosis however much of a log was pasted (`npm run bench -- crash-cuts`).
 *
 * Every entry of the studied splits (tune, heldout, fresh6-fresh12; never a blind one) is cut the ways users cut a log
 * before pasting it, and each cut is scanned in process as `crash scan --file` reads it (`scanFiles`, the last 1000
 * lines). Cuts: the last 1, 3, 10 and 30 lines (only when the entry is longer); the whole entry without its last 1 or 3
 * lines (only when the primary finding's line stays); the part from the primary finding's line to the end; the primary
 * line alone and the 3 lines ending at it. A crash entry counts only when its whole text reads its label; a cut keeps it
 * when it reads the same category. A last-N cut that no longer holds the primary line may rightly read something else
 * (the last line alone is often a frame or a launcher's note), so those are counted apart. Healthy entries (label `none`)
 * are cut the same ways (the first lines for the primary cuts) and must stay no crash: the false alarms.
 *
 * BENCH_SHOW_MISSES=1 lists each cut whose category changed (entry, label, what it read).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { CORPUS_DIR, loadCorpus } from "./crash-accuracy.bench.js";

/** The splits the engine was studied on; the blind ones are measured by crash-accuracy only, in aggregate. */
const STUDIED = new Set(["tune", "heldout", "fresh6", "fresh7", "fresh8", "fresh9", "fresh10", "fresh11", "fresh12"]);
/** What `crash scan` reads by default (settings' crash.lastNLines). */
const LAST_N_LINES = 1000;

interface Cut {
  name: string;
  /** The cut's lines, or null when it would be the whole entry or lose what it is defined by. `primary` is 1-based. */
  make: (lines: readonly string[], primary: number) => readonly string[] | null;
  /** True for cuts of the log's end, which may lose the primary line. */
  ofEnd: boolean;
}

const lastN = (n: number): Cut => ({ name: `last ${n}`, ofEnd: true, make: (l) => (l.length > n ? l.slice(-n) : null) });
const withoutLast = (n: number): Cut => ({ name: `without last ${n}`, ofEnd: false, make: (l, p) => (l.length > n && p > 0 && p <= l.length - n ? l.slice(0, -n) : null) });
const upToPrimary = (n: number): Cut => ({
  name: n === 1 ? "primary line" : `${n} up to primary`,
  ofEnd: false,
  make: (l, p) => (p > 0 && l.length > 1 && (p < l.length || p > n) ? l.slice(Math.max(0, p - n), p) : null),
});
const CUTS: readonly Cut[] = [
  lastN(1),
  lastN(3),
  lastN(10),
  lastN(30),
  withoutLast(1),
  withoutLast(3),
  { name: "from primary", ofEnd: false, make: (l, p) => (p > 1 ? l.slice(p - 1) : null) },
  upToPrimary(1),
  upToPrimary(3),
];

interface Tally {
  cuts: number;
  kept: number;
  /** Last-N cuts that still hold the primary line: the ones that should keep it. */
  holding: number;
  holdingKept: number;
  toNone: number;
  toPythonException: number;
  toOther: number;
  healthy: number;
  alarms: number;
}

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-cuts-bench-"));
const file = path.join(tmp, "x.log");

async function scan(text: string): Promise<{ category: string; line: number }> {
  fs.writeFileSync(file, text);
  const p = (await scanFiles([file], { rules, lastNLines: LAST_N_LINES })).primary;
  return { category: p?.category ?? "none", line: p?.line ?? 0 };
}

try {
  const started = performance.now();
  const entries = loadCorpus().filter((e) => STUDIED.has(e.split));
  const tallies = new Map<string, Tally>(CUTS.map((c) => [c.name, { cuts: 0, kept: 0, holding: 0, holdingKept: 0, toNone: 0, toPythonException: 0, toOther: 0, healthy: 0, alarms: 0 }]));
  const changes: string[] = [];
  let crashes = 0;
  let readRight = 0;
  let healthy = 0;
  for (const e of entries) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    const lines = text.split("\n");
    if (lines.at(-1) === "") lines.pop();
    const whole = await scan(text);
    if (e.category === "none") healthy++;
    else crashes++;
    if (whole.category !== e.category) continue;
    if (e.category !== "none") readRight++;
    for (const cut of CUTS) {
      const t = tallies.get(cut.name)!;
      // A healthy log has no primary line: its cuts of the end take the last lines, the others its first lines.
      const part = cut.make(lines, e.category === "none" ? 1 : whole.line);
      if (!part) continue;
      const got = (await scan(`${part.join("\n")}\n`)).category;
      if (e.category === "none") {
        t.healthy++;
        if (got !== "none") {
          t.alarms++;
          changes.push(`  ${cut.name}: [${e.split}] ${e.file}: healthy, read ${got}`);
        }
        continue;
      }
      t.cuts++;
      const holds = !cut.ofEnd || whole.line > lines.length - part.length;
      if (holds) t.holding++;
      if (got === e.category) {
        t.kept++;
        if (holds) t.holdingKept++;
        continue;
      }
      if (got === "none") t.toNone++;
      else if (got === "python_exception") t.toPythonException++;
      else t.toOther++;
      changes.push(`  ${cut.name}: [${e.split}] ${e.file}: label ${e.category}, read ${got}${holds ? "" : " (cut below the primary line)"}`);
    }
  }
  const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : "-");
  const pad = (s: string, n: number) => s.padEnd(n);
  const rows = [`${pad("cut", 18)}${pad("keeps category", 22)}${pad("holding primary line: keeps", 30)}${pad("-> none / python_exception / other", 37)}healthy: false alarms`];
  for (const cut of CUTS) {
    const t = tallies.get(cut.name)!;
    rows.push(
      `${pad(cut.name, 18)}${pad(`${t.kept}/${t.cuts} = ${pct(t.kept, t.cuts)}`, 22)}${pad(`${t.holdingKept}/${t.holding} = ${pct(t.holdingKept, t.holding)}`, 30)}${pad(`${t.toNone} / ${t.toPythonException} / ${t.toOther}`, 37)}${t.alarms} of ${t.healthy}`,
    );
  }
  process.stdout.write(`crash-cuts: ${entries.length} studied entries (${crashes} crashes, ${readRight} read right whole and cut; ${healthy} healthy)\n\n${rows.join("\n")}\n`);
  process.stdout.write(`\n${((performance.now() - started) / 1000).toFixed(1)} s; load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}\n`);
  if (process.env.BENCH_SHOW_MISSES) process.stdout.write(`\ncuts whose category changed (${changes.length}):\n${changes.join("\n")}\n`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
