/**
 * Crash diagnosis however the log was captured (`npm run bench -- crash-capture`).
 *
 * Every `tune` and `heldout` entry of the real-crash corpus is scanned as collected and rewritten line
 * by line in each capture form of bench/lib/capture-wrap.ts (PyTorch's `[rank3]: `, torchrun's tee,
 * mpirun, srun -l, Ray, docker compose, `accelerate test`, a CI runner's and a container runtime's
 * timestamps, syslog, CircleCI, SageMaker, kubectl, pdsh, Determined, Vertex AI, colours, CRLF), the
 * forms the scanner learns from the log itself (pdsh's host names, timestamps without a zone: a one-line
 * entry teaches nothing, so those differ), plus the `worker-0 stderr F ` form first measured, which no
 * tool writes. In process (`scanFiles`, the last 1000 lines as `crash scan` reads them).
 * Per form and split: entries whose primary category is the label, entries whose primary differs from
 * the unwrapped text's, and false alarms on healthy logs (label `none`, a primary found). Blind splits
 * are not scanned here (they are measured by crash-accuracy only, in aggregate).
 *
 * BENCH_SHOW_MISSES=1 lists, per form, the entries whose primary differs from the unwrapped text's.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { CORPUS_DIR, loadCorpus } from "./crash-accuracy.bench.js";
import { CAPTURE_FORMS, K8S_LIKE, LEARNED_FORMS } from "./lib/capture-wrap.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-capture-bench-"));
const file = path.join(tmp, "x.log");

async function primaryOf(text: string): Promise<string> {
  fs.writeFileSync(file, text);
  return (await scanFiles([file], { rules })).primary?.category ?? "none";
}

try {
  const forms = [...CAPTURE_FORMS, ...LEARNED_FORMS, K8S_LIKE];
  const splits = ["tune", "heldout"] as const;
  const rows: string[] = [];
  const misses: string[] = [];
  const started = performance.now();
  const results = new Map<string, { ok: number; differ: number; alarms: number; total: number }>();
  for (const split of splits) {
    const entries = loadCorpus().filter((e) => e.split === split);
    const texts = entries.map((e) => fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8"));
    const plain: string[] = [];
    for (const t of texts) plain.push(await primaryOf(t));
    for (const form of forms) {
      const r = { ok: 0, differ: 0, alarms: 0, total: entries.length };
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i]!;
        const got = form.name === "orig" ? plain[i]! : await primaryOf(form.wrap(texts[i]!));
        if (got === e.category) r.ok++;
        if (got !== plain[i]) {
          r.differ++;
          misses.push(`  [${split}] ${form.name}: ${e.file}: unwrapped ${plain[i]}, wrapped ${got}`);
        }
        if (e.category === "none" && got !== "none") r.alarms++;
      }
      results.set(`${split}/${form.name}`, r);
    }
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  rows.push(`${pad("form", 12)}${splits.map((s) => pad(`${s}: right / differs / false alarms`, 40)).join("")}example`);
  for (const form of forms) {
    const cells = splits.map((s) => {
      const r = results.get(`${s}/${form.name}`)!;
      return pad(`${r.ok}/${r.total} / ${r.differ} / ${r.alarms}`, 40);
    });
    rows.push(`${pad(form.name, 12)}${cells.join("")}${form.example}`);
  }
  process.stdout.write(`${rows.join("\n")}\n`);
  process.stdout.write(`${forms.length} forms x ${splits.map((s) => results.get(`${s}/orig`)!.total).join(" + ")} entries in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${fs.readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}\n`);
  if (process.env.BENCH_SHOW_MISSES) process.stdout.write(`\nentries whose primary differs from the unwrapped text's (${misses.length}):\n${misses.join("\n")}\n`);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
