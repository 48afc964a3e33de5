/**
 * Twentieth rules round (issue 10), tune collection zzf (failures that do not end in a Python traceback): the Lua VM
 * running out of its heap (`not enough memory` as LuaJIT, Lua's panic handler and Torch's threads print it: host
 * memory), a caching allocator that failed again after freeing its cache (nnabla), and the final-error reading of C++
 * fatal records whose header an excerpt lost, TensorFlow's ` F path:N] ` records, a tool's `[date time] Error:` lines
 * and the Lua interpreter's uncaught error with its stack (docs/crash-accuracy.md, "Twentieth round: tune collection
 * zzf"). Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { finalErrorBlock, finalErrorFinding, isErrorLine } from "../agent/crash/final-error.js";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twentieth-round-zzf-");

/** The final-error reading alone (no rule finding, no parsed failure) of these lines. */
function readEnd(lines: readonly string[]) {
  return finalErrorFinding("x.log", { lines: [...lines], firstLine: 1, offsets: lines.map(() => null) }, [], null, []);
}

/** The lines of a corpus excerpt (`CATEGORY/ID.log`). */
function corpusLines(file: string): string[] {
  const lines = corpus(file).split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

describe("twentieth round (zzf): rule families", () => {
  const families: Family[] = [
    {
      // Lua's LUA_ERRMEM message is `not enough memory`: the interpreter's own heap (LuaJIT's GC arena, 1-2 GB on
      // x86_64 without GC64, which Torch7 hits long before the host's RAM), never the GPU's (cutorch says
      // `cuda runtime error (2) : out of memory`).
      rule: "host_oom_lua_vm",
      real: [
        ["crash-corpus zzf deepmask-61, https://github.com/facebookresearch/deepmask/issues/61 (Torch's threads library)", "FATAL THREAD PANIC: (pcall) not enough memory"],
        ["crash-corpus zzf deepmask-61", "/home/ec2-user/torch/install/bin/luajit: ...ec2-user/torch/install/share/lua/5.1/threads/threads.lua:183: [thread 2 callback] not enough memory"],
        ["crash-corpus zzf waifu2x-376, https://github.com/nagadomi/waifu2x/issues/376", "/home/jaydn/torch/install/bin/luajit: /home/jaydn/torch/install/share/lua/5.1/threads/threads.lua:183: [thread 4 callback] not enough memory"],
        ["https://github.com/LuaJIT/LuaJIT/issues/326 (DeepMask again, threads.lua:184)", "/home/ai02/torch/install/bin/luajit: /home/ai02/torch/install/share/lua/5.1/threads/threads.lua:184: [thread 1 callback] not enough memory"],
        ["crash-corpus zzf mtg-rnn-1, https://github.com/billzorn/mtg-rnn/issues/1 (Lua's panic handler)", "PANIC: unprotected error in call to Lua API (not enough memory)"],
        ["https://github.com/macournoyer/neuralconvo/issues/66 (a progress bar redrawn over it)", "PANIC: unprotected error in call to Lua API (not enough memory)========>................]  ETA: 10s272ms | Step: 0ms    "],
        ["https://github.com/openresty/lua-nginx-module/issues/230 (the Lua VM in another host)", "nginx: lua atpanic: Lua VM crashed, reason: not enough memory"],
      ],
      nearMiss: [
        // Torch's own allocator (TH's THAlloc) says how much it wanted: its rule, not the VM's.
        ["/usr/local/torch/install/bin/luajit: $ Torch: not enough memory: you tried to allocate 2GB. Buy new RAM! at /tmp/luarocks_torch-scm-1-9354/torch7/lib/TH/THGeneral.c:266", "host_oom_cpu_allocator"],
        // A Lua error that is no memory failure; a REPL printing an error it caught (tarantool/tarantool#1349); prose.
        ["/home/ubuntu/torch-cl/install/bin/luajit: /home/ubuntu/torch-cl/install/share/lua/5.1/torch/File.lua:134: in function 'writeObject'", null],
        ["- error: not enough memory", null],
        ["I recall that LuaJIT has a memory limit of its own, though there are workarounds for that.", null],
        // Windows' message for an allocation the CPU allocator could not make stays that rule's.
        ["RuntimeError: [enforce fail at ..\\c10\\core\\impl\\alloc_cpu.cpp:72] data. DefaultCPUAllocator: not enough memory: you tried to allocate 29491200 bytes.", "host_oom_cpu_allocator"],
      ],
    },
    {
      // nnabla's caching allocator: a failed allocation frees the cache and retries (a warning the run may survive);
      // `Failed to allocate again.` is the retry failing too, raised to the forward pass. Both threads run on CUDA.
      rule: "cuda_oom_cache_retry_failed",
      real: [
        ["crash-corpus zzf sony-ai-research-54, https://github.com/sony/ai-research-code/issues/54", "Failed to allocate again."],
        ["https://github.com/sony/ai-research-code/issues/40 (NVC-net on a Tesla T4)", "Failed to allocate again."],
      ],
      nearMiss: [
        ["Failed to allocate. Freeing memory cache and retrying.", null],
        ["Failed to allocate again. Retrying with a smaller chunk size.", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twentieth round (zzf): the final error line of C++ fatal records and Lua errors", () => {
  test("a glog CHECK whose record header the excerpt lost, and TensorFlow's ` F path:N] ` record, are error lines", () => {
    // crash-corpus zzf tf-faster-rcnn-444 (https://github.com/endernewton/tf-faster-rcnn/issues/444) and visil-7
    // (https://github.com/MKLab-ITI/visil/issues/7), the studied zk byteps-138 (TensorFlow's record format in brackets,
    // https://github.com/bytedance/byteps/issues/138) and zk directml-462 (https://github.com/microsoft/DirectML/issues/462).
    for (const l of [
      "tensorflow/stream_executor/cuda/cuda_dnn.cc:194] Check failed: status == CUDNN_STATUS_SUCCESS (7 vs. 0)Failed to set cuDNN stream.",
      " F tensorflow/stream_executor/cuda/cuda_dnn.cc:516] Check failed: cudnnSetTensorNdDescriptor(handle_.get(), elem_type, nd, dims.data(), strides.data()) == CUDNN_STATUS_SUCCESS (3 vs. 0)batch_descriptor: {count: 1 feature_map_count: 32",
      "[2019-10-29 01:02:51.983028: F byteps/common/nccl_manager.cc:120] Check failed: r == ncclSuccess NCCL error: unhandled system error",
      "2023-05-28 18:58:27.210904: F tensorflow/c/logging.cc:43] HRESULT failed with 0x887a0005: readback_heap->Map(0, nullptr, &readback_heap_data)",
    ]) assert.equal(isErrorLine(l), true, l);
    // TensorFlow's E and I records are not (healthy runs print many E records at start), nor a W record naming an F
    // (the last line is constructed).
    for (const l of [
      "2019-01-16 15:21:11.491216: E tensorflow/stream_executor/cuda/cuda_dnn.cc:334] Could not create cudnn handle: CUBLAS_STATUS_NOT_INITIALIZED",
      "2019-01-16 15:21:11.491216: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1512] Adding visible gpu devices: 0",
      "W tensorflow/core/kernels/data/cache_dataset_ops.cc:856] F is the feature count",
    ]) assert.equal(isErrorLine(l), false, l);
  });

  test("a CHECK of a CUDA library's status names the library's failure (its allocation status: the GPU's memory)", async () => {
    // Since the twenty-second round rules.json owns this family (cuda_error_library_check, cuda_oom_library_check), read
    // anywhere in a log; final-error.ts no longer reads the status number (one owner).
    const tf = await primaryOf("tf-444.log", corpus("cuda_error/zzf-tf-faster-rcnn-444-cuda-dnn-check-failed-7-set-stream.log"));
    assert.deepEqual(tf, { category: "cuda_error", ruleId: "cuda_error_library_check" });
    const visil = await primaryOf("visil-7.log", corpus("cuda_error/zzf-visil-7-cuda-dnn-settensornd-bad-param-batch-descriptor.log"));
    assert.deepEqual(visil, { category: "cuda_error", ruleId: "cuda_error_library_check" });
    // crash-corpus zzf caffe-3744 (https://github.com/BVLC/caffe/issues/3744): Caffe's SyncedMemory, cudaErrorMemoryAllocation is 2.
    const end = (line: string) => primaryOf("check.log", `I0228 17:38:19.001 4104 solver.cpp:218] Iteration 20, loss = 0.4\n${line}\n*** Check failure stack trace: ***\n`);
    assert.deepEqual(await end("F0228 17:38:20.483613  4104 syncedmem.cpp:64] Check failed: error == cudaSuccess (2 vs. 0)  out of memory"), { category: "cuda_oom", ruleId: "cuda_oom_library_check" });
    // crash-corpus paddle-346 (https://github.com/PaddlePaddle/Paddle/issues/346): CUBLAS_STATUS_EXECUTION_FAILED is 13
    // (cuBLAS's allocation failure is 3); zzf cascade-rcnn-68 (https://github.com/zhaoweicai/cascade-rcnn/issues/68):
    // CUDNN_STATUS_EXECUTION_FAILED is 8 (cuDNN's allocation failure is 2). The status number, not the words after it, is read.
    assert.deepEqual(await end("F1104 11:19:11.596421 87418 hl_cuda_cublas.cc:220] Check failed: stat == CUBLAS_STATUS_SUCCESS (13 vs. 0) [cublas status]: execution failed"), { category: "cuda_error", ruleId: "cuda_error_library_check" });
    assert.equal((await end("F1126 12:19:18.211333 23387 cudnn_conv_layer.cu:28] Check failed: status == CUDNN_STATUS_SUCCESS (8 vs. 0)  CUDNN_STATUS_EXECUTION_FAILED"))?.category, "cuda_error");
  });

  test("a tool's `[date time] Error:` records end the log in an error; its other records and a metric named Error do not", () => {
    // crash-corpus zzf marian-dev-439 (https://github.com/marian-nmt/marian-dev/issues/439): the prefix is on too few
    // lines to be learned (tcmalloc's lines have none), so the time stays on the line.
    const lines = corpusLines("cuda_oom/zzf-marian-dev-439-cuda-error-2-out-of-memory-after-validation.log");
    assert.equal(isErrorLine(lines.at(-1)!), true);
    assert.deepEqual(finalErrorBlock(lines)?.errors, [lines.length - 2, lines.length - 1]);
    assert.ok(readEnd(lines), "the run ends in Marian's error records: a crash");
    assert.equal(isErrorLine("[2019-04-15 08:29:08] [valid] Ep. 2 : Up. 500 : perplexity : 8335 : new best"), false);
    assert.equal(isErrorLine("[2019-04-15 08:29:06] Saving model weights and runtime parameters to model/ens1/model.npz.best-perplexity.npz"), false);
    assert.equal(isErrorLine("[2019-04-15 08:29:06] Error: 0.25"), false);
  });

  test("the Lua interpreter's uncaught error and its stack traceback end the log in that error", () => {
    // crash-corpus zzf waifu2x-376: the VM's heap (host_oom), read even without the rule.
    assert.equal(readEnd(corpusLines("host_oom/zzf-waifu2x-376-train-lua-validation-set-thread-not-enough-memory.log"))?.category, "host_oom");
    assert.equal(readEnd(corpusLines("host_oom/zzf-mtg-rnn-1-char-rnn-eval-panic-lua-api-not-enough-memory.log"))?.category, "host_oom");
    // The studied torch-rnn-115 (https://github.com/jcjohnson/torch-rnn/issues/115): the error line, `stack traceback:`
    // and every frame (`[C]: in function`, `file.lua:N: in function`, `th:145: in main chunk`, `[C]: at 0x...`) are one block.
    const lines = corpusLines("disk_full/torch-rnn-115-train-lua-checkpoint-write-error-0-blocks.log");
    assert.deepEqual(finalErrorBlock(lines)?.errors, [0]);
    // A Lua frame after a training line is no error block; a healthy line that names lua is no error line (constructed).
    assert.equal(finalErrorBlock(["Epoch 3 / 50, i = 1500 / 25000, loss = 1.482", "\t[C]: in function 'dofile'"]), null);
    assert.equal(isErrorLine("luarocks: installed nn scm-1"), false);
  });
});

describe("twentieth round (zzf): the corpus entries", () => {
  const cases: [string, string, string][] = [
    ["host_oom/zzf-deepmask-61-fatal-thread-panic-not-enough-memory-coco.log", "host_oom", "host_oom_lua_vm"],
    ["host_oom/zzf-waifu2x-376-train-lua-validation-set-thread-not-enough-memory.log", "host_oom", "host_oom_lua_vm"],
    ["host_oom/zzf-mtg-rnn-1-char-rnn-eval-panic-lua-api-not-enough-memory.log", "host_oom", "host_oom_lua_vm"],
    ["cuda_oom/zzf-sony-ai-research-54-nnabla-failed-to-allocate-again-forward.log", "cuda_oom", "cuda_oom_cache_retry_failed"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});
