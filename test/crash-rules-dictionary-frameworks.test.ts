/**
 * Crash rules by enumeration from the sources, second round (issue 10; docs/crash-accuracy.md, items 360-): the error
 * texts of the frameworks beyond PyTorch (TensorFlow/Keras, JAX/XLA/Orbax, PaddlePaddle, MindSpore, MXNet, Ray, Dask,
 * RAPIDS, CuPy, XGBoost, LightGBM, ONNX Runtime, Horovod, mpirun) and of applied PyTorch toolkits where their own
 * prints differ from torch's, each in the line shape the source prints it, inside a short traceback or log tail, with
 * the category the corpus's conventions give it. `none` rows are near misses: the same words in healthy runs.
 *
 * Sources: `find_string hit N` is a public repository file the search tool does not name, cited by its hit id (the
 * format string, or the text as a user's log quotes it); a repository + path without a hit is the file the text is
 * raised from, quoted from the project's sources as known, not looked up this round (each such row says so).
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-fw-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const KERAS_PROGRESS = [
  "Epoch 3/20",
  " 412/1875 [=====>........................] - ETA: 2:51 - loss: 0.4121 - accuracy: 0.8712",
];

/** A TensorFlow C++ log record (tsl's default logger): `<date> <time>: <L> <file>:<line>] <text>`. */
function tfRecord(level: "I" | "W" | "E" | "F", file: string, text: string): string {
  return `2024-05-02 10:11:12.345678: ${level} ${file}] ${text}`;
}

/** Keras' model.fit ending in a TensorFlow exception (`last`, one or more lines), TF 2.x's filtered traceback. */
function kerasFit(last: string | string[], records: string[] = []): string {
  return [
    ...KERAS_PROGRESS,
    ...records,
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 88, in <module>',
    "    model.fit(train_ds, epochs=20, validation_data=val_ds)",
    '  File "/usr/local/lib/python3.10/dist-packages/keras/utils/traceback_utils.py", line 70, in error_handler',
    "    raise e.with_traceback(filtered_tb) from None",
    '  File "/usr/local/lib/python3.10/dist-packages/tensorflow/python/eager/execute.py", line 53, in quick_execute',
    "    tensors = pywrap_tfe.TFE_Py_Execute(ctx._handle, device_name, op_name,",
    ...(Array.isArray(last) ? last : [last]),
    "",
  ].join("\n");
}

/** A JAX training step ending in `last`. */
function jaxTrace(last: string | string[], records: string[] = []): string {
  return [
    "step 1200 | loss 2.4121 | lr 3.0e-04",
    ...records,
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 301, in <module>',
    "    state, metrics = p_train_step(state, batch)",
    "jax.errors.SimplifiedTraceback: For simplicity, JAX has removed its internal frames from the traceback of the following exception. Set JAX_TRACEBACK_FILTERING=off to include these.",
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 301, in <module>',
    "    state, metrics = p_train_step(state, batch)",
    ...(Array.isArray(last) ? last : [last]),
    "",
  ].join("\n");
}

/** Paddle's enforce report (paddle/phi/core/enforce.h): the Python exception, then the C++ traceback and summary. */
function paddleError(pyLine: string, summary: string[]): string {
  return [
    "[2024/05/02 10:11:12] ppdet.engine INFO: Epoch: [3] [ 400/1000] learning_rate: 0.010000 loss: 1.412100 eta: 1:02:11 batch_cost: 0.5121 data_cost: 0.0012 ips: 15.6207 images/s",
    "Traceback (most recent call last):",
    '  File "tools/train.py", line 172, in <module>',
    "    main()",
    '  File "/usr/local/lib/python3.10/dist-packages/paddle/base/dygraph/tensor_patch_methods.py", line 342, in backward',
    "    core.eager.run_backward([self], grad_tensor, retain_graph)",
    pyLine,
    "",
    "--------------------------------------",
    "C++ Traceback (most recent call last):",
    "--------------------------------------",
    "0   egr::Backward(std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&, std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&, bool)",
    "1   egr::RunBackward(std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&, std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&, bool, bool, std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&, bool, std::vector<paddle::Tensor, std::allocator<paddle::Tensor> > const&)",
    "",
    "----------------------",
    "Error Message Summary:",
    "----------------------",
    ...summary,
    "",
  ].join("\n");
}

/** A Ray driver's `ray.get` raising what a task or actor raised (ray/_private/worker.py). */
function rayGet(last: string[]): string {
  return [
    "(RayTrainWorker pid=48213, ip=10.0.0.12) {'loss': 0.4093, 'epoch': 3, 'step': 4120}",
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 140, in <module>',
    "    result = trainer.fit()",
    '  File "/usr/local/lib/python3.10/dist-packages/ray/_private/worker.py", line 2667, in get',
    "    raise value.as_instanceof_cause()",
    ...last,
    "",
  ].join("\n");
}

/** A glog-style C++ abort as TensorFlow, MXNet or XGBoost print it at the end of a run. */
function nativeAbort(lines: string[]): string {
  return [...PROGRESS, ...lines, "Aborted (core dumped)", ""].join("\n");
}

