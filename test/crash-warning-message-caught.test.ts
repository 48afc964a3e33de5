/**
 * A traceback that is a Python warning's message (traceback.ts isWarningMessage): the code that warned caught the
 * exception and went on. Two shapes the first version missed, one each way: the message of torch's failed JIT build
 * (`Error building extension '...': <ninja's output>`) ends in "\n", so format_exc() leaves two blank lines before the
 * echo of the warn call, and the `ninja -v` CalledProcessError it was raised from is no launcher's exit status (a false
 * alarm on every run of a StyleGAN2-ADA-style op that falls back to its slow implementation); and a warning header
 * that ends in ":" without its source line (a frozen module's) right above the program's own crash hid the crash.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-warning-message-");

/**
 * The lines, blank lines and chain marker as CPython 3.11 printed them (stderr, then stdout) for a script with a
 * function shaped like stylegan2-ada-pytorch's torch_utils/ops/bias_act.py `_init` (`except: warnings.warn('Failed to
 * build CUDA kernels for bias_act. Falling back to slow reference implementation. Details:\n\n' +
 * traceback.format_exc())`) around one shaped like torch's cpp_extension `_run_ninja_build` (`raise
 * RuntimeError(message) from e`, the message ending in ninja's output), the run going on after it; the frames' paths
 * and source lines rewritten to the real files' (composed, not a captured log).
 */
const FALLBACK = [
  "/content/stylegan2-ada-pytorch/torch_utils/ops/bias_act.py:50: UserWarning: Failed to build CUDA kernels for bias_act. Falling back to slow reference implementation. Details:",
  "",
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
  "RuntimeError: Error building extension 'bias_act_plugin': [1/3] c++ -MMD -MF bias_act.o.d -DTORCH_EXTENSION_NAME=bias_act_plugin -c bias_act.cpp -o bias_act.o",
  "FAILED: bias_act.o",
  "bias_act.cpp:10:10: fatal error: cuda_runtime.h: No such file or directory",
  "compilation terminated.",
  "ninja: build stopped: subcommand failed.",
  "",
  "",
  "  warnings.warn('Failed to build CUDA kernels for bias_act. Falling back to slow reference implementation. Details:\\n\\n' + traceback.format_exc())",
  "tick 0     kimg 0.0      time 1m 05s       sec/tick 11.3    sec/kimg 2820.71 maintenance 53.9   cpumem 4.50   gpumem 6.23",
].join("\n") + "\n";

test("a failed JIT build in a warning's message (two blank lines before the echo) is no crash, nor its ninja exit status", async () => {
  assert.equal(await primaryOf("bias-act-fallback.log", FALLBACK), null);
});

test("the same traceback printed as the run's own end (no echo after it) stays a crash", async () => {
  const crashed = FALLBACK.split("\n").slice(2, 21).join("\n") + "\n";
  assert.notEqual(await primaryOf("bias-act-crash.log", crashed), null);
});

test("a warning header ending in ':' without its source line, right above the program's own crash, leaves the crash", async () => {
  // A warning raised in a frozen module has no source line to echo; its message ended in "\n" (the blank line).
  const text = [
    "Epoch 1 step 200 loss 0.71",
    "<frozen importlib._bootstrap>:241: RuntimeWarning: The following extensions could not be loaded:",
    "",
    "Traceback (most recent call last):",
    '  File "/home/u/train.py", line 88, in <module>',
    "    out = model(x)",
    "RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 23.70 GiB total capacity; 20.10 GiB already allocated)",
  ].join("\n") + "\n";
  assert.deepEqual(await primaryOf("frozen-warning-then-oom.log", text), { category: "cuda_oom", ruleId: "cuda_oom_alloc" });
  const generic = text.replace(/RuntimeError: CUDA out of memory.*/, "KeyError: 'image'");
  assert.equal((await primaryOf("frozen-warning-then-keyerror.log", generic))?.category, "python_exception");
});

test("an import failure quoted in a warning's message is no crash with one or two blank lines before the echo (one rule for both readers)", async () => {
  for (const blanks of [1, 2]) {
    const text = [
      "/workspace/stylegan2-ada-pytorch/torch_utils/custom_ops.py:117: UserWarning: Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:",
      "No module named 'upfirdn2d_plugin'",
      ...Array.from({ length: blanks }, () => ""),
      "  warnings.warn('Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:\\n\\n' + traceback.format_exc())",
      ...Array.from({ length: 6 }, (_, i) => `tick ${i + 1}     kimg ${(i + 1) * 4}.0     time 3m 12s     sec/tick 30.1     maxGPU 7.12`),
      "",
    ].join("\n");
    assert.equal(await primaryOf(`import-quoted-${blanks}.log`, text), null, `${blanks} blank line(s)`);
  }
});
