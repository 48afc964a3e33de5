/**
 * Thirteenth rules round, on the studied fresh9 (manifest zi, measured once at 12:15): a thread's uncaught
 * exception cut before its exception line is no failure of the process (fresh9's one false alarm, a W&B
 * uploader thread's traceback while training prints on), and strsignal's name for SIGTERM in PyTorch's
 * DataLoader message, `killed by signal: Terminated` (docs/crash-accuracy.md, "Thirteenth round", items 91-).
 * Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-thirteenth-round-");

describe("thirteenth round: rule families", () => {
  const families: Family[] = [
    {
      // PyTorch's DataLoader names a worker's signal with strsignal(): SIGTERM is "Terminated".
      rule: "killed_sigterm",
      real: [
        ["crash-corpus zi ultralytics-16400, https://github.com/ultralytics/ultralytics/issues/16400", "[rank0]: RuntimeError: DataLoader worker (pid 3349014) is killed by signal: Terminated. "],
        ["https://github.com/open-mmlab/mmsegmentation/issues/2085", "RuntimeError: DataLoader worker (pid 8102) is killed by signal: Terminated."],
        ["https://github.com/pytorch/pytorch/issues/4507 (the error as its title quotes it)", "RuntimeError: DataLoader worker (pid 23616) is killed by signal: Terminated."],
        ["https://github.com/NVlabs/stylegan2-ada-pytorch/issues/71 (the error as its title quotes it)", "RuntimeError: DataLoader worker (pid 111114) is killed by signal: Terminated.???"],
      ],
      nearMiss: [
        ["RuntimeError: DataLoader worker (pid 1817) is killed by signal: Killed. ", "killed_launcher_signal"],
        ["RuntimeError: DataLoader worker (pid 25902) is killed by signal: Segmentation fault", "segfault_dataloader_worker"],
        ["the job was terminated by the signal handler after saving", null],
        ["Terminated", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("thirteenth round: a thread's traceback cut before its exception line", () => {
  const wandb = corpus("none/zi-wandb-1526-readtimeout-retry-run-continues.log");

  test("fresh9 wandb-1526: W&B's uploader thread, cut, while training goes on, is no crash", async () => {
    assert.equal(await primaryOf("wandb-1526.log", wandb), null);
  });

  test("wandb#2100: the same thread's head as the thread shows it, cut at a line boundary, is no crash", async () => {
    // https://github.com/wandb/wandb/issues/2100 (description), its first lines.
    const text = [
      "Exception in thread Thread-5:                                                   ",
      "Traceback (most recent call last):",
      '  File "/home/zixuanhu/anaconda3/envs/softgym/lib/python3.6/threading.py", line 916, in _bootstrap_inner',
      "    self.run()",
      '  File "/home/zixuanhu/anaconda3/envs/softgym/lib/python3.6/threading.py", line 864, in run',
      "    self._target(*self._args, **self._kwargs)",
      '  File "/home/zixuanhu/anaconda3/envs/softgym/lib/python3.6/site-packages/wandb/sdk/internal/file_stream.py", line 255, in _thread_body',
      "    self._send(ready_chunks)",
    ].join("\n");
    assert.equal(await primaryOf("wandb-2100.log", text + "\n"), null);
  });

  test("near miss: the same cut traceback without the thread's head is still the process's failure", async () => {
    const main = wandb.split("\n").filter((l) => !l.startsWith("Exception in thread")).join("\n");
    assert.deepEqual(await primaryOf("main-cut.log", main), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("near miss: a thread's traceback with its exception line is still read", async () => {
    // Constructed: the fresh9 excerpt completed with an exception line, as a finished traceback ends.
    const done = wandb.trimEnd() + "\n    raise ValueError(\"bad response\")\nValueError: bad response\n";
    assert.equal((await primaryOf("thread-done.log", done))?.category, "python_exception");
  });
});

describe("thirteenth round: IPython's head naming one of Ray's dual exception classes", () => {
  // Ray names the class it raises after the cause it wraps: `ray.exceptions.RayTaskError(KeyError): ...` in
  // tune CoPO-14 (https://github.com/decisionforce/CoPO/issues/14), RayTaskError(RayXGBoostTrainingError) in
  // xgboost-ray-97, RayTaskError(AttributeError) in ray-43137; IPython's head prints that name as it is.
  test("fresh9 flower-2758: a cut IPython traceback headed RayTaskError(ClientException) is the run's failure", async () => {
    const text = corpus("python_exception/zi-flower-2758-simulation-crashed-client-exception.log");
    assert.deepEqual(await primaryOf("flower-2758.log", text), { category: "python_exception", ruleId: "python_traceback" });
  });

  test("a finished one ends at its exception line, which names the class (constructed from CoPO-14's line)", async () => {
    const text = [
      "---------------------------------------------------------------------------",
      "RayTaskError(KeyError)                    Traceback (most recent call last)",
      "Cell In[3], line 1",
      "----> 1 ray.get(f.remote())",
      "",
      "RayTaskError(KeyError): ray::IPPOCL.train_buffered() (pid=55550, ip=192.168.79.142)",
      "",
    ].join("\n");
    assert.deepEqual(await primaryOf("ray-ipython.log", text), { category: "python_exception", ruleId: "python_traceback" });
  });
});
