/**
 * Fourteenth rules round (issue 10), role B: from the misses of the tune collections zj and zk in B's families,
 * each widened to the way its tool phrases the failure: NVIDIA PhysX's kernel launches by stage, Habana
 * SynapseAI's status after a graph node, Direct3D 12's removed device as DirectML's checks and HRESULTs report
 * it, AMD MIOpen's thrown error, a glog check on cudaSuccess failing with code 2 (out of memory) whatever text
 * follows, Theano's device allocation, CUDA's kernel-watchdog string, and the TPU runtime halting a program in
 * words that blame the program (docs/crash-accuracy.md, "Fourteenth round", items 106-110). Real lines name
 * where they come from (`find_string`: a public repository whose name the search tool does not give); near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-fourteenth-round-b-");

describe("fourteenth round (B): rule families", () => {
  const families: Family[] = [
    {
      // PhysX names a failed launch by its kernel and, for multi-stage kernels, by the stage: `GPU <kernel> fail
      // to launch kernel stage N!!` (PhysX's narrowphase source prints stage 1-3 this way), beside the forms
      // without a stage; Omniverse appends the CUDA code after the `!!`.
      rule: "cuda_physx_gpu_error",
      real: [
        ["crash-corpus zj isaacgymenvs-45, https://github.com/isaac-sim/IsaacGymEnvs/issues/45", "/buildAgent/work/45f70df4210b2e3e/source/gpunarrowphase/src/PxgNarrowphaseCore.cpp (9908) : internal error : GPU compressContactStage1 fail to launch kernel stage 1!!"],
        ["crash-corpus zj isaacgymenvs-45", "/buildAgent/work/45f70df4210b2e3e/source/gpunarrowphase/src/PxgNarrowphaseCore.cpp (9945) : internal error : GPU compressContactStage2 fail to launch kernel stage 1!!"],
        ["an Isaac Gym training log in a public repository (find_string, two copies)", "    /buildAgent/work/99bede84aa0a52c2/source/gpunarrowphase/src/PxgNarrowphaseCore.cpp (11310) : internal error : GPU compressContactStage1 fail to launch kernel stage 1!!"],
        ["a third Isaac Gym log in a public repository (find_string), after `PhysX Internal CUDA error`", "/buildAgent/work/99bede84aa0a52c2/source/gpunarrowphase/src/PxgNarrowphaseCore.cpp (11347) : internal error : GPU compressContactStage2 fail to launch kernel stage 1!!"],
        ["PhysX's narrowphase source (find_string): the message as it prints it", "GPU sphereNphase_Kernel fail to launch kernel stage 3!!"],
        ["https://github.com/UW-Lab/UWLab/issues/32 (Omniverse, CUDA code after the message)", "2026-07-20T06:44:27Z [320,902ms] [Error] [omni.physx.plugin] PhysX error: GPU artiPropagateImpulses2 fail to launch kernel!! 700"],
      ],
      nearMiss: [
        ["the kernel stage 1 did fail to launch", null],
        ["GPU compressContactStage1 fail to launch kernel stage one", null],
      ],
    },
    {
      // SynapseAI's status as the Habana bridge words it after a graph node or a compile, `<call> failed [for node:
      // <name>] with synStatus N [<what>]`, beside `synStatus=synStatus N [...]`.
      rule: "cuda_hpu_synapse_status",
      real: [
        ["crash-corpus zk llamafactory-pr7275, https://github.com/hiyouga/LlamaFactory/pull/7275", "RuntimeError: synNodeCreateWithId failed for node: batch_gemm with synStatus 26 [Generic failure]. ."],
        ["crash-corpus zk llamafactory-pr7275 (as the rank prints it)", "[rank2]: RuntimeError: synNodeCreateWithId failed for node: batch_gemm with synStatus 26 [Generic failure]. ."],
        ["a Gaudi debugging note in a public repository (find_string, two copies), after `FATAL ERROR :: MODULE:PT_EAGER`", "synNodeCreateWithId failed for node: concat with synStatus 1 [Invalid argument]. ."],
        ["a public repository's comment quoting the error it works around (find_string, four copies)", "Graph compile failed with synStatus 26 [Generic failure]"],
      ],
      nearMiss: [
        // Format strings and code in public repositories (find_string); a memory status is an OOM, not this rule.
        ["    LOG_ERR_T(SYN_DEVICE, \"{}: releaseResources failed with synStatus {}.\", HLLOG_FUNC, status);", null],
        ["            raise RuntimeError(f\"Native HBM admission failed with synStatus={status}\")", null],
        ["synNodeCreateWithId failed for node: x with synStatus 10 [Device memory allocation failed]", null],
      ],
    },
    {
      // Direct3D 12's removed device as DirectML reports it beside DXGI_ERROR_DEVICE_REMOVED by name: its check
      // that GetDeviceRemovedReason() is not a failure (tensorflow-directml's glog CHECK, pytorch-directml's
      // libprotobuf CHECK), the plugin's `HRESULT failed with 0x...: ...->GetDeviceRemovedReason()`, and any call
      // failing with DXGI_ERROR_DEVICE_REMOVED / HUNG / RESET by code (0x887A0005-0x887A0007).
      rule: "gpu_device_lost",
      real: [
        ["crash-corpus zk directml-44, https://github.com/microsoft/DirectML/issues/44", "2020-09-28 10:29:04.811275: F tensorflow/core/common_runtime/dml/dml_command_recorder.cc:366] Check failed: (((HRESULT)((dml_device_->GetDeviceRemovedReason()))) >= 0) == true (0 vs. 1)"],
        ["https://github.com/microsoft/tensorflow-directml/issues/28 (title)", "dml_command_recorder.cc:366 Check failed: (((HRESULT)((dml_device_->GetDeviceRemovedReason()))) >= 0) == true (0 vs. 1"],
        ["https://github.com/microsoft/DirectML/issues/287 (pytorch-directml)", "[libprotobuf FATAL D:\\a\\_work\\1\\s\\pytorch-directml\\caffe2\\dml\\dml_command_recorder.cc:392] CHECK failed: ((((HRESULT)((dml_device_->GetDeviceRemovedReason()))) >= 0)) == (true):"],
        ["https://github.com/microsoft/tensorflow-directml-plugin/issues/359", "   F tensorflow/c/logging.cc:43] HRESULT failed with 0x887a0001: dml_device_->GetDeviceRemovedReason(), and Python Restart"],
        ["crash-corpus zk faceswap-1382, https://github.com/deepfakes/faceswap/issues/1382", "> 2024-04-08 03:15:23.769735: F tensorflow/c/logging.cc:43] HRESULT failed with 0x887a0005: chunk->resource->Map(0, nullptr, &upload_heap_data)"],
        ["https://github.com/iperov/DeepFaceLab/issues/5321 (title)", "F tensorflow/core/common_runtime/dml/dml_upload_heap.cc:56] HRESULT failed with 0x887a0005: chunk->resource->Map(0, nullptr, &upload_heap_data)"],
        ["https://github.com/iperov/DeepFaceLab/issues/5470", "I saw F tensorflow/core/kernels/dml_ops_common.cc:184] HRESULT failed with 0x887a0005: dml_device->CompileOperator(op.Get(), execution_flags, IID_PPV_ARGS(&compiled_op)) please"],
      ],
      nearMiss: [
        // Other HRESULTs (E_INVALIDARG; DXGI_ERROR_INVALID_CALL on an ordinary call) are no removed device; code
        // that asks for the reason is not a failure.
        ["F tensorflow/core/kernels/dml_ops_common.cc:184] HRESULT failed with 0x80070057: dml_device->CompileOperator(op.Get(), execution_flags, IID_PPV_ARGS(&compiled_op))", null],
        ["HRESULT failed with 0x887a0001: dml_device->CompileOperator(op.Get())", null],
        ["    hr = device->GetDeviceRemovedReason();", null],
      ],
    },
    {
      // MIOpen's own exception as it reaches the caller, `MIOpen Error: <source>:<line>: <what>` (printed when an
      // API call returns the error to the framework, which then raises miopenStatus...): a kernel it could not
      // build, a compiler it could not run, a HIP call that failed. Its SQLite cache database errors are not read
      // (they concern the kernel cache); its `MIOpen(HIP): Error [...]` log lines are not either.
      rule: "cuda_miopen_error",
      real: [
        ["crash-corpus zk pytorch-gpu-benchmark-19, https://github.com/ryujaehun/pytorch-gpu-benchmark/issues/19", "MIOpen Error: /MIOpen/src/hipoc/hipoc_program.cpp:286: Code object build failed. Source: MIOpenIm2d2Col.cl"],
        ["a ROCm test list in a public repository (find_string, two copies): a test that fails with it", "            # MIOpen Error: /therock/src/rocm-libraries/projects/miopen/src/hipoc/hipoc_program.cpp:299: Code object build failed. Source: MIOpenDropoutHIP.cpp"],
        ["an MIOpen issue's log in a public repository (find_string)", "MIOpen Error: /data/repo/MIOpen/src/tmp_dir.cpp:18: Can't execute cd /tmp/miopen-MIOpenUtilKernels.cl-404f-de5f-4a8e-6657; /opt/rocm/bin/clang-ocl  -DNUM_CH_PER_WG=1 -DNUM_IM_BLKS_X=1"],
        ["a second one (find_string), after clang's crash", "MIOpen Error: /home/dlowell/MIOpenPrivate/src/tmp_dir.cpp:18: Can't execute cd /tmp/miopen-MIOpenLRNFwd.cl-1c76-4e4f-bfb2-7408; /opt/rocm/bin/clang-ocl  -DMLO_LRN_KERNEL_SZ=11"],
        ["a ROCm PyTorch report in a public repository (find_string), then `RuntimeError: miopenStat...`", "MIOpen Error: /long_pathname_so_that_rpms_can_package_the_debug_info/src/extlibs/MLOpen/src/hip/handlehip.cpp:643: Failed getting available memory: invalid argument"],
      ],
      nearMiss: [
        ["MIOpen Error: /MIOpen/src/sqlite_db.cpp:220: Internal error while accessing SQLite database: locking protocol", null],
        ["MIOpen(HIP): Error [BuildOcl] comgr status = INVALID_ARGUMENT (2)", null],
        ["MIOpen(HIP): Warning [SQLiteBase] Unable to read system database file:/opt/rocm/miopen/share/miopen/db/gfx900_64.kdb Performance may degrade", null],
      ],
    },
    {
      // Out of GPU memory as other runtimes report it: a glog check on a CUDA call failing with code 2
      // (cudaErrorMemoryAllocation) whatever text the library appends (Caffe's `out of memory`, MXNet/mshadow's
      // `Name: <kernel> ErrStr:out of memory`), and Theano's CUDA backend failing to allocate device memory (its
      // MemoryError is the GPU's, not the host's).
      rule: "cuda_oom_other_runtimes",
      real: [
        ["crash-corpus zk kaggle-ndsb-3, https://github.com/benanne/kaggle-ndsb/issues/3", "Error allocating 147865600 bytes of device memory (out of memory). Driver report 141447168 bytes free and 2147024896 bytes total "],
        ["crash-corpus zk kaggle-ndsb-3", "MemoryError: Error allocating 147865600 bytes of device memory (out of memory)."],
        ["https://github.com/Theano/Theano/issues/3748 (title)", "Error allocating 71323200 bytes of device memory (out of memory). Driver report 10526720 bytes free and 4294770688 bytes total"],
        ["https://github.com/Theano/Theano/issues/1814", "Error allocating 26214400 bytes of device memory (out of memory). Driver report 19365888 bytes free and 1073414144 bytes total "],
        // Beyond the corpus, the same family in other runtimes' words: CNTK's and ONNX Runtime's CUDA_CALL
        // (`CUDA failure <code>: <string> ; GPU=N`), Kaldi's CUDA allocator, and TensorFlow 1.x's copy into a GPU
        // tensor that could not be allocated (tensorflow#7025, whose maintainers answer "you are running out of GPU
        // memory"; the BFC allocator's stats at its limit above it in models#9809).
        ["a CNTK training log in a public repository (find_string)", "CUDA failure 2: out of memory ; GPU=0 ; hostname=gn26 ; expr=cudaMalloc((void**) &deviceBufferPtr, sizeof(AllocatedElemType) * AsMultipleOf(numElements, 2))"],
        ["ONNX Runtime's error as public repositories' tests quote it (find_string, three repositories)", "[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running MatMul node. CUDA failure 2: out of memory ; GPU=0"],
        ["a Kaldi training log in a public repository (find_string)", "    ERROR (nnet3-chain-train[5.5.313~1-203c]:AllocateNewRegion():cu-allocator.cc:519) Failed to allocate a memory region of 82837504 bytes.  Possibly this is due to sharing the GPU.  Try switching the GPUs to exclusive mode (nvidia-smi -c 3) and using the option --use-gpu=wait to scripts like steps/nnet3/chain/train.py.  "],
        ["a note on Kaldi in a public repository (find_string, three copies)", "Not setting GPUs to compute exclusive mode led to this: **Failed to allocate a memory region of 622854144 bytes.  Possibly this is due to sharing the GPU.  Try switching the GPUs to exclusive mode (nvidia-smi -c 3) and using the option --use-gpu=wait to scripts like steps/nnet3/chain/train.py. "],
        ["https://github.com/naturomics/CapsNet-Tensorflow/issues/39", "InternalError (see above for traceback): Dst tensor is not initialized."],
        ["https://github.com/tensorflow/tensorflow/issues/21775", "InternalError: Dst tensor is not initialized."],
      ],
      nearMiss: [
        // Other codes are other CUDA errors; Theano's unformatted message (Theano#851, a bug of its own) names no
        // allocation; a host array that does not fit stays host_oom.
        ["F0619 01:19:24.123 Check failed: error == cudaSuccess (20 vs. 0)  invalid device ordinal", "cuda_error_library_check"],
        ["F0619 01:19:24.123 Check failed: error == cudaSuccess (12 vs. 0)  invalid pitch argument", "cuda_error_library_check"],
        // The glog check with code 2 is the CHECK status family's since the twenty-second round (one owner:
        // cuda_oom_library_check), whatever text the library appends (crash-corpus zk mxnet-10323, an MXNet report
        // found with find_string, a Caffe log of the third round).
        ["mxnet.base.MXNetError: [17:13:00] src/operator/nn/./../mxnet_op.h:576: Check failed: err == cudaSuccess (2 vs. 0) Name: mxnet_generic_kernel ErrStr:out of memory", "cuda_oom_library_check"],
        ["se.MXNetError: [03:58:39] /home/travis/build/dmlc/mxnet-distro/mxnet-build/3rdparty/mshadow/mshadow/././././cuda/tensor_gpu-inl.cuh:110: Check failed: err == cudaSuccess (2 vs. 0) Name: MapPlanKernel ErrStr:out of memory", "cuda_oom_library_check"],
        ["F0214 14:48:56.695240  8276 syncedmem.cpp:56] Check failed: error == cudaSuccess (2 vs. 0)  out of memory", "cuda_oom_library_check"],
        ["Error allocating %li bytes of device memory (%s).", null],
        // libfabric's examples print the same words for host memory they register (find_string).
        ["        printf(\"Failed to allocate a memory region of size %lu\\n\", g_mr.size);", null],
        ["CUDA failure 700: an illegal memory access was encountered ; GPU=0", "cuda_illegal_address"],
        ["numpy.core._exceptions._ArrayMemoryError: Unable to allocate 3.73 GiB for an array with shape (500000, 1000) and data type float64", "host_oom_numpy"],
      ],
    },
    {
      // CUDA's string for a kernel the display watchdog killed (cudaErrorLaunchTimeout), as Kaldi's CU_SAFE_CALL,
      // a glog check and darknet print it: a kernel that ran too long, not a job's time limit.
      rule: "cuda_launch_failure",
      real: [
        ["crash-corpus zk kaldi-2065, https://github.com/kaldi-asr/kaldi/issues/2065", "ERROR (rnnlm-train[5.2]:CopyFromSmat():cu-sparse-matrix.cc:395) cudaError_t 6 : \"the launch timed out and was terminated\" returned from 'cusparse_csr2csc(GetCusparseHandle(), smat.NumRows(), smat.NumCols(), smat.NumElements(), smat.CsrVal(), smat.CsrRowPtr(), smat.CsrColIdx(), CsrVal(), CsrColIdx(), CsrRowPtr(), CUSPARSE_ACTION_NUMERIC, CUSPARSE_INDEX_BASE_ZERO)'"],
        ["https://github.com/AlexeyAB/darknet/issues/6381 (glog check)", "F0730 15:51:34.761026 13923 math_functions.cu:79] Check failed: error == cudaSuccess (6 vs. 0)  the launch timed out and was terminated"],
        ["https://github.com/AlexeyAB/darknet/issues/6381 (darknet)", " CUDA Error: the launch timed out and was terminated"],
        ["https://github.com/kaldi-asr/kaldi/issues/2636 (the same report, another code: read before)", "ERROR (nnet3-train[5.4]:CopyToVec():cu-vector.cc:899) cudaError_t 4 : \"unspecified launch failure\" returned from 'cudaMemcpy(dst->Data(), this->data_, sizeof(Real) * dim_, cudaMemcpyDeviceToHost)'"],
      ],
      nearMiss: [
        ["srun: error: Job launch timed out", null],
        ["Launch timed out and was terminated by the scheduler", null],
      ],
    },
    {
      // The TPU runtime halting the program in its own words, which blame the program: an on-device check that
      // failed (the analogue of CUDA's device-side assert; vllm-project/tpu-inference#412 fixed it in the kernel's
      // inputs: a Mosaic kernel left a semaphore unawaited) or a halt it calls "likely an XLA compiler bug". A bare
      // `Core halted unexpectedly:` with no reason stays the sixth round's accelerator fault (tensorflow/tpu#785).
      rule: "cuda_tpu_program_halt",
      real: [
        ["crash-corpus za pytorch-xla-7138, https://github.com/pytorch/xla/issues/7138", "  0%|          | 1/7800 [00:01<2:37:37,  1.21s/it]F0000 00:00:1717141650.890307    9276 pjrt_computation_client.cc:487] Non-OK-status: status status: INTERNAL: Core halted unexpectedly: INTERNAL: Accelerator device halted prematurely, perhaps due to an on-device check-failure. Node 0 halted unexpectedly at tag:pc TensorCoreSequencer:887:0x6f1 (from TensorCoreSequencer:887:0x3b91): no debugging message found for this tag:pc. HLO: fusion.1; HLO computation: SyncTensorsGraph.55205_spmd"],
        ["https://github.com/vllm-project/tpu-inference/pull/412", "jaxlib._jax.XlaRuntimeError: INTERNAL: Core halted unexpectedly: INTERNAL: Accelerator device halted prematurely, perhaps due to an on-device check-failure. Node 0 halted unexpectedly at tag:pc TensorCoreSequencer:20:0xa (from TensorCoreSequencer:20:0x13a): Semaphore (scratch argument 3) has a nonzero value upon exit from a Mosaic kernel. Make sure every DMA is awaited, and every semaphore signal is paired with a wait. HLO: RPA-bq_16-bkvp_16-p_64.4; HLO computation: main.1119_spmd"],
        ["crash-corpus zk jax-19118, https://github.com/jax-ml/jax/issues/19118", "E1224 22:35:53.165575   26868 real_program_continuator.cc:1331] 0x0x0_TC0: *** Halt is unexpected, all pending programs will fail. This is likely an XLA compiler bug, please file a bug to xla-tpu@ and CC tfrt-devs@."],
        ["a TPU debugging note in a public repository (find_string, two notes)", "  - `INTERNAL: *** Halt is unexpected, all pending programs will fail.`"],
      ],
      nearMiss: [
        ["Core halted unexpectedly:", "gpu_accelerator_fault"],
        ["E0511 18:18:50.796852     915 tpunetd_client.cc:311] Detected failure SLICE_FAILURE_CHIP_DRIVER_ERROR in session e6c885828b538167; Start failure handling", "gpu_accelerator_fault"],
        ["  - `FAILED_PRECONDITION: The program continuator has halted unexpectedly.`", null],
      ],
    },
    {
      // Beyond the corpus: host memory exhausted as jemalloc reports it before it aborts (its `oom_string`, printed
      // when it is built or run to abort on a failed allocation), at the start of a line.
      rule: "host_oom_library",
      real: [
        ["a SPAdes assembly's log quoted in a public repository's notes (find_string)", " `<jemalloc>: Error in malloc(): out of memory"],
        ["a test run's output in a public repository (find_string): a forced allocation failure", "<jemalloc>: Error in malloc(): out of memory"],
      ],
      nearMiss: [
        // jemalloc's own source, a script's comment and a check on a log file (find_string) are no failure.
        ["\tsopts.oom_string = \"<jemalloc>: Error in malloc(): out of memory\\n\";", null],
        ["### Repeat LOL-WGS-1* but divide into 2 first so that we don;t run into \"<jemalloc>: Error in malloc(): out of memory\"", null],
        ["                if \"Error in malloc(): out of memory\" in await f.read():", null],
      ],
    },
    {
      // Beyond the corpus: Windows' access violation (0xC0000005) and its other native-crash codes in the words of
      // Visual Studio, MSBuild and the console host, `exited with code -1073741819`, beside `exit code` / `exit status`.
      rule: "segfault_windows_access_violation",
      real: [
        ["a build note in a public repository (find_string, two copies)", "# error MSB6006: \"cmd.exe\" exited with code -1073741819. [C:\\Jenkins\\workspace\\Component.AST.Windows-x86-64.prototype\\ast\\build\\paclet.vcxproj]"],
        ["a blog post in a public repository (find_string)", "> The program iisexpress.exe’ has exited with code -1073741819 (0xc0000005) ‘Access violation’."],
        ["a comment in a public repository's code (find_string): Visual Studio's console", "\t\tfor (int i = x ; i < x+len ; i++) {//bug : x < x+len  ==> C:\\Users\\csjis\\source\\repos\\test\\Debug\\test.exe (process 13848) exited with code -1073741819. "],
      ],
      nearMiss: [
        ["The program '[1234] python.exe' has exited with code 0 (0x0).", null],
        ["Process exited with code 1073741819", null],
        ["exited with code -1", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("fourteenth round (B): the corpus entries", () => {
  const cases: [string, string, string][] = [
    ["cuda_error/isaacgymenvs-45-physx-compresscontact-fail-to-launch-kernel.log", "cuda_error", "cuda_physx_gpu_error"],
    ["cuda_error/zk-llamafactory-pr7275-gaudi-sft-batch-gemm-synstatus-26.log", "cuda_error", "cuda_hpu_synapse_status"],
    ["gpu_hardware/zk-directml-44-icnet-training-device-removed-reason.log", "gpu_hardware", "gpu_device_lost"],
    ["gpu_hardware/zk-faceswap-1382-directml-rx7900-hresult-887a0005.log", "gpu_hardware", "gpu_device_lost"],
    ["cuda_error/zk-pytorch-gpu-benchmark-19-vega-miopen-code-object-build-failed.log", "cuda_error", "cuda_miopen_error"],
    ["cuda_oom/zk-mxnet-10323-textcnn-generic-kernel-out-of-memory.log", "cuda_oom", "cuda_oom_library_check"],
    ["cuda_oom/zk-kaggle-ndsb-3-theano-convnet-device-memory-error.log", "cuda_oom", "cuda_oom_other_runtimes"],
    ["cuda_error/zk-kaldi-2065-rnnlm-train-launch-timed-out-terminated.log", "cuda_error", "cuda_launch_failure"],
    ["cuda_error/zk-jax-19118-tpu-pod-eval-halt-is-unexpected.log", "cuda_error", "cuda_tpu_program_halt"],
    ["cuda_error/pytorch-xla-7138-tpu-core-halted-on-device-check-failure.log", "cuda_error", "cuda_tpu_program_halt"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("ENOSPC from the inotify watch limit is no full disk; errno 28 on a write still is", async () => {
    // watchdog's observer (RimSort's log, a systemd unit's journal; find_string) raises errno 28 when the kernel's
    // inotify watch limit is reached; the READMEs that quote it (Streamlit apps, a scanner) say it is not disk space.
    const rimsort = [
      "Traceback (most recent call last):",
      "  File \"/home/fofimofi/Desktop/RimWorld/RimSort/watchdog/observers/inotify_c.py\", line 416, in _add_watch",
      "  File \"/home/fofimofi/Desktop/RimWorld/RimSort/watchdog/observers/inotify_c.py\", line 428, in _raise_error",
      "OSError: [Errno 28] inotify watch limit reached",
    ];
    assert.equal(classifyLine(rules, "OSError: [Errno 28] inotify watch limit reached"), null);
    assert.deepEqual(await primaryOf("inotify.log", `${rimsort.join("\n")}\n`), { category: "python_exception", ruleId: "python_traceback" });
    // crash-corpus dddd-trainer-35 and megatron-lm-878: the same errno on a write.
    assert.equal(classifyLine(rules, "OSError: [Errno 28] No space left on device")?.rule.id, "disk_full");
  });

  test("a CUDA error with another code in the same glog check stays a CUDA error, not an OOM", () => {
    assert.equal(classifyLine(rules, "F0303 09:50:12.085932 3744 common.cpp:152] Check failed: error == cudaSuccess (38 vs. 0) no CUDA-capable device is detected")?.rule.id, "cuda_driver_mismatch");
  });
});
