/**
 * The accuracy gate: every entry of the real-crash corpus (test/fixtures/crash-corpus) goes through
 * the code of `trainsafe crash scan --file F --json` (runScan, in-process for speed; the bench
 * `npm run bench -- crash-accuracy` runs the CLI as a process) and the primary category must match
 * the label. Fails when the held-back accuracy drops below what was reached, or when a healthy log
 * raises an alarm. Held-back entries are reported in aggregate only.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SEALED_SPLITS, evaluate, loadCorpus, pct, renderEvaluation } from "../bench/crash-accuracy.bench.js";
import { runScan } from "../cli/commands/crash.js";

/**
 * Strict held-back accuracy reached: 159/176 = 90.3 % when first measured, 175/176 = 99.4 % after the
 * engine was improved on the misses of tune and held back (2026-12-05); the gate fails below it,
 * rounded down. The held-back part has been studied since, so `fresh` is the honest figure.
 */
const HELDOUT_MIN_ACCURACY = 0.99;
/**
 * Strict accuracy on the blind collections, never tuned against (measured as this test does):
 * `fresh` (manifests c and d) 196/214 = 91.6 % when first measured, 200/214 = 93.5 % after the second
 * rules round (on collection e), 201/214 = 93.9 % after the third (on j), 202/214 = 94.4 % after the
 * fourth (on k); `fresh2` (manifests f and g, collected during the second round) 136/151 = 90.1 %, then
 * 139/151 = 92.1 % after the third and fourth; `fresh3` (manifests h, i and l, collected and audited
 * during the third round) 136/161 = 84.5 % when first measured, 137/161 = 85.1 % after the fourth
 * (2026-12-05), 139/161 = 86.3 % after the fifth (on m and n); `fresh4` (manifest o, collected and audited
 * during the fifth round) 64/74 = 86.5 % when first measured with one false alarm, 65/74 = 87.8 % after that
 * alarm's rule was narrowed (2026-12-06). After the sixth round (on p and r, 2026-12-06 04:22): fresh
 * 204/214 = 95.3 %, fresh2 141/151 = 93.4 %, fresh3 144/161 = 89.4 %, fresh4 66/74 = 89.2 %; `fresh5`
 * (manifests q and s, collected and audited during the sixth round) 89/106 = 84.0 % with two false
 * alarms when first measured (before the audit's fixes), 90/103 = 87.4 % and none after the audit and
 * the caught-probe change. After the seventh round (on t, u and y, 2026-12-06 06:49): fresh 205/214, fresh2
 * 142/151, fresh3 147/161, fresh4 68/74, fresh5 91/103; `fresh6` (manifests v, w and x, collected and audited
 * during the seventh round) 130/156 = 83.3 % with one false alarm when first measured, 138/156 = 88.5 % with
 * eight labels corrected to the corpus's OOM-killer convention (docs/crash-accuracy.md item 42); fresh6 has been
 * studied since (the eighth round), so its figure is no longer a blind one. After the eighth round (07:14):
 * fresh 205/214, fresh2 142/151, fresh3 148/161, fresh4 68/74, fresh5 91/103, fresh6 153/156, no false alarm.
 * After the ninth round (on z, za and zd, 2026-12-06 09:57): fresh 205/214, fresh2 143/151, fresh3 148/161,
 * fresh4 68/74, fresh5 91/103, fresh6 153/156; `fresh7` (manifests zb and zc, collected and audited during the
 * round, sealed until then) first measured 87/99 = 87.9 %, no false alarm; studied from then on.
 * After the tenth round (on fresh7's misses, 10:13): fresh7 99/99 (studied), the older sets unchanged.
 * After the eleventh round (on ze and zf, 11:57): fresh 205/214, fresh2 144/151, fresh3 148/161, fresh4 68/74,
 * fresh5 92/103, fresh6 153/156, fresh7 99/99; `fresh8` (manifests zg and zh, collected and audited during the
 * round, sealed until then) first measured 77/91 = 84.6 %, no false alarm; studied from then on.
 * After the twelfth round (on fresh8's misses, 12:10) and one relabel to the corpus's convention: fresh8 87/91.
 * `fresh9` (manifest zi, collected and audited during the twelfth round, sealed until then) first measured
 * 40/44 = 90.9 % with one false alarm of 6 healthy logs (12:15); studied from then on; after the thirteenth
 * round (on its misses) 43/44, no false alarm.
 * `fresh10` (manifests zl and zm, collected and audited 15:45-16:10 while the fourteenth round and the learned
 * capture prefixes were built, sealed until then) measured 85/94 = 90.4 % with the code of the round's start
 * (beff920) and 86/94 = 91.5 % after it (a7198cb, 17:05), no false alarm of 12 healthy logs; studied from then on.
 * After the fourteenth round: fresh 206/214, fresh2 145/151, fresh3 149/161, fresh8 88/91, the others unchanged.
 * After the fifteenth round (on fresh10's misses, 17:25): fresh10 93/94, the others unchanged.
 * `fresh11` (manifests zq and zr, collected 18:31-18:46 and audited by 19:08 while the capture-format sweep and
 * the sixteenth and seventeenth rounds ran, sealed until then) measured once at 20:22 (7d480b6): 78/84 = 92.9 %,
 * no false alarm of 11 healthy logs; 78/84 too with the code of the session's start (0109d8c). Studied from the
 * eighteenth round (on its six misses, 2026-12-06 evening): 84/84, no false alarm.
 * After the eighteenth round (with the final-error-line and exception-message readings): fresh3 151/161, fresh4 69/74,
 * fresh6 154/156, fresh9 44/44, the others unchanged.
 * `fresh12` (manifests zv, zw and zz, collected 21:33-21:50 and audited by 22:10 UTC by engineers who never ran the
 * scanner, while the eighteenth round ran; sealed until then) measured once at 22:58 (868e291): 89/100 = 89.0 %, no
 * false alarm of 11 healthy logs; 87/100 with the crash engine of the session's start (52d8c78).
 * Studied from the nineteenth round (on its eleven misses, 2026-12-06 night; parts a and b): 98/100, no false alarm.
 * `fresh13` (manifests zzb, zzc and zzd, collected 00:08-00:16 and audited by 00:22 UTC on 2026-12-07 by engineers
 * who never ran the scanner, while the twentieth round ran; sealed until then) measured once at 01:34 (682232c):
 * 87/94 = 92.6 %, no false alarm of 10 healthy logs; 86/94 with the crash engine of the session's start (ab97bab).
 * Studied from the twenty-first round (on its seven misses, 2026-12-07 night; items 420-): 92/94, no false alarm.
 * `fresh14` (manifests zzh, zzi and zzj, collected 02:50-03:00 and audited by 03:05 UTC on 2026-12-07 by engineers
 * who never ran the scanner, while the twenty-second round ran; sealed until then) measured once at 04:20 (8291a2b):
 * 91/102 = 89.2 %, one false alarm of 13 healthy logs; the same 91/102 with the crash engine of the session's start
 * (fa55d3f).
 * Studied from the twenty-third round (on its eleven misses, 2026-12-07 morning; items 480-): 99/102, no false alarm.
 * `fresh15` (manifests zzn, zzo and zzp, collected 05:51-06:02 and audited by 06:06 UTC on 2026-12-07 by engineers
 * who never ran the scanner; sealed until then) measured once at 06:49 (cd3b6bb): 82/88 = 93.2 %, no false alarm of
 * 12 healthy logs; the same 82/88 with the crash engine of the session's start (ad26e9a).
 * Studied from the twenty-fourth round (on its six misses, 2026-12-07 morning; items 540-): 88/88, no false alarm.
 * After the twenty-fourth round's enumeration (items 500-516): fresh14 101/102 (Jittor's bare CUDA string and old torch's
 * blocking-wait timeout), fresh13 93/94.
 * `fresh16` (manifests zzu, zzv and zzw, collected 09:00-09:06 and audited by 09:12 UTC on 2026-12-07 by engineers
 * who never ran the scanner; sealed until then) measured once at 09:12 (a727d20): 85/88 = 96.6 %, no false alarm of
 * 10 healthy logs; the crash engine was the session's start's (5bb5418), unchanged.
 * `fresh17` (manifests zzy, zzz and zzza, collected 09:13-09:18 and audited by 09:24 UTC on 2026-12-07 by engineers
 * who never ran the scanner; sealed until then) measured once at 09:25 (2393356): 74/79 = 93.7 %, no false alarm of
 * 13 healthy logs; the crash engine was still the session's start's (5bb5418).
 * Studied from the twenty-fifth round (items 650-661): fresh16 87/88 (the lead's missing-checkpoint chain, the localized
 * round's translated WinError 10060), fresh17 79/79, no false alarm.
 * `fresh18` (manifests zzzb, zzzc, zzzd and zzze, collected and audited 12:07-12:17 UTC on 2026-12-07 by engineers who
 * never ran the scanner; sealed until then) measured once at 12:17 (9c65a5f): 112/115 = 97.4 %, no false alarm of 19
 * healthy logs; the crash engine was the session's start's (11a4ebf), unchanged. Studied from the twenty-sixth round
 * (the lead's items 690-695: torch.multiprocessing.spawn's SIGABRT, W&B's sweep agent): 114/115, no false alarm.
 * `fresh19` (manifests zzzf, zzzg and zzzh, collected and audited 12:25-12:34 UTC on 2026-12-07 the same way; sealed
 * until then) measured once at 12:34 (81e2fc5): 91/97 = 93.8 %, one false alarm of 14 healthy logs (Real-ESRGAN's
 * caught OOM); the crash engine was still the session's start's. Studied from the twenty-sixth round: the false alarm
 * fixed first (d6cf39f), 92/97, no false alarm; the other five misses as families (62a13c7): 97/97.
 * `fresh20` (manifests zzzi: 3D vision, zzzj: embeddings, retrieval and vision-language, zzzk: recommenders, time series,
 * tabular, federated and AutoML, zzzl: scientific ML; collected and audited 15:30-15:37 UTC on 2026-12-07 by engineers who
 * never ran the scanner; sealed from 3c2bea4 until then) measured once at 15:37 with the crash engine of the session's
 * start (3c2bea4, the engine of 2f8e56d): 105/107 = 98.1 %, no false alarm of 18 healthy logs. Studied from then on.
 * `fresh21` (manifests zzzm: video, zzzn: compression during training, zzzo: reinforcement learning and simulation;
 * collected and audited 15:38-15:48 UTC on 2026-12-07 the same way; sealed from d16d805 until then) measured once at 15:49
 * with the crash engine of the session's start (d16d805): 77/80 = 96.3 %, no false alarm of 16 healthy logs; the same
 * 77/80 with the lead's fresh20 changes. Studied from then on. After the lead's twenty-seventh round (items 840-846):
 * fresh20 107/107 and fresh21 80/80, no false alarm.
 * The gate fails below the latest figures, rounded down.
 */
