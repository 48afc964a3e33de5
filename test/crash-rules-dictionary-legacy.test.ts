/**
 * Crash rules by enumeration from the sources, fourth round (issue 10; docs/crash-accuracy.md, items 500-): the texts
 * older PyTorch (0.4 to 1.10, still common in research repositories) and the compiled custom ops research code builds
 * print when a run ends: TH/THC's `THCudaCheck FAIL` and `cuda runtime error (N)`, c10::Error's frame lists, the old
 * c10d / gloo / ProcessGroupNCCL messages, torch.distributed.launch's CalledProcessError, torch.multiprocessing.spawn's
 * old exceptions, the 1.9 elastic table, old DataLoader, cuDNN and serialization messages, apex amp's loss scaler; and
 * mmcv ops, detectron2 `_C`, maskrcnn-benchmark, apex fused kernels, DCN/DCNv2, pointnet2, spconv, torch_scatter /
 * torch_sparse, pytorch3d, nvdiffrast, tiny-cuda-nn, CuPy/Chainer and warp-ctc, their import / build failures and
 * their runtime errors. Each text is placed in the line shape it is printed in, inside a short traceback or log tail,
 * with the category the corpus's conventions give it. `none` rows are near misses: the same words in healthy runs.
 *
 * Sources: `find_string hit N` is a public repository file the search tool does not name, cited by its hit id; `corpus:
 * ...` is a studied corpus entry holding the text with its label; a repository + path is the file the text is raised
 * from, read this round where it says `read`, otherwise quoted from the project's sources as known (`not looked up`).
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-legacy-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

/** The site-packages of the conda images torch 1.x shipped in. */
const OLD = "/opt/conda/lib/python3.6/site-packages";

/** Frames of a backward pass in torch 1.x (torch/tensor.py, before _tensor.py). */
const OLD_BACKWARD = [
  '  File "/workspace/train.py", line 96, in train_step',
  "    loss.backward()",
  `  File "${OLD}/torch/tensor.py", line 107, in backward`,
  "    torch.autograd.backward(self, gradient, retain_graph, create_graph)",
  `  File "${OLD}/torch/autograd/__init__.py", line 93, in backward`,
  "    allow_unreachable=True)  # allow_unreachable flag",
];

/** Frames of a forward pass through nn.Module in torch 1.x. */
const OLD_FORWARD = [
  '  File "/workspace/train.py", line 88, in train_step',
  "    output = model(images)",
  `  File "${OLD}/torch/nn/modules/module.py", line 541, in __call__`,
  "    result = self.forward(*input, **kwargs)",
];

/** c10::Error's frame list as torch 1.1-1.4 printed it after the message (`(fn at file:line)`). */
const C10_FRAMES_OLD = [
  `frame #0: std::function<std::string ()>::operator()() const + 0x45 (0x7f3c1a5f6d95 in ${OLD}/torch/lib/libc10.so)`,
  `frame #1: c10::Error::Error(c10::SourceLocation, std::string const&) + 0x4f (0x7f3c1a5f6bdf in ${OLD}/torch/lib/libc10.so)`,
  `frame #2: <unknown function> + 0x1c42e (0x7f3c1a83842e in ${OLD}/torch/lib/libc10_cuda.so)`,
];

/** c10::Error's frame list as torch 1.5-1.10 printed it (`Exception raised from fn at file:line (most recent call first):`). */
function c10FramesNew(where: string): string[] {
  return [
    `Exception raised from ${where} (most recent call first):`,
    `frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x42 (0x7f3b2cd5e8b2 in ${OLD}/torch/lib/libc10.so)`,
    `frame #1: c10::cuda::CUDACachingAllocator::raw_delete(void*) + 0x5a1 (0x7f3b2cfb0f21 in ${OLD}/torch/lib/libc10_cuda.so)`,
    `frame #2: <unknown function> + 0x5f8e8a (0x7f3b7a2b1e8a in ${OLD}/torch/lib/libtorch_python.so)`,
    "<omitting python frames>",
  ];
}

/** A C++ exception nobody caught, ending the process (libstdc++'s terminate, then the shell). */
function terminated(what: string, frames: string[]): string {
  return [...PROGRESS, "terminate called after throwing an instance of 'c10::Error'", `  what():  ${what}`, ...frames, "Aborted (core dumped)", ""].join("\n");
}

/** torch.distributed.launch (torch 1.1-1.8) after a worker exited: its frames and CPython's CalledProcessError. */
function launchTail(message: string): string[] {
  return [
    "Killing subprocess 48214",
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.6/runpy.py", line 193, in _run_module_as_main',
    '    "__main__", mod_spec)',
    '  File "/opt/conda/lib/python3.6/runpy.py", line 85, in _run_code',
    "    exec(code, run_globals)",
    `  File "${OLD}/torch/distributed/launch.py", line 263, in <module>`,
    "    main()",
    `  File "${OLD}/torch/distributed/launch.py", line 259, in main`,
    "    cmd=cmd)",
    `subprocess.CalledProcessError: Command '['/opt/conda/bin/python', '-u', 'tools/train.py', '--local_rank=1', 'configs/faster_rcnn_r50_fpn_1x.py', '--launcher', 'pytorch']' ${message}`,
  ];
}

/** A rank's traceback as a worker under torch.distributed.launch prints it. */
function rankTrace(last: string | string[], frames: string[] = []): string[] {
  return [
    "Traceback (most recent call last):",
    '  File "tools/train.py", line 142, in <module>',
    "    main()",
    '  File "tools/train.py", line 138, in main',
    "    train_detector(model, datasets, cfg, distributed=distributed, validate=args.validate)",
    ...frames,
    ...(Array.isArray(last) ? last : [last]),
  ];
}

/** torch.multiprocessing.spawn's join (torch 1.x) raising a child's exception, under detectron2's launch. */
function spawnJoin(last: string[]): string {
  return [
    ...PROGRESS,
    "Traceback (most recent call last):",
    '  File "tools/train_net.py", line 161, in <module>',
    "    args=(args,),",
    `  File "${OLD}/detectron2/engine/launch.py", line 55, in launch`,
    "    daemon=False,",
    `  File "${OLD}/torch/multiprocessing/spawn.py", line 200, in spawn`,
    "    return start_processes(fn, args, nprocs, join, daemon, start_method='spawn')",
    `  File "${OLD}/torch/multiprocessing/spawn.py", line 158, in start_processes`,
    "    while not context.join():",
    `  File "${OLD}/torch/multiprocessing/spawn.py", line 119, in join`,
    ...last,
    "",
  ].join("\n");
}

/** torch 1.9's elastic failure table (`***` / `===` rules, `msg:`), as pytorch PR 65041's output shows it. */
function elastic19(exitcode: number, msg: string): string[] {
  return [
    `ERROR:torch.distributed.elastic.multiprocessing.api:failed (exitcode: ${exitcode}) local_rank: 0 (pid: 48213) of binary: /opt/conda/bin/python`,
    "Traceback (most recent call last):",
    '  File "/opt/conda/lib/python3.8/runpy.py", line 194, in _run_module_as_main',
    '    return _run_code(code, main_globals, None,',
    '  File "/opt/conda/lib/python3.8/site-packages/torch/distributed/launcher/api.py", line 249, in launch_agent',
    "    raise ChildFailedError(",
    "torch.distributed.elastic.multiprocessing.errors.ChildFailedError: ",
    "***************************************",
    "            train.py FAILED            ",
    "=======================================",
    "Root Cause:",
    "[0]:",
    "  time: 2021-08-10_12:44:46",
    "  rank: 0 (local_rank: 0)",
    `  exitcode: ${exitcode} (pid: 48213)`,
    "  error_file: <N/A>",
    `  msg: ${msg}`,
    "=======================================",
    "Other Failures:",
    "  <NO_OTHER_FAILURES>",
    "***************************************",
  ];
}

/** mmcv's text logger record (mmcv/runner/hooks/logger/text.py), mmdetection 2.x. */
function mmcvRecord(iter: number, losses: string): string {
  return `2021-05-02 10:${String(11 + Math.floor(iter / 100)).padStart(2, "0")}:12,345 - mmdet - INFO - Epoch [1][${iter}/7330]\tlr: 2.000e-02, eta: 14:21:12, time: 0.512, data_time: 0.011, memory: 3716, ${losses}`;
}

/** detectron2's events writer (detectron2/utils/events.py CommonMetricPrinter). */
function d2Record(iter: number, losses: string): string {
  return `[05/02 10:11:12 d2.utils.events]:  eta: 5:12:31  iter: ${iter}  ${losses}  time: 0.4521  data_time: 0.0123  lr: 0.02  max_mem: 5123M`;
}

/** A build of a compiled extension (setup.py / pip) ending in the compiler's error and setuptools' failure. */
function buildLog(lines: string[]): string {
  return [
    "running build_ext",
    "building '_ext' extension",
    "creating build/temp.linux-x86_64-3.8/src",
    ...lines,
    "",
  ].join("\n");
}

