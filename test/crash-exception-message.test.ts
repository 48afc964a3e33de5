/**
 * Issue 10: an exception of a generic type (RuntimeError, Exception, OSError, a library's own Error) whose message
 * names the failure is read as that failure, not as a plain python_exception (readExceptionMessage in
 * agent/crash/failure.ts; docs/crash-accuracy.md, items 280+). The words added this round: a module, extension or
 * shared library that cannot be loaded (import_error), Windows' paging file (host_oom), a saved file's reader finding
 * it cut (checkpoint_corrupt), a saved file's write failing part-way (disk_full), a GPU runtime's error status other
 * than CUDA's (cuda_error) and a device the runtime lost (gpu_hardware). Real messages name where they come from (a
 * studied corpus entry or an issue thread); near misses (user and config errors that merely mention a device, a
 * library or a file) must stay unread.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { classifyLine, loadRules } from "../agent/crash/rules.js";
import { readExceptionMessage } from "../agent/crash/failure.js";
import { scanFiles } from "../agent/crash/scanner.js";

const rules = await loadRules();

/** [category, where it comes from, exception type, message (first line)] */
type Real = [string, string, string, string];

const REAL: Real[] = [
  // A module, compiled extension or shared library that cannot be loaded.
  ["import_error", "crash-corpus legged-gym-21 (Isaac Gym's binding)", "RuntimeError", "No gym module found for the active version of Python (3.8)"],
  ["import_error", "crash-corpus OpenRLHF-355 (transformers' lazy import)", "RuntimeError", "Failed to import transformers.models.llama.modeling_llama because of the following error (look up to see its traceback):"],
  ["import_error", "crash-corpus v-llmdojo-35", "RuntimeError", "Failed to import trl.trainer.gkd_trainer because of the following error (look up to see its traceback):"],
  ["import_error", "crash-corpus deep-sort-pytorch-189", "RuntimeError", "No such operator torchvision::nms"],
  ["import_error", "crash-corpus vllm-5736", "RuntimeError", "operator torchvision::nms does not exist"],
  ["import_error", "crash-corpus pyg-lib-266", "OSError", "/lib/x86_64-linux-gnu/libm.so.6: version `GLIBC_2.29' not found (required by /home/X/anaconda3/envs/py3.10/lib/python3.10/site-packages/libpyg.so)"],
  ["import_error", "crash-corpus pytorch-131284", "OSError", "libcudart.so.12: cannot open shared object file: No such file or directory"],
  ["import_error", "crash-corpus v-torchscatter-153", "OSError", "/home/test_user/.conda/envs/torch14/lib/python3.7/site-packages/torch_scatter/_scatter.so: undefined symbol: _ZN5torch8autograd4Node20get_next_sequence_nrEv"],
  ["import_error", "https://github.com/oobabooga/textgen/issues/3104", "OSError", '[WinError 126] The specified module could not be found. Error loading "C:\\Users\\User\\AppData\\Local\\Programs\\Python\\Python310\\lib\\site-packages\\torch\\lib\\caffe2_nvrtc.dll" or one of its dependencies.'],
  ["import_error", "https://github.com/innnky/so-vits-svc/issues/162 (Chinese Windows)", "OSError", '[WinError 126] 找不到指定的模块。 Error loading "D:\\Py_Anaconda\\lib\\site-packages\\torch\\lib\\caffe2_nvrtc.dll" or one of its dependencies.'],
  // Windows' paging file too small while a DLL loads: host memory, not a missing library.
  ["host_oom", "crash-corpus zp-realesrgan-266", "OSError", '[WinError 1455] The paging file is too small for this operation to complete. Error loading "C:\\Users\\KHAL0009\\Anaconda3\\envs\\fyp_final\\lib\\site-packages\\torch\\lib\\caffe2_detectron_ops_gpu.dll" or one of its dependencies.'],
  ["host_oom", "crash-corpus zs-weclip-5 (Chinese Windows)", "OSError", '[WinError 1455] 页面文件太小，无法完成操作。 Error loading "D:\\Anaconda3\\envs\\wssam\\lib\\site-packages\\torch\\lib\\cudnn_cnn_infer64_8.dll" or one of its dependencies.'],
  // A saved file whose reader finds it cut or not in its format.
  ["checkpoint_corrupt", "crash-corpus P3M-13", "RuntimeError", "PytorchStreamReader failed reading zip archive: failed finding central directory"],
  ["checkpoint_corrupt", "crash-corpus mcnc-3", "RuntimeError", "[enforce fail at inline_container.cc:145] . PytorchStreamReader failed reading zip archive: failed finding central directory"],
  ["checkpoint_corrupt", "crash-corpus pytorch-12042", "RuntimeError", "storage has wrong size: expected 2930331299881099915 got 128"],
  ["checkpoint_corrupt", "crash-corpus zy-a1111-7828 (a generic Exception)", "Exception", "Error while deserializing header: HeaderTooLarge"],
  ["checkpoint_corrupt", "crash-corpus persugpt-2", "safetensors_rust.SafetensorError", "Error while deserializing header: MetadataIncompleteBuffer"],
  ["checkpoint_corrupt", "crash-corpus zm-doctr-962 (HDF5 weights)", "OSError", "Unable to open file (file signature not found)"],
  ["checkpoint_corrupt", "crash-corpus transformers-course-1", "OSError", "Consistency check failed: file should be of size 9449717937 but has size 883464076 ((…)l-00001-of-00002.bin)."],
  // A saved file's write that failed part-way.
  ["disk_full", "crash-corpus f5-tts-458, https://github.com/SWivid/F5-TTS/issues/458", "RuntimeError", "[enforce fail at inline_container.cc:778] . PytorchStreamWriter failed writing file data.pkl: file write failed"],
  ["disk_full", "https://github.com/rwth-i6/returnn/issues/1829", "RuntimeError", "[enforce fail at inline_container.cc:857] . PytorchStreamWriter failed writing file data/322: file write failed"],
  ["disk_full", "crash-corpus h5py-914", "OSError", "Can't write data (file write failed: time = Thu Jan 10 10:56:30 2019"],
  ["disk_full", "crash-corpus w-stylegan2-pytorch-186", "RuntimeError", "[enforce fail at inline_container.cc:274] . unexpected pos 203894208 vs 203894096"],
  ["disk_full", "crash-corpus nnUNet-294 (/dev/shm)", "RuntimeError", "unable to write to file </torch_15769_1517813162>"],
  // A GPU runtime's error status other than CUDA's; a device the runtime lost.
  ["cuda_error", "crash-corpus zs-pytorch-125442 (Metal, MPS)", "Error", "command buffer exited with error status."],
  ["cuda_error", "crash-corpus optimum-habana-1426 (Habana's synapse)", "RuntimeError", "Graph compile failed. synStatus=synStatus 26 [Generic failure]."],
  ["gpu_hardware", "crash-corpus gendp-5 (Vulkan)", "vk::DeviceLostError", "vk::Device::waitIdle: ErrorDeviceLost"],
  ["gpu_hardware", "crash-corpus (Intel XPU, SYCL's unified runtime)", "RuntimeError", "level_zero backend failed with error: 20 (UR_RESULT_ERROR_DEVICE_LOST)"],
];

