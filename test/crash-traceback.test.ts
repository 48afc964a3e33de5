/**
 * Never "no crash" for a crashed process: real tracebacks (test/fixtures/tracebacks, recorded by
 * generate.py from real Python/torch/numpy/torchrun processes) always give a finding; the parser
 * reads chains, rank prefixes, torchrun's root cause, C++ terminate and pasted forms.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { scanFiles } from "../agent/crash/scanner.js";
import { innermostUserFrame, parseFailure, parseLog, parseStats } from "../agent/crash/traceback.js";
import { loadSettings } from "../agent/config/settings.js";
import { crashModule } from "../agent/watchdog/integrations.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const dir = path.join(here, "fixtures", "tracebacks");
const expected = JSON.parse(fs.readFileSync(path.join(dir, "expected.json"), "utf8")) as { cases: Record<string, { category: string; what: string; exitCode: number }> };
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-tb-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const lines = (name: string) => fs.readFileSync(path.join(dir, `${name}.log`), "utf8").split("\n");

for (const [name, want] of Object.entries(expected.cases)) {
  test(`real traceback ${name}: ${want.category} (${want.what})`, async () => {
    const r = await scanFiles([path.join(dir, `${name}.log`)]);
    if (want.category === "none") {
      // The run ended normally (exit 0); Python printed an exception it ignored.
      assert.equal(want.exitCode, 0);
      assert.equal(r.primary, null, JSON.stringify(r.primary));
      return;
    }
    assert.notEqual(want.exitCode, 0, "the recorded process failed");
    const p = r.primary;
    assert.ok(p, `no finding for ${name}`);
    assert.equal(p.category, want.category, JSON.stringify(p));
    assert.ok(p.ruleId === want.what || p.text.includes(want.what), `${p.ruleId}: ${p.text}`);
    assert.ok(p.finalIncident);
    if (p.ruleId === "python_traceback") {
      // The suggestion names the exception, its message and where in the user's code it was raised.
      assert.match(p.suggestion, new RegExp(`died of ${want.what.replace(/^.*\./, "")}`));
      assert.match(p.suggestion, /Innermost frame of your code: \S+:\d+/);
    }
  });
}

test("at least ten different exception types among the real tracebacks, all found", () => {
  const types = new Set(Object.values(expected.cases).filter((c) => c.category !== "none" && /^[\w.]+$/.test(c.what) && !c.what.includes("_")).map((c) => c.what));
  assert.ok(types.size >= 10, [...types].join(", "));
});

test("chains: the last exception is reported, the first one is named as its cause", () => {
  const direct = parseFailure(lines("chain-direct-cause"))!;
  assert.equal(direct.exception!.type, "DataError");
  assert.equal(direct.exception!.chainKind, "cause");
  assert.equal(direct.exception!.chainedFrom!.type, "FileNotFoundError");
  const during = parseFailure(lines("chain-during-handling"))!;
  assert.equal(during.exception!.type, "AttributeError");
  assert.equal(during.exception!.chainKind, "context");
  assert.equal(during.exception!.chainedFrom!.type, "KeyError");
  assert.ok(during.terminal);
});

test("torchrun: the root-cause rank's exception wins over the other rank's gloo error and the ChildFailedError", async () => {
  const f = parseFailure(lines("torchrun-child-filenotfound"))!;
  assert.equal(f.launcher?.tool, "torchrun");
  assert.equal(f.launcher?.rank, 1);
  assert.equal(f.launcher?.exitCode, 1);
  assert.equal(f.exception!.type, "FileNotFoundError");
  assert.equal(f.exception!.prefix, "[rank1]: ");
  const frame = innermostUserFrame(f.exception!.frames)!;
  assert.match(frame.file, /train\.py$/);
  const r = await scanFiles([path.join(dir, "torchrun-child-filenotfound.log")]);
  assert.equal(r.primary!.category, "python_exception");
  // rank 0's "Connection closed by peer" is found too, as a consequence.
  assert.ok(r.findings.some((x) => x.category === "nccl_error" && x !== r.primary));
});

test("C++ terminate: the type and the what() message", () => {
  const text = fs.readFileSync(path.join(here, "fixtures", "crash", "nccl_error", "sglang-1693-watchdog-terminate-sigabrt.log"), "utf8").split("\n");
  const f = parseFailure(text)!;
  assert.ok(f.exception);
  assert.equal(f.exception.kind, "cpp");
  assert.match(f.exception.type, /DistBackendError/);
  assert.match(f.exception.message, /Watchdog caught collective operation timeout/);
});

test("a traceback the run went on after is not a crash; the same log is one when the daemon exited non-zero", async () => {
  // A caught error followed by training progress (a restart that recovered): not where the run died.
  const file = path.join(tmp, "recovered.log");
  const progress = Array.from({ length: 5 }, (_, i) => `{'loss': ${(1.2 - i / 10).toFixed(2)}, 'learning_rate': 1e-05, 'epoch': ${i + 1}.0}`);
  fs.writeFileSync(file, [...lines("key-error"), ...progress, ""].join("\n"));
  const healthy = await scanFiles([file]);
  assert.equal(healthy.primary, null);
  const failed = await scanFiles([file], { exit: { exitCode: 1, signal: null } });
  assert.equal(failed.primary?.category, "python_exception");
  assert.match(failed.primary!.text, /KeyError: 'labels'/);
  // A clean exit adds nothing.
  const clean = await scanFiles([file], { exit: { exitCode: 0, signal: null } });
  assert.equal(clean.primary, null);
});

test("a rank killed by a signal is not blamed on the Python error another rank printed", async () => {
  const file = path.join(tmp, "killed.log");
  const text = fs.readFileSync(path.join(dir, "torchrun-child-filenotfound.log"), "utf8")
    .replace("exitcode  : 1 (pid: ", "exitcode  : -9 (pid: ")
    .replace("traceback : To enable traceback see: https://pytorch.org/docs/stable/elastic/errors.html", "traceback : Signal 9 (SIGKILL) received by PID 23939");
  fs.writeFileSync(file, text);
  const r = await scanFiles([file]);
  assert.equal(r.primary?.category, "process_killed");
});

test("pasted forms: IPython, markdown quotes and backticks, frames without their Traceback line", () => {
  const ipy = parseFailure([
    "---------------------------------------------------------------------------",
    "ValueError                                Traceback (most recent call last)",
    "<ipython-input-3-1a2b3c> in <module>",
    "----> 1 train(cfg)",
    "",
    "ValueError: batch size must be positive",
  ])!;
  assert.equal(ipy.exception!.type, "ValueError");
  assert.equal(ipy.exception!.message, "batch size must be positive");
  const quoted = parseFailure(lines("index-error").map((l) => (l ? `> ${l}` : l)))!;
  assert.equal(quoted.exception!.type, "IndexError");
  const headless = parseFailure(["`" + lines("key-error")[1]!.trim(), ...lines("key-error").slice(2, -1), "KeyError: 'labels'`"])!;
  assert.equal(headless.exception!.type, "KeyError");
});

test("the watchdog's crash scan: a daemon that exited 1 after a caught-looking traceback still gets its exception", async () => {
  const base = fs.mkdtempSync(path.join(tmp, "base-"));
  const progress = Array.from({ length: 3 }, (_, i) => `step ${i + 10} loss 0.9${i}`);
  fs.writeFileSync(path.join(base, "training_output.log"), [...lines("value-error"), ...progress, ""].join("\n"));
  const settings = await loadSettings({ baseDir: base });
  assert.equal(await crashModule.scan(settings), null, "without the exit status the traceback is history");
  const f = await crashModule.scan(settings, { exitCode: 1, signal: null });
  assert.equal(f?.category, "python_exception");
  assert.match(f!.text!, /ValueError: learning rate must be positive/);
  assert.match(f!.suggestion!, /Innermost frame of your code/);
});

test("frames keep their source line (not Python 3.11's ^^^ markers): a load call that hit end of file is a broken checkpoint", async () => {
  const f = parseFailure(lines("pickle-load-empty"))!;
  assert.equal(f.exception!.type, "EOFError");
  assert.equal(f.exception!.frames.at(-1)!.code, "state = pickle.load(f)");
  assert.equal(f.exception!.frames[0]!.code, "resume(ckpt)");
  // The same EOFError in a spawned worker unpickling what its parent sent is a dead parent, not a file
  // (https://github.com/jfzhang95/pytorch-deeplab-xception/issues/220).
  const file = path.join(tmp, "spawn-eof.log");
  fs.writeFileSync(file, [
    "Traceback (most recent call last):",
    '  File "E:\\ProgramData\\Anaconda3\\envs\\yolov5-master\\lib\\multiprocessing\\spawn.py", line 115, in _main',
    "    self = reduction.pickle.load(from_parent)",
    "EOFError: Ran out of input",
    "",
  ].join("\n"));
  const r = await scanFiles([file]);
  assert.equal(r.primary?.category, "python_exception");
});

test("torch.load's zip reader failing is a broken checkpoint whatever it raised; other torch.load failures are not", async () => {
  // crash-corpus checkpoint_corrupt/mmagic-876-iter-checkpoint-central-directory.log: the message is cut.
  const file = path.join(tmp, "reader.log");
  fs.writeFileSync(file, [
    "load checkpoint from local path: work_dirs/formal_basicvsr_plusplus_360new_cb/iter_90000.pth",
    "Traceback (most recent call last):",
    '  File "tools/test.py", line 99, in main',
    "    _ = load_checkpoint(model, args.checkpoint, map_location='cpu')",
    '  File "D:\\Anaconda3\\envs\\pytorch\\lib\\site-packages\\torch\\serialization.py", line 600, in load',
    "    with _open_zipfile_reader(opened_file) as opened_zipfile:",
    '  File "D:\\Anaconda3\\envs\\pytorch\\lib\\site-packages\\torch\\serialization.py", line 242, in __init__',
    "    super(_open_zipfile_reader, self).__init__(torch._C.PyTorchFileReader(name_or_buffer))",
    "RuntimeError: PytorchStreamReader",
    "",
  ].join("\n"));
  const cut = await scanFiles([file]);
  assert.equal(cut.primary?.category, "checkpoint_corrupt");
  assert.equal(cut.primary?.ruleId, "python_traceback");
  assert.match(cut.primary!.suggestion, /resume verify/);
  // Recorded: torch 2.13 raises OSError from the same constructor for a file cut in half.
  const truncated = await scanFiles([path.join(dir, "torch-load-truncated.log")]);
  assert.equal(truncated.primary?.category, "checkpoint_corrupt");
  // Recorded: a sound file mapped to a device this host lacks fails inside serialization.py too.
  const cpu = await scanFiles([path.join(dir, "torch-load-cuda-on-cpu.log")]);
  assert.equal(cpu.primary?.category, "python_exception");
});

test("docker compose prefixes: a worker's exception behind `name  | ` is still the failure", async () => {
  // crash-corpus python_exception/dask-pytorch-ddp-17-worker-assertionerror.log (two workers, same form).
  const text = [
    "daskcluster-worker-1     | 2022-11-13 17:01:17,386 - distributed.worker - WARNING - Compute Failed",
    "daskcluster-worker-1     | Key:       dispatch_with_ddp-cbbbf432f092a3807b25cc40c48f7660",
    "daskcluster-worker-1     | Function:  dispatch_with_ddp",
    "daskcluster-worker-1     | args:      ()",
    "daskcluster-worker-1     | kwargs:    {'pytorch_function': <function train at 0x7f06b9bba040>, 'master_addr': '172.23.0.4', 'master_port': 12345, 'rank': 1, 'world_size': 2, 'backend': 'nccl'}",
    "daskcluster-worker-1     | Exception: 'AssertionError()'",
    "daskcluster-worker-1     | ",
  ];
  const f = parseFailure(text)!;
  assert.equal(f.exception!.type, "Exception");
  assert.equal(f.exception!.message, "'AssertionError()'");
  // loguru's `date | LEVEL | ...` lines are not a compose prefix (they start with a digit).
  assert.equal(parseFailure(["2023-01-25 00:21:09.074 | INFO     | trainers.base_trainer:train_epochs:256 - [R0] | E5 iter[ 14/ 15] | [Loss] 0.52"]), null);
});

test("a log whose only traceback a probe caught is parsed once: its exceptions come with the report that names no failure", async () => {
  // xformers' availability probe logging the ImportError it caught (fudan-generative-vision/hallo2#46):
  // no failure, yet the scan needs the exception to demote the rule finding on its lines.
  const probe = [
    "A matching Triton is not available, some optimizations will not be enabled",
    "Traceback (most recent call last):",
    '  File "D:\\AI\\Hallo2\\hallo2\\runtime\\lib\\site-packages\\xformers\\__init__.py", line 55, in _is_triton_available',
    "    from xformers.triton.softmax import softmax as triton_softmax  # noqa",
    '  File "D:\\AI\\Hallo2\\hallo2\\runtime\\lib\\site-packages\\xformers\\triton\\softmax.py", line 11, in <module>',
    "    import triton",
    "ModuleNotFoundError: No module named 'triton'",
  ];
  const parsed = parseLog(probe);
  assert.equal(parsed.failure, null);
  assert.deepEqual(parsed.exceptions.map((x) => [x.type, x.caughtBy]), [["ModuleNotFoundError", "_is_triton_available"]]);
  assert.equal(parseFailure(probe), null);
  const file = path.join(tmp, "probe-only.log");
  fs.writeFileSync(file, `${probe.join("\n")}\n`);
  const before = parseStats.exceptionParses;
  const r = await scanFiles([file]);
  // One parse of the kept lines serves the failure and the caught exception (no second parse).
  assert.equal(parseStats.exceptionParses - before, 1);
  assert.equal(r.primary, null);
  const f = r.findings.find((x) => x.ruleId === "import_no_module");
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, "warning");
  // A log with a failure is parsed once too.
  const crash = path.join(tmp, "probe-then-crash.log");
  fs.writeFileSync(crash, `${[...probe, "Traceback (most recent call last):", '  File "run.py", line 3, in <module>', "    import scipy", "ModuleNotFoundError: No module named 'scipy'"].join("\n")}\n`);
  const before2 = parseStats.exceptionParses;
  assert.equal((await scanFiles([crash])).primary?.category, "import_error");
  assert.equal(parseStats.exceptionParses - before2, 1);
});
