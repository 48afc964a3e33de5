/**
 * Crash rules by enumeration from the sources, fourth round, part B (issue 10; docs/crash-accuracy.md, items 510-): the
 * long tail of frameworks (Jittor, MindSpore / Ascend CANN, OneFlow, MegEngine, the gaps the second round left in
 * PaddlePaddle and MXNet, Caffe / Caffe2, Theano, DGL) and the operating system's own reports as training users see them
 * (Windows NTSTATUS exit codes in their signed and unsigned decimal forms, faulthandler's `Windows fatal exception`,
 * WinError codes; macOS shells, MPS and Metal; Linux resource limits: file descriptors, fork, thread creation, shared
 * memory), each in the line shape it is printed in, inside a short traceback or log tail, with the category the
 * corpus's conventions give it. `none` rows are near misses: the same words in healthy runs.
 *
 * Sources: an issue URL is a public thread quoting the text in a real log (its line shape); `find_string hit N` is a
 * public repository file the search tool does not name, cited by its hit id; `corpus: ...` is a studied corpus entry
 * holding the text with its label; a row marked `not looked up` quotes a text as known from the project's sources
 * without a look-up this round.
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-longtail-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

/** A log tail: training progress, then `lines`. */
function tail(lines: string[]): string {
  return [...PROGRESS, ...lines, ""].join("\n");
}

/** A glog FATAL record (Caffe, OneFlow, MXNet's dmlc): `F<mmdd> <time> <tid> <file>:<line>] <text>`, its stack, the abort. */
function glogFatal(file: string, text: string, frames: string[], end = "Aborted (core dumped)"): string {
  return tail([
    `F0502 10:11:12.345678 48213 ${file}] ${text}`,
    "*** Check failure stack trace: ***",
    "    @     0x7f3c2a1b4daa  (unknown)",
    "    @     0x7f3c2a1b4ce4  (unknown)",
    ...frames.map((f) => `    @     0x7f3c2a1c5e10  ${f}`),
    end,
  ]);
}

/** Caffe's solver records before a failure. */
const CAFFE_PROGRESS = [
  "I0502 10:11:10.123456 48213 solver.cpp:218] Iteration 1200 (2.41 iter/s, 41.5s/100 iters), loss = 0.4121",
  "I0502 10:11:10.123490 48213 solver.cpp:237]     Train net output #0: loss = 0.4121 (* 1 = 0.4121 loss)",
  "I0502 10:11:10.123512 48213 sgd_solver.cpp:105] Iteration 1200, lr = 0.001",
];

/** A Jittor executor failure (python/jittor/src/executor.cc): the RuntimeError and its `[Reason]:` line(s). */
function jittorFused(reason: string[]): string {
  return pyTrace([
    "RuntimeError: [f 0502 10:11:12.345678 16 executor.cc:686] ",
    "Execute fused operator(41/49) failed. ",
    "[JIT Source]: /root/.cache/jittor/jt1.3.8/g++9.4.0/py3.8.10/Linux-5.15.0-x/IntelRXeonRGolxda/default/cu11.2.152_sm_86/jit/cudnn_conv__Tx_float32__Ty_float32__Tw_float32__hash_e6e42f8f6f3e9195_op.cc ",
    "[OP TYPE]: cudnn_conv ",
    "[Input]: float32[64,3,224,224,], float32[64,3,7,7,], ",
    "[Output]: float32[64,64,112,112,], ",
    "[Async Backtrace]: not found, please set env JT_SYNC=1, trace_py_var=3 ",
    ...reason,
  ], ['  File "/usr/local/lib/python3.8/dist-packages/jittor/__init__.py", line 1232, in sync', "    return self.sync_all()"]);
}

/** A MindSpore log record: `[LEVEL] MODULE(pid,tid,python):<date> [file:line] Function] text`. */
function msRecord(level: "ERROR" | "WARNING" | "INFO", module: string, where: string, text: string): string {
  return `[${level}] ${module}(48213,7fea2effd700,python):2024-05-02-10:11:12.932.181 [${where}] ${text}`;
}

/** MindSpore's exception report: the Python line, then its `- <section>:` blocks. */
function msReport(pyLine: string, sections: [string, string[]][]): string {
  const bar = "----------------------------------------------------";
  return pyTrace([
    pyLine,
    ...sections.flatMap(([title, body]) => ["", bar, `- ${title}:`, bar, ...body]),
  ], ['  File "/usr/local/lib/python3.9/site-packages/mindspore/train/model.py", line 1068, in train', "    self._train(epoch,"]);
}

/** Paddle's 2.x enforce report: `<Type>: ` (the message on the following lines), the C++ traceback and the summary. */
function paddle2(pyType: string, summary: string[]): string {
  return pyTrace([
    `${pyType}: `,
    "",
    "--------------------------------------",
    "C++ Traceback (most recent call last):",
    "--------------------------------------",
    "0   paddle::imperative::Tracer::TraceOp(std::string const&, paddle::imperative::NameVarBaseMap const&, paddle::imperative::NameVarBaseMap const&, paddle::framework::AttributeMap, paddle::platform::Place const&, bool)",
    "1   paddle::platform::EnforceNotMet::EnforceNotMet(paddle::platform::ErrorSummary const&, char const*, int)",
    "2   paddle::platform::GetCurrentTraceBackString[abi:cxx11]()",
    "",
    "----------------------",
    "Error Message Summary:",
    "----------------------",
    ...summary,
  ], ['  File "/usr/local/lib/python3.8/dist-packages/paddle/fluid/dygraph/layers.py", line 902, in __call__', "    outputs = self.forward(*inputs, **kwargs)"]);
}

/** Paddle's old launcher (paddle.distributed.launch) after a trainer ended. */
const PADDLE_LAUNCH_ABORT = [
  "INFO 2022-11-02 08:42:32,186 launch_utils.py:341] terminate all the procs",
  "ERROR 2022-11-02 08:42:32,186 launch_utils.py:604] ABORT!!! Out of all 2 trainers, the trainer process with rank=[0] was aborted. Please check its log.",
  "INFO 2022-11-02 08:42:35,189 launch_utils.py:341] terminate all the procs",
];

/** dmlc's fatal record inside MXNet's engine (dmlc-core logging.h) with its `[bt]` stack. */
function mxnetFatal(first: string[], end: string[] = []): string {
  return tail([
    ...first,
    "",
    "Stack trace returned 10 entries:",
    "[bt] (0) /usr/local/lib/python3.6/dist-packages/mxnet/libmxnet.so(dmlc::StackTrace[abi:cxx11]()+0x5a) [0x7f0720cab81a]",
    "[bt] (1) /usr/local/lib/python3.6/dist-packages/mxnet/libmxnet.so(dmlc::LogMessageFatal::~LogMessageFatal()+0x28) [0x7f0720cac3b8]",
    "[bt] (2) /usr/local/lib/python3.6/dist-packages/mxnet/libmxnet.so(mxnet::storage::GPUPooledStorageManager::Alloc(mxnet::Storage::Handle*)+0x16d) [0x7f072370ee1d]",
    ...end,
  ]);
}

const MXNET_ASYNC = "A fatal error occurred in asynchronous engine operation. If you do not know what caused this error, you can try set environment variable MXNET_ENGINE_TYPE to NaiveEngine and run with debugger (i.e. gdb). This will force all operations to be synchronous and backtrace will give you the series of calls that lead to this error. Remember to set MXNET_ENGINE_TYPE back to empty after debugging.";

/** Theano's compiled function failing in a node: the exception, then Theano's node report. */
function theanoTrace(exc: string, node: string): string {
  return pyTrace([
    '  File "/usr/local/lib/python2.7/dist-packages/theano/compile/function_module.py", line 917, in __call__',
    "    storage_map=getattr(self.fn, 'storage_map', None))",
    '  File "/usr/local/lib/python2.7/dist-packages/theano/gof/link.py", line 325, in raise_with_op',
    "    reraise(exc_type, exc_value, exc_trace)",
    exc,
    `Apply node that caused the error: ${node}`,
    "Toposort index: 212",
    "Inputs types: [GpuArrayType<None>(float32, matrix), GpuArrayType<None>(float32, matrix)]",
    "",
    "HINT: Re-running with most Theano optimization disabled could give you a back-trace of when this node was created. This can be done with by setting the Theano flag 'optimizer=fast_compile'. If that does not work, Theano optimizations can be disabled with 'optimizer=None'.",
    "HINT: Use the Theano flag 'exception_verbosity=high' for a debugprint and storage map footprint of this apply node.",
  ]);
}

/** A Windows traceback: frames with drive-letter paths. */
function winTrace(last: string | string[], frames: string[] = []): string {
  return [
    ...PROGRESS,
    "Traceback (most recent call last):",
    '  File "C:\\Users\\me\\project\\train.py", line 212, in <module>',
    "    main()",
    ...frames,
    ...(Array.isArray(last) ? last : [last]),
    "",
  ].join("\n");
}

/** `import torch` failing on Windows (torch/__init__.py's DLL loading). */
const TORCH_DLL_FRAMES = [
  '  File "C:\\Users\\me\\project\\train.py", line 3, in <module>',
  "    import torch",
  '  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\__init__.py", line 148, in <module>',
  "    raise err",
];

