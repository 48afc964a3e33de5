/**
 * Crash diagnosis however much of a log was pasted (docs/crash-accuracy.md, "Excerpt cuts (twentieth round)", items
 * 400-): studied corpus entries cut the way users cut them (the last N lines, the whole log without its last lines, the
 * part from the error on) must read the entry's category, and healthy cuts must stay no crash. Every text here is a real
 * cut of a studied entry (tune, heldout, fresh6-12), made by line; the constructed near misses say so.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-excerpt-cuts-");

/** The entry's lines (a final newline ends the last one, it does not start another). */
function linesOf(file: string): string[] {
  const lines = corpus(file).split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

/** The last n lines of a corpus entry, as a user pastes the end of a log. */
function lastLines(file: string, n: number): string {
  return `${linesOf(file).slice(-n).join("\n")}\n`;
}

async function categoryOf(name: string, text: string): Promise<string> {
  return (await primaryOf(name, text))?.category ?? "none";
}

describe("excerpt cuts: a traceback pasted from its middle, its head and first frame's File line cut off", () => {
  // The cut starts on the code line of a frame whose `File` line is above the cut: the frames below it are still the
  // traceback's (torch.load's and pickle's), which name the unreadable checkpoint.
  const cases: [string, number, string][] = [
    ["checkpoint_corrupt/vits-simple-api-35-load-checkpoint-ran-out-of-input.log", 10, "checkpoint_corrupt"],
    ["checkpoint_corrupt/zh-changevit-6-eoferror-pretrained-encoder.log", 10, "checkpoint_corrupt"],
    ["checkpoint_corrupt/zx-ray-58179-tuner-restore-pickle-eof.log", 10, "checkpoint_corrupt"],
  ];
  for (const [file, n, want] of cases) {
    test(`${file}, last ${n} lines: ${want}`, async () => {
      const text = lastLines(file, n);
      assert.match(text, /^ {4}\S/, "the cut starts on a code line");
      assert.equal(await categoryOf("cut.log", text), want);
      assert.equal(await categoryOf("whole.log", corpus(file)), want, "the whole entry reads the same");
    });
  }

  test("near miss: a code line after another frame's File line is that frame's, not a new traceback's start", async () => {
    // The whole entry: its frames are one traceback under its head; a frame's code line before the next frame must not
    // start a second, headless one (the reading stays the entry's).
    const file = "checkpoint_corrupt/vits-simple-api-35-load-checkpoint-ran-out-of-input.log";
    assert.equal(await categoryOf("whole.log", corpus(file)), "checkpoint_corrupt");
  });

  test("near miss: a healthy log's cut that is only frames (a thread's traceback the run went past) stays none", async () => {
    // fresh9 zi-wandb-1526: W&B's file-stream thread printed a traceback and the run went on; the last 3 lines start on
    // a code line and end inside the frames, with no exception line: no failure is named.
    const file = "none/zi-wandb-1526-readtimeout-retry-run-continues.log";
    const text = lastLines(file, 3);
    assert.match(text, /^ {4}\S[^]*\n {2}File "[^"]+", line \d+, in _send\n {4}self\._handle_response\($/m);
    assert.equal(await categoryOf("cut.log", text), "none");
    assert.equal(await categoryOf("whole.log", corpus(file)), "none");
  });
});

describe("excerpt cuts: the exception line alone, without a message", () => {
  // `assert cond` without a message prints `AssertionError` as the traceback's last line; pasted alone it is still the
  // failure that ended the run.
  const cases: [string, string][] = [
    ["python_exception/resshift-71-assert-configs-resume.log", "AssertionError"],
    ["python_exception/yolox-67-loguru-launch-assertion-dataloader.log", "AssertionError"],
    ["python_exception/zh-gpt-sovits-642-s2-train-assertionerror-path2.log", "AssertionError"],
  ];
  for (const [file, line] of cases) {
    test(`${file}, last line: python_exception`, async () => {
      const text = lastLines(file, 1);
      assert.equal(text.trim(), line);
      assert.equal(await categoryOf("cut.log", text), "python_exception");
    });
  }

  test("near misses: the type alone with the run going on after it, or in prose, is no failure", async () => {
    // Constructed from resshift-71's last line: output after it (the run went on, or it was something else's print).
    const line = lastLines("python_exception/resshift-71-assert-configs-resume.log", 1);
    assert.equal(await categoryOf("then-progress.log", `${line}Epoch 2: loss 0.4213\n`), "none");
    assert.equal(await categoryOf("prose.log", "The check raises AssertionError\n"), "none");
    assert.equal(await categoryOf("lowercase.log", "assertionerror\n"), "none");
    // A type and colon with nothing after them stay what they were (a heading's form; the eighteenth round's near miss),
    // also as zh-isaaclab-1254's last line.
    const isaac = lastLines("python_exception/zh-isaaclab-1254-rl-games-assertionerror-no-description.log", 1);
    assert.equal(isaac.trim(), "AssertionError:");
    assert.equal(await categoryOf("colon.log", isaac), "none");
    // A type that names no error (StopIteration, queue.Empty) is not read by its name alone.
    assert.equal(await categoryOf("stop.log", lastLines("python_exception/rl-vo-2-ppo-svo-wrapper-dataloader-stopiteration.log", 1)), "none");
  });
});

describe("excerpt cuts: healthy logs cut after their `Exception ignored in` line", () => {
  // The run finished; at exit a DataLoader iterator's finalizer failed. Cut below the `Exception ignored in:` line, the
  // frames still show it: a `__del__` frame, or the DataLoader's worker shutdown failing with Python's message that the
  // interpreter is shutting down.
  const cases: [string, number, string][] = [
    ["none/yolov5-8406-end-of-training-exception-ignored-del.log", 3, "__del__"],
    ["none/pytorch-6461-cifar10-tutorial-exit-exception-ignored.log", 3, "_shutdown_workers"],
  ];
  for (const [file, n, shows] of cases) {
    test(`${file}, last ${n} lines: none`, async () => {
      const text = lastLines(file, n);
      assert.ok(text.includes(shows), `the cut shows ${shows}`);
      assert.doesNotMatch(text, /Exception ignored|Traceback/, "the cut lost the header");
      assert.equal(await categoryOf("cut.log", text), "none");
    });
  }

  test("a finalizer's exception, then the shell's report that the job segfaulted: segfault", async () => {
    // The entry starts inside the finalizer's traceback (its `Exception ignored in` line above the excerpt); the shell's
    // `line 17: 141585 Segmentation fault (core dumped)` ends the exception's message, so it is not demoted with it.
    const file = "segfault/habitat-lab-311-ppo-pointnav-slurm-segfault.log";
    assert.match(corpus(file), /^ {2}File "[^"]+", line \d+, in __del__$/m);
    assert.equal(await categoryOf("whole.log", corpus(file)), "segfault");
  });

  test("near miss: the shutdown message raised through other frames is the program's error", async () => {
    // Constructed from pytorch-6461's cut: the DataLoader's shutdown frame renamed.
    const text = lastLines("none/pytorch-6461-cifar10-tutorial-exit-exception-ignored.log", 3).replace(", in _shutdown_workers", ", in post");
    assert.notEqual(await categoryOf("other-frames.log", text), "none");
  });

  test("near miss: the same exception from an ordinary frame is a crash", async () => {
    // Constructed from yolov5-8406's cut: the finalizer frame renamed, the exception now ended the run.
    const text = lastLines("none/yolov5-8406-end-of-training-exception-ignored-del.log", 3).replace(", in __del__", ", in train");
    assert.equal(await categoryOf("ordinary.log", text), "python_exception");
  });
});
