/**
 * A JIT build (torch.utils.cpp_extension.load) that fails and falls back, the program going on without the kernel
 * (failure.ts demoteFallbackBuildOutput; docs/crash-accuracy.md, twenty-fifth round): its compiler errors are no crash,
 * while the same build failure that nothing caught stays one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-jit-fallback-");

/**
 * ninja's output of a failed build as torch prints it with `verbose=True` (`ninja -v`: each step's command, `FAILED:`,
 * the compiler's error, `ninja: build stopped: subcommand failed.`; the same block stands above the warning in
 * stylegan2-ada-pytorch#97), the compiler's missing-header error in gcc's format; composed, not a captured log.
 */
const BUILD = [
  'Setting up PyTorch plugin "bias_act_plugin"...',
  "Using /root/.cache/torch_extensions/py311_cu121 as PyTorch extensions root...",
  "Emitting ninja build file /root/.cache/torch_extensions/py311_cu121/bias_act_plugin/build.ninja...",
  "Building extension module bias_act_plugin...",
  "Allowing ninja to set a default number of workers... (overridable by setting the environment variable MAX_JOBS=N)",
  "[1/3] c++ -MMD -MF bias_act.o.d -DTORCH_EXTENSION_NAME=bias_act_plugin -fPIC -std=c++17 -c /root/.cache/torch_extensions/py311_cu121/bias_act_plugin/bias_act.cpp -o bias_act.o ",
  "FAILED: bias_act.o ",
  "c++ -MMD -MF bias_act.o.d -DTORCH_EXTENSION_NAME=bias_act_plugin -fPIC -std=c++17 -c /root/.cache/torch_extensions/py311_cu121/bias_act_plugin/bias_act.cpp -o bias_act.o ",
  "/root/.cache/torch_extensions/py311_cu121/bias_act_plugin/bias_act.cpp:10:10: fatal error: cuda_runtime.h: No such file or directory",
  "   10 | #include <cuda_runtime.h>",
  "      |          ^~~~~~~~~~~~~~~~",
  "compilation terminated.",
  "ninja: build stopped: subcommand failed.",
];

/** torch's chained exceptions for that build (`raise RuntimeError(message) from e`; verbose: no ninja output in the message). */
const TRACEBACK = [
  "Traceback (most recent call last):",
  '  File "/usr/local/lib/python3.11/dist-packages/torch/utils/cpp_extension.py", line 2100, in _run_ninja_build',
  "    subprocess.run(",
  '  File "/usr/lib/python3.11/subprocess.py", line 571, in run',
  "    raise CalledProcessError(retcode, process.args,",
  "subprocess.CalledProcessError: Command '['ninja', '-v']' returned non-zero exit status 1.",
  "",
  "The above exception was the direct cause of the following exception:",
  "",
  "Traceback (most recent call last):",
  '  File "/content/stylegan2-ada-pytorch/torch_utils/ops/bias_act.py", line 48, in _init',
  "    _plugin = custom_ops.get_plugin('bias_act_plugin', sources=sources, extra_cuda_cflags=['--use_fast_math'])",
  '  File "/usr/local/lib/python3.11/dist-packages/torch/utils/cpp_extension.py", line 2116, in _run_ninja_build',
  "    raise RuntimeError(message) from e",
  "RuntimeError: Error building extension 'bias_act_plugin'",
];

/** stylegan2-ada-pytorch's bias_act.py `_init`: `warnings.warn('Failed to build CUDA kernels ... Details:\n\n' + traceback.format_exc())`. */
const FALLBACK_WARNING = [
  "/content/stylegan2-ada-pytorch/torch_utils/ops/bias_act.py:50: UserWarning: Failed to build CUDA kernels for bias_act. Falling back to slow reference implementation. Details:",
  "",
  ...TRACEBACK,
  "",
  "  warnings.warn('Failed to build CUDA kernels for bias_act. Falling back to slow reference implementation. Details:\\n\\n' + traceback.format_exc())",
];

const ticks = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `tick ${i}     kimg ${i * 4}.0      time ${i + 1}m 05s       sec/tick 11.3    sec/kimg 2820.71 maintenance 0.0   cpumem 4.50   gpumem 6.23`);
const text = (...parts: string[][]): string => parts.flat().join("\n") + "\n";

