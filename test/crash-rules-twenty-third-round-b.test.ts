/**
 * Twenty-third rules round (issue 10), part B, on the studied fresh14: the readings that hold for logs not seen, from
 * six of its misses. MXNet 0.7's GPU pooled storage manager reports an allocation it could not make as
 * `pooled_storage_manager.h:N: Memory allocation failed.` (GPU memory, like its later `cudaMalloc failed: out of
 * memory`); PaddlePaddle says `Can not import paddle core while this
 * file exists: .../libpaddle.so` when its native core fails to load; Windows reports a native exception as the
 * process's exit code (NTSTATUS): the exceptions Python's faulthandler already names (illegal instruction 0xC000001D,
 * integer divide by zero 0xC0000094, in-page error 0xC0000006) are read in their numeric forms too; torch's
 * `CUBLAS_STATUS_NOT_INITIALIZED when calling cublasCreate(handle)` is cuda_error by the corpus's labels, not memory
 * (docs/crash-accuracy.md, "Twenty-third round, on the studied fresh14", items 490-495). Real lines name where they
 * come from; near misses must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-third-round-b-");

describe("twenty-third round (part B): rule families", () => {
  const families: Family[] = [
    {
      rule: "cuda_oom_other_runtimes",
      real: [
        ["crash-corpus zzi mxnet-2913, https://github.com/apache/mxnet/issues/2913", "[19:03:47] /home/deeper/mxnet/dmlc-core/include/dmlc/./logging.h:235: [19:03:47] src/storage/./pooled_storage_manager.h:62: Memory allocation failed."],
        ["https://github.com/apache/mxnet/issues/4823 (training on gpu(0))", "[15:35:30] /home/ec2-user/src/mxnet/dmlc-core/include/dmlc/./logging.h:235: [15:35:30] src/storage/./pooled_storage_manager.h:67: Memory allocation failed."],
        ["https://github.com/apache/mxnet/issues/5340 (the later wording, already read)", "pooled_storage_manager.h:80: cudaMalloc failed: out of memory"],
      ],
      nearMiss: [
        // The words without MXNet's storage manager name no device.
        ["Memory allocation failed.", null],
        ["INFO:root:pooled_storage_manager.h is MXNet's GPU memory pool", null],
      ],
    },
    {
      rule: "import_native_library",
      real: [
        ["crash-corpus zzi paddle-52383, https://github.com/PaddlePaddle/Paddle/issues/52383", "Error: Can not import paddle core while this file exists: /opt/conda/envs/python35-paddle120-env/lib/python3.7/site-packages/paddle/fluid/libpaddle.so"],
        ["crash-corpus zi-rt-detr-261", "Error: Can not import paddle core while this file exists: /usr/local/lib/python3.10/dist-packages/paddle/fluid/libpaddle.so"],
      ],
      nearMiss: [
        ["    import paddle.fluid as fluid", null],
        ["paddle core imported from /usr/local/lib/python3.10/dist-packages/paddle/fluid/libpaddle.so", null],
      ],
    },
    {
      rule: "segfault_windows_access_violation",
      real: [
        ["crash-corpus zzj gpt-sovits-2393, https://github.com/RVC-Boss/GPT-SoVITS/issues/2393 (0xC0000094)", "torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with exit code 3221225620"],
        ["crash-corpus kohya-ss-2556 (0xC0000005, already read)", "subprocess.CalledProcessError: Command '['C:\\\\kohya_new\\\\kohya_ss\\\\venv\\\\Scripts\\\\python.exe', 'C:/kohya_new/kohya_ss/sd-scripts/sdxl_train_network.py', '--config_file', 'C:/test_kohya/config_lora-20240531-133245.toml']' returned non-zero exit status 3221225477."],
      ],
      nearMiss: [
        // 0xC000013A is the console's Ctrl-C exit (https://github.com/microsoft/terminal/issues/9465, STATUS_CONTROL_C_EXIT): no crash.
        ["[process exited with code 3221225786]", null],
        ["torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with exit code 1", null],
        ["Process finished with exit code 0", null],
      ],
    },
    {
      // torch's wording of cuBLAS failing to create its handle: a cuBLAS status, not an allocation failure.
      rule: "cuda_cublas_failure",
      real: [
        ["crash-corpus zzj ai-toolkit-97, https://github.com/ostris/ai-toolkit/issues/97", "Error running job: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`"],
        ["crash-corpus chatglm-efficient-tuning-288", "RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling \"cublasCreate(handle)\""],
      ],
      nearMiss: [
        // The allocation-failure status stays cuda_oom; TensorFlow's and MXNet's handle failures keep their rule
        // (their corpus entries are cuda_oom: tensorflow-30912 shows the OOM lines next to it, sockeye-897).
        ["RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`", "cuda_oom_generic"],
        ["2019-07-21 23:23:06.224853: E tensorflow/stream_executor/cuda/cuda_blas.cc:238] failed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED", "cuda_oom_handle_create"],
      ],
    },
  ];
  testFamilies(rules, families);

  test("the other numeric forms of the exceptions faulthandler's line names (constructed: only 0xC0000094's decimal is seen)", () => {
    const variants = [
      "Process finished with exit code -1073741795 (0xC000001D)",
      "Process finished with exit code -1073741676 (0xC0000094)",
      "error: process exited with exit code 3221225478",
      "returned non-zero exit status 3221225501.",
    ];
    for (const line of variants) assert.equal(classifyLine(rules, line)?.rule.id, "segfault_windows_access_violation", line);
  });
});

describe("twenty-third round (part B): whole entries", () => {
  const entries: [string, string, string][] = [
    ["cuda_oom/zzi-mxnet-2913-pooled-storage-memory-allocation-failed.log", "cuda_oom", "cuda_oom_other_runtimes"],
    ["import_error/zzi-paddle-52383-cannot-import-paddle-core-medicalseg.log", "import_error", "import_native_library"],
    ["segfault/zzj-gpt-sovits-2393-5060ti-s2-train-process-exit-code-3221225620.log", "segfault", "segfault_windows_access_violation"],
    ["cuda_error/zzj-ai-toolkit-97-flux-lora-fuse-cublas-not-initialized.log", "cuda_error", "cuda_cublas_failure"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});
