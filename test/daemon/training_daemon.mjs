#!/usr/bin/env node
// A stand-in for core/training_daemon.py that tests (and the watchdog benchmark) supervise as a real
// process. It runs in its working directory (BASE_DIR, as the supervisor starts it) and writes
// status/training_status.json atomically every `stepMs`, like a trainer's progress callback.
//
// Behaviour: a JSON object from `--behaviour JSON` (argv) or $TRAINSAFE_TEST_DAEMON, overridden by
// BASE_DIR/daemon_control.json, which is re-read at every step so a test can change what the running
// daemon (and every daemon restarted after it) does. Keys:
//   stepMs          interval between steps (default 50)
//   startStep       first step (default 0)
//   crashAtStep     at this step: write a real CUDA OOM traceback to logs/train.log and stderr, exit 1
//   crashSignal     with crashAtStep: die by this signal instead (e.g. "SIGKILL")
//   crashText       with crashAtStep: write this instead of the CUDA OOM traceback
//   hangAtStep      at this step stop advancing; hangMode: "busy" (spin), "sleep" (idle event loop),
//                   "futex" (block in Atomics.wait, like a deadlocked lock)
//   evalAtStep      at this step enter the eval phase for evalMs, then continue training
//   ignoreSigterm   install a SIGTERM handler that does nothing (children do the same)
//   children        number of child processes to spawn (they sleep; part of the tree to kill)
//   exitAfterMs     exit 0 after this long (a clean finish)
//   once            with crashAtStep / hangAtStep in daemon_control.json: remove the control file first,
//                   so the restarted daemon trains normally (one crash or hang, then health)
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const argIdx = process.argv.indexOf("--behaviour");
const base = {
  stepMs: 50,
  startStep: 0,
  ...(process.env.TRAINSAFE_TEST_DAEMON ? JSON.parse(process.env.TRAINSAFE_TEST_DAEMON) : {}),
  ...(argIdx > 0 ? JSON.parse(process.argv[argIdx + 1]) : {}),
};
const controlFile = path.resolve("daemon_control.json");
const statusFile = path.resolve("status/training_status.json");
const logFile = path.resolve("logs/train.log");

function behaviour() {
  try {
    return { ...base, ...JSON.parse(fs.readFileSync(controlFile, "utf8")) };
  } catch {
    return base;
  }
}

function writeStatus(step, phase) {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  const tmp = `${statusFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ current_step: step, total_steps: 100000, phase, loss: 2 / (1 + step / 100), updated_at: new Date().toISOString() }));
  fs.renameSync(tmp, statusFile);
}

function log(line) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, line + "\n");
}

const OOM_TRACEBACK = `Traceback (most recent call last):
  File "/data/training/core/train.py", line 412, in <module>
    trainer.train(resume_from_checkpoint=resume)
  File "/usr/lib/python3/dist-packages/transformers/trainer.py", line 2123, in train
    return inner_training_loop(
  File "/usr/lib/python3/dist-packages/transformers/trainer.py", line 2481, in _inner_training_loop
    tr_loss_step = self.training_step(model, inputs, num_items_in_batch)
  File "/usr/lib/python3/dist-packages/torch/autograd/graph.py", line 825, in _engine_run_backward
    return Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 78.02 GiB memory in use. Of the allocated memory 74.31 GiB is allocated by PyTorch, and 2.19 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)`;

const initial = behaviour();
if (initial.ignoreSigterm) process.on("SIGTERM", () => log(`training_daemon ${process.pid}: ignoring SIGTERM`));
// Children say "ready" once their SIGTERM handler is installed; the first status write waits for
// them, so a test that saw step 0 knows the whole tree is in place.
const childrenReady = Array.from({ length: initial.children ?? 0 }, () => {
  const code = `${initial.ignoreSigterm ? "process.on('SIGTERM',()=>{});" : ""}setInterval(()=>{},1000);process.stdout.write("ready\\n")`;
  const c = spawn(process.execPath, ["-e", code, "training_daemon_child"], { stdio: ["ignore", "pipe", "ignore"] });
  return new Promise((resolve) => c.stdout.once("data", () => {
    c.stdout.destroy();
    resolve();
  }));
});
await Promise.all(childrenReady);
if (initial.exitAfterMs) setTimeout(() => process.exit(0), initial.exitAfterMs);

log(`training_daemon ${process.pid}: started with ${JSON.stringify(initial)}`);
let step = initial.startStep;
writeStatus(step, "training");

function tick() {
  const b = behaviour();
  const consumeOnce = () => {
    if (b.once) fs.rmSync(controlFile, { force: true });
  };
  if (b.crashAtStep !== undefined && step >= b.crashAtStep) {
    consumeOnce();
    log(b.crashText ?? OOM_TRACEBACK);
    process.stderr.write((b.crashText ?? OOM_TRACEBACK) + "\n");
    if (b.crashSignal) process.kill(process.pid, b.crashSignal);
    process.exit(1);
  }
  if (b.hangAtStep !== undefined && step >= b.hangAtStep) {
    consumeOnce();
    log(`training_daemon ${process.pid}: hanging at step ${step} (${b.hangMode ?? "busy"})`);
    if (b.hangMode === "sleep") {
      setInterval(() => {}, 1000);
      return;
    }
    if (b.hangMode === "futex") Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
    for (;;);
  }
  if (b.evalAtStep !== undefined && step === b.evalAtStep) {
    writeStatus(step, "eval");
    step++;
    setTimeout(() => {
      writeStatus(step, "training");
      setTimeout(tick, b.stepMs);
    }, b.evalMs ?? 1000);
    return;
  }
  step++;
  writeStatus(step, "training");
  setTimeout(tick, b.stepMs);
}
setTimeout(tick, initial.stepMs);
