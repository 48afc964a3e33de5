/**
 * A crashed log is never "no crash" (issue 10): a log that ends in an error block no rule, no traceback fallback
 * and no other reader names is reported from its final error line(s) (agent/crash/final-error.ts;
 * docs/crash-accuracy.md, items 260-). Real final lines come from `tune` entries of the crash corpus (read from
 * their files) and from public threads (named by URL); near misses are healthy endings, errors the run went on
 * from, and error-level records that are no failure.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { capturedLines } from "../agent/crash/capture-prefix.js";
import { finalErrorBlock, finalErrorFinding, isErrorLine } from "../agent/crash/final-error.js";
import type { KeptLines } from "../agent/crash/failure.js";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles, type ScanOptions } from "../agent/crash/scanner.js";

const CORPUS = path.join(import.meta.dirname, "fixtures/crash-corpus");
const rules = await loadRules();

/** The corpus entry's lines as the scanner keeps them (capture prefixes taken off, the written lines kept). */
function corpusLines(file: string): KeptLines {
  const raw = fs.readFileSync(path.join(CORPUS, file), "latin1").split("\n");
  if (raw.at(-1) === "") raw.pop();
  const captured = capturedLines(raw);
  return { lines: captured ?? raw, firstLine: 1, offsets: raw.map(() => null), ...(captured ? { asWritten: raw } : {}) };
}

function kept(lines: readonly string[]): KeptLines {
  return { lines: [...lines], firstLine: 1, offsets: lines.map(() => null) };
}

/** The reading alone: no rule finding, no parsed failure. */
function read(k: KeptLines) {
  return finalErrorFinding("x.log", k, [], null, []);
}

/** The primary finding of a corpus entry scanned with the shipped rules, and the exit when the watchdog knows it. */
async function primaryOfEntry(file: string, exit?: ScanOptions["exit"]) {
  return (await scanFiles([path.join(CORPUS, file)], { rules, ...(exit ? { exit } : {}) })).primary;
}

