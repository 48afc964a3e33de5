/**
 * Crash rules by enumeration from the sources (issue 10; docs/crash-accuracy.md, "Rules by enumeration from the
 * sources", items 200-): the error texts the frameworks themselves can print, taken from their source code (the
 * format string or the string table) and placed in the line shape the wrapping library prints them in, inside a
 * short traceback or log tail where a bare line would not be a crash. Each row is a whole text scanned like a log,
 * with the category the corpus's conventions give it (test/fixtures/crash-corpus; where the corpus already labels a
 * text, its label) and where the text was read. `none` rows are near misses: the same words in healthy runs
 * (warnings, retries that succeeded), which must raise no crash.
 *
 * Sources: `find_string hit N` is a public repository file the search tool does not name, cited by its hit id; a
 * repository + path is a file read with `read_file`. The wrappers (torch's `CUDA error: ` and its suffix, the c10d
 * NCCL check, the elastic error table) are quoted from pytorch/pytorch's sources as the hits show them.
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, childFailedReport, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes of the wrapping libraries.

const BACKWARD_FRAMES = [
  '  File "/workspace/train.py", line 96, in train_step',
  "    loss.backward()",
  '  File "/usr/local/lib/python3.10/dist-packages/torch/_tensor.py", line 522, in backward',
  "    torch.autograd.backward(",
  '  File "/usr/local/lib/python3.10/dist-packages/torch/autograd/__init__.py", line 266, in backward',
  "    Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass",
];

/** torch's C10_CUDA_CHECK: `CUDA error: <cudaGetErrorString>` and the suffix of c10/cuda/CUDAMiscFunctions.cpp. */
function torchCuda(what: string, cls = "RuntimeError", prefix = "CUDA error: "): string {
  return pyTrace([
    `${cls}: ${prefix}${what}`,
    "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.",
    "For debugging consider passing CUDA_LAUNCH_BLOCKING=1.",
    "Compile with `TORCH_USE_CUDA_DSA` to enable device-side assertions.",
  ], BACKWARD_FRAMES);
}

/** torch's C10D_NCCL_CHECK (torch/csrc/distributed/c10d/NCCLUtils.hpp): the message, the version, the detail. */
function torchNccl(ncclString: string, detail: string, lastError: string): string {
  return pyTrace([
    "torch.distributed.DistBackendError: NCCL error in: ../torch/csrc/distributed/c10d/NCCLUtils.hpp:317, " +
      `${ncclString}, NCCL version 2.20.5`,
    detail,
    "Last error:",
    lastError,
  ], [
    '  File "/usr/local/lib/python3.10/dist-packages/torch/distributed/c10d_logger.py", line 75, in wrapper',
    "    return func(*args, **kwargs)",
    '  File "/usr/local/lib/python3.10/dist-packages/torch/distributed/distributed_c10d.py", line 2219, in all_reduce',
    "    work = group.allreduce([tensor], opts)",
  ]);
}

/** torchrun's agent after a worker died: the api.py line, the elastic ChildFailedError table. */
function elasticTable(exitcode: number, signalName: string | null): string {
  const pid = 48213;
  const frames = [
    '  File "/usr/local/bin/torchrun", line 8, in <module>',
    "    sys.exit(main())",
    '  File "/usr/local/lib/python3.10/dist-packages/torch/distributed/launcher/api.py", line 263, in launch_agent',
  ];
  const traceback = signalName ? `Signal ${-exitcode} (${signalName}) received by PID ${pid}` : "To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html";
  return [
    ...PROGRESS,
    "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 48214 closing signal SIGTERM",
    ...childFailedReport({ exitcode, pid, rank: 0, frames, traceback }),
    "",
  ].join("\n");
}

/** A launcher's subprocess call (accelerate, a wrapper script) ending in CPython's CalledProcessError. */
function calledProcess(message: string): string {
  return pyTrace(
    `subprocess.CalledProcessError: Command '['/usr/bin/python3', 'train.py', '--config', 'cfg.yaml']' ${message}`,
    [
      '  File "/usr/local/lib/python3.10/dist-packages/accelerate/commands/launch.py", line 1097, in launch_command',
      "    simple_launcher(args)",
      '  File "/usr/local/lib/python3.10/dist-packages/accelerate/commands/launch.py", line 703, in simple_launcher',
      "    raise subprocess.CalledProcessError(returncode=process.returncode, cmd=cmd)",
    ],
  );
}

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const CUDA_TABLE = "CUDA driver/runtime string table (cuGetErrorString texts; find_string hit 789361539) in torch's C10_CUDA_CHECK (c10/cuda/CUDAMiscFunctions.cpp)";

