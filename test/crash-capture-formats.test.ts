/**
 * Capture formats and what follows a crash (docs/crash-accuracy.md, "perturbation sweep 2"): a log names
 * the same cause whether a container runtime wrapped its lines in JSON, a terminal coloured them with
 * escape sequences the old ANSI regex did not know, two ranks' tracebacks interleave, or tools printed
 * their closing output (W&B, Comet, MLflow, Slurm, a CI runner, a shell prompt) after the failure.
 *
 * Real lines of each format (sources in agent/crash/capture-prefix.ts and traceback.ts); the corpus tests
 * rewrite every tune and heldout entry the way the tool does and compare with the entry as collected.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadCorpus, CORPUS_DIR } from "../bench/crash-accuracy.bench.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";
import { decodeJsonLogLines, ESCAPE_SEQUENCE_SOURCE, ESCAPE_SEQUENCES, rejoinWrappedLines, splitLoneCarriageReturns } from "../agent/crash/capture-prefix.js";
import { makeRuntime, prefilterFor } from "../agent/crash/prefilter.js";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { crashSignature } from "../agent/crash/signature.js";
import { parseFailure, runEnd } from "../agent/crash/traceback.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-formats-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function scanText(text: string, name = "x.log") {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return scanFiles([file], { rules });
}
const primaryOf = async (text: string) => (await scanText(text)).primary?.category ?? "none";

const two = (n: number) => String(n).padStart(2, "0");
/** Docker's json-file driver: Go's encoder escapes `<`, `>` and `&` as \u003c, \u003e, \u0026. */
function dockerJson(text: string): string {
  const lines = (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
  const enc = (l: string) => JSON.stringify(`${l}\n`).replace(/</g, "\\u003c").replace(/>/g, "\\u003e").replace(/&/g, "\\u0026");
  return lines.map((l, i) => `{"log":${enc(l)},"stream":"stderr","time":"2024-05-08T08:${two(47 + Math.floor(i / 60) % 10)}:${two(i % 60)}.${261234567 + i}Z"}`).join("\n") + "\n";
}
/** Each non-empty line as tput colours it on xterm: bold, then sgr0 (`ESC(B ESC[m`). */
const tput = (text: string) => text.split("\n").map((l) => (l ? `\x1b[1m${l}\x1b(B\x1b[m` : l)).join("\n");
/** Lone carriage returns as line ends (classic Mac OS, a tool writing "\r" for "\n"). */
const loneCr = (text: string) => text.replace(/\r?\n/g, "\r");
/** Hard-wrapped at a terminal's width: each longer line cut into pieces of exactly `width` characters. */
const wrapAt = (width: number) => (text: string) =>
  text
    .split("\n")
    .map((l) => (l.length <= width ? l : Array.from({ length: Math.ceil(l.length / width) }, (_, k) => l.slice(k * width, (k + 1) * width)).join("\n")))
    .join("\n");
/** rich's file links around each frame's path (OSC 8, ended by ST). */
const osc8 = (text: string) => text.replace(/File "([^"\n]+)"/g, (_m, p: string) => `File "\x1b]8;id=1;file://${p}\x1b\\${p}\x1b]8;;\x1b\\"`);

test("every tune and heldout entry in docker's JSON records, coloured by tput, with rich's file links or lone \\r line ends gives the primary it gives as collected", async () => {
  const entries = loadCorpus().filter((e) => e.split === "tune" || e.split === "heldout");
  assert.ok(entries.length > 1200, `${entries.length} entries`);
  const wrong: string[] = [];
  for (const e of entries) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    const plain = await primaryOf(text);
    for (const [name, form] of [["docker json-file", dockerJson], ["tput", tput], ["osc8", osc8], ["lone CR", loneCr]] as const) {
      const got = await primaryOf(form(text));
      if (got !== plain) wrong.push(`${e.file} in ${name}: ${plain} -> ${got}`);
    }
  }
  assert.deepEqual(wrong, []);
});

