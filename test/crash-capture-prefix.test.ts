/**
 * Capture prefixes (agent/crash/capture-prefix.ts): a log names the same cause however it was captured.
 *
 * Real corpus entries (every tune and heldout entry) are scanned as collected and wrapped line by line
 * in each capture form of bench/lib/capture-wrap.ts (all of them: ~20,000 in-process scans, about
 * 20 s); the primary category must be the same. Then near misses: text that only looks like a prefix
 * is matched as it always was.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadCorpus, CORPUS_DIR } from "../bench/crash-accuracy.bench.js";
import { writeTrainerLog } from "../bench/lib/trainer-log.js";
import { capturedLines, capturePrefixLength, learnCapturePrefix, splitCapturePrefix } from "../agent/crash/capture-prefix.js";
import { prefilterFor } from "../agent/crash/prefilter.js";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { CAPTURE_FORMS, LEARNED_FORMS } from "../bench/lib/capture-wrap.js";

const rules = await loadRules();
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-capture-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function primaryOf(text: string): Promise<string> {
  const file = path.join(tmp, "x.log");
  fs.writeFileSync(file, text);
  const r = await scanFiles([file], { rules });
  return r.primary?.category ?? "none";
}

test("every tune and heldout entry, wrapped in capture prefixes, gives the primary category it gives as collected", async () => {
  const entries = loadCorpus().filter((e) => e.split === "tune" || e.split === "heldout");
  assert.ok(entries.length > 1200, `${entries.length} entries`);
  const forms = CAPTURE_FORMS.filter((f) => f.name !== "orig");
  const perForm = new Map<string, number>();
  const wrong: string[] = [];
  for (const e of entries) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    const plain = await primaryOf(text);
    for (const form of forms) {
      perForm.set(form.name, (perForm.get(form.name) ?? 0) + 1);
      const got = await primaryOf(form.wrap(text));
      if (got !== plain) wrong.push(`${e.file} in ${form.name}: ${plain} -> ${got}`);
    }
  }
  assert.deepEqual(wrong, []);
  for (const form of forms) assert.equal(perForm.get(form.name), entries.length, form.name);
});

test("the finding quotes the line as written, at its own line number", async () => {
  const text = [
    "2024-05-08T08:47:30.100000000Z stdout F step 10 loss 2.31",
    "2024-05-08T08:47:31.261123456Z stderr F [rank3]: torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 3; 79.10 GiB total capacity)",
    "2024-05-08T08:47:31.300000000Z stderr F Killed",
  ].join("\n");
  const file = path.join(tmp, "quote.log");
  fs.writeFileSync(file, text);
  const r = await scanFiles([file], { rules });
  assert.equal(r.primary?.category, "cuda_oom");
  assert.equal(r.primary?.line, 2);
  assert.equal(r.primary?.text, text.split("\n")[1]);
  // The signature is the crash's, not the capture's: the same OOM read from a plain log groups with it.
  const plain = path.join(tmp, "quote-plain.log");
  fs.writeFileSync(plain, "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 3; 79.10 GiB total capacity)\n");
  assert.equal(r.primary?.signature, (await scanFiles([plain], { rules })).primary?.signature);
  // The shell's `Killed` (a pattern anchored at the line's start) is found after the CRI prefix.
  const killed = r.findings.find((f) => f.line === 3);
  assert.equal(killed?.category, "process_killed");
  assert.equal(killed?.text, "2024-05-08T08:47:31.300000000Z stderr F Killed");
});

test("a traceback no rule knows, under timestamps: the fallback names it and quotes the exception line as written", async () => {
  const stamped = tracebackUnder((i) => `2025-12-08T22:46:4${i}.6320255Z `);
  const file = path.join(tmp, "fallback.log");
  fs.writeFileSync(file, stamped.join("\n") + "\n");
  const r = await scanFiles([file], { rules });
  assert.equal(r.primary?.category, "python_exception");
  assert.match(r.primary!.suggestion, /KeyError/);
  assert.match(r.primary!.suggestion, /train\.py/);
  assert.equal(r.primary?.text, stamped[6]);
  assert.equal(r.primary?.line, 7);
});

test("ranks interleaved under a collector's timestamps: the launcher's root-cause rank's exception is reported", async () => {
  // torchrun's output after a rank's FileNotFoundError (recorded by test/fixtures/tracebacks/generate.py),
  // with rank 0's whole traceback printed inside rank 1's (after its "Traceback" line): read as one
  // text, rank 0's exception line would end rank 1's traceback.
  const fixture = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "tracebacks", "torchrun-child-filenotfound.log");
  const lines = fs.readFileSync(fixture, "utf8").split("\n");
  const r1 = lines.filter((l) => l.startsWith("[rank1]: "));
  const r0 = lines.filter((l) => l.startsWith("[rank0]: "));
  const first = lines.findIndex((l) => l.startsWith("[rank"));
  const mixed = [r1[0]!, ...r0, ...r1.slice(1)];
  const interleaved = [...lines.slice(0, first), ...mixed, ...lines.slice(first + r0.length + r1.length)];
  const plain = await primaryOf(interleaved.join("\n"));
  assert.equal(plain, "python_exception");
  const file = path.join(tmp, "ranks.log");
  fs.writeFileSync(file, interleaved.map((l, i) => (l ? `2024-05-08T08:47:${String(i % 60).padStart(2, "0")}.261Z ${l}` : l)).join("\n"));
  const r = await scanFiles([file], { rules });
  assert.equal(r.primary?.category, "python_exception");
  assert.match(r.primary!.suggestion, /FileNotFoundError/);
  assert.match(r.primary!.suggestion, /shard-1\.bin/);
  // Rank 1's own frame (line 7, the open()), found only when rank 0's lines inside its traceback are
  // skipped: read as one rank's, the traceback ends at rank 0's RuntimeError and the frame is lost.
  assert.match(r.primary!.suggestion, /Innermost frame of your code: \S+train\.py:7 in <module>/);
});

test("whole-file scans (literal prefilter, WebAssembly walk, threads) find anchored patterns after a prefix", async () => {
  const plainFile = path.join(tmp, "trainer.log");
  const gen = writeTrainerLog(plainFile, 3e6, 5);
  const wrapped = path.join(tmp, "trainer-cri.log");
  const text = fs.readFileSync(plainFile, "utf8").split("\n");
  // Anchored patterns (`^\s*Segmentation fault\s*$`, the shell's `Killed`) on prefixed lines.
  text.splice(1000, 0, "Segmentation fault (core dumped)", "Killed");
  fs.writeFileSync(wrapped, text.map((l, i) => (l ? `2024-05-08T08:47:${String(i % 60).padStart(2, "0")}.261123456Z stderr F [rank0]: ${l}` : l)).join("\n"));
  prefilterFor(rules);
  const fast = await scanFiles([wrapped], { rules, all: true });
  const slow = await scanFiles([wrapped], { rules, all: true, prefilter: false });
  assert.deepEqual(fast, slow);
  const threads = await scanFiles([wrapped], { rules, all: true, chunkBytes: 1 << 20, parallel: { minBytes: 0, threads: 2 } });
  assert.deepEqual(threads.findings, slow.findings);
  for (const line of [1001, 1002]) assert.ok(fast.findings.some((f) => f.line === line), `line ${line}: ${JSON.stringify(fast.findings.map((f) => [f.line, f.ruleId]))}`);
  assert.equal(fast.findings.find((f) => f.line === 1001)?.category, "segfault");
  assert.equal(fast.findings.find((f) => f.line === 1002)?.category, "process_killed");
  assert.equal(fast.primary?.ruleId, gen.crashRuleId);
  assert.equal(fast.primary?.line, gen.crashLine + 2);
});

test("real lines of each tool: the prefix is recognised and the program's text remains", () => {
  const cases: [string, string][] = [
    // GitHub Actions (pytorch/pytorch#169909)
    ["2025-12-08T22:46:42.6320255Z Traceback (most recent call last):", "Traceback (most recent call last):"],
    // CRI logs read by fluent-bit (fluent/fluent-bit#6703, #4551), an empty line included
    ["2023-11-16T14:09:16.533247217+03:00 stderr F Picked up _JAVA_OPTIONS: -Dsun.misc.URLClassPath.disableJarChecking=true", "Picked up _JAVA_OPTIONS: -Dsun.misc.URLClassPath.disableJarChecking=true"],
    ["2021-12-28T10:26:45.134374524+02:00 stdout F", ""],
    // journald (NVIDIA/nvidia-container-toolkit#104; ceph/ceph-ansible#3965 with a one-digit day)
    ['Aug 24 10:39:53 eg-00-01-c0-26-e0-1d dockerd[629]: time="2023-08-24T10:39:53.891983761Z" level=info msg="Starting up"', 'time="2023-08-24T10:39:53.891983761Z" level=info msg="Starting up"'],
    ['May 9 06:13:06 storage2n2-la.xcastlabs.net podman[38374]: time="2019-05-09T06:13:06-07:00" level=debug', 'time="2019-05-09T06:13:06-07:00" level=debug'],
    // CircleCI (pytorch/pytorch#31714)
    ["Dec 30 22:42:59 Traceback (most recent call last): ", "Traceback (most recent call last): "],
    // accelerate test (huggingface/accelerate#100, #2084)
    ["stderr: Traceback (most recent call last):", "Traceback (most recent call last):"],
    ["stdout: Wandb import failed", "Wandb import failed"],
    // SkyPilot (skypilot-org/skypilot#2952), Ray over PyTorch's rank prefix (corpus)
    ["(head, rank=0, pid=2972) Traceback (most recent call last):", "Traceback (most recent call last):"],
    ["(RayWorkerWrapper pid=933, ip=50.147.43.24) [rank1]:[E528 08:52:46.164295950 ProcessGroupGloo.cpp:145] Gloo connectFullMesh failed", "[E528 08:52:46.164295950 ProcessGroupGloo.cpp:145] Gloo connectFullMesh failed"],
    // docker compose, mpirun --tag-output, torchrun --tee, srun -l over PyTorch's rank prefix (corpus)
    ["daskcluster-worker-1     | Exception: 'AssertionError()'", "Exception: 'AssertionError()'"],
    ["[1,26]<stdout>:ip-172-32-36-209:8716:9558 [2] NCCL INFO Ring 00 : 26[2] -> 30[6] via P2P/IPC", "ip-172-32-36-209:8716:9558 [2] NCCL INFO Ring 00 : 26[2] -> 30[6] via P2P/IPC"],
    ["[default0]:12:13:46    INFO Starting training loop (max_steps=100)", "12:13:46    INFO Starting training loop (max_steps=100)"],
    [" 7: [rank80]: urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='huggingface.co', port=443)", "urllib3.exceptions.ReadTimeoutError: HTTPSConnectionPool(host='huggingface.co', port=443)"],
    // SageMaker's mpirun (huggingface/accelerate docs, usage_guides/sagemaker.md)
    ["[1,mpirank:0,algo-1]<stderr>:INFO:root:Reducer buckets have been rebuilt in this iteration.", "INFO:root:Reducer buckets have been rebuilt in this iteration."],
    // kubectl logs --prefix (geerlingguy/ansible-for-kubernetes#75; the flag: kubernetes/kubernetes#76471)
    ['[pod/echo-req-7cfd7bf68f-nk5kr/hello] 172.17.0.1 - - [22/Nov/2020:17:19:05 +0000] "GET /test HTTP/1.1" 200 7269', '172.17.0.1 - - [22/Nov/2020:17:19:05 +0000] "GET /test HTTP/1.1" 200 7269'],
    // pdsh under DeepSpeed's multi-node launcher, a host given by its address (huggingface/accelerate#1317)
    ["104.171.201.172: lambda-scalar03:148969:148969 [3] NCCL INFO Using network Socket", "lambda-scalar03:148969:148969 [3] NCCL INFO Using network Socket"],
    // Determined's trial logs: a rank's frame line, a container's line, the master's own (determined-ai/determined#4247, #8915)
    ['[2022-05-31T14:25:44.128074Z] dc5b74e6 [rank=1] ||   File "/opt/conda/lib/python3.8/runpy.py", line 87 in _run_code', '  File "/opt/conda/lib/python3.8/runpy.py", line 87 in _run_code'],
    ["[2024-02-27T21:05:04.028090Z] fa88a9df || INFO: copying files to container: /run/determined", "INFO: copying files to container: /run/determined"],
    ["[2024-02-27T21:05:03.626766Z]          || INFO: Trial 139 (Experiment 138) was assigned to an agent", "INFO: Trial 139 (Experiment 138) was assigned to an agent"],
    // Vertex AI's job logs, as pasted (spaces) and as written (tabs) (GoogleCloudPlatform/vertex-ai-samples#242)
    ["INFO    2022-01-26 14:19:41 +1100       workerpool0-0   {'loss': 5.3862, 'learning_rate': 1.3723849372384938e-05, 'epoch': 3.14}", "{'loss': 5.3862, 'learning_rate': 1.3723849372384938e-05, 'epoch': 3.14}"],
    ["ERROR\t2022-01-26 14:19:41 +1100\tworkerpool0-0\tConfiguration saved in /tmp/xlm-roberta-large/checkpoint-6000/config.json", "Configuration saved in /tmp/xlm-roberta-large/checkpoint-6000/config.json"],
  ];
  for (const [line, text] of cases) assert.equal(line.slice(capturePrefixLength(line)), text, line);
});

test("near misses: text that only looks like a capture prefix is not one", () => {
  for (const line of [
    "12:34:56 Killed", // a time of day, not srun's task number
    "    0: 'cat',", // a source line under a frame (4 spaces), not srun's right-aligned label
    "[1]:", // torchrun's failure table entry
    "(raylet) A worker died or was killed while executing a task", // Ray's own process keeps its name
    "2024-05-08 08:47:31,261 - INFO - step 10", // the program's own log record (no zone): a record's start for the parser
    "2020-08-03T10:20:25 | mmf.trainers.core.training_loop: Starting training...", // mmf's own format, no zone
    "epoch   | loss    | lr", // a metric table header, not compose's `service-1  | `
    "{0: 'cat', 1: 'dog'}", // a Python dict
    "Step 1: loss nan",
    "1:", // no space after the colon
    "[rank3]Killed", // no colon
    "[2026-06-07T21:05:05.705689Z] [ERROR] [cycle] Traceback (most recent call last):", // a program's own `[time] ` (Determined's needs its `|| `)
    "ERROR: could not find a version that satisfies the requirement", // a level, not Vertex AI's severity and time
    "service restarted", // Vertex AI's `service` only after its time
    "10.0.0.12:8080 refused the connection", // an address and a port, not pdsh's `host: `
  ]) {
    assert.equal(capturePrefixLength(line), 0, JSON.stringify(line));
  }
  // The kernel's tag says who wrote the line: only the time and host go.
  const kernel = "May 15 23:09:27 ubuntu-s-1vcpu-2gb-ams3-01 kernel: [  514.682838] Memory cgroup out of memory: Killed process 15617 (python3)";
  assert.equal(kernel.slice(capturePrefixLength(kernel)).slice(0, 8), "kernel: ");
  // PyTorch's rank prefix before its own log header.
  const warn = "[rank3]:[W506 08:47:31.261000 1234 torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1250] Warning";
  assert.equal(warn.slice(capturePrefixLength(warn)).slice(0, 6), "[W506 ");
  // Layers: srun's label over PyTorch's rank prefix is one source tag of two layers.
  assert.deepEqual(splitCapturePrefix(" 7: [rank80]: urllib3.exceptions.ReadTimeoutError: x"), { cut: 14, tag: " 7: [rank80]: " });
});

test("near misses: a line matching a rule as written matches it as before (darknet's `1: nan, nan avg loss` is not srun's `1: `)", () => {
  const darknet = "1: nan, nan avg loss, 0.001000 rate, 2.5 seconds, 64 images";
  const m = classifyLine(rules, darknet);
  assert.equal(m?.rule.category, "nan_loss");
  assert.equal(m?.text, darknet);
  assert.equal(m?.bodyStart, undefined);
  // A numbered line whose text after "N: " is healthy gives no finding either way.
  assert.equal(classifyLine(rules, "2: 5.301, 5.210 avg loss, 0.001000 rate, 2.4 seconds, 64 images"), null);
});

test("kept lines: several different source tags stay (the parser keeps ranks apart), one tag or none goes", () => {
  assert.deepEqual(capturedLines(["2024-05-08T08:47:31Z [rank0]: a", "2024-05-08T08:47:32Z [rank0]: b", "c"]), ["a", "b", "c"]);
  assert.deepEqual(capturedLines(["2024-05-08T08:47:31Z [rank0]: a", "2024-05-08T08:47:32Z [rank1]: b"]), ["[rank0]: a", "[rank1]: b"]);
  assert.equal(capturedLines(["a", "b"]), null);
  // A lone "0: " among plain lines is the text's own (Horovod's "Missing ranks:" report), not srun's label.
  const horovod = ["[2021-02-02 21:19:07.345988: W horovod/common/stall_inspector.cc:105] One or more tensors were submitted ...", "Missing ranks:", "0: [cond_1/then/_10/HorovodAllreduce_grads_0]"];
  assert.deepEqual(capturedLines(horovod), horovod);
  // darknet's numbered lines are several "tags": they stay as written.
  assert.deepEqual(capturedLines(["1: 5.3, 5.2 avg loss", "2: 5.1, 5.0 avg loss"]), ["1: 5.3, 5.2 avg loss", "2: 5.1, 5.0 avg loss"]);
});

/** learnCapturePrefix of a text given as lines. */
function learnedOf(lines: readonly string[]) {
  const buf = Buffer.from(lines.join("\n") + "\n");
  return learnCapturePrefix(buf, 0, buf.length);
}