const FAMILIES: Record<string, Row[]> = {
  "1. CUDA runtime and driver errors as torch, JAX/TF, CuPy, Numba and HIP print them": [
    [torchCuda("an illegal memory access was encountered"), "cuda_error", CUDA_TABLE],
    [torchCuda("misaligned address"), "cuda_error", CUDA_TABLE],
    [torchCuda("too many resources requested for launch"), "cuda_error", CUDA_TABLE],
    [torchCuda("unspecified launch failure"), "cuda_error", CUDA_TABLE],
    [torchCuda("the launch timed out and was terminated"), "cuda_error", CUDA_TABLE],
    [torchCuda("uncorrectable ECC error encountered"), "gpu_hardware", CUDA_TABLE],
    [torchCuda("uncorrectable NVLink error detected during the execution"), "gpu_hardware", CUDA_TABLE],
    [torchCuda("out of memory"), "cuda_oom", CUDA_TABLE],
    [torchCuda("an illegal instruction was encountered"), "cuda_error", CUDA_TABLE],
    [torchCuda("hardware stack error"), "cuda_error", CUDA_TABLE],
    [torchCuda("invalid program counter"), "cuda_error", CUDA_TABLE],
    [torchCuda("operation not supported on global/shared address space"), "cuda_error", CUDA_TABLE],
    [torchCuda("device-side assert triggered"), "cuda_error", CUDA_TABLE],
    [torchCuda("no kernel image is available for execution on the device"), "cuda_error", CUDA_TABLE],
    [torchCuda("invalid device ordinal"), "cuda_error", CUDA_TABLE],
    [torchCuda("initialization error"), "cuda_error", CUDA_TABLE],
    [torchCuda("unknown error"), "cuda_error", CUDA_TABLE],
    [torchCuda("invalid argument"), "cuda_error", CUDA_TABLE],
    [torchCuda("invalid resource handle"), "cuda_error", CUDA_TABLE],
    [torchCuda("invalid configuration argument"), "cuda_error", "cudaErrorInvalidConfiguration (find_string hit 46404850386 lists it with the launch errors) in torch's C10_CUDA_CHECK"],
    [torchCuda("all CUDA-capable devices are busy or unavailable"), "cuda_error", "cudaErrorDevicesUnavailable in torch's C10_CUDA_CHECK"],
    [torchCuda("operation not permitted when stream is capturing"), "cuda_error", CUDA_TABLE],
    [torchCuda("operation failed due to a previous error during capture"), "cuda_error", CUDA_TABLE],
    [torchCuda("a PTX JIT compilation failed"), "cuda_error", CUDA_TABLE],
    [torchCuda("the provided PTX was compiled with an unsupported toolchain."), "cuda_error", CUDA_TABLE],
    [torchCuda("peer mapping resources exhausted"), "cuda_error", CUDA_TABLE],
    [torchCuda("too many blocks in cooperative launch"), "cuda_error", CUDA_TABLE],
    [torchCuda("system not yet initialized"), "cuda_error", CUDA_TABLE],
    [torchCuda("system has unsupported display driver / cuda driver combination"), "cuda_error", CUDA_TABLE],
    [torchCuda("CUDA driver version is insufficient for CUDA runtime version"), "cuda_error", "cudaErrorInsufficientDriver in torch's C10_CUDA_CHECK"],
    [torchCuda("an illegal memory access was encountered", "torch.AcceleratorError"), "cuda_error", "torch 2.8+'s AcceleratorError (c10/util/Exception.h) wrapping C10_CUDA_CHECK"],
    [torchCuda("invalid argument", "RuntimeError", "CUDA driver error: "), "cuda_error", "torch's C10_CUDA_DRIVER_CHECK (c10/cuda/driver_api.h: `CUDA driver error: ` + cuGetErrorString)"],
    [torchCuda("out of memory", "RuntimeError", "CUDA driver error: "), "cuda_oom", "torch's C10_CUDA_DRIVER_CHECK with CUDA_ERROR_OUT_OF_MEMORY's string"],
    [pyTrace("RuntimeError: Triton Error [CUDA]: an illegal memory access was encountered"), "cuda_error", "triton's driver check (`Triton Error [CUDA]: ` + cuGetErrorString; find_string hit 71062417056 quotes it)"],
    [pyTrace("RuntimeError: Triton Error [CUDA]: misaligned address"), "cuda_error", "triton's driver check with CUDA_ERROR_MISALIGNED_ADDRESS's string"],
    [pyTrace("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to launch CUDA kernel: fusion_12 with block dimensions: 256x1x1 and grid dimensions: 1024x1x1: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered"), "cuda_error", "XLA's GpuDriver::LaunchKernel (`Failed to launch CUDA kernel: ... with block dimensions`; find_string hit 13785580282) and ToString(CUresult) = name: string"],
    [pyTrace("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to launch CUDA kernel: fusion_3 with block dimensions: 128x1x1 and grid dimensions: 64x1x1: CUDA_ERROR_LAUNCH_FAILED: unspecified launch failure"), "cuda_error", "as above, CUDA_ERROR_LAUNCH_FAILED"],
    [pyTrace("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to launch CUDA kernel: fusion_7 with block dimensions: 1024x1x1 and grid dimensions: 2048x1x1: CUDA_ERROR_LAUNCH_TIMEOUT: the launch timed out and was terminated"), "cuda_error", "as above, CUDA_ERROR_LAUNCH_TIMEOUT"],
    [[...PROGRESS, "2023-06-01 10:12:13.456789: E tensorflow/compiler/xla/stream_executor/cuda/cuda_event.cc:29] Error polling for event status: failed to query event: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered", "2023-06-01 10:12:13.456901: F tensorflow/core/common_runtime/device/device_event_mgr.cc:223] Unexpected Event status: 1", "Aborted (core dumped)", ""].join("\n"), "cuda_error", "TensorFlow's stream executor (cuda_event.cc, CUresult name: string)"],
    [[...PROGRESS, "2023-06-01 10:12:13.456789: E tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:1016] failed to synchronize the stop event: CUDA_ERROR_ECC_UNCORRECTABLE: uncorrectable ECC error encountered", "2023-06-01 10:12:13.456901: F tensorflow/core/common_runtime/device/device_event_mgr.cc:223] Unexpected Event status: 1", ""].join("\n"), "gpu_hardware", "TensorFlow's stream executor with CUDA_ERROR_ECC_UNCORRECTABLE"],
    [pyTrace("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorIllegalAddress: an illegal memory access was encountered"), "cuda_error", "CuPy's runtime check (cudaGetErrorName: cudaGetErrorString)"],
    [pyTrace("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorMemoryAllocation: out of memory"), "cuda_oom", "CuPy's runtime check, cudaErrorMemoryAllocation"],
    [pyTrace("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorNoDevice: no CUDA-capable device is detected"), "cuda_error", "CuPy's runtime check, cudaErrorNoDevice"],
    [pyTrace("cupy_backends.cuda.api.runtime.CUDARuntimeError: cudaErrorLaunchTimeout: the launch timed out and was terminated"), "cuda_error", "CuPy's runtime check, cudaErrorLaunchTimeout"],
    [pyTrace("numba.cuda.cudadrv.driver.CudaAPIError: [701] Call to cuLaunchKernel results in CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"), "cuda_error", "Numba's driver check (`Call to X results in CUDA_ERROR_...`; find_string hit 53140735242)"],
    [pyTrace("numba.cuda.cudadrv.driver.CudaAPIError: [700] Call to cuMemcpyDtoH results in CUDA_ERROR_ILLEGAL_ADDRESS"), "cuda_error", "Numba's driver check"],
    [pyTrace("numba.cuda.cudadrv.driver.CudaAPIError: [2] Call to cuMemAlloc results in CUDA_ERROR_OUT_OF_MEMORY"), "cuda_oom", "Numba's driver check (find_string hit 5792081265)"],
    [torchCuda("invalid device function", "RuntimeError", "HIP error: ").replace(/CUDA_LAUNCH_BLOCKING|TORCH_USE_CUDA_DSA/g, (m) => m === "CUDA_LAUNCH_BLOCKING" ? "AMD_SERIALIZE_KERNEL=3" : "TORCH_USE_HIP_DSA"), "cuda_error", "torch ROCm builds (hipified C10_CUDA_CHECK: `HIP error: ` + hipGetErrorString)"],
    [torchCuda("an illegal memory access was encountered", "RuntimeError", "HIP error: "), "cuda_error", "torch ROCm builds, hipErrorIllegalAddress's string"],
    [torchCuda("out of memory", "RuntimeError", "HIP error: "), "cuda_oom", "torch ROCm builds, hipErrorOutOfMemory's string"],
    [pyTrace("RuntimeError: hipErrorNoBinaryForGpu: Unable to find code object for all current devices!"), "cuda_error", "HIP runtime (hipErrorNoBinaryForGpu)"],
    [[...PROGRESS, ":0:rocdevice.cpp            :2984: 1735261812345 us: [pid:81234 tid:0x7f2b5bfff700] Callback: Queue 0x7f2a70100000 aborting with error : HSA_STATUS_ERROR_MEMORY_APERTURE_VIOLATION: The agent attempted to access memory beyond the largest legal address. code: 0x29", "Aborted (core dumped)", ""].join("\n"), "cuda_error", "ROCm's rocdevice.cpp queue abort (HSA status)"],
    [pyTrace("RuntimeError: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero."), "cuda_error", "torch's device count on cudaErrorUnknown (c10/cuda/CUDAFunctions.cpp; find_string hit 383382019)"],
    [pyTrace("RuntimeError: CUDA driver initialization failed, you might not have a CUDA gpu."), "cuda_error", "torch's device count on cudaErrorInitializationError (c10/cuda/CUDAFunctions.cpp; hit 383382019)"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : CUDA failure 700: an illegal memory access was encountered ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc ; line=121 ; expr=cudaStreamSynchronize(static_cast<cudaStream_t>(GetHandle()));"), "cuda_error", "ONNX Runtime's CudaCall (`CUDA failure N: <string> ; GPU=N ; hostname= ; expr=`; find_string hit 70372048915)"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.RuntimeException: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running MatMul node. Name:'/decoder/MatMul' Status Message: CUDA failure 2: out of memory ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_allocator.cc ; line=47 ; expr=cudaMalloc((void**)&p, size);"), "cuda_oom", "ONNX Runtime's CudaCall with code 2 (find_string hits 70372048915, 71033725712)"],
    [[...PROGRESS, "CUDA failure 2: out of memory ; GPU=0 ; hostname=gn26 ; expr=cudaMalloc((void**) &deviceBufferPtr, sizeof(AllocatedElemType) * AsMultipleOf(numElements, 2))", ""].join("\n"), "cuda_oom", "CNTK's CUDA_CALL, the same format (find_string hit 43608552124)"],
    [[...PROGRESS, "[11/07/2025-17:42:27] [TRT] [E] [resizingAllocator.cpp::allocate::78] Error Code 1: Cuda Runtime (out of memory)", "[11/07/2025-17:42:29] [TRT] [E] [myelinResourceManager.cpp::allocate::196] Error Code 2: OutOfMemory (Requested size was 7516192768 bytes.)", ""].join("\n"), "cuda_oom", "TensorRT's logger (`Error Code 1: Cuda Runtime (<string>)`; find_string hit 1431734860)"],
    [[...PROGRESS, "[07/03/2024-07:37:30] [TRT] [E] 1: [resizeRunner.cpp::execute::89] Error Code 1: Cuda Runtime (an illegal memory access was encountered)", ""].join("\n"), "cuda_error", "TensorRT's logger with a runtime error string (find_string hit 44354670678)"],
    [pyTrace("triton.runtime.errors.OutOfResources: out of resource: shared memory, Required: 131072, Hardware limit: 101376. Reducing block sizes or `num_stages` may help."), "cuda_error", "triton's compiler check (triton/runtime/errors.py OutOfResources)"],
    [pyTrace("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.02 GiB is free. Including non-PyTorch memory, this process has 78.11 GiB memory in use. Of the allocated memory 74.31 GiB is allocated by PyTorch, and 3.12 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)", BACKWARD_FRAMES), "cuda_oom", "torch's CUDACachingAllocator (c10/cuda/CUDACachingAllocator.cpp, torch 2.5+ class name)"],
    [pyTrace("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 23.69 GiB total capacity; 22.87 GiB already allocated; 6.81 MiB free; 22.98 GiB reserved in total by PyTorch) If reserved memory is >> allocated memory try setting max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and PYTORCH_CUDA_ALLOC_CONF"), "cuda_oom", "torch's CUDACachingAllocator (torch 1.13-2.0 wording)"],
    [pyTrace("RuntimeError: No CUDA GPUs are available"), "cuda_error", "torch's CUDA lazy init (torch._C._cuda_init) when no device is visible"],
    [[...PROGRESS, "Failed: Cuda error nccl_allreduce.cu:61 'invalid argument'", ""].join("\n"), "cuda_error", "the CUDACHECK macro of NCCL's examples, nccl-tests and vLLM's custom all-reduce (`Failed: Cuda error %s:%d '%s'`; find_string hits 22171026521, 36028704026)"],
    [[...PROGRESS, "Failed: Cuda error common.cu:892 'out of memory'", ""].join("\n"), "cuda_oom", "the same CUDACHECK macro with cudaErrorMemoryAllocation's string"],
  ],

  "2. GPU math libraries, compilers and NCCL statuses as torch wraps them": [
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_EXECUTION_FAILED when calling `cublasSgemm( handle, opa, opb, m, n, k, &alpha, a, lda, b, ldb, &beta, c, ldc)`", BACKWARD_FRAMES), "cuda_error", "torch's TORCH_CUDABLAS_CHECK (aten/src/ATen/cuda/CUDABlas.cpp) with cuBLAS's status names (find_string/code hit: _cublasGetErrorString table)"],
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_INTERNAL_ERROR when calling `cublasGemmEx( handle, opa, opb, m, n, k, &falpha, a, CUDA_R_16F, lda, b, CUDA_R_16F, ldb, &fbeta, c, CUDA_R_16F, ldc, compute_type, CUBLAS_GEMM_DEFAULT_TENSOR_OP)`"), "cuda_error", "TORCH_CUDABLAS_CHECK, CUBLAS_STATUS_INTERNAL_ERROR"],
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_INVALID_VALUE when calling `cublasGemmStridedBatchedExFix( handle, opa, opb, m, n, k, (void*)(&falpha), a, CUDA_R_16BF, lda, stridea, b, CUDA_R_16BF, ldb, strideb, (void*)(&fbeta), c, CUDA_R_16BF, ldc, stridec, num_batches, compute_type, CUBLAS_GEMM_DEFAULT_TENSOR_OP)`"), "cuda_error", "TORCH_CUDABLAS_CHECK, CUBLAS_STATUS_INVALID_VALUE"],
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_SUPPORTED when calling `cublasLtMatmul( ltHandle, computeDesc.descriptor(), &alpha_val, mat1_ptr, Adesc.descriptor(), mat2_ptr, Bdesc.descriptor(), &beta_val, result_ptr, Cdesc.descriptor(), result_ptr, Cdesc.descriptor(), &heuristicResult.algo, workspace.mutable_get(), workspaceSize, at::cuda::getCurrentCUDAStream())`"), "cuda_error", "TORCH_CUDABLAS_CHECK in cublasLt, CUBLAS_STATUS_NOT_SUPPORTED"],
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_ALLOC_FAILED when calling `cublasCreate(handle)`"), "cuda_oom", "TORCH_CUDABLAS_CHECK at handle creation, CUBLAS_STATUS_ALLOC_FAILED (corpus convention: cuda_oom)"],
    [pyTrace("RuntimeError: CUDA error: CUBLAS_STATUS_NOT_INITIALIZED when calling `cublasCreate(handle)`"), "cuda_error", "TORCH_CUDABLAS_CHECK at handle creation: a cuBLAS status that is not an allocation failure (corpus labels chatglm-efficient-tuning-288, ai-toolkit-97; twenty-third round)"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_INTERNAL_ERROR", BACKWARD_FRAMES), "cuda_error", "torch's AT_CUDNN_CHECK (aten/src/ATen/cudnn/Exceptions.h: `cuDNN error: ` + cudnnGetErrorString)"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_EXECUTION_FAILED"), "cuda_error", "AT_CUDNN_CHECK, CUDNN_STATUS_EXECUTION_FAILED"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_MAPPING_ERROR"), "cuda_error", "AT_CUDNN_CHECK, CUDNN_STATUS_MAPPING_ERROR"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_NOT_SUPPORTED. This error may appear if you passed in a non-contiguous input."), "cuda_error", "AT_CUDNN_CHECK's NOT_SUPPORTED hint"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_BAD_PARAM"), "cuda_error", "AT_CUDNN_CHECK, CUDNN_STATUS_BAD_PARAM"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_NOT_INITIALIZED"), "cuda_error", "AT_CUDNN_CHECK, CUDNN_STATUS_NOT_INITIALIZED (corpus: cuda_error)"],
    [pyTrace("RuntimeError: cuDNN error: CUDNN_STATUS_ALLOC_FAILED"), "cuda_oom", "AT_CUDNN_CHECK, CUDNN_STATUS_ALLOC_FAILED (memory status: cuda_oom)"],
    [pyTrace("RuntimeError: Unable to find a valid cuDNN algorithm to run convolution"), "cuda_oom", "torch's cudnn Conv_v7.cpp (rule cuda_oom_cudnn_algo: memory in disguise)"],
    [pyTrace("RuntimeError: cuDNN Frontend error: [cudnn_frontend] Error: No execution plans support the graph."), "cuda_error", "torch's cuDNN SDPA (aten/src/ATen/native/cudnn/MHA.cpp: `cuDNN Frontend error: ` + the frontend's error)"],
    [pyTrace("RuntimeError: cuFFT error: CUFFT_INTERNAL_ERROR"), "cuda_error", "torch's CUFFT_CHECK (aten/src/ATen/native/cuda/CuFFTUtils.h: `cuFFT error: ` + the status name)"],
    [pyTrace("RuntimeError: cuFFT error: CUFFT_EXEC_FAILED"), "cuda_error", "CUFFT_CHECK, CUFFT_EXEC_FAILED"],
    [pyTrace("RuntimeError: cusolver error: CUSOLVER_STATUS_EXECUTION_FAILED, when calling `cusolverDnSgetrf( handle, m, n, dA, ldda, static_cast<float*>(dataPtr.get()), ipiv, info)`. If you keep seeing this error, you may use `torch.backends.cuda.preferred_linalg_library()` to try linear algebra operators with other supported backends. See https://pytorch.org/docs/stable/backends.html#torch.backends.cuda.preferred_linalg_library"), "cuda_error", "torch's TORCH_CUSOLVER_CHECK (aten/src/ATen/cuda/CUDASolver.h)"],
    [pyTrace("RuntimeError: cusolver error: CUSOLVER_STATUS_INTERNAL_ERROR, when calling `cusolverDnCreate(handle)`. If you keep seeing this error, you may use `torch.backends.cuda.preferred_linalg_library()` to try linear algebra operators with other supported backends. See https://pytorch.org/docs/stable/backends.html#torch.backends.cuda.preferred_linalg_library"), "cuda_error", "TORCH_CUSOLVER_CHECK at handle creation"],
    [pyTrace("RuntimeError: CUDA error: CUSPARSE_STATUS_INTERNAL_ERROR when calling `cusparseSpMM( handle, opA, opB, &alpha, descA.descriptor(), descB.descriptor(), &beta, descC.descriptor(), compute_type, CUSPARSE_SPMM_ALG_DEFAULT, dataPtr.get())`"), "cuda_error", "torch's TORCH_CUDASPARSE_CHECK (aten/src/ATen/cuda/Exceptions.h)"],
    [pyTrace("cupy_backends.cuda.libs.curand.CURANDError: CURAND_STATUS_LAUNCH_FAILURE"), "cuda_error", "CuPy's cuRAND check (curandStatus_t names)"],
    [pyTrace("RuntimeError: nvrtc: error: invalid value for --gpu-architecture (-arch)"), "cuda_error", "torch's NVRTC_CHECK in the JIT fuser (nvrtcGetErrorString's compile log)"],
    [torchNccl("unhandled system error (run with NCCL_DEBUG=INFO for details)", "ncclSystemError: System call (e.g. socket, malloc) or external library call failed or device error. ", "socketStartConnect: Connect to 10.0.3.12<43215> failed : Software caused connection abort"), "nccl_error", "ncclGetErrorString (find_string hit 47410829594) in C10D_NCCL_CHECK (hit 55124514) with getNcclErrorDetailStr (hit 11722055)"],
    [torchNccl("unhandled cuda error (run with NCCL_DEBUG=INFO for details)", "ncclUnhandledCudaError: Call to CUDA function failed.", "Cuda failure 'invalid argument'"), "nccl_error", "ncclGetErrorString, ncclUnhandledCudaError (corpus: 17 nccl_error)"],
    [torchNccl("internal error - please report this issue to the NCCL developers", "ncclInternalError: Internal check failed.", "Proxy Call to rank 3 failed (Connect)"), "nccl_error", "ncclGetErrorString, ncclInternalError"],
    [torchNccl("invalid usage (run with NCCL_DEBUG=WARN for details)", "ncclInvalidUsage: This usually reflects invalid usage of NCCL library.", "Duplicate GPU detected : rank 1 and rank 0 both on CUDA device 1a000"), "nccl_error", "ncclGetErrorString, ncclInvalidUsage"],
    [torchNccl("invalid argument (run with NCCL_DEBUG=WARN for details)", "ncclInvalidArgument: Invalid value for an argument.", "Invalid config blocking attribute value -2147483648"), "nccl_error", "ncclGetErrorString, ncclInvalidArgument"],
    [torchNccl("remote process exited or there was a network error", "ncclRemoteError: A call failed possibly due to a network error or a remote process exiting prematurely.", "NET/IB : Got completion from peer 10.0.3.14<46811> with status=IBV_WC_RETRY_EXC_ERR(12) opcode=IBV_WC_SEND(0) reqSize=0 vendor_err=129 req_type=Send localGid ::ffff:10.0.3.12 remoteGids::ffff:10.0.3.14 hca mlx5_0"), "nccl_error", "ncclGetErrorString, ncclRemoteError"],
    [pyTrace("RuntimeError: NCCL error in: /opt/conda/conda-bld/pytorch_1646755903507/work/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1169, unhandled cuda error, NCCL version 21.0.3"), "nccl_error", "the pre-1.13 C10D_NCCL_CHECK (hit 502306345: message and version only)"],
    [[...PROGRESS, "gpu-node-07:48213:48420 [0] NCCL INFO Channel 00/0 : 0[1a000] -> 1[1b000] via P2P/IPC", "gpu-node-07:48213:48420 [0] transport/net_ib.cc:1295 NCCL WARN NET/IB : Got completion from peer 10.0.3.14<46811> with error 12, opcode 0, len 0, vendor err 129 (Send)", "gpu-node-07:48213:48420 [0] NCCL INFO transport/net.cc:1134 -> 6", "gpu-node-07:48213:48420 [0] NCCL INFO proxy.cc:1325 -> 6", ""].join("\n"), "nccl_error", "NCCL's WARN format (`host:pid:tid [dev] NCCL WARN`, src/debug.cc) with net_ib.cc's completion error"],
    [torchNccl("unhandled cuda error (run with NCCL_DEBUG=INFO for details)", "ncclUnhandledCudaError: Call to CUDA function failed.", "Cuda failure 'out of memory'"), "cuda_oom", "ncclUnhandledCudaError whose last error is CUDA's memory (rule cuda_oom_nccl)"],
    [[...PROGRESS, "RuntimeError: NCCL communicator was aborted on rank 3.  Original reason for failure was: NCCL error: unhandled system error, NCCL version 2.10.3", ""].join("\n"), "nccl_error", "ProcessGroupNCCL's abort message (corpus: 6 nccl_error)"],
    [[...PROGRESS, "gpu-node-07:48213:48501 [0] misc/socket.cc:538 NCCL WARN Net : Connection closed by remote peer 10.0.3.14<46811>", "gpu-node-07:48213:48501 [0] NCCL INFO transport/net_socket.cc:474 -> 6", ""].join("\n"), "nccl_error", "NCCL's socket.cc (corpus: 6 nccl_error)"],
    [[...PROGRESS, "gpu-node-07:48213:48501 [0] misc/socket.cc:49 NCCL WARN socketProgressOpt: Call to recv from 10.0.3.14<46811> failed : Connection reset by peer", "gpu-node-07:48213:48501 [0] NCCL INFO misc/socket.cc:60 -> 6", ""].join("\n"), "nccl_error", "NCCL's socket.cc socketProgressOpt"],
    [pyTrace("RuntimeError: [../third_party/gloo/gloo/transport/tcp/pair.cc:534] Read error [10.0.3.14]:41817: Connection reset by peer"), "nccl_error", "gloo's tcp pair.cc read error (corpus: 3 nccl_error)"],
  ],

  "3. torch.distributed: store, rendezvous, watchdog, elastic agent, gloo, launchers": [
    [pyTrace("torch.distributed.DistStoreError: Timed out after 901 seconds waiting for clients. 1/2 clients joined."), "timeout", "TCPStore's wait for workers (torch/csrc/distributed/c10d/TCPStore.cpp; quoted by find_string hits 59209246444, 70868997499)"],
    [pyTrace("torch.distributed.DistNetworkError: The client socket has timed out after 1800000ms while trying to connect to (10.0.3.12, 29500)."), "timeout", "c10d socket.cpp's connect timeout (corpus: 13 timeout)"],
    [pyTrace("RuntimeError: Socket Timeout"), "timeout", "c10d's store read timeout (corpus: 16 timeout)"],
    [pyTrace("torch.distributed.elastic.rendezvous.api.RendezvousTimeoutError"), "timeout", "torch/distributed/elastic/rendezvous/api.py"],
    [pyTrace("torch.distributed.elastic.rendezvous.api.RendezvousConnectionError: The connection to the C10d store has failed. See inner exception for details."), "timeout", "torch/distributed/elastic/rendezvous/c10d_rendezvous_backend.py (corpus: 6 timeout)"],
    [pyTrace(["torch.distributed.DistNetworkError: The server socket has failed to listen on any local network address. port: 29500, useIpv6: false, code: -98, name: EADDRINUSE, message: address already in use"]), "python_exception", "c10d socket.cpp's listen failure (find_string hit 66979815406): a port in use, no timeout"],
    [[...PROGRESS, "[rank1]:[E ProcessGroupNCCL.cpp:563] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1273, OpType=ALLREDUCE, NumelIn=1, NumelOut=1, Timeout(ms)=600000) ran for 600041 milliseconds before timing out.", "[rank1]:[E ProcessGroupNCCL.cpp:1537] [PG 0 Rank 1] Timeout at NCCL work: 1273, last enqueued NCCL work: 1273, last completed NCCL work: 1272.", "[rank1]:[E ProcessGroupNCCL.cpp:577] [Rank 1] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data.", "[rank1]:[E ProcessGroupNCCL.cpp:583] [Rank 1] To avoid data inconsistency, we are taking the entire process down.", ""].join("\n"), "nccl_error", "ProcessGroupNCCL.cpp's watchdog (corpus convention: nccl_error)"],
    [[...PROGRESS, "[rank25]:[E ProcessGroupNCCL.cpp:1316] [PG 0 Rank 25] Heartbeat monitor timed out! Process will be terminated after dumping debug info. workMetaList_.size()=2", "[rank25]:[E ProcessGroupNCCL.cpp:1153] [PG 0 Rank 25] ProcessGroupNCCL preparing to dump debug info.", "[rank25]:[F ProcessGroupNCCL.cpp:1169] [PG 0 Rank 25] [PG 0 Rank 25] ProcessGroupNCCL's watchdog got stuck for 600 seconds without making progress in monitoring enqueued collectives. This typically indicates a NCCL/CUDA API hang blocking the watchdog, and could be triggered by another thread holding the GIL inside a CUDA api, or other deadlock-prone behaviors.If you suspect the watchdog is not actually stuck and a longer timeout would help, you can either increase the timeout (TORCH_NCCL_HEARTBEAT_TIMEOUT_SEC) to a larger value or disable the heartbeat monitor (TORCH_NCCL_ENABLE_MONITORING=0).If either of aforementioned helps, feel free to file an issue to PyTorch about the short timeout or false positive abort; otherwise, please attempt to debug the hang.", ""].join("\n"), "nccl_error", "ProcessGroupNCCL.cpp's heartbeat monitor (find_string hits 64170360, 24255785376)"],
    [[...PROGRESS, "terminate called after throwing an instance of 'c10::DistBackendError'", "  what():  [PG ID 0 PG GUID 0(default_pg) Rank 1] Process group watchdog thread terminated with exception: CUDA error: an illegal memory access was encountered", "CUDA kernel errors might be asynchronously reported at some other API call, so the stacktrace below might be incorrect.", "Exception raised from c10_cuda_check_implementation at ../c10/cuda/CUDAException.cpp:43 (most recent call first):", ""].join("\n"), "cuda_error", "ProcessGroupNCCL's watchdog ending on a CUDA error (the CUDA error is the cause)"],
    [elasticTable(-9, "SIGKILL"), "process_killed", "torch/distributed/elastic/multiprocessing/errors/__init__.py (the table; find_string hit 60271860459) and api.py"],
    [elasticTable(-11, "SIGSEGV"), "segfault", "as above, SIGSEGV"],
    [elasticTable(-7, "SIGBUS"), "segfault", "as above, SIGBUS"],
    [[...PROGRESS, "[2024-05-02 10:11:12,345] torch.distributed.elastic.agent.server.api: [WARNING] Received 15 death signal, shutting down workers", "[2024-05-02 10:11:12,346] torch.distributed.elastic.multiprocessing.api: [WARNING] Closing process 48213 via signal SIGTERM", "Traceback (most recent call last):", '  File "/usr/local/bin/torchrun", line 8, in <module>', "    sys.exit(main())", "torch.distributed.elastic.multiprocessing.api.SignalException: Process 48210 got signal: 15", ""].join("\n"), "process_killed", "torch/distributed/elastic/agent/server/api.py and multiprocessing/api.py (SignalException)"],
    [[...PROGRESS, "RuntimeError: [../third_party/gloo/gloo/transport/tcp/pair.cc:598] Connection closed by peer [10.0.3.14]:16223", ""].join("\n"), "nccl_error", "gloo's tcp pair.cc (corpus: 5 nccl_error)"],
    [pyTrace("RuntimeError: [/opt/conda/conda-bld/pytorch_1699449201336/work/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:81] Timed out waiting 1800000ms for recv operation to complete"), "timeout", "gloo's unbound_buffer.cc (rule timeout_collective_gloo)"],
    [[...PROGRESS, "[2024-05-02 10:11:12,345] [INFO] [launch.py:319:sigkill_handler] Killing subprocess 48213", "[2024-05-02 10:11:12,346] [INFO] [launch.py:319:sigkill_handler] Killing subprocess 48214", "[2024-05-02 10:11:12,347] [ERROR] [launch.py:325:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=1', '--deepspeed', 'ds_config.json'] exits with return code = -9", ""].join("\n"), "process_killed", "DeepSpeed's launcher/launch.py sigkill_handler (corpus: 3 process_killed)"],
    [[...PROGRESS, "[2024-05-02 10:11:12,347] [ERROR] [launch.py:325:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=0'] exits with return code = -11", ""].join("\n"), "segfault", "DeepSpeed's launch.py, -11 (corpus: 2 segfault)"],
    [calledProcess("died with <Signals.SIGKILL: 9>."), "process_killed", "CPython Lib/subprocess.py CalledProcessError.__str__ (find_string hit 62126998) in accelerate's simple_launcher"],
    [calledProcess("died with <Signals.SIGSEGV: 11>."), "segfault", "CalledProcessError with SIGSEGV (corpus: 3 segfault)"],
    [calledProcess("died with <Signals.SIGBUS: 7>."), "segfault", "CalledProcessError with SIGBUS"],
    [calledProcess("died with <Signals.SIGTERM: 15>."), "process_killed", "CalledProcessError with SIGTERM"],
    [calledProcess("returned non-zero exit status -9."), "process_killed", "Python 2's CalledProcessError (`returned non-zero exit status %d`, no signal name)"],
    [calledProcess("returned non-zero exit status -11."), "segfault", "Python 2's CalledProcessError, -11"],
    [calledProcess("returned non-zero exit status 137."), "process_killed", "CalledProcessError of a shell wrapper (128 + SIGKILL)"],
    [pyTrace("RuntimeError: DataLoader worker (pid 48377) is killed by signal: Killed. ", ['  File "/usr/local/lib/python3.10/dist-packages/torch/utils/data/_utils/signal_handling.py", line 66, in handler', "    _error_if_any_worker_fails()"]), "process_killed", "torch/utils/data/_utils/signal_handling.py (find_string hit 1303325564; corpus: 17 process_killed)"],
    [pyTrace("RuntimeError: DataLoader worker (pid 48377) is killed by signal: Segmentation fault. ", ['  File "/usr/local/lib/python3.10/dist-packages/torch/utils/data/_utils/signal_handling.py", line 66, in handler', "    _error_if_any_worker_fails()"]), "segfault", "as above, SIGSEGV (corpus: 5 segfault)"],
    [pyTrace(["ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).", "RuntimeError: DataLoader worker (pid 48377) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit."]), "segfault", "as above, SIGBUS (corpus convention: a /dev/shm bus error is segfault)"],
    [pyTrace("concurrent.futures.process.BrokenProcessPool: A process in the process pool was terminated abruptly while the future was running or pending."), "process_killed", "CPython Lib/concurrent/futures/process.py (rule killed_pool_worker_died)"],
    [pyTrace("torch.distributed.DistBackendError: [3] is setting up NCCL communicator and retrieving ncclUniqueId from [0] via c10d key-value store by key '0', but store->get('0') got error: Socket Timeout"), "timeout", "ProcessGroupNCCL's broadcastUniqueNCCLID (corpus: 11 timeout)"],
    [pyTrace("RuntimeError: Timed out initializing process group in store based barrier on rank: 3, for key: store_based_barrier_key:1 (world_size=8, worker_count=4, timeout=0:30:00)"), "timeout", "torch/distributed/distributed_c10d.py _store_based_barrier (corpus: 13 timeout)"],
    [pyTrace("torch.multiprocessing.spawn.ProcessExitedException: process 1 terminated with signal SIGKILL", ['  File "/usr/local/lib/python3.10/dist-packages/torch/multiprocessing/spawn.py", line 170, in join', "    raise ProcessExitedException("]), "process_killed", "torch/multiprocessing/spawn.py (`process %d terminated with signal %s`; corpus: 10 process_killed)"],
    [pyTrace("torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with signal SIGSEGV", ['  File "/usr/local/lib/python3.10/dist-packages/torch/multiprocessing/spawn.py", line 170, in join', "    raise ProcessExitedException("]), "segfault", "torch/multiprocessing/spawn.py, SIGSEGV (corpus: 4 segfault)"],
    [[...PROGRESS, "--------------------------------------------------------------------------", "mpirun noticed that process rank 0 with PID 48213 on node gpu-node-07 exited on signal 9 (Killed).", "--------------------------------------------------------------------------", ""].join("\n"), "process_killed", "Open MPI's errmgr help text (help-errmgr-base.txt)"],
    [[...PROGRESS, "--------------------------------------------------------------------------", "mpirun noticed that process rank 1 with PID 48214 on node gpu-node-07 exited on signal 11 (Segmentation fault).", "--------------------------------------------------------------------------", ""].join("\n"), "segfault", "Open MPI's errmgr help text, SIGSEGV"],
    [pyTrace("ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.", ['  File "/usr/local/lib/python3.10/dist-packages/ray/_private/worker.py", line 2563, in get', "    raise value"]), "process_killed", "Ray's memory monitor (corpus convention: process_killed)"],
    [pyTrace("ray.exceptions.WorkerCrashedError: The worker died unexpectedly while executing this task. Check python-core-worker-*.log files for more information."), "process_killed", "Ray's WorkerCrashedError (rule killed_ray_worker_vanished family)"],
    [pyTrace("subprocess.TimeoutExpired: Command '['python3', 'eval.py']' timed out after 600 seconds"), "timeout", "CPython Lib/subprocess.py TimeoutExpired.__str__"],
    [pyTrace("RuntimeError: Rank 3 successfully reached monitoredBarrier, but received errors while waiting for send/recv from rank 0. Please check rank 0 logs for faulty rank."), "timeout", "ProcessGroupGloo's monitoredBarrier (rule timeout_collective_gloo family)"],
    [pyTrace("RuntimeError: [enforce fail at ../third_party/gloo/gloo/transport/tcp/device.cc:83] ifa != nullptr. Unable to find address for: eth0"), "python_exception", "gloo's tcp device.cc (GLOO_SOCKET_IFNAME names no interface: a configuration error)"],
    [pyTrace(["joblib.externals.loky.process_executor.TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated. This could be caused by a segmentation fault while calling the function or by an excessive memory usage causing the Operating System to kill the worker.", "", "The exit codes of the workers are {SIGKILL(-9)}"]), "process_killed", "joblib's loky process_executor (find_string hits 18796448568, 35039429773)"],
    [pyTrace(["joblib.externals.loky.process_executor.TerminatedWorkerError: A worker process managed by the executor was unexpectedly terminated. This could be caused by a segmentation fault while calling the function or by an excessive memory usage causing the Operating System to kill the worker.", "", "The exit codes of the workers are {SIGSEGV(-11)}"]), "segfault", "joblib's loky process_executor, SIGSEGV"],
    [[...PROGRESS, "The Kernel crashed while executing code in the current cell or a previous cell. ", "Please review the code in the cell(s) to identify a possible cause of the failure. ", "Click <a href='https://aka.ms/vscodeJupyterKernelCrash'>here</a> for more info. ", "View Jupyter <a href='command:jupyter.viewOutput'>log</a> for further details.", ""].join("\n"), "process_killed", "vscode-jupyter's kernelCrashedDueToCodeInCurrentOrPreviousCell (find_string hit 1451780): the kernel died, as Jupyter's own notice (rule killed_jupyter_kernel_died)"],
  ],

  "4. Python's exceptions and faulthandler": [
    [pyTrace("MemoryError"), "host_oom", "CPython's built-in MemoryError (bare, the usual last line)"],
    [pyTrace("numpy.core._exceptions._ArrayMemoryError: Unable to allocate 7.45 GiB for an array with shape (1000000, 1000) and data type float64"), "host_oom", "numpy/core/_exceptions.py _ArrayMemoryError"],
    [pyTrace("RuntimeError: [enforce fail at alloc_cpu.cpp:83] err == 0. DefaultCPUAllocator: can't allocate memory: you tried to allocate 34359738368 bytes. Error code 12 (Cannot allocate memory)"), "host_oom", "c10/core/impl/alloc_cpu.cpp"],
    [pyTrace("OSError: [Errno 12] Cannot allocate memory"), "host_oom", "errno ENOMEM's strerror (corpus: 9 host_oom)"],
    [pyTrace("ModuleNotFoundError: No module named 'flash_attn'"), "import_error", "CPython's import system"],
    [pyTrace("ImportError: libcudart.so.11.0: cannot open shared object file: No such file or directory"), "import_error", "glibc dlopen's error via CPython's extension loader"],
    [pyTrace("ImportError: /usr/local/lib/python3.10/dist-packages/flash_attn_2_cuda.cpython-310-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda9SetDeviceEi"), "import_error", "glibc's undefined symbol via the extension loader"],
    [pyTrace("OSError: [Errno 28] No space left on device"), "disk_full", "errno ENOSPC's strerror"],
    [pyTrace("OSError: [Errno 122] Disk quota exceeded"), "disk_full", "errno EDQUOT's strerror (corpus: 6 disk_full)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:778] . PytorchStreamWriter failed writing file data/12: file write failed"), "disk_full", "caffe2/serialize/inline_container.cc (corpus: 10 disk_full)"],
    [pyTrace("TimeoutError: [Errno 110] Connection timed out"), "timeout", "errno ETIMEDOUT's strerror"],
    [pyTrace("socket.timeout: timed out"), "timeout", "CPython's socket module (3.9 and earlier)"],
    [pyTrace("TimeoutError: timed out"), "timeout", "CPython's socket module (3.10+: socket.timeout is TimeoutError)"],
    [pyTrace("ConnectionResetError: [Errno 104] Connection reset by peer"), "python_exception", "errno ECONNRESET's strerror (a download or RPC, no store or collective named)"],
    [pyTrace("BrokenPipeError: [Errno 32] Broken pipe"), "python_exception", "errno EPIPE's strerror"],
    [pyTrace("OSError: [Errno 5] Input/output error"), "python_exception", "errno EIO's strerror (no category names a failed read)"],
    [pyTrace("RecursionError: maximum recursion depth exceeded while calling a Python object"), "python_exception", "CPython's RecursionError"],
    [pyTrace("KeyError: 'model_state_dict'"), "python_exception", "CPython's KeyError"],
    [[...PROGRESS, "Fatal Python error: Segmentation fault", "", "Current thread 0x00007f3a1b7fe700 (most recent call first):", '  File "/usr/local/lib/python3.10/dist-packages/torch/utils/data/_utils/worker.py", line 308 in _worker_loop', '  File "/usr/lib/python3.10/multiprocessing/process.py", line 108 in run', "", "Thread 0x00007f3c2a1b4740 (most recent call first):", '  File "/workspace/train.py", line 96 in train_step', ""].join("\n"), "segfault", "CPython Modules/faulthandler.c (`Fatal Python error: ` + the signal's name)"],
    [[...PROGRESS, "Fatal Python error: Bus error", "", "Current thread 0x00007f3a1b7fe700 (most recent call first):", '  File "/usr/local/lib/python3.10/dist-packages/torch/storage.py", line 1121 in _new_shared_filename_cpu', ""].join("\n"), "segfault", "faulthandler.c, SIGBUS"],
    [[...PROGRESS, "Fatal Python error: Illegal instruction", "", "Current thread 0x00007f3c2a1b4740 (most recent call first):", '  File "/usr/local/lib/python3.10/dist-packages/numpy/core/_methods.py", line 49 in _sum', ""].join("\n"), "segfault", "faulthandler.c, SIGILL"],
    [[...PROGRESS, "Fatal Python error: Floating point exception", "", "Current thread 0x00007f3c2a1b4740 (most recent call first):", '  File "/workspace/model.py", line 88 in forward', ""].join("\n"), "segfault", "faulthandler.c, SIGFPE"],
    [[...PROGRESS, "Fatal Python error: Aborted", "", "Current thread 0x00007f3c2a1b4740 (most recent call first):", '  File "/workspace/model.py", line 88 in forward', ""].join("\n"), "segfault", "faulthandler.c, SIGABRT (rule segfault_fatal_python_abort)"],
    [[...PROGRESS, "*** SIGSEGV (@0x0) received by PID 89364 (TID 0x7f79559fb700) from PID 0; stack trace: ***", "    @     0x7f7c03abd390 (unknown)", "    @     0x7f7c0376048a (unknown)", ""].join("\n"), "segfault", "glog's failure signal handler (find_string hit 307263729)"],
    [pyTrace("RuntimeError: unable to mmap 1048576 bytes from file </torch_48377_2874563_0>: Cannot allocate memory (12)"), "host_oom", "torch's shared-memory allocator (aten/src/ATen/MapAllocator.cpp; corpus: 6 host_oom)"],
    [pyTrace("OSError: [Errno 24] Too many open files"), "python_exception", "errno EMFILE's strerror"],
    [pyTrace("RuntimeError: received 0 items of ancdata"), "python_exception", "CPython's multiprocessing.reduction recvfds (DataLoader's file_descriptor sharing)"],
    [pyTrace("OSError: [Errno 30] Read-only file system: '/workspace/output/checkpoint-3000'"), "python_exception", "errno EROFS's strerror"],
    [pyTrace("OSError: [Errno 116] Stale file handle"), "python_exception", "errno ESTALE's strerror (an NFS file replaced under the reader)"],
    [pyTrace("sqlite3.OperationalError: database or disk is full"), "disk_full", "SQLite's SQLITE_FULL message (sqlite3 module; Optuna and W&B stores)"],
    [pyTrace("OSError: 300000000 requested and 0 written"), "disk_full", "numpy's ndarray.tofile (numpy/core/src/multiarray/convert.c `%ld requested and %ld written`; the line of numpy/numpy#17589, a partition with < 200 MB free)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while serializing: IoError(Os { code: 28, kind: StorageFull, message: \"No space left on device\" })"), "disk_full", "safetensors' Rust io::Error (ErrorKind::StorageFull; corpus: 3 disk_full)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:603] . unexpected pos 2368 vs 2262"), "disk_full", "caffe2/serialize/inline_container.cc's writer (corpus: 4 disk_full)"],
    [pyTrace("asyncio.exceptions.TimeoutError"), "timeout", "CPython Lib/asyncio/exceptions.py (3.8-3.10, raised bare by wait_for)"],
    [pyTrace("concurrent.futures._base.TimeoutError"), "timeout", "CPython Lib/concurrent/futures/_base.py (3.8-3.10)"],
    [pyTrace("ray.exceptions.GetTimeoutError: Get timed out: some object(s) not ready."), "timeout", "Ray's ray.get timeout (ray/_private/worker.py)"],
    [pyTrace("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)"), "timeout", "requests' ReadTimeout (rule timeout_http_request)"],
    [pyTrace("AssertionError: Torch not compiled with CUDA enabled"), "python_exception", "torch/cuda/__init__.py _lazy_init (a CPU-only build: an installation error, no CUDA error)"],
    [pyTrace("RuntimeError: Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"), "python_exception", "torch's device check (rule python_device_mismatch)"],
    [pyTrace("OSError: [WinError 126] The specified module could not be found. Error loading \"C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\lib\\fbgemm.dll\" or one of its dependencies."), "import_error", "torch/__init__.py's DLL loading on Windows (a missing dependency DLL)"],
    [pyTrace("OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading \"C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\lib\\cudnn_cnn_infer64_8.dll\" or one of its dependencies."), "host_oom", "torch/__init__.py's DLL loading on Windows, ERROR_COMMITMENT_LIMIT (corpus: 10 host_oom)"],
    [pyTrace("OSError: libcudnn.so.8: cannot open shared object file: No such file or directory"), "import_error", "ctypes.CDLL's dlopen error (a missing shared library raised as OSError)"],
    [pyTrace("OSError: Not enough disk space. Needed: 12.34 GiB (download: 4.12 GiB, generated: 8.22 GiB, post-processed: Unknown size)"), "disk_full", "datasets' builder.py free-space check (corpus: 2 disk_full)"],
    [pyTrace("TimeoutError: The read operation timed out"), "timeout", "CPython's ssl module (corpus: 2 timeout)"],
  ],

  "5. Checkpoints and weights that cannot be read": [
    [pyTrace("RuntimeError: PytorchStreamReader failed reading zip archive: failed finding central directory"), "checkpoint_corrupt", "caffe2/serialize/inline_container.cc (find_string hit 102484650)"],
    [pyTrace("RuntimeError: PytorchStreamReader failed reading file data/2: invalid header or archive is corrupted"), "checkpoint_corrupt", "inline_container.cc (miniz's MZ_ZIP_INVALID_HEADER_OR_CORRUPTED)"],
    [pyTrace("RuntimeError: PytorchStreamReader failed locating file data.pkl: file not found"), "checkpoint_corrupt", "inline_container.cc, a missing record"],
    [pyTrace("RuntimeError: PytorchStreamReader failed reading file data/0: file read failed"), "checkpoint_corrupt", "inline_container.cc, a short read"],
    [pyTrace("RuntimeError: Invalid magic number; corrupt file?"), "checkpoint_corrupt", "torch/serialization.py legacy format"],
    [pyTrace("EOFError: Ran out of input", ['  File "/usr/local/lib/python3.10/dist-packages/torch/serialization.py", line 1246, in _legacy_load', "    magic_number = pickle_module.load(f, **pickle_load_args)"]), "checkpoint_corrupt", "pickle on an empty file in torch.load (corpus: 13 checkpoint_corrupt)"],
    [pyTrace("_pickle.UnpicklingError: invalid load key, '<'."), "checkpoint_corrupt", "CPython Modules/_pickle.c (corpus: 30 checkpoint_corrupt)"],
    [pyTrace("_pickle.UnpicklingError: pickle data was truncated"), "checkpoint_corrupt", "CPython Modules/_pickle.c, a truncated stream"],
    [pyTrace("zipfile.BadZipFile: File is not a zip file"), "checkpoint_corrupt", "CPython Lib/zipfile.py (corpus: 7 checkpoint_corrupt)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: HeaderTooLarge"), "checkpoint_corrupt", "safetensors' SafeTensorError variants (find_string hit 21992248)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: InvalidHeaderDeserialization"), "checkpoint_corrupt", "safetensors' SafeTensorError"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: MetadataIncompleteBuffer"), "checkpoint_corrupt", "safetensors' SafeTensorError (find_string hit 37163587571)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: HeaderTooSmall"), "checkpoint_corrupt", "safetensors' SafeTensorError (hit 21992248)"],
    [pyTrace("safetensors_rust.SafetensorError: Error while deserializing header: InvalidHeaderLength"), "checkpoint_corrupt", "safetensors' SafeTensorError (hit 21992248)"],
    [pyTrace("OSError: Unable to load weights from pytorch checkpoint file for '/models/llama/pytorch_model-00002-of-00002.bin' at '/models/llama/pytorch_model-00002-of-00002.bin'. If you tried to load a PyTorch model from a TF 2.0 checkpoint, please set from_tf=True."), "checkpoint_corrupt", "transformers modeling_utils.py load_state_dict (corpus: 9 checkpoint_corrupt)"],
    [pyTrace("OSError: Unable to open file (truncated file: eof = 62914560, sblock->base_addr = 0, stored_eof = 98632216)"), "checkpoint_corrupt", "h5py/HDF5's superblock check"],
    [pyTrace("OSError: Unable to synchronously open file (truncated file: eof = 62914560, sblock->base_addr = 0, stored_eof = 98632216)"), "checkpoint_corrupt", "h5py 3.10+'s wording of the same HDF5 error"],
    [pyTrace("OSError: Unable to synchronously open file (file signature not found)"), "checkpoint_corrupt", "h5py 3.10+, HDF5's signature check"],
    [pyTrace("tensorflow.python.framework.errors_impl.DataLossError: Unable to open table file ./ckpt/model.ckpt-12000: DATA_LOSS: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"), "checkpoint_corrupt", "TensorFlow's table reader (corpus: 6 checkpoint_corrupt)"],
    [pyTrace("tensorflow.python.framework.errors_impl.DataLossError: Checksum does not match: stored 2847391823 vs. calculated on the restored bytes 1203948123"), "checkpoint_corrupt", "TensorFlow's tensor bundle reader (corpus: 2 checkpoint_corrupt)"],
    [pyTrace("OSError: Failed to interpret file '/data/run7/optimizer_state.npy' as a pickle"), "checkpoint_corrupt", "numpy/lib/npyio.py np.load"],
    [pyTrace("OSError: You seem to have cloned a repository without having git-lfs installed. Please install git-lfs and run `git lfs install` followed by `git lfs pull` in the folder you cloned."), "checkpoint_corrupt", "transformers modeling_utils.py load_state_dict (a Git LFS pointer in place of the weights; find_string hits 56142232, 56916936504)"],
    [pyTrace("ValueError: EOF: reading array data, expected 262144 bytes got 52928"), "checkpoint_corrupt", "numpy/lib/format.py read_array on a truncated .npy/joblib file (find_string hits 59254377988, 6834373421)"],
    [pyTrace("RuntimeError: unexpected EOF, expected 1048576 more bytes. The file might be corrupted."), "checkpoint_corrupt", "torch/csrc/serialization.cpp legacy reader (corpus: 16 checkpoint_corrupt)"],
    [pyTrace("RuntimeError: storage has wrong size: expected 1024 got 512"), "checkpoint_corrupt", "torch/csrc/generic/serialization.cpp (corpus: 4 checkpoint_corrupt)"],
    [pyTrace("_pickle.UnpicklingError: could not find MARK"), "checkpoint_corrupt", "CPython Modules/_pickle.c on a damaged stream"],
    [pyTrace("zipfile.BadZipFile: Bad CRC-32 for file 'archive/data/0'"), "checkpoint_corrupt", "CPython Lib/zipfile.py CRC check"],
    [pyTrace("tensorflow.python.framework.errors_impl.DataLossError: file is too short to be an sstable"), "checkpoint_corrupt", "TensorFlow's table reader (tsl/lib/io/table.cc)"],
    [pyTrace("OSError: Unable to synchronously open file (bad object header version number)"), "checkpoint_corrupt", "HDF5's object header check via h5py"],
    [pyTrace("RuntimeError: Attempted to read a PyTorch file with version 10, but the maximum supported version for reading is 6. Your PyTorch installation may be too old."), "python_exception", "caffe2/serialize/inline_container.cc version check: a newer file, not a damaged one"],
    [pyTrace("OSError: Unable to synchronously open file (unable to open file: name = 'weights/model.h5', errno = 2, error message = 'No such file or directory', flags = 0, o_flags = 0)"), "python_exception", "HDF5 via h5py: a missing file, not a damaged one"],
    [pyTrace("RuntimeError: PytorchStreamReader failed reading zip archive: not a ZIP archive"), "checkpoint_corrupt", "inline_container.cc with miniz's MZ_ZIP_NOT_AN_ARCHIVE"],
    [pyTrace("_pickle.UnpicklingError: Weights only load failed. This file can still be loaded, to do so you have two options, do those steps only if you trust the source of the checkpoint. "), "python_exception", "torch 2.6's weights_only default (torch/serialization.py): a readable file refused by policy (corpus: python_exception)"],
    [pyTrace("tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ckpt/model.ckpt-1000"), "python_exception", "TensorFlow's checkpoint reader: a missing checkpoint, not a damaged one"],
  ],

  "6. Signals and exit statuses as shells, schedulers and containers print them": [
    [[...PROGRESS, "Killed", ""].join("\n"), "process_killed", "bash's report of a SIGKILLed foreground job (strsignal(SIGKILL))"],
    [[...PROGRESS, "train.sh: line 12: 48213 Killed                  python train.py --config cfg.yaml", ""].join("\n"), "process_killed", "bash's report in a script (jobs.c)"],
    [[...PROGRESS, "Segmentation fault (core dumped)", ""].join("\n"), "segfault", "bash's report, SIGSEGV with a core"],
    [[...PROGRESS, "Bus error (core dumped)", ""].join("\n"), "segfault", "bash's report, SIGBUS"],
    [[...PROGRESS, "Illegal instruction (core dumped)", ""].join("\n"), "segfault", "bash's report, SIGILL (corpus: 4 segfault)"],
    [[...PROGRESS, "Floating point exception (core dumped)", ""].join("\n"), "segfault", "bash's report, SIGFPE"],
    [[...PROGRESS, "run.sh: line 3: 48213 Segmentation fault      (core dumped) python train.py", ""].join("\n"), "segfault", "bash's report in a script"],
    [[...PROGRESS, "slurmstepd: error: *** JOB 4817263 ON gpu-node-07 CANCELLED AT 2024-05-02T10:11:12 DUE TO TIME LIMIT ***", ""].join("\n"), "timeout", "Slurm's slurmstepd (corpus: 10 timeout)"],
    [[...PROGRESS, "slurmstepd: error: Detected 1 oom_kill event in StepId=4817263.batch. Some of the step tasks have been OOM Killed.", ""].join("\n"), "process_killed", "Slurm 22+'s cgroup oom notice (corpus: process_killed)"],
    [[...PROGRESS, "slurmstepd: error: Detected 1 oom-kill event(s) in step 4817263.batch cgroup. Some of your processes may have been killed by the cgroup out-of-memory handler.", ""].join("\n"), "process_killed", "Slurm's older oom notice (find_string hit 1303325564 quotes its StepId form)"],
    [[...PROGRESS, "srun: error: gpu-node-07: task 0: Killed", "srun: Terminating StepId=4817263.0", ""].join("\n"), "process_killed", "Slurm's srun task report"],
    [[...PROGRESS, "srun: error: gpu-node-07: task 0: Segmentation fault (core dumped)", ""].join("\n"), "segfault", "Slurm's srun task report, SIGSEGV"],
    [["Name:         trainer-0", "Containers:", "  trainer:", "    State:          Waiting", "      Reason:       CrashLoopBackOff", "    Last State:     Terminated", "      Reason:       OOMKilled", "      Exit Code:    137", "      Started:      Thu, 02 May 2024 10:01:12 +0000", "      Finished:     Thu, 02 May 2024 10:11:12 +0000", ""].join("\n"), "process_killed", "kubectl describe pod (Kubernetes' OOMKilled reason; corpus: process_killed)"],
    [[...PROGRESS, "trainer-1 exited with code 137", ""].join("\n"), "process_killed", "docker compose's exit report"],
    [[...PROGRESS, "trainer-1 exited with code 139", ""].join("\n"), "segfault", "docker compose's exit report, 128 + SIGSEGV"],
    [[...PROGRESS, "Process finished with exit code 137 (interrupted by signal 9: SIGKILL)", ""].join("\n"), "process_killed", "PyCharm's run console"],
    [[...PROGRESS, "Process finished with exit code 139 (interrupted by signal 11: SIGSEGV)", ""].join("\n"), "segfault", "PyCharm's run console, SIGSEGV"],
    [[...PROGRESS, "fish: Job 1, 'python train.py --config cfg.yaml' terminated by signal SIGKILL (Forced quit)", ""].join("\n"), "process_killed", "fish's job report (find_string hits 35965803690, 10926885291)"],
    [[...PROGRESS, "fish: Job 1, 'python train.py --config cfg.yaml' terminated by signal SIGSEGV (Address boundary error)", ""].join("\n"), "segfault", "fish's job report, SIGSEGV"],
    [[...PROGRESS, "Command terminated by signal 9", "\t Command being timed: \"python train.py\"", ""].join("\n"), "process_killed", "GNU time's report (corpus: 1 process_killed)"],
    [[...PROGRESS, "Command terminated by signal 11", "\t Command being timed: \"python train.py\"", ""].join("\n"), "segfault", "GNU time's report, SIGSEGV"],
    [[...PROGRESS, "May 02 10:11:12 gpu-node-07 systemd[1]: trainer.service: Main process exited, code=dumped, status=11/SEGV", "May 02 10:11:12 gpu-node-07 systemd[1]: trainer.service: Failed with result 'core-dump'.", ""].join("\n"), "segfault", "systemd's unit report (src/core/service.c: code=dumped, status=N/SIGNAME)"],
    [[...PROGRESS, "May 02 10:11:12 gpu-node-07 systemd[1]: trainer.service: Main process exited, code=killed, status=9/KILL", "May 02 10:11:12 gpu-node-07 systemd[1]: trainer.service: Failed with result 'signal'.", ""].join("\n"), "process_killed", "systemd's unit report, SIGKILL"],
    [[...PROGRESS, "TERM_RUNLIMIT: job killed after reaching LSF run time limit.", "Exited with exit code 140.", ""].join("\n"), "timeout", "IBM LSF's job report (find_string hits 28805583735, 52135934985): a wall-clock limit"],
    [[...PROGRESS, "TERM_MEMLIMIT: job killed after reaching LSF memory usage limit.", "Exited with exit code 137.", ""].join("\n"), "process_killed", "IBM LSF's job report (TERM_* reasons, find_string hit 34135254096 lists them): a memory limit kill"],
    [[...PROGRESS, "=>> PBS: job killed: walltime 86415 exceeded limit 86400", ""].join("\n"), "timeout", "PBS/Torque's MOM (corpus: 2 timeout)"],
    [[...PROGRESS, "=>> PBS: job killed: mem 67108864kb exceeded limit 62914560kb", ""].join("\n"), "process_killed", "PBS/Torque's MOM, a memory limit kill"],
    [[...PROGRESS, "slurmstepd: error: Job 4817263 exceeded memory limit (65011712 > 62914560), being killed", "slurmstepd: error: Exceeded job memory limit", ""].join("\n"), "process_killed", "Slurm's jobacct memory enforcement (corpus: 1 process_killed)"],
    [[...PROGRESS, "slurmstepd: error: *** JOB 4817263 ON gpu-node-07 CANCELLED AT 2024-05-02T10:11:12 DUE TO PREEMPTION ***", ""].join("\n"), "process_killed", "Slurm's slurmstepd, preemption (corpus: process_killed)"],
    [[...PROGRESS, "[12345.678901] Memory cgroup out of memory: Killed process 48213 (python3) total-vm:98765432kB, anon-rss:61234567kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:123456kB oom_score_adj:0", ""].join("\n"), "process_killed", "Linux mm/oom_kill.c (corpus: 3 process_killed)"],
    [[...PROGRESS, "make: *** [Makefile:12: train] Killed", ""].join("\n"), "process_killed", "GNU make's report of a killed recipe (job.c)"],
    [[...PROGRESS, "make: *** [Makefile:12: train] Segmentation fault (core dumped)", ""].join("\n"), "segfault", "GNU make's report, SIGSEGV"],
    [["Containers:", "  trainer:", "    State:          Waiting", "      Reason:       CrashLoopBackOff", "    Last State:     Terminated", "      Reason:       Error", "      Exit Code:    139", "      Started:      Thu, 02 May 2024 10:01:12 +0000", "      Finished:     Thu, 02 May 2024 10:11:12 +0000", ""].join("\n"), "segfault", "kubectl describe pod, a container that died of SIGSEGV (128 + 11)"],
    [["CONTAINER ID   IMAGE            COMMAND             CREATED        STATUS                       PORTS     NAMES", "3f2a9c1d7b4e   trainer:latest   \"python train.py\"   2 hours ago    Exited (139) 5 minutes ago             trainer", ""].join("\n"), "segfault", "docker ps's status column, 128 + SIGSEGV"],
    [[...PROGRESS, "srun: error: gpu-node-07: task 0: Bus error", ""].join("\n"), "segfault", "Slurm's srun task report, SIGBUS"],
    [["Events:", "  Type     Reason   Age   From     Message", "  ----     ------   ----  ----     -------", "  Warning  Evicted  2m    kubelet  The node was low on resource: memory. Threshold quantity: 100Mi, available: 51200Ki. Container trainer was using 62Gi, request is 0, has larger consumption of memory.", ""].join("\n"), "process_killed", "the kubelet's eviction message (corpus: 2 process_killed)"],
  ],

  "near misses: the same texts in healthy runs": [
    [healthy(["/usr/local/lib/python3.10/dist-packages/torch/nn/modules/conv.py:456: UserWarning: Plan failed with a cudnnException: CUDNN_BACKEND_EXECUTION_PLAN_DESCRIPTOR: cudnnFinalize Descriptor Failed cudnn_status: CUDNN_STATUS_NOT_SUPPORTED (Triggered internally at ../aten/src/ATen/native/cudnn/Conv_v8.cpp:919.)", "  return F.conv2d(input, weight, bias, self.stride,"]), "none", "torch 2.3+'s cuDNN v8 API warning (find_string hit 69996149 quotes it; runs filter it)"],
    [healthy(["/workspace/train.py:44: FutureWarning: You are using `torch.load` with `weights_only=False` (the current default value), which uses the default pickle module implicitly. It is possible to construct malicious pickle data which will execute arbitrary code during unpickling (See https://github.com/pytorch/pytorch/blob/main/SECURITY.md#untrusted-models for more details)."]), "none", "torch 2.4's torch.load warning (corpus: 2 none)"],
    [healthy(["2024-05-02 10:01:12.123456: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudart.so.11.0'; dlerror: libcudart.so.11.0: cannot open shared object file: No such file or directory", "2024-05-02 10:01:12.123567: I tensorflow/compiler/xla/stream_executor/cuda/cudart_stub.cc:29] Ignore above cudart dlerror if you do not have a GPU set up on your machine."]), "none", "TensorFlow's dso_loader warning on a CPU host (corpus: 3 none)"],
    [healthy(["[W socket.cpp:663] [c10d] The client socket has failed to connect to [gpu-node-07]:29500 (errno: 111 - Connection refused).", "[W socket.cpp:663] [c10d] The client socket has failed to connect to [gpu-node-07]:29500 (errno: 111 - Connection refused)."]), "none", "c10d socket.cpp's retry while the master starts (the connect went on)"],
    [healthy(["gpu-node-07:48213:48420 [0] NCCL INFO NET/Plugin: No plugin found (libnccl-net.so), using internal implementation", "gpu-node-07:48213:48420 [0] NCCL INFO Call to connect returned Connection refused, retrying"]), "none", "NCCL's socket.cc socketStartConnect: a refused connect is retried with this INFO line, no WARN (find_string hit 770620849)"],
    [healthy(["[rank0]:[W ProcessGroupNCCL.cpp:1168] Warning: WARNING: process group has NOT been destroyed before we destruct ProcessGroupNCCL. On normal program exit, the application should call destroy_process_group to ensure that any pending NCCL operations have finished in this process. In rare cases this process can exit before this point and block the progress of another member of the process group. This constraint has always been present,  but this warning has only recently been added. For more info, please see https://pytorch.org/docs/stable/distributed.html#shutdown (function operator())"]), "none", "ProcessGroupNCCL's destructor warning at a normal exit"],
    [healthy(["Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0", "[2024-05-02 10:01:12,345] [INFO] [loss_scaler.py:183:update_scale] [deepspeed] OVERFLOW! Rank 0 Skipping step. Attempted loss scale: 65536, reducing to 32768"]), "none", "apex/DeepSpeed loss scaler at warm-up (corpus: none)"],
    [healthy(["[rank0]:[W Utils.hpp:135] Warning: Environment variable NCCL_ASYNC_ERROR_HANDLING is deprecated; use TORCH_NCCL_ASYNC_ERROR_HANDLING instead (function getCvarInt)"]), "none", "torch's deprecated-variable warning (c10d Utils.hpp)"],
    [healthy(["'(ReadTimeoutError(\"HTTPSConnectionPool(host='huggingface.co', port=443): Read timed out. (read timeout=10)\"), '(Request ID: 8a2c6d3e-1f4b-4c5d-9e7f-0a1b2c3d4e5f)')' thrown while requesting HEAD https://huggingface.co/meta-llama/Llama-2-7b-hf/resolve/main/config.json", "Retrying in 1s [Retry 1/5]."]), "none", "huggingface_hub's retried request (utils/_http.py)"],
    [healthy(["/home/me/.cache/pypoetry/virtualenvs/privategpt-48b7A2Xg-py3.10/lib/python3.10/site-packages/torch/cuda/__init__.py:107: UserWarning: CUDA initialization: CUDA unknown error - this may be due to an incorrectly set up environment, e.g. changing env variable CUDA_VISIBLE_DEVICES after program start. Setting the available devices to be zero. (Triggered internally at ../c10/cuda/CUDAFunctions.cpp:109.)", "  return torch._C._cuda_getDeviceCount() > 0"]), "none", "torch's warning form of the same cudaErrorUnknown (find_string hit 42484057039): the run goes on without a GPU"],
    [[...PROGRESS, "Traceback (most recent call last):", '  File "/workspace/train.py", line 212, in <module>', "    main()", '  File "/workspace/train.py", line 140, in main', "    raise ValueError(f\"unknown scheduler {cfg.scheduler!r}\")", "ValueError: unknown scheduler 'cosine_restarts'", "WARNING:torch.distributed.elastic.multiprocessing.api:Sending process 48214 closing signal SIGTERM", "ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: 1) local_rank: 0 (pid: 48213) of binary: /usr/bin/python3", "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ", "============================================================", "train.py FAILED", "------------------------------------------------------------", "Failures:", "[1]:", "  time      : 2024-05-02_10:11:12", "  host      : gpu-node-07", "  rank      : 1 (local_rank: 1)", "  exitcode  : -15 (pid: 48214)", "  error_file: <N/A>", "  traceback : Signal 15 (SIGTERM) received by PID 48214", "------------------------------------------------------------", "Root Cause (first observed failure):", "[0]:", "  time      : 2024-05-02_10:11:11", "  host      : gpu-node-07", "  rank      : 0 (local_rank: 0)", "  exitcode  : 1 (pid: 48213)", "  error_file: <N/A>", "  traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html", "============================================================", ""].join("\n"), "python_exception", "the elastic table (errors/__init__.py) listing the ranks torchrun stopped with SIGTERM after rank 0's exception: the exception is the cause"],
    [healthy(["Failed to initialize NVML: Driver/library version mismatch", "NVML library version: 535.183"]), "none", "NVML's NVML_ERROR_LIB_RM_VERSION_MISMATCH string as nvidia-smi or a GPU monitor prints it while training runs on (tensorpack#1244, StatCan/aaw#1581, cited by the eleventh round's test)"],
    [healthy(["SingleProcess AUTOTUNE benchmarking takes 2.1373 seconds and 0.0003 seconds precompiling for 18 choices", "E0912 11:54:57.366000 1121181 torch/_inductor/select_algorithm.py:2100] [7/0] Runtime error during autotuning: ", "E0912 11:54:57.366000 1121181 torch/_inductor/select_algorithm.py:2100] [7/0] No valid triton configs. OutOfResources: out of resource: shared memory, Required: 131072, Hardware limit: 101376. Reducing block sizes or `num_stages` may help.. ", "E0912 11:54:57.366000 1121181 torch/_inductor/select_algorithm.py:2100] [7/0] Ignoring this choice.", "AUTOTUNE bmm(8x50x256, 8x256x1018)", "  triton_bmm_68 0.0072 ms 100.0% ACC_TYPE='tl.float32', ALLOW_TF32=True, BLOCK_K=32, BLOCK_M=64, BLOCK_N=32, EVEN_K=True, GROUP_M=8, num_stages=5, num_warps=8"]), "none", "inductor's max-autotune skipping a Triton config (Physical-Intelligence/openpi#654, the review's healthy ending in test/crash-healthy-endings.test.ts)"],
  ],
};

testDictionary("crash rules dictionary: error texts enumerated from the frameworks' sources", FAMILIES, primaryOf);
