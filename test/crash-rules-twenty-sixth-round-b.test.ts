/**
 * Twenty-sixth rules round (issue 10), part B, on the studied fresh19: from its misses, the readings that hold for
 * logs not seen (docs/crash-accuracy.md, "Twenty-sixth round, on the studied fresh19", items 760-).
 * - Real-ESRGAN's hint after an error its inference script caught (`If you encounter CUDA out of memory, try to set
 *   --tile with a smaller number.`): the out-of-memory line just above it is history (trait recovers_above).
 * - torch's cudaMallocAsync allocator's `Allocation on device 0 would exceed allowed memory. (out of memory)`.
 * - A loss printed with its step in brackets (`train_batch_loss[ 10 ]:  nan`, crnn-pytorch and its forks).
 * - Paddle's loss scaler lowering the scale at every step to the log's end (`Found inf or nan, current scale is: ...`).
 * - MindSpore's device data queue timing out (`For 'GetNext', get data timeout`), CANN's E30008 for the same operator.
 * - Cython's check that a compiled module's C types match the installed NumPy's (`numpy.ndarray size changed, may
 *   indicate binary incompatibility`, older Cython's `has the wrong size, try recompiling`).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-sixth-round-b-");

const TILE_HINT = "If you encounter CUDA out of memory, try to set --tile with a smaller number.";

describe("twenty-sixth round (part B): rule families", () => {
  const families: Family[] = [
    {
      rule: "cuda_oom_caught_tile_hint",
      real: [
        ["crash-corpus heldout real-esrgan-272, https://github.com/xinntao/Real-ESRGAN/issues/272", TILE_HINT],
        ["crash-corpus fresh19 zzzf-real-esrgan-861, https://github.com/xinntao/Real-ESRGAN/issues/861", TILE_HINT],
      ],
      nearMiss: [
        // The scripts' own source (inference_realesrgan.py and its forks, find_string): code, no hint that an error was
        // caught; the generic rule reads its words as before this round.
        ["            print('If you encounter CUDA out of memory, try to set --tile with a smaller number.')", "cuda_oom_generic"],
        ["                'If you encounter CUDA out of memory, try to set --tile with a smaller number.')", "cuda_oom_generic"],
        ["                \"If you encounter CUDA out of memory, try to set --tile with a smaller number.\"", "cuda_oom_generic"],
        // Other advice that names the error is no hint of a caught one: the error's own words still count.
        ["If you encounter CUDA out of memory, lower the batch size.", "cuda_oom_generic"],
      ],
    },
    {
      rule: "cuda_oom_generic",
      real: [
        ["crash-corpus fresh19 zzzf-comfyui-supir-102, https://github.com/kijai/ComfyUI-SUPIR/issues/102", "Allocation on device 0 would exceed allowed memory. (out of memory)"],
        ["https://github.com/EvilBT/ComfyUI_SLK_joy_caption_two/issues/28 (search)", "Allocation on device 0 would exceed allowed memory. (out of memory)"],
        ["https://github.com/continue-revolution/sd-webui-animatediff/issues/320 (search), the block on one line", "OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory) Currently allocated : 12.20 GiB Requested : 1.88 GiB Device limit : 16.00 GiB Free (according to CUDA): 0 bytes PyTorch limit (set by user-supplied memory fraction) : 17179869184.00 GiB"],
        ["https://github.com/AIFSH/ComfyUI-ChatTTS/issues/9 (search)", "torch.cuda.OutOfMemoryError: Allocation on device 0 would exceed allowed memory. (out of memory)"],
        // Constructed from the allocator's format (c10/cuda/CUDAMallocAsyncAllocator.cpp, find_string) on another device.
        ["constructed", "Allocation on device 3 would exceed allowed memory. (out of memory)"],
      ],
      nearMiss: [
        // The other lines of the same message, alone: figures, no error.
        ["Currently allocated : 23.05 GiB", null],
        ["Device limit : 23.99 GiB", null],
        ["Free (according to CUDA): 0 bytes", null],
        ["PyTorch limit (set by user-supplied memory fraction)", null],
        ["Allocation on device 0 succeeded", null],
      ],
    },
    {
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus fresh19 zzzg-crnn-pytorch-7, https://github.com/GitYCC/crnn-pytorch/issues/7", "train_batch_loss[ 10 ]:  nan"],
        // Constructed from forks' prints (find_string): an f-string without the spaces, another key, inf.
        ["constructed, print(f'train_batch_loss[{i}]: {loss / train_size}')", "train_batch_loss[10]: nan"],
        ["constructed, print('current_train_batch_loss[', i, ']: ', loss / train_size)", "current_train_batch_loss[ 500 ]:  nan"],
        ["constructed", "train_batch_loss[ 10 ]:  inf"],
      ],
      nearMiss: [
        ["train_batch_loss[ 10 ]:  0.6931471805599453", null],
        ["best_loss[ 3 ]: nan", null],
        ["loss_scale[ 10 ]: inf", null],
        // The forks' code (find_string).
        ["                print('train_batch_loss[', i, ']: ', loss / train_size)", null],
        ["                train_batch_loss[-1] = min(10 * train_batch_loss[0], train_batch_loss[-1])", null],
      ],
    },
    {
      rule: "timeout_device_data_queue",
      real: [
        ["crash-corpus fresh19 zzzg-mindaudio-163, https://github.com/mindspore-lab/mindaudio/issues/163", "RuntimeError: For 'GetNext', get data timeout. Queue name: e008c6e6-0088-11ee-974c-3cecefb225f0"],
        ["a repository's notes on a MindSpore ImageNet training (find_string)", "RuntimeError: For 'GetNext', get data timeout. Queue name: 4c8d0410-8075-11ed-ac18-0242ac110006"],
        // Constructed from MindSpore's older dataset_iterator_kernel.cc (find_string): the message without the queue's name.
        ["constructed", "RuntimeError: For 'GetNext', get data timeout"],
        ["CANN's troubleshooting guide, getnext operator time-out (search, docs)", "E30008: AI CPU operator execution time out."],
      ],
      nearMiss: [
        // MindSpore's own INFO line while it still waits, and its error for a queue that failed otherwise.
        ["[INFO] KERNEL(1234,7f00,python):2023-06-01-10:00:00.000.000 [dataset_iterator_kernel.cc:120] ReadDevice] Waiting for data...(3 / 10)", null],
        ["For 'GetNext', get data failed, errcode 2, queue name: e008c6e6-0088-11ee-974c-3cecefb225f0", null],
        // Other programs' words (find_string): a game bot's OCR wait, a socket client.
        ["2023-06-01 10:00:00.000 | WARNING | Get data timeout", null],
        ["get data timeout", null],
      ],
    },
    {
      rule: "import_numpy_abi",
      real: [
        ["crash-corpus fresh19 zzzh-mmpose-1918, https://github.com/open-mmlab/mmpose/issues/1918", "ValueError: numpy.ndarray size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 from PyObject"],
        ["a repository's notes on fastStructure (find_string)", "ValueError: numpy.ufunc has the wrong size, try recompiling. Expected 192, got 216"],
        ["LightPipes' install notes (find_string)", "        ValueError: numpy.dtype has the wrong size, try recompiling. Expected 88, got 96"],
        ["a repository's docker notes on PDSim and CoolProp (find_string)", "ValueError: CoolProp.CoolProp.State has the wrong size, try recompiling. Expected 88, got 136"],
        ["OpenVINO's model optimizer output in a repository (find_string)", "Details on module importing failure: numpy.ufunc has the wrong size, try recompiling. Expected 192, got 216"],
        // Constructed: the same check on numpy.dtype, the pattern's form before this round.
        ["constructed", "ValueError: numpy.dtype size changed, may indicate binary incompatibility. Expected 96 from C header, got 88 from PyObject"],
      ],
      nearMiss: [
        // The same check as a warning (Cython warns when the type grew compatibly; numpy filters it): no failure.
        ["/usr/lib/python3/dist-packages/scipy/sparse/lil.py:19: RuntimeWarning: numpy.ufunc size changed, may indicate binary incompatibility. Expected 192 from C header, got 216 from PyObject", null],
        ["the ndarray size changed after the resize", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-sixth round (part B): whole entries", () => {
  const entries: [string, string | null, string | null][] = [
    ["none/zzzf-real-esrgan-861-anime6b-oom-caught-next-image-healthy.log", null, null],
    // The same hint after a host allocation failure: the hint recovers only GPU out-of-memory lines.
    ["host_oom/real-esrgan-272-cpuallocator.log", "host_oom", "host_oom_cpu_allocator"],
    ["cuda_oom/zzzf-comfyui-supir-102-4x-upscale-allocation-exceeds-device-limit.log", "cuda_oom", "cuda_oom_generic"],
    ["nan_loss/zzzg-crnn-pytorch-7-train-cpu-batch-loss-nan-from-start.log", "nan_loss", "nan_loss_metric"],
    ["nan_loss/zzzg-paddleclas-2457-amp-found-inf-nan-scale-halving-every-step.log", "nan_loss", "nan_loss_scale_collapse_at_end"],
    ["timeout/zzzg-mindaudio-163-deepspeech2-train-getnext-get-data-timeout.log", "timeout", "timeout_device_data_queue"],
    ["import_error/zzzh-mmpose-1918-tutorial-xtcocotools-numpy-abi-mismatch.log", "import_error", "import_numpy_abi"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category ?? "no crash"}`, async () => {
      const got = await primaryOf(file.split("/")[1]!, corpus(file));
      assert.deepEqual(got, category ? { category, ruleId } : null);
    });
  }
});

describe("twenty-sixth round (part B): an out-of-memory error Real-ESRGAN caught", () => {
  // Real-ESRGAN#437's output (https://github.com/xinntao/Real-ESRGAN/issues/437): the error line without the hint.
  const oom = "Error CUDA out of memory. Tried to allocate 4.00 GiB (GPU 0; 16.00 GiB total capacity; 10.29 GiB already allocated; 0 bytes free; 13.32 GiB reserved in total by PyTorch)";

  test("the error and the hint, whether the next image follows or the log ends: no crash", async () => {
    assert.equal(await primaryOf("caught-next.log", `Testing 0 02\n${oom}\n${TILE_HINT}\nTesting 1 03\n`), null);
    assert.equal(await primaryOf("caught-end.log", `Testing 0 02\n${oom}\n${TILE_HINT}\n`), null);
  });

  test("the error without the hint is the out-of-memory error", async () => {
    assert.deepEqual(await primaryOf("uncaught.log", `Testing 0 02\n${oom}\n`), { category: "cuda_oom", ruleId: "cuda_oom_alloc" });
  });

  test("a fork that prints the hint and raises the error again: the traceback after it is the out-of-memory error", async () => {
    // Constructed after a fork's code (find_string: `print('If you encounter ...')` then `raise error`).
    const raised = [
      "Testing 0 02",
      oom,
      TILE_HINT,
      "Traceback (most recent call last):",
      '  File "inference_realesrgan.py", line 166, in <module>',
      "    main()",
      '  File "inference_realesrgan.py", line 145, in main',
      "    raise error",
      `RuntimeError: ${oom.slice("Error ".length)}`,
    ];
    assert.equal((await primaryOf("raised.log", `${raised.join("\n")}\n`))?.category, "cuda_oom");
  });

  test("an out-of-memory error further above than the hint reaches stays the failure", async () => {
    const far = ["Testing 0 02", oom, ...Array.from({ length: 12 }, (_, i) => `	Tile ${i + 1}/12`), TILE_HINT];
    assert.equal((await primaryOf("far.log", `${far.join("\n")}\n`))?.category, "cuda_oom");
  });
});

describe("twenty-sixth round (part B): a loss printed with its step in brackets that recovers", () => {
  test("one NaN batch loss, then finite ones of the same key: no crash; NaN to the end: nan_loss", async () => {
    const head = "device: cpu\nepoch: 1\n";
    const recovered = `${head}train_batch_loss[ 10 ]:  nan\ntrain_batch_loss[ 20 ]:  0.5213\ntrain_batch_loss[ 30 ]:  0.4978\n`;
    assert.equal(await primaryOf("crnn-recovered.log", recovered), null);
    const stays = `${head}train_batch_loss[ 10 ]:  0.5213\ntrain_batch_loss[ 20 ]:  nan\ntrain_batch_loss[ 30 ]:  nan\n`;
    assert.equal((await primaryOf("crnn-stays.log", stays))?.category, "nan_loss");
  });
});

describe("twenty-sixth round (part B): Paddle's loss scaler at the log's end", () => {
  // Paddle's GradScaler._update: print('Found inf or nan, current scale is: {}, decrease to: {}*{}'.format(...)).
  const decrease = (scale: number) => `Found inf or nan, current scale is: ${scale}, decrease to: ${scale}*0.5`;
  const decreases = (from: number, n: number) => Array.from({ length: n }, (_, i) => decrease(from / 2 ** i));
  const train = "[2022/11/08 14:54:54] ppcls INFO: [Train][Epoch 1/800][Iter: 10/366]lr(LinearWarmup): 0.05000000, CELoss: 11.76099, loss: 12.44099, batch_cost: 0.54552s";

  test("ten decreases in a row at the end: nan_loss; nine, or ten then a training record: none", async () => {
    assert.deepEqual(await primaryOf("paddle-10.log", `${[train, ...decreases(65536, 10)].join("\n")}\n`), { category: "nan_loss", ruleId: "nan_loss_scale_collapse_at_end" });
    assert.equal(await primaryOf("paddle-9.log", `${[train, ...decreases(65536, 9)].join("\n")}\n`), null);
    assert.equal(await primaryOf("paddle-10-then-train.log", `${[train, ...decreases(65536, 10), train].join("\n")}\n`), null);
  });

  test("a healthy start's search (three decreases, then steps) and decreases that do not follow each other: none", async () => {
    assert.equal(await primaryOf("paddle-start.log", `${[...decreases(65536, 3), train, train].join("\n")}\n`), null);
    // Ten notices, but the scale went up between the fifth and the sixth (steps that succeeded in between).
    const broken = [...decreases(65536, 5), ...decreases(65536, 5)];
    assert.equal(await primaryOf("paddle-raised.log", `${[train, ...broken].join("\n")}\n`), null);
  });

  test("another decrease ratio, and each rank's copy of the same decrease counted once", async () => {
    const ratio = (scale: number) => `Found inf or nan, current scale is: ${scale}, decrease to: ${scale}*0.8`;
    const tenAtPointEight = Array.from({ length: 10 }, (_, i) => ratio(1024 * 0.8 ** i));
    assert.equal((await primaryOf("paddle-0.8.log", `${[train, ...tenAtPointEight].join("\n")}\n`))?.category, "nan_loss");
    const twoRanks = decreases(65536, 9).flatMap((l) => [l, l]);
    assert.equal(await primaryOf("paddle-ranks-9.log", `${[train, ...twoRanks].join("\n")}\n`), null);
  });
});