/** [why it must stay unread, where it comes from, type, message] */
const NEAR_MISS: Real[] = [
  ["a torch.save that could not open its archive (a wrong path, not a failed write)", "https://github.com/pytorch/pytorch/issues/29186", "RuntimeError", "[enforce fail at inline_container.cc:319] . PytorchStreamWriter failed opening archive."],
  ["a corrupt data record is the data's problem (crash-corpus labels python_exception)", "crash-corpus studied python_exception entry", "tensorflow.python.framework.errors_impl.DataLossError", "corrupted record at 2585605691"],
  ["tensors on two devices: a user error naming cuda", "common torch message", "RuntimeError", "Expected all tensors to be on the same device, but found at least two devices, cuda:0 and cpu!"],
  ["a backend mismatch naming CUDA", "crash-corpus studied python_exception entry", "RuntimeError", "Expected object of backend CPU but got backend CUDA for argument #2 'other'"],
  ["a device type the code does not support", "crash-corpus studied python_exception entry", "ValueError", "Expected a cuda device, but got: privateuseone:0"],
  ["a device that cannot report its free memory: a missing feature", "crash-corpus studied python_exception entry", "RuntimeError", "The device (Intel(R) Arc(TM) Graphics) doesn't support querying the available free memory. You can file an issue at https://github.com/pytorch/pytorch/issues to help us prioritize its implementation."],
  ["a dispatch key list naming every backend", "crash-corpus studied python_exception entry", "RuntimeError", "new(): expected key in DispatchKeySet(CPU, CUDA, HIP, XLA, MPS, IPU, XPU, HPU, Lazy, Meta) but got: PrivateUse1"],
  ["a module's missing attribute is an API change (the type's message is not read)", "crash-corpus studied python_exception entry", "AttributeError", "module 'numpy' has no attribute 'float'."],
  ["an operator without a kernel for a backend is not a missing extension", "common torch message", "NotImplementedError", "Could not run 'torchvision::nms' with arguments from the 'CUDA' backend."],
  ["a shape mismatch", "crash-corpus studied python_exception entry", "RuntimeError", "shape mismatch: value tensor of shape [92] cannot be broadcast to indexing result of shape [40]"],
  ["a data-parallel misuse that names modules", "crash-corpus studied python_exception entry", "RuntimeError", "Expected to mark a variable ready only once. This error is caused by one of the following reasons: 1) Use of a module parameter outside the `forward` function."],
];