test("docker json-file: the records are read as their lines, at the file's own line numbers and byte offsets", async () => {
  // Real records of a container's traceback (a public repository's notes, find_string hit 38970502393).
  const records = [
    '{"log":"====================\\n","stream":"stdout","time":"2020-08-24T14:06:44.051992382Z"}',
    '{"log":"Traceback (most recent call last):\\n","stream":"stderr","time":"2020-08-24T14:06:44.05205322Z"}',
    '{"log":"  File \\"example.py\\", line 31, in \\u003cmodule\\u003e\\n","stream":"stderr","time":"2020-08-24T14:06:44.052057884Z"}',
    '{"log":"    sqrt(-1)  # !Uncomment to see that unhandled exceptions will appear in STDERR\\n","stream":"stderr","time":"2020-08-24T14:06:44.052060356Z"}',
    '{"log":"ValueError: math domain error\\n","stream":"stderr","time":"2020-08-24T14:06:44.052062911Z"}',
  ];
  const text = records.join("\n") + "\n";
  const r = await scanText(text, "docker.log");
  assert.equal(r.primary?.category, "python_exception");
  assert.match(r.primary!.suggestion, /ValueError/);
  assert.match(r.primary!.suggestion, /example\.py:31 in <module>/);
  assert.equal(r.primary?.line, 5);
  assert.equal(r.primary?.byteOffset, text.indexOf(records[4]!));
  // A rule's finding quotes the line the record holds, at the record's line and offset.
  const oom = '{"log":"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 3; 79.10 GiB total capacity)\\n","stream":"stderr","time":"2024-05-08T08:47:31.261123456Z"}';
  const text2 = `${records[0]}\n${oom}\n`;
  const r2 = await scanText(text2, "docker-oom.log");
  assert.equal(r2.primary?.category, "cuda_oom");
  assert.equal(r2.primary?.line, 2);
  assert.equal(r2.primary?.byteOffset, records[0]!.length + 1);
  assert.equal(r2.primary?.text, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 3; 79.10 GiB total capacity)");
  // In place: same length, same line breaks, NULs after each line's text; a cut record stays as written.
  const buf = Buffer.from(`${records[2]}\n{"log":"Traceback (most rec`);
  const before = buf.length;
  assert.equal(decodeJsonLogLines(buf, 0, buf.length), true);
  assert.equal(buf.length, before);
  const [first, second] = buf.toString("utf8").split("\n");
  assert.equal(first!.replace(/\0+$/, ""), '  File "example.py", line 31, in <module>');
  assert.equal(first!.length, records[2]!.length);
  assert.equal(second, '{"log":"Traceback (most rec');
  // Not a docker log: untouched.
  const plain = Buffer.from('{"level":"info","msg":"step 10"}\n');
  assert.equal(decodeJsonLogLines(plain, 0, plain.length), false);
});

test("docker json-file, whole-file scans: the literal prefilter and the reference find the same", async () => {
  const plainFile = path.join(tmp, "trainer.log");
  const gen = writeTrainerLog(plainFile, 3e6, 7);
  const wrapped = path.join(tmp, "trainer-docker.log");
  fs.writeFileSync(wrapped, dockerJson(fs.readFileSync(plainFile, "utf8")));
  prefilterFor(rules);
  const fast = await scanFiles([wrapped], { rules, all: true });
  const slow = await scanFiles([wrapped], { rules, all: true, prefilter: false });
  assert.deepEqual(fast, slow);
  assert.equal(fast.primary?.ruleId, gen.crashRuleId);
  assert.equal(fast.primary?.line, gen.crashLine);
  // The finding quotes the line the record holds, not the record.
  const planted = fs.readFileSync(plainFile, "utf8").split("\n")[gen.crashLine - 1]!;
  assert.equal(fast.primary?.text, planted.trim());
});

test("lone \\r line ends: the lines are read as lines, numbered from the file's start", async () => {
  const text = ["step 10 loss 2.31", "step 20 loss 2.20", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "Killed"].join("\r") + "\r";
  const r = await scanText(text, "cr.log");
  assert.equal(r.primary?.category, "cuda_oom");
  assert.equal(r.primary?.line, 3);
  assert.equal(r.primary?.byteOffset, text.indexOf("torch."));
  // A text with line breaks keeps its "\r" as redraws: a tqdm bar stays one line.
  const bar = Buffer.from(" 10%|█         | 1/10\r 20%|██        | 2/10\nok\n");
  assert.equal(splitLoneCarriageReturns(bar, 0, bar.length), false);
});