const THC = "/pytorch/aten/src/THC";

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const FAMILIES: Record<string, Row[]> = {
  "1. TH/THC-era CUDA errors, c10::Error frame lists and host allocation (torch 0.4-1.10)": [
    [[
      ...PROGRESS,
      "/pytorch/aten/src/THCUNN/ClassNLLCriterion.cu:106: void cunn_ClassNLLCriterion_updateOutput_kernel(Dtype *, Dtype *, Dtype *, long *, Dtype *, int, int, int, int, long) [with Dtype = float, Acctype = float]: block: [0,0,0], thread: [5,0,0] Assertion `t >= 0 && t < n_classes` failed.",
      "THCudaCheck FAIL file=/pytorch/aten/src/THCUNN/generic/ClassNLLCriterion.cu line=110 error=59 : device-side assert triggered",
      pyTrace("RuntimeError: cuda runtime error (59) : device-side assert triggered at /pytorch/aten/src/THCUNN/generic/ClassNLLCriterion.cu:110", OLD_FORWARD),
    ].join("\n"), "cuda_error", "THCUNN's target check, THC's THCudaCheck and the RuntimeError (corpus: 6 cuda_error hold `t >= 0 && t < n_classes`)"],
    [pyTrace(`RuntimeError: cuda runtime error (59) : device-side assert triggered at ${THC}/generic/THCTensorMath.cu:26`, OLD_FORWARD), "cuda_error", "THC's THCudaCheck (`cuda runtime error (%d) : %s at %s:%d`; rule cuda_runtime_error_code; corpus: 18 cuda_error)"],
    [pyTrace(`RuntimeError: cuda runtime error (2) : out of memory at ${THC}/generic/THCStorage.cu:58`, OLD_FORWARD), "cuda_oom", "THC's THCudaCheck with cudaErrorMemoryAllocation (corpus: 8 cuda_oom)"],
    [[
      ...PROGRESS,
      "THCudaCheck FAIL file=/opt/conda/conda-bld/pytorch_1524584710464/work/aten/src/THC/generic/THCStorage.cu line=58 error=2 : out of memory",
      pyTrace("RuntimeError: cuda runtime error (2) : out of memory at /opt/conda/conda-bld/pytorch_1524584710464/work/aten/src/THC/generic/THCStorage.cu:58", OLD_BACKWARD),
    ].join("\n"), "cuda_oom", "torch 0.4's THCudaCheck record and exception (corpus: 10 cuda_oom hold `THCudaCheck FAIL`)"],
    [pyTrace("RuntimeError: CUDA out of memory. Tried to allocate 12.50 MiB (GPU 0; 10.76 GiB total capacity; 9.46 GiB already allocated; 30.94 MiB free; 9.87 GiB reserved in total by PyTorch)", OLD_FORWARD), "cuda_oom", "c10/cuda/CUDACachingAllocator.cpp, torch 1.5-1.10 wording (not looked up)"],
    [pyTrace("RuntimeError: CUDA out of memory. Tried to allocate 2.00 MiB (GPU 0; 11.17 GiB total capacity; 10.56 GiB already allocated; 1.81 MiB free; 133.52 MiB cached)", OLD_BACKWARD), "cuda_oom", "the caching allocator's torch 1.0-1.3 wording (`cached`; not looked up)"],
    [pyTrace(["RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB (GPU 0; 7.93 GiB total capacity; 7.38 GiB already allocated; 5.56 MiB free; 25.77 MiB cached) (malloc at /opt/conda/conda-bld/pytorch_1556653114079/work/c10/cuda/CUDACachingAllocator.cpp:267)", ...C10_FRAMES_OLD], OLD_BACKWARD), "cuda_oom", "torch 1.1-1.4's c10::Error with `(malloc at ...)` and its frame list (not looked up)"],
    [pyTrace(`RuntimeError: cuda runtime error (48) : no kernel image is available for execution on the device at ${THC}/generic/THCTensorMath.cu:35`, OLD_FORWARD), "cuda_error", "THCudaCheck on a GPU newer than the build (corpus: 18 cuda_error hold `no kernel image`)"],
    [pyTrace("RuntimeError: cuda runtime error (8) : invalid device function at /opt/conda/conda-bld/pytorch_1532579245307/work/aten/src/THC/THCTensorCopy.cu:206", OLD_FORWARD), "cuda_error", "THCudaCheck, cudaErrorInvalidDeviceFunction (CUDA 9's code 8)"],
    [[
      ...PROGRESS,
      `THCudaCheck FAIL file=${THC}/THCGeneral.cpp line=50 error=30 : unknown error`,
      pyTrace(`RuntimeError: cuda runtime error (30) : unknown error at ${THC}/THCGeneral.cpp:50`, [`  File "${OLD}/torch/cuda/__init__.py", line 162, in _lazy_init`, "    torch._C._cuda_init()"]),
    ].join("\n"), "cuda_error", "THC's initialisation after a suspend (cudaErrorUnknown, CUDA 9's code 30)"],
    [pyTrace(`RuntimeError: cuda runtime error (77) : an illegal memory access was encountered at ${THC}/generic/THCTensorCopy.cpp:20`, OLD_BACKWARD), "cuda_error", "THCudaCheck, cudaErrorIllegalAddress (CUDA 9's code 77)"],
    [pyTrace(`RuntimeError: cuda runtime error (710) : device-side assert triggered at ${THC}/generic/THCTensorMath.cu:29`, OLD_FORWARD), "cuda_error", "THCudaCheck, cudaErrorAssert (CUDA 10's code 710)"],
    [pyTrace(`RuntimeError: cublas runtime error : the GPU program failed to execute at ${THC}/THCBlas.cu:258`, OLD_FORWARD), "cuda_error", "THC's THCublasCheck (`cublas runtime error : %s at %s:%d`, CUBLAS_STATUS_EXECUTION_FAILED's string; not looked up)"],
    [pyTrace(`RuntimeError: cublas runtime error : resource allocation failed at ${THC}/THCGeneral.cpp:216`, OLD_FORWARD), "cuda_oom", "THCublasCheck with CUBLAS_STATUS_ALLOC_FAILED's string (the corpus reads CUBLAS_STATUS_ALLOC_FAILED cuda_oom)"],
    [pyTrace(`RuntimeError: cublas runtime error : library not initialized at ${THC}/THCGeneral.cpp:216`, OLD_FORWARD), "cuda_error", "THCublasCheck with CUBLAS_STATUS_NOT_INITIALIZED's string (read cuda_error since the twenty-third round)"],
    [terminated("CUDA error: device-side assert triggered (insert_events at /pytorch/c10/cuda/CUDACachingAllocator.cpp:569)", C10_FRAMES_OLD), "cuda_error", "torch 1.1-1.4's c10::Error thrown from a destructor (terminate's `what():`; not looked up)"],
    [terminated("CUDA error: an illegal memory access was encountered", c10FramesNew("create_event_internal at /pytorch/c10/cuda/CUDACachingAllocator.cpp:733")), "cuda_error", "torch 1.5-1.10's c10::Error with `Exception raised from ...` (not looked up)"],
    [[
      ...PROGRESS,
      '/pytorch/aten/src/ATen/native/cuda/IndexKernel.cu:84: operator(): block: [0,0,0], thread: [32,0,0] Assertion `index >= -sizes[i] && index < sizes[i] && "index out of bounds"` failed.',
      pyTrace("RuntimeError: CUDA error: device-side assert triggered", OLD_FORWARD),
    ].join("\n"), "cuda_error", "ATen's index kernel assertion and the error (corpus: 10 cuda_error hold `block: [0,0,0]`)"],
    [[
      ...PROGRESS,
      `${THC}/THCTensorScatterGather.cu:188: void THCudaTensor_scatterFillKernel(TensorInfo<Real, IndexType>, TensorInfo<long, IndexType>, Real, int, IndexType) [with IndexType = unsigned int, Real = float, Dims = 2]: block: [0,0,0], thread: [0,0,0] Assertion \`indexValue >= 0 && indexValue < tensor.sizes[dim]\` failed.`,
      `THCudaCheck FAIL file=${THC}/THCCachingHostAllocator.cpp line=265 error=59 : device-side assert triggered`,
      "",
    ].join("\n"), "cuda_error", "THC's scatter assertion and THCudaCheck record, the log cut there"],
    [[
      ...PROGRESS,
      `${OLD}/torch/cuda/__init__.py:104: UserWarning: `,
      "GeForce RTX 3090 with CUDA capability sm_86 is not compatible with the current PyTorch installation.",
      "The current PyTorch install supports CUDA capabilities sm_37 sm_50 sm_60 sm_70 sm_75.",
      "If you want to use the GeForce RTX 3090 GPU with PyTorch, please check the instructions at https://pytorch.org/get-started/locally/",
      "",
      "  warnings.warn(incompatible_device_warn.format(device_name, capability, \" \".join(arch_list), device_name))",
      pyTrace("RuntimeError: CUDA error: no kernel image is available for execution on the device", OLD_FORWARD),
    ].join("\n"), "cuda_error", "torch/cuda/__init__.py's capability warning, then the error (corpus: 2 cuda_error hold `is not compatible with the current PyTorch`)"],
    [pyTrace("RuntimeError: CuDNN error: CUDNN_STATUS_SUCCESS", OLD_FORWARD), "cuda_error", "torch 0.4's cuDNN check with a status that is no error (corpus: 7 cuda_error hold CUDNN_STATUS_SUCCESS)"],
    [pyTrace("RuntimeError: CUDNN_STATUS_EXECUTION_FAILED", OLD_BACKWARD), "cuda_error", "torch 0.4's bare cuDNN status (torch/backends/cudnn; not looked up)"],
    [pyTrace("RuntimeError: cuDNN version incompatibility: PyTorch was compiled against 7102 but linked against 7005", [`  File "${OLD}/torch/backends/cudnn/__init__.py", line 93, in _libcudnn`, "    _check_cudnn_version()"]), "import_error", "torch/backends/cudnn/__init__.py's version check (not looked up): a cuDNN library that is not the one the binary was built against"],
    [pyTrace(["AssertionError: ", "Found no NVIDIA driver on your system. Please check that you", "have an NVIDIA GPU and installed a driver from", "http://www.nvidia.com/Download/index.aspx"], [`  File "${OLD}/torch/cuda/__init__.py", line 161, in _lazy_init`, "    _check_driver()", `  File "${OLD}/torch/cuda/__init__.py", line 82, in _check_driver`, "    http://www.nvidia.com/Download/index.aspx\"\"\")"]), "cuda_error", "torch 1.x's _check_driver without a driver (torch/cuda/__init__.py; not looked up): no device, as `no CUDA-capable device`"],
    [pyTrace(["AssertionError: ", "The NVIDIA driver on your system is too old (found version 9010).", "Please update your GPU driver by downloading and installing a new", "version from the URL: http://www.nvidia.com/Download/index.aspx", "Alternatively, go to: https://pytorch.org to install", "a PyTorch version that has been compiled with your version", "of the CUDA driver."], [`  File "${OLD}/torch/cuda/__init__.py", line 161, in _lazy_init`, "    _check_driver()"]), "cuda_error", "torch 1.x's _check_driver with an old driver (not looked up): `CUDA driver version is insufficient` in torch's words"],
    [pyTrace("RuntimeError: $ Torch: not enough memory: you tried to allocate 21GB. Buy new RAM! at /pytorch/aten/src/TH/THGeneral.cpp:201", OLD_FORWARD), "host_oom", "TH's THAlloc (corpus: 6 host_oom hold `Buy new RAM`)"],
    [pyTrace("RuntimeError: [enforce fail at CPUAllocator.cpp:56] posix_memalign(&data, gAlignment, nbytes) == 0. 12 vs 0", OLD_FORWARD), "host_oom", "c10's CPU allocator, torch 1.0-1.4 (corpus: 2 host_oom hold `posix_memalign`)"],
    [pyTrace("RuntimeError: [enforce fail at CPUAllocator.cpp:64] . DefaultCPUAllocator: can't allocate memory: you tried to allocate 25600000000 bytes. Error code 12 (Cannot allocate memory)", OLD_FORWARD), "host_oom", "c10's CPU allocator, torch 1.5+ (not looked up)"],
    [pyTrace("RuntimeError: $ Torch: invalid memory size -- maybe an overflow? at /pytorch/aten/src/TH/THGeneral.cpp:188", OLD_FORWARD), "python_exception", "TH's THAlloc with a negative or overflowing size (not looked up): a bad shape, no memory ran out"],
    [pyTrace(`RuntimeError: arguments are located on different GPUs at ${THC}/generic/THCTensorMathBlas.cu:270`, OLD_FORWARD), "python_exception", "THC's device check (not looked up): a program error, though the text carries THC's path"],
    [pyTrace("RuntimeError: invalid argument 0: Sizes of tensors must match except in dimension 0. Got 3 and 1 in dimension 1 at /pytorch/aten/src/TH/generic/THTensorMoreMath.cpp:1307", [`  File "${OLD}/torch/utils/data/_utils/collate.py", line 43, in default_collate`, "    return torch.stack(batch, 0, out=out)"]), "python_exception", "TH's argument check under the default collate (not looked up)"],
    [pyTrace("RuntimeError: Expected object of scalar type Long but got scalar type Float for argument #2 'target'", OLD_FORWARD), "python_exception", "torch 1.x's dtype check (corpus: 1 python_exception holds `Expected object of`)"],
    [pyTrace("RuntimeError: Assertion `cur_target >= 0 && cur_target < n_classes' failed.  at /pytorch/aten/src/THNN/generic/ClassNLLCriterion.c:93", OLD_FORWARD), "python_exception", "THNN's CPU target check (not looked up): the CPU twin of the device-side assert, an exception in the program"],
    [[
      ...PROGRESS,
      "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=405 error=11 : invalid argument",
      pyTrace("RuntimeError: cuda runtime error (11) : invalid argument at /pytorch/aten/src/THC/THCGeneral.cpp:405", OLD_FORWARD),
    ].join("\n"), "cuda_error", "the same record when its exception is not caught (fastai/fastai#1566, irfanICMLL/structure_knowledge_distillation#43: `RuntimeError: cuda runtime error (11) : invalid argument at THCGeneral.cpp:405`); added with the fix, the near miss's fatal twin"],
  ],

  "2. old c10d, gloo and ProcessGroupNCCL messages, launchers and spawn": [
    [pyTrace("RuntimeError: Operation timed out!", [
      '  File "/workspace/espnet/asr/pytorch_backend/asr.py", line 412, in train',
      "    torch.distributed.all_reduce(iterator_stop, ReduceOp.SUM)",
      `  File "${OLD}/torch/distributed/distributed_c10d.py", line 911, in all_reduce`,
      "    work.wait()",
    ]), "nccl_error", "torch 1.x's ProcessGroupNCCL::WorkNCCL::wait under NCCL_BLOCKING_WAIT before 1.8, the branch the next row's message replaced (corpus: zzi-espnet-2673, nccl_error)"],
    [pyTrace("RuntimeError: NCCL error in: /pytorch/torch/lib/c10d/ProcessGroupNCCL.cpp:514, unhandled system error, NCCL version 2.4.8", [`  File "${OLD}/torch/nn/parallel/distributed.py", line 298, in __init__`, "    self.broadcast_bucket_size)"]), "nccl_error", "torch 1.x's C10D_NCCL_CHECK (torch/lib/c10d path; corpus: 95 nccl_error hold ProcessGroupNCCL.cpp)"],
    [pyTrace("RuntimeError: NCCL error in: /opt/conda/conda-bld/pytorch_1614378083779/work/torch/lib/c10d/ProcessGroupNCCL.cpp:825, unhandled cuda error, NCCL version 2.7.8", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 2420, in barrier`, "    work = default_pg.barrier(opts=opts)"]), "nccl_error", "torch 1.8's C10D_NCCL_CHECK at a barrier"],
    [pyTrace(["RuntimeError: NCCL error in: /opt/conda/conda-bld/pytorch_1639180594101/work/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1169, invalid usage, NCCL version 21.0.3", "ncclInvalidUsage: This usually reflects invalid usage of NCCL library (such as too many async ops, too many collectives at once, mixing streams in a group, etc)."]), "nccl_error", "torch 1.10's check with its detail line (not looked up)"],
    [pyTrace("RuntimeError: NCCL communicator was aborted.", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 1159, in all_reduce`, "    work.wait()"]), "nccl_error", "torch 1.7-1.8's WorkNCCL after an abort (corpus: 6 nccl_error)"],
    [pyTrace("RuntimeError: [Rank 0] Caught collective operation timeout: WorkNCCL(OpType=BROADCAST, TensorShape=[1], Timeout(ms)=1800000) ran for 1800117 milliseconds before timing out.", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 1041, in broadcast`, "    work.wait()"]), "nccl_error", "torch 1.8-1.10's blocking wait (torch/lib/c10d/ProcessGroupNCCL.cpp WorkNCCL::synchronizeInternal, read: read_file id 18205156096; corpus: 1 nccl_error holds `Caught collective operation timeout`)"],
    [[
      ...PROGRESS,
      "[E ProcessGroupNCCL.cpp:566] [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1806394 milliseconds before timing out.",
      "[E ProcessGroupNCCL.cpp:325] Some NCCL operations have failed or timed out. Due to the asynchronous nature of CUDA kernels, subsequent GPU operations might run on corrupted/incomplete data. To avoid this inconsistency, we are taking the entire process down.",
      "terminate called after throwing an instance of 'std::runtime_error'",
      "  what():  [Rank 1] Watchdog caught collective operation timeout: WorkNCCL(OpType=ALLREDUCE, Timeout(ms)=1800000) ran for 1806394 milliseconds before timing out.",
      "Aborted (core dumped)",
      "",
    ].join("\n"), "nccl_error", "torch 1.9-1.10's watchdog (records without a date; corpus: 20 nccl_error hold `Some NCCL operations have failed`)"],
    [pyTrace("RuntimeError: [/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:575] Connection closed by peer [10.0.0.2]:4491", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 1159, in all_reduce`, "    work.wait()"]), "nccl_error", "gloo's tcp pair (corpus: 5 nccl_error hold `Connection closed by peer`)"],
    [pyTrace("RuntimeError: [/opt/conda/conda-bld/pytorch_1603729096996/work/third_party/gloo/gloo/transport/tcp/pair.cc:575] Read error [10.1.1.5]:30429: Connection reset by peer"), "nccl_error", "gloo's tcp pair, a reset (rule gloo_peer_connection)"],
    [pyTrace("RuntimeError: [/pytorch/third_party/gloo/gloo/transport/tcp/unbound_buffer.cc:84] Timed out waiting 1800000ms for recv operation to complete", [`  File "${OLD}/torch/nn/parallel/distributed.py", line 450, in forward`, "    self._sync_params()"]), "timeout", "gloo's unbound buffer (corpus: kwola-2, detectron2-5121, timeout)"],
    [pyTrace("RuntimeError: Gloo connectFullMesh failed with [/pytorch/third_party/gloo/gloo/transport/tcp/pair.cc:144] no error", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 455, in _new_process_group_helper`, "    timeout=timeout)"]), "nccl_error", "ProcessGroupGloo at init (corpus: 4 nccl_error, 1 timeout hold `Gloo connectFullMesh`)"],
    [pyTrace("RuntimeError: Timed out initializing process group in store based barrier on rank: 1, for key: store_based_barrier_key:1 (world_size=2, worker_count=1, timeout=0:30:00)", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 525, in init_process_group`, "    _store_based_barrier(rank, store, timeout)"]), "timeout", "torch 1.8-1.12's _store_based_barrier (corpus: 13 timeout)"],
    [pyTrace("RuntimeError: Socket Timeout", [`  File "${OLD}/torch/distributed/rendezvous.py", line 172, in _env_rendezvous_handler`, "    store = TCPStore(master_addr, master_port, world_size, start_daemon, timeout)"]), "timeout", "torch 1.x's TCPStore (corpus: 17 timeout)"],
    [pyTrace("RuntimeError: connect() timed out. Original timeout was 1800000 ms.", [`  File "${OLD}/torch/distributed/rendezvous.py", line 172, in _env_rendezvous_handler`, "    store = TCPStore(master_addr, master_port, world_size, start_daemon, timeout)"]), "timeout", "torch 1.9-1.11's TCPStore connect (corpus: 2 timeout)"],
    [pyTrace("RuntimeError: Address already in use", [`  File "${OLD}/torch/distributed/rendezvous.py", line 172, in _env_rendezvous_handler`, "    store = TCPStore(master_addr, master_port, world_size, start_daemon, timeout)"]), "python_exception", "torch 1.x's TCPStore bind (not looked up): a port already taken, as the newer EADDRINUSE row"],
    [pyTrace("RuntimeError: Connection reset by peer", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 1893, in barrier`, "    work.wait()"]), "nccl_error", "torch 1.x's store socket when the master rank died (corpus: 6 nccl_error hold `Connection reset by peer`)"],
    [pyTrace("RuntimeError: Expected to mark a variable ready only once. This error is caused by one of the following reasons: 1) Use of a module parameter outside the `forward` function. Please make sure model parameters are not shared across multiple concurrent forward-backward passes", OLD_BACKWARD), "python_exception", "torch 1.x's DDP reducer (not looked up)"],
    [pyTrace("RuntimeError: Tensors must be CUDA and dense", [`  File "${OLD}/torch/distributed/distributed_c10d.py", line 1159, in all_reduce`, "    work = _default_pg.allreduce([tensor], opts)"]), "python_exception", "ProcessGroupNCCL's tensor check (not looked up): a CPU tensor passed to an NCCL collective"],
    [[...PROGRESS, ...rankTrace(["RuntimeError: CUDA out of memory. Tried to allocate 256.00 MiB (GPU 1; 10.76 GiB total capacity; 9.32 GiB already allocated; 187.56 MiB free; 9.71 GiB reserved in total by PyTorch)"]), ...launchTail("returned non-zero exit status 1."), ""].join("\n"), "cuda_oom", "torch.distributed.launch after rank 1's OOM (launch.py: `Killing subprocess`, CalledProcessError; corpus: 2 cuda_oom hold `Killing subprocess`)"],
    [[...PROGRESS, ...launchTail("died with <Signals.SIGKILL: 9>."), ""].join("\n"), "process_killed", "torch.distributed.launch after a worker was SIGKILLed (CPython's CalledProcessError; corpus: 7 process_killed hold `Killing subprocess`)"],
    [[...PROGRESS, ...launchTail("died with <Signals.SIGSEGV: 11>."), ""].join("\n"), "segfault", "torch.distributed.launch after a worker's segfault (corpus: 4 segfault hold `Killing subprocess`)"],
    [[...PROGRESS, ...rankTrace("KeyError: 'CocoDataset is not in the dataset registry'"), ...launchTail("returned non-zero exit status 1."), ""].join("\n"), "python_exception", "torch.distributed.launch after a rank's Python error"],
    [[...PROGRESS, ...rankTrace("RuntimeError: NCCL error in: /pytorch/torch/lib/c10d/ProcessGroupNCCL.cpp:514, unhandled system error, NCCL version 2.4.8"), ...launchTail("returned non-zero exit status 1."), ""].join("\n"), "nccl_error", "torch.distributed.launch after a rank's NCCL error"],
    [spawnJoin([
      "    raise Exception(msg)",
      "Exception: ",
      "",
      "-- Process 1 terminated with the following error:",
      "Traceback (most recent call last):",
      `  File "${OLD}/torch/multiprocessing/spawn.py", line 20, in _wrap`,
      "    fn(i, *args)",
      `  File "${OLD}/detectron2/engine/launch.py", line 89, in _distributed_worker`,
      "    main_func(*args)",
      "RuntimeError: CUDA out of memory. Tried to allocate 1.12 GiB (GPU 1; 15.78 GiB total capacity; 13.19 GiB already allocated; 703.75 MiB free; 14.03 GiB reserved in total by PyTorch)",
    ]), "cuda_oom", "torch.multiprocessing.spawn's join in torch 1.x (`-- Process %d terminated with the following error:`; corpus: 3 entries hold it)"],
    [spawnJoin([
      '    (error_index, name)',
      "Exception: process 0 terminated with signal SIGKILL",
    ]), "process_killed", "torch.multiprocessing.spawn's join before 1.8 (`process %d terminated with signal %s`, a plain Exception; not looked up)"],
    [spawnJoin([
      "    signal_name=name",
      "torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with signal SIGSEGV",
    ]), "segfault", "torch.multiprocessing.spawn 1.8+ (find_string hit 26664161543 shows the SIGKILL form)"],
    [[...PROGRESS, ...elastic19(-9, '"Signal 9 (SIGKILL) received by PID 48213"'), ""].join("\n"), "process_killed", "torch 1.9's elastic table (its shape: corpus pytorch-pr65041; the `msg` of a signal not looked up)"],
    [[...PROGRESS, ...elastic19(-11, '"Signal 11 (SIGSEGV) received by PID 48213"'), ""].join("\n"), "segfault", "torch 1.9's elastic table after a segfault"],
    [[...PROGRESS, ...rankTrace("RuntimeError: CUDA error: an illegal memory access was encountered"), ...elastic19(1, '"Process failed with exitcode 1"'), ""].join("\n"), "cuda_error", "torch 1.9's elastic table after a rank's CUDA error (labelled by the root cause above it)"],
  ],

  "3. old DataLoader, serialization and cuDNN messages": [
    [pyTrace("RuntimeError: DataLoader worker (pid 4159) is killed by signal: Killed. ", [`  File "${OLD}/torch/utils/data/dataloader.py", line 274, in handler`, "    _error_if_any_worker_fails()"]), "process_killed", "torch 0.4-1.x's SIGCHLD handler (corpus: 19 process_killed hold `DataLoader worker (pid`)"],
    [[
      ...PROGRESS,
      "ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).",
      pyTrace("RuntimeError: DataLoader worker (pid 4161) is killed by signal: Bus error. ", [`  File "${OLD}/torch/utils/data/dataloader.py", line 274, in handler`, "    _error_if_any_worker_fails()"]),
    ].join("\n"), "segfault", "the worker's signal handler (torch/csrc/DataLoader.cpp) and the loader's report (corpus convention: a worker's bus error is segfault)"],
    [[
      ...PROGRESS,
      "ERROR: Unexpected segmentation fault encountered in worker.",
      pyTrace("RuntimeError: DataLoader worker (pid 4162) is killed by signal: Segmentation fault. ", [`  File "${OLD}/torch/utils/data/dataloader.py", line 274, in handler`, "    _error_if_any_worker_fails()"]),
    ].join("\n"), "segfault", "the same, SIGSEGV"],
    [pyTrace([
      "RuntimeError: DataLoader worker (pid 2150614) is killed by signal: Killed. ",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 212, in <module>',
      "    main()",
      `  File "${OLD}/torch/utils/data/dataloader.py", line 774, in _try_get_data`,
      "    raise RuntimeError('DataLoader worker (pid(s) {}) exited unexpectedly'.format(pids_str))",
      "RuntimeError: DataLoader worker (pid(s) 2150614) exited unexpectedly",
    ]), "process_killed", "torch 1.x's chained report (corpus: x-deeplearning-course-sjtu-20 and 2 more, process_killed)"],
    [pyTrace("RuntimeError: DataLoader worker exited unexpectedly with exit code 1. Details are lost due to multiprocessing. Rerunning with num_workers=0 may give better error trace.", [`  File "${OLD}/torch/utils/data/dataloader.py", line 227, in handler`, "    _error_if_any_worker_fails()"]), "python_exception", "torch 0.4's loader (not looked up): exit code 1 is an exception in the worker, not a kill"],
    [pyTrace("RuntimeError: DataLoader timed out after 120 seconds", [`  File "${OLD}/torch/utils/data/dataloader.py", line 779, in _try_get_data`, "    raise RuntimeError('DataLoader timed out after {} seconds'.format(timeout))"]), "timeout", "torch's loader timeout (rule timeout_dataloader)"],
    [pyTrace("RuntimeError: unable to write to file </torch_18692_1954506624>", [`  File "${OLD}/torch/multiprocessing/reductions.py", line 333, in reduce_storage`, "    fd, size = storage._share_fd_()"]), "disk_full", "THAllocator's shared-memory write when /dev/shm is full (corpus: 8 disk_full)"],
    [pyTrace([
      "FileNotFoundError: Traceback (most recent call last):",
      `  File "${OLD}/torch/utils/data/dataloader.py", line 138, in _worker_loop`,
      "    samples = collate_fn([dataset[i] for i in batch_indices])",
      '  File "/workspace/datasets/coco.py", line 64, in __getitem__',
      "    img = Image.open(path).convert('RGB')",
      "FileNotFoundError: [Errno 2] No such file or directory: '/data/coco/train2017/000000123456.jpg'",
    ], [`  File "${OLD}/torch/utils/data/dataloader.py", line 637, in __next__`, "    return self._process_next_batch(batch)", `  File "${OLD}/torch/utils/data/dataloader.py", line 658, in _process_next_batch`, "    raise batch.exc_type(batch.exc_msg)"]), "python_exception", "torch 0.4-1.1's loader re-raising the worker's exception with the worker's traceback as its message (not looked up)"],
    [pyTrace([
      "RuntimeError: Caught RuntimeError in DataLoader worker process 0.",
      "Original Traceback (most recent call last):",
      `  File "${OLD}/torch/utils/data/_utils/worker.py", line 178, in _worker_loop`,
      "    data = fetcher.fetch(index)",
      `  File "${OLD}/torch/utils/data/_utils/collate.py", line 55, in default_collate`,
      "    return torch.stack(batch, 0, out=out)",
      "RuntimeError: stack expects each tensor to be equal size, but got [3, 224, 224] at entry 0 and [3, 224, 298] at entry 1",
    ], [`  File "${OLD}/torch/_utils.py", line 394, in reraise`, "    raise self.exc_type(msg)"]), "python_exception", "torch 1.3+'s ExceptionWrapper (not looked up)"],
    [pyTrace("RuntimeError: received 0 items of ancdata", [`  File "${OLD}/torch/multiprocessing/reductions.py", line 151, in rebuild_storage_fd`, "    fd = df.detach()", "  File \"/opt/conda/lib/python3.6/multiprocessing/resource_sharer.py\", line 58, in detach", "    return reduction.recv_handle(conn)"]), "python_exception", "CPython's fd passing when the open-file limit is reached (multiprocessing/reduction.py; not looked up): no category names a descriptor limit"],
    [pyTrace("RuntimeError: cudnn RNN backward can only be called in training mode", OLD_BACKWARD), "python_exception", "torch's cuDNN RNN check (not looked up): a program error"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:145] . PytorchStreamReader failed reading zip archive: failed finding central directory", [`  File "${OLD}/torch/serialization.py", line 587, in load`, "    with _open_zipfile_reader(opened_file) as opened_zipfile:"]), "checkpoint_corrupt", "torch 1.6-1.10's zip reader (the enforce form; corpus convention)"],
    [pyTrace("RuntimeError: [enforce fail at inline_container.cc:274] . unexpected pos 203894208 vs 203894096", [`  File "${OLD}/torch/serialization.py", line 372, in save`, "    _save(obj, opened_zipfile, pickle_module, pickle_protocol)"]), "disk_full", "torch 1.6-1.10's zip writer (corpus: w-stylegan2-pytorch-186 and 4 more, disk_full)"],
    [pyTrace("RuntimeError: Invalid magic number; corrupt file?", [`  File "${OLD}/torch/serialization.py", line 564, in _load`, "    raise RuntimeError(\"Invalid magic number; corrupt file?\")"]), "checkpoint_corrupt", "torch's legacy loader (corpus: 5 checkpoint_corrupt)"],
    [pyTrace("EOFError: Ran out of input", [`  File "${OLD}/torch/serialization.py", line 563, in _load`, "    magic_number = pickle_module.load(f, **pickle_load_args)"]), "checkpoint_corrupt", "torch.load on an empty file (corpus: 16 checkpoint_corrupt hold `Ran out of input`)"],
    [pyTrace("RuntimeError: version_ <= kMaxSupportedFileFormatVersion INTERNAL ASSERT FAILED at /pytorch/caffe2/serialize/inline_container.cc:132, please report a bug to PyTorch. Attempted to read a PyTorch file with version 3, but the maximum supported version for reading is 2. Your PyTorch installation may be too old. (init at /pytorch/caffe2/serialize/inline_container.cc:132)", [`  File "${OLD}/torch/serialization.py", line 527, in load`, "    with _open_zipfile_reader(f) as opened_zipfile:"]), "python_exception", "torch 1.5's reader of a newer file (not looked up): a version, not damage"],
  ],

  "4. apex amp, detectron2 and mmcv NaN checks": [
    [[
      ...PROGRESS,
      "OVERFLOW! Skipping step. Attempted loss scale: 4.0, reducing to 2.0",
      "OVERFLOW! Skipping step. Attempted loss scale: 2.0, reducing to 1.0",
      "OVERFLOW! Skipping step. Attempted loss scale: 1.0, reducing to 1.0",
      "OVERFLOW! Skipping step. Attempted loss scale: 1.0, reducing to 1.0",
      "OVERFLOW! Skipping step. Attempted loss scale: 1.0, reducing to 1.0",
      "",
    ].join("\n"), "nan_loss", "apex's FP16_Optimizer (apex/fp16_utils/fp16_optimizer.py; not looked up) at the scale's floor to the end"],
    [[
      ...PROGRESS,
      ...[0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.0078125, 0.00390625, 0.001953125, 0.0009765625, 0.00048828125, 0.000244140625].map((s) => `Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to ${s}`),
      "",
    ].join("\n"), "nan_loss", "apex.amp's dynamic scaler halving below 1 to the end (apex/amp/scaler.py)"],
    [pyTrace(["FloatingPointError: Loss became infinite or NaN at iteration=1239!", "loss_dict = {'loss_cls': nan, 'loss_box_reg': nan, 'loss_rpn_cls': 0.6931, 'loss_rpn_loc': nan}"], [`  File "${OLD}/detectron2/engine/train_loop.py", line 275, in _write_metrics`, "    f\"Loss became infinite or NaN at iteration={self.iter}!\\n\""]), "nan_loss", "detectron2's SimpleTrainer (corpus: 9 nan_loss)"],
    [[...PROGRESS, d2Record(1219, "total_loss: 1.312  loss_cls: 0.4121  loss_box_reg: 0.5211  loss_rpn_cls: 0.1812  loss_rpn_loc: 0.1977"), d2Record(1239, "total_loss: nan  loss_cls: nan  loss_box_reg: nan  loss_rpn_cls: 0.6931  loss_rpn_loc: nan"), d2Record(1259, "total_loss: nan  loss_cls: nan  loss_box_reg: nan  loss_rpn_cls: 0.6931  loss_rpn_loc: nan"), ""].join("\n"), "nan_loss", "detectron2's events printer with NaN losses to the end (corpus: 4 nan_loss hold `total_loss: nan`)"],
    [[...PROGRESS, mmcvRecord(1150, "loss_rpn_cls: 0.0712, loss_rpn_bbox: 0.0401, loss_cls: 0.3121, acc: 90.1211, loss_bbox: 0.2817, loss: 0.7051, grad_norm: 4.1211"), mmcvRecord(1200, "loss_rpn_cls: nan, loss_rpn_bbox: nan, loss_cls: nan, acc: 0.0000, loss_bbox: nan, loss: nan, grad_norm: nan"), mmcvRecord(1250, "loss_rpn_cls: nan, loss_rpn_bbox: nan, loss_cls: nan, acc: 0.0000, loss_bbox: nan, loss: nan, grad_norm: nan"), ""].join("\n"), "nan_loss", "mmcv's text logger with NaN losses to the end (corpus: 7 nan_loss hold `loss_cls: nan`)"],
    [pyTrace("AssertionError: Box regression deltas become infinite or NaN!", [`  File "${OLD}/detectron2/modeling/box_regression.py", line 96, in apply_deltas`, "    assert torch.isfinite(deltas).all().item(), \"Box regression deltas become infinite or NaN!\""]), "nan_loss", "detectron2's Box2BoxTransform (not looked up): the training diverged"],
  ],

  "5. compiled custom ops: import and build failures": [
    [pyTrace(`ImportError: ${OLD}/mmcv/_ext.cpython-36m-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda20CUDACachingAllocator9raw_deleteEPv`, [`  File "${OLD}/mmcv/utils/ext_loader.py", line 13, in load_ext`, "    ext = importlib.import_module('mmcv.' + name)"]), "import_error", "mmcv-full built for another torch (corpus: 41 import_error hold `undefined symbol`)"],
    [pyTrace("AssertionError: MMCV==1.7.1 is used but incompatible. Please install mmcv>=2.0.0rc4, <2.1.0.", ['  File "/workspace/mmdetection/mmdet/__init__.py", line 17, in <module>', "    and mmcv_version < digit_version(mmcv_maximum_version)), \\"]), "import_error", "mmdet's version check at import (mmdet/__init__.py; find_string hits 3558885236, 549595777): a package version check that refuses to import"],
    [pyTrace("RuntimeError: nms_impl: implementation for device cuda:0 not found.", [`  File "${OLD}/mmcv/ops/nms.py", line 27, in forward`, "    inds = ext_module.nms(", ]), "import_error", "mmcv's DEVICE_REGISTRY dispatch when mmcv was built without its CUDA ops (find_string hits 66874024633, 40737174536: reinstall mmcv-full with CUDA): the compiled code is missing"],
    [pyTrace("RuntimeError: ms_deform_attn_impl_forward: implementation for device cuda:0 not found.", [`  File "${OLD}/mmcv/ops/multi_scale_deform_attn.py", line 64, in forward`, "    output = ext_module.ms_deform_attn_forward("]), "import_error", "the same dispatch for multi-scale deformable attention (find_string hit 28661935929 holds the traceback's end)"],
    [pyTrace("ImportError: cannot import name '_C' from 'detectron2' (/workspace/detectron2/detectron2/__init__.py)", ['  File "/workspace/detectron2/detectron2/layers/deform_conv.py", line 10, in <module>', "    from detectron2 import _C"]), "import_error", "detectron2 run from a source tree it was not built in (not looked up)"],
    [pyTrace(`ImportError: ${OLD}/detectron2/_C.cpython-36m-x86_64-linux-gnu.so: undefined symbol: _ZN2at5sliceERKNS_6TensorElll`, ['  File "/workspace/detectron2/detectron2/layers/deform_conv.py", line 10, in <module>', "    from detectron2 import _C"]), "import_error", "detectron2's _C built against another torch"],
    [pyTrace(["RuntimeError: Detectron2 is not compiled with GPU support! (nms_rotated at /workspace/detectron2/detectron2/layers/csrc/nms_rotated/nms_rotated.h:54)", ...C10_FRAMES_OLD], [`  File "${OLD}/detectron2/layers/nms.py", line 189, in nms_rotated`, "    return torch.ops.detectron2.nms_rotated(boxes, scores, iou_threshold)"]), "import_error", "detectron2's AT_ERROR without CUDA at build time (find_string hits 17447742591, 1062607500): the compiled op has no GPU code"],
    [pyTrace(["RuntimeError: Not compiled with GPU support (nms at /workspace/maskrcnn-benchmark/maskrcnn_benchmark/csrc/nms.h:22)", ...C10_FRAMES_OLD], ['  File "/workspace/maskrcnn-benchmark/maskrcnn_benchmark/layers/nms.py", line 7, in nms', "    return _C.nms(dets, scores, threshold)"]), "import_error", "maskrcnn-benchmark's AT_ERROR (find_string hit 41807485253)"],
    [pyTrace(["RuntimeError: Not compiled with GPU support.", ...c10FramesNew("PointsToVolumesForward at /workspace/pytorch3d/pytorch3d/csrc/points_to_volumes/points_to_volumes.h:88")], [`  File "${OLD}/pytorch3d/ops/points_to_volumes.py", line 79, in forward`, "    _C.points_to_volumes_forward("]), "import_error", "pytorch3d's AT_ERROR (find_string hit 707706894)"],
    [pyTrace("ImportError: cannot import name '_C' from 'pytorch3d' (/opt/conda/lib/python3.8/site-packages/pytorch3d/__init__.py)", ['  File "/opt/conda/lib/python3.8/site-packages/pytorch3d/renderer/mesh/rasterize_meshes.py", line 10, in <module>', "    from pytorch3d import _C"]), "import_error", "pytorch3d without its extension (not looked up)"],
    [pyTrace("ImportError: /workspace/DCNv2/_ext.cpython-36m-x86_64-linux-gnu.so: undefined symbol: __cudaPopCallConfiguration", ['  File "/workspace/DCNv2/dcn_v2.py", line 13, in <module>', "    import _ext as _backend"]), "import_error", "DCNv2 built with one CUDA toolkit, run with another (not looked up)"],
    [buildLog([
      "/usr/local/cuda/bin/nvcc -DWITH_CUDA -I/workspace/DCNv2/src -I/opt/conda/lib/python3.8/site-packages/torch/include -c /workspace/DCNv2/src/cuda/dcn_v2_cuda.cu -o build/temp.linux-x86_64-3.8/workspace/DCNv2/src/cuda/dcn_v2_cuda.o -D__CUDA_NO_HALF_OPERATORS__ --compiler-options '-fPIC' -std=c++14",
      "/workspace/DCNv2/src/cuda/dcn_v2_cuda.cu:7:10: fatal error: THC/THC.h: No such file or directory",
      "    7 | #include <THC/THC.h>",
      "      |          ^~~~~~~~~~~",
      "compilation terminated.",
      "error: command '/usr/local/cuda/bin/nvcc' failed with exit status 1",
    ]), "import_error", "DCNv2 against torch 1.11+, which removed THC (find_string hits 15899902634, 2512044564, 57366413349): a native op that cannot be built (item 442's family)"],
    [buildLog([
      "gcc -pthread -B /opt/conda/compiler_compat -Wl,--sysroot=/ -Wsign-compare -DNDEBUG -g -fwrapv -O3 -Wall -fPIC -I/opt/conda/lib/python3.8/site-packages/torch/include -c src/ball_query.cpp -o build/temp.linux-x86_64-3.8/src/ball_query.o -DTORCH_API_INCLUDE_EXTENSION_H -DTORCH_EXTENSION_NAME=pointnet2_cuda -D_GLIBCXX_USE_CXX11_ABI=1 -std=c++14",
      "src/ball_query.cpp:3:10: fatal error: THC/THC.h: No such file or directory",
      "    3 | #include <THC/THC.h>",
      "      |          ^~~~~~~~~~~",
      "compilation terminated.",
      "error: command 'gcc' failed with exit status 1",
    ]), "import_error", "pointnet2's extension against torch 1.11+ (find_string hit 15899902634 quotes `src/ball_query.cpp:3:10: fatal error: THC/THC.h`)"],
    [pyTrace(["RuntimeError: Cuda extensions are being compiled with a version of Cuda that does not match the version used to compile Pytorch binaries.  Pytorch binaries were compiled with Cuda 11.3.", "In some cases, a minor-version mismatch will not cause later errors:  https://github.com/NVIDIA/apex/pull/323#discussion_r287021798.  You can try commenting out this check (at your own risk)."], ['  File "setup.py", line 171, in <module>', "    check_cuda_torch_binary_vs_bare_metal(CUDA_HOME)", '  File "setup.py", line 106, in check_cuda_torch_binary_vs_bare_metal', "    raise RuntimeError("]), "import_error", "apex's setup.py check (find_string hits 28504780418, 48330144117)"],
    [pyTrace(`ImportError: ${OLD}/amp_C.cpython-36m-x86_64-linux-gnu.so: undefined symbol: _ZN3c104cuda20getCurrentCUDAStreamEa`, [`  File "${OLD}/apex/optimizers/fused_adam.py", line 84, in __init__`, "    import amp_C"]), "import_error", "apex's fused kernels built for another torch (not looked up)"],
    [pyTrace("OSError: CUDA_HOME environment variable is not set. Please set it to your CUDA install root.", [`  File "${OLD}/torch/utils/cpp_extension.py", line 1026, in _join_cuda_home`, "    raise EnvironmentError('CUDA_HOME environment variable is not set. '"]), "import_error", "torch's cpp_extension building a CUDA op without a toolkit (not looked up; item 442's MissingCUDAException is DeepSpeed's twin)"],
    [pyTrace("RuntimeError: The detected CUDA version (12.1) mismatches the version that was used to compile PyTorch (11.3). Please make sure to use the same CUDA versions.", [`  File "${OLD}/torch/utils/cpp_extension.py", line 387, in _check_cuda_version`, "    raise RuntimeError(CUDA_MISMATCH_MESSAGE.format(cuda_str_version, torch.version.cuda))"]), "import_error", "torch's cpp_extension version check (find_string hit 55560775707 quotes it under mmcv-full's build)"],
    [pyTrace([
      "nvcc fatal   : Unsupported gpu architecture 'compute_86'",
      "ninja: build stopped: subcommand failed.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "setup.py", line 62, in <module>',
      "    cmdclass={'build_ext': BuildExtension})",
      `  File "${OLD}/torch/utils/cpp_extension.py", line 1228, in _write_ninja_file_and_compile_objects`,
      "    error_prefix='Error compiling objects for extension')",
      "RuntimeError: Error compiling objects for extension",
    ], [`  File "${OLD}/torch/utils/cpp_extension.py", line 1516, in _run_ninja_build`, "    subprocess.run("]), "import_error", "torch's cpp_extension ninja build under setup.py (not looked up): an nvcc too old for the GPU's architecture"],
    [pyTrace("OSError: /opt/conda/lib/python3.7/site-packages/spconv/libspconv.so: undefined symbol: _ZN6caffe26detail36_typeMetaDataInstance_preallocated_7E", ['  File "/opt/conda/lib/python3.7/site-packages/spconv/__init__.py", line 31, in <module>', "    torch.ops.load_library(str(_LIB_PATH))"]), "import_error", "spconv 1.x's library loaded by torch.ops for another torch (not looked up)"],
    [pyTrace("OSError: /opt/conda/lib/python3.8/site-packages/torch_sparse/_version_cuda.so: undefined symbol: _ZN5torch3jit17parseSchemaOrNameERKSs", ['  File "/opt/conda/lib/python3.8/site-packages/torch_sparse/__init__.py", line 15, in <module>', "    torch.ops.load_library(importlib.machinery.PathFinder().find_spec("]), "import_error", "torch_sparse's wheel for another torch (not looked up; corpus: 3 import_error hold torch_scatter)"],
    [pyTrace("RuntimeError: Not compiled with CUDA support", ['  File "/opt/conda/lib/python3.8/site-packages/torch_scatter/scatter.py", line 21, in scatter_sum', "    return torch.ops.torch_scatter.scatter_sum(src, index, dim, out, dim_size)"]), "import_error", "torch_scatter's CPU-only wheel given CUDA tensors (not looked up): the compiled op has no GPU code"],
    [pyTrace("RuntimeError: Detected that PyTorch and torchvision were compiled with different CUDA versions. PyTorch has CUDA Version=11.3 and torchvision has CUDA Version=10.2. Please reinstall the torchvision that matches your PyTorch install.", [`  File "${OLD}/torchvision/extension.py", line 64, in _check_cuda_version`, "    raise RuntimeError("]), "import_error", "torchvision/extension.py's check (find_string hits 825969521, 115083553)"],
    [pyTrace("OSError: Could not find compatible tinycudann extension for compute capability 86.", ['  File "/opt/conda/lib/python3.9/site-packages/tinycudann/modules.py", line 33, in <module>', "    raise EnvironmentError(f\"Could not find compatible tinycudann extension for compute capability {system_compute_capability}.\")"]), "import_error", "tiny-cuda-nn's bindings (bindings/torch/tinycudann/modules.py, read)"],
    [pyTrace("ImportError: /opt/conda/lib/python3.9/site-packages/tinycudann_bindings/_86_C.cpython-39-x86_64-linux-gnu.so: undefined symbol: _ZN3c106detail14torchCheckFailEPKcS2_jRKSs", ['  File "/opt/conda/lib/python3.9/site-packages/tinycudann/modules.py", line 19, in <module>', "    _C = importlib.import_module(f\"tinycudann_bindings._{cc}_C\")"]), "import_error", "tiny-cuda-nn's bindings built for another torch (not looked up)"],
    [pyTrace([
      "/usr/bin/ld: cannot find -lEGL",
      "collect2: error: ld returned 1 exit status",
      "ninja: build stopped: subcommand failed.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/render.py", line 14, in <module>',
      "    glctx = dr.RasterizeGLContext()",
      "RuntimeError: Error building extension 'nvdiffrast_plugin_gl'",
    ], ['  File "/opt/conda/lib/python3.8/site-packages/nvdiffrast/torch/ops.py", line 94, in _get_plugin', "    torch.utils.cpp_extension.load(name=plugin_name, sources=source_paths, extra_cflags=opts,"]), "import_error", "nvdiffrast's JIT plugin build without libEGL (nvdiffrast/torch/ops.py; not looked up; item 442's `Error building extension`)"],
    [pyTrace("RuntimeError: CuPy is not correctly installed. Please check your environment, uninstall Chainer and reinstall it with `pip install chainer --no-cache-dir -vvvv`.", [`  File "${OLD}/cupy/__init__.py", line 17, in <module>`, "    six.reraise(RuntimeError, RuntimeError(msg), sys.exc_info()[2])", `  File "${OLD}/cupy/__init__.py", line 7, in <module>`, "    from cupy import core  # NOQA"]), "import_error", "CuPy 2-4's import check (cupy/__init__.py, find_string hit 43091446)"],
    [pyTrace([
      "ImportError: ",
      "================================================================",
      "Failed to import CuPy.",
      "",
      "If you installed CuPy via wheels (cupy-cudaXXX or cupy-rocm-X-X), make sure that the package matches with the version of CUDA or ROCm installed.",
      "",
      "On Linux, you may need to set LD_LIBRARY_PATH environment variable depending on how you installed CUDA/ROCm.",
      "On Windows, try setting CUDA_PATH environment variable.",
      "",
      "Check the Installation Guide for details:",
      "  https://docs.cupy.dev/en/latest/install.html",
      "",
      "Original error:",
      "  ImportError: libcudart.so.10.1: cannot open shared object file: No such file or directory",
      "================================================================",
    ], [`  File "${OLD}/cupy/__init__.py", line 20, in <module>`, "    raise ImportError(_msg) from e"]), "import_error", "CuPy 8+'s import check (cupy/__init__.py, the later wording; find_string hit 461347612 has the earlier one)"],
    [pyTrace(["RuntimeError: CUDA environment is not correctly set up", "(see https://github.com/chainer/chainer#installation).No module named 'cupy'"], [`  File "${OLD}/chainer/backends/cuda.py", line 275, in get_device_from_id`, "    check_cuda_available()", `  File "${OLD}/chainer/backends/cuda.py", line 138, in check_cuda_available`, "    raise RuntimeError(msg)"]), "import_error", "Chainer's check_cuda_available without CuPy (chainer/backends/cuda.py, find_string hits 1695869482, 750097178)"],
    [pyTrace(["ImportError: dlopen(/usr/local/lib/python2.7/site-packages/warpctc_pytorch/_warp_ctc.so, 2): Library not loaded: @rpath/libwarpctc.dylib", "  Referenced from: /usr/local/lib/python2.7/site-packages/warpctc_pytorch/_warp_ctc.so", "  Reason: image not found"], ['  File "/usr/local/lib/python2.7/site-packages/warpctc_pytorch/__init__.py", line 7, in <module>', "    from ._warp_ctc import lib as _lib, ffi as _ffi"]), "import_error", "warp-ctc's binding on macOS (find_string hit 13493440334)"],
    [pyTrace("ImportError: torch.utils.ffi is deprecated. Please use cpp extensions instead.", ['  File "build.py", line 3, in <module>', "    from torch.utils.ffi import create_extension", `  File "${OLD}/torch/utils/ffi/__init__.py", line 1, in <module>`, "    raise ImportError(\"torch.utils.ffi is deprecated. Please use cpp extensions instead.\")"]), "import_error", "torch 1.0's stub for the 0.4 ffi extensions warp-ctc and others built on (not looked up)"],
    [pyTrace("RuntimeError: Ninja is required to load C++ extensions", [`  File "${OLD}/torch/utils/cpp_extension.py", line 1296, in verify_ninja_availability`, "    raise RuntimeError(\"Ninja is required to load C++ extensions\")"]), "import_error", "torch's cpp_extension JIT load without ninja (not looked up; a second step, item 507)"],
    [pyTrace("OSError: Unknown compute capability. Ensure PyTorch with CUDA support is installed.", ['  File "/opt/conda/lib/python3.9/site-packages/tinycudann/modules.py", line 16, in <module>', "    raise EnvironmentError(\"Unknown compute capability. Ensure PyTorch with CUDA support is installed.\")"]), "python_exception", "tiny-cuda-nn's bindings on a torch without CUDA (bindings/torch/tinycudann/modules.py, read; a second step, item 507): a CPU-only torch, python_exception as the first round's `Torch not compiled with CUDA enabled` row"],
  ],

  "6. compiled custom ops: runtime errors": [
    [[...PROGRESS, ...Array(4).fill("error in deformable_im2col: no kernel image is available for execution on the device"), ""].join("\n"), "cuda_error", "mmcv / mmdet's DCN printf after a launch (find_string hits 25889488710, 17001623879): the log ends in it"],
    [[...PROGRESS, ...Array(3).fill("error in ms_deformable_im2col_cuda: too many resources requested for launch"), ""].join("\n"), "cuda_error", "Deformable-DETR's printf (find_string hit 573914719)"],
    [[
      ...PROGRESS,
      "CUDA kernel failed : no kernel image is available for execution on the device",
      "void group_points_kernel_launcher_fast(int, int, int, int, int, const float*, const int*, float*, cudaStream_t) at L:66 in /workspace/pointnet2/src/group_points_gpu.cu",
      "",
    ].join("\n"), "cuda_error", "pointnet2's CUDA_CHECK_ERRORS before exit(-1) (corpus: zzf-nsvf-53, cuda_error)"],
    [pyTrace(["RuntimeError: /workspace/spconv/src/spconv/indice.cu 125", "cuda execution failed with error 2"], [`  File "${OLD}/spconv/ops.py", line 89, in get_indice_pairs`, "    int(use_hash))"]), "cuda_oom", "spconv 1.x's TV_CHECK_CUDA_ERR with cudaErrorMemoryAllocation (corpus: zze-mmdetection3d-80, cuda_oom)"],
    [pyTrace([
      "RuntimeError: /io/build/temp.linux-x86_64-cpython-38/spconv/build/core_cc/src/cumm/conv/main/ConvMainUnitTest/ConvMainUnitTest_implicit_gemm2.cu 3187",
      "cuda execution failed with error 700 an illegal memory access was encountered",
    ], ['  File "/opt/conda/lib/python3.8/site-packages/spconv/pytorch/ops.py", line 1240, in implicit_gemm_backward', "    ConvGemmOps.implicit_gemm_backward("]), "cuda_error", "spconv 2.x's check (corpus: zzj-spconv-392, cuda_error)"],
    [[
      ...PROGRESS,
      "[Exception|implicit_gemm_pair]indices=torch.Size([184321, 4]),bs=2,ss=[41, 1600, 1408],algo=ConvAlgo.MaskImplicitGemm,ksize=[3, 3, 3],stride=[1, 1, 1],padding=[1, 1, 1],dilation=[1, 1, 1],subm=True,transpose=False",
      "SPCONV_DEBUG_SAVE_PATH not found, you can specify SPCONV_DEBUG_SAVE_PATH as debug data save path to save debug data which can be attached in a issue.",
      pyTrace(["RuntimeError: /io/build/temp.linux-x86_64-cpython-38/spconv/build/core_cc/src/csrc/sparse/all/SpconvOps/SpconvOps_get_indice_pairs_implicit_gemm.cc 78", "cuda execution failed with error 2 out of memory"], ['  File "/opt/conda/lib/python3.8/site-packages/spconv/pytorch/ops.py", line 560, in get_indice_pairs_implicit_gemm', "    SpconvOps.get_indice_pairs_implicit_gemm(alloc, inds_tv, bs, spatial_shape,"]),
    ].join("\n"), "cuda_oom", "spconv 2.x's debug notice (spconv/pytorch/ops.py, find_string hit 1101403199) and its check with out of memory"],
    [pyTrace("RuntimeError: /tmp/pip-req-build-8c3q5r2d/include/tiny-cuda-nn/gpu_memory.h:590 cuMemSetAccess(m_base_address + m_size, n_bytes_to_allocate, &access_desc, 1) failed: CUDA_ERROR_OUT_OF_MEMORY", ['  File "/opt/conda/lib/python3.9/site-packages/tinycudann/modules.py", line 145, in forward', "    output = _module_function.apply("]), "cuda_oom", "tiny-cuda-nn's CU_CHECK_THROW (`FILE_LINE \" \" #x \" failed: {}\"` with cuGetErrorName; include/tiny-cuda-nn/common_host.h, read)"],
    [pyTrace("RuntimeError: /tmp/pip-req-build-8c3q5r2d/src/fully_fused_mlp.cu:814 cudaStreamSynchronize(stream) failed: an illegal memory access was encountered", ['  File "/opt/conda/lib/python3.9/site-packages/tinycudann/modules.py", line 145, in forward', "    output = _module_function.apply("]), "cuda_error", "tiny-cuda-nn's CUDA_CHECK_THROW with cudaGetErrorString (common_host.h, read; the call site a stand-in)"],
    [pyTrace("cupy.cuda.memory.OutOfMemoryError: out of memory to allocate 1073741824 bytes (total 10737418240 bytes)", [`  File "${OLD}/chainer/links/connection/convolution_2d.py", line 175, in forward`, "    x, self.W, self.b, self.stride, self.pad)", '  File "cupy/cuda/memory.pyx", line 518, in cupy.cuda.memory.alloc']), "cuda_oom", "CuPy 4-7's pool under Chainer (the earlier wording; corpus: 2 cuda_oom hold chainer)"],
    [pyTrace("cupy.cuda.runtime.CUDARuntimeError: cudaErrorIllegalAddress: an illegal memory access was encountered", ['  File "cupy/cuda/runtime.pyx", line 247, in cupy.cuda.runtime.check_status']), "cuda_error", "CuPy up to 8's module path (cupy.cuda.runtime, before cupy_backends)"],
    [pyTrace("cupy.cuda.driver.CUDADriverError: CUDA_ERROR_NO_BINARY_FOR_GPU: no kernel image is available for execution on the device", ['  File "cupy/cuda/function.pyx", line 241, in cupy.cuda.function.Module.load', '  File "cupy/cuda/driver.pyx", line 226, in cupy.cuda.driver.moduleLoadData', '  File "cupy/cuda/driver.pyx", line 82, in cupy.cuda.driver.check_status']), "cuda_error", "CuPy's driver check (not looked up)"],
    [pyTrace("cupy.cuda.compiler.CompileException: nvrtc: error: failed to load builtins for compute_86.", ['  File "/opt/conda/lib/python3.8/site-packages/cupy/cuda/compiler.py", line 242, in compile', "    raise CompileException(log, self.src, self.name, options, 'nvrtc')"]), "cuda_error", "CuPy's NVRTC compile of a kernel (the text in CuPy's install docs, find_string hits 24121200415, 21708566809; NVRTC failures read cuda_error)"],
    [pyTrace("cupy.cuda.cudnn.CuDNNError: CUDNN_STATUS_NOT_SUPPORTED: b'CUDNN_STATUS_NOT_SUPPORTED'", ['  File "cupy/cuda/cudnn.pyx", line 1100, in cupy.cuda.cudnn.convolutionForward', '  File "cupy/cuda/cudnn.pyx", line 440, in cupy.cuda.cudnn.check_status']), "cuda_error", "CuPy's cuDNN check under Chainer (not looked up)"],
    [pyTrace(["RuntimeError: CUDA error: an illegal memory access was encountered", ...c10FramesNew("rasterize_meshes_fine at /workspace/pytorch3d/pytorch3d/csrc/rasterize_meshes/rasterize_meshes.h:300")], ['  File "/opt/conda/lib/python3.8/site-packages/pytorch3d/renderer/mesh/rasterize_meshes.py", line 233, in forward', "    pix_to_face, zbuf, barycentric_coords, dists = _C.rasterize_meshes("]), "cuda_error", "pytorch3d's AT_CUDA_CHECK in the fine rasterizer (not looked up)"],
  ],

  "near misses: the same texts in healthy runs": [
    [healthy([
      "THCudaCheck FAIL file=/pytorch/aten/src/THC/THCGeneral.cpp line=405 error=11 : invalid argument",
      "Epoch: [0][10/5005]\tTime 0.412 (0.561)\tData 0.012 (0.101)\tLoss 6.8931 (6.9102)\tAcc@1 0.391 (0.156)\tAcc@5 1.172 (0.703)",
    ]), "none", "torch 1.0-1.1's THCudaCheck record at THCGeneral.cpp on RTX cards, printed while the run goes on (pytorch/pytorch#15797's title; uber-research/UPSNet#45 `the model can still run normally`, tbepler/topaz#36 `still running`)"],
    [healthy([
      "| epoch 001:   0%|▏    | 315/72115 [01:24<5:21:16,  3.72it/s, loss=11.45 (12.65), wps=6799, oom=0]THCudaCheck FAIL file=/pytorch/torch/lib/THC/generic/THCStorage.cu line=58 error=2 : out of memory",
      "| WARNING: ran out of memory, skipping batch",
      "| epoch 001:   0%|▏    | 330/72115 [01:28<5:21:10,  3.72it/s, loss=11.41 (12.58), wps=6802, oom=1]",
    ]), "none", "fairseq's recovered OOM after THC's record (corpus: zzj-fairseq-103, none)"],
    [healthy([
      "Selected optimization level O1:  Insert automatic casts around Pytorch functions and Tensor methods.",
      "",
      "Defaults for this optimization level are:",
      "enabled                : True",
      "opt_level              : O1",
      "cast_model_type        : None",
      "patch_torch_functions  : True",
      "keep_batchnorm_fp32    : None",
      "master_weights         : None",
      "loss_scale             : dynamic",
      "Processing user overrides (additional kwargs that are not None)...",
      "After processing overrides, optimization options are:",
      "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 32768.0",
      "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 16384.0",
    ]), "none", "apex.amp's initialize report and its warm-up overflows (apex/amp/frontend.py, scaler.py; corpus: 9 none hold `Gradient overflow`)"],
    [healthy(["Warning:  multi_tensor_applier fused unscale kernel is unavailable, possibly because apex was installed without --cuda_ext --cpp_ext. Using Python fallback.  Original ImportError was: ModuleNotFoundError(\"No module named 'amp_C'\",)"]), "none", "apex.amp's scaler falling back to Python (apex/amp/scaler.py; not looked up)"],
    [healthy(["Warning:  apex was installed without --cpp_ext.  Falling back to Python flatten and unflatten."]), "none", "apex's DDP falling back (apex/parallel/distributed.py; not looked up)"],
    [healthy(["OVERFLOW! Skipping step. Attempted loss scale: 4294967296, reducing to 2147483648", "OVERFLOW! Skipping step. Attempted loss scale: 2147483648, reducing to 1073741824"]), "none", "apex's FP16_Optimizer at warm-up (corpus: 1 none holds `OVERFLOW! Skipping step`)"],
    [healthy([
      "load checkpoint from local path: checkpoints/resnet50-19c8e357.pth",
      "The model and loaded state dict do not match exactly",
      "",
      "unexpected key in source state_dict: fc.weight, fc.bias",
      "",
    ]), "none", "mmcv's load_checkpoint report (mmcv/runner/checkpoint.py; not looked up): a warning"],
    [healthy([`${OLD}/mmcv/cnn/bricks/transformer.py:33: UserWarning: Fail to import \`\`MultiScaleDeformableAttention\`\` from \`\`mmcv.ops.multi_scale_deform_attn\`\`, You should install \`\`mmcv-full\`\` if you need this module. `, "  warnings.warn('Fail to import ``MultiScaleDeformableAttention`` from '"]), "none", "mmcv's optional-op warning (not looked up)"],
    [healthy([
      "[05/02 10:01:12 d2.checkpoint.c2_model_loading]: Following weights matched with model:",
      "Skip loading parameter 'roi_heads.box_predictor.cls_score.weight' to the model due to incompatible shapes: (81, 1024) in the checkpoint but (2, 1024) in the model! You might want to double check if this is expected.",
      "Some model parameters or buffers are not found in the checkpoint:",
      "roi_heads.box_predictor.cls_score.{bias, weight}",
      d2Record(19, "total_loss: 1.912  loss_cls: 0.6121  loss_box_reg: 0.7211  loss_rpn_cls: 0.3812  loss_rpn_loc: 0.1977"),
    ]), "none", "detectron2's checkpointer notices on fine-tuning (detectron2/checkpoint; not looked up)"],
    [healthy([
      "*****************************************",
      "Setting OMP_NUM_THREADS environment variable for each process to be 1 in default, to avoid your system being overloaded, please further tune the variable for optimal performance in your application as needed. ",
      "*****************************************",
    ]), "none", "torch.distributed.launch's banner (not looked up)"],
    [healthy([
      `${OLD}/torch/distributed/launch.py:178: FutureWarning: The module torch.distributed.launch is deprecated`,
      "and will be removed in future. Use torchrun.",
      "Note that --use_env is set by default in torchrun.",
      "If your script expects `--local_rank` argument to be set, please",
      "change it to read from `os.environ['LOCAL_RANK']` instead. See ",
      "https://pytorch.org/docs/stable/distributed.html#launch-utility for ",
      "further instructions",
      "",
      "  warnings.warn(",
    ]), "none", "torch 1.10's launch deprecation (not looked up)"],
    [healthy(["[W ProcessGroupNCCL.cpp:1569] Rank 0 using best-guess GPU 0 to perform barrier as devices used by this process are currently unknown. This can potentially cause a hang if this rank to GPU mapping is incorrect.Specify device_ids in barrier() to force use of a particular device."]), "none", "torch 1.8-1.10's barrier warning (not looked up)"],
    [healthy([
      "gpu-node-07:48213:48213 [0] NCCL INFO NET/Socket : Using [0]eth0:10.0.0.2<0>",
      "gpu-node-07:48213:48420 [0] NCCL INFO Ring 00 : 0[0] -> 1[1] via P2P/IPC",
      "gpu-node-07:48213:48420 [0] NCCL INFO Launch mode Parallel",
    ]), "none", "NCCL 2.4's INFO records at start-up"],
    [healthy([`${OLD}/torch/nn/modules/rnn.py:51: UserWarning: RNN module weights are not part of single contiguous chunk of memory. This means they need to be compacted at every call, possibly greatly increasing memory usage. To compact weights again call flatten_parameters().`]), "none", "torch's cuDNN RNN warning (not looked up)"],
    [healthy([`${OLD}/torch/utils/data/dataloader.py:477: UserWarning: This DataLoader will create 16 worker processes in total. Our suggested max number of worker in current system is 8, which is smaller than what this DataLoader is going to create. Please be aware that excessive worker creation might get DataLoader running slow or even freeze, lower the worker number to avoid potential slowness/freeze if necessary.`, "  cpuset_checked))"]), "none", "torch 1.9+'s worker-count warning (not looked up)"],
    [healthy([
      "train.py:121: UserWarning: volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
      "train.py:140: UserWarning: invalid index of a 0-dim tensor. This will be an IndexError in PyTorch 0.5. Use tensor.item() to convert a 0-dim tensor to a Python number",
    ]), "none", "torch 0.4's migration warnings (not looked up)"],
    [healthy(["Warning: FullyFusedMLP is not supported for the selected architecture 61. Falling back to CutlassMLP. For maximum performance, raise the target GPU architecture to 75+."]), "none", "tiny-cuda-nn's fallback notice (not looked up)"],
    [healthy(["Setting up PyTorch plugin \"nvdiffrast_plugin\"... Done."]), "none", "nvdiffrast's JIT plugin build succeeding (nvdiffrast/torch/ops.py; not looked up)"],
    [healthy([`${OLD}/cupy/_environment.py:216: UserWarning: CUDA path could not be detected. Set CUDA_PATH environment variable if CuPy fails to load.`, "  warnings.warn("]), "none", "CuPy's environment warning (not looked up)"],
    [healthy([`${OLD}/pointnet2_ops/pointnet2_utils.py:15: UserWarning: Unable to load pointnet2_ops cpp extension. JIT Compiling.`, '  warnings.warn("Unable to load pointnet2_ops cpp extension. JIT Compiling.")']), "none", "Pointnet2_PyTorch's JIT fallback that then builds (not looked up)"],
    [healthy([
      mmcvRecord(1150, "loss_rpn_cls: 0.0712, loss_rpn_bbox: 0.0401, loss_cls: 0.3121, acc: 90.1211, loss_bbox: 0.2817, loss: 0.7051, grad_norm: nan"),
      mmcvRecord(1200, "loss_rpn_cls: 0.0701, loss_rpn_bbox: 0.0399, loss_cls: 0.3098, acc: 90.3711, loss_bbox: 0.2801, loss: 0.6999, grad_norm: 3.9811"),
      mmcvRecord(1250, "loss_rpn_cls: 0.0699, loss_rpn_bbox: 0.0391, loss_cls: 0.3071, acc: 90.5117, loss_bbox: 0.2790, loss: 0.6951, grad_norm: 3.8711"),
    ]), "none", "mmcv's fp16 hook logging one NaN grad norm of a skipped step, then finite records"],
    [healthy([
      "Exception ignored in: <function _MultiProcessingDataLoaderIter.__del__ at 0x7f3c1a5f6d90>",
      "Traceback (most recent call last):",
      `  File "${OLD}/torch/utils/data/dataloader.py", line 1203, in __del__`,
      "    self._shutdown_workers()",
      `  File "${OLD}/torch/utils/data/dataloader.py", line 1177, in _shutdown_workers`,
      "    w.join(timeout=_utils.MP_STATUS_CHECK_INTERVAL)",
      '  File "/opt/conda/lib/python3.6/multiprocessing/process.py", line 138, in join',
      "    assert self._parent_pid == os.getpid(), 'can only join a child process'",
      "AssertionError: can only join a child process",
    ]), "none", "the loader's destructor error Python prints and ignores (not looked up)"],
  ],
};

testDictionary("crash rules dictionary, fourth round: older PyTorch and compiled custom ops", FAMILIES, primaryOf);