describe("exception message: real messages", () => {
  for (const [category, from, type, message] of REAL) {
    test(`${category}: ${from}`, () => {
      assert.equal(readExceptionMessage({ type, message })?.category ?? null, category, `${type}: ${message}`);
    });
  }
});

describe("exception message: near misses stay unread", () => {
  for (const [why, from, type, message] of NEAR_MISS) {
    test(`${why} (${from})`, () => {
      assert.equal(readExceptionMessage({ type, message })?.category ?? null, null, `${type}: ${message}`);
    });
  }
});

describe("exception message: the fallback's finding, end to end", () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-exception-message-"));
  test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
  let n = 0;
  const scan = async (text: string) => {
    const file = path.join(tmp, `log-${n++}.log`);
    fs.writeFileSync(file, text);
    return (await scanFiles([file], { rules })).primary;
  };
  /** A minimal traceback around a real exception line (the frames are a stand-in). */
  const traceback = (exceptionLine: string) => ["Epoch 3: 41%|####      | 410/1000", "Traceback (most recent call last):", '  File "train.py", line 88, in <module>', "    main()", '  File "train.py", line 61, in main', "    loss = step(batch)", exceptionLine, ""].join("\n");

  let tested = 0;
  test("real lines no rule knows: the message names the category", async () => {
    for (const [category, , type, message] of REAL) {
      const line = `${type}: ${message}`;
      const text = traceback(line);
      if (text.split("\n").some((l) => classifyLine(rules, l) !== null)) continue; // a rule reads it: not the reading's business
      tested++;
      const primary = await scan(text);
      assert.equal(primary?.category, category, line);
      assert.equal(primary?.ruleId, "python_traceback", line);
      assert.match(primary!.suggestion, /No rule knows this error, but its message names /, line);
    }
    // The words must decide something end to end: at least Isaac Gym's binding's and Metal's lines reach the reading.
    assert.ok(tested >= 2, `only ${tested} real lines reach the reading`);
  });

  test("near misses end to end stay python_exception", async () => {
    for (const [, , type, message] of NEAR_MISS) {
      const line = `${type}: ${message}`;
      const text = traceback(line);
      if (text.split("\n").some((l) => classifyLine(rules, l) !== null)) continue;
      assert.equal((await scan(text))?.category, "python_exception", line);
    }
  });

  test("a chain: a wrapper's message names nothing, its cause's does (transformers' lazy import over an undefined symbol)", async () => {
    // The cause's line is real (crash-corpus v-torchscatter-153); the wrapper is a stand-in.
    const text = [
      "Traceback (most recent call last):",
      '  File "train.py", line 12, in <module>',
      "    import torch_scatter",
      "OSError: /home/test_user/.conda/envs/torch14/lib/python3.7/site-packages/torch_scatter/_scatter.so: undefined symbol: _ZN5torch8autograd4Node20get_next_sequence_nrEv",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "train.py", line 88, in <module>',
      "    main()",
      "RuntimeError: Model setup failed",
      "",
    ].join("\n");
    const primary = await scan(text);
    assert.equal(primary?.category, "import_error");
  });
});