test("hard-wrapped lines are joined again: a rule's phrase and a traceback's frames cut at 80 columns", async () => {
  // TensorFlow's BFC warning says it is no failure at its end (the corpus's healthy deepsignal-41 entry); cut at
  // 80 columns, its first piece alone read as a GPU OOM.
  const bfc =
    "2021-03-04 10:37:20.118419: W tensorflow/core/common_runtime/bfc_allocator.cc:246] Allocator (GPU_0_bfc) ran out of memory trying to allocate 3.87GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.";
  assert.equal(await primaryOf(`${bfc}\n`), "none");
  assert.equal(await primaryOf(`${wrapAt(80)(bfc)}\n`), "none");
  // A traceback cut at 80 columns: its frames are read again (the innermost frame of the user's code).
  const tb = [
    "Traceback (most recent call last):",
    '  File "/home/user/projects/detection/tools/train_detector_with_augmentations.py", line 212, in <module>',
    "    main(parse_args())",
    '  File "/home/user/projects/detection/tools/train_detector_with_augmentations.py", line 198, in main',
    "    trainer.fit(model, datamodule=datamodule, ckpt_path=args.resume_from_checkpoint_path)",
    "KeyError: 'state_dict_of_the_exponential_moving_average_model_that_was_never_saved_here'",
  ];
  const r = await scanText(wrapAt(80)(tb.join("\n")) + "\n", "wrapped.log");
  assert.equal(r.primary?.category, "python_exception");
  assert.match(r.primary!.suggestion, /train_detector_with_augmentations\.py:198 in main/);
  // In place: the run's first line holds the joined text at its own number and offset, the rest are empty.
  const buf = Buffer.from(wrapAt(80)(tb.join("\n")) + "\n");
  const lineCount = buf.toString().split("\n").length;
  assert.equal(rejoinWrappedLines(buf, 0, buf.length), true);
  const back = buf.toString().split("\n");
  assert.equal(back.length, lineCount);
  assert.equal(back[1], tb[1]);
  assert.equal(back[2], "");
  // Near misses, never joined: records of one format as long as the widest (a barrier's repeated wait, Keras'
  // epoch lines) and a box drawn at the console's width (rich's traceback panel).
  const barrier = Array.from({ length: 6 }, (_, k) => `Waiting in store based barrier to initialize process group for rank: ${k}, key: store_based_barrier_key:1 (world_size=8, worker_count=1, timeout=0:30:00)`.slice(0, 150));
  const keras = Array.from({ length: 6 }, (_, k) => [`Epoch ${k + 1}/1000`, `401/401 [==============================] - 21s 53ms/step - loss: nan - triplet_acc: 0.0000e+00 - val_loss: nan - val_triplet_acc: 0.0000e+00 - lr: 1.0000e-0${k}`.slice(0, 140).padEnd(140, "0")]).flat();
  const box = ["╭───────────────────── Traceback (most recent call last) ──────────────────────╮", ...Array.from({ length: 5 }, (_, k) => `│ /usr/lib/python3/site-packages/x${k}.py:${k + 10} in f${k}`.padEnd(79, " ") + "│"), "╰──────────────────────────────────────────────────────────────────────────────╯", "RuntimeError: CUDA Setup failed"];
  // containerd's partial records (`P`) of long lines, each piece under its own CRI prefix: no terminal's cut.
  const cri = ["x".repeat(230) + " loss nan", "y".repeat(250), "RuntimeError: " + "z".repeat(240)].flatMap((l, i) => {
    const parts = Array.from({ length: Math.ceil(l.length / 100) }, (_, k) => l.slice(k * 100, (k + 1) * 100));
    return parts.map((piece, k) => `2024-05-08T08:47:0${i}.261234567Z stderr ${k === parts.length - 1 ? "F" : "P"} ${piece}`);
  });
  for (const [name, lines] of [["barrier", barrier], ["keras", keras], ["rich box", box], ["cri partial", cri]] as const) {
    const text = lines.join("\n") + "\n";
    const b = Buffer.from(text);
    rejoinWrappedLines(b, 0, b.length);
    assert.equal(b.toString(), text, name);
  }
});

