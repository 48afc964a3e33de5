"""A trainer reached through an exec chain: writes HF-like progress, keeps a worker child (like a
DataLoader worker), and on its first run stops making progress after --hang-after steps (a hang).

Arguments: --hang-after N (0: never), --step-s SECONDS. The marker file .hung_once in the working
directory makes later runs healthy, so a restart after the hang does not hang again.
"""
import json
import os
import subprocess
import sys
import time

args = sys.argv[1:]
hang_after = int(args[args.index("--hang-after") + 1]) if "--hang-after" in args else 0
step_s = float(args[args.index("--step-s") + 1]) if "--step-s" in args else 0.05
marker = ".hung_once"
will_hang = hang_after > 0 and not os.path.exists(marker)
if will_hang:
    open(marker, "w").close()

worker = subprocess.Popen([sys.executable, "-c", "import time\nwhile True: time.sleep(1)"])
os.makedirs("status", exist_ok=True)
step = 0
while True:
    if not (will_hang and step >= hang_after):
        step += 1
        tmp = "status/training_status.json.tmp"
        with open(tmp, "w") as f:
            json.dump({"current_step": step, "total_steps": 100000, "status": "training"}, f)
        os.replace(tmp, "status/training_status.json")
        print(f"step {step} pid {os.getpid()} worker {worker.pid}", flush=True)
    time.sleep(step_s)
