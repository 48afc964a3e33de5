/**
 * Crash engine debts of the twenty-second round (issue 10; docs/crash-accuracy.md, "Engine debts (twenty-second
 * round)"): one owner for the CHECK status family of the CUDA libraries (rules.json, read anywhere in a log), one read
 * of a log's tail per tail scan, CUDA's "driver shutting down" printed at teardown, and the glog record headers.
 */
import { describe, test, mock } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { isErrorLine } from "../agent/crash/final-error.js";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { parseFailure } from "../agent/crash/traceback.js";
import { useSynchronousReadsFor } from "../agent/lib/fs-mode.js";
import { corpus, primaryScanner, testFamilies } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-engine-debts-");

/** testFamilies for one rule: its real lines ([source, line]) and near misses ([line, the rule instead or null]). */
function testFamiliesOf(rule: string, real: [string, string][], nearMiss: [string, string | null][]): void {
  testFamilies(rules, [{ rule, real, nearMiss }]);
}

/**
 * Each library's status a glog CHECK_EQ compares against (`Check failed: status == CUDNN_STATUS_SUCCESS (3 vs. 0)`)
 * and its allocation-failure status: cudaErrorMemoryAllocation, CUDA_ERROR_OUT_OF_MEMORY, hipErrorOutOfMemory,
 * CUDNN/CUFFT/CUSOLVER/CUSPARSE ALLOC_FAILED 2, CUBLAS_STATUS_ALLOC_FAILED 3, CURAND_STATUS_ALLOCATION_FAILED 102.
 */
const LIBRARY_ALLOC_STATUS: Record<string, number> = { cudaSuccess: 2, CUDA_SUCCESS: 2, hipSuccess: 2, CUDNN_STATUS_SUCCESS: 2, CUBLAS_STATUS_SUCCESS: 3, CURAND_STATUS_SUCCESS: 102, CUFFT_SUCCESS: 2, CUSOLVER_STATUS_SUCCESS: 2, CUSPARSE_STATUS_SUCCESS: 2 };
/** Status numbers tried for each library: every small one and the ranges of the libraries' enums (cuRAND's 100s, CUDA's 200s-900s, cuDNN 9's 1000s-5000s). */
const STATUS_NUMBERS = [...Array.from({ length: 50 }, (_, i) => i + 1), 98, 99, 100, 101, 102, 103, 104, 105, 106, 200, 201, 202, 203, 204, 209, 214, 222, 299, 300, 400, 500, 700, 701, 702, 709, 710, 719, 999, 1000, 1001, 1002, 2000, 2002, 3000, 4000, 4001, 5000];
/** The line shapes the check is printed in: glog's record (Caffe, Paddle), TensorFlow's FATAL record, dmlc's (MXNet, mshadow, DGL). */
const CHECK_SHAPES: Record<string, (lib: string, n: number) => string> = {
  glog: (lib, n) => `F0228 17:38:20.483613  4104 layer.cpp:64] Check failed: status == ${lib} (${n} vs. 0) `,
  tensorflow: (lib, n) => `2019-01-16 15:21:11.491216: F tensorflow/stream_executor/cuda/cuda_lib.cc:516] Check failed: call(handle_.get()) == ${lib} (${n} vs. 0)`,
  dmlc: (lib, n) => `[10:11:12] src/operator/nn/./op-inl.h:875: Check failed: e == ${lib} (${n} vs. 0) `,
};
const TRAINING = Array.from({ length: 30 }, (_, i) => `I0228 17:38:${String(10 + i).padStart(2, "0")}.001  4104 solver.cpp:218] Iteration ${100 + i * 20}, loss = 0.${4100 + i * 7}`);
const CHECK_STACK = ["*** Check failure stack trace: ***", "    @     0x7f3a1c0b1daa  (unknown)", "    @     0x7f3a1c0b1ce4  (unknown)", "Aborted (core dumped)"];
/** torchrun's summary after the worker aborted on the check: the log no longer ends in the check's block. */
const LAUNCHER_AFTER = ["Traceback (most recent call last):", '  File "/usr/bin/torchrun", line 8, in <module>', "    sys.exit(main())", "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ", "============================================================", "train.py FAILED", "------------------------------------------------------------", "Failures:", "  <NO_OTHER_FAILURES>", "------------------------------------------------------------", "Root Cause (first observed failure):", "[0]:", "  time      : 2024-03-01_10:11:12", "  host      : node1", "  rank      : 0 (local_rank: 0)", "  exitcode  : -6 (pid: 4104)", "  error_file: <N/A>", "  traceback : Signal 6 (SIGABRT) received by PID 4104", "============================================================"];