test("escape sequences: tput's sgr0, OSC 8 links and cursor moves are removed before rules, parser and signature", () => {
  const cases: [string, string][] = [
    // xterm's sgr0 (tput sgr0, blessed's `term.red(...)`): `ESC(B ESC[m`
    ["\x1b[31mlog_test_status_fail\x1b(B\x1b[m", "log_test_status_fail"],
    // rich's hyperlink around a path, ended by ST; OSC ended by BEL
    ['File "\x1b]8;id=1;file:///a/train.py\x1b\\/a/train.py\x1b]8;;\x1b\\", line 3', 'File "/a/train.py", line 3'],
    ["\x1b]0;title\x07text", "text"],
    // tqdm's and rich's cursor moves, a private mode
    ["\x1b[2K\x1b[1A\x1b[?25lloss 0.5", "loss 0.5"],
  ];
  for (const [raw, clean] of cases) assert.equal(raw.replace(ESCAPE_SEQUENCES, ""), clean, JSON.stringify(raw));
  const line = "\x1b[1m\x1b[31mRuntimeError: CUDA error: an illegal memory access was encountered\x1b(B\x1b[m";
  const m = classifyLine(rules, line);
  assert.equal(m?.rule.category, "cuda_error");
  assert.equal(crashSignature("cuda_error", "x", line), crashSignature("cuda_error", "x", "RuntimeError: CUDA error: an illegal memory access was encountered"));
  // The prefilter's worker code carries its own copy of the regex: the same one.
  assert.ok(makeRuntime.toString().includes(`/${ESCAPE_SEQUENCE_SOURCE}/g`));
});

// Python ignores an exception in a DataLoader iterator's finalizer at exit (the corpus's healthy
// Tri-MipRF-12 entry): a run that finished.
const IGNORED = [
  "100%|██████████| 800/800 [01:23<00:00,  9.62it/s]",
  "Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f7e6ba823a0>",
  "Traceback (most recent call last):",
  '  File "/root/miniconda3/lib/python3.8/site-packages/torch/utils/data/dataloader.py", line 1466, in __del__',
  "    self._shutdown_workers()",
  '  File "/root/miniconda3/lib/python3.8/multiprocessing/process.py", line 160, in is_alive',
  "    assert self._parent_pid == os.getpid(), 'can only test a child process'",
  "AssertionError: can only test a child process",
];

test("two ranks' tracebacks interleaved line by line or block by block are each parsed", async () => {
  const interleave = (lines: string[], block: number) => {
    const out: string[] = [];
    for (let i = 0; i < lines.length; i += block) for (const r of [0, 1]) for (const l of lines.slice(i, i + block)) out.push(`[rank${r}]: ${l}`);
    return out.join("\n") + "\n";
  };
  for (const block of [1, 3]) {
    // Before: rank 0's traceback took rank 1's head as read, and rank 1's exception line was a bare error.
    assert.equal(await primaryOf(interleave(IGNORED, block)), "none", `block ${block}`);
    const crash = ["Traceback (most recent call last):", '  File "/w/train.py", line 12, in <module>', "    state = torch.load(path)", "KeyError: 'optimizer'"];
    const f = parseFailure(interleave(crash, block).split("\n"));
    assert.equal(f?.exceptions.filter((e) => e.type === "KeyError").length, 2, `block ${block}`);
  }
});