/** A traceback (an exception no rule names), each line given the prefix `prefix(i)`. */
function tracebackUnder(prefix: (i: number) => string): string[] {
  return [
    "step 120 loss 2.113",
    "Traceback (most recent call last):",
    '  File "/work/train.py", line 88, in <module>',
    "    main()",
    '  File "/work/train.py", line 80, in main',
    "    batch = collate(samples)",
    "KeyError: 'input_ids'",
  ].map((l, i) => prefix(i) + l);
}

test("every tune and heldout entry of two lines or more, under a prefix learned from the log, gives the primary category it gives as collected", async () => {
  const entries = loadCorpus().filter((e) => e.split === "tune" || e.split === "heldout");
  const wrong: string[] = [];
  let scanned = 0;
  for (const e of entries) {
    const text = fs.readFileSync(path.join(CORPUS_DIR, e.file), "utf8");
    if (text.split("\n").filter((l) => l.trim()).length < 2) continue;
    const plain = await primaryOf(text);
    for (const form of LEARNED_FORMS) {
      const got = await primaryOf(form.wrap(text));
      if (got !== plain) wrong.push(`${e.file} in ${form.name}: ${plain} -> ${got}`);
    }
    scanned++;
  }
  assert.ok(scanned > 1200, `${scanned} entries`);
  assert.deepEqual(wrong, []);
});

