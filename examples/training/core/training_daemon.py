#!/usr/bin/env python3
"""Example training daemon for the trainsafe demo BASE_DIR.

A stand-in for a real trainer (no torch needed): it writes its PID to .daemon.pid, then advances
`current_step` in status/training_status.json once per --step-seconds, the way a real daemon reports
progress. trainsafe watches exactly these files, so `trainsafe watchdog --base-dir examples/training`
can supervise it for real.
"""
import argparse
import json
import os
import sys
import time

BASE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_status(step: int, total: int, phase: str) -> None:
    path = os.path.join(BASE, "status", "training_status.json")
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"current_step": step, "total_steps": total, "phase": phase,
                   "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}, f)
    os.replace(tmp, path)  # readers never see half a file


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--step-seconds", type=float, default=1.0)
    ap.add_argument("--total-steps", type=int, default=5000)
    args = ap.parse_args()
    with open(os.path.join(BASE, ".daemon.pid"), "w") as f:
        f.write(str(os.getpid()))
    step = 0
    try:
        with open(os.path.join(BASE, "status", "training_status.json")) as f:
            step = int(json.load(f).get("current_step", 0))
    except (OSError, ValueError):
        pass
    print(f"[daemon] starting at step {step}", flush=True)
    while step < args.total_steps:
        time.sleep(args.step_seconds)
        step += 1
        write_status(step, args.total_steps, "training")
    print("[daemon] training complete", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