test("closing output after a failure is read past: Slurm's kill-on-bad-exit, W&B, Comet, a CI verdict, a prompt", async () => {
  const crash = [
    "Traceback (most recent call last):",
    '  File "/w/train.py", line 40, in <module>',
    "    batch = next(it)",
    "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)",
  ];
  // Slurm after task 0 failed (shapes of ComputationalRadiationPhysics/picongpu#198 and desihub/desispec#2744).
  const slurm = [
    "srun: error: gpu-node-07: task 0: Exited with exit code 1",
    "srun: Terminating StepId=424242.0",
    "slurmstepd: error: *** STEP 424242.0 ON gpu-node-07 CANCELLED AT 2024-05-08T08:50:01 DUE TO TASK FAILURE ***",
    "srun: error: gpu-node-08: task 1: Terminated",
    "srun: Force Terminated StepId=424242.0",
  ];
  // Before: `STEP 424242.0` read as training going on, the traceback not terminal, srun's Terminated primary.
  assert.equal(await primaryOf([...crash, ...slurm].join("\n") + "\n"), "python_exception");
  const closers = [
    ["wandb: Waiting for W&B process to finish... (failed 1). Press Control-C to abort syncing.", "wandb: Synced 6 W&B file(s), 0 media file(s), 2 artifact file(s) and 0 other file(s)"],
    ["COMET INFO: Uploading metrics, params, and assets to Comet before program termination (may take several minutes)"],
    ["##[error]Process completed with exit code 1."],
    ["(venv) user@gpu-node-07:~/project$ "],
  ];
  // A traceback cut before its exception line (the process died printing it): the tool's line is not its exception.
  const cut = crash.slice(0, 3);
  for (const c of closers) {
    const f = parseFailure([...cut, ...c]);
    assert.equal(f?.exception?.cut, true, c[0]);
    assert.equal(f?.exception?.type, "", c[0]);
  }
  // A run stuck in a store barrier, then the tool's closing output: still a run that ended waiting.
  const stuck = [
    "[I socket.cpp:480] [c10d] The server socket has started to listen on [::]:29500.",
    ...Array.from({ length: 4 }, (_, k) => `Waiting in store based barrier to initialize process group for rank: 0, key: store_based_barrier_key:1 (world_size=2, worker_count=1, timeout=0:30:00) ${k}`),
  ];
  const plainStuck = await primaryOf(stuck.join("\n") + "\n");
  assert.equal(plainStuck, "timeout");
  for (const c of [...closers, IGNORED.slice(1)]) {
    assert.equal(runEnd([...stuck, ...c]), stuck.length, c[0]);
    assert.equal(await primaryOf([...stuck, ...c].join("\n") + "\n"), "timeout", c[0]);
  }
});

test("healthy tune and heldout entries stay healthy with each tool's closing output after them", async () => {
  const healthy = loadCorpus().filter((e) => (e.split === "tune" || e.split === "heldout") && e.category === "none");
  assert.ok(healthy.length > 150, `${healthy.length} healthy entries`);
  const tails = [
    "wandb: Waiting for W&B process to finish... (success).\nwandb: Run summary:\nwandb:       train/loss 0.4213\n",
    "COMET INFO: Comet.ml Experiment Summary\n🏃 View run grandiose-mole-123 at: http://127.0.0.1:5000/#/experiments/0/runs/4f1c2d\n",
    `${IGNORED.slice(1).join("\n")}\n`,
    "(venv) user@gpu-node-07:~/project$ ",
  ];
  const alarms: string[] = [];
  for (const e of healthy) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    const body = text.endsWith("\n") ? text : `${text}\n`;
    for (const forms of [dockerJson(text), tput(text), loneCr(text), wrapAt(80)(text), wrapAt(120)(text), ...tails.map((t) => body + t)]) {
      const got = await primaryOf(forms);
      if (got !== "none") alarms.push(`${e.file}: ${got}`);
    }
  }
  assert.deepEqual(alarms, []);
});

// Review (2026-12-06 19:40): the same file gave one finding by `crash scan --file` (its tail) and another by
// `crash scan --all`; the capture format is now decided once per file (captureFormatOf) and every scan path repairs
// its texts by that decision.

