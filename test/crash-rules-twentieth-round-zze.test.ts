/**
 * Twentieth rules round (issue 10): from the first-contact misses of the tune collection zze (GPU training outside
 * the Hugging Face / LLM world: XGBoost, LightGBM, HugeCTR/RAPIDS, YOLOv5, instant-ngp, mmdetection3d). Each rule reads
 * what a C++ toolkit's own error check prints, whatever the job: a CUDA status read by its meaning (2 is an allocation
 * failure in the runtime and the driver API alike) in XGBoost's, spconv's, AMReX's and faiss's prints, RAPIDS' pool
 * out-of-memory statuses (CNMEM, rmm::out_of_memory), tiny-cuda-nn's CUTLASS and CUDA call checks, an assertion that a
 * GPU runtime call returned success (glibc's assert, faiss's), OpenCV's host allocation failure, and ctypes' Windows
 * access violation (docs/crash-accuracy.md, "Twentieth round: tune collection zze"). Real lines name where they come
 * from; near misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus
 * entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twentieth-round-zze-");

describe("twentieth round (zze): rule families", () => {
  const families: Family[] = [
    {
      // A device allocation failure as a toolkit's own check prints it: cudaGetErrorString(2) after a CUDA source
      // location (XGBoost's dh::safe_cuda), the numeric status 2 (spconv's TV_CHECK_CUDA_ERR, AMReX, faiss's details),
      // a failed cudaMalloc (faiss, tiny-cuda-nn's CUDA_CHECK_THROW), RAPIDS RMM's pool statuses, CUTLASS's
      // kErrorMemoryAllocation string.
      rule: "cuda_oom_toolkit_status",
      real: [
        ["crash-corpus zze xgboost-2019, https://github.com/dmlc/xgboost/issues/2019", "CUDA error: build/xgboost/src/xgboost/plugin/updater_gpu/src/device_helpers.cuh(386): out of memory"],
        ["https://github.com/dmlc/xgboost/issues/2874 (a later comment, as one line)", "terminate called after throwing an instance of 'thrust::system::system_error'  what():  /home/ubuntu/src/xgboost/src/tree/../common/device_helpers.cuh(456): out of memory"],
        ["crash-corpus zze mmdetection3d-80, https://github.com/open-mmlab/mmdetection3d/issues/80", "cuda execution failed with error 2"],
        ["https://github.com/V2AI/Det3D/issues/155", "/spconv/src/spconv/indice.cu 125 cuda execution failed with error 2"],
        ["https://github.com/ADLab-AutoDrive/BEVFusion/issues/28 (the title quotes the error on one line)", "RuntimeError: mmdet3d/ops/spconv/src/indice_cuda.cu 124 cuda execution failed with error 2"],
        ["https://github.com/AMReX-Codes/amrex/issues/3189", "amrex::Abort::0::CUDA error 2 in file ../../../../amrex/Src/Base/AMReX_Arena.cpp line 169: out of memory !!!"],
        ["https://github.com/amazon-science/patchcore-inspection/issues/57", "Faiss assertion 'err__ == cudaSuccess' failed in virtual void faiss::gpu::StandardGpuResourcesImpl::initializeForDevice(int) at /project/faiss/faiss/gpu/StandardGpuResources.cpp:312; details: CUDA error 2 out of memory"],
        ["https://github.com/facebookresearch/faiss/issues/648", "Faiss assertion 'cudaMalloc(p, size) == cudaSuccess' failed in void faiss::gpu::allocMemorySpace(faiss::gpu::MemorySpace, void**, size_t) at utils/MemorySpace.cpp:20; details: Failed to cudaMalloc 16000000000 bytes"],
        ["https://github.com/facebookresearch/faiss/issues/2580 (the title)", "Failed to cudaMalloc 1610612736 bytes on device 0 (error 2 out of memory)"],
        ["https://github.com/NVlabs/instant-ngp/issues/488", "ERROR Uncaught exception: Could not allocate memory: ~/instant-ngp/dependencies/tiny-cuda-nn/include/tiny-cuda-nn/gpu_memory.h:112 cudaMalloc(&rawptr, n_bytes+DEBUG_GUARD_SIZE*2) failed with error out of memory"],
        ["crash-corpus zze hugectr-131, https://github.com/NVIDIA-Merlin/HugeCTR/issues/131", "  what():  std::bad_alloc: CNMEM error at: /opt/conda/envs/rapids/include/rmm/mr/device/cnmem_memory_resource.hpp168: CNMEM_STATUS_OUT_OF_MEMORY"],
        ["https://github.com/NVIDIA/cudf/issues/10517 (rmm::out_of_memory, the line as the reporter cut it)", "MemoryError: std::bad_alloc: out_of_memory: CUDA error at: /usr/local/miniconda3/envs/rapids-22.02/include/rmm/mr/device/cuda_memory_resource.hpp"],
        ["crash-corpus zzf marian-dev-439, https://github.com/marian-nmt/marian-dev/issues/439", "[2019-04-15 08:34:14] Error: CUDA error 2 'out of memory' - /data/home/mt/tools/marian/src/tensors/gpu/device.cu:32: cudaMalloc(&data_, size)"],
        ["crash-corpus zzf marian-examples-16, https://github.com/marian-nmt/marian-examples/issues/16", "[2019-05-16 06:07:44] Error: CUDA error 2 'out of memory' - /tmp/marian/src/tensors/gpu/device.cu:38: cudaMalloc(&data_, size)"],
        ["crash-corpus zzf marian-120, https://github.com/marian-nmt/marian/issues/120 (the gpuErrchk macro's print)", "GPUassert: out of memory marian-dev/src/tensors/device_gpu.cu 32"],
        ["https://github.com/NVIDIA/nv-wavenet/issues/87 (found by the zzf study)", "GPUassert: out of memory ../nv_wavenet.cuh 326"],
        ["https://github.com/davisking/dlib/issues/462 (as the zzf study quoted it, its path cut there)", "in file .../cudnn_dlibapi.cpp:888. code: 2, reason: out of memory"],
        ["https://github.com/NVIDIA/MinkowskiEngine/issues/357 (thrust's parallel_for)", "CUDA error 2 [/usr/local/cuda/include/thrust/system/cuda/detail/parallel_for.h, 143]: out of memory"],
        // thrust's bad_alloc is thrown by its CUDA allocator only (its what() alone says `std::bad_alloc: out of memory`).
        ["https://github.com/OrangeOwlSolutions/Thrust/issues/1", "terminate called after throwing an instance of 'thrust::system::detail::bad_alloc'"],
        ["https://github.com/NVIDIA/cccl/issues/2092", "terminate called after throwing an instance of 'thrust::THRUST_200400_860_NS::system::detail::bad_alloc'"],
        // OpenCV's CUDA module: cv::Error::GpuApiCallError (-217) with cudaGetErrorString, in OpenCV 4's and 2's forms.
        ["https://github.com/opencv/opencv/issues/15128 (quoted in a comment)", "> gpu_mat.cu:116: error: (-217:Gpu API call) out of memory in function '<unnamed>::DefaultAllocator::allocate'"],
        ["https://github.com/opencv/opencv/issues/23392", "opencv/modules/core/src/cuda_info.cpp:74: error: (-217:Gpu API call) out of memory in function 'setDevice'"],
        ["https://github.com/xuhao1/VINS-Fisheye/issues/16", "  what():  OpenCV(3.4.13) /home/mwy/opencv-3.4.13/modules/core/src/cuda/gpu_mat.cu:116: error: (-217:Gpu API call) out of memory in function 'allocate'"],
        ["https://github.com/open-mmlab/denseflow/issues/28", "  what():  OpenCV(4.2.0) /home/******/opencv-4.2.0/modules/core/src/cuda_host_mem.cpp:95: error: (-217:Gpu API call) out of memory in function 'allocate'"],
        ["https://github.com/TomHeaven/AnomalyAnalysisWithOpticalFlow/issues/2 (the title, OpenCV 2)", "OpenCV Error: Gpu API call (out of memory) in CudaFuncTable::mallocPitch, file E:\\opencv\\sources\\modules\\dynamicuda\\include\\opencv2/dynamicuda/dynamicuda.hpp, line 1134"],
        // Not threads' lines: cuBLAS status 3 (CUBLAS_STATUS_ALLOC_FAILED) in Marian's `Cublas Error: N - ` shape
        // (marian#333/#383 print 13), and CUTLASS's cutlassGetStatusString(kErrorMemoryAllocation) in tiny-cuda-nn's
        // CUTLASS_CHECK_THROW shape (the shape of the tiny-cuda-nn lines in the next family).
        ["cuBLAS status 3 (enumerated), Marian's shape", "Error: Cublas Error: 3 - /marian/src/tensors/gpu/prod.cpp:330: cublasGemmBatchedTyped(handle, opB, opA, n, m, k, &alpha, bptr, ldb, aptr, lda, &beta, cptr, ldc, batchA)"],
        ["CUTLASS status string (enumerated), tiny-cuda-nn's shape", "RuntimeError: tiny-cuda-nn/include/tiny-cuda-nn/cutlass_matmul.h:332 status failed with error Error Memory Allocation"],
      ],
      nearMiss: [
        // thrust's what() line alone is ambiguous (std::bad_alloc is host memory elsewhere); its terminate line decides.
        ["what(): std::bad_alloc: out of memory", "host_oom_memory_error"],
        ["terminate called after throwing an instance of 'thrust::system::system_error'", null],
        // Other numeric statuses are not memory (98: invalid device function, spconv#113/#287).
        ["RuntimeError: src/spconv/indice.cu 120 cuda execution failed with error 98", "cuda_error_toolkit_status"],
        // Windows' error 2 is a missing file; a host source's `out of memory` is no GPU's; Theano's CNMeM banner.
        ["CreateProcess failed with error 2", null],
        ["main.cpp:120: out of memory", null],
        ["Using gpu device 0: GeForce GTX 980 (CNMeM is disabled)", null],
        // XGBoost's same location shape with another CUDA error (xgboost#4245): not memory (a failed CUDA call, read by
        // cuda_error_toolkit_status since the twenty-first round).
        ["/workspace/src/tree/updater_gpu_hist.cu: 279: invalid argument", "cuda_error_toolkit_status"],
      ],
    },
    {
      // OpenCV's cv::OutOfMemoryError (StsNoMem, -4) from core/src/alloc.cpp: a host allocation, in the three
      // forms OpenCV 2, 3 and 4 print.
      rule: "host_oom_opencv",
      real: [
        ["crash-corpus zze yolov5-10276, https://github.com/ultralytics/yolov5/issues/10276", "cv2.error: OpenCV(4.6.0) /io/opencv/modules/core/src/alloc.cpp:73: error: (-4:Insufficient memory) Failed to allocate 4672512 bytes in function 'OutOfMemoryError'"],
        ["https://github.com/lhoyer/DAFormer/issues/89", "cv2.error: OpenCV(4.4.0) C:\\Users\\appveyor\\AppData\\Local\\Temp\\1\\pip-req-build-h4wtvo23\\opencv\\modules\\core\\src\\alloc.cpp:73: error: (-4:Insufficient memory) Failed to allocate 6291456 bytes in function 'cv::OutOfMemoryError'"],
        ["https://github.com/spmallick/learnopencv/issues/799", "cv2.error: OpenCV(4.6.0) D:\\a\\opencv-python\\opencv-python\\opencv\\modules\\core\\src\\alloc.cpp:73: error: (-4:Insufficient memory) Failed to allocate 3145728 bytes in function 'cv::OutOfMemoryError'"],
        ["https://github.com/jetsonhacks/buildOpenCVTX2/issues/26 (OpenCV 3)", "error: OpenCV(3.4.1-dev) /home/nvidia/opencv/modules/core/src/alloc.cpp:55: error: (-4) Failed to allocate 1610612736 bytes in function OutOfMemoryError"],
        ["https://github.com/opencv/opencv/issues/8349 (OpenCV 3's exception line)", "cv2.error: ..\\..\\..\\..\\opencv\\modules\\core\\src\\alloc.cpp:52: error: (-4) Failed to allocate 192000004 bytes in function cv::OutOfMemoryError"],
        ["https://github.com/opencv/opencv/issues/8349 (its log line before)", "OpenCV Error: Insufficient memory (Failed to allocate 192000004 bytes) in cv::OutOfMemoryError, file ..\\..\\..\\..\\opencv\\modules\\core\\src\\alloc.cpp, line 52"],
      ],
      nearMiss: [
        // OpenCV's other errors: a failed assertion, and the CUDA module's GpuMat allocation (a GPU's memory, -217).
        ["cv2.error: OpenCV(4.5.4) /tmp/pip-req-build-h45n7_hz/opencv/modules/imgproc/src/resize.cpp:4051: error: (-215:Assertion failed) !ssize.empty() in function 'resize'", null],
        ["cv2.error: OpenCV(4.5.1) /io/opencv/modules/core/src/cuda/gpu_mat.cu:116: error: (-217:Gpu API call) out of memory in function 'allocate'", "cuda_oom_toolkit_status"],
        ["Failed to allocate 1024 bytes for the preview buffer, retrying", null],
      ],
    },
    {
      // tiny-cuda-nn's CUTLASS_CHECK_THROW (`<file>:<line> status failed with error <cutlassGetStatusString>`) and
      // CUTLASS's example check (`Got cutlass error: ... at: N`), spconv's numeric cudaError (other than 2), and
      // tiny-cuda-nn's CUDA_CHECK_THROW (`<call>(...) failed with error <cudaGetErrorString>`).
      rule: "cuda_error_toolkit_status",
      real: [
        ["crash-corpus zze instant-ngp-1219, https://github.com/NVlabs/instant-ngp/issues/1219", "RuntimeError: /tmp/pip-req-build-8lb16wz7/include/tiny-cuda-nn/cutlass_matmul.h:332 status failed with error Error Internal"],
        ["https://github.com/NVlabs/tiny-cuda-nn/issues/329", "RuntimeError: tiny-cuda-nn/include/tiny-cuda-nn/cutlass_matmul.h:332 status failed with error Error Internal"],
        ["https://github.com/NVlabs/instant-ngp/issues/1101", "ERROR    Uncaught exception: /matt_disk/3d/dev/instant-ngp/dependencies/tiny-cuda-nn/include/tiny-cuda-nn/cutlass_matmul.h:332 status failed with error Error Internal"],
        ["https://github.com/NVlabs/tiny-cuda-nn/issues/47", "Got cutlass error: Error Internal at: 363"],
        ["https://github.com/traveller59/spconv/issues/287 (the title quotes the error)", "RuntimeError: src/spconv/indice.cu 120 cuda execution failed with error 98"],
        ["https://github.com/skyhehe123/SA-SSD/issues/60 (the title)", "cuda execution failed with error 35"],
        ["https://github.com/marian-nmt/marian/issues/264 (found by the zzf study; path shortened there)", "Error: CUDA error 30 'unknown error' - .../algorithm.cu:15: cudaStreamSynchronize(0)"],
        ["https://github.com/NVIDIA/nv-wavenet/issues/12 (found by the zzf study)", "GPUassert: invalid device function ../nv_wavenet_util.cuh 48"],
        ["https://github.com/marian-nmt/marian/issues/333 (found by the zzf study; path shortened there)", "Error: Cublas Error: 13 - .../prod.cpp:330: cublasGemmBatchedTyped(...)"],
        ["https://github.com/fixstars/libSGM/issues/30 (OpenCV 3's two lines)", "OpenCV Error: Gpu API call (unknown error) in allocate, file /home/nvidia/workspace/opencv/modules/core/src/cuda/gpu_mat.cu, line 116"],
        ["https://github.com/fixstars/libSGM/issues/30", "/home/nvidia/workspace/opencv/modules/core/src/cuda/gpu_mat.cu:116: error: (-217) unknown error in function allocate"],
        ["https://github.com/opencv/opencv/issues/6550", "Error: OpenCV(4.2.0) /home/me/opencv-4.2.0/modules/core/src/cuda/gpu_mat.cu:116: error: (-217:Gpu API call) unknown error in function 'allocate'"],
        ["crash-corpus zzf instant-ngp-1134", "Uncaught exception: instant-ngp/src/testbed_nerf.cu:2694 cudaMemsetAsync(density_grid_tmp, 0, sizeof(float)*n_elements, stream) failed with error invalid argument"],
      ],
      nearMiss: [
        // The same checks with an allocation failure are the GPU's memory.
        ["cuda execution failed with error 2", "cuda_oom_toolkit_status"],
        ["RuntimeError: tiny-cuda-nn/include/tiny-cuda-nn/cutlass_matmul.h:332 status failed with error Error Memory Allocation", "cuda_oom_toolkit_status"],
        ["GPUassert: out of memory ../nv_wavenet.cuh 326", "cuda_oom_toolkit_status"],
        ["OpenCV Error: Gpu API call (out of memory) in CudaFuncTable::mallocPitch, file dynamicuda.hpp, line 1134", "cuda_oom_toolkit_status"],
        // Marian's abort record after its CUDA error says nothing by itself.
        ["[2019-04-15 08:34:14] Error: Aborted from virtual void marian::gpu::Device::reserve(size_t) in /data/home/mt/tools/marian/src/tensors/gpu/device.cu:32", null],
        // An illegal address in the same shapes keeps its own rule (crash-corpus zze nerfstudio-1534; GOMC#168).
        ["GPUassert: an illegal memory access was encountered /home4/.../CalculateEnergyCUDAKernel.cu 126", "cuda_illegal_address"],
        ["  what():  /home/w/nerf/ngp_pl/tiny-cuda-nn/include/tiny-cuda-nn/multi_stream.h:83 cudaEventRecord(m_event, m_stream) failed with error an illegal memory access was encountered", "cuda_illegal_address"],
        // Other tools' `failed with error`: a CI cache's tar, a library status code in a warning.
        ["Warning: Failed to save: \"/usr/bin/tar\" failed with error: The process '/usr/bin/tar' failed with exit code 2", null],
        ["[LightGBM] [Warning] status failed with error code 3", null],
        // tiny-cuda-nn's CUDA_CHECK_PRINT (`FILE_LINE " " #x " failed with error " << cudaGetErrorString(result)`, a print, no
        // throw) in FullyFusedMLP's and CutlassMLP's destructors: at interpreter exit the CUDA runtime may be unloaded
        // first (cudaErrorCudartUnloading), a teardown notice after a finished run, not its failure (review; the line is
        // built from that macro, as GPUMemory's destructor in the same header skips "driver shutting down" for this reason).
        ["/home/u/tiny-cuda-nn/src/fully_fused_mlp.cu:806 cudaEventDestroy(m_training_splitk_events[i]) failed with error driver shutting down", null],
      ],
    },
    {
      // An assertion that a GPU runtime call returned success: glibc's `Assertion \`...' failed.` on a CUDA or OpenCL
      // status (Eigen's GpuDevice, boost.compute's wait_list under LightGBM's GPU learner) and faiss's own assertion.
      rule: "cuda_error_status_assertion",
      real: [
        ["crash-corpus zze lightgbm-2648, https://github.com/lightgbm-org/LightGBM/issues/2648", "python: /root/repo/LightGBM/compute/include/boost/compute/utility/wait_list.hpp:166: void boost::compute::wait_list::wait() const: Assertion `clWaitForEvents(size(), get_event_ptr()) == 0' failed."],
        ["https://github.com/tensorpack/tensorpack/issues/157", "python: external/eigen_archive/unsupported/Eigen/CXX11/src/Tensor/TensorDeviceCuda.h:218: void Eigen::GpuDevice::memcpy(void*, const void*, size_t) const: Assertion `err == cudaSuccess' failed."],
        ["https://github.com/facebookresearch/faiss/issues/280", "Faiss assertion 'err__ == cudaSuccess' failed in faiss::gpu::DeviceTensor<T, Dim, Contig, IndexT, PtrTraits>::~DeviceTensor() [with T = float; int Dim = 3; bool Contig = true; IndexT = int; PtrTraits = faiss::gpu::traits::DefaultPtrTraits] at impl/../utils/DeviceTensor-inl.cuh:61; details: CUDA error 77"],
        ["https://github.com/facebookresearch/faiss/issues/292", "Faiss assertion 'err__ == cudaSuccess' failed in int faiss::gpu::getNumDevices() at utils/DeviceUtils.cpp:32; details: CUDA error 3"],
        ["https://github.com/CannyLab/tsne-cuda/issues/68", "KNN Computation... Faiss assertion 'err == cudaSuccess' failed in faiss::gpu::StackDeviceMemory::Stack::Stack(int, size_t) at /home/shivangi/Desktop/Projects/master_thesis/tsne-cuda/third_party/faiss/gpu/utils/StackDeviceMemory.cpp:33"],
      ],
      nearMiss: [
        // A program's own numeric check, darknet's assert(0) after its CUDA Error line, a device-side assert,
        // and faiss's bookkeeping assertion: none is a runtime call's status.
        ["vector_add: vector_add.cu:48: int main(): Assertion `fabs(output[i] - a[i] - b[i]) < 1e-6' failed.", null],
        ["darknet: ./src/cuda.c:36: check_error: Assertion `0' failed.", null],
        ["C:/cb/pytorch_1000000000000/work\\c10/core/DynamicCast.h:78: block: [34,0,0], thread: [110,0,0] Assertion `false` failed.", "cuda_device_assert"],
        ["Faiss assertion 'p + size == head_' failed in void faiss::gpu::StackDeviceMemory::Stack::returnAlloc(char*, size_t, cudaStream_t) at gpu/utils/StackDeviceMemory.cpp:147", null],
        // faiss's assertion whose details give status 2 is the GPU's memory.
        ["Faiss assertion 'err__ == cudaSuccess' failed in virtual void faiss::gpu::StandardGpuResourcesImpl::initializeForDevice(int) at /project/faiss/faiss/gpu/StandardGpuResources.cpp:312; details: CUDA error 2 out of memory", "cuda_oom_toolkit_status"],
      ],
    },
    {
      // ctypes turns a Windows access violation in the called DLL into OSError("exception: access violation
      // reading|writing 0x...") (CPython's _ctypes/callproc.c): the Windows form of a segfault.
      rule: "segfault_ctypes_access_violation",
      real: [
        ["crash-corpus zze lightgbm-438, https://github.com/lightgbm-org/LightGBM/issues/438", "OSError: exception: access violation reading 0x00000000D62FC52E"],
        ["https://github.com/thunlp/OpenKE/issues/304", "OSError: exception: access violation reading 0xFFFFFFFFFFFFFFE8"],
        ["https://github.com/toxygen-project/toxygen/issues/74", "OSError: exception: access violation reading 0x000000007998B3C0"],
        ["https://github.com/trolldbois/ctypeslib/issues/126", "OSError: exception: access violation writing 0x00000000FFFFFFFF"],
      ],
      nearMiss: [
        // Other Windows errors through ctypes and the OS: no memory fault.
        ["PermissionError: [WinError 5] Access is denied: 'C:\\\\Users\\\\x\\\\AppData\\\\Local\\\\Temp\\\\tmpabc'", null],
        ["OSError: exception: breakpoint encountered", null],
        ["Checking for access violation reading 0x0 in the unit tests: none", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twentieth round (zze): the corpus entries", () => {
  const cases: [string, string, string][] = [
    ["cuda_oom/zze-xgboost-2019-gpu-updater-device-helpers-out-of-memory.log", "cuda_oom", "cuda_oom_toolkit_status"],
    ["segfault/zze-lightgbm-438-gpu-booster-init-access-violation-win10.log", "segfault", "segfault_ctypes_access_violation"],
    ["cuda_error/zze-lightgbm-2648-opencl-clwaitforevents-assertion-aborted.log", "cuda_error", "cuda_error_status_assertion"],
    ["cuda_oom/zze-hugectr-131-dlrm-rmm-bad-alloc-cnmem-out-of-memory.log", "cuda_oom", "cuda_oom_toolkit_status"],
    ["host_oom/zze-yolov5-10276-cache-opencv-insufficient-memory-failed-to-allocate.log", "host_oom", "host_oom_opencv"],
    // The CUTLASS status is the cause; the shell's `Killed` after it is a symptom.
    ["cuda_error/zze-instant-ngp-1219-tiny-cuda-nn-cutlass-matmul-error-internal-p100.log", "cuda_error", "cuda_error_toolkit_status"],
    // The exception's message goes on after its first line (`RuntimeError: <file> 124` / `cuda execution failed ...`).
    ["cuda_oom/zze-mmdetection3d-80-spconv-indice-cuda-execution-failed-error-2.log", "cuda_oom", "cuda_oom_toolkit_status"],
    // zzf's entries of the same family (the lead's 00:21 note gave it to this round): Marian's numeric status and
    // the gpuErrchk print, the latter before a C++ terminate that named only util::Exception.
    ["cuda_oom/zzf-marian-dev-439-cuda-error-2-out-of-memory-after-validation.log", "cuda_oom", "cuda_oom_toolkit_status"],
    ["cuda_oom/zzf-marian-examples-16-cuda-error-2-out-of-memory-run-me.log", "cuda_oom", "cuda_oom_toolkit_status"],
    ["cuda_oom/zzf-marian-120-gpuassert-out-of-memory-workspace-95000.log", "cuda_oom", "cuda_oom_toolkit_status"],
    ["cuda_error/zzf-instant-ngp-1134-uncaught-exception-cudamemsetasync-invalid-argument.log", "cuda_error", "cuda_error_toolkit_status"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("thrust's bad_alloc is the GPU's memory although its what() line says std::bad_alloc", async () => {
    // OrangeOwlSolutions/Thrust#1 (markdown bold removed).
    const text = [
      "terminate called after throwing an instance of 'thrust::system::detail::bad_alloc'",
      "",
      "what(): std::bad_alloc: out of memory",
      "",
      "*** Process received signal ***",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("thrust-1.log", text), { category: "cuda_oom", ruleId: "cuda_oom_toolkit_status" });
  });

  test("an assertion on a CUDA status followed by the abort is the CUDA error, not a segfault", async () => {
    // tensorpack#157's end: glibc's assertion line, then the shell's abort report.
    const text = [
      "I tensorflow/compiler/xla/service/service.cc:187]   StreamExecutor device (1): GeForce GTX 1080, Compute Capability 6.1",
      "python: external/eigen_archive/unsupported/Eigen/CXX11/src/Tensor/TensorDeviceCuda.h:218: void Eigen::GpuDevice::memcpy(void*, const void*, size_t) const: Assertion `err == cudaSuccess' failed.",
      "Aborted (core dumped)",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("tensorpack-157.log", text), { category: "cuda_error", ruleId: "cuda_error_status_assertion" });
  });
});
