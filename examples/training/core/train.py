#!/usr/bin/env python3
"""Example trainer entry point of the demo BASE_DIR (a real setup runs its torch/transformers script here).

trainsafe only checks that this file exists; the example daemon (core/training_daemon.py) simulates the
steps so that the demo needs no GPU.
"""
import sys

if __name__ == "__main__":
    print("example trainer: nothing to train here; see core/training_daemon.py", file=sys.stderr)
    sys.exit(0)