/** Healthy lines 81-159 characters long, of several shapes, about `bytes` in all (each wraps at 80 into two pieces). */
function longHealthyLines(bytes: number): string[] {
  const words = ["alpha", "beta", "gamma", "delta", "eps", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu"];
  const out: string[] = [];
  for (let i = 0, n = 0; n < bytes; i++) {
    const len = 81 + ((i * 37) % 79);
    let l = `2024-05-08 08:00:00 INFO ${words[i % 12]}.${words[(i * 7) % 12]} step ${i}:`;
    while (l.length < len) l += ` ${words[(i + l.length) % 12]}=${(i * l.length) % 1000}`;
    out.push(l.slice(0, len));
    n += len + 1;
  }
  return out;
}

test("a log hard-wrapped at 80 columns and larger than 2 MiB: --all reads the wrapped lines as the tail scan does", async () => {
  const bfc =
    "2021-03-04 10:37:20.118419: W tensorflow/core/common_runtime/bfc_allocator.cc:246] Allocator (GPU_0_bfc) ran out of memory trying to allocate 3.87GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.";
  const lines = longHealthyLines(3e6);
  const file = path.join(tmp, "wrapped-3mb.log");
  fs.writeFileSync(file, wrapAt(80)([...lines, bfc, ...lines.slice(0, 30)].join("\n") + "\n"));
  const tail = await scanFiles([file], { rules });
  assert.equal(tail.primary?.category ?? "none", "none", "the tail scan joins the warning's pieces: not a failure");
  const all = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
  assert.equal(all.primary?.category ?? "none", "none", "--all reads the same file");
});

test("a log with lone \\r line ends larger than 32 MiB: the tail scan finds the crash --all finds", async () => {
  const file = path.join(tmp, "cr-40mb.log");
  const line = "step 123 loss 0.1234 lr 1e-5 throughput 123.4 samples/s\r";
  fs.writeFileSync(file, line.repeat(Math.ceil(40e6 / line.length)) + "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB\r");
  const all = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
  assert.equal(all.primary?.category, "cuda_oom");
  const tail = await scanFiles([file], { rules });
  assert.equal(tail.primary?.category, "cuda_oom", tail.files[0]?.problem);
  assert.ok(tail.files[0]!.bytesRead! < 1e6, `the tail read ${tail.files[0]!.bytesRead} bytes`);
});

test("docker json-file, whole-file scans: the parallel scan (128 MiB or more: PARALLEL_MIN_BYTES) reports the line and signature the single-thread scan does", async () => {
  const file = path.join(tmp, "docker-parallel.log");
  const lines = longHealthyLines(2e6);
  const tb = ["Traceback (most recent call last):", '  File "/app/train.py", line 198, in main', "    trainer.fit(model)", "KeyError: 'state_dict'"];
  fs.writeFileSync(file, dockerJson([...lines, ...tb].join("\n") + "\n"));
  const one = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
  // The threshold and the chunk lowered, as the parallel-scan tests do, so that a 3 MB file is scanned in
  // parallel chunks (with one chunk the parallel scan reads as the single-thread one and agrees).
  const two = await scanFiles([file], { rules, all: true, chunkBytes: 256 * 1024, parallel: { threads: 2, minBytes: 1 } });
  assert.equal(one.primary?.text, "KeyError: 'state_dict'");
  assert.deepEqual([two.primary?.line, two.primary?.text, two.primary?.signature], [one.primary?.line, one.primary?.text, one.primary?.signature]);
});

// One capture-format decision per file (captureFormatOf): the tail scan, the whole file's reads and the parallel
// scan's workers repair a file's texts by the same decision, so the three give the same primary.

/** A ~2 MB log (under 4 MiB in each form: the tail scan numbers its lines from the start) of healthy lines of several shapes, ending in a traceback whose exception is a CUDA OOM. */
function threeWayLog(): string {
  const tb = [
    "Traceback (most recent call last):",
    '  File "/home/user/projects/detection/tools/train_detector_with_augmentations.py", line 212, in <module>',
    "    main(parse_args())",
    '  File "/home/user/projects/detection/tools/train_detector_with_augmentations.py", line 198, in main',
    "    loss = model(images, targets)",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.15 GiB total capacity; 75.02 GiB already allocated; 1.19 GiB free; 76.40 GiB reserved in total by PyTorch)",
  ];
  return [...longHealthyLines(2e6), ...tb].join("\n") + "\n";
}

const FORMS: [string, (text: string) => string, number][] = [
  ["plain", (t) => t, 0x0a],
  ["docker json-file", dockerJson, 0x0a],
  ["lone \\r line ends", loneCr, 0x0d],
  ["hard-wrapped at 80 columns", wrapAt(80), 0x0a],
  ["tput's escapes", tput, 0x0a],
  ["PyTorch's [rank0]: ", (t) => t.replace(/^(?=.)/gm, "[rank0]: "), 0x0a],
  ["pdsh's host (a learned prefix)", (t) => t.replace(/^(?=.)/gm, "gpu-node-7: "), 0x0a],
];

