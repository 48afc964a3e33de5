/**
 * Twenty-fourth rules round (issue 10), tune collection zzs (timeouts that are not the NCCL watchdog, NaN in the lines
 * of trackers and RL trainers, kills as wrappers report them, healthy logs): from its first-contact misses, the readings
 * that hold for logs not seen. A tracking server that refuses a metric because its value is NaN or infinite
 * (Databricks-hosted MLflow's `INVALID_PARAMETER_VALUE: Metric '<key>' cannot have value NaN`) ends the run on a NaN
 * metric: nan_loss, like Lightning's `Monitored metric ... is not finite`. The other miss, the model hub's 504 gateway
 * timeout, is the HTTP-timeout family another study owns (docs/crash-accuracy.md, "Twenty-fourth round: tune collection
 * zzs"). Real lines name where they come from; near misses must not be the rule (null: no rule at all); whole texts
 * check the primary choice on the collection's entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fourth-round-zzs-");

describe("twenty-fourth round (zzs): rule families", () => {
  const families: Family[] = [
    {
      // A tracking server's refusal of a non-finite metric value, the key quoted: the value the run logged is NaN/Inf.
      rule: "nan_loss_metric",
      real: [
        ["crash-corpus zzs mlflow-1234, https://github.com/mlflow/mlflow/issues/1234 (Databricks-hosted MLflow 0.9)", "RestException: INVALID_PARAMETER_VALUE: Metric 'Epoch Training Loss' cannot have value NaN"],
      ],
      nearMiss: [
        // MLflow's own check of a value that is no number at all (None, a string): a bug in the caller, not a NaN
        // (https://github.com/optuna/optuna/pull/863; a public MLflow tutorial, code search).
        ["mlflow.exceptions.MlflowException: Got invalid value None for metric 'mean_squared_error' (timestamp=1580054762270). Please specify value as a valid double (64-bit floating point)", null],
        ["MlflowException: Invalid value \"high\" for parameter 'value' supplied.", null],
        // One HPO trial whose objective returned NaN: Optuna fails that trial and the study goes on (optuna-863).
        ["[W 2020-01-26 16:06:02,184] Setting status of trial#48 as TrialState.FAIL because the objective function returned nan.", null],
        // A finite value, a parameter, and prose about the limit.
        ["Metric 'loss' cannot have value 0.5", null],
        ["Param 'lr' cannot have value NaN", null],
        ["A metric cannot have value NaN in MLflow 0.9, so the callback drops NaNs before logging", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fourth round (zzs): whole entries", () => {
  // Every entry of the collection but the hub's 504 (the HTTP-timeout family of the fresh15 study): the reading at
  // this commit, so a later change that loses one of them fails here.
  const entries: [string, string, string | null][] = [
    ["nan_loss/zzs-mlflow-1234-metric-cannot-have-value-nan.log", "nan_loss", "nan_loss_metric"],
    ["nan_loss/zzs-coqui-tts-2070-tensorboardx-nan-then-vits-loss-nan.log", "nan_loss", "nan_loss_metric"],
    ["timeout/zzs-drivelm-156-openai-apitimeout-evaluation.log", "timeout", "timeout_python"],
    ["timeout/zzs-paper-qa-616-litellm-apitimeout-router.log", "timeout", "python_traceback"],
    ["process_killed/zzs-tractor-126-qdo-srun-slurm-oom-kill.log", "process_killed", "killed_cgroup_oom"],
    ["process_killed/zzs-jupyter-docker-stacks-736-k8s-command-exit-137.log", "process_killed", "killed_exit_137"],
    ["process_killed/zzs-kubeflow-chart-45-training-operator-oomkilled.log", "process_killed", "killed_cgroup_oom"],
    ["process_killed/zzs-kubeflow-pipelines-4275-step-failed-node-low-memory.log", "process_killed", "killed_cgroup_oom"],
    ["process_killed/zzs-kubeflow-pipelines-9584-step-error-oomkilled-137.log", "process_killed", "killed_cgroup_oom"],
    ["process_killed/zzs-hyper-sagnn-4-broken-process-pool-random-walk.log", "process_killed", "killed_pool_worker_died"],
    ["none/zzs-llamafactory-856-ppo-negative-loss-json-lines.log", "none", null],
    ["none/zzs-llamafactory-845-ppo-loss-reward-dict-lines.log", "none", null],
    ["none/zzs-simplerl-reason-24-openrlhf-train-epoch-bar.log", "none", null],
    ["none/zzs-mmdetection-11708-grad-norm-spike-early-epochs.log", "none", null],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category}${ruleId ? ` (${ruleId})` : ""}`, async () => {
      const got = await primaryOf(file.split("/")[1]!, corpus(file));
      assert.deepEqual(got, ruleId === null ? null : { category, ruleId });
    });
  }

  test("a tracker's NaN refusal after a finite logged loss is still the NaN (texts joined from real lines)", async () => {
    // mmdetection-11708's finite record, then mlflow-1234's refusal.
    const text = corpus("none/zzs-mmdetection-11708-grad-norm-spike-early-epochs.log") + corpus("nan_loss/zzs-mlflow-1234-metric-cannot-have-value-nan.log");
    assert.deepEqual(await primaryOf("finite-then-refusal.log", text), { category: "nan_loss", ruleId: "nan_loss_metric" });
  });
});
