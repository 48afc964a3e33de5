/**
 * Nineteenth rules round (issue 10), role B: from the misses of the studied blind set fresh12 (manifests zw, zz) that
 * were read as no crash, each rule keyed on what the failing tool prints whatever the job: the NCCL watchdog's own
 * stack when it throws a collective timeout (only `WorkNCCL::checkTimeout` throws it), Ray's fatal check that a
 * raylet or worker could not reach the GCS within its reconnect timeout, and runc's report that a container's init
 * was OOM-killed while it started (docs/crash-accuracy.md, "Nineteenth round, on the studied fresh12"). Real lines
 * name where they come from; near misses must not be the rule (null: no rule at all); whole texts check the primary
 * choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-nineteenth-round-b-");

describe("nineteenth round (B): rule families", () => {
  const families: Family[] = [
    {
      // ProcessGroupNCCL's watchdog thread throws the timeout from WorkNCCL::checkTimeout; c10::Error's trailer names
      // that function (`Exception raised from checkTimeout at .../ProcessGroupNCCL.cpp:N`) and the C++ stack's
      // frame #1 is it. A log cut after the `Watchdog caught collective operation timeout` line keeps only these.
      rule: "nccl_watchdog_timeout_stack",
      real: [
        ["crash-corpus zw nemo-speech-13562, https://github.com/NVIDIA-NeMo/Speech/issues/13562", "frame #1: c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, std::ratio<1l, 1000l> > >) + 0x282 (0x7f6aaafa5672 in /home/ubuntu/.cache/pypoetry/v"],
        ["crash-corpus llm-training-7 (rank 2's stack before its watchdog line)", "frame #1: c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, std::ratio<1l, 1000l> > >) + 0x1d2 (0x2b9d2f40c8e2 in /home/u6619332/miniconda3/envs/llm-training/lib/python3.10/site-packages/torch/lib/libtorch_cuda.so)"],
        ["crash-corpus megatron-lm-935 (the frames only, then terminate ... DistBackendError)", "frame #1: c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, std::ratio<1l, 1000l> > >) + 0x1e1 (0x7fe705ea04e1 in /usr/local/lib/python3.10/dist-packages/torch/lib/libtorch_cuda.so)"],
        ["crash-corpus zn trl-1584 (quoted in a reply)", "> frame #1: c10d::ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::duration<long, std::ratio<1l, 1000l> > >) + 0x1e6 (0x7f504b1576e6 in /home/c"],
        ["crash-corpus zg sglang-1693", "Exception raised from checkTimeout at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:609 (most recent call first):"],
        ["crash-corpus instructlab-training-520", "Exception raised from checkTimeout at /pytorch/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:632 (most recent call first):"],
        ["crash-corpus zn accelerate-2912 (a conda build's path)", "Exception raised from checkTimeout at /opt/conda/conda-bld/pytorch_1716905971132/work/torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:565 (most recent call first):"],
      ],
      nearMiss: [
        // The watchdog's other frames and its other exceptions (an NCCL error found by checkForNCCLErrors) say
        // nothing about a timeout; the function's source text is no stack.
        ["frame #2: c10d::ProcessGroupNCCL::watchdogHandler() + 0x233 (0x7f6aaafacab3 in /x/libtorch_cuda.so)", null],
        ["Exception raised from checkForNCCLErrorsInternal at ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1428 (most recent call first):", null],
        ["bool ProcessGroupNCCL::WorkNCCL::checkTimeout(std::optional<std::chrono::milliseconds> timeout) {", null],
      ],
    },
    {
      // Ray's raylet (and a core worker) RAY_CHECKs that the GCS answered within gcs_rpc_server_reconnect_timeout_s
      // and dies when it did not: `Check failed: ... Failed to connect to GCS within N seconds`.
      rule: "timeout_ray_gcs_unreachable",
      real: [
        ["crash-corpus zw ray-26966, https://github.com/ray-project/ray/issues/26966", "    [2022-07-25 08:35:40,492 C 273 339] (raylet) gcs_rpc_client.h:537:  Check failed: absl::ToInt64Seconds(absl::Now() - gcs_last_alive_time_) < ::RayConfig::instance().gcs_rpc_server_reconnect_timeout_s() Failed to connect to GCS within 60 seconds"],
        ["https://github.com/ray-project/ray/issues/28372 (the C++ API's ray::Init)", "[2022-09-08 17:16:31,380 C 46829 46957] gcs_rpc_client.h:537:  Check failed: absl::ToInt64Seconds(absl::Now() - gcs_last_alive_time_) < ::RayConfig::instance().gcs_rpc_server_reconnect_timeout_s() Failed to connect to GCS within 60 seconds"],
        ["https://github.com/ray-project/ray/issues/62074 (the raylet with the timeout raised to 3600 s)", "Failed to connect to GCS within 3600 seconds."],
      ],
      nearMiss: [
        // The first attempt's error (ray#28372, vllm#15385, TinyZero#75): Ray goes on retrying; the run may connect.
        ["[2022-09-08 17:15:36,340 E 46829 46829] gcs_rpc_client.h:202: Failed to connect to GCS at address 10.90.95.155:6379 within 5 seconds.", null],
        ["[2025-02-16 16:06:26,552 W 350061 350061] gcs_client.cc:178: Failed to get cluster ID from GCS server: TimedOut: Timed out while waiting for GCS to become available.", null],
        // The raylet's lagging-heartbeat warning before the check in ray#26966.
        ["    [2022-07-25 08:35:36,203 W 273 337] (raylet) node_manager.cc:158: Last heartbeat was sent 8987 ms ago. There might be resource pressure on this node. If heartbeat keeps lagging, this node can be marked as dead mistakenly.", null],
      ],
    },
    {
      // runc's report that the cgroup OOM killer killed the container's init while it started (memory limit below
      // what runc and the entrypoint need), as kubelet and Docker/ECS pass it on: a cgroup OOM kill, process_killed.
      rule: "killed_cgroup_oom",
      real: [
        ["crash-corpus zw kubeflow-trainer-1661, https://github.com/kubeflow/trainer/issues/1661", "Warning  Failed  113s   kubelet  Error: container create failed: time=\"2022-09-14T11:35:13Z\" level=error msg=\"runc create failed: unable to start container process: container init was OOM-killed (memory limit too low?)\""],
        ["https://github.com/aws/amazon-ecs-agent/issues/3021", "Status reason | CannotStartContainerError: Error response from daemon: OCI runtime create failed: container_linux.go:380: starting container process caused: container init was OOM-killed (memory limit too low?): unknown"],
      ],
      nearMiss: [
        // runc refusing a limit below current usage (opencontainers/runc#2812): the container never ran, nothing was killed.
        ["> ERRO[0000] container_linux.go:367: starting container process caused: process_linux.go:495: container init caused: process_linux.go:458: setting cgroup config for procHooks process caused: unable to set memory limit to 1000 (current usage: 1204224, peak usage: 2936832)", null],
        ["container init was started with memory limit 512Mi", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("nineteenth round (B): the corpus entries", () => {
  const cases: [string, string, string][] = [
    ["nccl_error/zw-nemo-speech-13562-asr-finetune-watchdog-checktimeout.log", "nccl_error", "nccl_watchdog_timeout_stack"],
    ["timeout/zw-ray-26966-raylet-gcs-connect-60s-timeout.log", "timeout", "timeout_ray_gcs_unreachable"],
    ["process_killed/zw-kubeflow-trainer-1661-container-init-oom-killed.log", "process_killed", "killed_cgroup_oom"],
  ];
  for (const [file, category, ruleId] of cases) {
    test(`${file}: ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }

  test("the watchdog's timeout line, when present, stays the finding the stack goes with", async () => {
    // crash-corpus llm-training-7: rank 2's stack comes first, then its watchdog line; both read nccl_error.
    const got = await primaryOf("llm-training-7.log", corpus("nccl_error/llm-training-7-slurm-watchdog-allreduce-1800s-rank2.log"));
    assert.equal(got?.category, "nccl_error");
  });
});
