import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TrainsafeError } from "../agent/lib/errors.js";
import { BUILTIN_RULES_FILE, classifyLine, compileRulesData, loadRules, requiredLiterals } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { crashSignature } from "../agent/crash/signature.js";
import { CRASH_CATEGORIES } from "../agent/crash/types.js";
import { CORPUS_DIR, loadCorpus } from "../bench/crash-accuracy.bench.js";

const fixturesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash");
interface Fixture {
  file: string;
  expect: string;
  rule?: string;
  cascade?: boolean;
  secondary?: string[];
  source: string;
  note?: string;
}
const manifest = JSON.parse(fs.readFileSync(path.join(fixturesDir, "fixtures.json"), "utf8")) as { fixtures: Fixture[] };
const fixtures = manifest.fixtures;
const rules = await loadRules();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-rules-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

for (const fx of fixtures) {
  test(`fixture ${fx.file}: primary is ${fx.expect}${fx.rule ? ` (${fx.rule})` : ""}`, async () => {
    const r = await scanFiles([path.join(fixturesDir, fx.file)], { rules });
    assert.equal(r.files[0]!.problem, undefined);
    assert.equal(r.primary?.category ?? "none", fx.expect, JSON.stringify(r.findings.map((f) => [f.line, f.ruleId]), null, 0));
    if (fx.expect === "none") {
      // Healthy logs may only carry warnings (e.g. a collapsed loss scale), never a crash finding.
      assert.deepEqual(r.findings.filter((f) => f.severity !== "warning"), []);
      if (fx.rule) assert.ok(r.findings.some((f) => f.ruleId === fx.rule), `expected a ${fx.rule} warning`);
    } else if (fx.rule) {
      assert.equal(r.primary!.ruleId, fx.rule);
    }
    if (fx.cascade) {
      assert.equal(r.primary!.role, "cause");
      assert.ok(r.findings.length > 1, "a cascade has more than one finding");
      // A naive pick, the first or the last matching line, would not be the cause a human names first.
      assert.ok(r.findings[0] !== r.primary || r.findings.at(-1) !== r.primary);
    }
    for (const cat of fx.secondary ?? []) assert.ok(r.findings.some((f) => f !== r.primary && f.category === cat), `secondary ${cat}`);
  });
}

test("fixture set: every category has at least three real excerpts; ten healthy ones; three cascades", () => {
  for (const cat of CRASH_CATEGORIES) {
    const n = fixtures.filter((f) => f.expect === cat).length;
    assert.ok(n >= 3, `${cat}: only ${n} fixtures`);
  }
  assert.ok(fixtures.filter((f) => f.file.startsWith("healthy/")).length >= 10);
  assert.ok(fixtures.filter((f) => f.cascade).length >= 3);
  for (const f of fixtures) assert.match(f.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull)\/\d+$/, f.file);
});

test("fixture set: the manifest and the folder agree (no unlisted or missing files)", () => {
  const onDisk = fs
    .readdirSync(fixturesDir, { recursive: true })
    .map(String)
    .filter((p) => p.endsWith(".log") && !p.startsWith("device-h200"))
    .sort();
  assert.deepEqual(onDisk, fixtures.map((f) => f.file).sort());
});

test("real output captured on an H200 (torch 2.11, NCCL 2.28) is classified as expected", async () => {
  const dir = path.join(fixturesDir, "device-h200");
  const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as { logs: { file: string; expect: string; rule: string }[] };
  assert.ok(expected.logs.length >= 6);
  for (const { file, expect, rule } of expected.logs) {
    const r = await scanFiles([path.join(dir, file)], { rules });
    assert.equal(`${r.primary?.category}/${r.primary?.ruleId}`, `${expect}/${rule}`, file);
  }
});

