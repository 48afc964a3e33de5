/**
 * Twenty-fourth rules round (issue 10), tune collection zzr (failures as a platform or wrapper reports them): from its
 * first-contact misses, the readings that hold for logs not seen. The kubelet's eviction messages for a pod or
 * container over its ephemeral-storage limit (or an emptyDir over its sizeLimit) are the disk filling up; HTCondor's
 * hold reason for a job over its memory request is the cgroup's OOM kill; CPython's refusal to start a process while a
 * spawned child is still importing the main module is the error (the `RuntimeError:` head is often not pasted); and
 * torchrun's failure table cut before its root cause still reports the failed ranks under `Failures:`
 * (docs/crash-accuracy.md, "Twenty-fourth round: tune collection zzr"). Real lines name where they come from; near
 * misses must not be the rule (null: no rule at all); whole texts check the primary choice on the corpus entries.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { loadRules } from "../agent/crash/rules.js";
import { lastLauncherReport } from "../agent/crash/traceback.js";
import { corpus, primaryScanner, testFamilies, type Family } from "./helpers/crash-families.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-twenty-fourth-round-zzr-");

describe("twenty-fourth round (zzr): rule families", () => {
  const families: Family[] = [
    {
      // kubelet pkg/kubelet/eviction/helpers.go: podEphemeralStorageMessageFmt, containerEphemeralStorageMessageFmt and
      // emptyDirMessageFmt, the pod's Evicted event and status message when local storage passed a limit.
      rule: "disk_full",
      real: [
        ["crash-corpus zzr substratus-runbooks-92 (kubectl describe pod, GKE)", "  Warning  Evicted              109s  kubelet                                Pod ephemeral local storage usage exceeds the total limit of containers 5Gi."],
        ["an AKS troubleshooting doc quoting the kubelet (find_string)", "- `Container somecontainer exceeded its local ephemeral storage limit \"[some_size]\".`"],
        ["a CI runner note, Gas City build evicting its runner pod (find_string)", "# (\"Container runner exceeded its local ephemeral storage limit \\\"4Gi\\\"\") and"],
        ["an OpenShift e2e test's expected describe output (find_string)", "Usage of EmptyDir volume \"data\" exceeds the limit \"4Gi\"."],
        ["an AIOps agent transcript, kubectl describe of an evicted pod (find_string)", "message: Usage of EmptyDir volume \"logs\" exceeds the limit \"30Mi\"."],
      ],
      nearMiss: [
        // The limits as a pod spec and kubectl describe print them.
        ["            ephemeral-storage: 5Gi", null],
        ["    Limits:\n      ephemeral-storage:  5Gi", null],
        // The bare status, with no reason.
        ["Status:           Failed\nReason:           Evicted", null],
        ["trainer-0   0/1     Evicted   0          12m", null],
        // Prose about the limit, not the kubelet's message.
        ["if the pod ephemeral local storage usage exceeds the limit, the kubelet evicts it", null],
        ["Fix: the container exceeded its storage quota; raise ephemeral-storage", null],
      ],
    },
    {
      // HTCondor's hold reasons for a job over its memory request (the starter's cgroup OOM event): vanilla_proc.cpp
      // "Job has gone over memory limit of N megabytes. Peak usage: M megabytes." or, with no limit known, "Job has
      // encountered an out-of-memory event."; docker_proc.cpp "Docker job has gone over memory limit of N Mb".
      rule: "killed_cgroup_oom",
      real: [
        ["crash-corpus zzr chtc-templates-gpus-pr7, https://github.com/CHTC/templates-GPUs/pull/7", "Hold reason: Error from slot1_7@gpulab2002.chtc.wisc.edu: Docker job has gone over memory limit of 1024 Mb"],
        ["Autometa parameter-sweep notes, condor_q -hold rows (find_string)", "15872426.5184 erees           5/25 14:51 Error from slot1_3@e327.chtc.wisc.edu: Docker job has gone over memory limit of 16384 Mb"],
        ["a CMS analysis diary quoting condor_q -held (find_string)", "some say \"Job has gone over memory limit of 2048 megabytes. Peak usage: 2048 megabytes.\""],
        ["an HTCondor hold-reason cheat sheet (find_string)", "    5.  `Job has gone over memory limit of 1 megabytes. Peak usage: 1 megabytes`"],
        ["HTCondor vanilla_proc.cpp, the message with no memory limit set", "Job has encountered an out-of-memory event."],
      ],
      nearMiss: [
        // HTCondor's other resource holds: disk and run time are not memory.
        ["Job has gone over disk usage limit of 2097152 kilobytes", null],
        ["Error from slot1_3@e301.chtc.wisc.edu: Job failed to complete in 72 hrs", null],
        // A guide's heading with no figure, and the request as a submit file sets it.
        ["*\"Job has gone over memory limit of X\": Look at the resource usage table", null],
        ["request_memory = 16384", null],
      ],
    },
    {
      // CPython multiprocessing/spawn.py _check_not_importing_main, raised in a spawned child (DataLoader workers with
      // num_workers > 0 on Windows and macOS) that re-ran an unguarded training script. The head `RuntimeError:` sits
      // on a line of its own above and is often not in the paste.
      rule: "python_spawn_bootstrapping",
      real: [
        ["crash-corpus zzr ltsf-linear-52 (Windows, pasted without its head)", "An attempt has been made to start a new process before the"],
        ["crash-corpus zzr jointcwsparser-2 (the message as CPython indents it)", "        An attempt has been made to start a new process before the"],
      ],
      nearMiss: [
        // The message's other lines alone, and prose about it.
        ["        current process has finished its bootstrapping phase.", null],
        ["        This probably means that you are not using fork to start your", null],
        ["an attempt has been made to start a new process before the main guard, see the FAQ", null],
        ["An attempt has been made to start a new thread", null],
      ],
    },
  ];
  testFamilies(rules, families);
});

describe("twenty-fourth round (zzr): torchrun's failure table read from its Failures section", () => {
  const skypilot = corpus("python_exception/zzr-skypilot-2355-worker-torchrun-failures-exitcode-1.log");
  const lines = (text: string) => text.split("\n");

  test("a table cut before its root cause reports the first failed rank listed (zzr skypilot-2355, behind SkyPilot's prefix)", () => {
    const r = lastLauncherReport(lines(skypilot));
    assert.equal(r?.tool, "torchrun");
    assert.equal(r?.exitCode, 1);
    assert.equal(r?.rank, 5);
  });

  test("Failures holding <NO_OTHER_FAILURES> and nothing after it is no report (torchrun's own words for an empty section)", () => {
    const cut = ["train.py FAILED", "------------------------------------------------------------", "Failures:", "  <NO_OTHER_FAILURES>", ""];
    assert.equal(lastLauncherReport(cut), null);
  });

  test("the root cause below Failures is still the one read (texts joined from real lines; as before this round)", () => {
    // skypilot-2355's Failures section, then a Root Cause entry in the same shape whose rank died of SIGKILL.
    const rootCause = [
      "------------------------------------------------------------",
      "Root Cause (first observed failure):",
      "[0]:",
      "  time      : 2023-08-05_13:59:34",
      "  host      : ray-vicuna-worker-8792-57c60.internal.cloudapp.net",
      "  rank      : 4 (local_rank: 0)",
      "  exitcode  : -9 (pid: 22639)",
      "  error_file: <N/A>",
      "  traceback : Signal 9 (SIGKILL) received by PID 22639",
      "============================================================",
    ];
    const r = lastLauncherReport([...lines(skypilot), ...rootCause]);
    assert.equal(r?.exitCode, -9);
    assert.equal(r?.signal, "SIGKILL");
    assert.equal(r?.rank, 4);
  });

  test("an entry ends at the next one: the first failed rank's exit code is read, not the second's", () => {
    const secondKilled = skypilot.replace("exitcode  : 1 (pid: 22641)", "exitcode  : -9 (pid: 22641)");
    assert.notEqual(secondKilled, skypilot);
    const r = lastLauncherReport(lines(secondKilled));
    assert.equal(r?.exitCode, 1);
    assert.equal(r?.signal, undefined);
  });

  test("a Failures entry with a signal is read as the signal (skypilot-2355 with its first exit code a SIGKILL's)", async () => {
    const killed = skypilot.replace("exitcode  : 1 (pid: 22640)", "exitcode  : -9 (pid: 22640)");
    assert.notEqual(killed, skypilot);
    assert.equal(lastLauncherReport(lines(killed))?.signal, "SIGKILL");
    assert.equal((await primaryOf("failures-sigkill.log", killed))?.category, "process_killed");
  });
});

describe("twenty-fourth round (zzr): whole entries", () => {
  const entries: [string, string, string][] = [
    ["disk_full/zzr-substratus-runbooks-92-gke-evicted-ephemeral-storage.log", "disk_full", "disk_full"],
    ["process_killed/zzr-chtc-templates-gpus-pr7-htcondor-hold-docker-memory.log", "process_killed", "killed_cgroup_oom"],
    ["python_exception/zzr-ltsf-linear-52-windows-spawn-bootstrapping-phase.log", "python_exception", "python_spawn_bootstrapping"],
    ["python_exception/zzr-skypilot-2355-worker-torchrun-failures-exitcode-1.log", "python_exception", "launcher_failure"],
  ];
  for (const [file, category, ruleId] of entries) {
    test(`${file.split("/")[1]} reads ${category} (${ruleId})`, async () => {
      assert.deepEqual(await primaryOf(file.split("/")[1]!, corpus(file)), { category, ruleId });
    });
  }
});