const CUDA_OOM_HINT = [
  "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info. This isn't available when running in Eager mode.",
  " [Op:__inference_train_function_5123]",
];

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const FAMILIES: Record<string, Row[]> = {
  "1. TensorFlow and Keras: tf.errors as they end a run, the BFC allocator, the stream executor and glog checks": [
    [kerasFit([
      "tensorflow.python.framework.errors_impl.ResourceExhaustedError: Graph execution error:",
      "",
      "Detected at node 'model/conv2d_3/Conv2D' defined at (most recent call last):",
      '    File "/workspace/train.py", line 88, in <module>',
      "      model.fit(train_ds, epochs=20, validation_data=val_ds)",
      "Node: 'model/conv2d_3/Conv2D'",
      "OOM when allocating tensor with shape[64,256,56,56] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc",
      "\t [[{{node model/conv2d_3/Conv2D}}]]",
      ...CUDA_OOM_HINT,
    ], [
      tfRecord("W", "tensorflow/tsl/framework/bfc_allocator.cc:485", "Allocator (GPU_0_bfc) ran out of memory trying to allocate 196.00MiB (rounded to 205520896)requested by op model/conv2d_3/Conv2D"),
      "If the cause is memory fragmentation maybe the environment variable 'TF_GPU_ALLOCATOR=cuda_malloc_async' will improve the situation. ",
      "Current allocation summary follows.",
      tfRecord("W", "tensorflow/core/framework/op_kernel.cc:1828", "OP_REQUIRES failed at conv_ops.cc:1068 : RESOURCE_EXHAUSTED: OOM when allocating tensor with shape[64,256,56,56] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc"),
    ]), "cuda_oom", "TF 2.x Graph execution error (tensorflow/python/eager/execute.py) with the BFC allocator's record (tsl/framework/bfc_allocator.cc; find_string hits 2904613231, 9956302906 show the record format)"],
    [kerasFit("tensorflow.python.framework.errors_impl.ResourceExhaustedError: {{function_node __wrapped__AddV2_device_/job:localhost/replica:0/task:0/device:GPU:0}} OOM when allocating tensor with shape[1024,1024,256] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc [Op:AddV2] name: "), "cuda_oom", "TF 2.x eager op error (`{{function_node __wrapped__<Op>_device_...}}`, core/common_runtime/eager/execute.cc; not looked up)"],
    [kerasFit("tensorflow.python.framework.errors_impl.ResourceExhaustedError: {{function_node __wrapped__Mul_device_/job:localhost/replica:0/task:0/device:GPU:0}} failed to allocate memory [Op:Mul]"), "cuda_oom", "TF 2.x eager op error with the allocator's `failed to allocate memory` (core/framework/op_kernel.cc; corpus: fifth round's rule)"],
    [[...PROGRESS, "tensorflow.python.framework.errors_impl.ResourceExhaustedError: OOM when allocating tensor with shape[32,512,38,38] and type float on /job:localhost/replica:0/task:0/device:GPU:0 by allocator GPU_0_bfc", "\t [[Node: conv4_3/Conv2D = Conv2D[T=DT_FLOAT, data_format=\"NCHW\", padding=\"SAME\", strides=[1, 1, 1, 1], use_cudnn_on_gpu=true, _device=\"/job:localhost/replica:0/task:0/device:GPU:0\"](conv4_2/Relu, conv4_3/weights/read)]]", "Hint: If you want to see a list of allocated tensors when OOM happens, add report_tensor_allocations_upon_oom to RunOptions for current allocation info.", ""].join("\n"), "cuda_oom", "TF 1.x session error (client/session.py), no traceback kept"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: CUDA runtime implicit initialization on GPU:0 failed. Status: out of memory"), "cuda_oom", "TF's GPU device factory (core/common_runtime/gpu/gpu_device.cc: `CUDA runtime implicit initialization on GPU:` N ` failed. Status: ` + cudaGetErrorString; find_string hit 46071165; user logs 28681604959, 31574380076)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: CUDA runtime implicit initialization on GPU:0 failed. Status: device kernel image is invalid"), "cuda_error", "the same check with cudaErrorInvalidKernelImage's string (find_string hits 4210214439, 7118159802)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: cudaSetDevice() on GPU:0 failed. Status: all CUDA-capable devices are busy or unavailable"), "cuda_error", "TF's GPU device factory, cudaSetDevice (gpu_device.cc, the line before the implicit-initialization check in hit 46071165)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: failed initializing StreamExecutor for CUDA device ordinal 0: INTERNAL: failed call to cuDevicePrimaryCtxRetain: CUDA_ERROR_OUT_OF_MEMORY: out of memory; total memory reported: 11554717696"), "cuda_oom", "TF/XLA stream executor creating the device's context (stream_executor/cuda/cuda_driver.cc; not looked up)"],
    [kerasFit([
      "tensorflow.python.framework.errors_impl.UnknownError: Graph execution error:",
      "",
      "Failed to get convolution algorithm. This is probably because cuDNN failed to initialize, so try looking to see if a warning log message was printed above.",
      "\t [[{{node model/conv2d/Conv2D}}]] [Op:__inference_train_function_1234]",
    ], [tfRecord("E", "tensorflow/stream_executor/cuda/cuda_dnn.cc:329", "Could not create cudnn handle: CUDNN_STATUS_INTERNAL_ERROR")]), "cuda_error", "TF's conv_ops_gpu (`Failed to get convolution algorithm. This is probably because cuDNN failed to initialize`; find_string hits 3638844892, 545502776, the MIOpen form in 19037002445) after cuda_dnn.cc's handle error (corpus: `Could not create cudnn handle` 1 cuda_error)"],
    [kerasFit([
      "tensorflow.python.framework.errors_impl.InternalError: Graph execution error:",
      "",
      "Blas GEMM launch failed : a.shape=(32, 784), b.shape=(784, 512), m=32, n=512, k=784",
      "\t [[{{node sequential/dense/MatMul}}]] [Op:__inference_train_function_811]",
    ]), "cuda_error", "TF's MatMul kernel (core/kernels/matmul_op_impl.h; corpus: 2 cuda_error)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: Attempting to perform BLAS operation using StreamExecutor without BLAS support [Op:MatMul]", [
      tfRecord("E", "tensorflow/stream_executor/cuda/cuda_blas.cc:226", "failed to create cublas handle: CUBLAS_STATUS_NOT_INITIALIZED"),
      tfRecord("W", "tensorflow/stream_executor/stream.cc:1390", "attempting to perform BLAS operation using StreamExecutor without BLAS support"),
    ]), "cuda_oom", "TF's stream executor without a cuBLAS handle (corpus: tensorflow-7072, cuda_oom: the handle cannot get its workspace)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: Graph execution error:\n\nDNN library is not found.\n\t [[{{node model/conv2d/Conv2D}}]] [Op:__inference_train_function_1911]"), "import_error", "XLA/TF stream executor without cuDNN (`return tsl::errors::Unimplemented(\"DNN library is not found.\")`, find_string hit 37454847; users' notes 10130697147, 69259327661: a cuDNN missing or older than TF needs)"],
    [nativeAbort([
      tfRecord("E", "tensorflow/stream_executor/cuda/cuda_dnn.cc:1234", "CUDNN_STATUS_EXECUTION_FAILED"),
      tfRecord("F", "tensorflow/core/kernels/conv_grad_input_ops.cc:1083", "Check failed: stream->parent()->GetConvolveBackwardDataAlgorithms( conv_parameters.ShouldIncludeWinogradNonfusedAlgo<T>(stream->parent()), &algorithms)"),
    ]), "cuda_error", "TF's stream executor cuDNN status, then a glog CHECK (not looked up)"],
    [nativeAbort([tfRecord("F", "tensorflow/stream_executor/cuda/cuda_dnn.cc:521", "Check failed: status == CUDNN_STATUS_SUCCESS (7 vs. 0)Failed to set cuDNN stream.")]), "cuda_error", "cuda_dnn.cc's CHECK of cudnnSetStream (status 7 = CUDNN_STATUS_MAPPING_ERROR; not looked up)"],
    [kerasFit("tensorflow.python.framework.errors_impl.DataLossError: Checksum does not match: stored 1214729159 vs. calculated on the restored bytes 4272926173"), "checkpoint_corrupt", "TF's tensor bundle reader (`Checksum does not match: stored ... vs. calculated on the restored bytes`, find_string hit 91598651; a user's log 53830946384)"],
    [kerasFit("tensorflow.python.framework.errors_impl.DataLossError: TensorBundle at ./ckpt/ckpt-5 shard 0 (4718592 bytes): Checksum does not match: stored 3858684078 vs. calculated on the restored bytes 2123116135"), "checkpoint_corrupt", "TF 2.x's tensor bundle reader with the shard (find_string hits 85987105, 55367582230)"],
    [kerasFit("tensorflow.python.framework.errors_impl.DataLossError: Unable to open table file ./ckpt/model.ckpt-1000: Data loss: not an sstable (bad magic number): perhaps your file is in a different file format and you need to use a different restore operator?"), "checkpoint_corrupt", "TF's table reader (corpus: DataLossError 7 checkpoint_corrupt)"],
    [kerasFit("tensorflow.python.framework.errors_impl.NotFoundError: Key dense_1/kernel not found in checkpoint"), "python_exception", "TF's saver restoring a variable the checkpoint lacks (python/training/saver.py): a model/checkpoint mismatch, not corruption"],
    [kerasFit("tensorflow.python.framework.errors_impl.NotFoundError: Unsuccessful TensorSliceReader constructor: Failed to find any matching files for ./ckpt/model.ckpt-1000"), "python_exception", "TF's checkpoint reader with a wrong path (util/tensor_slice_reader.cc)"],
    [kerasFit("tensorflow.python.framework.errors_impl.FailedPreconditionError: Attempting to use uninitialized value dense/kernel\n\t [[{{node dense/kernel/read}}]]"), "python_exception", "TF 1.x's variable read before init (kernels/variable_ops.h)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:\n\nindices[5,3] = 10000 is not in [0, 10000)\n\t [[{{node model/embedding/embedding_lookup}}]] [Op:__inference_train_function_1530]"), "python_exception", "TF's gather bounds check (kernels/gather_functor.h)"],
    [kerasFit("tensorflow.python.framework.errors_impl.ResourceExhaustedError: ./ckpt/model.ckpt-1000_temp/part-00000-of-00001.data-00000-of-00001.tempstate1234567890; No space left on device [Op:SaveV2]"), "disk_full", "TF's checkpoint writer on a full disk (ENOSPC is RESOURCE_EXHAUSTED in tsl/platform/errors; corpus: ninth round's rule)"],
    [kerasFit("tensorflow.python.framework.errors_impl.DeadlineExceededError: Collective ops is aborted by: failed to connect to all addresses\nAdditional GRPC error information from remote target /job:worker/replica:0/task:1:\n:{\"created\":\"@1714644672.123456789\",\"description\":\"Failed to pick subchannel\",\"file\":\"external/com_github_grpc_grpc/src/core/ext/filters/client_channel/client_channel.cc\",\"file_line\":3940}\nThe error could be from a previous operation. Restart your program to reset. [Op:CollectiveReduceV2]"), "timeout", "TF's collective executor aborting on a gRPC deadline (core/common_runtime/base_collective_executor.cc; not looked up)"],
    [[...KERAS_PROGRESS, tfRecord("E", "tensorflow/core/common_runtime/eager/context_distributed_manager.cc:722", "Unable to register coordination service agent"), "tensorflow.python.framework.errors_impl.UnavailableError: Task /job:worker/replica:0/task:1 heartbeat timeout. This indicates that the remote task has failed, got preempted, or crashed unexpectedly. Check the task logs for an earlier error to debug further.", ""].join("\n"), "timeout", "tsl's coordination service (coordination_service.cc: `heartbeat timeout`; corpus: sixth round's rule)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: Graph execution error:\n\ncuDNN launch failure : input shape ([64,4,4,512])\n\t [[{{node model/batch_normalization/FusedBatchNormV3}}]] [Op:__inference_train_function_2211]"), "cuda_error", "TF's fused batch norm and conv kernels (`cuDNN launch failure : input shape (`, find_string hits 216086969, 21345330383; users' notes 28377551278, 14902562508)"],
    [kerasFit("tensorflow.python.framework.errors_impl.InternalError: Dst tensor is not initialized.\n\t [[{{node _SOURCE}}]] [Op:__inference_train_function_977]"), "cuda_oom", "TF's copy to a GPU with no memory left (corpus: third round's rule)"],
    [kerasFit("tensorflow.python.framework.errors_impl.ResourceExhaustedError: {{function_node __wrapped__MatMul_device_/job:localhost/replica:0/task:0/device:CPU:0}} OOM when allocating tensor with shape[65536,65536] and type float on /job:localhost/replica:0/task:0/device:CPU:0 by allocator cpu [Op:MatMul]"), "host_oom", "TF's CPU allocator (README: a device:CPU tensor is host_oom)"],
    [kerasFit(["tensorflow.python.framework.errors_impl.InvalidArgumentError: Graph execution error:", "", "Detected at node 'CheckNumerics' defined at (most recent call last):", '    File "/workspace/train.py", line 88, in <module>', "Node: 'CheckNumerics'", "loss : Tensor had NaN values", "\t [[{{node CheckNumerics}}]] [Op:__inference_train_function_3010]"]), "nan_loss", "tf.debugging.check_numerics (kernels/check_numerics_op.cc `Tensor had NaN values`; corpus: third round's rule)"],
    [[...KERAS_PROGRESS, "Batch 412: Invalid loss, terminating training", " 413/1875 [=====>........................] - ETA: 2:51 - loss: nan - accuracy: 0.1012", ""].join("\n"), "nan_loss", "Keras' TerminateOnNaN callback (keras/callbacks.py)"],
    [pyTrace(["OSError: Unable to open file (truncated file: eof = 96468992, sblock->base_addr = 0, stored_eof = 102197192)"], ['  File "/usr/local/lib/python3.10/dist-packages/keras/saving/legacy/hdf5_format.py", line 187, in load_model_from_hdf5', "    with h5py.File(filepath, mode=\"r\") as f:", '  File "h5py/h5f.pyx", line 102, in h5py.h5f.open']), "checkpoint_corrupt", "HDF5's superblock check through h5py loading a Keras .h5 (corpus: `truncated file: eof` 2 checkpoint_corrupt)"],
    [kerasFit("OSError: SavedModel file does not exist at: ./export/1/{saved_model.pbtxt|saved_model.pb}"), "python_exception", "TF's SavedModel loader given a wrong path (python/saved_model/loader_impl.py)"],
  ],

  "2. JAX, XLA, Flax and Orbax": [
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 17179869184 bytes."), "cuda_oom", "XLA's GPU buffer allocation (`Out of memory while trying to allocate`, xla/pjrt/...; corpus: third round's rule)"],
    [jaxTrace("jax.errors.JaxRuntimeError: RESOURCE_EXHAUSTED: Out of memory while trying to allocate 8.00GiB."), "cuda_oom", "the same through jax 0.4.36+'s JaxRuntimeError"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Failed to allocate request for 2.00GiB (2147483648B) on device ordinal 0", [tfRecord("W", "external/tsl/tsl/framework/bfc_allocator.cc:485", "Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.00GiB (rounded to 2147483648)requested by op "), "If the cause is memory fragmentation maybe the environment variable 'TF_XLA_FLAGS=--xla_gpu_enable_... 'TF_GPU_ALLOCATOR=cuda_malloc_async' will improve the situation. "]), "cuda_oom", "XLA's BFC device allocator (`Failed to allocate request for`, xla/stream_executor/integrations/tf_allocator_adapter.cc; not looked up)"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: XLA:TPU compile permanent error. Ran out of memory in memory space hbm. Used 17.52G of 15.48G hbm. Exceeded hbm capacity by 2.04G."), "cuda_oom", "XLA:TPU's compile-time memory check (corpus: fifth round's rule)"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: CustomCall failed: jaxlib/gpu/prng_kernels.cc:33: operation gpuGetLastError() failed: out of memory"), "cuda_oom", "jaxlib's GPU kernel check (`operation gpuGetLastError() failed: ` + the CUDA string; jaxlib/gpu/gpu_kernel_helpers.cc; not looked up)"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: INTERNAL: Failed to execute XLA Runtime executable: run time error: custom call 'xla.gpu.conv.forward' failed: cuDNN error: CUDNN_STATUS_EXECUTION_FAILED"), "cuda_error", "XLA's GPU runtime custom call (not looked up)"],
    [[...PROGRESS, tfRecord("E", "external/xla/xla/pjrt/pjrt_stream_executor_client.cc:2985", "Execution of replica 0 failed: INTERNAL: CUDA error: Could not synchronize CUDA stream: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered"), "jaxlib.xla_extension.XlaRuntimeError: INTERNAL: CUDA error: Could not synchronize CUDA stream: CUDA_ERROR_ILLEGAL_ADDRESS: an illegal memory access was encountered", ""].join("\n"), "cuda_error", "PjRt's stream executor client (not looked up)"],
    [["Traceback (most recent call last):", '  File "/workspace/train.py", line 3, in <module>', "    import jax", '  File "/usr/local/lib/python3.10/dist-packages/jax/__init__.py", line 37, in <module>', "    import jax._src.cloud_tpu_init as _cloud_tpu_init", '  File "/usr/local/lib/python3.10/dist-packages/jax/_src/lib/__init__.py", line 84, in <module>', "    check_jaxlib_version(", "RuntimeError: jaxlib version 0.4.30 is newer than and incompatible with jax version 0.4.13. Please update your jax and/or jaxlib packages.", ""].join("\n"), "import_error", "jax/_src/lib/__init__.py check_jaxlib_version at import (find_string hits 2609342970, 42043039477, 33126982943): an install whose packages do not match, like numpy's API-version import error"],
    [jaxTrace("RuntimeError: Unable to initialize backend 'cuda': FAILED_PRECONDITION: No visible GPU devices. (you may need to uninstall the failing plugin package, or set JAX_PLATFORMS=cpu to skip this backend.)"), "cuda_error", "jax/_src/xla_bridge.py backends() with JAX_PLATFORMS=cuda (not looked up; like torch's `No CUDA GPUs are available`, cuda_error)"],
    [jaxTrace("RuntimeError: Unable to initialize backend 'cuda': INTERNAL: no supported devices found for platform CUDA (you may need to uninstall the failing plugin package, or set JAX_PLATFORMS=cpu to skip this backend.)"), "cuda_error", "jax/_src/xla_bridge.py (not looked up)"],
    [[
      "step 1200 | loss 2.4121 | lr 3.0e-04",
      "E0926 17:26:32.075402  157988 coordination_service_agent.cc:332] Polled an error from coordination service (this can be an error from this or another task).",
      "F0926 17:26:32.075587  157988 client.h:77] Terminating process because the JAX distributed service detected fatal errors. This most likely indicates that another task died; see the other task logs for more details. Disable Python buffering, i.e. `python -u`, to be sure to see all the previous output. absl::Status: UNAVAILABLE: The following tasks are unhealthy (stopped sending heartbeats):",
      "/job:jax_worker/replica:0/task:3",
      "The tasks have crashed. Check the task logs for an earlier error to debug further.",
      "Fatal Python error: Aborted",
      "",
    ].join("\n"), "timeout", "xla/pjrt/distributed/client.h (the JAX docs quote it: find_string hits 7386858174, 55121022434): a peer's missed heartbeats (timeout by the convention)"],
    [[
      "step 1200 | loss 2.4121 | lr 3.0e-04",
      "F0502 10:11:12.345678  157988 client.cc:117] Terminating process because the coordinator detected missing heartbeats. This most likely indicates that another task died; see the other task logs for more details. Disable Python buffering, i.e. `python -u`, to be sure to see all the previous output. Status: DEADLINE_EXCEEDED: Heartbeat timeout",
      "Fatal Python error: Aborted",
      "",
    ].join("\n"), "timeout", "xla/pjrt/distributed/client.cc before the coordination service's wording changed (log scanners match it: find_string hits 42548676024, 30299434882)"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: DEADLINE_EXCEEDED: Barrier timed out. Barrier_id: PjRT_Client_Connect. Timed out task names:\n/job:jax_worker/replica:0/task:1"), "timeout", "tsl's coordination service barrier (corpus: `Barrier timed out` 3 timeout)"],
    [jaxTrace("ValueError: NOT_FOUND: Error opening \"zarr\" driver: Metadata at local file \"/ckpt/1000/default/params.decoder.layers_0.attention.kernel/.zarray\" does not exist [source locations='tensorstore/driver/kvs_backed_chunk_driver.cc:1268\\ntensorstore/driver/driver.cc:114'] [tensorstore_spec='{\"driver\":\"zarr\"}']"), "checkpoint_corrupt", "Orbax restoring a TensorStore array whose metadata is missing (corpus: sixth round's rule)"],
    [jaxTrace("flax.errors.ScopeParamShapeError: Initializer expected to generate shape (768, 3072) but got shape (1024, 4096) instead for parameter \"kernel\" in \"/Dense_0\". (https://flax.readthedocs.io/en/latest/api_reference/flax.errors.html#flax.errors.ScopeParamShapeError)"), "python_exception", "flax/errors.py ScopeParamShapeError: a config that does not fit the restored parameters"],
    [jaxTrace("FloatingPointError: invalid value (nan) encountered in jit(train_step). Because jax_config.debug_nans.value and/or config.jax_debug_infs is set, the de-optimized function (i.e., the function as if the `jit` decorator were removed) was called in an attempt to get a more precise error message. However, the de-optimized function did not produce invalid values during its execution. This behavior can result from `jit` optimizations causing the invalid value to be produced."), "nan_loss", "jax/_src/interpreters/pxla.py debug_nans (corpus: fifth round's rule)"],
    [jaxTrace("msgpack.exceptions.ExtraData: unpack(b) received extra data.", ['  File "/usr/local/lib/python3.10/dist-packages/flax/serialization.py", line 471, in msgpack_restore', "    state_dict = msgpack.unpackb(", '  File "msgpack/_unpacker.pyx", line 201, in msgpack._cmsgpack.unpackb']), "checkpoint_corrupt", "msgpack's ExtraData (`unpack(b) received extra data.`, msgpack/exceptions.py: find_string hit 7244616860) through flax.serialization.msgpack_restore: a checkpoint file with bytes after its payload (two writes in one file, a copy that went wrong)"],
    [jaxTrace("jaxlib.xla_extension.XlaRuntimeError: RESOURCE_EXHAUSTED: Attempting to reserve 12.50G at the bottom of memory. That was not possible. There are 10.12G free, 0B reserved, and 10.12G reservable."), "cuda_oom", "XLA:TPU's memory reservation (corpus: third round's rule)"],
  ],

  "3. PaddlePaddle, MindSpore, MXNet": [
    [paddleError("MemoryError: ", [
      "ResourceExhaustedError: ",
      "",
      "Out of memory error on GPU 0. Cannot allocate 1.000000GB memory on GPU 0, 15.000000GB memory has been allocated and available memory is only 500.000000MB.",
      "",
      "Please check whether there is any other process using GPU 0.",
      "1. If yes, please stop them, or start PaddlePaddle on another GPU.",
      "2. If no, please decrease the batch size of your model. ",
      " (at /paddle/paddle/fluid/memory/allocation/cuda_allocator.cc:86)",
    ]), "cuda_oom", "Paddle 2.0-2.4's CUDA allocator (memory/allocation/cuda_allocator.cc; corpus: `Error Message Summary` 4 cuda_oom)"],
    [pyTrace([
      "MemoryError: (ResourceExhausted) ",
      "",
      "Out of memory error on GPU 0. Cannot allocate 256.000244MB memory.",
      "Memory pool state: total free=12.000000MB, largest free block=12.000000MB.",
      "Paddle memory state: allocated=15.719788GB, reserved=15.731506GB.",
      "GPU memory state: available=61.562500MB, total=15.774414GB.",
      "Memory defragmentation: disabled.",
      "Please stop other processes using GPU 0 or use another GPU; otherwise, decrease the model batch size.",
      " (at /paddle/paddle/phi/core/memory/allocation/cuda_allocator.cc:95)",
    ]), "cuda_oom", "Paddle 3.x's allocator message (`\\n\\nOut of memory error on GPU %d. Cannot allocate %s memory.\\n` ... , find_string hit 57378242673); Paddle raises ResourceExhausted as Python's MemoryError"],
    [pyTrace(["OSError: (External) CUDA error(700), an illegal memory access was encountered. ", "  [Hint: 'cudaErrorIllegalAddress'. The device encountered a load or store instruction on an invalid memory address. This leaves the process in an inconsistentstate and any further CUDA work will return the same error. To continue using CUDA, the process must be terminated and relaunched. ] (at /paddle/paddle/phi/backends/gpu/cuda/cuda_info.cc:258)"]), "cuda_error", "Paddle's PADDLE_ENFORCE_GPU_SUCCESS (`(External) CUDA error(N), <string>.` + hint; find_string hits 28336417809, 14066094818)"],
    [pyTrace(["OSError: (External) CUDA error(2), out of memory. ", "  [Hint: 'cudaErrorMemoryAllocation'. The API call failed because it was unable to allocate enough memory to perform the requested operation. ] (at /paddle/paddle/phi/backends/gpu/gpu_context.cc:565)"]), "cuda_oom", "the same check with cudaErrorMemoryAllocation (find_string hits 59135192918, 61163249488)"],
    [pyTrace(["OSError: (External) CUDA error(209), no kernel image is available for execution on the device. ", "  [Hint: 'cudaErrorNoKernelImageForDevice'. This indicates that there is no kernel image available that is suitable for the device. ] (at /paddle/paddle/phi/backends/gpu/cuda/cuda_info.cc:258)"]), "cuda_error", "the same check, cudaErrorNoKernelImageForDevice (find_string hit 57992501517)"],
    [pyTrace(["OSError: (External) CUDNN error(8), CUDNN_STATUS_EXECUTION_FAILED. ", "  [Hint: 'CUDNN_STATUS_EXECUTION_FAILED'.  The GPU program failed to execute. This is usually caused by a failure to launch some cuDNN kernel on the GPU, which can occur for multiple reasons.  ] (at /paddle/paddle/phi/kernels/gpudnn/conv_kernel.cu:271)"]), "cuda_error", "Paddle's enforce for cuDNN (same `(External) <LIB> error(N), <status>.` shape; not looked up)"],
    [pyTrace(["OSError: (External) CUBLAS error(13), CUBLAS_STATUS_EXECUTION_FAILED. ", "  [Hint: 'CUBLAS_STATUS_EXECUTION_FAILED'.  The GPU program failed to execute. This is often caused by a launch failure of the kernel on the GPU, which can be caused by multiple reasons.  ] (at /paddle/paddle/phi/kernels/funcs/blas/blas_impl.cu.h:35)"]), "cuda_error", "Paddle's enforce for cuBLAS (not looked up)"],
    [pyTrace(["OSError: (External) NCCL error(2), unhandled system error. ", "  [Hint: 'ncclSystemError'. A call to a system function failed. ] (at /paddle/paddle/fluid/platform/device/gpu/nccl_helper.h:109)"]), "nccl_error", "Paddle's enforce for NCCL (not looked up; corpus: `ExternalError` 1 nccl_error)"],
    [pyTrace("OSError: (PreconditionNotMet) The third-party dynamic library (libcudnn.so) that Paddle depends on is not configured correctly. (error code is libcudnn.so: cannot open shared object file: No such file or directory)\n  Suggestions:\n  1. Check if the third-party dynamic library (e.g. CUDA, CUDNN) is installed correctly and its version is matched with paddlepaddle you installed.\n  2. Configure third-party dynamic library environment variables as follows:\n  - Linux: set LD_LIBRARY_PATH by `export LD_LIBRARY_PATH=...`\n  - Windows: set PATH by `set PATH=XXX; (at /paddle/paddle/phi/backends/dynload/dynamic_loader.cc:312)"), "import_error", "Paddle's dynamic loader (backends/dynload/dynamic_loader.cc; corpus: PreconditionNotMetError 1 import_error)"],
    [pyTrace("ValueError: (InvalidArgument) The shape of input[0] and input[1] is expected to be equal.But received input[0]'s shape = [32, 128], input[1]'s shape = [32, 64].\n  [Hint: Expected inputs_dims[0].size() == inputs_dims[i].size(), but received inputs_dims[0].size():2 != inputs_dims[i].size():3.] (at /paddle/paddle/phi/kernels/funcs/concat_funcs.h:55)"), "python_exception", "Paddle's InvalidArgument (raised as ValueError)"],
    [[
      "[2024/05/02 10:11:12] ppdet.engine INFO: Epoch: [3] [ 400/1000] learning_rate: 0.010000 loss: 1.412100 eta: 1:02:11",
      "",
      "",
      "--------------------------------------",
      "C++ Traceback (most recent call last):",
      "--------------------------------------",
      "0   paddle::framework::SignalHandle(char const*, int)",
      "1   paddle::platform::GetCurrentTraceBackString[abi:cxx11](bool)",
      "",
      "----------------------",
      "Error Message Summary:",
      "----------------------",
      "FatalError: `Segmentation fault` is detected by the operating system.",
      "  [TimeInfo: *** Aborted at 1714644672 (unix time) try \"date -d @1714644672\" if you are using GNU date ***]",
      "  [SignalInfo: *** SIGSEGV (@0x0) received by PID 48213 (TID 0x7f2b3c1ff700) from PID 0 ***]",
      "",
      "Segmentation fault (core dumped)",
      "",
    ].join("\n"), "segfault", "Paddle's signal handler (platform/init.cc SignalHandle; corpus: `is detected by the operating system` 7 segfault)"],
    [[
      "[2024/05/02 10:11:12] ppdet.engine INFO: Epoch: [3] [ 400/1000] learning_rate: 0.010000 loss: 1.412100 eta: 1:02:11",
      "----------------------",
      "Error Message Summary:",
      "----------------------",
      "FatalError: `Termination signal` is detected by the operating system.",
      "  [TimeInfo: *** Aborted at 1714644672 (unix time) try \"date -d @1714644672\" if you are using GNU date ***]",
      "  [SignalInfo: *** SIGTERM (@0x3e8000bc5d) received by PID 48213 (TID 0x7f2b3c1ff700) from PID 770141 ***]",
      "",
    ].join("\n"), "process_killed", "Paddle's signal handler on SIGTERM with nothing before it (a kill from outside; corpus: the one entry with it is a hung all-reduce, nccl_error, by what came before)"],
    [pyTrace([
      "RuntimeError: Memory not enough: Device(id:0) memory isn't enough and alloc failed, kernel name: Default/network-WithLossCell/_backbone-ResNet/layer4-SequentialCell/0-ResidualBlock/conv2-Conv2d/Conv2D-op1234, alloc size: 1073741824B.",
      "",
      "----------------------------------------------------",
      "- C++ Call Stack: (For framework developers)",
      "----------------------------------------------------",
      "mindspore/ccsrc/runtime/graph_scheduler/actor/memory_manager_actor.cc:245 SetOpContextMemoryAllocFail",
    ]), "cuda_oom", "MindSpore's memory manager (`#umsg#Memory not enough:#umsg#Device(id:` N `) memory isn't enough and alloc failed, kernel name: `, find_string hits 20080904808, 58901667)"],
    [pyTrace([
      "RuntimeError: Device(id:0) memory isn't enough and alloc failed, kernel name: Default/Add-op12, alloc size: 268435456B.",
      "",
      "----------------------------------------------------",
      "- C++ Call Stack: (For framework developers)",
      "----------------------------------------------------",
      "mindspore/ccsrc/runtime/graph_scheduler/actor/output_actor.cc:311 UpdateOutputDeviceAddress",
    ]), "cuda_oom", "MindSpore's output actor (find_string hit 4894069459 `memory isn't enough and alloc failed`)"],
    [pyTrace("RuntimeError: Device memory isn't enough and alloc failed, actor name: Default/network-WithLossCell/_backbone-Net/fc1-Dense/MatMul-op23, alloc size: 1073741824"), "cuda_oom", "MindSpore's older actor message (find_string hits 16979585272, 2145802061)"],
    [pyTrace(["mxnet.base.MXNetError: [10:11:12] src/storage/./pooled_storage_manager.h:157: cudaMalloc failed: out of memory", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.8/dist-packages/mxnet/libmxnet.so(+0x3b1e4b) [0x7f1234567e4b]"]), "cuda_oom", "MXNet 1.x's pooled storage manager (corpus: MXNetError 1 cuda_oom; README: OOM as MXNet reports it)"],
    [pyTrace(["mxnet.base.MXNetError: Traceback (most recent call last):", '  File "../src/storage/./pooled_storage_manager.h", line 161', "MXNetError: cudaMalloc retry failed: out of memory"]), "cuda_oom", "MXNet 1.6+'s FFI error (find_string hits 40790804545, 7826659097)"],
    [pyTrace(["mxnet.base.MXNetError: [10:11:12] src/engine/threaded_engine.cc:331: Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: an illegal memory access was encountered", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.8/dist-packages/mxnet/libmxnet.so(+0x6d554b) [0x7f123456b54b]"]), "cuda_error", "mshadow's CUDA_CALL check (`Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: ` + string; the same macro in find_string hit 29299972065)"],
    [pyTrace(["mxnet.base.MXNetError: [10:11:12] src/operator/nn/./cudnn/cudnn_convolution-inl.h:875: Check failed: e == CUDNN_STATUS_SUCCESS (4 vs. 0) cuDNN: CUDNN_STATUS_INTERNAL_ERROR"]), "cuda_error", "mshadow's CUDNN_CALL check (not looked up)"],
    [pyTrace(["mxnet.base.MXNetError: [10:11:12] src/io/local_filesys.cc:166: Check failed: allow_null:  LocalFileSystem::Open \"model-0010.params\": No such file or directory"]), "python_exception", "dmlc-core's local file system (a wrong path; corpus: MXNetError 3 python_exception)"],
    [pyTrace("MemoryError: (ResourceExhausted) Fail to alloc memory of 4294967296 size, error code is 12.\n  [Hint: Expected error == 0, but received error:12 != 0:0.] (at /paddle/paddle/phi/core/memory/allocation/cpu_allocator.cc:50)"), "host_oom", "Paddle's CPU allocator (memory/allocation/cpu_allocator.cc: `Fail to alloc memory of %ld size, error code is %d.`; not looked up): the same MemoryError type as the GPU form, with its message on the line"],
    [pyTrace(["mxnet.base.MXNetError: [10:11:12] src/ndarray/ndarray.cc:1892: Check failed: fi->Read(&header) Invalid NDArray file format", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.8/dist-packages/mxnet/libmxnet.so(+0x3b1e4b) [0x7f1234567e4b]"]), "checkpoint_corrupt", "MXNet's NDArray loader (corpus: nineteenth round's rule)"],
  ],

  "4. Ray, Dask, RAPIDS, CuPy, XGBoost, LightGBM, ONNX Runtime, Horovod, mpirun": [
    [rayGet(["ray.exceptions.OutOfMemoryError: Task was killed due to the node running low on memory.", "Memory on the node (IP: 10.0.0.12, ID: e5d953ef03e55e26f13973ea1b5a0fd0ecc729cd820bc89e4aa50451) where the task (task ID: 43534ce9375fa8e4cd0d0ec285d9974a6a95897401000000, name=train_fn, pid=11362, memory used=41.25GB) was running was 59.10GB / 62.68GB (0.942903), which exceeds the memory usage threshold of 0.94. Ray killed this worker (ID: 6f2ec5c8b0d5f5a4a7e0c5b4e2d8f8e9a1b2c3d4e5f6a7b8c9d0e1f2) because it was the most recently scheduled task; to see more information about memory usage on this node, use `ray logs raylet.out -ip 10.0.0.12`. To see the logs of the worker, use `ray logs worker-6f2ec5c8b0d5f5a4a7e0c5b4e2d8f8e9a1b2c3d4e5f6a7b8c9d0e1f2*out -ip 10.0.0.12. Top 10 memory users:"]), "process_killed", "Ray's memory monitor (the Ray docs quote it: find_string hit 35198710011; corpus: 5 process_killed)"],
    [rayGet(["ray.exceptions.RayTaskError(OutOfMemoryError): ray::_RayTrainWorker__execute.get_next() (pid=48213, ip=10.0.0.12, actor_id=9f3e2a1b0c4d5e6f7a8b9c0d01000000, repr=<ray.train._internal.worker_group.RayTrainWorker object at 0x7f2b3c1ff700>)", '  File "/workspace/train.py", line 96, in train_func', "    loss.backward()", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 78.02 GiB memory in use."]), "cuda_oom", "Ray's RayTaskError(<cause>) (ray/exceptions.py: `ray::<fn>() (pid=N, ip=A)` + the cause's traceback)"],
    [rayGet(["ray.exceptions.RayTaskError(ZeroDivisionError): ray::preprocess() (pid=48213, ip=10.0.0.12)", '  File "/workspace/train.py", line 41, in preprocess', "    scale = total / count", "ZeroDivisionError: division by zero"]), "python_exception", "Ray's RayTaskError with an ordinary exception"],
    [rayGet(["ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task.", "\tclass_name: RayTrainWorker", "\tactor_id: 9f3e2a1b0c4d5e6f7a8b9c0d01000000", "\tpid: 48213", "\tnamespace: 2c8e4f1a-5b3d-4e6f-8a9b-0c1d2e3f4a5b", "\tip: 10.0.0.12", "The actor is dead because its worker process has died. Worker exit type: SYSTEM_ERROR Worker exit detail: Worker unexpectedly exits with a connection error code 2. End of file. There are some potential root causes. (1) The process is killed by SIGKILL by OOM killer due to high memory usage. (2) ray stop --force is called. (3) The worker is crashed unexpectedly due to SIGSEGV or other unexpected errors."]), "process_killed", "Ray's ActorDiedError (ray/exceptions.py; corpus: ninth round's rule)"],
    [rayGet(["ray.exceptions.ActorDiedError: The actor died unexpectedly before finishing this task.", "\tclass_name: RolloutWorker", "\tactor_id: 9f3e2a1b0c4d5e6f7a8b9c0d01000000", "\tpid: 48213", "\tip: 10.0.0.12", "The actor is dead because its worker process has died. Worker exit type: NODE_OUT_OF_MEMORY Worker exit detail: Task was killed due to the node running low on memory."]), "process_killed", "Ray's ActorDiedError after the memory monitor's kill (find_string hit 30878021007 shows the exit detail)"],
    [rayGet(["ray.exceptions.WorkerCrashedError: The worker died unexpectedly while executing this task. Check python-core-worker-*.log files for more information."]), "process_killed", "Ray's WorkerCrashedError (corpus: third round's rule)"],
    [rayGet(["ray.exceptions.GetTimeoutError: Get timed out: some object(s) not ready."]), "timeout", "Ray's ray.get(timeout=) (ray/_private/worker.py)"],
    [rayGet(["ray.exceptions.RaySystemError: System error: Failed to unpickle serialized exception", "traceback: Traceback (most recent call last):", '  File "/usr/local/lib/python3.10/dist-packages/ray/exceptions.py", line 46, in from_ray_exception', "    return pickle.loads(ray_exception.serialized_exception)", "TypeError: __init__() missing 1 required positional argument: 'msg'"]), "python_exception", "Ray's RaySystemError (an exception that could not be sent back)"],
    [[
      "2024-05-02 10:11:12,345 - distributed.worker.memory - WARNING - Unmanaged memory use is high. This may indicate a memory leak or the memory may not be released to the OS; see https://distributed.dask.org/en/latest/worker-memory.html#memory-not-released-back-to-the-os for more information. -- Unmanaged memory: 11.20 GiB -- Worker memory limit: 15.62 GiB",
      "2024-05-02 10:11:14,345 - distributed.nanny.memory - WARNING - Worker tcp://127.0.0.1:38403 (pid=48213) exceeded 95% memory budget. Restarting...",
      "2024-05-02 10:11:15,001 - distributed.nanny - WARNING - Restarting worker",
      "Traceback (most recent call last):",
      '  File "/workspace/features.py", line 77, in <module>',
      "    df = ddf.compute()",
      '  File "/usr/local/lib/python3.10/dist-packages/distributed/client.py", line 2245, in _gather',
      "    raise exception.with_traceback(traceback)",
      "distributed.scheduler.KilledWorker: Attempted to run task ('getitem-0b1c2d3e4f', 3) on 4 different workers, but all those workers died while running it. The last worker that attempt to run the task was tcp://127.0.0.1:38403. Inspecting worker logs is often a good next step to diagnose what went wrong. For more information see https://distributed.dask.org/en/stable/killed.html.",
      "",
    ].join("\n"), "process_killed", "Dask's nanny (distributed/nanny.py `Worker exceeded %d%% memory budget. Restarting`, find_string hits 156799079, 1438608311) and the scheduler's KilledWorker (corpus: 1 process_killed)"],
    [[
      "distributed.nanny - WARNING - Worker exceeded 95% memory budget. Restarting",
      "distributed.nanny - WARNING - Restarting worker",
      "distributed.nanny - WARNING - Worker exceeded 95% memory budget. Restarting",
      "distributed.nanny - WARNING - Restarting worker",
      "",
    ].join("\n"), "process_killed", "Dask's older nanny message, the log's last lines (find_string hit 156799079)"],
    [[
      "distributed.nanny - WARNING - Worker exceeded 95% memory budget.  Restarting",
      "distributed.nanny - WARNING - Worker process 22204 was killed by unknown signal",
      "distributed.nanny - WARNING - Restarting worker",
      "",
    ].join("\n"), "process_killed", "Dask 1.x's nanny, two spaces after the budget (https://github.com/dask/distributed/issues/1829, the log's last lines; review)"],
    [pyTrace(["OSError: Timed out trying to connect to tcp://10.0.0.5:8786 after 30 s"], ['  File "/usr/local/lib/python3.10/dist-packages/distributed/comm/core.py", line 317, in connect', '    raise OSError(']), "timeout", "distributed/comm/core.py connect (not looked up)"],
    [pyTrace("MemoryError: std::bad_alloc: out_of_memory: CUDA error at: /opt/conda/include/rmm/mr/device/cuda_memory_resource.hpp:70: cudaErrorMemoryAllocation out of memory", ['  File "copying.pyx", line 151, in cudf._lib.copying.gather']), "cuda_oom", "RMM's cuda_memory_resource through cuDF (find_string hits 36152358576, 7770757447)"],
    [pyTrace("MemoryError: std::bad_alloc: out_of_memory: RMM failure at:/opt/conda/include/rmm/mr/device/pool_memory_resource.hpp:196: Maximum pool size exceeded", ['  File "join.pyx", line 62, in cudf._lib.join.join']), "cuda_oom", "RMM's pool through cuDF (corpus: nineteenth round's rule)"],
    [pyTrace("cupy.cuda.memory.OutOfMemoryError: Out of memory allocating 1,073,741,824 bytes (allocated so far: 15,032,385,536 bytes).", ['  File "cupy/cuda/memory.pyx", line 1415, in cupy.cuda.memory.SingleDeviceMemoryPool._malloc']), "cuda_oom", "CuPy's memory pool (corpus: `Out of memory allocating` 1 cuda_oom)"],
    [pyTrace("cupy_backends.cuda.libs.cublas.CUBLASError: CUBLAS_STATUS_EXECUTION_FAILED"), "cuda_error", "CuPy's cuBLAS check (cupy_backends/cuda/libs/cublas.pyx)"],
    [pyTrace("cupy_backends.cuda.libs.cusolver.CUSOLVERError: CUSOLVER_STATUS_INTERNAL_ERROR"), "cuda_error", "CuPy's cuSOLVER check"],
    [pyTrace(["xgboost.core.XGBoostError: [10:11:12] /workspace/src/common/device_helpers.cuh:431: Memory allocation error on worker 0: std::bad_alloc: cudaErrorMemoryAllocation: out of memory", "- Free memory: 1.51GB", "- Requested memory: 4.20GB", "", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.10/dist-packages/xgboost/lib/libxgboost.so(+0x3a0e8a) [0x7f1234567e8a]"]), "cuda_oom", "XGBoost's ThrowOOMError (`Memory allocation error on worker ` rank `: ` err, `- Free memory: `, `- Requested memory: `; find_string hits 4735064307, 2218665483; corpus: 2 cuda_oom)"],
    [pyTrace(["xgboost.core.XGBoostError: [10:11:12] ../src/tree/updater_gpu_hist.cu:781: Exception in gpu_hist: [10:11:12] ../src/c_api/../data/../common/device_helpers.cuh:420: Memory allocation error on worker 0: Caching allocator", "- Free memory: 12845056", "- Requested memory: 67108864"]), "cuda_oom", "XGBoost's caching allocator through gpu_hist (the same ThrowOOMError, find_string hit 1626957284's older form)"],
    [nativeAbort(["terminate called after throwing an instance of 'thrust::system::system_error'", "  what():  parallel_for failed: cudaErrorIllegalAddress: an illegal memory access was encountered"]), "cuda_error", "thrust's CUDA backend (corpus: `thrust::system::system_error` 1 cuda_error)"],
    [nativeAbort(["terminate called after throwing an instance of 'thrust::system::detail::bad_alloc'", "  what():  std::bad_alloc: cudaErrorMemoryAllocation: out of memory"]), "cuda_oom", "thrust's device allocation failure (thrust/system/detail/bad_alloc.h; not looked up)"],
    [pyTrace(["xgboost.core.XGBoostError: [10:11:12] /workspace/src/data/data.cc:515: Check failed: labels.Size() == num_row (1000 vs. 999) : Invalid shape of labels."]), "python_exception", "XGBoost's data check (a dmlc CHECK raised as XGBoostError)"],
    [pyTrace(["lightgbm.basic.LightGBMError: Check failed: (best_split_info.left_count) > (0) at /__w/1/s/lightgbm-python/src/treelearner/serial_tree_learner.cpp, line 653 ."], ['  File "/usr/local/lib/python3.10/dist-packages/lightgbm/basic.py", line 263, in _safe_call', '    raise LightGBMError(_LIB.LGBM_GetLastError().decode("utf-8"))']).replace("Traceback", "[LightGBM] [Fatal] Check failed: (best_split_info.left_count) > (0) at /__w/1/s/lightgbm-python/src/treelearner/serial_tree_learner.cpp, line 653 .\nTraceback"), "python_exception", "LightGBM's Log::Fatal then LightGBMError (include/LightGBM/utils/log.h)"],
    [[...PROGRESS, "[LightGBM] [Fatal] [CUDA] an illegal memory access was encountered /__w/1/s/src/treelearner/cuda/cuda_single_gpu_tree_learner.cpp 221", "terminate called after throwing an instance of 'std::runtime_error'", "  what():  [CUDA] an illegal memory access was encountered /__w/1/s/src/treelearner/cuda/cuda_single_gpu_tree_learner.cpp 221", "Aborted (core dumped)", ""].join("\n"), "cuda_error", "LightGBM's CUDASUCCESS_OR_FATAL (`[CUDA] %s %s %d`; users quote it: find_string hits 54950339939, 70364955775)"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.RuntimeException: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Name:'/backbone/conv1/Conv' Status Message: /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:121 std::conditional_t<THRW, void, onnxruntime::common::Status> onnxruntime::CudaCall(ERRTYPE, const char*, const char*, ERRTYPE, const char*, const char*, int) [with ERRTYPE = cudaError; bool THRW = true; std::conditional_t<THRW, void, onnxruntime::common::Status> = void] /onnxruntime_src/onnxruntime/core/providers/cuda/cuda_call.cc:114 std::conditional_t<THRW, void, onnxruntime::common::Status> onnxruntime::CudaCall(ERRTYPE, const char*, const char*, ERRTYPE, const char*, const char*, int) [with ERRTYPE = cudaError; bool THRW = true; std::conditional_t<THRW, void, onnxruntime::common::Status> = void] CUDA failure 2: out of memory ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_allocator.cc ; line=47 ; expr=cudaMalloc((void**)&p, size); "), "cuda_oom", "ONNX Runtime's CudaCall (`%s failure %d: %s ; GPU=%d ; hostname=%s ; file=%s ; line=%d ; expr=%s; %s`, find_string hits 12302645823, 2846542691)"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.Fail: [ONNXRuntimeError] : 1 : FAIL : Non-zero status code returned while running MatMul node. Name:'/layers.0/attn/MatMul' Status Message: CUDA failure 700: an illegal memory access was encountered ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=446 ; expr=cudaStreamSynchronize(static_cast<cudaStream_t>(stream_)); "), "cuda_error", "ONNX Runtime's CudaCall with cudaErrorIllegalAddress"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.RuntimeException: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Gemm node. Name:'/fc/Gemm' Status Message: CUBLAS failure 3: CUBLAS_STATUS_ALLOC_FAILED ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/cuda_execution_provider.cc ; line=168 ; expr=cublasCreate(&cublas_handle_); "), "cuda_oom", "ONNX Runtime's CudaCall for cuBLAS (libName CUBLAS; ALLOC_FAILED is cuda_oom by the convention)"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.RuntimeException: [ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : Non-zero status code returned while running Conv node. Name:'/stem/Conv' Status Message: CUDNN failure 4: CUDNN_STATUS_INTERNAL_ERROR ; GPU=0 ; hostname=gpu-node-07 ; file=/onnxruntime_src/onnxruntime/core/providers/cuda/nn/conv.cc ; line=163 ; expr=cudnnFindConvolutionForwardAlgorithmEx( GetCudnnHandle(context), s_.x_tensor, s_.x_data, s_.w_desc, s_.w_data, s_.conv_desc, s_.y_tensor, s_.y_data, 1, &algo_count, &perf, algo_search_workspace.get(), max_ws_size); "), "cuda_error", "ONNX Runtime's CudaCall for cuDNN"],
    [pyTrace("onnxruntime.capi.onnxruntime_pybind11_state.InvalidProtobuf: [ONNXRuntimeError] : 7 : INVALID_PROTOBUF : Load model from /models/encoder.onnx failed:Protobuf parsing failed."), "checkpoint_corrupt", "ONNX Runtime's model loader (a model file that does not parse; seventh round's protobuf convention)"],
    [[
      "[1,0]<stdout>:Epoch 3 | step 4120 | loss 0.4093",
      "[1,1]<stderr>:Traceback (most recent call last):",
      '[1,1]<stderr>:  File "/workspace/train_hvd.py", line 140, in <module>',
      "[1,1]<stderr>:    optimizer.step()",
      '[1,1]<stderr>:  File "/usr/local/lib/python3.10/dist-packages/horovod/torch/mpi_ops.py", line 1081, in synchronize',
      "[1,1]<stderr>:    mpi_lib.horovod_torch_wait_and_clear(handle)",
      "[1,1]<stderr>:horovod.common.exceptions.HorovodInternalError: ncclAllReduce failed: unhandled cuda error",
      "",
    ].join("\n"), "nccl_error", "Horovod's NCCL op check (`<nccl fn> failed: ` + ncclGetErrorString; a user's note quotes it, find_string hit 49185384577)"],
    [[
      "[1,1]<stderr>:RuntimeError: CUDA out of memory. Tried to allocate 1.50 GiB (GPU 1; 31.75 GiB total capacity; 29.12 GiB already allocated; 1.02 GiB free; 29.80 GiB reserved in total by PyTorch)",
      "[1,0]<stderr>:Traceback (most recent call last):",
      '[1,0]<stderr>:  File "/usr/local/lib/python3.10/dist-packages/horovod/torch/mpi_ops.py", line 1081, in synchronize',
      "[1,0]<stderr>:    mpi_lib.horovod_torch_wait_and_clear(handle)",
      "[1,0]<stderr>:horovod.common.exceptions.HorovodInternalError: Horovod has been shut down. This was caused by an exception on one of the ranks or an attempt to allreduce, allgather or broadcast a tensor after one of the ranks finished execution. If the shutdown was caused by an exception, you should see the exception in the log before the first shutdown message.",
      "",
    ].join("\n"), "cuda_oom", "Horovod's shutdown notice on the surviving rank after rank 1's OOM (horovod/common/operations.cc SHUT_DOWN_ERROR; corpus: seventh round's `horovod_shut_down`, a symptom)"],
    [[
      ...PROGRESS,
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 140, in <module>',
      "    raise ValueError(f\"unknown scheduler {cfg.scheduler!r}\")",
      "ValueError: unknown scheduler 'cosine_restarts'",
      "-------------------------------------------------------",
      "Primary job  terminated normally, but 1 process returned",
      "a non-zero exit code. Per user-direction, the job has been aborted.",
      "-------------------------------------------------------",
      "--------------------------------------------------------------------------",
      "mpirun detected that one or more processes exited with non-zero status, thus causing",
      "the job to be terminated. The first process to do so was:",
      "",
      "  Process name: [[12345,1],0]",
      "  Exit code:    1",
      "--------------------------------------------------------------------------",
      "",
    ].join("\n"), "python_exception", "Open MPI's orterun help messages (help-orterun.txt: `Primary job  terminated normally, but 1 process returned` / `mpirun detected that one or more processes exited with non-zero status`; corpus: 1 python_exception) after the exception that ended rank 0"],
    [[...PROGRESS, "--------------------------------------------------------------------------", "mpirun noticed that process rank 1 with PID 48214 on node gpu-node-07 exited on signal 9 (Killed).", "--------------------------------------------------------------------------", ""].join("\n"), "process_killed", "Open MPI's orterun (help-orterun.txt `exited on signal %d (%s)`; corpus: generalised round's rule)"],
    [[...PROGRESS, "--------------------------------------------------------------------------", "mpirun noticed that process rank 0 with PID 0 on node gpu-node-07 exited on signal 11 (Segmentation fault).", "--------------------------------------------------------------------------", ""].join("\n"), "segfault", "Open MPI's orterun, SIGSEGV"],
    [rayGet(["ray.exceptions.RayActorError: The actor died unexpectedly before finishing this task."]), "process_killed", "Ray before 2.9 (the same exception as ActorDiedError under its older name)"],
    [[
      "(RayTrainWorker pid=48213, ip=10.0.0.12) {'loss': 0.4093, 'epoch': 3, 'step': 4120}",
      "ray.exceptions.RayTaskError(OutOfMemoryError): ray::_RayTrainWorker__execute.get_next() (pid=48213, ip=10.0.0.12, actor_id=9f3e2a1b0c4d5e6f7a8b9c0d01000000, repr=<ray.train._internal.worker_group.RayTrainWorker object at 0x7f2b3c1ff700>)",
      "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free.",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 140, in <module>',
      "    result = trainer.fit()",
      "ray.train.base_trainer.TrainingFailedError: The Ray Train run failed. Please inspect the previous error messages for a cause. After fixing the issue (assuming that the error is not caused by your own application logic, but rather an error such as OOM), you can restart the run from scratch or continue this run.",
      "",
    ].join("\n"), "cuda_oom", "Ray Train's TrainingFailedError (ray/train/base_trainer.py) after the worker's RayTaskError"],
    [pyTrace("RuntimeError: CUDA error encountered at: file=/opt/conda/include/raft/util/cudart_utils.hpp line=150: call='cudaMemcpyAsync(dst, src, len * sizeof(Type), cudaMemcpyDefault, stream)', Reason=cudaErrorIllegalAddress:an illegal memory access was encountered", ['  File "cuml/cluster/kmeans.pyx", line 342, in cuml.cluster.kmeans.KMeans.fit']), "cuda_error", "RAFT's RAFT_CUDA_TRY through cuML (raft/util/cudart_utils.hpp; not looked up)"],
    [pyTrace("_catboost.CatBoostError: catboost/cuda/cuda_lib/cuda_base.h:281: CUDA error 2: out of memory", ['  File "_catboost.pyx", line 4693, in _catboost._CatBoost._train']), "cuda_oom", "CatBoost's CUDA_SAFE_CALL (`<file>:<line>: CUDA error N: <string>`, the form of find_string hit 71143414378) with cudaErrorMemoryAllocation"],
    [pyTrace("_catboost.CatBoostError: catboost/cuda/cuda_lib/cuda_base.h:281: CUDA error 35: CUDA driver version is insufficient for CUDA runtime version", ['  File "_catboost.pyx", line 4693, in _catboost._CatBoost._train']), "cuda_error", "CatBoost's CUDA_SAFE_CALL (find_string hits 71143414378, 71606383875)"],
    [[...PROGRESS, "Traceback (most recent call last):", '  File "/usr/local/bin/horovodrun", line 8, in <module>', "    sys.exit(run_commandline())", '  File "/usr/local/lib/python3.10/dist-packages/horovod/runner/gloo_run.py", line 287, in launch_gloo', "    raise RuntimeError('Horovod detected that one or more processes exited with non-zero '", "RuntimeError: Horovod detected that one or more processes exited with non-zero status, thus causing the job to be terminated. The first process to do so was:", "Process name: 1", "Exit code: 137", ""].join("\n"), "process_killed", "horovodrun's gloo launcher (horovod/runner/gloo_run.py; corpus: zx determined-3275 with exit code 1, python_exception) with a child killed by SIGKILL (128 + 9)"],
    [[...PROGRESS, "", "===================================================================================", "=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES", "=   PID 48213 RUNNING AT gpu-node-07", "=   EXIT CODE: 139", "=   CLEANING UP REMAINING PROCESSES", "=   YOU CAN IGNORE THE BELOW CLEANUP MESSAGES", "===================================================================================", "YOUR APPLICATION TERMINATED WITH THE EXIT STRING: Segmentation fault (signal 11)", "This typically refers to a problem with your application.", "Please see the FAQ page for debugging suggestions", ""].join("\n"), "segfault", "MPICH's hydra (pm/pmiserv; not looked up)"],
  ],

  "5. Applied PyTorch toolkits' own prints": [
    [pyTrace(["FloatingPointError: Loss became infinite or NaN at iteration=1234!", "loss_dict = {'loss_cls': nan, 'loss_box_reg': nan, 'loss_rpn_cls': 0.6931, 'loss_rpn_loc': nan}"], ['  File "/usr/local/lib/python3.10/dist-packages/detectron2/engine/train_loop.py", line 387, in _write_metrics', '    raise FloatingPointError(']), "nan_loss", "detectron2/engine/train_loop.py _write_metrics (corpus: 9 nan_loss)"],
    [pyTrace("FloatingPointError: Minimum loss scale reached (0.0001). Your loss is probably exploding. Try lowering the learning rate, using gradient clipping or increasing the batch size.", ['  File "/usr/local/lib/python3.10/dist-packages/fairseq/optim/dynamic_loss_scaler.py", line 61, in check_overflow', "    raise FloatingPointError("]), "nan_loss", "fairseq/optim/dynamic_loss_scaler.py (corpus: 4 nan_loss)"],
    [pyTrace("FloatingPointError: gradients are Nan/Inf", ['  File "/usr/local/lib/python3.10/dist-packages/fairseq/trainer.py", line 1011, in train_step', '    raise FloatingPointError("gradients are Nan/Inf")']), "nan_loss", "fairseq/trainer.py's grad-norm check (not looked up)"],
    [pyTrace("ValueError: The loss returned in `training_step` is nan.", ['  File "/usr/local/lib/python3.10/dist-packages/pytorch_lightning/loops/utilities.py", line 36, in _check_finite', "    raise ValueError(f\"The loss returned in `training_step` is {loss}.\")"]), "nan_loss", "Lightning's _check_finite with terminate_on_nan / detect_anomaly (find_string hits 26948474407, 1632472390)"],
    [pyTrace("ValueError: The loss returned in `training_step` is nan or inf.", ['  File "/usr/local/lib/python3.10/dist-packages/pytorch_lightning/trainer/training_tricks.py", line 57, in detect_nan_tensors', "    raise ValueError("]), "nan_loss", "Lightning 1.0-1.2's detect_nan_tensors (find_string hits 6719335695, 629057094)"],
    [pyTrace("lightning_fabric.utilities.exceptions.MisconfigurationException: No supported gpu backend found!", ['  File "/usr/local/lib/python3.10/dist-packages/lightning_fabric/accelerators/cuda.py", line 52, in parse_devices']), "python_exception", "Lightning's accelerator connector (corpus: MisconfigurationException 7 python_exception)"],
    [pyTrace("pytorch_lightning.utilities.exceptions.MisconfigurationException: `ModelCheckpoint(monitor='val_loss')` could not find the monitored key in the returned metrics: ['train_loss', 'epoch', 'step']. HINT: Did you call `log('val_loss', value)` in the `LightningModule`?"), "python_exception", "Lightning's ModelCheckpoint (callbacks/model_checkpoint.py)"],
    [pyTrace(["dgl._ffi.base.DGLError: [10:11:12] /opt/dgl/src/runtime/cuda/cuda_device_api.cc:117: Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: out of memory", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.10/dist-packages/dgl/libdgl.so(+0x8b9a3f) [0x7f1234567a3f]"]), "cuda_oom", "DGL's CUDA_CALL (`Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: ` + string; the macro's out-of-memory text in find_string hits 29299972065, 33045935381)"],
    [pyTrace(["dgl._ffi.base.DGLError: [10:11:12] /opt/dgl/src/array/cuda/spmm.cu:741: Check failed: e == cudaSuccess || e == cudaErrorCudartUnloading: CUDA: an illegal memory access was encountered", "Stack trace:", "  [bt] (0) /usr/local/lib/python3.10/dist-packages/dgl/libdgl.so(+0x8b9a3f) [0x7f1234567a3f]"]), "cuda_error", "DGL's CUDA_CALL with cudaErrorIllegalAddress"],
    [["Traceback (most recent call last):", '  File "/workspace/train_gnn.py", line 5, in <module>', "    import torch_scatter", '  File "/usr/local/lib/python3.10/dist-packages/torch_scatter/__init__.py", line 54, in <module>', "    raise RuntimeError(", "RuntimeError: Detected that PyTorch and torch_scatter were compiled with different CUDA versions. PyTorch has CUDA version 11.8 and torch_scatter has CUDA version 12.1. Please reinstall the torch_scatter that matches your PyTorch install.", ""].join("\n"), "import_error", "PyG's extension packages' import check (torch_scatter/__init__.py; find_string hit 766378826; torchvision's and torchaudio's same check, 23140994556, 69304005805)"],
    [pyTrace("RuntimeError: Some background workers are no longer alive", ['  File "/usr/local/lib/python3.10/dist-packages/nnunetv2/training/nnUNetTrainer/nnUNetTrainer.py", line 1188, in perform_actual_validation', "    proceed = not check_workers_alive_and_busy(segmentation_export_pool, worker_list, results, allowed_num_queued=2)", '  File "/usr/local/lib/python3.10/dist-packages/nnunetv2/utilities/file_path_utilities.py", line 103, in check_workers_alive_and_busy', "    raise RuntimeError('Some background workers are no longer alive')"]), "process_killed", "nnU-Net's export pool check (nnunetv2/utilities/file_path_utilities.py, find_string hits 11504760794, 20461799576): a pool worker that died without raising (users: killed by the OOM killer, hits 70632168843, 67460684461), like BrokenProcessPool"],
    [pyTrace("ModuleNotFoundError: No module named 'mmcv._ext'", ['  File "/usr/local/lib/python3.10/dist-packages/mmcv/utils/ext_loader.py", line 13, in load_ext', "    ext = importlib.import_module('mmcv.' + name)"]), "import_error", "mmcv's ext_loader (mmcv-lite without its compiled ops)"],
    [pyTrace(["EOFError: Compressed file ended before the end-of-stream marker was reached", "", "The above exception was the direct cause of the following exception:", "", "Traceback (most recent call last):", '  File "/usr/local/lib/python3.10/dist-packages/monai/transforms/transform.py", line 141, in apply_transform', "    return _apply_transform(transform, data, unpack_items, lazy, overrides, log_stats)", "RuntimeError: applying transform <monai.transforms.io.dictionary.LoadImaged object at 0x7f2b3c1ff700>"], ['  File "/usr/local/lib/python3.10/dist-packages/nibabel/openers.py", line 180, in read', "    return self.fobj.read(*args, **kwargs)", '  File "/usr/lib/python3.10/gzip.py", line 507, in read', "    raise EOFError(\"Compressed file ended before the \""]), "python_exception", "MONAI's apply_transform wrapping nibabel reading a cut .nii.gz (a data file, not a checkpoint: the eighteenth round's TFRecord convention)"],
    [[
      "05/02 10:11:12 - mmengine - INFO - Epoch(train)  [1][ 50/1000]  base_lr: 2.0000e-02 lr: 2.0000e-02  eta: 1:02:11  time: 0.3121  data_time: 0.0121  memory: 3821  grad_norm: 12.4121  loss: 1.4121  loss_rpn_cls: 0.6121  loss_rpn_bbox: 0.1001  loss_cls: 0.5999  acc: 91.2109  loss_bbox: 0.1000",
      "05/02 10:11:28 - mmengine - INFO - Epoch(train)  [1][100/1000]  base_lr: 2.0000e-02 lr: 2.0000e-02  eta: 1:01:55  time: 0.3119  data_time: 0.0119  memory: 3821  grad_norm: nan  loss: nan  loss_rpn_cls: nan  loss_rpn_bbox: nan  loss_cls: nan  acc: 0.0000  loss_bbox: nan",
      "",
    ].join("\n"), "nan_loss", "mmengine's LoggerHook record (mmengine/runner/log_processor.py) with NaN losses at the log's end"],
    [[...PROGRESS.slice(0, 1), "Epoch 15:  70%|███████   | 14/20 [00:41<00:17,  2.95s/it, v_num=3, train/loss_step=0.0473, val/loss=0.283][rank: 0] Received SIGTERM: 15", ""].join("\n"), "process_killed", "Lightning's signal connector (`[rank: N] Received SIGTERM: 15`, glued after the bar as in find_string hit 66457132331; hit 69712087580 quotes it): the run was stopped from outside"],
  ],

  "near misses: the same words in healthy runs of these frameworks": [
    [healthy([tfRecord("E", "external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:9261", "Unable to register cuDNN factory: Attempting to register factory for plugin cuDNN when one has already been registered"), tfRecord("E", "external/local_xla/xla/stream_executor/cuda/cuda_fft.cc:607", "Unable to register cuFFT factory: Attempting to register factory for plugin cuFFT when one has already been registered"), tfRecord("E", "external/local_xla/xla/stream_executor/cuda/cuda_blas.cc:1515", "Unable to register cuBLAS factory: Attempting to register factory for plugin cuBLAS when one has already been registered"), tfRecord("W", "tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38", "TF-TRT Warning: Could not find TensorRT")]), "none", "TF 2.15's start-up records (README: TF's duplicate factory registrations are no error)"],
    [healthy([tfRecord("E", "tensorflow/compiler/xla/stream_executor/cuda/cuda_driver.cc:268", "failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected"), tfRecord("I", "tensorflow/compiler/xla/stream_executor/cuda/cuda_diagnostics.cc:168", "retrieving CUDA diagnostic information for host: cpu-node-3")]), "none", "TF on a host without a GPU (it runs on the CPU)"],
    [healthy([tfRecord("W", "tensorflow/core/common_runtime/bfc_allocator.cc:275", "Allocator (GPU_0_bfc) ran out of memory trying to allocate 2.20GiB with freed_by_count=0. The caller indicates that this is not a failure, but may mean that there could be performance gains if more memory were available.")]), "none", "the BFC allocator's not-a-failure retry (find_string hits 2904613231, 9956302906; corpus: none)"],
    [healthy([tfRecord("W", "tensorflow/core/framework/cpu_allocator_impl.cc:82", "Allocation of 1073741824 exceeds 10% of free system memory.")]), "none", "TF's CPU allocator notice (framework/cpu_allocator_impl.cc)"],
    [[...KERAS_PROGRESS, "1875/1875 [==============================] - 42s 22ms/step - loss: 0.2412 - accuracy: 0.9312 - val_loss: 0.2611 - val_accuracy: 0.9254", "Saved model to ./export/model.keras", tfRecord("W", "tensorflow/core/kernels/data/generator_dataset_op.cc:108", "Error occurred when finalizing GeneratorDataset iterator: FAILED_PRECONDITION: Python interpreter state is not initialized. The process may be terminated."), "\t [[{{node PyFunc}}]]", ""].join("\n"), "none", "TF's GeneratorDataset finalizer at interpreter exit after a finished fit (kernels/data/generator_dataset_op.cc; not looked up)"],
    [healthy(["WARNING:jax._src.xla_bridge:An NVIDIA GPU may be present on this machine, but a CUDA-enabled jaxlib is not installed. Falling back to cpu."]), "none", "jax/_src/xla_bridge.py's CPU fallback warning"],
    [healthy([
      "2024-05-02 10:11:12,345 - distributed.worker.memory - WARNING - Unmanaged memory use is high. This may indicate a memory leak or the memory may not be released to the OS; see https://distributed.dask.org/en/latest/worker-memory.html#memory-not-released-back-to-the-os for more information. -- Unmanaged memory: 11.20 GiB -- Worker memory limit: 15.62 GiB",
      "2024-05-02 10:11:13,345 - distributed.worker.memory - WARNING - Worker is at 81% memory usage. Pausing worker.  Process memory: 12.70 GiB -- Worker memory limit: 15.62 GiB",
      "2024-05-02 10:11:19,345 - distributed.worker.memory - WARNING - Worker is at 58% memory usage. Resuming worker. Process memory: 9.10 GiB -- Worker memory limit: 15.62 GiB",
    ]), "none", "Dask's worker memory manager pausing and resuming (distributed/worker_memory.py)"],
    [healthy(["2024-05-02 10:11:12,345\tWARNING services.py:1996 -- WARNING: The object store is using /tmp instead of /dev/shm because /dev/shm has only 67108864 bytes available. This will harm performance! You may be able to free up space by deleting files in /dev/shm. If you are inside a Docker container, you can increase /dev/shm size by passing '--shm-size=10.24gb' to 'docker run' (or add it to the run_options list in a Ray cluster config). Make sure to set this to more than 30% of available RAM."]), "none", "Ray's object store placement warning (ray/_private/services.py)"],
    [healthy(["[W:onnxruntime:, session_state.cc:1162 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers which may or may not have an negative impact on performance. e.g. ORT explicitly assigns shape related ops to CPU to improve perf.", "[W:onnxruntime:, session_state.cc:1164 VerifyEachNodeIsAssignedToAnEp] Rerunning with verbose output on a non-minimal build will show node assignments."]), "none", "ONNX Runtime's node assignment warning"],
    [healthy([
      "[2024-05-02 10:11:12.345]: W /tmp/pip-install-abc123/horovod_0123456789/horovod/common/stall_inspector.cc:107] One or more tensors were submitted to be reduced, gathered or broadcasted by subset of ranks and are waiting for remainder of ranks for more than 60 seconds. This may indicate that different ranks are trying to submit different tensors or that only subset of ranks is submitting tensors, which will cause deadlock. ",
      "Missing ranks:",
      "1: [DistributedAdamOptimizer_Allreduce/cond_12/HorovodAllreduce_grads_12_0]",
    ]), "none", "Horovod's stall inspector warning that training goes on past (common/stall_inspector.cc; the ninth round reads it as a hang only at the log's end)"],
    [healthy([
      "2024-05-02 10:11:12 | WARNING | fairseq.trainer | OOM: Ran out of memory with exception: CUDA out of memory. Tried to allocate 62.00 MiB (GPU 0; 15.90 GiB total capacity; 14.59 GiB already allocated; 9.88 MiB free; 15.19 GiB reserved in total by PyTorch)",
      "2024-05-02 10:11:12 | WARNING | fairseq.trainer | attempting to recover from OOM in forward/backward pass",
    ]), "none", "fairseq's trainer skipping a batch that ran out of memory and going on (fairseq/trainer.py `attempting to recover from OOM in forward/backward pass`, find_string hits 17694340, 997966856; a user's log 21210653199)"],
    [healthy(["[gpu-node-07] 2024-05-02 10:11:12,345 (trainer:709) WARNING: The grad norm is nan. Skipping updating the model."]), "none", "ESPnet's trainer skipping one update (espnet2/train/trainer.py; find_string hits 14091879631, 2486407441)"],
    [healthy(["AMP: running Automatic Mixed Precision (AMP) checks with YOLOv8n...", "AMP: checks failed ❌. Anomalies were detected with AMP on your system that may lead to NaN losses or zero-mAP results, so AMP will be disabled during training."]), "none", "Ultralytics' check_amp (ultralytics/utils/checks.py; find_string hits 59969997, 39771279372): training goes on without AMP"],
    [healthy(["[LightGBM] [Warning] No further splits with positive gain, best gain: -inf", "[LightGBM] [Info] Total Bins 12345"]), "none", "LightGBM's tree learner warning (serial_tree_learner.cpp), printed every iteration on small data"],
    [healthy(["W0502 10:11:12.345678 48213 gpu_resources.cc:119] Please NOTE: device: 0, GPU Compute Capability: 8.0, Driver API Version: 12.2, Runtime API Version: 11.8", "W0502 10:11:12.345901 48213 gpu_resources.cc:149] device: 0, cuDNN Version: 8.9."]), "none", "Paddle's device notice at start-up (phi/backends/gpu/gpu_resources.cc)"],
    [healthy(["[10:11:12] src/operator/nn/./cudnn/./cudnn_algoreg-inl.h:97: Running performance tests to find the best convolution algorithm, this can take a while... (set the environment variable MXNET_CUDNN_AUTOTUNE_DEFAULT to 0 to disable)"]), "none", "MXNet's cuDNN autotune notice"],
    [healthy(["INFO:jax._src.xla_bridge:Unable to initialize backend 'cuda': module 'jaxlib.xla_extension' has no attribute 'GpuAllocatorConfig'", "INFO:jax._src.xla_bridge:Unable to initialize backend 'rocm': module 'jaxlib.xla_extension' has no attribute 'GpuAllocatorConfig'", "I1022 22:17:29.616872 140403999169408 xla_bridge.py:889] Unable to initialize backend 'tpu': INTERNAL: Failed to open libtpu.so: libtpu.so: cannot open shared object file: No such file or directory"]), "none", "jax/_src/xla_bridge.py logging the backends it skips at start-up (users' logs: find_string hits 4308336847, 55076419509, 2546627885; the RuntimeError form above is the failure)"],
    [healthy(["[2026-02-08 06:29:37] Ignore import error when loading sglang.srt.models.midashenglm: Detected that PyTorch and TorchAudio were compiled with different CUDA versions. PyTorch has CUDA version 12.8 whereas TorchAudio has CUDA version 12.9. Please install the TorchAudio version that matches your PyTorch version."]), "none", "sglang's model registry skipping a model whose import failed (find_string hits 15169926183, 53259568910): the server goes on"],
    [healthy(["2024-05-02 10:11:14,345 - distributed.nanny.memory - WARNING - Worker tcp://127.0.0.1:38403 (pid=48213) exceeded 95% memory budget. Restarting...", "2024-05-02 10:11:15,001 - distributed.nanny - WARNING - Restarting worker"]), "none", "Dask's nanny restarting one worker in a run that goes on training and finishes (the restart is history, like a DataLoader worker's death the run survives)"],
    [healthy(["[E:onnxruntime:Default, provider_bridge_ort.cc:1744 TryGetProviderInfo_CUDA] /onnxruntime_src/onnxruntime/core/session/provider_bridge_ort.cc:1426 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get() [ONNXRuntimeError] : 1 : FAIL : Failed to load library libonnxruntime_providers_cuda.so with error: libcublasLt.so.12: cannot open shared object file: No such file or directory", "[W:onnxruntime:Default, onnxruntime_pybind_state.cc:895 CreateExecutionProvider] Failed to create CUDAExecutionProvider. Require cuDNN 9.* and CUDA 12.*. Please install all dependencies as mentioned in the GPU requirements page (https://onnxruntime.ai/docs/execution-providers/CUDA-ExecutionProvider.html#requirements), make sure they're in the PATH, and that your GPU is supported."]), "none", "ONNX Runtime falling back to the CPU when its CUDA provider cannot load (`The failure is a warning, not an exception`: find_string hits 59228852797, 58968481808, 65794408909), like TensorFlow's dso_loader warning"],
    [healthy(["/usr/local/lib/python3.10/dist-packages/torch_geometric/typing.py:54: UserWarning: An issue occurred while importing 'torch-scatter'. Disabling its usage. Stacktrace: /usr/local/lib/python3.10/dist-packages/torch_scatter/_version_cuda.so: undefined symbol: _ZN5torch3jit17parseSchemaOrNameERKSs", "  warnings.warn(f\"An issue occurred while importing 'torch-scatter'. \""]), "none", "PyG's optional-extension warning (torch_geometric/typing.py; not looked up): PyG goes on without torch-scatter"],
    [healthy(["WARNING [05/02 10:11:12 fvcore.common.checkpoint]: Skip loading parameter 'roi_heads.box_predictor.cls_score.weight' to the model due to incompatible shapes: (81, 1024) in the checkpoint but (3, 1024) in the model! You might want to double check if this is expected."]), "none", "fvcore's checkpointer while fine-tuning detectron2 on new classes (fvcore/common/checkpoint.py; not looked up)"],
  ],
};

testDictionary("crash rules dictionary, second round: error texts of the frameworks beyond PyTorch", FAMILIES, primaryOf);