async function scanText(text: string) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-final-error-"));
  try {
    const file = path.join(dir, "train.log");
    fs.writeFileSync(file, text);
    return await scanFiles([file], { rules });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** [category, corpus file (tune), the line the finding quotes (a part of it)] */
const CORPUS_ENDINGS: [string, string, string][] = [
  // rccl-tests: `Test NCCL failure common.cu:1285 'internal error ...'`, then the test's own failure line.
  ["nccl_error", "nccl_error/zy-rccltests-50-mi210-all-reduce-perf-internal-error.log", "Test NCCL failure common.cu:1285"],
  // vllm-ascend: a Ray worker's ERROR records of the Ascend runtime (EE1001, retCode=0x7110001).
  ["cuda_error", "cuda_error/zy-vllmascend-1007-ray-worker-ee1001-memory-async-failed.log", "EE1001"],
  // absl's failure signal handler: `*** SIGTERM received by PID ...`, its stack, then glog's E record.
  ["process_killed", "process_killed/torch-xla-8234-sigterm-received-by-pid.log", "SIGTERM received by PID"],
  // the same handler under Ray's C++ records (`[time E pid tid] `, which capture-prefix.ts takes off).
  ["process_killed", "process_killed/raydp-205-absl-sigterm-received-actor-died.log", "SIGTERM received at time="],
  // raylet's file-system monitor, its last record: /tmp/ray over 95 % full.
  ["disk_full", "disk_full/openrlhf-638-raylet-tmp-ray-over-95-percent-full.log", "is over 95% full"],
  // glog's FATAL check, its stack header, then the shell's `Aborted (core dumped)`.
  ["segfault", "segfault/habitat-sim-135-docker-egl-no-devices-aborted.log", "Check failed: numDevices > 0"],
  // a trainer's own `Unexpected error: <class 'AttributeError'>` before tqdm's closing redraw.
  ["python_exception", "python_exception/zo-fullstop-punctuation-9-trainer-unexpected-attributeerror.log", "Unexpected error: <class 'AttributeError'>"],
  // a one-line paste of the raise and the exception line, no traceback head.
  ["python_exception", "python_exception/intrinsic-motivation-1-mujoco-qacc-unstable-exception.log", "mujoco_py.builder.MujocoException"],
];

/** [category, source, the final lines as the thread shows them] */
const THREAD_ENDINGS: [string, string, string[]][] = [
  [
    "segfault",
    "https://github.com/ronghanghu/natural-language-object-retrieval/issues/4",
    ["[libprotobuf WARNING google/protobuf/io/coded_stream.cc:78] The total number of bytes read was 703909485", "F1120 08:52:31.197538 10638 io.cpp:67] Check failed: proto.SerializeToOstream(&output)", "*** Check failure stack trace: ***", "Aborted (core dumped)"],
  ],
  [
    "segfault",
    "https://github.com/fiatjaf/njump/issues/65 (Go)",
    ["panic: runtime error: invalid memory address or nil pointer dereference", "[signal SIGSEGV: segmentation violation code=0x1 addr=0x98 pc=0xe1d30f]", "", "goroutine 1 [running]:", "main.main()", "    /app/main.go:69 +0x1af"],
  ],
  [
    "segfault",
    "https://github.com/maxcnunes/gaper/issues/9 (Go under make)",
    [
      "[gaper] Starting program",
      "panic: runtime error: invalid memory address or nil pointer dereference",
      "[signal SIGSEGV: segmentation violation code=0x1 addr=0xa0 pc=0x4d0ca6]",
      "",
      "goroutine 154 [running]:",
      "os/exec.(*Cmd).Wait(0x0, 0x5bc683, 0xc42000a060)",
      "      /usr/local/go/src/os/exec/exec.go:453 +0x26",
      "github.com/maxcnunes/gaper.(*runner).runBin.func1(0xc4200b2000)",
      "      /go/src/github.com/maxcnunes/gaper/runner.go:159 +0x2f",
      "created by github.com/maxcnunes/gaper.(*runner).runBin",
      "      /go/src/github.com/maxcnunes/gaper/runner.go:158 +0x25d",
      "make: *** [Makefile:18: start] Error 2",
    ],
  ],
  [
    // glog's FATAL aborts the process: the records after it are other threads' output on the way out.
    "python_exception",
    "https://github.com/chuanqi305/MobileNet-SSD/issues/180 (Caffe)",
    [
      "I0407 01:31:07.666668  5755 net.cpp:434] conv9 <- conv9/dw",
      "I0407 01:31:07.666710  5755 net.cpp:408] conv9 -> conv9",
      "F0407 01:31:07.673615  5759 math_functions.cpp:250] Check failed: a <= b (0 vs. -1.19209e-07) ",
      "*** Check failure stack trace: ***",
      "I0407 01:31:07.677111  5755 net.cpp:150] Setting up conv9",
      "I0407 01:31:07.677577  5755 net.cpp:157] Top shape: 24 512 19 19 (4435968)",
      "I0407 01:31:07.677608  5755 net.cpp:165] Memory required for data: 3256872992",
    ],
  ],
  [
    "checkpoint_corrupt",
    "https://github.com/lovecambi/qebrain/issues/2 (TF 1.x restore)",
    [
      "DataLossError (see above for traceback): Checksum does not match: stored 1669981049 vs. calculated on the restored bytes 3056795359",
      '         [[node save/RestoreV2 (defined at expert_model.py:738)  = RestoreV2[dtypes=[DT_FLOAT, DT_FLOAT, DT_INT32, DT_INT64, DT_FLOAT, ..., DT_FLOAT, DT_FLOAT, DT_FLOAT, DT_FLOAT, DT_FLOAT], _device="/job:localhost/replica:0/task:0/device:CPU:0"](_arg_save/Const_0_0, save/RestoreV2/tensor_names, save/RestoreV2/shape_and_slices)]]',
    ],
  ],
];

describe("a log that ends in an error no rule names is read from its final lines", () => {
  for (const [category, file, quoted] of CORPUS_ENDINGS) {
    test(`${category}: ${path.basename(file)}`, () => {
      const f = read(corpusLines(file));
      assert.ok(f, "no finding");
      assert.equal(f.category, category, f.text);
      assert.equal(f.ruleId, "final_error_line");
      assert.equal(f.severity, "fatal");
      assert.ok(f.finalIncident);
      assert.ok(f.text.includes(quoted) || f.suggestion.includes(quoted), `${f.text} / ${f.suggestion}`);
    });
  }
  for (const [category, source, lines] of THREAD_ENDINGS) {
    test(`${category}: ${source}`, () => {
      const f = read(kept(lines));
      assert.ok(f, "no finding");
      assert.equal(f.category, category, f.text);
      // The block's first error line is quoted, whatever follows it (a stack, an abort, make's exit).
      const first = lines.findIndex((l) => isErrorLine(l));
      assert.equal(f.line, first + 1);
      assert.ok(f.suggestion.includes(lines[first]!.trim().slice(0, 60)), f.suggestion);
    });
  }
});

describe("a scan names the final error when nothing else does", () => {
  test("the corpus endings, scanned with the shipped rules, are crashes of their category", async () => {
    for (const [category, file] of CORPUS_ENDINGS) {
      assert.equal((await primaryOfEntry(file))?.category, category, file);
    }
  });
  test("the finding points at the error line in the file (line and byte offset)", async () => {
    // An ending no rule names (Caffe's `Check failed: proto.SerializeToOstream(&output)`, the first ending, has been
    // disk_full_caffe_proto_write's since the zzl round).
    const lines = THREAD_ENDINGS.find(([, source]) => source.includes("MobileNet-SSD/issues/180"))![2];
    const first = lines.findIndex((l) => isErrorLine(l));
    const text = `I1120 08:52:30.000000 10638 solver.cpp:57] Initializing solver\n${lines.join("\n")}\n`;
    const r = await scanText(text);
    assert.equal(r.primary?.ruleId, "final_error_line");
    assert.equal(r.primary?.line, first + 2);
    assert.equal(r.primary?.byteOffset, text.indexOf(lines[first]!));
    assert.equal(r.primary?.text, lines[first]!.trimEnd());
  });
});

describe("what the watchdog knows of the exit bounds the reading", () => {
  const generic = "python_exception/zo-fullstop-punctuation-9-trainer-unexpected-attributeerror.log";
  const aborted = "segfault/habitat-sim-135-docker-egl-no-devices-aborted.log";
  test("a clean exit (code 0): a final error record was no failure", async () => {
    assert.equal(await primaryOfEntry(generic, { exitCode: 0, signal: null }), null);
    assert.equal(await primaryOfEntry(aborted, { exitCode: 0, signal: null }), null);
  });
  test("a death by signal: a generic error line gives way (the supervisor names the kill); a named cause stays", async () => {
    assert.equal(await primaryOfEntry(generic, { exitCode: null, signal: "SIGKILL" }), null);
    assert.equal((await primaryOfEntry(aborted, { exitCode: null, signal: "SIGABRT" }))?.category, "segfault");
  });
  test("a non-zero exit code: the final error line is the failure", async () => {
    const p = await primaryOfEntry(generic, { exitCode: 1, signal: null });
    assert.equal(p?.ruleId, "final_error_line");
    assert.equal(p?.category, "python_exception");
  });
});

describe("near misses: healthy endings and errors the run went on from stay healthy", () => {
  test("a c10 warning record is a warning with its month unpadded too (`[W227 ...`, as torch writes it, and `[W1227 ...`)", async () => {
    // The same head traceback.ts ends a message at (c10RecordHead); before the two shared it, the 3-digit form's
    // `errno: 99 - Cannot assign requested address` at the log's end was read as the run's final error.
    for (const head of ["[W227 10:00:00.000000000", "[W1227 10:00:00.000000000"]) {
      const line = `${head} socket.cpp:558] [c10d] The client socket has failed to connect to [localhost]:29500 (errno: 99 - Cannot assign requested address).`;
      assert.equal(isErrorLine(line), false, line);
      assert.equal((await scanText(`Epoch 1: loss 0.5\n${line}\n`)).primary, null, line);
    }
  });
  test("graph-learn's end of data (glog E records `Out of range:No more nodes exist.`) is the normal end", async () => {
    const file = "none/graph-learn-67-dist-graphsage-rpc-no-more-nodes-normal-end.log";
    assert.equal(read(corpusLines(file)), null);
    assert.equal(await primaryOfEntry(file), null);
  });
  test("a metric record naming an error (`LastBatchError: 0.0067`) is training going on", async () => {
    const file = "none/captcha-trainer-10-tf-allocation-exceeds-10pct-training-continues.log";
    assert.equal(read(corpusLines(file)), null);
    assert.equal(await primaryOfEntry(file), null);
  });
  test("an error followed by training progress or an ordinary record was survived", () => {
    const killed = corpusLines("process_killed/torch-xla-8234-sigterm-received-by-pid.log").lines;
    // graph-learn-67's own progress line, after the error block.
    assert.equal(read(kept([...killed, "Epoch 38, Iteration 6, Time(s) 0.0681, Loss 0.77587"])), null);
    const full = corpusLines("disk_full/openrlhf-638-raylet-tmp-ray-over-95-percent-full.log").lines;
    // openrlhf-638's own INFO record from before the monitor's, put after it.
    assert.equal(read(kept([...full, "2024-12-30 05:28:44,185\tINFO worker.py:1740 -- Connected to Ray cluster. View the dashboard at 0.0.0.0:8265 "])), null);
  });
  test("error-level records that healthy runs print at start or exit are no failure", () => {
    for (const lines of [
      // gRPC's shutdown notice (https://github.com/MervinPraison/PraisonAI/issues/363), printed by clean exits of JAX/TF.
      ["WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", "E0000 00:00:1738345002.699686    3074 init.cc:232] grpc_wait_for_shutdown_with_timeout() timed out."],
      // TensorFlow's duplicate factory registrations at import (public threads, found with find_string).
      ["WARNING: All log messages before absl::InitializeLog() is called are written to STDERR", "E0000 00:00:1748183178.851084   17196 cuda_dnn.cc:8310] Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered"],
      // pip's resolver notice, then the conflicts it lists.
      ["ERROR: pip's dependency resolver does not currently take into account all the packages that are installed. This behaviour is the source of the following dependency conflicts."],
    ]) {
      assert.equal(read(kept(lines)), null, lines.at(-1));
    }
  });
  test("a collector's own severity is not the record's (Vertex AI writes stderr lines as ERROR)", async () => {
    // GoogleCloudPlatform/vertex-ai-samples#242, as written (tabs).
    const r = await scanText("INFO\t2022-01-26 14:19:41 +1100\tworkerpool0-0\t{'loss': 5.3862, 'learning_rate': 1.3723849372384938e-05, 'epoch': 3.14}\nERROR\t2022-01-26 14:19:41 +1100\tworkerpool0-0\tConfiguration saved in /tmp/xlm-roberta-large/checkpoint-6000/config.json\n");
    assert.equal(r.primary, null);
  });
  test("a line that only names an error, a warning, or a retry is no error line", () => {
    // From corpus entries: captcha-trainer-10, SenseVoice-264, huggingface-hub-2742 (its UserWarning), t5-280.
    const hubWarning = corpusLines("disk_full/huggingface-hub-2742-not-enough-free-disk.log").lines.find((l) => l.includes("UserWarning: Not enough free disk space"));
    assert.ok(hubWarning);
    for (const l of [
      "Epoch: 3, Step: 1500, Accuracy = 0.973, Cost = 0.1232, Time = 89.143, LearningRate: 0.009999999776482582, LastBatchError: 0.006666666828095913",
      "[2025-10-29 23:59:01,773][root][WARNING] - The grad norm is nan. Skipping updating the model.",
      hubWarning,
      "All 10 retry attempts failed. The last failure: Unavailable: Error executing an HTTP request: HTTP response code 503                                                                                      ",
      // torch's c10d client logs each failed connect as a glog W record and tries again (pytorch/PiPPy#158).
      "[W socket.cpp:558] [c10d] The client socket has failed to connect to [localhost]:29500 (errno: 99 - Cannot assign requested address).",
    ]) {
      assert.equal(isErrorLine(l), false, l);
    }
    // Lines from the real endings above are error lines.
    assert.equal(isErrorLine("F1120 08:52:31.197538 10638 io.cpp:67] Check failed: proto.SerializeToOstream(&output)"), true);
    assert.equal(isErrorLine("Aborted (core dumped)"), true);
  });
  test("a glog FATAL followed by anything but glog records and its stack (a Python progress line) is not the end", () => {
    const fatal = "F0407 01:31:07.673615  5759 math_functions.cpp:250] Check failed: a <= b (0 vs. -1.19209e-07) ";
    const info = "I0407 01:31:07.677111  5755 net.cpp:150] Setting up conv9";
    assert.ok(read(kept([fatal, info])));
    assert.equal(read(kept([fatal, info, "Epoch 38, Iteration 6, Time(s) 0.0681, Loss 0.77587"])), null);
  });
  test("an error block needs its error line: a stack alone, or indented text, is not one", () => {
    assert.equal(finalErrorBlock(["main.main()", "    /app/main.go:69 +0x1af"]), null);
    assert.equal(finalErrorBlock(["  \"zero_optimization\": {", "    \"stage\": 2,"]), null);
  });
  test("a Python exception the parser read (caught, or printed and ignored) is not read again", () => {
    const lines = ["RuntimeError: boom"];
    const f = finalErrorFinding("x.log", kept(lines), [], null, [{ startLine: 0, endLine: 0 } as never]);
    assert.equal(f, null);
    assert.ok(read(kept(lines)));
  });
});