describe("one owner for the CHECK status family of the CUDA libraries (rules.json)", () => {
  test("every library and status number, at a log's end and in its middle: the allocation status is cuda_oom, any other cuda_error", async () => {
    const wrong: string[] = [];
    let n = 0;
    for (const [shape, line] of Object.entries(CHECK_SHAPES)) {
      for (const [lib, alloc] of Object.entries(LIBRARY_ALLOC_STATUS)) {
        for (const status of STATUS_NUMBERS) {
          const want = status === alloc ? { category: "cuda_oom", ruleId: "cuda_oom_library_check" } : { category: "cuda_error", ruleId: "cuda_error_library_check" };
          for (const [where, after] of [["end", CHECK_STACK], ["middle", [...CHECK_STACK, ...LAUNCHER_AFTER]]] as const) {
            const got = await primaryOf(`check-${n++ % 8}.log`, [...TRAINING, line(lib, status), ...after].join("\n") + "\n");
            if (got?.category !== want.category || got.ruleId !== want.ruleId) wrong.push(`${shape} ${where} ${lib} ${status}: ${JSON.stringify(got)}`);
          }
        }
      }
    }
    assert.equal(n, 3 * 9 * STATUS_NUMBERS.length * 2);
    assert.deepEqual(wrong, []);
  });

  test("the real lines: the words after the number do not decide; a status name or message an earlier rule reads keeps that rule", () => {
    const cases: [string, string, string][] = [
      // crash-corpus zzf caffe-3744 (https://github.com/BVLC/caffe/issues/3744), fresh6 x-ron-4: Caffe's SyncedMemory.
      ["F0228 17:38:20.483613  4104 syncedmem.cpp:64] Check failed: error == cudaSuccess (2 vs. 0)  out of memory", "cuda_oom_library_check", "Caffe's CUDA_CHECK, cudaErrorMemoryAllocation"],
      // crash-corpus zk mxnet-10323 (https://github.com/apache/mxnet/issues/10323).
      ["mxnet.base.MXNetError: [17:13:00] src/operator/nn/./../mxnet_op.h:576: Check failed: err == cudaSuccess (2 vs. 0) Name: mxnet_generic_kernel ErrStr:out of memory", "cuda_oom_library_check", "mshadow's kernel launch check"],
      // crash-corpus paddle-346 (https://github.com/PaddlePaddle/Paddle/issues/346): 13 is CUBLAS_STATUS_EXECUTION_FAILED.
      ["F1104 11:19:11.596421 87418 hl_cuda_cublas.cc:220] Check failed: stat == CUBLAS_STATUS_SUCCESS (13 vs. 0) [cublas status]: execution failed", "cuda_error_library_check", "Paddle v1's cuBLAS check"],
      // crash-corpus zzf tf-faster-rcnn-444: 7 is CUDNN_STATUS_MAPPING_ERROR.
      ["2018-11-11 10:10:10.123456: F tensorflow/stream_executor/cuda/cuda_dnn.cc:194] Check failed: status == CUDNN_STATUS_SUCCESS (7 vs. 0)Failed to set cuDNN stream.", "cuda_error_library_check", "TensorFlow's cudnnSetStream check"],
      // crash-corpus zzf hed-52 (https://github.com/s9xie/hed/issues/52): a real crash that names "driver shutting down".
      ["F1225 18:53:10.263083 16202 syncedmem.cpp:19] Check failed: error == cudaSuccess (29 vs. 0)  driver shutting down", "cuda_error_library_check", "Caffe's check, cudaErrorCudartUnloading (CUDA 8)"],
      // A status name after the number is read by its library's rule (cuda_cudnn_status names it); a message an earlier
      // rule knows keeps that rule (crash-corpus darknet-1090's driver words, the eleventh round's line).
      ["Check failed: e == CUDNN_STATUS_SUCCESS (4 vs. 0) cuDNN: CUDNN_STATUS_INTERNAL_ERROR", "cuda_cudnn_status", "mshadow's CUDNN_CALL with the status name"],
      ["F0303 09:50:12.085932 3744 common.cpp:152] Check failed: error == cudaSuccess (38 vs. 0) no CUDA-capable device is detected", "cuda_driver_mismatch", "Caffe's check naming no device"],
      // NCCL's check is NCCL's family (eighteenth round), not a CUDA library's.
      ["F0118 23:24:48.788218 37264 parallel.cpp:135] Check failed: result == ncclSuccess (2 vs. 0)  unhandled system error.", "nccl_system_error", "Caffe's NCCL check"],
    ];
    for (const [line, rule, what] of cases) assert.equal(classifyLine(rules, line)?.rule.id, rule, `${what}: ${line}`);
    // Near misses: the check without its numbers, the macro's source, a passed check printed by a test.
    for (const line of ["Check failed: error == cudaSuccess", "  CHECK_EQ(status, CUDNN_STATUS_SUCCESS) << cudnnGetErrorString(status);", "EXPECT_EQ(cudaSuccess, err) passed (0 vs. 0)"]) {
      assert.equal(classifyLine(rules, line)?.rule.id ?? null, null, line);
    }
  });
});

