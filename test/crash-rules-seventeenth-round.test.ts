/**
 * Seventeenth rules round (tune collections zt, the newest threads, and zu, non-English logs): torch_memory_saver's
 * CUDA checks with the error's number and string (`cudaError error: 1 (invalid argument)`, `CUresult error
 * result=1`; code 2 is the GPU's memory), torch_npu's failed call of a CANN operator (`call aclnnCast failed,
 * detail:EZ9999`, `... error code is 561103`) and Windows' `DLL load failed while importing X:` without its
 * ImportError prefix (docs/crash-accuracy.md, "Seventeenth round", items 180-).
 * Real lines name where they come from (`find_string` hits are public repositories the tool does not name); near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-seventeenth-round-");

const SLIME_1786 = "cuda_error/zt-slime-1786-torch-memory-saver-cudaerror-invalid-argument.log";
const DEEPMOSAICS_154 = "import_error/zu-deepmosaics-154-dll-load-failed-c.log";
const LLAMAFACTORY_3796 = "cuda_error/zu-llamafactory-3796-ascend-train-aclnncast-ez9999.log";
const LLAMAFACTORY_3779 = "cuda_error/zu-llamafactory-3779-ascend-lora-aclnncast-ez9999.log";

describe("seventeenth round: rule families", () => {
  const families: Family[] = [
    {
      // torch_memory_saver's CUDA_ERROR_CHECK macro: `cudaError error: <number> (<cudaGetErrorString>)`, and its driver
      // API check `CUresult error  result=<number>`: CUDA's error in numbers, which the `cudaError<Name>` pattern did not
      // read. Code 2 (out of memory) is the GPU's memory (cuda_oom_generic, below).
      rule: "cuda_error_generic",
      real: [
        ["crash-corpus zt slime-1786, https://github.com/THUDM/slime/issues/1786", corpus(SLIME_1786).split("\n")[0]!],
        ["https://github.com/THUDM/slime/pull/1690 (intermittent after checkpoint saves)", "[torch_memory_saver.cpp] cudaError error: 1 (invalid argument)  file=csrc/core.cpp func=pause line=133"],
        ["https://github.com/fzyzcjy/torch_memory_saver/issues/35", "[torch_memory_saver.cpp] CUresult error  result=1 file=csrc/torch_memory_saver.cpp func=resume line=214"],
      ],
      nearMiss: [
        // find_string hit 36925597169 (torch_memory_saver's source): the macro's text, no error number.
        ['        std::cerr << "[torch_memory_saver.cpp] cudaError error: " \\', null],
        // find_string hit 66856782645 (an RL framework's notes): code 2 is the GPU running out of memory.
        ["[torch_memory_saver.cpp] cudaError error: 2 (out of memory) file=csrc/core.cpp func=resume line=172", "cuda_oom_generic"],
      ],
    },
    {
      // The same macro with code 2: SGLang's memory saver cannot re-acquire the KV cache it paused for training.
      rule: "cuda_oom_generic",
      real: [
        ["find_string hit 66856782645 (an RL framework's notes, rollout after training)", "[torch_memory_saver.cpp] cudaError error: 2 (out of memory) file=csrc/core.cpp func=resume line=172"],
        ["find_string hit 61745587508 (a training log's write-up, SGLang scheduler died after it)", "[torch_memory_saver.cpp] cudaError error: 2 (out of memory)  file=csrc/core.cpp func=resume line=182"],
      ],
      nearMiss: [
        ["[torch_memory_saver.cpp] cudaError error: 1 (invalid argument)  file=csrc/core.cpp func=pause line=133", "cuda_error_generic"],
      ],
    },
    {
      // torch_npu calling a CANN operator (aclnn*) that returned an error: EZ9999 Inner Error (no kernel binary for the
      // operator, a tiling or attribute check) or an aclnn error code. A cause at -1: an NPU memory error says more.
      rule: "cuda_npu_op_failed",
      real: [
        ["crash-corpus zu llamafactory-3796, https://github.com/hiyouga/LlamaFactory/issues/3796", corpus(LLAMAFACTORY_3796).split("\n")[0]!],
        ["crash-corpus zu llamafactory-3779, https://github.com/hiyouga/LlamaFactory/issues/3779", "[E OpParamMaker.cpp:273] call aclnnCast failed, detail:EZ9999: Inner Error!"],
        ["find_string hit 16840405259 (a CANN install's log)", "[E OpParamMaker.cpp:273] call aclnnAdd failed, detail:EZ9999: Inner Error!"],
        ["find_string hit 35645167861 (transformers generate on an NPU)", "RuntimeError: call aclnnArange failed, detail:EZ9999: Inner Error!"],
        ["find_string hit 56066027100 (vLLM on an NPU, rank-prefixed)", "[rank0]: RuntimeError: call aclnnArange failed, detail:EZ9999: Inner Error!"],
        ["find_string hit 55976471425 (a vLLM worker)", "(VllmWorkerProcess pid=480) ERROR 02-19 16:05:47 multiproc_worker_utils.py:240] RuntimeError: call aclnnFlashAttentionScore failed, detail:EZ9999: Inner Error!"],
        ["find_string hit 58756022474 (an MoE gating attribute the kernel does not support)", "RuntimeError: call aclnnMoeGatingTopK failed, detail:EZ9999: Inner Error!"],
        ["https://github.com/Ascend/pytorch/issues/90 (title)", "RuntimeError: copy_d2d_baseformat_opapi:build/CMakeFiles/torch_npu.dir/compiler_depend.ts:88 NPU function error: call aclnnInplaceCopy failed, error code is 561103"],
      ],
      nearMiss: [
        // find_string hit 21171530490 (a deployment's notes): prose naming the error, no call.
        ["* `aclnnRsubs failed, detail:EZ9999`，报这个错一般是因为没有装cann的kernel文件，需要重新安装一下kernel.run文件", null],
        // https://github.com/Ascend/pytorch/issues/66: a stream synchronisation's kernel exception keeps its rule.
        ["RuntimeError: operator():build/CMakeFiles/torch_npu.dir/compiler_depend.ts:25 NPU function error: c10_npu::acl::AclrtSynchronizeStreamWithTimeout(copy_stream), error code is 507035", "cuda_npu_kernel_error"],
      ],
    },
    {
      // Python's `DLL load failed while importing <module>: <the Windows error in the system's language>` (3.8 and later),
      // read wherever the message stands: without its `ImportError: ` head (a console that printed the message alone, a
      // wrapper's own message). The older `DLL load failed: ` form stays import_error_generic's, with its head.
      rule: "import_native_library",
      real: [
        ["crash-corpus zu deepmosaics-154, https://github.com/HypoX64/DeepMosaics/issues/154", corpus(DEEPMOSAICS_154).split("\n")[0]!],
        ["find_string hit 59721960271 (an app's fix notes: torch's DLL blocked by Windows Application Control)", "DLL load failed while importing _C: An Application Control policy has blocked this file."],
        ["find_string hit 55802203861 (pychrono on Windows, Korean)", "ImportError: DLL load failed while importing _vehicle: DLL 초기화 루틴을 찾을 수 없습니다."],
        ["find_string hit 11845572331 (Django's wrapper around psycopg2, Japanese)", "django.core.exceptions.ImproperlyConfigured: Error loading psycopg2 module: DLL load failed while importing _psycopg: 指定されたモジュールが見つかりません。"],
      ],
      nearMiss: [
        // find_string hit 29708841856 (install notes): advice quoting the message.
        ['If you get "ImportError: DLL load failed while importing _C", you need to:', null],
        // Constructed: Python 3.7's form keeps the generic reading of its ImportError.
        ["ImportError: DLL load failed: The specified module could not be found.", "import_error_generic"],
      ],
    },
  ];
  testFamilies(rules, families);

  test("whole excerpts: zt slime-1786 and zu's llamafactory-3796/3779 are cuda_error, zu deepmosaics-154 import_error", async () => {
    assert.deepEqual(await primaryOf("slime-1786.log", corpus(SLIME_1786)), { category: "cuda_error", ruleId: "cuda_error_generic" });
    assert.deepEqual(await primaryOf("lf-3796.log", corpus(LLAMAFACTORY_3796)), { category: "cuda_error", ruleId: "cuda_npu_op_failed" });
    assert.deepEqual(await primaryOf("lf-3779.log", corpus(LLAMAFACTORY_3779)), { category: "cuda_error", ruleId: "cuda_npu_op_failed" });
    assert.deepEqual(await primaryOf("dm-154.log", corpus(DEEPMOSAICS_154)), { category: "import_error", ruleId: "import_native_library" });
  });

  test("an NPU memory error after the failed operator call is the cause (constructed from real line shapes)", async () => {
    // The aclnn line (find_string hit 35645167861) and CANN's allocator failure (the fourteenth round's EL0004 line).
    const text = [
      "RuntimeError: call aclnnArange failed, detail:EZ9999: Inner Error!",
      "Memory_Allocation_Failure(EL0004): Failed to allocate memory requested by GE module.",
      "",
    ].join("\n");
    assert.equal((await primaryOf("npu-oom.log", text))?.category, "cuda_oom");
  });
});