/** faulthandler's report of a Windows native exception (Python/faulthandler.c), then the dead run's last frames. */
function winFatal(what: string): string {
  return tail([
    `Windows fatal exception: ${what}`,
    "",
    "Current thread 0x00002f1c (most recent call first):",
    '  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\nn\\modules\\conv.py", line 456 in _conv_forward',
    '  File "C:\\Users\\me\\project\\train.py", line 187 in main',
    '  File "C:\\Users\\me\\project\\train.py", line 212 in <module>',
  ]);
}

/** torch.multiprocessing's report of a child that ended (torch/multiprocessing/spawn.py). */
function spawnExit(what: string): string {
  return pyTrace(`torch.multiprocessing.spawn.ProcessExitedException: process 0 terminated with ${what}`, [
    '  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\multiprocessing\\spawn.py", line 160, in join',
    "    raise ProcessExitedException(",
  ]);
}

/** A DataLoader worker start failing in `os.fork` (multiprocessing/popen_fork.py). */
const FORK_FRAMES = [
  '  File "/usr/local/lib/python3.10/dist-packages/torch/utils/data/dataloader.py", line 1042, in __init__',
  "    w.start()",
  '  File "/usr/lib/python3.10/multiprocessing/popen_fork.py", line 66, in _launch',
  "    self.pid = os.fork()",
];

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const FAMILIES: Record<string, Row[]> = {
  "1. Jittor, MindSpore / Ascend, OneFlow, MegEngine": [
    [jittorFused([
      "[Reason]: [f 0502 10:11:12.345000 92 helper_cuda.h:128] CUDA error at c:\\users\\administrator\\appdata\\local\\programs\\python\\python310\\lib\\site-packages\\jittor\\src\\mem\\allocator\\cuda_device_allocator.cc:33  code=2( cudaErrorMemoryAllocation )",
      " cudaMallocManaged(&ptr, size)",
    ]), "cuda_oom", "Jittor's helper_cuda.h CUDA check on its device allocator (https://github.com/Jittor/JittorLLMs/issues/30: `[Reason]: ... code=2( cudaErrorMemoryAllocation )`, the maintainer: GPU memory ran out)"],
    [pyTrace([
      "RuntimeError: Wrong inputs arguments, Please refer to examples(help(jt.ops.array)).",
      "",
      "Types of your inputs are:",
      " self   = module,",
      " args   = (list, ),",
      "",
      "The function declarations are:",
      " VarHolder* array__(PyObject* obj)",
      "",
      "Failed reason:[f 1013 20:23:11.079061 16 helper_cuda.h:128] CUDA error at /home/user/.local/lib/python3.10/site-packages/jittor/src/mem/allocator/cuda_host_allocator.cc:22 code=2( cudaErrorMemoryAllocation ) cudaMallocHost(&ptr, size)",
    ]), "host_oom", "Jittor's pinned host allocator failing under jt.array (https://github.com/Jittor/JNeRF/issues/76; cudaMallocHost is page-locked host memory, the corpus labels MindSpore's cudaHostAlloc failure host_oom: mindspore-172)"],
    [pyTrace([
      "RuntimeError: Wrong inputs arguments, Please refer to examples(help(jt.sync)).",
      "",
      "Failed reason:[f 0909 17:29:40.576724 60 executor.cc:527] Execute fused operator(2324/4776) failed: [Op(0x5623cd93d830:0:0:1:i1:o1:s0,broadcast_to->0x5623cd93d8e0),] ",
      "",
      "Reason: [f 0909 17:29:39.839614 60 helper_cuda.h:126] CUDA error at ~/.cache/jittor/default/g++/jit/cudnn_conv_backward_x_Tx:float32__Ty:float32__hash:74f24b7a5fa4fe17_op.cc:167  code=4( CUDNN_STATUS_INTERNAL_ERROR ) cudnnFindConvolutionBackwardDataAlgorithmEx( handle_, cudnnFdesc, w->ptr<Tw>(), cudnnOdesc, y->ptr<Ty>(), cudnnConvDesc, cudnnIdesc, x->ptr<Tx>(), num_algos, &perf_count, perf_results, ws, max_ws_size) ",
    ]), "cuda_error", "Jittor's cuDNN check (https://github.com/Jittor/jittor/issues/265)"],
    [tail([
      "[e 0909 17:29:40.891578 60 helper_cuda.h:115] Peek CUDA error at ~/anaconda3/envs/py3/lib/python3.8/site-packages/jittor/src/mem/allocator/cuda_dual_allocator.h:101  code=700 ( cudaErrorIllegalAddress ) _cudaLaunchHostFunc(0, &to_free_allocation, 0) ",
      "terminate called after throwing an instance of 'std::runtime_error'   ",
    ]), "cuda_error", "Jittor's asynchronous CUDA check, then terminate (https://github.com/Jittor/jittor/issues/265; corpus: zk-jittor-35 cuda_error)"],
    [jittorFused([
      "[Reason]: cudaFuncSetSharedMemConfig(transposePacked<float, 1>, cudaSharedMemBankSizeFourByte ) in file /root/.cache/jittor/cutt/cutt-1.2/src/calls.h:2, function cuttKernelSetSharedMemConfig",
      "Error message: invalid device function",
      "**********",
      "Async error was detected. To locate the async backtrace and get better error report, please rerun your code with two enviroment variables set:",
      ">>> export JT_SYNC=1",
      ">>> export trace_py_var=3",
    ]), "cuda_error", "Jittor's CUDA error report with the string on its own `Error message:` line (corpus: zzi-jdet-59 cuda_error, item 492)"],
    [jittorFused([
      "[Reason]: [f 1009 15:23:21.058000 16 sfrl_allocator.cc:70] Check failed: tot_block_id < ID_LIMIT - 1  Something wrong... Could you please report this issue?",
      " block id limit extended.",
    ]), "python_exception", "Jittor's allocator's internal check (https://github.com/Jittor/jittor/issues/402): a framework bug, no resource named"],
    [healthy([
      "[w 0429 09:00:15.731000 16 cuda_device_allocator.cc:30] Unable to alloc cuda device memory, use unify memory instead. This may cause low performance.",
      "[i 0429 09:00:15.732000 16 cuda_device_allocator.cc:32]",
      "=== display_memory_info ===",
    ]), "none", "Jittor falls back to unified memory and goes on (https://github.com/Jittor/JittorLLMs/issues/80)"],
    [msReport("RuntimeError: Out of Memory!!! Request memory size: 33100113920B, Memory Statistic:", [
      ["Framework Error Message", [
        "Device HBM memory size: 32768M",
        "MindSpore Used memory size: 30684M",
        "MindSpore memory base address: 0x124140000000",
        "Total Static Memory size: 496M",
        "Total Dynamic memory size: 0M",
        "Dynamic memory size of this graph: 0M",
        "",
        "Please try to reduce 'batch_size' or check whether exists extra large shape. For more details, please refer to 'Out of Memory' at https://www.mindspore.cn .",
      ]],
      ["C++ Call Stack: (For framework developers)", ["mindspore/ccsrc/plugin/device/ascend/hal/device/ascend_memory_adapter.cc:213 MallocStaticDevMem"]],
    ]), "cuda_oom", "MindSpore's Ascend memory adapter (`Out of Memory!!! Request memory size: ` ... `B, Memory Statistic:`, find_string hits 4692373717, 158020619; the report as MindSpore's tutorial prints it, hit 17305892450)"],
    [msReport("RuntimeError: ", [
      ["Framework Error Message", [
        "Out of Memory!!! Request memory size: 1088627200B, Memory Statistic:",
        "Device HBM memory size: 32768M",
        "MindSpore Used memory size: 1024M",
        "",
        "Please try to reduce 'batch_size' or check whether exists extra large shape. For more details, please refer to 'Out of Memory' at https://www.mindspore.cn .",
      ]],
    ]), "cuda_oom", "the same with the message in the Framework Error Message block only (find_string hit 17234498730)"],
    [tail([
      msRecord("ERROR", "PRE_ACT", "mindspore/ccsrc/backend/common/mem_reuse/mem_dynamic_allocator.cc:392", "AddMemBlockAndMemBufByEagerFree] TotalUsedMemStatistics : 24725382656 plus TotalUsedByEventMemStatistics : 0 and plus alloc size : 100555779072 is more than total mem size : 61079552000."),
      msRecord("ERROR", "PRE_ACT", "mindspore/ccsrc/backend/common/mem_reuse/mem_dynamic_allocator.cc:392", "AddMemBlockAndMemBufByEagerFree] TotalUsedMemStatistics : 24753031680 plus TotalUsedByEventMemStatistics : 0 and plus alloc size : 100555779072 is more than total mem size : 61079552000."),
    ]), "cuda_oom", "MindSpore's dynamic allocator refusing a block larger than the device (https://github.com/mindspore-lab/mindone/issues/820, `opensora v1.2 i2v oom`)"],
    [tail([
      msRecord("ERROR", "MD", "mindspore/ccsrc/minddata/dataset/util/arena.cc:250", "Init] cudaHostAlloc failed, ret[2], out of memory"),
      msRecord("ERROR", "MD", "mindspore/ccsrc/minddata/dataset/util/task.cc:67", "operator()] Task:  - thread(140643787593472) is terminated with err msg: Out of memory. Memory malloc failed."),
      "Line of code : 621",
      "File         : /home/jenkins/agent-working-dir/workspace/Compile_GPU_X86_CentOS_Cuda11/mindspore/mindspore/ccsrc/minddata/dataset/engine/datasetops/device_queue_op.cc",
    ]), "host_oom", "MindData's pinned host arena (https://github.com/mindspore-ai/mindspore/issues/172; corpus: mindspore-172 host_oom)"],
    [tail([
      "[ERROR] 2025-08-26-03:59:04 (PID:28794, Device:0, RankID:0) ERR00100 PTA call acl api failed",
      "[Error]: An internal error occurs in the Driver module. ",
      "        Rectify the fault based on the error information in the ascend log.",
      "EL0004: [PID: 28794] 2025-08-26-03:58:55.257.127 Failed to allocate memory.",
      "        Possible Cause: Available memory is insufficient.",
      "        Solution: Close applications not in use.",
      "        TraceBack (most recent call last):",
      "        malloc physical memory failed, runtime result = 207001[FUNC:ReportCallError][FILE:log_inner.cpp][LINE:161]",
    ]), "cuda_oom", "CANN's EL0004 under torch_npu (find_string hits 55874683914, 55763524705, 55963192249: `EL0004: [PID: N] <time> Failed to allocate memory.`, device memory)"],
    [msReport("RuntimeError: Call GE RunGraphWithStreamAsync Failed, ret is: 4294967295", [
      ["Ascend Error Message", [
        "EL0004: Failed to allocate memory.",
        "        Possible Cause: Available memory is insufficient.",
        "        Solution: Close applications not in use.",
        "        TraceBack (most recent call last):",
        "        alloc device memory failed, runtime result = 207001[FUNC:ReportCallError][FILE:log_inner.cpp][LINE:161]",
      ]],
    ]), "cuda_oom", "MindSpore data-parallel training failing in GE with EL0004 (find_string hit 37815256374 names `Call GE RunGraphWithStreamAsync Failed，EL0004: Failed to allocate memory.`; hit 4603216392 the bare form)"],
    [glogFatal("cuda_util.cpp:88", "Check failed: error == cudaSuccess (2 vs. 0) out of memory", ["google::LogMessageFatal::~LogMessageFatal()", "oneflow::CudaCheck<>()", "oneflow::(anonymous namespace)::ConvGpuKernel<>::Compute()"]), "cuda_oom", "OneFlow's CudaCheck (https://github.com/Oneflow-Inc/oneflow/pull/3446; corpus: zk-oneflow-pr3446 cuda_oom)"],
    [tail([
      "terminate called after throwing an instance of 'oneflow::RuntimeException'",
      "  what():  Error: CUDA out of memory. Tried to allocate 114.0 MB",
      "Error message from /data/oneflow/oneflow/core/vm/op_call_instruction_policy.cpp:278",
      "        OpCallInstructionUtil::Compute(this, instruction->mut_stream(), true, false): empty:OpCall:s_compute",
      "",
      '  File "oneflow/core/vm/bin_allocator.h", line 305, in AllocateBlockToExtendTotalMem',
      "    backend_->Allocate(&mem_ptr, final_allocate_bytes)",
      "Error Type: oneflow.ErrorProto.out_of_memory_error",
      "Aborted (core dumped)",
    ]), "cuda_oom", "OneFlow 0.9+'s eager allocator (https://github.com/Oneflow-Inc/oneflow/pull/10278; the wording of pull/9938)"],
    [tail([
      "terminate called after throwing an instance of 'oneflow::RuntimeException'",
      "  what():  Error: out of memory",
      "Aborted (core dumped)",
    ]), "cuda_oom", "OneFlow before pull/9938 (`Old OOM Error` for CUDA: https://github.com/Oneflow-Inc/oneflow/pull/9938)"],
    [tail([
      "terminate called after throwing an instance of 'oneflow::RuntimeException'",
      "  what():  Error: CPU can't allocate memory. Tried to allocate 1490116.1 GB",
      "Aborted (core dumped)",
    ]), "host_oom", "OneFlow's CPU allocator (https://github.com/Oneflow-Inc/oneflow/pull/9938, `New OOM Error` CPU)"],
    [pyTrace([
      "oneflow._oneflow_internal.exception.CheckFailedException: ",
      '  File "oneflow/core/framework/op_interpreter/lazy_op_interpreter.cpp", line 635, in ApplyImpl',
      "    Check failed: parallel_desc->EqualsIgnoringHierarchy(*GetParallelDescOfTensor(input_tensor))",
      "Error Type: oneflow.ErrorProto.check_failed_error",
    ]), "python_exception", "OneFlow's graph build check (https://github.com/Oneflow-Inc/oneflow/issues/7043, /issues/10419): a placement mismatch in user code"],
    [pyTrace([
      "RuntimeError: out of memory while requesting 68719476736 bytes; you can try setting MGB_CUDA_RESERVE_MEMORY to reserve all memory. If there are dynamic variables, you can also try enabling graph option `enable_grad_var_static_reshape` so some gradient variables can be statically allocated",
      "",
      "backtrace:",
      "/home/user/miniconda3/envs/meg/lib/python3.8/site-packages/megengine/core/lib/libmegengine_shared.so(_ZN3mgb13MegBrainErrorC1ERKSs+0x4a) [0x7f81830bddca]",
    ]), "cuda_oom", "MegEngine's device allocator (https://github.com/MegEngine/MegEngine/issues/448)"],
    [tail([
      "14 15:27:38[mgb] ERR megbrain is about to die abruptly; you can set MGB_WAIT_TERMINATE and rerun to wait for gdb attach: caught deadly signal 11(Segmentation fault)",
      "14 15:27:38[mgb] ERR bt:/lib/x86_64-linux-gnu/libpthread-2.27.so{12890}/home/user/miniconda3/envs/meg/lib/python3.8/site-packages/megengine/_internal/_mgb.cpython-38-x86_64-linux-gnu.so{5e0f613}",
    ]), "segfault", "MegEngine's signal handler (https://github.com/MegEngine/MegEngine/issues/82)"],
    [tail([
      "14 15:27:38[mgb] ERR megbrain is about to die abruptly; you can set MGB_WAIT_TERMINATE and rerun to wait for gdb attach: caught deadly signal 6(Aborted)",
    ]), "segfault", "the same handler on SIGABRT (the format of MegEngine#82 with another signal; constructed)"],
    [healthy([
      "28 11:17:22[mgb] WRN reallocating all cuda memory to alleviate fragmentation, the performance may be affected",
    ]), "none", "MegEngine's defragmentation warning in a run that goes on (https://github.com/MegEngine/MegEngine/issues/448's first line)"],
  ],

  "2. PaddlePaddle and MXNet: what the second round left": [
    [paddle2("OSError", [
      "ExternalError: CUDA error(719), unspecified launch failure. ",
      "  [Hint: 'cudaErrorLaunchFailure'. An exception occurred on the device while executing a kernel. Common causes include dereferencing an invalid device pointerand accessing out of bounds shared memory. Less common cases can be system specific - more information about these cases canbe found in the system specific user guide. This leaves the process in an inconsistent state and any further CUDA work willreturn the same error. To continue using CUDA, the process must be terminated and relaunched.] (at ..\\paddle\\phi\\backends\\gpu\\cuda\\cuda_info.cc:251)",
    ]), "cuda_error", "Paddle 2.3's summary (https://github.com/PaddlePaddle/Paddle/issues/58454: `ExternalError: CUDA error(719), unspecified launch failure. [Hint: 'cudaErrorLaunchFailure'...`; corpus: ExternalError 2 cuda_error)"],
    [paddle2("OSError", [
      "ExternalError: CUDA error(2), out of memory. ",
      "  [Hint: 'cudaErrorMemoryAllocation'. The API call failed because it was unable to allocate enough memory to perform the requested operation. ] (at /paddle/paddle/phi/backends/gpu/gpu_context.cc:419)",
    ]), "cuda_oom", "Paddle's enforce with cudaErrorMemoryAllocation (the `CUDA error(N), <string>.` + hint shape of Paddle#58454 with code 2; not seen in a thread)"],
    [paddle2("OSError", [
      "ExternalError: CUDNN error(4), CUDNN_STATUS_INTERNAL_ERROR. ",
      "  [Hint: 'CUDNN_STATUS_INTERNAL_ERROR'.  An internal cuDNN operation failed.  ] (at /paddle/paddle/fluid/operators/conv_cudnn_op.cu:331)",
    ]), "cuda_error", "Paddle 2.x's summary for cuDNN (not looked up)"],
    [paddle2("OSError", [
      "ExternalError: Nccl error(2), unhandled system error. ",
      "  [Hint: 'ncclSystemError'. A call to a system function failed. ] (at /paddle/paddle/fluid/platform/collective_helper.cc:118)",
    ]), "nccl_error", "Paddle 2.x's summary for NCCL (not looked up; corpus: `ExternalError` 1 nccl_error)"],
    [pyTrace("OSError: (External) Cuda error(719), unspecified launch failure."), "cuda_error", "Paddle 2.1's one-line form with `Cuda` (https://github.com/PaddlePaddle/Paddle/issues/32510, https://github.com/PaddlePaddle/PaddleSeg/issues/2529)"],
    [paddle2("MemoryError", [
      "ResourceExhaustedError: Fail to alloc memory of 8589934592 size, error code is 12.",
      "  [Hint: Expected error == 0, but received error:12 != 0:0.] (at /paddle/paddle/fluid/memory/allocation/cpu_allocator.cc:50)",
    ]), "host_oom", "Paddle 2.x's CPU allocator in the summary (cpu_allocator.cc's `Fail to alloc memory of %ld size, error code is %d.`, the second round's 3.x row; not looked up)"],
    [tail([
      "Error: Can not import avx core while this file exists: C:\\Users\\me\\miniconda3\\envs\\paddle\\lib\\site-packages\\paddle\\fluid\\core_avx.pyd",
      "Traceback (most recent call last):",
      '  File "tools/train.py", line 28, in <module>',
      "    import paddle",
      '  File "C:\\Users\\me\\miniconda3\\envs\\paddle\\lib\\site-packages\\paddle\\fluid\\core.py", line 273, in <module>',
      "    raise e",
      "ImportError: DLL load failed: 找不到指定的模块。",
    ]), "import_error", "Paddle 2.0-2.2's core loader (paddle/fluid/core.py, find_string hits 3938504630, 6730358846)"],
    [tail([
      "Error: Can not import avx core while this file exists: /usr/local/lib/python3.10/dist-packages/paddle/fluid/core_avx.so",
      "Traceback (most recent call last):",
      '  File "tools/train.py", line 28, in <module>',
      "    import paddle",
      "ImportError: /usr/local/lib/python3.10/dist-packages/paddle/fluid/core_avx.so: undefined symbol: _dl_sym, version GLIBC_PRIVATE",
    ]), "import_error", "an old Paddle binary on a new glibc (find_string hit 66222163698)"],
    [healthy([
      "Hint: Your machine support AVX, but the installed paddlepaddle doesn't have avx core. Hence, no-avx core with worse preformance will be imported.",
      "If you like, you could reinstall paddlepaddle by 'python -m pip install --force-reinstall paddlepaddle-gpu[==version]' to get better performance.",
    ]), "none", "Paddle's no-AVX notice (paddle/fluid/core.py, find_string hit 3938504630), a run that goes on"],
    [pyTrace([
      "SystemError: (Fatal) DataLoader process (pid 1104) exited is killed by signal: Killed. (at /paddle/paddle/fluid/imperative/data_loader.cc:181)",
      "",
      ...PADDLE_LAUNCH_ABORT,
    ], ['  File "/usr/local/python3.7.0/lib/python3.7/site-packages/paddle/fluid/multiprocess_utils.py", line 134, in __handler__', "    core._throw_error_if_process_failed()"]), "process_killed", "Paddle's DataLoader worker killed, then the launcher's abort (https://github.com/PaddlePaddle/PaddleDetection/issues/7252)"],
    [tail([
      "W1130 13:01:46.075424  4278 init.cc:234]     @     0x55629a4b34c5 _PyFunction_FastCallDict",
      "W1130 13:01:46.076011  4278 init.cc:234]     @     0x55629a51a1ba slot_tp_init",
      "W1130 13:01:46.076022  4278 init.cc:236] *** SIGSEGV (@0x0) received by PID 4278 (TID 0x7f8b3c1ff700) from PID 0; stack trace: ***",
      "INFO 2020-11-30 13:01:49,988 utils.py:269] terminate all the procs",
      "ERROR 2020-11-30 13:01:49,988 utils.py:413] ABORT!!! Out of all 2 trainers, the trainer process with rank=[0, 1] was aborted. Please check its log.",
      "INFO 2020-11-30 13:01:52,991 utils.py:269] terminate all the procs",
    ]), "segfault", "Paddle 1.x's glog signal dump in the trainers, then the launcher (https://github.com/PaddlePaddle/PaddleDetection/issues/1775; the SIGSEGV record is init.cc's, not shown in that excerpt)"],
    [mxnetFatal(["[22:06:56] /usr/local/common/mxnet/dmlc-core/include/dmlc/./logging.h:300: [22:06:56] src/storage/./pooled_storage_manager.h:80: cudaMalloc failed: out of memory"]), "cuda_oom", "MXNet 0.9's fatal record under dmlc's logging.h (https://github.com/apache/mxnet/issues/5341)"],
    [mxnetFatal([
      "[03:09:57] src/operator/nn/./cudnn/./cudnn_algoreg-inl.h:107: Running performance tests to find the best convolution algorithm, this can take a while... (setting env variable MXNET_CUDNN_AUTOTUNE_DEFAULT to 0 to disable)",
      "terminate called after throwing an instance of 'dmlc::Error'",
      "  what():  [03:10:07] src/engine/./threaded_engine.h:359: [03:10:06] src/storage/./pooled_storage_manager.h:107: cudaMalloc failed: out of memory",
    ], ["Aborted (core dumped)"]), "cuda_oom", "MXNet's engine re-raising the allocator's failure through terminate (https://github.com/xilaili/maskrcnn.mxnet/issues/10)"],
    [mxnetFatal([
      "[16:36:26] /home/travis/build/dmlc/mxnet-distro/mxnet-build/dmlc-core/include/dmlc/logging.h:308: [16:36:26] /home/travis/build/dmlc/mxnet-distro/mxnet-build/mshadow/mshadow/./stream_gpu-inl.h:184: Check failed: e == cudaSuccess CUDA: out of memory",
    ], ["", MXNET_ASYNC, "terminate called after throwing an instance of 'dmlc::Error'", "Aborted (core dumped)"]), "cuda_oom", "mshadow's stream check with CUDA's OOM string (https://github.com/MVIG-SJTU/AlphaPose/issues/493's title, translated there; corpus: zzc gluon-cv-667, cuda_oom, holds the English line in a `what():`)"],
    [mxnetFatal([
      "[08:45:46] src/operator/./cudnn_convolution-inl.h:404: Check failed: e == CUDNN_STATUS_SUCCESS (4 vs. 0) cuDNN: CUDNN_STATUS_INTERNAL_ERROR",
    ], ["", MXNET_ASYNC, "terminate called after throwing an instance of 'dmlc::Error'", "Aborted (core dumped)"]), "cuda_error", "MXNet's cuDNN check in the engine (not looked up; the async notice from https://github.com/apache/mxnet/issues/9529)"],
    [mxnetFatal([
      "[11:15:35] /home/user/mxnet/dmlc-core/include/dmlc/logging.h:235: [11:15:35] src/engine/./threaded_engine.h:306: [11:15:35] /home/user/mxnet/mshadow/mshadow/./cuda/tensor_gpu-inl.cuh:58: too many resources requested for launch",
    ], ["", MXNET_ASYNC, "terminate called after throwing an instance of 'dmlc::Error'", "Aborted (core dumped)"]), "cuda_error", "mshadow's kernel launch check (https://github.com/deepinsight/insightface/issues/231, cut after `t`; the string is cudaErrorLaunchOutOfResources')"],
    [pyTrace([
      "mxnet.base.MXNetError: [10:11:12] src/storage/storage.cc:151: Compile with USE_CUDA=1 to enable GPU usage",
      "Stack trace:",
      "  [bt] (0) /usr/local/lib/python3.8/dist-packages/mxnet/libmxnet.so(+0x3b1e4b) [0x7f1234567e4b]",
    ]), "python_exception", "a CPU build of MXNet asked for a GPU context (src/storage/storage.cc; not looked up): a CPU-only build, python_exception as the first dictionary reads torch's `Torch not compiled with CUDA enabled`"],
    [healthy([
      "[10:11:12] src/storage/storage.cc:199: Using Pooled (Naive) StorageManager for GPU",
      "[10:11:13] src/operator/nn/./cudnn/./cudnn_algoreg-inl.h:97: Running performance tests to find the best convolution algorithm, this can take a while... (set the environment variable MXNET_CUDNN_AUTOTUNE_DEFAULT to 0 to disable)",
    ]), "none", "MXNet's storage-manager notice at start-up (src/storage/storage.cc; not looked up)"],
    [healthy([
      "[10:11:12] src/base.cc:80: cuDNN lib mismatch: linked-against version 8005 != compiled-against version 8101.  Set MXNET_CUDNN_LIB_CHECKING=0 to quiet this warning.",
    ]), "none", "MXNet's cuDNN version warning (src/base.cc; not looked up)"],
  ],

  "3. Caffe, Caffe2 / Detectron, Theano, DGL": [
    [glogFatal("syncedmem.cpp:71", "Check failed: error == cudaSuccess (2 vs. 0)  out of memory", ["caffe::SyncedMemory::to_gpu()", "caffe::SyncedMemory::mutable_gpu_data()"], "Process finished with exit code 134 (interrupted by signal 6: SIGABRT)"), "cuda_oom", "Caffe's CUDA_CHECK in syncedmem (https://github.com/houqb/DSS/issues/25, with PyCharm's exit line)"],
    [glogFatal("math_functions.cu:79", "Check failed: error == cudaSuccess (77 vs. 0)  an illegal memory access was encountered", ["caffe::caffe_gpu_memcpy()", "caffe::SyncedMemory::to_cpu()"]), "cuda_error", "Caffe's CUDA_CHECK (not looked up; corpus: `Check failed: error == cudaSuccess` 13 cuda_error)"],
    [glogFatal("cudnn_conv_layer.cu:28", "Check failed: status == CUDNN_STATUS_SUCCESS (8 vs. 0)  CUDNN_STATUS_EXECUTION_FAILED", ["caffe::CuDNNConvolutionLayer<>::Forward_gpu()"]), "cuda_error", "Caffe's CUDNN_CHECK (not looked up; corpus: 4 cuda_error)"],
    [glogFatal("common.cpp:152", "Check failed: error == cudaSuccess (35 vs. 0)  CUDA driver version is insufficient for CUDA runtime version", ["caffe::Caffe::SetDevice()"]), "cuda_error", "Caffe's SetDevice with an old driver (not looked up; the convention's cuda_error for `CUDA driver version is insufficient`)"],
    [glogFatal("upgrade_proto.cpp:97", "Check failed: ReadProtoFromBinaryFile(param_file, param) Failed to parse NetParameter file: models/bvlc_googlenet/bvlc_googlenet.caffemodel", ["caffe::ReadNetParamsFromBinaryFileOrDie()", "caffe::Net<>::CopyTrainedLayersFromBinaryProto()"]), "checkpoint_corrupt", "Caffe's weights loader (not looked up; corpus: `Failed to parse NetParameter` 1 checkpoint_corrupt)"],
    [glogFatal("db_lmdb.hpp:15", "Check failed: mdb_status == 0 (2 vs. 0) No such file or directory", ["caffe::db::LMDB::Open()", "caffe::DataLayer<>::DataLayer()"]), "python_exception", "Caffe's LMDB open on a wrong path, then the abort (not looked up; first labelled python_exception, relabelled segfault by zw habitat's precedent, `Check failed: numDevices > 0 [EGL] No devices detected`, a CHECK that names no cause; back to python_exception in the twenty-fifth round, docs/crash-accuracy.md item 659: fresh17's audited zzza caffe-speech-recognition-7, Caffe's `Check failed: fd != -1 (-1 vs. -1) File not found: ...` then the abort, is labelled python_exception, a wrong path)"],
    [glogFatal("net.cpp:757", "Cannot copy param 0 weights from layer 'fc8'; shape mismatch.  Source param shape is 1000 4096 (4096000); target param shape is 20 4096 (81920). To learn this layer's parameters from scratch rather than copying from a saved net, rename the layer.", ["caffe::Net<>::CopyTrainedLayersFrom()"]), "python_exception", "Caffe's weight copy into another shape, then the abort: a checkpoint that does not fit the net, python_exception by corpus.md's `shape mismatch` like PyTorch's `size mismatch for` (first labelled python_exception, then segfault like the row above, back to python_exception in the twenty-sixth round, docs/crash-accuracy.md item 690; tune: zzx ssd-custom-dataset-4, train-crf-rnn-35, refinedet-25)"],
    [glogFatal("net.cpp:757", "Check failed: target_blobs.size() == source_layer.blobs_size() (2 vs. 1) Incompatible number of blobs for layer conv1", ["caffe::Net<>::CopyTrainedLayersFrom()"]), "python_exception", "Caffe's weight copy into a layer with another blob count (a bias term on one side only; net.cpp's CHECK_EQ, find_string `Incompatible number of blobs for layer`: a Chinese Caffe FAQ quotes this check line)"],
    [glogFatal("blob.cpp:472", "Check failed: ShapeEquals(proto) shape mismatch (reshape not set)", ["caffe::Blob<>::FromProto()", "caffe::Net<>::CopyTrainedLayersFrom()"]), "python_exception", "Caffe's Blob::FromProto on a saved blob of another shape (blob.cpp's CHECK, find_string `shape mismatch (reshape not set)`; the record line as glogFatal prints it, not a quoted log)"],
    [tail(["I0502 10:10:01.001234 48213 net.cpp:744] Ignoring source layer fc8", "I0502 10:10:01.001300 48213 net.cpp:744] Ignoring source layer prob", ...CAFFE_PROGRESS]), "none", "Caffe fine-tuning that skips the layers it renamed (net.cpp's `Ignoring source layer`), then trains (not looked up)"],
    [tail([
      ...CAFFE_PROGRESS,
      "I0502 10:12:01.223456 48213 solver.cpp:218] Iteration 1300 (2.40 iter/s, 41.6s/100 iters), loss = nan",
      "I0502 10:12:01.223490 48213 solver.cpp:237]     Train net output #0: loss = nan (* 1 = nan loss)",
      "I0502 10:12:01.223512 48213 sgd_solver.cpp:105] Iteration 1300, lr = 0.001",
      "I0502 10:12:42.323456 48213 solver.cpp:218] Iteration 1400 (2.41 iter/s, 41.5s/100 iters), loss = nan",
      "I0502 10:12:42.323490 48213 solver.cpp:237]     Train net output #0: loss = nan (* 1 = nan loss)",
    ]), "nan_loss", "Caffe's solver records (solver.cpp; corpus: `loss = nan` 9 nan_loss)"],
    [healthy(CAFFE_PROGRESS), "none", "Caffe's solver records with finite losses"],
    [tail([
      "terminate called after throwing an instance of 'caffe2::EnforceNotMet'",
      "  what():  [enforce fail at context_gpu.cu:343] error == cudaSuccess. 2 vs 0. Error at: /var/lib/jenkins/workspace/caffe2/core/context_gpu.cu:343: out of memory Error from operator: ",
      "*** Aborted at 1514386394 (unix time) try \"date -d @1514386394\" if you are using GNU date ***",
    ]), "cuda_oom", "Caffe2's CUDA enforce under Detectron (find_string hit 23401355325)"],
    [pyTrace("RuntimeError: [enforce fail at context_gpu.cu:415] error == cudaSuccess. 77 vs 0. Error at: /opt/pytorch/caffe2/core/context_gpu.cu:415: an illegal memory access was encountered Error from operator: "), "cuda_error", "Caffe2's CUDA enforce with another status (the shape of hit 23401355325; corpus: `enforce fail at context_gpu` 1 cuda_error)"],
    [pyTrace("RuntimeError: [enforce fail at conv_op_cudnn.cc:807] status == CUDNN_STATUS_SUCCESS. 8 vs 0. , Error at: /opt/pytorch/caffe2/operators/conv_op_cudnn.cc:807: CUDNN_STATUS_EXECUTION_FAILED"), "cuda_error", "Caffe2's cuDNN enforce (not looked up)"],
    [theanoTrace("pygpu.gpuarray.GpuArrayException: cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY: out of memory", "GpuAlloc<None>{memset_0=True}(GpuArrayConstant{0.0}, Shape_i{0}.0, Shape_i{1}.0)"), "cuda_oom", "Theano's gpuarray backend (https://github.com/SenticNet/personality-detection/issues/8)"],
    [theanoTrace("GpuArrayException: b'cuMemAlloc: CUDA_ERROR_OUT_OF_MEMORY: out of memory'", "GpuDot22(GpuReshape{2}.0, W)"), "cuda_oom", "the same under Python 3's bytes repr (https://github.com/CSTR-Edinburgh/merlin/issues/398's title)"],
    [theanoTrace("RuntimeError: CudaNdarray_ZEROS: allocation failed.", "GpuAlloc{memset_0=True}(CudaNdarrayConstant{0.0}, Shape_i{0}.0)"), "cuda_oom", "Theano's old CUDA backend (https://github.com/danieldjohnson/biaxial-rnn-music-composition/issues/22: the maintainer calls it GPU memory)"],
    [theanoTrace("MemoryError: Error allocating 147865600 bytes of device memory (out of memory).", "GpuElemwise{add,no_inplace}(GpuDnnConv{workmem='small', inplace=True}.0, GpuDimShuffle{x,0,x,x}.0)"), "cuda_oom", "Theano's device allocator (https://github.com/Theano/Theano/issues/3748; corpus: zk-kaggle-ndsb-3 cuda_oom)"],
    [theanoTrace("RuntimeError: Cuda error: GpuElemwise node_m71b9a8e4b6a2bc4fe6c3ec4d4b9d2e4e_0 Add: unspecified launch failure.", "GpuElemwise{Add}[(0, 0)](GpuDot22.0, GpuDimShuffle{x,0}.0)"), "cuda_error", "Theano's elemwise kernel check (not looked up)"],
    [pyTrace("dgl._ffi.base.DGLError: [10:11:12] /opt/dgl/src/runtime/c_runtime_api.cc:82: Check failed: allow_missing: Device API cuda is not enabled. Please install the cuda version of dgl.", ['  File "/usr/local/lib/python3.10/dist-packages/dgl/heterograph.py", line 5709, in to', "    ret._graph = self._graph.copy_to(utils.to_dgl_context(device))"]), "python_exception", "DGL's CPU build asked for CUDA (find_string hits 56377626601, 55669709343: `Device API cuda is not enabled. Please install the cuda version of dgl.`): a CPU-only build, read as the first dictionary reads torch's"],
    [pyTrace("FileNotFoundError: Cannot find DGL C++ graphbolt library at /usr/local/lib/python3.10/dist-packages/dgl/graphbolt/libgraphbolt_pytorch_2.4.1.so", ['  File "/usr/local/lib/python3.10/dist-packages/dgl/graphbolt/__init__.py", line 26, in load_graphbolt', "    raise FileNotFoundError("]), "import_error", "DGL's graphbolt loader for another torch version (dgl/graphbolt/__init__.py, find_string hits 54584520400, 2241679161)"],
    [pyTrace("dgl._ffi.base.DGLError: Expect number of features to match number of nodes (len(u)). Got 2708 and 2709 instead."), "python_exception", "DGL's feature assignment check (not looked up)"],
  ],

  "4. Windows: NTSTATUS exit codes, faulthandler, WinError": [
    [tail(["Process finished with exit code -1073741819 (0xC0000005)"]), "segfault", "PyCharm's exit line, access violation (corpus: `-1073741819` 7 segfault)"],
    [tail(["Process finished with exit code -1073740791 (0xC0000409)"]), "segfault", "STATUS_STACK_BUFFER_OVERRUN (fail-fast, abort() in the CRT) as PyCharm prints it"],
    [tail(["Process finished with exit code -1073741571 (0xC00000FD)"]), "segfault", "STATUS_STACK_OVERFLOW as PyCharm prints it"],
    [tail(["Process finished with exit code -1073740940 (0xC0000374)"]), "segfault", "STATUS_HEAP_CORRUPTION as PyCharm prints it"],
    [tail(["Process finished with exit code -1073741795 (0xC000001D)"]), "segfault", "STATUS_ILLEGAL_INSTRUCTION (item 494's constructed forms)"],
    [tail(["Process finished with exit code -1073741510 (0xC000013A)"]), "none", "STATUS_CONTROL_C_EXIT: the user's Ctrl-C (item 494's near miss)"],
    [tail(["C:\\Users\\me\\miniconda3\\python.exe (process 2692) exited with code -1073740791."]), "segfault", "Visual Studio's console-host line (corpus: zg-mlnet-3872 holds it after LightGBM's `bad allocation`, host_oom by that line)"],
    [tail(["[LightGBM] [Warning] bad allocation", "", "C:\\Program Files\\dotnet\\dotnet.exe (process 2692) exited with code -1073740791."]), "host_oom", "corpus: zg-mlnet-3872 (host_oom): the allocation failure printed before the fail-fast exit"],
    [tail(["The terminal process \"C:\\Users\\me\\miniconda3\\python.exe 'train.py'\" terminated with exit code: 3221225477."]), "segfault", "VS Code's terminal line with the unsigned decimal (corpus: `3221225477` 4 segfault)"],
    [tail(["The terminal process \"C:\\Users\\me\\miniconda3\\python.exe 'train.py'\" terminated with exit code: 3221226505."]), "segfault", "the same with 0xC0000409's unsigned decimal (not seen in a thread)"],
    [tail(["The terminal process \"C:\\Users\\me\\miniconda3\\python.exe 'train.py'\" terminated with exit code: 3221225725."]), "segfault", "the same with 0xC00000FD's unsigned decimal (not seen in a thread)"],
    [spawnExit("exit code 3221225477"), "segfault", "torch.multiprocessing.spawn on Windows, access violation"],
    [spawnExit("exit code 3221226505"), "segfault", "torch.multiprocessing.spawn on Windows, 0xC0000409"],
    [spawnExit("exit code 3221226356"), "segfault", "torch.multiprocessing.spawn on Windows, 0xC0000374 heap corruption"],
    [winFatal("access violation"), "segfault", "faulthandler's Windows access violation (Python/faulthandler.c)"],
    [winFatal("stack overflow"), "segfault", "faulthandler's EXCEPTION_STACK_OVERFLOW (Python/faulthandler.c; not looked up)"],
    [winFatal("code 0xc0000374"), "segfault", "faulthandler's generic form for heap corruption (find_string hits 70904860272, 65767421098)"],
    [winFatal("code 0xc000001d"), "segfault", "faulthandler's generic form for an illegal instruction (find_string hits 58544734795, 60464806947: torch and bitsandbytes kernels on a CPU without the instruction)"],
    [tail(["Windows fatal exception: code 0xc0000409", "", "Thread 0x00002f1c (most recent call first):"]), "segfault", "faulthandler's generic form for 0xC0000409 (the format of the hits above)"],
    [tail(["The thread 10248 has exited with code -1073741515 (0xc0000135).", "The program '[3944] example-app.exe' has exited with code -1073741515 (0xc0000135)."]), "import_error", "STATUS_DLL_NOT_FOUND: a libtorch program whose DLLs are not on PATH (https://github.com/pytorch/pytorch/issues/16690, Visual Studio's debug output)"],
    [tail(["Process finished with exit code -1073741515 (0xC0000135)"]), "import_error", "the same in PyCharm's exit line (its format; not seen in a thread)"],
    [tail(["Windows fatal exception: code 0xc0000139", "", "Thread 0x000011a0 (most recent call first):", '  File "<frozen importlib._bootstrap>", line 219 in _call_with_frames_removed', '  File "<frozen importlib._bootstrap_external>", line 922 in create_module']), "import_error", "STATUS_ENTRYPOINT_NOT_FOUND while an extension module loads (find_string hit 47195018304, a test suite's faulthandler dump in importlib; 70973270538 names the same status for an ABI mismatch)"],
    [winFatal("code 0xc06d007f"), "import_error", "a delay-loaded DLL's procedure not found (MKL's CBLAS under numpy: find_string hits 57907322619, 61953146170)"],
    [winTrace("OSError: [WinError 1455] 页面文件太小，无法完成操作。 Error loading \"C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\lib\\cudnn_cnn_infer64_8.dll\" or one of its dependencies.", TORCH_DLL_FRAMES), "host_oom", "WinError 1455 in a Chinese Windows (FormatMessage's localized text; corpus: `WinError 1455` 11 host_oom)"],
    [winTrace("OSError: [WinError 1455] The paging file is too small for this operation to complete", ['  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\utils\\data\\dataloader.py", line 1034, in __init__', "    w.start()"]), "host_oom", "WinError 1455 from a DataLoader worker's start (not looked up)"],
    [winTrace("OSError: [WinError 8] Not enough memory resources are available to process this command", ['  File "C:\\Users\\me\\miniconda3\\lib\\multiprocessing\\connection.py", line 321, in _recv_bytes', "    nread, err = ov.GetOverlappedResult(True)"]), "host_oom", "ERROR_NOT_ENOUGH_MEMORY's FormatMessage text (not looked up)"],
    [winTrace("OSError: [WinError 112] There is not enough space on the disk", ['  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\serialization.py", line 653, in save', "    _save(obj, opened_zipfile, pickle_module, pickle_protocol, _disable_byteorder_record)"]), "disk_full", "ERROR_DISK_FULL's FormatMessage text (not looked up; corpus: `not enough space on the disk` 3 disk_full)"],
    [winTrace("OSError: [WinError 127] The specified procedure could not be found. Error loading \"C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\lib\\shm.dll\" or one of its dependencies.", TORCH_DLL_FRAMES), "import_error", "ERROR_PROC_NOT_FOUND loading torch's DLLs (find_string hits 52292507658, 44354278431)"],
    [winTrace("OSError: [WinError 127] The specified procedure could not be found", ['  File "C:\\Users\\me\\miniconda3\\lib\\ctypes\\__init__.py", line 374, in __init__', "    self._handle = _dlopen(self._name, mode)"]), "import_error", "the same from ctypes' dlopen (find_string hits 7926910052, 68913541652)"],
    [winTrace("OSError: [WinError 1114] A dynamic link library (DLL) initialization routine failed. Error loading \"C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\lib\\c10.dll\" or one of its dependencies.", TORCH_DLL_FRAMES), "import_error", "ERROR_DLL_INIT_FAILED loading torch's c10.dll (torch 2.4 without the VC++ runtime; not looked up)"],
    [winTrace("OSError: [WinError 193] %1 is not a valid Win32 application", ['  File "C:\\Users\\me\\miniconda3\\lib\\ctypes\\__init__.py", line 374, in __init__', "    self._handle = _dlopen(self._name, mode)"]), "import_error", "ERROR_BAD_EXE_FORMAT: a 32-bit or foreign DLL (not looked up)"],
    [winTrace("ImportError: DLL load failed while importing _C: The specified procedure could not be found.", TORCH_DLL_FRAMES), "import_error", "Python 3.8+'s DLL import error (not looked up; corpus: `DLL load failed` 3 import_error)"],
    [winTrace([
      "urllib.error.URLError: <urlopen error [WinError 10060] A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed to respond>",
    ], ['  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\hub.py", line 620, in download_url_to_file', "    u = urlopen(req)"]), "timeout", "WSAETIMEDOUT downloading weights (not looked up; the convention's HTTP connect timeouts)"],
    [winTrace("TimeoutError: [WinError 10060] A connection attempt failed because the connected party did not properly respond after a period of time, or established connection failed to respond", ['  File "C:\\Users\\me\\miniconda3\\lib\\socket.py", line 845, in create_connection', "    raise err"]), "timeout", "WSAETIMEDOUT raised as TimeoutError (Python 3.10+; not looked up)"],
    [winTrace("ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host", ['  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\keras\\utils\\data_utils.py", line 296, in get_file', "    urlretrieve(origin, fpath, dl_progress)"]), "python_exception", "WSAECONNRESET downloading base weights (https://github.com/ljanyst/ssd-tensorflow/issues/32, https://github.com/idealo/image-super-resolution/issues/38): a download's failure, no timeout and no collective"],
    [healthy([
      "Exception in callback _ProactorBasePipeTransport._call_connection_lost(None)",
      "handle: <Handle _ProactorBasePipeTransport._call_connection_lost(None)>",
      "Traceback (most recent call last):",
      '  File "C:\\Users\\me\\miniconda3\\lib\\asyncio\\events.py", line 80, in _run',
      "    self._context.run(self._callback, *self._args)",
      '  File "C:\\Users\\me\\miniconda3\\lib\\asyncio\\proactor_events.py", line 165, in _call_connection_lost',
      "    self._sock.shutdown(socket.SHUT_RDWR)",
      "ConnectionResetError: [WinError 10054] An existing connection was forcibly closed by the remote host",
    ]), "none", "asyncio's proactor logging a closed client and going on (https://github.com/bytedance/LatentSync/issues/256's lines, in English)"],
    [winTrace("RuntimeError: CUDA error: the launch timed out and was terminated", ['  File "C:\\Users\\me\\project\\train.py", line 140, in main', "    loss.item()"]), "cuda_error", "the Windows display driver's TDR (corpus: `launch timed out and was terminated` 6 cuda_error)"],
    [winTrace("RuntimeError: Distributed package doesn't have NCCL built in", ['  File "C:\\Users\\me\\miniconda3\\lib\\site-packages\\torch\\distributed\\distributed_c10d.py", line 1561, in _new_process_group_helper', '    raise RuntimeError("Distributed package doesn\'t have NCCL " "built in")']), "nccl_error", "torch on Windows asked for NCCL (corpus: 1 nccl_error)"],
  ],

  "5. macOS: shells, MPS and Metal": [
    [tail(["zsh: illegal hardware instruction  python train.py"]), "segfault", "zsh's SIGILL report (an x86 build under Rosetta, a TF wheel with AVX on Apple silicon; the convention's SIGILL)"],
    [tail(["zsh: killed     python train.py"]), "process_killed", "zsh's SIGKILL report (macOS's memory pressure kill)"],
    [tail(["zsh: segmentation fault  python train.py"]), "segfault", "zsh's SIGSEGV report"],
    [tail(["zsh: bus error  python train.py"]), "segfault", "zsh's SIGBUS report"],
    [tail(["zsh: abort      python train.py"]), "segfault", "zsh's SIGABRT report with nothing before it"],
    [tail(["[1]    491 segmentation fault  python"]), "segfault", "zsh's job form (https://github.com/MegEngine/MegEngine/issues/454)"],
    [tail(["Segmentation fault: 11"]), "segfault", "macOS bash's strsignal form (corpus: 7 segfault)"],
    [tail(["Bus error: 10"]), "segfault", "macOS bash's SIGBUS form (not looked up)"],
    [tail(["Illegal instruction: 4"]), "segfault", "macOS bash's SIGILL form (not looked up)"],
    [tail(["Abort trap: 6"]), "segfault", "macOS bash's SIGABRT form with nothing before it (the line as https://github.com/danaugrs/huskarl/issues/18 and https://github.com/iamc/ML-CM-2019/issues/3 show it)"],
    [tail(["Killed: 9"]), "process_killed", "macOS bash's SIGKILL form (corpus: 2 process_killed)"],
    [tail([
      "OMP: Error #15: Initializing libiomp5.dylib, but found libomp.dylib already initialized.",
      "OMP: Hint This means that multiple copies of the OpenMP runtime have been linked into the program. That is dangerous, since it can degrade performance or cause incorrect results. The best thing to do is to ensure that only a single OpenMP runtime is linked into the process, e.g. by avoiding static linking of the OpenMP runtime in any library. As an unsafe, unsupported, undocumented workaround you can set the environment variable KMP_DUPLICATE_LIB_OK=TRUE to allow the program to continue to execute, but that may cause crashes or silently produce incorrect results. For more information, please see http://www.intel.com/software/products/support/.",
      "zsh: abort      python train.py",
    ]), "import_error", "Intel OpenMP aborting on a second OpenMP runtime (https://github.com/kuprel/min-dalle/issues/12, https://github.com/clue-ai/ChatYuan/issues/28): two incompatible native libraries loaded, the environment's fault, like a library that cannot be loaded (a label doubt: no corpus entry)"],
    [tail([
      "OMP: Error #15: Initializing libomp.dylib, but found libiomp5.dylib already initialized.",
      "OMP: Hint This means that multiple copies of the OpenMP runtime have been linked into the program. That is dangerous, since it can degrade performance or cause incorrect results. The best thing to do is to ensure that only a single OpenMP runtime is linked into the process, e.g. by avoiding static linking of the OpenMP runtime in any library. As an unsafe, unsupported, undocumented workaround you can set the environment variable KMP_DUPLICATE_LIB_OK=TRUE to allow the program to continue to execute, but that may cause crashes or silently produce incorrect results. For more information, please see http://openmp.llvm.org/",
      "Abort trap: 6",
    ]), "import_error", "the same with libomp first and macOS bash's abort (https://github.com/danaugrs/huskarl/issues/18)"],
    [pyTrace("RuntimeError: MPS backend out of memory (MPS allocated: 17.56 GB, other allocations: 1.24 GB, max allowed: 18.13 GB). Tried to allocate 256.00 MB on private pool. Use PYTORCH_MPS_HIGH_WATERMARK_RATIO=0.0 to disable upper limit for memory allocations (may cause system failure)."), "cuda_oom", "torch's MPS allocator (corpus: `MPS backend` 8 cuda_oom)"],
    [tail([
      "Error: command buffer exited with error status.",
      "\tThe Metal Performance Shaders operations encoded on it may not have completed.",
      "\tError: ",
      "\t(null)",
      "\tInsufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)",
      "\t<AGXG14XFamilyCommandBuffer: 0x600002c7c1e0>",
    ]), "cuda_oom", "Metal's command-buffer error under MPS (the status name in find_string hits 71396136348, 63112688583; the MPS block's other lines not looked up)"],
    [tail([
      "libc++abi: terminating due to uncaught exception of type std::runtime_error: [METAL] Command buffer execution failed: Insufficient Memory (00000008:kIOGPUCommandBufferCallbackErrorOutOfMemory)",
      "zsh: abort      python -m mlx_lm.lora --train",
    ]), "cuda_oom", "MLX's Metal OOM through libc++abi (find_string hit 56746831128, the text as the thread quotes it on three lines, joined as printed)"],
    [pyTrace("NotImplementedError: The operator 'aten::_linalg_eigh' is not currently implemented for the MPS device. If you want this op to be added in priority during the prototype phase of this feature, please comment on https://github.com/pytorch/pytorch/issues/77764. As a temporary fix, you can set the environment variable `PYTORCH_ENABLE_MPS_FALLBACK=1` to use the CPU as a fallback for this op. WARNING: this will be slower than running natively on MPS."), "python_exception", "torch's MPS dispatch (not looked up): an unsupported op in user code"],
    [pyTrace("TypeError: Cannot convert a MPS Tensor to float64 dtype as the MPS framework doesn't support float64. Please use float32 instead."), "python_exception", "torch's MPS dtype check (not looked up)"],
    [healthy([
      "/Users/me/miniconda3/lib/python3.11/site-packages/torch/nn/functional.py:4999: UserWarning: The operator 'aten::upsample_bicubic2d.out' is not currently supported on the MPS backend and will fall back to run on the CPU. This may have performance implications. (Triggered internally at /Users/runner/work/pytorch/pytorch/pytorch/aten/src/ATen/mps/MPSFallback.mm:13.)",
    ]), "none", "torch's MPS CPU-fallback warning (not looked up)"],
    [healthy([
      "/Users/me/miniconda3/lib/python3.11/multiprocessing/resource_tracker.py:254: UserWarning: resource_tracker: There appear to be 1 leaked semaphore objects to clean up at shutdown",
    ]), "none", "multiprocessing's resource tracker at shutdown of a finished run (corpus: `leaked semaphore` mostly after kills, 9 process_killed)"],
  ],

  "6. Linux: file descriptors, fork, threads, shared memory": [
    [pyTrace("OSError: [Errno 12] Cannot allocate memory", FORK_FRAMES), "host_oom", "fork failing with ENOMEM for a DataLoader worker (the convention's errno 12 from fork)"],
    [tail(["bash: fork: Cannot allocate memory"]), "host_oom", "bash unable to fork (not looked up)"],
    [pyTrace("RuntimeError: can't start new thread", ['  File "/usr/lib/python3.10/threading.py", line 935, in start', "    _start_new_thread(self._bootstrap, ())"]), "python_exception", "Python's thread start at the task limit (not looked up): no memory named"],
    [pyTrace("BlockingIOError: [Errno 11] Resource temporarily unavailable", ['  File "/usr/local/lib/python3.8/dist-packages/fvcore/common/checkpoint.py", line 155, in _load_file', "    return torch.load(f, map_location=torch.device(\"cpu\"))"]), "python_exception", "EAGAIN resuming a checkpoint (https://github.com/facebookresearch/detectron2/issues/3900's title)"],
    [healthy([
      "OpenBLAS blas_thread_init: pthread_create failed for thread 50 of 64: Resource temporarily unavailable",
      "OpenBLAS blas_thread_init: RLIMIT_NPROC 4096 current, 513046 max",
      "OpenBLAS blas_thread_init: pthread_create failed for thread 51 of 64: Resource temporarily unavailable",
      "OpenBLAS blas_thread_init: RLIMIT_NPROC 4096 current, 513046 max",
    ]), "none", "OpenBLAS starting fewer threads and going on (https://github.com/MIC-DKFZ/nnUNet/issues/1343's lines)"],
    [tail([
      "OpenBLAS blas_thread_init: pthread_create: Resource temporarily unavailable",
      "OpenBLAS blas_thread_init: RLIMIT_NPROC 1032189 current, 1032189 max",
      "Segmentation fault (core dumped)",
    ]), "segfault", "OpenBLAS's thread failure then a segfault (https://github.com/OpenMathLib/OpenBLAS/issues/1668's title)"],
    [pyTrace("OSError: [Errno 24] Too many open files: '/data/train/000123.jpg'"), "python_exception", "EMFILE opening data (the first round's convention, corpus: 1 python_exception)"],
    [pyTrace("RuntimeError: Too many open files. Communication with the workers is no longer possible. Please increase the limit using `ulimit -n` in the shell or change the sharing strategy by calling `torch.multiprocessing.set_sharing_strategy('file_system')` at the beginning of your code", ['  File "/usr/local/lib/python3.10/dist-packages/torch/utils/data/dataloader.py", line 1146, in _try_get_data', "    raise RuntimeError("]), "python_exception", "torch's DataLoader on EMFILE (torch/utils/data/dataloader.py; not looked up)"],
    [pyTrace("RuntimeError: unable to open shared memory object </torch_48377_2874563_0> in read-write mode: Too many open files (24)", ['  File "/usr/local/lib/python3.10/dist-packages/torch/multiprocessing/reductions.py", line 355, in rebuild_storage_filename', "    storage = torch.UntypedStorage._new_shared_filename_cpu(manager, handle, size)"]), "python_exception", "torch's shared-memory allocator on EMFILE (aten/src/ATen/MapAllocator.cpp; not looked up): a descriptor limit, not memory"],
    [pyTrace("RuntimeError: received 0 items of ancdata", ['  File "/usr/lib/python3.10/multiprocessing/reduction.py", line 164, in recvfds', '    raise RuntimeError("received %d items of ancdata" %']), "python_exception", "multiprocessing's fd passing at the descriptor limit (not looked up)"],
    [pyTrace("RuntimeError: unable to write to file </torch_48377_2874563_0>: No space left on device (28)"), "disk_full", "/dev/shm full shown as a write failure (the convention's disk_full; corpus: disk_full_shm)"],
    [pyTrace(["ERROR: Unexpected bus error encountered in worker. This might be caused by insufficient shared memory (shm).", "RuntimeError: DataLoader worker (pid 48377) is killed by signal: Bus error. It is possible that dataloader's workers are out of shared memory. Please try to raise your shared memory limit."]), "segfault", "a DataLoader worker's SIGBUS on a full /dev/shm (the convention's segfault)"],
    [pyTrace("RuntimeError: unable to mmap 1048576 bytes from file </torch_48377_2874563_0>: Cannot allocate memory (12)"), "host_oom", "torch's shared-memory mmap with ENOMEM (corpus: 6 host_oom)"],
    [pyTrace("OSError: [Errno 28] No space left on device: '/dev/shm/ray_spill'"), "disk_full", "a spill to /dev/shm that fills it"],
    [tail(["Trace/breakpoint trap (core dumped)"]), "segfault", "SIGTRAP's strsignal from bash (not looked up)"],
    [tail(["Floating point exception (core dumped)"]), "segfault", "SIGFPE's strsignal from bash (corpus: 1 segfault)"],
    [tail(["Illegal instruction (core dumped)"]), "segfault", "SIGILL's strsignal from bash (corpus: 9 segfault)"],
    [pyTrace("OSError: [Errno 23] Too many open files in system"), "python_exception", "ENFILE (the system's table; not looked up)"],
    [healthy(["ulimit: open files: cannot modify limit: Operation not permitted"]), "none", "a start script's ulimit that fails while the run goes on (not looked up)"],
    [healthy([
      "[W socket.cpp:464] [c10d] The server socket has failed to bind to [::]:29500 (errno: 98 - Address already in use).",
      "[W socket.cpp:464] [c10d] The server socket has failed to listen on [::]:29500 (errno: 98 - Address already in use).",
    ]), "none", "c10d's IPv6 bind warning before it binds IPv4 (not looked up)"],
    [healthy(["sysctl: setting key \"vm.overcommit_memory\": Read-only file system"]), "none", "a container's sysctl refusal in a start script (not looked up)"],
  ],

  "7. near misses from the long tail": [
    [healthy(["[i 0704 15:44:33.382103 92 compiler.py:956] Jittor(1.3.8.5) src: /home/user/miniconda3/envs/j/lib/python3.8/site-packages/jittor", "[i 0704 15:44:33.417804 92 install_cuda.py:93] cuda_driver_version: [12, 1]", "[i 0704 15:44:33.702405 36 __init__.py:411] Found /home/user/.cache/jittor/jtcuda/cuda11.2_cudnn8_linux/bin/nvcc(11.2.152)"]), "none", "Jittor's start-up records (https://github.com/Jittor/jittor/issues/563)"],
    [healthy(["[e 0225 02:32:49.526881 64 mem_info.cc:101] appear time -> node cnt: {1:9883, }"]), "none", "Jittor's memory-info error-level record that is no failure (https://github.com/Jittor/JittorLLMs/issues/198, /issues/144)"],
    [healthy([msRecord("WARNING", "PRE_ACT", "mindspore/ccsrc/backend/common/somas/somas.cc:479", "VerifySomasResult] Mismatch ref node size 2301 vs 2305"), msRecord("WARNING", "PRE_ACT", "mindspore/ccsrc/backend/common/somas/somas.cc:441", "LoadSomasResult] Verify Somas Result Failed.")]), "none", "MindSpore's SOMAS cache warnings (https://github.com/mindspore-lab/mindone/issues/820's first lines)"],
    [healthy(["W0725 15:19:22.629635  4824 gpu_resources.cc:61] Please NOTE: device: 0, GPU Compute Capability: 6.1, Driver API Version: 11.7, Runtime API Version: 11.2", "I0725 15:19:22.428663  4824 nccl_context.cc:83] init nccl context nranks: 2 local rank: 0 gpu id: 0 ring id: 0"]), "none", "Paddle's NCCL context notice (https://github.com/PaddlePaddle/PaddleOCR/issues/6988)"],
    [healthy(["I0502 10:11:12.345678 48213 net.cpp:744] Ignoring source layer loss", "I0502 10:11:12.345701 48213 net.cpp:761] Copying source layer conv1 Type:Convolution #blobs=2"]), "none", "Caffe copying weights and skipping a layer (net.cpp; not looked up)"],
    [healthy(["WARNING (theano.tensor.blas): Using NumPy C-API based implementation for BLAS functions."]), "none", "Theano's BLAS fallback warning (not looked up)"],
    [healthy(["Using cuDNN version 5110 on context None", "Preallocating 1638/2048 Mb (0.800000) on cuda0", "Mapped name None to device cuda0: GeForce GTX 960M (0000:01:00.0)"]), "none", "Theano's device start-up lines (https://github.com/philferriere/dlwin/issues/39)"],
    [healthy(["DGL backend not selected or invalid.  Assuming PyTorch for now.", "Setting the default backend to \"pytorch\". You can change it in the ~/.dgl/config.json file or export the DGLBACKEND environment variable.  Valid options are: pytorch, mxnet, tensorflow (all lowercase)"]), "none", "DGL's backend notice (not looked up)"],
    [healthy(["Process finished with exit code 0"]), "none", "PyCharm's clean exit"],
    [healthy(["C:\\Users\\me\\project\\venv\\Scripts\\python.exe C:\\Users\\me\\project\\train.py", "Using device: cuda:0 (NVIDIA GeForce RTX 3060)"]), "none", "PyCharm's command line at start"],
    [healthy(["UserWarning: MPS: no support for int64 reduction ops, casting it to int32 (Triggered internally at /Users/runner/work/pytorch/pytorch/pytorch/aten/src/ATen/native/mps/operations/ReduceOps.mm:144.)"]), "none", "an MPS casting warning (not looked up)"],
    [healthy(["2024-05-02 10:11:12.345 python[48213:1234567] +[CATransaction synchronize] called within transaction"]), "none", "a macOS AppKit notice from a plotting window (not looked up)"],
    [healthy(["/bin/sh: 1: ulimit: Illegal option -l"]), "none", "dash rejecting `ulimit -l` in a start script while the run goes on (not looked up)"],
  ],
};

testDictionary("crash rules, dictionary of the long tail of frameworks and the operating system's reports", FAMILIES, primaryOf);