test("a verbose JIT build that fails and falls back is no crash, whether the log ends after 3 ticks or 30", async () => {
  for (const n of [3, 30]) assert.equal(await primaryOf(`verbose-fallback-${n}.log`, text(BUILD, FALLBACK_WARNING, ticks(n))), null, `${n} ticks`);
});

test("a crash after the fallback names its own cause, not the build's compiler error above it", async () => {
  const oom = [
    "Traceback (most recent call last):",
    '  File "/content/stylegan2-ada-pytorch/training/training_loop.py", line 285, in training_loop',
    "    loss.accumulate_gradients(phase=phase.name, real_img=real_img, real_c=real_c, gen_z=gen_z, gen_c=gen_c, sync=sync, gain=gain)",
    "torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 512.00 MiB (GPU 0; 14.75 GiB total capacity; 13.10 GiB already allocated)",
  ];
  assert.deepEqual(await primaryOf("fallback-then-oom.log", text(BUILD, FALLBACK_WARNING, ticks(40), oom)), { category: "cuda_oom", ruleId: "cuda_oom_alloc" });
});

test("the same verbose build failure that nothing caught stays an import error", async () => {
  assert.equal((await primaryOf("verbose-crash.log", text(BUILD, TRACEBACK)))?.category, "import_error");
  // Cut before the traceback (the build's output alone): no sign that anything went on.
  assert.equal((await primaryOf("verbose-cut.log", text(BUILD)))?.category, "import_error");
});

/** transformers' notice, as huggingface/transformers#35349 shows it (Grounding DINO; one line per layer). */
const NOTICE =
  "[WARNING|modeling_grounding_dino.py:628] 2025-01-11 00:50:18,906 >> Could not load the custom kernel for multi-scale deformable attention: ~/.cache/torch_extensions/py310_cu124/MultiScaleDeformableAttention/MultiScaleDeformableAttention.so: cannot open shared object file: No such file or directory";
const trainerRecords = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => `{'loss': ${(1.2 - i * 0.01).toFixed(4)}, 'grad_norm': 3.1, 'learning_rate': 4.9e-05, 'epoch': ${(0.01 * (i + 1)).toFixed(2)}}`);

test("transformers' notice that it goes on without the deformable-attention kernel is no crash, with or without the build's output", async () => {
  assert.equal(await primaryOf("msda-notice.log", text(Array(6).fill(NOTICE), trainerRecords(20))), null);
  const built = [
    "[WARNING|modeling_deformable_detr.py:560] 2025-01-11 00:50:12,101 >> Could not load the custom kernel for multi-scale deformable attention: Error building extension 'MultiScaleDeformableAttention': [1/4] /usr/local/cuda/bin/nvcc -DTORCH_EXTENSION_NAME=MultiScaleDeformableAttention -c ms_deform_attn_cuda.cu -o ms_deform_attn_cuda.cuda.o",
    "FAILED: ms_deform_attn_cuda.cuda.o ",
    "/usr/local/cuda/bin/nvcc -DTORCH_EXTENSION_NAME=MultiScaleDeformableAttention -c ms_deform_attn_cuda.cu -o ms_deform_attn_cuda.cuda.o",
    "/usr/local/lib/python3.10/dist-packages/transformers/kernels/deformable_detr/cuda/ms_deform_attn_cuda.cu:14:10: fatal error: cuda_runtime.h: No such file or directory",
    "compilation terminated.",
    "ninja: build stopped: subcommand failed.",
    "",
  ];
  assert.equal(await primaryOf("msda-build-notice.log", text(built, trainerRecords(20))), null);
});

test("the missing .so outside such a notice stays an import error", async () => {
  const raised = "ImportError: ~/.cache/torch_extensions/py310_cu124/MultiScaleDeformableAttention/MultiScaleDeformableAttention.so: cannot open shared object file: No such file or directory";
  assert.equal((await primaryOf("msda-raised.log", text(trainerRecords(3), [raised])))?.category, "import_error");
});
