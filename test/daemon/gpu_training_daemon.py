#!/usr/bin/env python3
"""GPU stand-in for core/training_daemon.py, for the manual GPU check (gpu_check.ts); needs PyTorch
and CuPy with a CUDA GPU. Not part of `npm test`.

Trains on the GPU (bf16 matrix products) and writes status/training_status.json atomically at every
step, like a trainer's progress callback. Behaviour from `--behaviour JSON`, overridden by
BASE_DIR/daemon_control.json re-read at every step:
  oomAtStep   at this step allocate far more than the GPU holds: a real torch.OutOfMemoryError
              traceback on stderr, exit 1
  hangAtStep  at this step launch a CUDA kernel that spins forever and wait for it: the GPU at 100%
              and no step progress, like a collective waiting for a dead rank
  stepS       pause between steps (default 0.05)
"""
import json
import os
import sys
import time

import torch

behaviour = json.loads(sys.argv[sys.argv.index("--behaviour") + 1]) if "--behaviour" in sys.argv else {}


def current():
    try:
        with open("daemon_control.json") as f:
            return {**behaviour, **json.load(f)}
    except (OSError, ValueError):
        return behaviour


def write_status(step, phase):
    os.makedirs("status", exist_ok=True)
    tmp = f"status/.training_status.{os.getpid()}.tmp"
    with open(tmp, "w") as f:
        json.dump({"current_step": step, "phase": phase, "updated_at": time.time()}, f)
    os.replace(tmp, "status/training_status.json")


def spin_forever():
    import cupy

    kernel = cupy.RawKernel(
        r"""extern "C" __global__ void spin(volatile int* flag) { while (flag[0] == 0) { } }""",
        "spin",
    )
    flag = cupy.zeros(1, dtype=cupy.int32)
    kernel((132,), (128,), (flag,))
    cupy.cuda.Device().synchronize()


x = torch.randn(4096, 4096, device="cuda", dtype=torch.bfloat16)
step = 0
write_status(step, "training")
print(f"gpu_training_daemon {os.getpid()}: started with {json.dumps(behaviour)}", flush=True)
while True:
    b = current()
    if b.get("oomAtStep") is not None and step >= b["oomAtStep"]:
        torch.empty(10**15, dtype=torch.uint8, device="cuda")
    if b.get("hangAtStep") is not None and step >= b["hangAtStep"]:
        print(f"gpu_training_daemon {os.getpid()}: hanging in a GPU kernel at step {step}", flush=True)
        spin_forever()
    for _ in range(20):
        y = x @ x
    torch.cuda.synchronize()
    step += 1
    write_status(step, "training")
    time.sleep(b.get("stepS", 0.05))