test("every shipped rule classifies at least one real fixture line", () => {
  const used = new Set<string>();
  // Real lines: the public fixtures, tracebacks recorded from real processes (test/fixtures/tracebacks)
  // and the first collection of the real-crash corpus (verbatim public excerpts: `tune`, and
  // `heldout`, studied after its first measurement). The `fresh` collection never justifies a rule.
  const tracebacks = path.join(fixturesDir, "..", "tracebacks");
  const files = [
    ...fixtures.map((fx) => path.join(fixturesDir, fx.file)),
    ...fs.readdirSync(tracebacks).filter((n) => n.endsWith(".log")).map((n) => path.join(tracebacks, n)),
    ...loadCorpus().filter((e) => e.split === "tune" || e.split === "heldout").map((e) => path.join(CORPUS_DIR, e.file)),
  ];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    for (const line of text.split("\n")) {
      const m = classifyLine(rules, line);
      if (m) used.add(m.rule.id);
    }
  }
  const unused = rules.rules.map((r) => r.id).filter((id) => !used.has(id));
  assert.deepEqual(unused, []);
});

// A rule without an anchor is tried on every line (rules.ts, AnchorSearch.always): a tail scan then decodes
// and classifies every line of the tail. One such pattern (a nan_loss_metric alternative whose only plain
// text was `kl`) took `crash scan --file` of the startup bench's 29 KB log from 66.5 to 78.2 ms of CPU
// (docs/benchmarks.md, start-up, 2026-12-06).
test("every shipped pattern has an anchor (no rule falls back to the slow whole-chunk path)", () => {
  const unanchored = rules.unanchored.map((r) => r.id);
  assert.deepEqual(unanchored, [], `rules without a literal of 3 or more characters that every match contains (outside optional parts and alternatives): ${unanchored.join(", ")}`);
  assert.deepEqual(rules.anchorSearch?.always, []);
  for (const r of rules.rules) assert.ok(r.anchors && r.anchors.length > 0, r.id);
  assert.equal(rules.files.at(-1), BUILTIN_RULES_FILE);
});

test("lines that merely mention a word are not crashes", () => {
  const tempting = [
    "ddp_timeout=1800,",
    "  ddp_timeout                             : 1800",
    "logging_nan_inf_filter=True,",
    "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0",
    "[deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768",
    "/usr/lib/python3/site-packages/torch/utils/checkpoint.py:91: UserWarning: CUDA out of memory during recomputation is possible",
    "train.py:196: FutureWarning: `torch.cuda.amp.GradScaler(args...)` is deprecated.",
    "Namespace(timeout=1800, max_steps=10000, save_steps=500, nan_check=False)",
    "--max_steps 5000 --save_strategy steps --ddp_timeout 7200",
    "Loading dynamic nanosecond scheduler: financial nano-banana dataset",
    "Killed 3 stale workers: 100%|██████████| 3/3 [00:00<00:00, 912.3it/s]",
    "Epoch 3: 100%|██████████| 500/500 [02:11<00:00, killed_jobs=0, loss=0.213]",
    "    except torch.cuda.OutOfMemoryError:",
    '    raise RuntimeError("DataLoader timed out after {} seconds".format(self._timeout))',
    '        f"Loss became infinite or NaN at iteration={storage.iter}!\\n"',
    "NCCL INFO NET/IB : No device found.",
    // NCCL falling back to another transport, then training on (github.com/yoonsanghyu/Dual-Path-Transformer-Network-PyTorch issue 1).
    "lufee:19773:20233 [0] misc/ibvwrap.cc:63 NCCL WARN Failed to open libibverbs.so[.1]",
    "node1:2114:2114 [0] NCCL WARN NET/Plugin : No plugin found (libnccl-net.so), using internal implementation",
    // Google's FastSocket NCCL plugin retrying its flows, then "Connected after 1000 retries" (github.com/google/nccl-fastsocket issue 4).
    "full-debug2-test-1:4024:4048 [0] net_fastsocket.cc:765 NCCL WARN Cannot get incoming CPU.",
    "full-debug2-test-0:4300:4325 [0] net_fastsocket.cc:785 NCCL WARN Maximum retry reached for accept 3.",
    "wandb: Network error (TransientError), entering retry loop.",
    "max training steps reached, stopping training, total_train_steps:  6",
    "checkpoint saved: /data/ckpt/segmentation_fault_detector/model.pt",
  ];
  const hits = tempting.map((l) => [l, classifyLine(rules, l)?.rule.id]).filter(([, id]) => id !== undefined);
  assert.deepEqual(hits, []);
});