test("a prefix learned from a traceback's lines: unknown tools, loggers writing every line, digits read as any number", async () => {
  const cases: [string, (i: number) => string, string][] = [
    // pdsh with host names (DeepSpeed multi-node): `x1000c0s6b0n0: ` before every line
    ["pdsh", () => "x1000c0s6b0n0: ", String.raw`x\d+c\d+s\d+b\d+n\d+: `],
    // a logger writing each line of the traceback (Twisted's `TIME [-] `, vLLM's `LEVEL TIME [file:line] `)
    ["twisted", (i) => `2011-09-24 00:04:1${i}-0400 [-] `, String.raw`\d+-\d+-\d+ \d+:\d+:\d+-\d+ \[-\] `],
    ["vllm", (i) => `(EngineCore_DP0 pid=2525901) ERROR 02-11 20:37:4${i} [core.py:1008] `, String.raw`\(EngineCore_DP\d+ pid=\d+\) ERROR \d+-\d+ \d+:\d+:\d+ \[core\.py:\d+\] `],
    // ceph-deploy's host and level brackets
    ["ceph", () => "[ceph-mon1][ERROR ] ", String.raw`\[ceph-mon\d+\]\[ERROR \] `],
  ];
  for (const [name, prefix, shape] of cases) {
    const lines = tracebackUnder(prefix);
    const learned = learnedOf(lines);
    assert.equal(learned?.source, shape, name);
    assert.equal(learned?.from, "traceback", name);
    const file = path.join(tmp, `learned-${name}.log`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const r = await scanFiles([file], { rules });
    assert.equal(r.primary?.category, "python_exception", name);
    assert.match(r.primary!.suggestion, /KeyError/, name);
    assert.match(r.primary!.suggestion, /train\.py:80 in main/, name);
    // The finding quotes the exception line as written, at its own line number.
    assert.equal(r.primary?.text, lines[6], name);
    assert.equal(r.primary?.line, 7, name);
  }
});

test("a prefix learned from most of the last lines: an anchored rule matches after it, the finding keeps the line as written", async () => {
  for (const [name, prefix] of [
    ["pdsh", (i: number) => (i % 2 ? "worker-1: " : "worker-12: ")],
    ["kubectl-like", () => "[trainer-0/pytorch] "],
    ["ts", (i: number) => `2024-05-08 08:47:${String(10 + i).padStart(2, "0")}.261 `],
  ] as const) {
    const lines = ["epoch 3 step 120 loss 2.113", "epoch 3 step 130 loss 2.101", "Segmentation fault (core dumped)"].map((l, i) => prefix(i) + l);
    assert.equal(learnedOf(lines)?.from, "majority", name);
    const file = path.join(tmp, `majority-${name}.log`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    const r = await scanFiles([file], { rules });
    assert.equal(r.primary?.category, "segfault", name);
    assert.equal(r.primary?.text, lines[2], name);
    assert.equal(r.primary?.line, 3, name);
  }
});

test("a learned prefix goes before the known layers, which stay apart: interleaved ranks under pdsh's host name", () => {
  const lines = [...tracebackUnder(() => "gpu-node-a: [rank0]: "), "gpu-node-a: [rank1]: step 120 loss 2.113"];
  const learned = learnedOf(lines);
  assert.equal(learned?.source, "gpu-node-a: ");
  const kept = capturedLines(lines, learned);
  assert.equal(kept?.[1], "[rank0]: Traceback (most recent call last):");
  assert.equal(kept?.at(-1), "[rank1]: step 120 loss 2.113");
});

test("near misses: what must never be learned as a capture prefix", () => {
  const plainTraceback = tracebackUnder(() => "").slice(1);
  const none: [string, string[]][] = [
    // A logger's record start before the traceback (the parser ends an exception's message at the next record).
    ["logging records and a plain traceback", ["2024-05-08 08:47:31,261 - INFO - step 10", "2024-05-08 08:47:32,100 - ERROR - training failed", ...plainTraceback, "2024-05-08 08:47:33,000 - INFO - cleanup"]],
    // DeepSpeed's own records on most lines, a plain traceback at the end.
    ["deepspeed records", [...Array.from({ length: 8 }, (_, i) => `[2022-04-28 04:19:0${i},152] [INFO] [launch.py:96:main] WORLD INFO DICT: {'algo-1': [0, 1]}`), ...plainTraceback]],
    // An exception that quotes a traceback, and Ray's `traceback: ` field: the frame lines do not carry them.
    ["exception quoting a traceback", ["Error: Traceback (most recent call last):", '  File "<string>", line 1, in <module>', "ModuleNotFoundError: No module named 'acme'"]],
    ["ray field", ["ray.exceptions.RaySystemError: System error: partially initialized module 'pandas'", "  traceback: Traceback (most recent call last):", '    File "/usr/lib/python3.8/site-packages/ray/serialization.py", line 340, in deserialize_objects', "      obj = self._deserialize_object(data, metadata, object_ref)"]],
    // A progress bar redrawn before the traceback's head.
    ["tqdm", ["  3%|▎         | 30/1000 [00:03<01:40,  9.62it/s]\rTraceback (most recent call last):", ...plainTraceback.slice(1)]],
    // Lightning's progress lines, a level on every line, darknet's numbered lines (srun's known `1: ` is read already).
    ["lightning", Array.from({ length: 6 }, (_, i) => `Epoch ${i}: 100%|██████████| 782/782 [00:41<00:00, 18.9it/s, loss=0.${i}]`)],
    ["levels", Array.from({ length: 6 }, (_, i) => `WARNING: step ${i} took longer than expected`)],
    ["darknet", Array.from({ length: 6 }, (_, i) => `${i + 1}: 5.30${i}, 5.21 avg loss, 0.001000 rate, 2.5 seconds, 64 images`)],
    // glog's / c10's record header carries a level the parser reads as a record's start.
    ["glog", Array.from({ length: 6 }, (_, i) => `[E ProcessGroupNCCL.cpp:${600 + i}] [Rank 0] Watchdog caught collective operation timeout`)],
    // One line teaches nothing.
    ["one line", ["worker-1: RuntimeError: boom"]],
    // Fewer than 70 % of the last lines.
    ["minority", ["worker-1: a", "worker-1: b", "c", "d", "e"]],
  ];
  for (const [name, lines] of none) assert.equal(learnedOf(lines), null, name);
  // A prefix the known layers read is not learned: it is read already, tags kept apart as before.
  assert.equal(learnedOf(tracebackUnder(() => "[rank3]: ")), null);
  assert.equal(learnedOf(tracebackUnder((i) => `2024-05-08T08:47:3${i}.261Z `)), null);
});

test("near misses: logging records around a plain traceback read as before (the record after the exception ends its message)", async () => {
  const lines = ["2024-05-08 08:47:31,261 - INFO - step 10", ...tracebackUnder(() => "").slice(1), "2024-05-08 08:47:33,000 - INFO - wandb: syncing run"];
  const file = path.join(tmp, "records.log");
  fs.writeFileSync(file, lines.join("\n") + "\n");
  const r = await scanFiles([file], { rules });
  assert.equal(r.primary?.category, "python_exception");
  assert.doesNotMatch(r.primary!.suggestion, /wandb: syncing/);
});

test("a traceback written at the end of a long progress-bar line (redrawn with \\r, no line break) costs no time to learn from", async () => {
  // tqdm redraws its bar with "\r" and no "\n"; an exception's traceback then starts on the bar's line.
  // The text before `Traceback` (360 KB here) is no prefix; reading it as one took ~37 s per scan.
  let bar = "";
  for (let i = 0; i < 6000; i++) bar += `\rEpoch 1:  45%|████▌     | ${i}/1000 [00:10<00:12, 44.1it/s]`;
  const tail = ["Traceback (most recent call last):", '  File "train.py", line 3, in <module>', "    main()", "RuntimeError: CUDA error: an illegal memory access was encountered"];
  const file = path.join(tmp, "long-bar.log");
  fs.writeFileSync(file, ["step 1 loss 0.5", bar + tail.join("\n")].join("\n") + "\n");
  assert.equal(learnCapturePrefix(fs.readFileSync(file), 0, fs.statSync(file).size), null);
  for (const all of [false, true]) {
    const t0 = performance.now();
    const r = await scanFiles([file], { rules, all });
    const ms = performance.now() - t0;
    assert.equal(r.primary?.category, "cuda_error", `all=${all}`);
    assert.ok(ms < 5000, `all=${all}: ${ms.toFixed(0)} ms`);
  }
});

test("a prefix that changes mid-log: the end's prefix is learned in a tail scan, a whole-file scan and a piped whole-stream scan alike", async () => {
  // A log two runs appended to: the first under pdsh's host name (17 MiB, more than one 16 MiB read of
  // --all), the second under a collector's timestamp without a zone, killed at the end.
  const first = Array.from({ length: 1000 }, (_, i) => `worker-1: epoch 1 step ${i} loss 2.${i % 1000}`).join("\n") + "\n";
  const second = Array.from({ length: 200 }, (_, i) => `2024-05-08 08:47:${String(i % 60).padStart(2, "0")} epoch 3 step ${i} loss 1.${i}`).concat(["2024-05-08 08:48:13 Killed"]);
  const file = path.join(tmp, "two-runs.log");
  const fd = fs.openSync(file, "w");
  const block = Buffer.from(first);
  for (let written = 0; written < 17 * 1024 * 1024; written += block.length) fs.writeSync(fd, block);
  fs.writeSync(fd, second.join("\n") + "\n");
  fs.closeSync(fd);
  const tail = await scanFiles([file], { rules });
  assert.equal(tail.primary?.category, "process_killed");
  assert.equal(tail.primary?.text, second.at(-1));
  const whole = await scanFiles([file], { rules, all: true, parallel: { threads: 1 } });
  assert.equal(whole.primary?.category, "process_killed", "--all");
  assert.equal(whole.primary?.text, second.at(-1), "--all");
  const piped = await scanFiles(["-"], { rules, all: true, stdin: fs.createReadStream(file) });
  assert.equal(piped.primary?.category, "process_killed", "--all of stdin");
});

test("a traceback under one prefix, then a restarted run under another to the log's end: the end's prefix is learned", async () => {
  // The first attempt crashed under pdsh's host name (and was restarted); the second, under a collector's
  // timestamp without a zone, was killed. The traceback's prefix is on few of the last lines.
  const tb = ["Traceback (most recent call last):", '  File "train.py", line 80, in main', "    batch = next(it)", "KeyError: 'image'"];
  const ts = (i: number) => `2024-05-08 08:47:${String(i % 60).padStart(2, "0")} `;
  for (const n of [20, 100]) {
    const lines = [...["step 1 loss 2.0", ...tb].map((l) => "worker-1: " + l), ...Array.from({ length: n }, (_, i) => ts(i) + `epoch 3 step ${i} loss 1.${i}`), ts(n) + "Killed"];
    assert.equal(learnedOf(lines)?.source, String.raw`\d+-\d+-\d+ \d+:\d+:\d+ `, `n=${n}`);
    const file = path.join(tmp, `restarted-${n}.log`);
    fs.writeFileSync(file, lines.join("\n") + "\n");
    for (const all of [false, true]) {
      const r = await scanFiles([file], { rules, all });
      assert.equal(r.primary?.category, "process_killed", `n=${n} all=${all}`);
      assert.equal(r.primary?.text, lines.at(-1), `n=${n} all=${all}`);
    }
  }
  // The traceback's own prefix on the last lines (a logger writing each line, a timestamp before it) stands.
  const twisted = tb.map((l, i) => `2011-09-24 00:04:1${i}-0400 [-] ${l}`);
  assert.equal(learnedOf(twisted)?.source, String.raw`\d+-\d+-\d+ \d+:\d+:\d+-\d+ \[-\] `);
});