describe("one read of a log's tail per tail scan", () => {
  /** Bytes read from `file` by a tail scan of its last `lastNLines` (synchronous reads, counted on the file's descriptor). */
  async function bytesReadScanning(file: string, lastNLines: number): Promise<{ bytes: number; reads: number; primary: string | undefined }> {
    const restore = useSynchronousReadsFor(Infinity);
    const fds = new Set<number>();
    let bytes = 0;
    let reads = 0;
    const openSync = fs.openSync;
    const readSync = fs.readSync as (...a: unknown[]) => number;
    const open = mock.method(fs, "openSync", (...a: Parameters<typeof fs.openSync>) => {
      const fd = openSync(...a);
      if (a[0] === file) fds.add(fd);
      return fd;
    });
    const read = mock.method(fs, "readSync", (...a: unknown[]) => {
      const n = readSync(...a);
      if (fds.has(a[0] as number)) {
        bytes += n;
        reads++;
      }
      return n;
    });
    try {
      const r = await scanFiles([file], { rules, lastNLines });
      return { bytes, reads, primary: r.primary?.ruleId };
    } finally {
      read.mock.restore();
      open.mock.restore();
      restore();
    }
  }

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-engine-debts-io-"));
  test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const lines = (count: number) => Array.from({ length: count }, (_, i) => `step ${i} | loss 0.${String(i).padStart(6, "0")} | lr 0.0001 | tokens/s 41234.5 | mem 31.2 GB`).join("\n");
  const crash = "\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB\n";

  test("a log smaller than the format's sample (320 KiB) is read once, whole", async () => {
    const file = path.join(tmp, "small.log");
    fs.writeFileSync(file, lines(1500) + crash);
    const size = fs.statSync(file).size;
    const got = await bytesReadScanning(file, 1000);
    assert.equal(got.bytes, size);
    assert.equal(got.reads, 1);
    assert.equal(got.primary, "cuda_oom_alloc");
  });

  test("a large log's tail inside the last 256 KiB is not read again after the format's head and tail", async () => {
    const file = path.join(tmp, "large.log");
    fs.writeFileSync(file, lines(70_000) + crash);
    assert.ok(fs.statSync(file).size > 4 * 1024 * 1024, "beyond the size whose lines are counted");
    const got = await bytesReadScanning(file, 500);
    assert.equal(got.bytes, 64 * 1024 + 256 * 1024);
    assert.equal(got.reads, 2);
    assert.equal(got.primary, "cuda_oom_alloc");
  });

  test("a tail longer than the sample reads only what lies before it", async () => {
    const file = path.join(tmp, "long-tail.log");
    fs.writeFileSync(file, lines(70_000) + crash);
    const size = fs.statSync(file).size;
    const got = await bytesReadScanning(file, 5000);
    const tailBytes = Buffer.byteLength(lines(70_000).split("\n").slice(-4999).join("\n") + crash);
    assert.ok(tailBytes > 256 * 1024);
    // The sample, then the 64 KiB chunks before the sample's tail that the 5000 lines reach into.
    assert.equal(got.bytes, 64 * 1024 + 256 * 1024 + Math.ceil((tailBytes - 256 * 1024) / (64 * 1024)) * 64 * 1024);
    assert.equal(got.primary, "cuda_oom_alloc");
    assert.ok(got.bytes < size);
  });
});