test("an NCCL WARN that is not a transport fallback is still a finding", () => {
  assert.equal(classifyLine(rules, "lufee:19773:20233 [0] NCCL WARN Failed to CUDA calloc 6291456 bytes")?.rule.category !== undefined, true);
  assert.equal(classifyLine(rules, "gpu2:531:900 [1] NCCL WARN Socket recv failed while polling for opId=0x55a51966cc80")?.rule.category, "nccl_error");
  assert.equal(classifyLine(rules, "host-1:4024:4055 [0] net_fastsocket.cc:402 NCCL WARN Call to connect failed : Connection refused")?.rule.category, "nccl_error");
});

test("a line with progress-bar carriage returns is classified by the segment that matches", () => {
  const m = classifyLine(rules, " 98%|█████████▊| 98/100 [00:40<00:01]\rKilled\r");
  assert.equal(m?.rule.id, "killed_shell_report");
  assert.equal(m?.text, "Killed");
});

test("ANSI colour codes and NUL bytes do not hide a match", () => {
  assert.equal(classifyLine(rules, "\x1b[31mRuntimeError: CUDA error: an illegal memory access was encountered\x1b[0m")?.rule.id, "cuda_illegal_address");
  assert.equal(classifyLine(rules, "\0\0\0Segmentation fault (core dumped)")?.rule.id, "segfault_shell");
});

test("suggestions are specific: capture groups fill the placeholders", () => {
  const xid = classifyLine(rules, "NVRM: Xid (PCI:0000:3b:00): 48, pid=991, name=python, An uncorrectable double bit error (DBE) has been detected")!;
  assert.equal(xid.rule.id, "gpu_xid_ecc");
  const s = xid.rule.suggestion.replace("{xid}", xid.match.groups!.xid!).replace("{pci}", xid.match.groups!.pci!);
  assert.match(s, /Xid 48/);
  assert.match(s, /0000:3b:00/);
  const r = compileRulesData({ version: 1, rules: [{ id: "t", category: "timeout", severity: "fatal", role: "cause", patterns: ["waited (?<secs>\\d+)s"], suggestion: "the wait of {secs}s expired" }] });
  assert.equal(classifyLine(r, "waited 42s")!.rule.id, "t");
});

test("rule errors name the file, the rule id and the field", () => {
  const base = { id: "bad_rule", category: "cuda_oom", severity: "fatal", role: "cause", patterns: ["ok"], suggestion: "do something useful" };
  const cases: Array<[unknown, RegExp]> = [
    [{ version: 1, rules: [{ ...base, patterns: ["(unclosed"] }] }, /rules\[0\] \(id bad_rule\)\.patterns\[0\].*invalid regular expression/],
    [{ version: 1, rules: [{ ...base, category: "cosmic_rays" }] }, /rules\[0\] \(id bad_rule\)\.category/],
    [{ version: 1, rules: [{ ...base, extra: 1 }] }, /rules\[0\] \(id bad_rule\)\.extra/],
    [{ version: 1, rules: [base, base] }, /duplicate rule id "bad_rule"/],
    [{ version: 1, rules: [{ ...base, suggestion: "needs {size} here" }] }, /bad_rule.*patterns\[0\].*\{size\}/],
    [{ version: 1, rules: [{ ...base, exclude: ["[z-a]"] }] }, /rules\[0\] \(id bad_rule\)\.exclude\[0\]/],
    [{ version: 2, rules: [] }, /version/],
    [{ version: 1, rules: [{ ...base, traits: ["root_cause"] }] }, /rules\[0\] \(id bad_rule\)\.traits\[0\]/],
    [{ version: 1, rules: [{ ...base, traits: ["explains_failure"] }] }, /rules\[0\] \(id bad_rule\)\.traits: trait "explains_failure" is for warnings/],
    [{ version: 1, rules: [{ ...base, traits: ["recovers_above"] }] }, /rules\[0\] \(id bad_rule\)\.traits: trait "recovers_above" is for warnings/],
    [{ version: 1, rules: [{ ...base, traits: ["peer_wait"] }] }, /rules\[0\] \(id bad_rule\)\.traits: trait "peer_wait" is for timeouts/],
    [{ version: 1, rules: [{ ...base, severity: "warning", traits: ["fatal_until_progress"] }] }, /rules\[0\] \(id bad_rule\)\.traits: trait "fatal_until_progress" is for findings that end a run/],
  ];
  for (const [data, re] of cases) {
    assert.throws(
      () => compileRulesData(data, "/etc/trainsafe/rules.json"),
      (err: unknown) => err instanceof TrainsafeError && err.kind === "config" && err.message.startsWith("/etc/trainsafe/rules.json: ") && re.test(err.message),
    );
  }
});

