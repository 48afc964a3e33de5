/**
 * Twenty-fifth rules round (issue 10), part A, on the studied fresh17: from its misses, the readings that hold for
 * logs not seen (docs/crash-accuracy.md, "Twenty-fifth round, on the studied fresh16 and fresh17", items 655-).
 * - zsh's job report (`[1]    59236 illegal hardware instruction  python train_model.py`) with zsh's other names of the
 *   signals of a native crash, and its `abort` (SIGABRT, the consequence rule like `zsh: abort`).
 * - Older HDF5's capitalised `Unable to open file (File signature not found)`.
 * - Theano's, Aesara's and PyTensor's node report after an exception line (`Apply node that caused the error: ...`,
 *   `Backtrace when the node is created(...):` and the frames that built the node, `HINT: ...`): the message of that
 *   exception, not a traceback of its own.
 * - A log that ends in glog's CHECK message whose record head the paste lost (`Check failed: ... File not found: x`),
 *   its stack, and bash's job report with macOS's `Abort trap: 6`; a missing path in such an error block is the
 *   failure, not the abort after it. darknet's `Couldn't open file: <path>` (file_error, which exits) at a log's end.
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fifth-round-a-");

describe("twenty-fifth round (part A): rule families", () => {
  const families: Family[] = [
    {
      rule: "segfault_shell",
      real: [
        ["crash-corpus zzy predict-lottery-33, https://github.com/zepen/predict_Lottery_ticket/issues/33", "[1]    59236 illegal hardware instruction  python train_model.py"],
        ["a repository's notes on importing tesserocr (find_string)", "[1]    5249 illegal hardware instruction  python3"],
        ["a repository's README on TensorFlow on Apple M1 (find_string)", "[1]    69853 illegal hardware instruction  python"],
        // Constructed: zsh's name of SIGFPE in the same report (no log with it found).
        ["constructed", "[1]  + 4242 floating point exception  python train.py"],
      ],
      nearMiss: [
        // zsh's reports of a job that ended or stopped without a native crash.
        ["[1]  + 2682 done       python train.py", null],
        ["[1]    2682 exit 1     python train.py", null],
        ["[1]  + 2682 suspended  python train.py", null],
        ["[1]  + 2682 interrupt  python train.py", null],
        ["[2]  - 2683 running    python train.py", null],
        ["[1] 2682", null],
        ["[1]    2682 killed     python train.py", "killed_shell_report"],
        ["Illegal hardware instruction detection is on", null],
      ],
    },
    {
      rule: "segfault_abort_exit",
      real: [
        ["a repository's example, a Rust panic under Python (find_string)", "[1]    1411 abort      python examples/order_book_snapshot.py"],
        ["a blog note on Qt's cocoa plugin and cv2.imread (find_string)", "[1]    2682 abort      python"],
      ],
      nearMiss: [
        ["[1] abort the run when the loss is nan", null],
        ["[1]  + 2682 done       python abort.py", null],
      ],
    },
    {
      rule: "ckpt_bad_format",
      real: [
        ["crash-corpus zzz cnngesturerecognizer-22, https://github.com/asingh33/CNNGestureRecognizer/issues/22 (h5py 2.7 on Windows)", "OSError: Unable to open file (File signature not found)"],
        ["crash-corpus zm-doctr-962", "OSError: Unable to open file (file signature not found)"],
      ],
      nearMiss: [
        // A path that is not there, and HDF5's file lock: no corrupt file.
        ["OSError: Unable to open file (unable to open file: name = 'weights.h5', errno = 2, error message = 'No such file or directory', flags = 0, o_flags = 0)", null],
        ["OSError: Unable to open file (file locking flag values don't match)", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fifth round (part A): whole entries", () => {
  const entries: [string, string, string][] = [
    ["segfault/zzy-predict-lottery-33-m1-train-model-illegal-hardware-instruction.log", "segfault", "segfault_shell"],
    ["checkpoint_corrupt/zzz-cnngesturerecognizer-22-ori-4015imgs-weights-hdf5-file-signature.log", "checkpoint_corrupt", "ckpt_bad_format"],
    ["host_oom/zzza-personality-detection-36-theano-conv-net-train-memoryerror.log", "host_oom", "python_traceback"],
    ["python_exception/zzza-alexeyab-darknet-3458-saving-weights-couldnt-open-backup-file.log", "python_exception", "final_error_line"],
    ["python_exception/zzza-caffe-speech-recognition-7-restore-solverstate-file-not-found.log", "python_exception", "final_error_line"],
    // Theano's node report under a MemoryError with its message, and under a GPU allocation failure: unchanged.
    ["host_oom/zk-rcnn-5-theano-lm-softmax-failed-to-alloc-sm-output.log", "host_oom", "host_oom_memory_error"],
    ["cuda_oom/zk-kaggle-ndsb-3-theano-convnet-device-memory-error.log", "cuda_oom", "cuda_oom_other_runtimes"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});

describe("twenty-fifth round (part A): Theano's node report is the exception's message", () => {
  const text = corpus("host_oom/zzza-personality-detection-36-theano-conv-net-train-memoryerror.log");
  const head = "Backtrace when the node is created(use Theano flag traceback.limit=N to make it longer):";

  test("Aesara's, PyTensor's and old Theano's words for the creation stack read the same", async () => {
    for (const other of [
      "Backtrace when the node is created(use Theano flag traceback__limit=N to make it longer):",
      "Backtrace when the node is created (use Aesara flag traceback__limit=N to make it longer):",
      "Backtrace when the node is created (use PyTensor flag traceback__limit=N to make it longer):",
      "Backtrace when the node is created:",
    ]) {
      assert.equal((await primaryOf("theano-head.log", text.replace(head, other)))?.category, "host_oom", other);
    }
  });

  test("an exception Theano raised with its node report reads by its own type", async () => {
    const valueError = text.replace("MemoryError: ", "ValueError: Input dimension mis-match. (input[0].shape[1] = 5, input[1].shape[1] = 3)");
    assert.deepEqual(await primaryOf("theano-value.log", valueError), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("frames after a line of another kind still start a traceback without its head", async () => {
    // The same frames after other words are a traceback cut above its frames, and its last line its exception.
    const cut = text.replace(head, "Some other output:").replace("HINT: Use the Theano flag", "RuntimeError: Use the Theano flag");
    assert.equal((await primaryOf("theano-cut.log", cut))?.category, "python_exception");
  });
});

describe("twenty-fifth round (part A): an error block at a log's end", () => {
  const caffe = corpus("python_exception/zzza-caffe-speech-recognition-7-restore-solverstate-file-not-found.log").trimEnd().split("\n");
  const [check, ...rest] = caffe;
  const stack = rest.slice(0, -1);
  const trap = rest.at(-1)!;

  test("glog's FATAL record with its head, then the abort: the missing file, whichever abort", async () => {
    const headed = `F1206 10:00:00.000000  1760 io.cpp:54] ${check}`;
    for (const abort of [trap, "Aborted (core dumped)", "./train.sh: line 1:  1760 Aborted (core dumped) ../../caffe/build/tools/caffe train"]) {
      assert.deepEqual(await primaryOf("caffe-headed.log", `${[headed, ...stack, abort].join("\n")}\n`), { category: "python_exception", ruleId: "final_error_line" }, abort);
    }
  });

  test("a headless CHECK that names no cause, then bash's Abort trap: the abort (segfault)", async () => {
    const other = "Check failed: numDevices > 0 [EGL] No devices detected";
    assert.deepEqual(await primaryOf("check-abort.log", `${[other, ...stack, trap].join("\n")}\n`), { category: "segfault", ruleId: "final_error_line" });
    // bash's job report alone.
    assert.deepEqual(await primaryOf("trap-alone.log", `python train.py\n${trap}\n`), { category: "segfault", ruleId: "final_error_line" });
  });

  test("a headless CHECK of a CUDA status reads by its words, also after a missing path", async () => {
    const cuda = "Check failed: error == cudaSuccess (77 vs. 0)  an illegal memory access was encountered";
    assert.equal((await primaryOf("check-cuda.log", `${[cuda, ...stack, trap].join("\n")}\n`))?.category, "cuda_error");
    // A missing path overrides only the abort after it: a cause another line of the block names is that cause.
    const missing = "Error: file data/train.lst not found";
    assert.equal((await primaryOf("path-then-cuda.log", `${[missing, cuda, ...stack, trap].join("\n")}\n`))?.category, "cuda_error");
  });

  test("a CHECK's words or darknet's file_error with the run going on after them are no crash", async () => {
    const iteration = "I1206 10:00:05.000000  1760 solver.cpp:228] Iteration 100, loss = 0.6931";
    assert.equal(await primaryOf("check-then-iter.log", `${check}\n${iteration}\n`), null);
    const darknet = corpus("python_exception/zzza-alexeyab-darknet-3458-saving-weights-couldnt-open-backup-file.log").trimEnd();
    const progress = " 101: 2.146791, 2.301423 avg loss, 0.001000 rate, 3.254114 seconds, 6464 images";
    assert.equal(await primaryOf("darknet-goes-on.log", `${darknet}\n${progress}\n`), null);
  });

  test("other words for a file that cannot be opened are not darknet's file_error", async () => {
    assert.equal(await primaryOf("other-open.log", "Loading shaders\nResourceManager: couldn't open file: basic.vert\n"), null);
  });
});
