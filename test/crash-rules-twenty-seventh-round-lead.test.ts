/**
 * Twenty-seventh rules round (issue 10), the lead's part, on the studied fresh20 (docs/crash-accuracy.md, "Twenty-seventh
 * round, the lead", items 840-): the shell's `Killed` printed over a progress line the terminal had not ended (a `\r`
 * line: `Killedg in train batch: 127687 / 263115`, dlrm#4) is the kill it reports; a log whose last records print
 * every value as nan without names (`epoch, 0200, nan, nan, nan, nan`, PointNetLK_Revisited#8; `199 nan nan` from a
 * script's `print(epoch, loss, acc)`) has diverged, also when the run then says it completed. On the studied fresh21
 * (items 844-): the `cuBLAS API failed with status N` of NVIDIA's CUDALibrarySamples check idiom (bitsandbytes#383) is
 * cuBLAS's status (3, ALLOC_FAILED, the GPU's memory); a `terminate called` the text ends at before its `what():` line
 * says less than the collective timeout another rank's terminate named (OmniIsaacGymEnvs#50); an assertion that shows
 * an array of nan values only (dreamerv3#26: the policy's actions) reports a model whose outputs became NaN.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, pyTrace } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-seventh-round-lead-");

async function categoryOf(text: string): Promise<string> {
  return (await primaryOf("train.log", text))?.category ?? "none";
}

/** A run's progress, then `lines`, then the log ends. */
function ending(lines: string[]): string {
  return [...PROGRESS, ...lines, ""].join("\n");
}

describe("twenty-seventh round (lead): the shell's Killed over an unfinished progress line", () => {
  test("zzzk dlrm-4 (`Killedg in train batch: 127687 / 263115`) reads process_killed", async () => {
    assert.equal(await categoryOf(corpus("process_killed/zzzk-dlrm-4-kaggle-4gpu-killed-in-train-batch.log")), "process_killed");
  });

  const rows: [string, string, string][] = [
    ["over a counter's text (glued)", "Killedg in train batch: 127687 / 263115", "process_killed"],
    ["over `Epoch 3:` of a tqdm bar (glued)", "Killed3:  41%|████      | 412/1000 [05:12<07:26,  1.32it/s, loss=0.4121]", "process_killed"],
    ["over a bare tqdm bar's percentage and first blocks", "Killed███▌      | 450/1000 [05:41<06:57,  1.32it/s]", "process_killed"],
    ["over a bare tqdm bar's percentage (spaces left)", "Killed         | 50/1000 [00:10<01:40,  9.50it/s]", "process_killed"],
    ["an RL log's `Killed 3/5 enemies` (a word of the game)", "Killed 3/5 enemies in episode 12, return 41.5", "none"],
    ["a metric named Killed_units", "Killed_units: 3/5, reward: 1.25", "none"],
  ];
  for (const [name, line, want] of rows) {
    test(`${name} reads ${want}`, async () => {
      // A healthy row's run goes on after it; a kill ends the log.
      const text = want === "none" ? ending([line, ...PROGRESS]) : ending([line]);
      assert.equal(await categoryOf(text), want);
    });
  }
});