test("an extra rules file is validated, tried before the built-in rules, and may not reuse an id", async () => {
  const extra = path.join(tmp, "extra.json");
  fs.writeFileSync(
    extra,
    JSON.stringify({
      version: 1,
      rules: [{ id: "site_oom", category: "cuda_oom", severity: "fatal", role: "cause", patterns: ["CUDA out of memory"], suggestion: "our cluster: use the 80 GB partition" }],
    }),
  );
  const r = await loadRules(extra);
  assert.equal(classifyLine(r, "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB")!.rule.id, "site_oom");
  assert.equal(r.rules.length, rules.rules.length + 1);
  fs.writeFileSync(extra, JSON.stringify({ version: 1, rules: [{ id: "disk_full", category: "disk_full", severity: "fatal", role: "cause", patterns: ["nope"], suggestion: "duplicate id" }] }));
  await assert.rejects(loadRules(extra), /duplicate rule id "disk_full"/);
  fs.writeFileSync(extra, "{ not json");
  await assert.rejects(loadRules(extra), (err: unknown) => err instanceof TrainsafeError && err.message.includes(extra) && /invalid JSON/.test(err.message));
  await assert.rejects(loadRules(path.join(tmp, "missing.json")), /missing\.json: cannot read rules file/);
});

test("a pattern without a usable anchor still matches (slow path)", async () => {
  const r = compileRulesData({ version: 1, rules: [{ id: "short", category: "segfault", severity: "fatal", role: "cause", patterns: ["^\\s*\\d+ ab\\s*$"], suggestion: "a pattern with no literal of three characters" }] });
  assert.equal(r.unanchored.length, 1);
  const file = path.join(tmp, "slow.log");
  fs.writeFileSync(file, "noise\n  42 ab  \nnoise\n");
  const res = await scanFiles([file], { rules: r });
  assert.equal(res.primary?.ruleId, "short");
  assert.equal(res.primary?.line, 2);
});

test("a rule with a very long literal compiles and matches (its anchor is a prefix; fuzz seed 698733 found the search too large)", async () => {
  const long = "a".repeat(30_000);
  const r = compileRulesData({ version: 1, rules: [{ id: "long", category: "segfault", severity: "fatal", role: "cause", patterns: [`boom ${long}!`], suggestion: "a long literal" }] });
  assert.ok(r.rules[0]!.anchors!.every((a) => a.length <= 40));
  assert.equal(classifyLine(r, `x boom ${long}! y`)?.rule.id, "long");
  assert.equal(classifyLine(r, `x boom ${long.slice(1)}! y`), null);
});

test("requiredLiterals: the longest required run per alternative, never an optional part", () => {
  assert.deepEqual(requiredLiterals("CUDA out of memory\\. Tried to allocate (?<size>\\d+)"), ["CUDA out of memory. Tried to allocate "]);
  assert.deepEqual(requiredLiterals("foo|barbaz"), ["foo", "barbaz"]);
  assert.deepEqual(requiredLiterals("(?:exit|exited) with (?:exit )?code 137\\b"), ["code 137"]);
  assert.deepEqual(requiredLiterals("abcd?ef"), ["abc"]);
  assert.deepEqual(requiredLiterals("xa+bcdef"), ["bcdef"]);
  assert.deepEqual(requiredLiterals("\\[Errno 28\\]"), ["Errno 28]"]);
  assert.deepEqual(requiredLiterals("^\\s*已杀死\\s*$"), ["已杀死"]);
  assert.equal(requiredLiterals("a|bc"), null);
  assert.equal(requiredLiterals("[abc]+\\d"), null);
});

