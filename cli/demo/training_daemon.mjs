#!/usr/bin/env node
// The pretend trainer of `trainsafe demo`: a stand-in for core/training_daemon.py that a real agent
// supervises as a real process. Plain JavaScript run by node directly (no tsx: it starts in tens of
// milliseconds, like the restarts the demo shows), and shipped with the program, since installs carry
// no test/ folder.
//
//   node training_daemon.mjs --base-dir DIR [--step-ms 100]
//
// It runs in DIR (the agent starts it there), writes status/training_status.json atomically every
// step, logs progress to logs/train.log, and keeps two "dataloader workers" (child processes that exit
// when it does, as PyTorch's do). The demo injects faults through DIR/daemon_control.json, read at
// every step, so the running trainer and every trainer restarted after it obey it:
//   {"fault": "cuda_oom" | "disk_full" | "hang", "afterSteps": 3, "once": true}
// cuda_oom   : a CUDA out-of-memory traceback on stderr, exit 1
// disk_full  : "No space left on device" while saving a checkpoint, exit 1
// hang       : stop advancing and spin on the CPU (a stuck loop), until killed
// once       : remove the control file when the fault fires, so the next trainer runs clean
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
};
const baseDir = path.resolve(arg("--base-dir", "."));
const stepMs = Number(arg("--step-ms", "100")) || 100;
const controlFile = path.join(baseDir, "daemon_control.json");
const statusFile = path.join(baseDir, "status", "training_status.json");
const logFile = path.join(baseDir, "logs", "train.log");

function log(line) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  fs.appendFileSync(logFile, `${new Date().toISOString()} ${line}\n`);
}

function writeStatus(step, phase) {
  fs.mkdirSync(path.dirname(statusFile), { recursive: true });
  const tmp = `${statusFile}.${process.pid}.tmp`;
  const loss = 2.4 / (1 + step / 400) + 0.05 * Math.sin(step);
  fs.writeFileSync(tmp, JSON.stringify({ current_step: step, total_steps: 5000, phase, loss: Number(loss.toFixed(4)), updated_at: new Date().toISOString() }));
  fs.renameSync(tmp, statusFile);
}

function control() {
  try {
    const c = JSON.parse(fs.readFileSync(controlFile, "utf8"));
    return c && typeof c === "object" && typeof c.fault === "string" ? c : null;
  } catch {
    return null;
  }
}

// Where the trainer resumes: the step it reached last time (a real one resumes from its checkpoint).
function resumeStep() {
  try {
    const s = JSON.parse(fs.readFileSync(statusFile, "utf8"));
    return Number.isInteger(s.current_step) && s.current_step >= 0 ? s.current_step : 0;
  } catch {
    return 0;
  }
}

const OOM = `Traceback (most recent call last):
  File "/data/training/core/train.py", line 412, in <module>
    trainer.train(resume_from_checkpoint=resume)
  File "/usr/lib/python3/dist-packages/transformers/trainer.py", line 2123, in train
    return inner_training_loop(
  File "/usr/lib/python3/dist-packages/transformers/trainer.py", line 2481, in _inner_training_loop
    tr_loss_step = self.training_step(model, inputs, num_items_in_batch)
  File "/usr/lib/python3/dist-packages/torch/autograd/graph.py", line 825, in _engine_run_backward
    return Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.12 GiB is free. Including non-PyTorch memory, this process has 78.02 GiB memory in use. Of the allocated memory 74.31 GiB is allocated by PyTorch, and 2.19 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)`;

const diskFull = (step) => `Saving model checkpoint to /shared/checkpoints/current_model/checkpoint-${step}
Traceback (most recent call last):
  File "/data/training/core/train.py", line 412, in <module>
    trainer.train(resume_from_checkpoint=resume)
  File "/usr/lib/python3/dist-packages/transformers/trainer.py", line 3126, in _save_checkpoint
    self._save_optimizer_and_scheduler(output_dir)
  File "/usr/lib/python3/dist-packages/torch/serialization.py", line 967, in save
    _save(obj, opened_zipfile, pickle_module, pickle_protocol, _disable_byteorder_record)
OSError: [Errno 28] No space left on device`;

// Dataloader workers: they sleep, and exit when the trainer's end of their stdin closes (whatever
// killed it), so a crashed trainer leaves no orphans, like PyTorch workers watching their parent.
for (let i = 0; i < 2; i++) {
  const code = "process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));process.stdin.resume();setInterval(()=>{},60000)";
  const w = spawn(process.execPath, ["-e", code, "demo_dataloader_worker", baseDir], { stdio: ["pipe", "ignore", "ignore"] });
  w.on("error", () => {});
  w.stdin.on("error", () => {});
}

let step = resumeStep();
let armedAt = null;
log(`training_daemon ${process.pid}: resuming at step ${step} (2 dataloader workers)`);
writeStatus(step, "training");

function fire(c) {
  if (c.once) fs.rmSync(controlFile, { force: true });
  if (c.fault === "hang") {
    log(`training_daemon ${process.pid}: step ${step}`);
    for (;;);
  }
  const text = c.fault === "disk_full" ? diskFull(step) : OOM;
  log(text);
  process.stderr.write(text + "\n");
  process.exit(1);
}

function tick() {
  const c = control();
  if (c) {
    armedAt ??= step;
    if (step - armedAt >= (Number.isInteger(c.afterSteps) ? c.afterSteps : 3)) fire(c);
  } else {
    armedAt = null;
  }
  step++;
  writeStatus(step, "training");
  if (step % 10 === 0) log(`{'loss': ${(2.4 / (1 + step / 400)).toFixed(4)}, 'learning_rate': 2e-05, 'epoch': ${(step / 5000).toFixed(3)}, 'step': ${step}}`);
  setTimeout(tick, stepMs);
}
setTimeout(tick, stepMs);
