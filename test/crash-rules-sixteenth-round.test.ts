/**
 * Sixteenth rules round (tune collections zo and zp, first contact 44/45 and 46/51, and zs's studied batches):
 * TensorFlow's/XLA's BFC allocator memory map (printed only when a device allocation failed), Ray's pre-2.x memory
 * monitor error (RayOutOfMemoryError), apex's loss scale below 0.001 written as a decimal, a process's exit by
 * SIGABRT as Databricks and IDEs report it, Windows' access violation code in lower case (Windows Error
 * Reporting's event), torch's DLL loading error for any Windows error but 1455, zsh's report on an open progress
 * bar's line and Java's SocketTimeoutException (docs/crash-accuracy.md, "Sixteenth round", items 140-).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-sixteenth-round-");

describe("sixteenth round: rule families", () => {
  const families: Family[] = [
    {
      // BFCAllocator::DumpMemoryLog: regions, chunks, bins and the in-use summary, printed after a device allocation
      // failed (the "not a failure" retries print none of it). Any of its line shapes, in TF 1.x and 2.x wording.
      rule: "cuda_oom_bfc_memory_dump",
      real: [
        ["crash-corpus zp sleap-1182, https://github.com/talmolab/sleap/issues/1182", "2023-02-17 11:16:15.421692: I tensorflow/core/common_runtime/bfc_allocator.cc:1040] Next region of size 16777216"],
        ["crash-corpus zp sleap-1182", "2023-02-17 11:16:15.421732: I tensorflow/core/common_runtime/bfc_allocator.cc:1065]      Summary of in-use Chunks by size: "],
        ["crash-corpus zp sleap-1182", "2023-02-17 11:16:15.421681: I tensorflow/core/common_runtime/bfc_allocator.cc:1060] InUse at 7fa196ec0000 of size 1310720 next 18446744073709551615"],
        ["crash-corpus zp gresearch-838, https://github.com/google-research/google-research/issues/838", "2021-09-29 06:34:24.902594: I tensorflow/core/common_runtime/bfc_allocator.cc:1060] Free  at 704ae0000 of size 7864320 next 204"],
        ["crash-corpus fresh6 x-df-7 (studied)", "2018-02-06 19:49:27.301983: I C:\\tf_jenkins\\home\\workspace\\rel-win\\M\\windows-gpu\\PY\\36\\tensorflow\\core\\common_runtime\\bfc_allocator.cc:627] Bin (1024):         Total Chunks: 27, Chunks in use: 27. 27.3KiB allocated for chunks. 27.3KiB in use in bin. 27.0KiB client-requested in use in bin."],
        ["https://github.com/theAIGuysCode/yolov3_deepsort/issues/30 (quoted with `> `)", "> 2020-09-15 16:28:22.669913: I tensorflow/core/common_runtime/bfc_allocator.cc:930] Next region of size 67108864"],
        ["https://github.com/thtrieu/darkflow/issues/241", "2017-11-17 09:03:08.194273: I tensorflow/core/common_runtime/bfc_allocator.cc:643] Bin (16384): \tTotal Chunks: 0, Chunks in use: 0 0B allocated for chunks. 0B client-requested for chunks. 0B in use in bin. 0B client-requested in use in bin."],
        ["https://github.com/tensorflow/tensorflow/issues/22586 (TF 1.x: `Chunk at`)", "2018-09-27 22:58:41.992044: I tensorflow/core/common_runtime/bfc_allocator.cc:645] Chunk at 0x7f94a947ca00 of size 81920"],
        ["https://github.com/tensorflow/tensorflow/issues/22586", "2018-09-27 22:58:41.992038: I tensorflow/core/common_runtime/bfc_allocator.cc:645] Free  at 0x7f94a939ca00 of size 917504"],
        ["https://github.com/dBeker/Faster-RCNN-TensorFlow-Python3/issues/16 (Windows build)", "I c:\\tf_jenkins\\home\\workspace\\release-win\\device\\gpu\\os\\windows\\tensorflow\\core\\common_runtime\\bfc_allocator.cc:696] 57 Chunks of size 256 totalling 14.3KiB"],
        ["https://github.com/thtrieu/darkflow/issues/899 (Windows addresses)", "2018-09-18 03:28:36.923200: I T:\\src\\github\\tensorflow\\tensorflow\\core\\common_runtime\\bfc_allocator.cc:665] Chunk at 0000000506D89F00 of size 18874368"],
        ["https://github.com/tensorflow/tensor2tensor/issues/782", "2018-05-10 09:14:16.534978: I tensorflow/core/common_runtime/bfc_allocator.cc:661] Chunk at 0x1323f9bd00 of size 246016000"],
      ],
      nearMiss: [
        // crash-corpus zp sogoumrc-1 (healthy): the allocator's retry that is no failure, from the same file.
        ["2019-04-07 05:23:27.134938: W tensorflow/core/common_runtime/bfc_allocator.cc:211] Allocator (GPU_0_bfc) ran out of memory trying to allocate 3.96GiB. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.", null],
        // Constructed in TF 2.x's wording: the failure itself keeps its own (stronger) rule.
        ["2020-09-15 16:28:22.580000: W tensorflow/core/common_runtime/bfc_allocator.cc:431] Allocator (GPU_0_bfc) ran out of memory trying to allocate 18.00MiB (rounded to 18874368)requested by op Conv2D", "cuda_oom_other_runtimes"],
        // Constructed: the same words outside the allocator's own records.
        ["Next region of size 16777216", null],
      ],
    },
    {
      // Ray before 2.x: its memory monitor raised RayOutOfMemoryError in the task when the node's RAM was nearly used
      // up (the corpus's convention: Ray's memory monitor is process_killed). torch's `OutOfMemoryError: ` (GPU) must
      // not read it.
      rule: "killed_ray_memory_monitor",
      real: [
        ["crash-corpus zp multiarm-6, https://github.com/real-stanford/decentralized-multiarm/issues/6", "ray.memory_monitor.RayOutOfMemoryError: More than 95% of the memory on node robot-desktop is used (14.92 / 15.61 GB). The top 10 memory consumers are:"],
        ["crash-corpus zp multiarm-6", "ray.exceptions.RayTaskError(RayOutOfMemoryError): ray::RRTSupervisionEnv.step() (pid=3255, ip=127.0.1.1)"],
        ["https://github.com/ray-project/ray/pull/3323 (the message as the PR shows it, wrapped)", "ray.memory_monitor.RayOutOfMemoryError: More than 95% of the memory on node"],
        ["https://github.com/ray-project/ray/issues/20690 (cut where the thread's excerpt ends)", "ray.exceptions.RayTaskError(RayOutOfMemoryError): ray::_RemoteSingleAgentEnv.step() (pid=2162"],
      ],
      nearMiss: [
        // ray#20690: the raylet's low-memory warning before it, no error.
        ["Memory usage on this node: 29.6/30.9 GiB: ***LOW MEMORY*** less than 10% of the memory on this node is available for use. This can cause unexpected crashes. Consider reducing the memory used by your application or reducing the Ray object store size by setting `object_store_memory` when calling `ray.init`.", null],
        // Constructed in torch 2.x's wording: torch's GPU OOM keeps its rule.
        ["torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. GPU 0 has a total capacity of 79.15 GiB of which 5.44 MiB is free.", "cuda_oom_alloc"],
      ],
    },
    {
      // apex amp's notice with the scale below 0.001: Python writes 2^-10..2^-13 as decimals (0.0009765625 to
      // 0.0001220703125) and smaller ones in e-notation, which the rule already read; the same bound
      // as its `setting loss scale to: 0.000N` pattern.
      rule: "nan_loss_min_scale",
      real: [
        ["crash-corpus zp apex-1135, https://github.com/NVIDIA/apex/issues/1135", "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 0.00048828125"],
        ["crash-corpus zp apex-1135 (2^-10)", "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 0.0009765625"],
        ["https://github.com/NVIDIA/apex/issues/318 (e-notation, read before)", "Gradient overflow. Skipping step, loss scaler 0 reducing loss scale to 8.165126103939127e-202"],
        ["https://github.com/Junjue-Wang/FactSeg/issues/6 (e-notation, read before)", "Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 2.0237e-320"],
      ],
      nearMiss: [
        // apex-1135 above the bound, https://github.com/whai362/PVT/issues/94 (title), https://github.com/LEEYOONHYUNG/BVAE-TTS/issues/3 (title).
        ["Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 0.001953125", null],
        ["Gradient overflow.  Skipping step, loss scaler 0 reducing loss scale to 0.03125", null],
        ["Gradient overflow. Skipping step, loss scaler 0 reducing loss scale to 32768.0", null],
      ],
    },
  ];
  testFamilies(rules, families);

  test("whole excerpts: zp sleap-1182, gresearch-838, multiarm-6 and apex-1135 are read by their rules", async () => {
    assert.deepEqual(await primaryOf("sleap-1182.log", corpus("cuda_oom/zp-sleap-1182-tf-bfc-allocator-chunk-dump.log")), { category: "cuda_oom", ruleId: "cuda_oom_bfc_memory_dump" });
    assert.deepEqual(await primaryOf("gresearch-838.log", corpus("cuda_oom/zp-gresearch-838-coltran-bfc-allocator-dump.log")), { category: "cuda_oom", ruleId: "cuda_oom_bfc_memory_dump" });
    assert.deepEqual(await primaryOf("multiarm-6.log", corpus("process_killed/zp-multiarm-6-ray-memory-monitor-oom.log")), { category: "process_killed", ruleId: "killed_ray_memory_monitor" });
    assert.deepEqual(await primaryOf("apex-1135.log", corpus("nan_loss/zp-apex-1135-stale-sync-loss-scale-collapse.log")), { category: "nan_loss", ruleId: "nan_loss_min_scale" });
  });

  test("the memory map ranks below the allocation failure it follows: pinned host memory stays host_oom", async () => {
    // Constructed from real line shapes: host_oom_pinned's `failed to alloc ... on host` before a BFC map.
    const text = [
      "2019-05-02 10:11:12.000001: E tensorflow/stream_executor/cuda/cuda_driver.cc:806] failed to alloc 8589934592 bytes on host: CUDA_ERROR_OUT_OF_MEMORY: out of memory",
      "2019-05-02 10:11:12.000101: I tensorflow/core/common_runtime/bfc_allocator.cc:930] Next region of size 67108864",
      "2019-05-02 10:11:12.000201: I tensorflow/core/common_runtime/bfc_allocator.cc:950] InUse at 7fa196a40000 of size 1179648 next 32",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("host-bfc.log", text), { category: "host_oom", ruleId: "host_oom_pinned" });
  });
});

// zs (notebooks and hosted consoles), batches with a first-contact line: how a host reports the process's death.
describe("sixteenth round, zs: a death by SIGABRT and Windows' access violation as hosts report them, a DLL torch cannot load", () => {
  const zsAbort = corpus("segfault/zs-insanelyfastwhisper-257-databricks-sigabrt.log").split("\n")[1]!;
  testFamilies(rules, [
    {
      // Exit code 134 with the signal named: Databricks' `(SIGABRT: Aborted)` and the IDE's `(interrupted by signal 6:
      // SIGABRT)`. A symptom at -3 with `consequence`, like killed_sigterm: it names the death only when nothing else in
      // the log says why (the error printed before an abort is its cause, and a Python exception before it stays primary).
      rule: "segfault_abort_exit",
      real: [
        ["crash-corpus zs insanelyfastwhisper-257, https://github.com/Vaibhavs10/insanely-fast-whisper/issues/257 (Databricks)", zsAbort],
        ["https://github.com/psycopg/psycopg2/issues/1845 (Databricks)", "The Python process exited with exit code 134 (SIGABRT: Aborted)."],
        ["https://github.com/lancedb/lancedb/issues/2264 (Databricks)", "The Python process exited with exit code 134 (SIGABRT: Aborted)."],
        ["crash-corpus r Open3D-PointNet2-Semantic3D-66, https://github.com/isl-org/Open3D-PointNet2-Semantic3D/issues/66 (PyCharm)", "Process finished with exit code 134 (interrupted by signal 6: SIGABRT)"],
        ["https://github.com/akshaybahadur21/Drowsiness_Detection/issues/10 (PyCharm)", "Process finished with exit code 134 (interrupted by signal 6: SIGABRT)"],
      ],
      nearMiss: [
        // https://github.com/databricks/databricks-sql-python/issues/401: SIGSEGV keeps its rule.
        ["Process finished with exit code 139 (interrupted by signal 11: SIGSEGV)", "segfault_exit_code"],
        // Constructed: a plain non-zero exit names no signal.
        ["Process finished with exit code 1", null],
      ],
    },
    {
      // Windows Error Reporting's Application Error event (Event 1000) writes the NTSTATUS in lower case.
      rule: "segfault_windows_access_violation",
      real: [
        ["crash-corpus zs kohyass-2684, https://github.com/bmaltais/kohya_ss/issues/2684 (python.exe in nvcuda64.dll)", "Exception code: 0xc0000005"],
        ["https://github.com/ActivityWatch/activitywatch/issues/256 (Event 1000, Application Error)", "Exception code: 0xc0000005"],
        ["https://github.com/python/cpython/issues/90995 (title; read before)", "Process finished with exit code -1073741819 (0xC0000005)"],
      ],
      nearMiss: [
        // https://github.com/GoogleCloudDataproc/initialization-actions/pull/1219: another hex constant with the same head.
        ["BFD: warning: /opt/conda/miniconda3/envs/dask/lib/python3.7/site-packages/numpy/core/../../../../././libquadmath.so.0: unsupported GNU_PROPERTY_TYPE (5) type: 0xc0010001", null],
      ],
    },
    {
      // torch's `_load_dll_libraries`: `[WinError N] ... Error loading "<dll>" or one of its dependencies.` for any Windows
      // error that keeps the DLL from loading (126/127 before; 1114: its initialisation failed; 5: access refused);
      // 1455 (the paging file) stays host_oom.
      rule: "import_native_library",
      real: [
        ["crash-corpus zs mangatranslator-1132, https://github.com/zyddnys/manga-image-translator/issues/1132", 'PermissionError: [WinError 5] Отказано в доступе. Error loading "F:\\1\\envs\\manga-image-translator\\lib\\site-packages\\torch\\lib\\fbgemm.dll" or one of its dependencies.'],
        ["https://github.com/shiyu-coder/Kronos/issues/166", 'OSError: [WinError 1114] 动态链接库(DLL)初始化例程失败。 Error loading "D:\\python_project\\开源项目\\Kronos\\.venv\\Lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.'],
        ["https://github.com/QwenAudio/CosyVoice/issues/1836", 'OSError: [WinError 1114] 动态链接库(DLL)初始化例程失败。 Error loading "D:\\miniconda\\envs\\cosyvoice\\lib\\site-packages\\torch\\lib\\c10.dll" or one of its dependencies.'],
      ],
      nearMiss: [
        // crash-corpus zp yolov7-1036: the paging file too small to map the DLL is host memory.
        ['OSError: [WinError 1455] The paging file is too small for this operation to complete. Error loading "E:\\Yolov7\\yolov7training\\lib\\site-packages\\torch\\lib\\caffe2_detectron_ops_gpu.dll" or one of its dependencies.', "host_oom_memory_error"],
      ],
    },
    {
      // zsh's report of the death on the line of a progress bar that was still open (tqdm prints no newline until it
      // closes), like the `it/s]Killed` form the kill rule reads; with or without the bar's closing bracket.
      rule: "segfault_shell",
      real: [
        ["crash-corpus zs simpletransformers-1549, https://github.com/ThilinaRajapakse/simpletransformers/issues/1549", corpus("segfault/zs-simpletransformers-1549-sonoma-mps-bus-error.log").split("\n")[3]!],
        ["(read before) a line of its own", "zsh: segmentation fault  python train.py"],
      ],
      nearMiss: [
        // find_string hit 70762960398 (a pipeline's notes): the same shape with SIGKILL is the kill rule's.
        ["  tfidf-addr_norm: 0%| | 0/1 [00:00<?, ?it/s]zsh: killed python run_pipeline.py --mode train --sample 500", "killed_shell_report"],
        // Constructed: prose quoting zsh's words is not a report.
        ["I also get zsh: segmentation fault when I run it on the M1", null],
      ],
    },
    {
      // Java's socket timeout (Spark's PythonWorkerFactory waiting for the Python worker to connect back, an HTTP client
      // reading): the JVM's counterpart of Python's `socket.timeout`, read at the start of its line or after `Caused by: `.
      rule: "timeout_python",
      real: [
        ["crash-corpus zs jupyterlab-17484, https://github.com/jupyterlab/jupyterlab/issues/17484", "Caused by: java.net.SocketTimeoutException: Accept timed out"],
        ["https://github.com/jupyterlab/jupyterlab/issues/16715", "Caused by: java.net.SocketTimeoutException: Accept timed out"],
        ["https://github.com/spyder-ide/spyder/issues/13340", "Caused by: java.net.SocketTimeoutException: Accept timed out"],
        ["https://github.com/apache-spark-on-k8s/spark/issues/465 (title)", "java.net.SocketTimeoutException: timeout"],
      ],
      nearMiss: [
        // https://github.com/titicaca/spark-iforest/issues/33: Spark's own wrapper names no timeout.
        ["Caused by: org.apache.spark.SparkException: Python worker failed to connect back.", null],
        // Constructed: a frame of the JVM's socket code is no exception line.
        ["    at java.base/java.net.PlainSocketImpl.socketAccept(PlainSocketImpl.java:163)", null],
      ],
    },
  ]);

  test("whole excerpts: zs simpletransformers-1549 is a segfault and jupyterlab-17484 a timeout", async () => {
    assert.deepEqual(await primaryOf("st-1549.log", corpus("segfault/zs-simpletransformers-1549-sonoma-mps-bus-error.log")), { category: "segfault", ruleId: "segfault_shell" });
    assert.deepEqual(await primaryOf("jl-17484.log", corpus("timeout/zs-jupyterlab-17484-pyspark-socket-accept-timeout.log")), { category: "timeout", ruleId: "timeout_python" });
  });

  test("whole excerpts: zs mangatranslator-1132 is import_error", async () => {
    assert.deepEqual(await primaryOf("manga-1132.log", corpus("import_error/zs-mangatranslator-1132-winerror5-fbgemm-dll.log")), { category: "import_error", ruleId: "import_native_library" });
  });

  test("whole excerpts: zs insanelyfastwhisper-257 and kohyass-2684 are segfaults; Open3D-66's heap corruption still names the abort's cause", async () => {
    assert.deepEqual(await primaryOf("ifw-257.log", corpus("segfault/zs-insanelyfastwhisper-257-databricks-sigabrt.log")), { category: "segfault", ruleId: "segfault_abort_exit" });
    assert.deepEqual(await primaryOf("kohyass-2684.log", corpus("segfault/zs-kohyass-2684-windows-event-nvcuda-0xc0000005.log")), { category: "segfault", ruleId: "segfault_windows_access_violation" });
    assert.deepEqual(await primaryOf("open3d-66.log", corpus("segfault/Open3D-PointNet2-Semantic3D-66-exit-code-134-sigabrt.log")), { category: "segfault", ruleId: "segfault_heap_corruption" });
  });

  test("a Python exception before the abort report stays the primary (constructed from real line shapes)", async () => {
    const text = [
      "Traceback (most recent call last):",
      '  File "train.py", line 52, in <module>',
      "    main(cfg)",
      '  File "train.py", line 40, in main',
      '    raise ValueError(f"unknown optimizer {name}")',
      "ValueError: unknown optimizer adamw8",
      "",
      "Process finished with exit code 134 (interrupted by signal 6: SIGABRT)",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("py-then-abort.log", text), { category: "python_exception", ruleId: "python_traceback" });
  });
});