describe("twenty-seventh round (lead): the last records print every value as nan, without names", () => {
  test("zzzi pointnetlk-revisited-8 (three all-nan epochs, then `Training completed!`) reads nan_loss", async () => {
    assert.equal(await categoryOf(corpus("nan_loss/zzzi-pointnetlk-revisited-8-epochs-all-nan-training-completed.log")), "nan_loss");
  });

  const printed = (values: string[]) => values.map((v, i) => `${197 + i} ${v}`);
  const cases: [string, string[], string][] = [
    ["`print(epoch, loss, acc)` turning nan for the last three epochs", printed(["0.4412 0.8812", "nan nan", "nan nan", "nan nan"]), "nan_loss"],
    ["the same with inf and a save message after them", [...printed(["0.4412 0.8812", "inf nan", "nan -inf", "nan nan"]), "saved model to ./ckpt/final.pt"], "nan_loss"],
    ["comma-separated with the epoch named", ["epoch, 0198, nan, nan, nan", "epoch, 0199, nan, nan, nan", "epoch, 0200, nan, nan, nan", "Training completed!"], "nan_loss"],
    ["two all-nan records only (a metric not computed yet twice)", printed(["0.4412 0.8812", "nan nan", "nan nan"]), "none"],
    ["a finite record after them (recovered)", printed(["nan nan", "nan nan", "nan nan", "0.4412 0.8812"]), "none"],
    ["a finite value before the nan ones on each row", printed(["0.52 nan nan", "0.51 nan nan", "0.50 nan nan"]), "none"],
    ["pandas' table of metrics not computed (NaN)", ["   epoch  val_loss  val_acc", "0      1       NaN      NaN", "1      2       NaN      NaN", "2      3       NaN      NaN"], "none"],
    ["more than three other lines after them", [...printed(["nan nan", "nan nan", "nan nan"]), "epoch done", "saving", "evaluating", "done"], "none"],
  ];
  for (const [name, lines, want] of cases) {
    test(`${name} reads ${want}`, async () => {
      assert.equal(await categoryOf(ending(lines)), want);
    });
  }

  test("a traceback after the nan records names the crash", async () => {
    const text = ending([...printed(["nan nan", "nan nan", "nan nan"]), "Traceback (most recent call last):", '  File "train.py", line 80, in <module>', "    evaluate(model)", "KeyError: 'val_acc'"]);
    assert.equal(await categoryOf(text), "python_exception");
  });
});

describe("twenty-seventh round (lead): the studied fresh21", () => {
  const entries: [string, string][] = [
    ["cuda_error/zzzn-bitsandbytes-383-int8-train-h100-cublas-status-15.log", "cuda_error"],
    ["nccl_error/zzzo-omniisaacgymenvs-50-anymalterrain-multigpu-nccl-watchdog.log", "nccl_error"],
    ["nan_loss/zzzo-dreamerv3-26-crafter-nan-action-assertion.log", "nan_loss"],
  ];
  for (const [file, want] of entries) {
    test(`${file} reads ${want}`, async () => {
      assert.equal(await categoryOf(corpus(file)), want);
    });
  }

  const cublas: [string, string][] = [
    ["cuBLAS API failed with status 15", "cuda_error"],
    ["cuBLAS API failed with status 3", "cuda_oom"],
    ["CuBLAS API failed with status 13, 87, /src/gemm.cu", "cuda_error"],
  ];
  for (const [line, want] of cublas) {
    test(`\`${line}\` then the library's exception reads ${want}`, async () => {
      assert.equal(await categoryOf(ending([line, "terminate called after throwing an instance of 'std::logic_error'", "  what():  cuBLAS API failed", "Aborted (core dumped)"])), want);
    });
  }

  const watchdog = (rank: number, op: string) => `  what():  [Rank ${rank}] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=1, OpType=${op}, Timeout(ms)=1800000) ran for 1806521 milliseconds before timing out.`;
  test("a second terminate the text ends at, before its what(), is the first one's failure again", async () => {
    const text = ending(["terminate called after throwing an instance of 'std::runtime_error'", watchdog(1, "BROADCAST"), "terminate called after throwing an instance of 'std::runtime_error'"]);
    assert.equal(await categoryOf(text), "nccl_error");
  });
  test("a terminate alone at the end, nothing else said, is still a crash (python_exception)", async () => {
    assert.equal(await categoryOf(ending(["terminate called after throwing an instance of 'std::runtime_error'"])), "python_exception");
  });
  test("a terminate whose what() follows is read as before (its message names the failure)", async () => {
    assert.equal(await categoryOf(ending(["terminate called after throwing an instance of 'std::runtime_error'", watchdog(0, "ALLREDUCE")])), "nccl_error");
  });

  const asserts: [string, string][] = [
    ["AssertionError: {'action': array([nan, nan, nan, nan], dtype=float32), 'reset': False}", "nan_loss"],
    ["AssertionError: tensor([[nan, nan],", "nan_loss"],
    ["AssertionError: array([-inf, nan, nan])", "nan_loss"],
    ["AssertionError: array([0.1, nan, nan])", "python_exception"],
    ["AssertionError: array([1, 2, 3])", "python_exception"],
  ];
  for (const [last, want] of asserts) {
    test(`\`${last}\` reads ${want}`, async () => {
      assert.equal(await categoryOf(pyTrace(last)), want);
    });
  }
});