describe("CUDA's \"driver shutting down\" at teardown is no crash; a crash that names it still is", () => {
  // The runtime returns it (cudaErrorCudartUnloading, CUDA_ERROR_DEINITIALIZED) only while it unloads at the process's exit.
  const finished = ["Epoch 10/10: 100%|##########| 500/500 [01:02<00:00, 8.01it/s, loss=0.121]", "Training finished. Model saved to out/model.pt"];
  testFamiliesOf("cuda_teardown_driver_shutting_down", [
    // https://github.com/MrNeRF/LichtFeld-Studio/pull/864: the pinned-memory allocator's destructor "when closing" the app.
    ["https://github.com/MrNeRF/LichtFeld-Studio/pull/864", "pinned_memory_allocator.cpp:270  CUDA error at C:\\Users\\miriam\\OneDrive\\Desktop\\LichtFeld-Studio\\src\\core\\tensor\\pinned_memory_allocator.cpp:270 - cudaErrorCudartUnloading: driver shutting down"],
    // https://github.com/kaldi-asr/kaldi/issues/2178: cuda-memcheck on CuDevice's destructor, run from exit().
    ["https://github.com/kaldi-asr/kaldi/issues/2178", '========= Program hit cudaErrorCudartUnloading (error 29) due to "driver shutting down" on CUDA API call to cudaEventDestroy.'],
  ], [
    // A thrown error (terminate's what(), an exception line) or a failed CHECK aborts the process: still a crash, read by
    // the rules that read it before (crash-corpus zzf hed-52, https://github.com/s9xie/hed/issues/52).
    ["F1225 18:53:10.263083 16202 syncedmem.cpp:19] Check failed: error == cudaSuccess (29 vs. 0)  driver shutting down", "cuda_error_library_check"],
    ["  what():  CUDA error: driver shutting down", "cuda_error_generic"],
    ["RuntimeError: CUDA error: driver shutting down", "cuda_error_generic"],
    ["cupy_backends.cuda.api.driver.CUDADriverError: CUDA_ERROR_DEINITIALIZED: driver shutting down", "cuda_error_generic"],
    // mshadow's check names the status as an allowed result, not as what happened (the dictionary's line).
    ["mxnet.base.MXNetError: [10:11:12] src/engine/threaded_engine.cc:331: Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: an illegal memory access was encountered", "cuda_illegal_address"],
  ]);

  test("a run that finished and printed it from destructors has no crash; one that crashed before it keeps its cause", async () => {
    const lichtfeld = ["pinned_memory_allocator.cpp:265  cudaEventSynchronize failed during cache clear: driver shutting down ", "pinned_memory_allocator.cpp:270  CUDA error at C:\\Users\\miriam\\OneDrive\\Desktop\\LichtFeld-Studio\\src\\core\\tensor\\pinned_memory_allocator.cpp:270 - cudaErrorCudartUnloading: driver shutting down", "pinned_memory_allocator.cpp:41 cudaEventDestroy failed: driver shutting down"];
    const memcheck = ['========= Program hit cudaErrorCudartUnloading (error 29) due to "driver shutting down" on CUDA API call to cudaEventDestroy.', "=========     Saved host backtrace up to driver entry point at error", "=========     Host Frame:/usr/lib64/libcuda.so.1 [0x330093]", "========="];
    assert.equal(await primaryOf("teardown-1.log", [...finished, ...lichtfeld].join("\n") + "\n"), null);
    assert.equal(await primaryOf("teardown-2.log", [...finished, ...memcheck].join("\n") + "\n"), null);
    const crashed = ["Epoch 3:  40%|####      | 200/500", "RuntimeError: CUDA error: an illegal memory access was encountered", ...lichtfeld];
    assert.deepEqual(await primaryOf("teardown-3.log", crashed.join("\n") + "\n"), { category: "cuda_error", ruleId: "cuda_illegal_address" });
    const aborted = [...finished, "terminate called after throwing an instance of 'c10::Error'", "  what():  CUDA error: driver shutting down", "Aborted (core dumped)"];
    assert.deepEqual(await primaryOf("teardown-4.log", aborted.join("\n") + "\n"), { category: "cuda_error", ruleId: "cuda_error_generic" });
    assert.deepEqual(await primaryOf("hed-52.log", corpus("cuda_error/zzf-hed-52-test-syncedmem-error-29-driver-shutting-down.log")), { category: "cuda_error", ruleId: "cuda_error_library_check" });
  });
});

describe("one glog record header for the parser and the final-error reading", () => {
  test("a glog error record whose location is a path is read like one with a file name, by both", () => {
    // The header of crash-corpus llama-stack-apps-10's records (torch's elastic agent logs the location as a path), with
    // caffe2#1936's record text after it (https://github.com/facebookarchive/caffe2/issues/1936): constructed from real shapes.
    const text = "Exception from operator chain starting at '' (type 'Conv'): caffe2::EnforceNotMet: [enforce fail at conv_op_cudnn.cc:500] filter.dim32(1) == C / group_. Error from operator:";
    for (const head of ["E0628 19:13:22.730840  3624 net_dag.cc:195] ", "E0724 19:33:34.565000 128818126430656 torch/distributed/elastic/multiprocessing/api.py:702] ", "[E net_dag.cc:188] "]) {
      const report = parseFailure([head + text]);
      assert.equal(report?.exception?.type, "caffe2::EnforceNotMet", head);
      if (!head.startsWith("[")) assert.equal(isErrorLine(head + text), true, head);
    }
    // Records of other levels are neither's error record.
    for (const head of ["I0724 19:33:34.565000 128818126430656 torch/distributed/elastic/multiprocessing/api.py:702] ", "W0628 19:13:22.730840  3624 net_dag.cc:195] "]) {
      assert.equal(parseFailure([head + text])?.exception?.kind === "cpp", false, head);
      assert.equal(isErrorLine(head + text), false, head);
    }
  });
});