test("the same log in each capture format: the tail scan, --all and the threaded --all give the same primary (category, rule, line, offset)", async () => {
  const plain = threeWayLog();
  for (const [name, form, eol] of FORMS) {
    const text = form(plain);
    const file = path.join(tmp, `three-way-${FORMS.findIndex((f) => f[0] === name)}.log`);
    fs.writeFileSync(file, text);
    // The OOM's line in the file as written: its line ends before the message, plus one.
    const at = Buffer.from(text).indexOf("torch.OutOfMemoryError");
    let line = 1;
    for (let i = Buffer.from(text).indexOf(eol); i !== -1 && i < at; i = Buffer.from(text).indexOf(eol, i + 1)) line++;
    const tail = await scanFiles([file], { rules });
    const all = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
    const threaded = await scanFiles([file], { rules, all: true, chunkBytes: 256 * 1024, parallel: { threads: 3, minBytes: 1 } });
    const got = (r: typeof tail) => [r.primary?.category, r.primary?.ruleId, r.primary?.line, r.primary?.byteOffset, r.primary?.text.includes("Tried to allocate 2.00 GiB"), r.primary?.text.endsWith("reserved in total by PyTorch)")];
    assert.deepEqual(got(tail), ["cuda_oom", "cuda_oom_alloc", line, got(tail)[3], true, true], `${name}: tail`);
    assert.equal(tail.files[0]!.lineNumbersFromEnd, undefined, name);
    assert.deepEqual(got(all), got(tail), `${name}: --all`);
    assert.deepEqual(got(threaded), got(tail), `${name}: threaded --all`);
    assert.equal(all.files[0]!.linesRead, threaded.files[0]!.linesRead, name);
    // The threaded scan ran in worker threads (a worker that fails makes the file a problem), but for a hard-wrapped
    // log, which one thread scans (its runs of pieces are joined across a read's lines).
    const failing = await scanFiles([file], { rules, all: true, chunkBytes: 256 * 1024, parallel: { threads: 2, minBytes: 1, workerCode: "throw new Error('no')" } });
    assert.equal(failing.files[0]!.problem !== undefined, !name.startsWith("hard-wrapped"), `${name}: ${failing.files[0]!.problem}`);
  }
});

test("captureFormatOf: each format decided from a file's start and end, a progress bar after a log's lines is no lone-\\r log", async () => {
  const { captureFormatOf } = await import("../agent/crash/capture-prefix.js");
  const plain = threeWayLog();
  const of = (text: string) => {
    const b = Buffer.from(text);
    const tail = b.length > 256 * 1024 ? Buffer.from(b.subarray(b.length - 256 * 1024)) : Buffer.from(b);
    return captureFormatOf(b.subarray(0, 64 * 1024), tail, tail.length === b.length);
  };
  const f = (text: string) => {
    const c = of(text);
    return { json: c.jsonRecords, lineEnd: c.lineEnd, wrap: c.wrapWidth, prefix: c.prefix?.source ?? null };
  };
  assert.deepEqual(f(plain), { json: false, lineEnd: 0x0a, wrap: 0, prefix: null });
  assert.deepEqual(f(dockerJson(plain)), { json: true, lineEnd: 0x0a, wrap: 0, prefix: null });
  assert.deepEqual(f(loneCr(plain)), { json: false, lineEnd: 0x0d, wrap: 0, prefix: null });
  assert.deepEqual(f(wrapAt(80)(plain)), { json: false, lineEnd: 0x0a, wrap: 80, prefix: null });
  assert.deepEqual(f(plain.replace(/^(?=.)/gm, "gpu-node-7: ")), { json: false, lineEnd: 0x0a, wrap: 0, prefix: String.raw`gpu-node-\d+: ` });
  // 300 KB of a tqdm bar redrawn with "\r" after the log's lines: its end holds no "\n", its start does.
  const bar = plain + Array.from({ length: 6000 }, (_, k) => ` ${k % 100}%|█████     | ${k}/6000 [00:${two(k % 60)}<00:10, 9.62it/s]`).join("\r");
  assert.equal(f(bar).lineEnd, 0x0a);
});
