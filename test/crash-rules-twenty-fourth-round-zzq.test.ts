/**
 * Twenty-fourth rules round (issue 10), tune collection zzq (the official code of research papers: detection, 3D,
 * GANs and diffusion, speech, RL, GNNs): from its first-contact misses, the readings that hold for logs not seen.
 * An import failure inside a Python warning's message is what a library caught and fell back from (StyleGAN2-ADA's
 * custom ops: `Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:`),
 * not a crash, whether the message is the exception's text or its whole traceback. HiFi-GAN's record `Gen Loss Total :
 * nan` and the OpenAI logger's key/value table row `| loss | nan |` are NaN losses. torch's `<GPU> with CUDA capability
 * sm_N is not compatible with the current PyTorch installation` says the build has no kernels for the GPU
 * (docs/crash-accuracy.md, "Twenty-fourth round: tune collection zzq"). Real lines name where they come from; near misses
 * must not be the rule (null: no rule at all); whole texts check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fourth-round-zzq-");

describe("twenty-fourth round (zzq): rule families", () => {
  const families: Family[] = [
    {
      // A loss key of a few words before its colon (HiFi-GAN's `Steps : {:d}, Gen Loss Total : {:4.3f}, ...`, the format
      // its forks keep: BigVGAN-style vocoders, iSTFTNet, Fre-GAN), and a key/value table's loss row (the OpenAI logger of
      // baselines, improved- and guided-diffusion; stable-baselines3's table has the same rows).
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus zzq hifi-gan-143, https://github.com/jik876/hifi-gan/issues/143", "Steps : 40, Gen Loss Total :  nan, Mel-Spec. Error : 2.021, s/b : 0.443"],
        ["crash-corpus zzq hifi-gan-143", "Steps : 55, Gen Loss Total :  nan, Mel-Spec. Error :  nan, s/b : 0.436"],
        ["crash-corpus zzq guided-diffusion-50, https://github.com/openai/guided-diffusion/issues/50", "| loss          | nan       |"],
        ["crash-corpus zzq guided-diffusion-50", "| loss_q0       | nan       |"],
        ["crash-corpus mimo-unet-40 (a loss key of two words, read by nan_loss_record before)", "Time: 0.2490 Epoch: 001 Iter: 200/ 526 LR: 0.0002000000 Loss content: nan Loss fft: nan"],
      ],
      nearMiss: [
        // The same records with finite values (hifi-gan-143 before it diverged; stable-baselines-1204's healthy table).
        ["Steps : 30, Gen Loss Total : 64922832.000, Mel-Spec. Error : 1.813, s/b : 0.454", null],
        ["|    loss                 | 20.1        |", null],
        ["| policy_loss        | 0.0006248371  |", null],
        // A NaN that is no loss: crash-corpus stable-baselines-178, PPO2 before its first episode ends (healthy).
        ["| ep_rewmean         | nan           |", null],
        // The loss scale's row (guided-diffusion-50) and its NaN notice, which one skipped fp16 step also prints.
        ["| lg_loss_scale | -1.62e+04 |", null],
        ["Found NaN, decreased lg_loss_scale to -16199.354", null],
        // espnet's keys of two words with finite values (crash-corpus espnet-3370, healthy).
        ["iterations:57, train acc:0.440, train loss:616.408, train loss ctc:1156.613, train loss att:76.203,", null],
      ],
    },
    {
      // torch's check at CUDA start-up (torch/cuda/__init__.py, incompatible_device_warn): the installed build has no
      // kernels for the GPU's architecture, so every kernel launch fails (`no kernel image is available`).
      rule: "cuda_arch_not_supported",
      real: [
        ["crash-corpus zzq leggedlab-26, https://github.com/Hellod035/LeggedLab/issues/26", "NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation."],
        ["crash-corpus zzr kaggle-docker-python-1546 (a Kaggle P100 under a newer build)", "Tesla P100-PCIE-16GB with CUDA capability sm_60 is not compatible with the current PyTorch installation."],
        ["https://github.com/Janrupf/stable-diffusion-webui-nix/issues/9 (journald's prefix)", "Oct 04 13:19:39 llm sd-webui-forge-start[394]: NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation."],
        ["https://github.com/pBFSLab/DeepPrep/issues/233 (indented)", "  NVIDIA GeForce RTX 5090 with CUDA capability sm_120 is not compatible with the current PyTorch installation."],
        ["a public Lightning training log (code search), an RTX A6000 under a cu10x build", "NVIDIA RTX A6000 with CUDA capability sm_86 is not compatible with the current PyTorch installation."],
      ],
      nearMiss: [
        // The warning's other lines, and Python's echo of the warn call.
        ["The current PyTorch install supports CUDA capabilities sm_50 sm_60 sm_70 sm_75 sm_80 sm_86 sm_90.", null],
        ['  warnings.warn(incompatible_device_warn.format(device_name, capability, " ".join(arch_list), device_name))', null],
        // Code that filters the warning (a regex, no GPU named), and prose quoting part of it (a chat transcript).
        ['                                message=r"\\s*NVIDIA .* with CUDA capability sm_\\d+ is not compatible with the current PyTorch installation",', null],
        ['\\"sm_120 is not compatible with the current PyTorch installation\\" It\'s', null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fourth round (zzq): a Python warning's message", () => {
  // PASTA-GAN-plusplus#4 (https://github.com/xiezhy6/PASTA-GAN-plusplus/issues/4, as a blog quotes the paste): the
  // upfirdn2d warning whose message is traceback.format_exc(), the paste ending at the exception line.
  const pasta = [
    "warnings.warn('Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:\\n\\n' + traceback.format_exc())",
    'Setting up PyTorch plugin "upfirdn2d_plugin"... Failed!',
    "/workspace/PASTA-GAN-plusplus/torch_utils/ops/upfirdn2d.py:34: UserWarning: Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:",
    "",
    "Traceback (most recent call last):",
    '  File "/workspace/PASTA-GAN-plusplus/torch_utils/ops/upfirdn2d.py", line 32, in _init',
    "    _plugin = custom_ops.get_plugin('upfirdn2d_plugin', sources=sources, extra_cuda_cflags=['--use_fast_math'])",
    '  File "/workspace/PASTA-GAN-plusplus/torch_utils/custom_ops.py", line 110, in get_plugin',
    "    torch.utils.cpp_extension.load(name=module_name, verbose=verbose_build, sources=sources, **build_kwargs)",
    '  File "/opt/conda/lib/python3.8/site-packages/torch/utils/cpp_extension.py", line 986, in load',
    "    return _jit_compile(",
    '  File "/opt/conda/lib/python3.8/site-packages/torch/utils/cpp_extension.py", line 1213, in _jit_compile',
    "    return _import_module_from_library(name, build_directory, is_python_module)",
    '  File "/opt/conda/lib/python3.8/site-packages/torch/utils/cpp_extension.py", line 1560, in _import_module_from_library',
    "    file, path, description = imp.find_module(module_name, [path])",
    '  File "/opt/conda/lib/python3.8/imp.py", line 296, in find_module',
    "    raise ImportError(_ERR_MSG.format(name), name=name)",
    "ImportError: No module named 'upfirdn2d_plugin'",
  ].join("\n") + "\n";
  // Python's echo of that warn call (the source line of stylegan2-ada-pytorch's torch_utils/ops/upfirdn2d.py), two spaces
  // in, after the blank line a message ending in traceback.format_exc()'s "\n" leaves.
  const echo = "\n  warnings.warn('Failed to build CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:\\n\\n' + traceback.format_exc())\n";

  test("the exception's text on the line above the warn call's echo is no crash (zzq stylegan2-ada-pytorch-37)", async () => {
    assert.equal(await primaryOf("stylegan2-ada-37.log", corpus("none/zzq-stylegan2-ada-pytorch-37-upfirdn2d-fallback-healthy.log")), null);
  });

  test("a traceback that is the warning's message is no crash: header above it, or echo below it (texts from real lines)", async () => {
    assert.equal(await primaryOf("pasta-gan-4.log", pasta), null);
    assert.equal(await primaryOf("pasta-gan-4-echo.log", pasta + echo), null);
  });

  test("an import failure before a warning (its header, then the echo) stays the crash (texts joined from real lines)", async () => {
    // NeuralPoints-21's ImportError, then so-vits-svc-fork-234's resource_tracker warning at shutdown.
    const importError = corpus("import_error/zzq-neuralpoints-21-pointnet2-cuda-undefined-symbol.log");
    const tracker = "/usr/lib/python3.9/multiprocessing/resource_tracker.py:216: UserWarning: resource_tracker: There appear to be 5 leaked semaphore objects to clean up at shutdown\n  warnings.warn('resource_tracker: There appear to be %d '\n";
    assert.deepEqual(await primaryOf("import-then-tracker.log", importError + tracker), { category: "import_error", ruleId: "import_undefined_symbol" });
    // A warning without "Details:" right above a traceback is no sign the traceback is its message: the crash stays.
    const warned = "/usr/lib/python3.9/multiprocessing/resource_tracker.py:216: UserWarning: resource_tracker: There appear to be 5 leaked semaphore objects to clean up at shutdown\n\n";
    assert.equal((await primaryOf("tracker-then-import.log", warned + importError))?.category, "import_error");
  });

  test("torch's capability warning stays a CUDA error with its header and echo (a real log's lines)", async () => {
    const text = [
      "/nfs/data_chaos/czhang/anaconda3/envs/householdergan/lib/python3.9/site-packages/torch/cuda/__init__.py:104: UserWarning: ",
      "NVIDIA RTX A6000 with CUDA capability sm_86 is not compatible with the current PyTorch installation.",
      "The current PyTorch install supports CUDA capabilities sm_37 sm_50 sm_60 sm_70.",
      "If you want to use the NVIDIA RTX A6000 GPU with PyTorch, please check the instructions at https://pytorch.org/get-started/locally/",
      "",
      '  warnings.warn(incompatible_device_warn.format(device_name, capability, " ".join(arch_list), device_name))',
    ].join("\n") + "\n";
    assert.deepEqual(await primaryOf("capability-warning.log", text), { category: "cuda_error", ruleId: "cuda_arch_not_supported" });
  });
});

describe("twenty-fourth round (zzq): whole entries", () => {
  const entries: [string, string, string][] = [
    ["nan_loss/zzq-hifi-gan-143-gen-loss-nan.log", "nan_loss", "nan_loss_metric"],
    ["nan_loss/zzq-guided-diffusion-50-fp16-loss-table-nan.log", "nan_loss", "nan_loss_metric"],
    ["cuda_error/zzq-leggedlab-26-rtx5090-sm120-not-compatible.log", "cuda_error", "cuda_arch_not_supported"],
    ["cuda_error/zzr-kaggle-docker-python-1546-p100-sm60-not-compatible.log", "cuda_error", "cuda_arch_not_supported"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("a NaN loss row of a key/value table followed by finite tables is a step the run went on from (texts joined from real lines)", async () => {
    // guided-diffusion-50's row, then stable-baselines-1204's finite loss row in two later tables.
    const table = (row: string) => `-----------------------------\n${row}\n-----------------------------\n`;
    const text = table("| loss          | nan       |") + table("|    loss                 | 20.1        |") + table("|    loss                 | 20.1        |");
    assert.equal(await primaryOf("table-recovered.log", text), null);
    assert.equal((await primaryOf("table-nan-last.log", table("|    loss                 | 20.1        |") + table("| loss          | nan       |")))?.category, "nan_loss");
  });
});