test("signatures: the same crash on different hosts is one signature; a different crash is another", () => {
  const a = classifyLine(rules, "gpu-node-17:1234:5678 [2] include/alloc.h:178 NCCL WARN Cuda failure 'out of memory'")!;
  const b = classifyLine(rules, "worker-3:99:100 [0] include/alloc.h:178 NCCL WARN Cuda failure 'out of memory'")!;
  assert.equal(crashSignature(a.rule.category, a.rule.id, a.match[0]), crashSignature(b.rule.category, b.rule.id, b.match[0]));
  const oom1 = classifyLine(rules, "[rank2]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 336.00 MiB. GPU 2 has ...")!;
  const oom2 = classifyLine(rules, "[rank7]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.35 GiB. GPU 7 has ...")!;
  assert.equal(crashSignature(oom1.rule.category, oom1.rule.id, oom1.match[0]), crashSignature(oom2.rule.category, oom2.rule.id, oom2.match[0]));
  const m1 = classifyLine(rules, "ModuleNotFoundError: No module named 'flash_attn'")!;
  const m2 = classifyLine(rules, "ModuleNotFoundError: No module named 'deepspeed'")!;
  assert.notEqual(crashSignature(m1.rule.category, m1.rule.id, m1.match[0]), crashSignature(m2.rule.category, m2.rule.id, m2.match[0]));
  assert.match(crashSignature("cuda_oom", "cuda_oom_alloc", "x"), /^cuda_oom\/cuda_oom_alloc\/[0-9a-f]{12}$/);
});

test("the primary choice reads rule traits from the rules: the shipped ones, and an extra file's", async () => {
  const ids = (t: keyof typeof rules.traits) => [...rules.traits[t]].sort();
  assert.deepEqual(ids("peer_wait"), ["gloo_peer_connection", "horovod_shut_down", "nccl_hccl_timeout", "nccl_peer_connection_closed", "nccl_remote_error", "nccl_watchdog_dump", "nccl_watchdog_heartbeat", "nccl_watchdog_timeout", "nccl_watchdog_timeout_stack", "timeout_c10d_client_socket", "timeout_collective_gloo", "timeout_coordination_heartbeat", "timeout_dist_socket", "timeout_dist_store", "timeout_gloo_barrier_peer_error", "timeout_python", "timeout_ray_gcs_unreachable", "timeout_ray_node_dead", "timeout_store_socket"]);
  assert.deepEqual(ids("consequence"), ["killed_death_signal", "killed_launcher_cleanup", "killed_sigterm", "killed_slurm_step_cancelled", "segfault_abort_exit"]);
  assert.deepEqual(ids("launcher_cleanup"), ["killed_launcher_cleanup"]);
  assert.deepEqual(ids("explains_failure"), ["cuda_oom_batch_reduced", "cuda_oom_batch_skipped", "disk_full_warning", "nan_loss_scale_collapsed"]);
  assert.deepEqual(ids("recovers_above"), ["cuda_oom_autobatch_probe", "cuda_oom_batch_skipped", "cuda_oom_caught_tile_hint"]);
  assert.deepEqual(ids("retries_below"), ["cuda_oom_autobatch_probe", "cuda_oom_batch_reduced"]);
  // A site's own barrier message: as a peer wait, the kill in the same incident is what it waited for.
  const log = path.join(tmp, "site-wait.log");
  fs.writeFileSync(log, "step 10 loss 2.1\nSITE BARRIER expired after 600 s on rank 3\nbash: line 1: 4242 Killed                  python train.py\n");
  const rule = { id: "site_barrier", category: "timeout", severity: "fatal", role: "cause", priority: 5, patterns: ["SITE BARRIER expired"], suggestion: "a rank did not reach the barrier" };
  const extra = path.join(tmp, "traits.json");
  const primaryWith = async (r: object) => {
    fs.writeFileSync(extra, JSON.stringify({ version: 1, rules: [r] }));
    return (await scanFiles([log], { rules: await loadRules(extra) })).primary?.category;
  };
  assert.equal(await primaryWith(rule), "timeout");
  assert.equal(await primaryWith({ ...rule, traits: ["peer_wait"] }), "process_killed");
});