const BLIND_MIN_ACCURACY: Readonly<Record<string, number>> = { fresh: 0.96, fresh2: 0.96, fresh3: 0.93, fresh4: 0.93, fresh5: 0.89, fresh6: 0.98, fresh7: 0.99, fresh8: 0.96, fresh9: 1, fresh10: 0.98, fresh11: 0.99, fresh12: 0.98, fresh13: 0.98, fresh14: 0.99, fresh15: 1, fresh16: 0.98, fresh17: 1, fresh18: 0.99, fresh19: 1, fresh20: 1, fresh21: 1 };
/** Below this many held-back entries the figure is not meaningful yet (the corpus is still being collected). */
const HELDOUT_MIN_ENTRIES = 20;

const entries = loadCorpus().filter((e) => !SEALED_SPLITS.has(e.split));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-corpus-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function classify(file: string): Promise<string> {
  const out = await runScan({ file: [file], baseDir: tmp, history: false, json: true });
  return out.primary?.category ?? "none";
}

test("corpus manifests are valid and name existing files", () => {
  assert.ok(entries.length > 0, "no corpus entries");
  for (const e of entries) assert.match(e.source, /^https?:\/\//, `${e.from}: field "source"`);
});

test("held-back accuracy stays at what was reached; no healthy log raises an alarm", async () => {
  const ev = await evaluate(entries, classify);
  const held = ev.bySplit.heldout;
  process.stdout.write(`${renderEvaluation(ev)}\n`);
  assert.equal(ev.falseAlarms.all ?? 0, 0, `healthy logs raised alarms: ${ev.tuneMisses.filter((m) => m.label === "none").map((m) => m.file).join(", ")} (plus fresh ones, not listed)`);
  if (held && held.total >= HELDOUT_MIN_ENTRIES) {
    const acc = held.correct / held.total;
    assert.ok(acc >= HELDOUT_MIN_ACCURACY, `held-back accuracy ${pct(held)} < ${(HELDOUT_MIN_ACCURACY * 100).toFixed(1)} %`);
  }
  for (const [split, min] of Object.entries(BLIND_MIN_ACCURACY)) {
    const t = ev.bySplit[split];
    if (!t || t.total < HELDOUT_MIN_ENTRIES) continue;
    assert.ok(t.correct / t.total >= min, `${split} accuracy ${pct(t)} < ${(min * 100).toFixed(1)} %`);
  }
  const scanned = fs.readdirSync(tmp);
  assert.deepEqual(scanned, [], "runScan with history off wrote into the base folder");
});
