/**
 * Crash rules by enumeration from the sources, fifth round (issue 10; docs/crash-accuracy.md, items 600-): failures as
 * the layers around the trainer report them. Job schedulers and platforms (Slurm, PBS, LSF, HTCondor, Kubernetes and
 * Kueue, Kubeflow, Ray jobs and Ray Train, SkyPilot, SageMaker, Vertex AI, AzureML, Modal, Determined), experiment
 * trackers and hubs (W&B, MLflow, Neptune, huggingface_hub, datasets, boto3 / S3, Google Cloud Storage), network stacks
 * (requests, urllib3, urllib, httpx, aiohttp, gRPC, the OpenAI client: DNS, TLS, refused and reset connections, HTTP
 * 429 / 5xx) and the wrappers that run trainers (accelerate launch, the DeepSpeed launcher, Open MPI, Intel MPI /
 * MPICH, horovodrun, submitit, Hydra, Lightning on SLURM, torchx), each in the line shape it is printed in, with the
 * category the corpus's conventions give it. `none` rows are near misses: the same words in healthy runs (a retried
 * request, a requeue, a recovered spot job).
 *
 * The conventions applied: a timeout the platform or a request reports (a scheduler's time limit, a read / connect
 * timeout, HTTP 504 / 408, S3's `RequestTimeout`) is `timeout`; a kill, an out-of-memory kill by a scheduler, a
 * container runtime or a platform, a preemption or a cancellation is `process_killed`; a death by SIGSEGV / SIGBUS that
 * a launcher reports is `segfault`; a refused, reset or unresolvable connection, a TLS failure, HTTP 429 / 500 / 502 /
 * 503, a credentials or permission error is `python_exception` (an exception that ends the run, nothing waited out);
 * a wrapper's summary (`UnexpectedStatusException`, `ChildFailedError`, `Error executing job`, an MPI abort) takes the
 * category of the cause it carries.
 *
 * Sources: an issue URL is a public thread whose log holds the text (the line shape is the thread's); `find_string hit
 * N` is a public repository file the search tool does not name, cited by its hit id; a repository + path without a hit
 * is the file the text is printed from, quoted as known and not looked up this round (each such row says so).
 */
import { loadRules } from "../agent/crash/rules.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { PROGRESS, childFailedReport, healthy, pyTrace, testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-platforms-");

// ---------------------------------------------------------------------------------------------------------------
// Line shapes.

const SITE = "/usr/local/lib/python3.10/dist-packages";

/** A log tail: the run's progress, then `lines` (a scheduler's, a launcher's or a platform's report). */
function tail(lines: string[]): string {
  return [...PROGRESS, ...lines, ""].join("\n");
}

/** slurmstepd's cancellation banner (src/slurmd/slurmstepd/req.c): `*** JOB|STEP id ON node CANCELLED AT time ... ***`. */
function slurmCancelled(what: "JOB" | "STEP", id: string, reason: string): string {
  return `slurmstepd: error: *** ${what} ${id} ON gpu-node-07 CANCELLED AT 2024-05-02T10:11:12${reason ? ` DUE TO ${reason}` : ""} ***`;
}

/** `kubectl describe pod`'s container state block. */
function kubectlState(reason: string, exitCode: number, extra: string[] = []): string[] {
  return [
    "Containers:",
    "  pytorch:",
    "    Image:          nvcr.io/nvidia/pytorch:24.03-py3",
    "    State:          Waiting",
    "      Reason:       CrashLoopBackOff",
    "    Last State:     Terminated",
    `      Reason:       ${reason}`,
    ...extra,
    `      Exit Code:    ${exitCode}`,
    "      Started:      Thu, 02 May 2024 10:01:12 +0000",
    "      Finished:     Thu, 02 May 2024 10:11:12 +0000",
    "    Ready:          False",
    "    Restart Count:  3",
  ];
}

/** `kubectl describe`'s Events table. */
function kubeEvents(rows: string[]): string[] {
  return ["Events:", "  Type     Reason     Age   From     Message", "  ----     ------     ----  ----     -------", ...rows];
}

/** Open MPI's boxed report (orte/tools/orterun/help-orterun.txt). */
function ompiBox(lines: string[]): string[] {
  const rule = "--------------------------------------------------------------------------";
  return [rule, ...lines, rule];
}

/** MPICH / Intel MPI's Hydra banner for a rank that died (src/pm/hydra). */
function hydraBanner(rank: number, killed: string): string[] {
  const rule = "===================================================================================";
  return [rule, "=   BAD TERMINATION OF ONE OF YOUR APPLICATION PROCESSES", `=   RANK ${rank} PID 5490 RUNNING AT gn59`, `=   ${killed}`, rule];
}

/** sagemaker.Session._check_job_status re-raising the training toolkit's failure (sagemaker/session.py). */
function sagemakerFailure(reason: string[]): string {
  return pyTrace(reason, [
    `  File "${SITE}/sagemaker/estimator.py", line 1341, in fit`,
    "    self.latest_training_job.wait(logs=logs)",
    `  File "${SITE}/sagemaker/session.py", line 6813, in _check_job_status`,
    "    raise exceptions.UnexpectedStatusException(",
  ]);
}

/** A requests call ending in `last` (requests/adapters.py send). */
function requestsTrace(last: string): string {
  return pyTrace(last, [
    `  File "${SITE}/requests/api.py", line 59, in request`,
    "    return session.request(method=method, url=url, **kwargs)",
    `  File "${SITE}/requests/adapters.py", line 700, in send`,
    "    raise ConnectionError(e, request=request)",
  ]);
}

/** huggingface_hub's raise_for_status (huggingface_hub/utils/_http.py) ending in `last`. */
function hubTrace(last: string): string {
  return pyTrace([
    "requests.exceptions.HTTPError: " + last.replace(/^\S+: /, ""),
    "",
    "The above exception was the direct cause of the following exception:",
    "",
    "Traceback (most recent call last):",
    '  File "/workspace/train.py", line 40, in <module>',
    "    ds = load_dataset(args.dataset, split=\"train\", streaming=True)",
    `  File "${SITE}/huggingface_hub/utils/_http.py", line 477, in hf_raise_for_status`,
    "    raise _format(HfHubHTTPError, str(e), response) from e",
    last,
  ]);
}

/** A Ray Train / Ray job driver re-raising a worker's error (ray/_private/worker.py). */
function rayDriver(last: string[]): string {
  return pyTrace(last, [
    `  File "${SITE}/ray/_private/auto_init_hook.py", line 21, in auto_init_wrapper`,
    "    return fn(*args, **kwargs)",
    `  File "${SITE}/ray/_private/worker.py", line 2667, in get`,
    "    values, debugger_breakpoint = worker.get_objects(object_refs, timeout=timeout)",
    `  File "${SITE}/ray/_private/worker.py", line 864, in get_objects`,
    "    raise value.as_instanceof_cause()",
  ]);
}

const TORCH_OOM = "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.95 GiB. GPU 0 has a total capacity of 79.15 GiB of which 1.02 GiB is free. Process 48213 has 78.12 GiB memory in use. Of the allocated memory 75.40 GiB is allocated by PyTorch, and 1.21 GiB is reserved by PyTorch but unallocated. If reserved but unallocated memory is large try setting PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True to avoid fragmentation.  See documentation for Memory Management  (https://pytorch.org/docs/stable/notes/cuda.html#environment-variables)";

const PY_ERROR = [
  "Traceback (most recent call last):",
  '  File "/workspace/train.py", line 212, in <module>',
  "    main()",
  '  File "/workspace/train.py", line 96, in main',
  "    labels = batch[\"labels\"]",
  "KeyError: 'labels'",
];

const OOM_TRACE = [
  "Traceback (most recent call last):",
  '  File "/workspace/train.py", line 212, in <module>',
  "    main()",
  '  File "/workspace/train.py", line 187, in main',
  "    loss.backward()",
  TORCH_OOM,
];

// ---------------------------------------------------------------------------------------------------------------
// The dictionary.

const FAMILIES: Record<string, Row[]> = {
  "1. batch schedulers: Slurm, PBS / Torque, LSF, HTCondor, submitit, Lightning on SLURM": [
    [tail([slurmCancelled("JOB", "4242", "TIME LIMIT")]), "timeout", "Slurm's slurmstepd banner at the job's time limit (corpus: `DUE TO TIME LIMIT`, timeout; rule timeout_scheduler_limit)"],
    [tail(["srun: Job step aborted: Waiting up to 32 seconds for job step to finish.", slurmCancelled("STEP", "4242.0", "TIME LIMIT"), "srun: error: gpu-node-07: task 0: Terminated", "srun: Force Terminated StepId=4242.0"]), "timeout", "the step form of the same banner with srun's abort and its `Terminated` tasks after it (src/srun/libsrun; not looked up): the time limit explains the SIGTERM"],
    [tail(["slurmstepd: error: Detected 1 oom_kill event in StepId=4242.batch. Some of the step tasks have been OOM Killed."]), "process_killed", "Slurm's cgroup OOM report (src/plugins/task/cgroup; corpus: process_killed)"],
    [tail(["srun: error: gpu-node-07: task 1: Out Of Memory", "srun: launch/slurm: _step_signal: Terminating StepId=4242.0"]), "process_killed", "srun's per-task OOM line (corpus: process_killed)"],
    [tail([slurmCancelled("JOB", "4242", "PREEMPTION")]), "process_killed", "Slurm's preemption banner (third round: process_killed)"],
    [tail([slurmCancelled("JOB", "4242", "")]), "process_killed", "`scancel`'s banner without a reason (third round: process_killed)"],
    [tail(["srun: error: gpu-node-07: task 0: Segmentation fault (core dumped)", "srun: launch/slurm: _step_signal: Terminating StepId=4242.0"]), "segfault", "srun's per-task SIGSEGV line (src/srun/libsrun/launch.c, strsignal; find_string hit 32176243592 quotes srun's `tasks 29,31: Bus error` form)"],
    [tail(["srun: error: comput123: tasks 29,31: Bus error", "srun: launch/slurm: _step_signal: Terminating StepId=4242.0"]), "segfault", "srun's SIGBUS line as a cluster's FAQ quotes it (find_string hit 32176243592)"],
    [tail([...PY_ERROR, "srun: error: gpu-node-07: task 0: Exited with exit code 1", "srun: launch/slurm: _step_signal: Terminating StepId=4242.0"]), "python_exception", "srun's exit-code line under the rank's own traceback (not looked up): the traceback names the cause"],
    [tail(["=>> PBS: job killed: walltime 7233 exceeded limit 7200"]), "timeout", "PBS Pro / Torque's walltime kill (src/resmom/mom_main.c; rule timeout_scheduler_limit)"],
    [tail(["TERM_RUNLIMIT: job killed after reaching LSF run time limit.", "Exited with exit code 140."]), "timeout", "LSF's job report at the run limit (lsbatch's exit reasons; rule timeout_scheduler_limit)"],
    [tail(["TERM_MEMLIMIT: job killed after reaching LSF memory usage limit.", "Exited with exit code 137."]), "process_killed", "LSF's memory-limit kill (rule killed_cgroup_oom)"],
    [tail(["TERM_OWNER: job killed by owner.", "Exited with exit code 130."]), "process_killed", "LSF's report after `bkill` (rule killed_launcher_signal)"],
    [tail([
      "012 (4242.000.000) 2024-05-02 10:11:12 Job was held.",
      "\tError from slot1_3@gpu-node-07.cluster: Job has gone over cgroup memory limit of 8192 megabytes. Last measured usage: 8230 megabytes.  Consider resubmitting with a higher request_memory.",
      "\tCode 34 Subcode 0",
    ]), "process_killed", "HTCondor's user log when the starter holds a job over its cgroup memory limit, the `Last measured usage` wording (find_string hits 68568757558, 5668079372; hold code 34 as gwastro/pycbc#1428 names it)"],
    [tail([
      "009 (4242.000.000) 2024-05-02 10:11:12 Job was aborted.",
      "\tvia condor_rm (by user alice)",
    ]), "process_killed", "HTCondor's user log after condor_rm (find_string hits 1360084440, 3657191334, 57935659317)"],
    [pyTrace([
      "submitit.core.utils.UncompletedJobError: Job 4242_0 (task: 0) with path /checkpoint/alice/4242_0_0_result.pkl",
      "has not produced any output (state: TIMEOUT)",
      "Error stream produced:",
      "----------------------------------------",
      slurmCancelled("JOB", "4242", "TIME LIMIT"),
    ], [`  File "${SITE}/submitit/core/core.py", line 289, in result`, "    r = self.results()", `  File "${SITE}/submitit/core/core.py", line 310, in results`, "    raise utils.UncompletedJobError(\"\\n\".join(message))"]), "timeout", "submitit's result() for a job Slurm ended at its time limit (submitit/core/core.py, find_string hit 164877669)"],
    [pyTrace([
      "submitit.core.utils.UncompletedJobError: Job 4242_0 (task: 0) with path /checkpoint/alice/4242_0_0_result.pkl",
      "has not produced any output (state: OUT_OF_MEMORY)",
    ], [`  File "${SITE}/submitit/core/core.py", line 310, in results`, "    raise utils.UncompletedJobError(\"\\n\".join(message))"]), "process_killed", "the same for a job Slurm's cgroup killed (find_string hit 164877669; sacct's OUT_OF_MEMORY state, BSC-ES/autosubmit#382)"],
    [pyTrace([
      "submitit.core.utils.UncompletedJobError: Job 4242_0 (task: 0) with path /checkpoint/alice/4242_0_0_result.pkl",
      "has not produced any output (state: CANCELLED by 1234)",
    ], [`  File "${SITE}/submitit/core/core.py", line 310, in results`, "    raise utils.UncompletedJobError(\"\\n\".join(message))"]), "process_killed", "the same for a cancelled or preempted job (find_string hit 164877669; sacct's `CANCELLED by <uid>` state)"],
    [pyTrace([
      "submitit.core.utils.FailedJobError: Job (task=0) failed during processing with trace:",
      "----------------------",
      ...OOM_TRACE,
      "",
      "----------------------",
      "You can check full logs with 'job.stderr(0)' and 'job.stdout(0)'or at paths:",
      "  - /checkpoint/alice/4242_0_log.err",
      "  - /checkpoint/alice/4242_0_log.out",
    ], [`  File "${SITE}/submitit/core/core.py", line 310, in results`, "    raise job_exception  # pylint: disable=raising-bad-type"]), "cuda_oom", "submitit's FailedJobError carrying the job's own traceback (submitit/core/core.py; not looked up): the carried cause"],
    [tail(["[rank: 0] Received SIGTERM: 15", "Bypassing SIGTERM: 15"]), "process_killed", "Lightning's signal connector on SLURM when the scheduler sends SIGTERM (rule killed_sigterm)"],
    [tail(["05/04/2011 03:36:38|  main|master|W|job 48.1 exceeded hard wallclock time - initiate terminate method"]), "timeout", "Grid Engine's execd at a job's h_rt (source/daemons/execd/msg_execd.h MSG_EXECD_EXCEEDHWALLCLOCK_UU, find_string hits 42499804, 11089495521; the messages-file line of hit 12710718477)"],
    [tail(["05/04/2011 03:36:38|  main|node07|W|job 4242.1 exceeds job hard limit \"h_vmem\" of queue \"all.q@node07\" (8594128896.00000 > limit:8589934592.00000) - sending SIGKILL"]), "process_killed", "Grid Engine's execd killing a job over its h_vmem (MSG_JOB_EXCEEDHLIM_USSFF, find_string hits 42499804, 10966570986)"],
    [healthy(["05/04/2011 03:36:38|  main|node07|W|job 4242.1 exceeded soft wallclock time - initiate soft notification method"]), "none", "Grid Engine's soft wallclock notice (MSG_EXECD_EXCEEDSWALLCLOCK_UU, find_string hit 42499804): SIGUSR1, the job may go on, and this one finishes"],
    [tail(["=>> PBS: job killed: cput 360012 exceeded limit 360000"]), "timeout", "PBS's CPU-time limit, the cput form of the walltime kill (not looked up)"],
    [tail(["TERM_CPULIMIT: job killed after reaching LSF CPU usage limit.", "Exited with exit code 152."]), "timeout", "LSF's CPU-time limit (lsbatch's exit reasons; not looked up)"],
    [tail(["012 (4242.000.000) 2024-05-02 10:11:12 Job was held.", "\tError from slot1_40@glidein_181693_77062752@a529.anvil.rcac.purdue.edu: memory usage exceeded request_memory", "\tCode 26 Subcode 0"]), "process_killed", "HTCondor's hold when the job outgrows request_memory (find_string hit 69474505521)"],
    [tail(["012 (4242.000.000) 2024-05-02 10:11:12 Job was held.", "\tThe job exceeded allowed execute duration of 20:00:00", "\tCode 47 Subcode 0"]), "timeout", "HTCondor's allowed_execute_duration hold (src/condor_schedd.V6/schedd.cpp, find_string hits 156666883, 69474505521)"],
    [tail(["012 (4242.000.000) 2024-05-02 10:11:12 Job was held.", "\tError from slot1_1@gpu-node-07.cluster: Job has gone over cgroup memory limit of 10624 megabytes. Peak usage: 11033 megabytes.  Consider resubmitting with a higher request_memory.", "\tCode 34 Subcode 0"]), "process_killed", "HTCondor's starter, the `Peak usage` wording of its source (find_string hit 1205354)"],
  ],

  "2. containers and platforms: Kubernetes, Kueue, Kubeflow, Ray, SkyPilot, SageMaker, Vertex AI, AzureML, Modal, Determined": [
    [tail(kubectlState("OOMKilled", 137)), "process_killed", "kubectl describe after the cgroup OOM kill (corpus: OOMKilled, process_killed)"],
    [tail(kubectlState("Error", 137)), "process_killed", "a container killed by SIGKILL without the OOM flag (exit 137; fresh15 study: `terminated with exit code (137)`)"],
    [tail(["Status:           Failed", "Reason:           Evicted", "Message:          The node was low on resource: memory. Threshold quantity: 100Mi, available: 96Ki. Container pytorch was using 61234568Ki, request is 32Gi, has larger consumption of memory."]), "process_killed", "kubelet's eviction under memory pressure (pkg/kubelet/eviction; rule killed_cgroup_oom)"],
    [tail(["Status:           Failed", "Reason:           Evicted", "Message:          The node was low on resource: ephemeral-storage. Threshold quantity: 10Gi, available: 9728Mi. Container pytorch was using 412Gi, request is 0, has larger consumption of ephemeral-storage."]), "disk_full", "the same eviction for ephemeral storage (rule disk_full)"],
    [tail(kubeEvents(["  Warning  DeadlineExceeded  2m  job-controller  Job was active longer than specified deadline"])), "timeout", "the Job controller's activeDeadlineSeconds (pkg/controller/job; rule timeout_scheduler_limit)"],
    [tail(kubeEvents([
      "  Warning  Unhealthy  3m (x3 over 5m)  kubelet  Liveness probe failed: Get \"http://10.42.0.15:8080/healthz\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
      "  Normal   Killing    3m              kubelet  Container pytorch failed liveness probe, will be restarted",
    ])), "process_killed", "kubelet killing a container whose liveness probe failed (find_string hits 70463606637, 18789985182, 63549226497): the training was killed from outside"],
    [tail([
      "Conditions:",
      "  Last Transition Time:  2025-02-04T19:06:25Z",
      "  Message:               Preempted to accommodate a workload (UID: d34468c2-1ce5-47cd-a61d-689be78b6121) due to prioritization in the ClusterQueue",
      "  Observed Generation:   1",
      "  Reason:                Preempted",
      "  Status:                True",
      "  Type:                  Evicted",
    ]), "process_killed", "Kueue evicting a workload for a higher-priority one (pkg/scheduler/preemption/preemption.go, find_string hits 2663800508, 6140557920)"],
    [tail(kubeEvents(["  Normal   EvictedDueToPreempted  1m  kueue-admission  Preempted to accommodate a workload (UID: 2daed6fd-1c2b-4f5e-9a1b-3c4d5e6f7a8b, JobUID: 5e63deb5-7a8b-4c9d-8e1f-2a3b4c5d6e7f) due to reclamation within the cohort; preemptor path: /preemption-cohort/cq-high; preemptee path: /preemption-cohort/cq-low"])), "process_killed", "Kueue's event with the newer UID / JobUID / path wording (find_string hits 68309496985, 55612698734)"],
    [tail(["Status:           Failed", "Reason:           DeadlineExceeded", "Message:          Pod was active on the node longer than the specified deadline"]), "timeout", "kubelet ending a pod at its activeDeadlineSeconds (pkg/kubelet/active_deadline.go; find_string hits 54992070893, 1222956448)"],
    [tail(["stoppedReason: Essential container in task exited", "containers[0].exitCode: 137", "containers[0].reason: OutOfMemoryError: Container killed due to memory usage"]), "process_killed", "ECS / AWS Batch's stop reason for a container over its memory (find_string hits 70941213568, 24257231937, 63044728453): the host's memory limit, not the GPU's"],
    [tail(["===== Application Startup at 2024-05-02 10:01:12 =====", PROGRESS[0]!, "Runtime error", "Memory limit exceeded (16Gi)"]), "process_killed", "a Hugging Face Space (AutoTrain, a Gradio demo training) over its memory limit (find_string hits 62647025156, 56409948667, 69415547413)"],
    [tail([...kubectlState("OOMKilled", 137), "", "time=\"2024-05-02T10:11:13Z\" level=info msg=\"PyTorchJob llama-ft is failed because 1 Worker replica(s) failed.\""]), "process_killed", "the Kubeflow training operator's job condition after a worker's OOM kill (kubeflow/trainer pkg/controller.v1/pytorch; not looked up): the pod's state names the cause"],
    [tail(["Job failed with:", "code: 3", "message: \"The replica workerpool0-0 ran out-of-memory and exited with a non-zero status of 9(SIGKILL). To find out more about why your job exited please check the logs: https://console.cloud.google.com/logs/viewer?project=1234&resource=ml_job%2Fjob_id%2F5678\""]), "process_killed", "Vertex AI's custom-job failure after an OOM kill (the replica wording of tensorflow/models#5591's Cloud ML title)"],
    [tail(["Job failed with:", "code: 3", "message: \"The replica workerpool0-0 exited with a non-zero status of 137. Termination reason: Error. To find out more about why your job exited please check the logs: https://console.cloud.google.com/logs/viewer?project=1234\""]), "process_killed", "Vertex AI's failure for a replica killed with exit 137 (GoogleCloudPlatform/vertex-ai-samples#1898 shows the `status of N. Termination reason: X.` wording)"],
    [tail(["RuntimeError: Training failed with:", "code: 3", "message: \"The replica workerpool1-1 exited with a non-zero status of 1. Termination reason: Error. \\nTraceback (most recent call last):\\n  [...]\\n  File \\\"/root/.local/lib/python3.7/site-packages/transformers/modeling_utils.py\\\", line 2208, in from_pretrained\\nOSError: meta-llama/Llama-2-7b-hf is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'\\n\""]), "python_exception", "Vertex AI quoting the replica's traceback with escaped newlines (GoogleCloudPlatform/vertex-ai-samples#1504)"],
    [sagemakerFailure([
      "sagemaker.exceptions.UnexpectedStatusException: Error for Training job huggingface-pytorch-training-2024-05-02-10-11-12-345: Failed. Reason: AlgorithmError: ExecuteUserScriptError:",
      "ExitCode 137",
      "ErrorMessage \"\"",
      "Command \"/opt/conda/bin/python3.10 train.py --epochs 3 --model_id meta-llama/Llama-2-7b-hf\", exit code: 137. Check troubleshooting guide for common errors: https://docs.aws.amazon.com/sagemaker/latest/dg/sagemaker-python-sdk-troubleshooting.html",
    ]), "process_killed", "SageMaker's failure for a script the instance killed (aws/amazon-sagemaker-examples#3444, aws/sagemaker-python-sdk#2688 show the ExecuteUserScriptError wording)"],
    [sagemakerFailure([
      "sagemaker.exceptions.UnexpectedStatusException: Error for Training job pytorch-training-2024-05-02-10-11-12-345: Failed. Reason: AlgorithmError: ExecuteUserScriptError:",
      "ExitCode 1",
      "ErrorMessage \"torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.95 GiB. GPU 0 has a total capacity of 22.19 GiB of which 1.02 GiB is free.",
      "\"",
      "Command \"/opt/conda/bin/python3.10 train.py --epochs 3\", exit code: 1",
    ]), "cuda_oom", "SageMaker's failure carrying the script's last error (the same wording)"],
    [sagemakerFailure(["sagemaker.exceptions.UnexpectedStatusException: Error for Training job pytorch-training-2024-05-02-10-11-12-345: Failed. Reason: AlgorithmError: Exit Code: 139"]), "segfault", "SageMaker's failure for a segfault (aws/sagemaker-python-sdk#134's title)"],
    [tail(["Execution failed. User process 'python' exited with status code 137. Please check log file 'user_logs/std_log.txt' for error details. Error: "]), "process_killed", "AzureML's run error for a killed process (azureml-core's execution wrapper; not looked up)"],
    [tail(["<error>   [2021-04-28, 08:20:22] unexpected failure of trial after restart 2/5: container failed with non-zero exit code: container failed with non-zero exit code: 137 (exit code 137)  experiment-id=\"1\" id=\"c495adfb-4819-417a-bee0-aae46fd24ba6\" system=\"master\" trial-id=\"1\" type=\"trial\""]), "process_killed", "Determined's master log for a trial container killed (determined-ai/determined#2290)"],
    [pyTrace("modal.exception.FunctionTimeoutError: Task's current input in-01HX3K4M5N6P7Q8R9S0T1V2W3X hit its timeout of 86400s", [`  File "${SITE}/modal/_utils/function_utils.py", line 480, in _process_result`, "    raise exc_with_hints(exc)"]), "timeout", "Modal's function timeout (modal/exception.py FunctionTimeoutError; not looked up)"],
    [tail(["Job entrypoint command failed with exit code -11, last available logs (truncated to 20,000 chars):", "Running: 0.0/18.0 CPU, 0.0/0.0 GPU, 0.03 MiB/2.33 GiB object_store_memory:   0%|          | 1/1296 [00:00<03:29,  6.17it/s]", "2023-10-28 15:55:46 impute.py run:70 [INFO] - >>>>>>>>>finished<<<<<<<<<"]), "segfault", "Ray's job manager status message for an entrypoint that died of SIGSEGV (ray-project/ray#40768)"],
    [tail(["------------------------------------------", "Job 'raysubmit_Xk2b7QpL9mN4' failed", "------------------------------------------", "", "Status message: Job entrypoint command failed with exit code -9, last available logs (truncated to 20,000 chars):", PROGRESS[0]!]), "process_killed", "`ray job submit`'s summary for an entrypoint killed by SIGKILL (ray/dashboard/modules/job/cli.py; the status message of ray-project/ray#40768)"],
    [tail(["(raylet) Raylet is terminated. Termination is unexpected. Possible reasons include: (1) SIGKILL by the user or system OOM killer, (2) Invalid memory access from Raylet causing SIGSEGV or SIGBUS, (3) Other termination signals. Last 20 lines of the Raylet logs:", "    [2024-05-02 10:11:10,123 I 4242 4242] (raylet) node_manager.cc:1234: Sending Shutdown to workers"]), "process_killed", "Ray's dashboard agent when the raylet dies (ray/dashboard/agent.py; find_string hits 66151983054, 57684208478): like a vanished worker, read as a kill"],
    [rayDriver([
      "ray.exceptions.RayTaskError(OutOfMemoryError): ray::_RayTrainWorker__execute.get_next() (pid=4242, ip=10.0.0.5, actor_id=1a2b3c, repr=<ray.train._internal.worker_group.RayTrainWorker object at 0x7f3c2a1b4740>)",
      '  File "/workspace/train.py", line 187, in train_loop_per_worker',
      "    loss.backward()",
      TORCH_OOM,
    ]), "cuda_oom", "Ray's dual exception class for a worker's CUDA OOM (fresh15 study: RayTaskError(X) reads as X)"],
    [rayDriver([
      "ray.exceptions.RayTaskError(OutOfMemoryError): ray::_RayTrainWorker__execute.get_next() (pid=4242, ip=10.0.0.5)",
      '  File "/workspace/train.py", line 187, in train_loop_per_worker',
      "    loss.backward()",
      TORCH_OOM,
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 240, in <module>',
      "    result = trainer.fit()",
      "ray.train.base_trainer.TrainingFailedError: The Ray Train run failed. Please inspect the previous error messages for a cause. After fixing the issue (assuming that the error is not caused by your own application logic, but rather an error such as OOM), you can restart the run from scratch or continue this run.",
    ]), "cuda_oom", "Ray Train's TrainingFailedError over a worker's OOM (ray/train/base_trainer.py; not looked up): the chained cause"],
    [rayDriver(["ray.exceptions.GetTimeoutError: Get timed out: some object(s) not ready."]), "timeout", "ray.get with a timeout (ray/_private/worker.py; not looked up)"],
    [rayDriver([
      "ray.exceptions.ActorDiedError: The actor died because of an error raised in its creation task, ray::RolloutWorker.__init__() (pid=4242, ip=10.0.0.5, actor_id=1a2b3c)",
      '  File "/workspace/workers.py", line 12, in __init__',
      "    import vllm",
      "ModuleNotFoundError: No module named 'vllm'",
    ]), "import_error", "an actor whose constructor failed to import (ray/exceptions.py ActorDiedError; not looked up)"],
    [tail(["ERROR: Job 439 failed with return code list: [1]", "✓ Job finished (status: FAILED)."]), "python_exception", "SkyPilot's job summary with no traceback kept above it (skypilot-org/skypilot#4599): a plain exit 1 that nothing explains, a launcher failure"],
    [tail(["ERROR: Job 12 failed with return code list: [137]", "✓ Job finished (status: FAILED).", "✓ Managed job finished: 7 (status: FAILED)."]), "process_killed", "SkyPilot's summary for a task killed with exit 137 (the same wording, skypilot-org/skypilot#4599)"],
  ],

  "3. launchers and wrappers: accelerate, DeepSpeed, Open MPI, Intel MPI / MPICH, horovodrun, Hydra, torchx": [
    [tail(ompiBox(["Primary job  terminated normally, but 1 process returned", "a non-zero exit code. Per user-direction, the job has been aborted."]).concat(ompiBox(["mpirun noticed that process rank 1 with PID 4242 on node gpu-node-07 exited on signal 11 (Segmentation fault)."]))), "segfault", "mpirun's report of a rank's SIGSEGV (Open MPI orterun; the signal 9 form in Kay1794/Aware-of-the-history#2)"],
    [tail([...PY_ERROR, ...ompiBox(["Primary job  terminated normally, but 1 process returned", "a non-zero exit code. Per user-direction, the job has been aborted."]), ...ompiBox(["mpirun detected that one or more processes exited with non-zero status, thus causing", "the job to be terminated. The first process to do so was:", "", "  Process name: [[29973,1],0]", "  Exit code:    1"])]), "python_exception", "mpirun's non-zero-exit report under the rank's traceback (horovod/horovod#1421)"],
    [tail(ompiBox(["mpirun detected that one or more processes exited with non-zero status, thus causing", "the job to be terminated. The first process to do so was:", "", "  Process name: [[29973,1],0]", "  Exit code:    137"])), "process_killed", "the same report for a rank that exited 137 (horovod/horovod#1421's wording)"],
    [tail([...PY_ERROR, ...ompiBox(["MPI_ABORT was invoked on rank 0 in communicator MPI_COMM_WORLD", "with errorcode 1.", "", "NOTE: invoking MPI_ABORT causes Open MPI to kill all MPI processes.", "You may or may not see output from other processes, depending on", "exactly when Open MPI kills them."])]), "python_exception", "Open MPI's MPI_ABORT report after mpi4py's excepthook (ompi/mpi/help-mpi-api.txt; not looked up): the traceback above names the cause"],
    [tail(hydraBanner(0, "KILLED BY SIGNAL: 9 (Killed)")), "process_killed", "MPICH / Intel MPI's banner for a rank killed by SIGKILL (find_string hits 60379015466, 28200167700, 33936229511)"],
    [tail(hydraBanner(1, "KILLED BY SIGNAL: 11 (Segmentation fault)")), "segfault", "the same banner for SIGSEGV (the signal form of hits 60379015466, 28200167700)"],
    [tail(hydraBanner(0, "KILLED BY SIGNAL: 15 (Terminated)")), "process_killed", "the Hydra banner for SIGTERM (the signal form of find_string hits 60379015466, 28200167700)"],
    [tail(ompiBox(["mpirun noticed that process rank 1 with PID 4242 on node gpu-node-07 exited on signal 6 (Aborted)."])), "segfault", "mpirun's report of a rank's SIGABRT with nothing before it (the signal form of Kay1794/Aware-of-the-history#2; corpus: an abort with no cause before it is segfault)"],
    [tail([...hydraBanner(0, "EXIT CODE: 139"), "===================================================================================", "=   CLEANING UP REMAINING PROCESSES", "=   YOU CAN IGNORE THE BELOW CLEANUP MESSAGES"]), "segfault", "MPICH's banner for a rank that exited 139 (src/pm/hydra; not looked up)"],
    [tail([
      "Process 0 exit with status code 137.",
      "Traceback (most recent call last):",
      '  File "/usr/local/bin/horovodrun", line 8, in <module>',
      "    sys.exit(run_commandline())",
      `  File "${SITE}/horovod/runner/launch.py", line 773, in run_commandline`,
      "    _run(args)",
      "RuntimeError: Horovod detected that one or more processes exited with non-zero status, thus causing the job to be terminated. The first process to do so was:",
      "Process name: 0",
      "Exit code: 137",
    ]), "process_killed", "horovodrun's report for a rank killed with exit 137 (horovod/horovod#3472, #2484)"],
    [pyTrace(["subprocess.CalledProcessError: Command '['/usr/bin/python3', 'train.py', '--config', 'configs/sft.yaml']' died with <Signals.SIGSEGV: 11>."], [`  File "${SITE}/accelerate/commands/launch.py", line 1175, in launch_command`, "    simple_launcher(args)", `  File "${SITE}/accelerate/commands/launch.py", line 769, in simple_launcher`, "    raise subprocess.CalledProcessError(returncode=process.returncode, cmd=cmd)"]), "segfault", "accelerate's single-process launcher after a SIGSEGV (accelerate/commands/launch.py simple_launcher; CPython's CalledProcessError wording; not looked up)"],
    [tail([
      ...OOM_TRACE,
      "Traceback (most recent call last):",
      '  File "/usr/local/bin/accelerate", line 8, in <module>',
      "    sys.exit(main())",
      `  File "${SITE}/accelerate/commands/launch.py", line 769, in simple_launcher`,
      "    raise subprocess.CalledProcessError(returncode=process.returncode, cmd=cmd)",
      "subprocess.CalledProcessError: Command '['/usr/bin/python3', 'train.py']' returned non-zero exit status 1.",
    ]), "cuda_oom", "the same launcher after the script's OOM traceback: the script's error is the cause"],
    [tail(["[2024-05-02 10:11:12,345] [INFO] [launch.py:319:sigkill_handler] Killing subprocess 4242", "[2024-05-02 10:11:12,346] [INFO] [launch.py:319:sigkill_handler] Killing subprocess 4243", "[2024-05-02 10:11:12,347] [ERROR] [launch.py:325:sigkill_handler] ['/usr/bin/python3', '-u', 'train.py', '--local_rank=1'] exits with return code = -7"]), "segfault", "DeepSpeed's launcher after a rank's SIGBUS (deepspeed/launcher/launch.py sigkill_handler; not looked up)"],
    [tail(["Error executing job with overrides: ['optimizer.lr=3e-4', 'model=llama-7b']", ...OOM_TRACE, "", "Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace."]), "cuda_oom", "Hydra's run_job wrapper around the task's OOM (hydra/_internal/utils.py; not looked up): the task's error"],
    [tail([
      "[2024-05-02 10:11:12,345][HYDRA] Launching 4 jobs locally",
      "[2024-05-02 10:11:12,346][HYDRA] \t#0 : optimizer.lr=1e-4",
      "Error executing job with overrides: ['optimizer.lr=1e-4']",
      "Traceback (most recent call last):",
      '  File "/workspace/train.py", line 44, in main',
      "    model = hydra.utils.instantiate(cfg.model)",
      "hydra.errors.InstantiationException: Error in call to target 'models.Llama':",
      "TypeError(\"__init__() got an unexpected keyword argument 'rope_theta'\")",
      "full_key: model",
      "",
      "Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace.",
    ]), "python_exception", "Hydra multirun's failure on a config that does not match the model (hydra/_internal/instantiate; not looked up)"],
    [tail([...OOM_TRACE, "torchx 2024-05-02 10:11:12 INFO     Waiting for the app to finish...", "torchx 2024-05-02 10:11:12 INFO     Job finished: FAILED", "torchx 2024-05-02 10:11:12 ERROR    AppStatus:", "    msg: <NONE>", "    num_restarts: 0", "    roles: []", "    state: FAILED (5)", "    structured_error_msg: <NONE>"]), "cuda_oom", "torchx's local scheduler summary after the app's OOM (torchx/cli/cmd_run.py; not looked up): the app's error"],
  ],

  "4. trackers, hubs and object stores: W&B, MLflow, huggingface_hub, datasets, boto3 / S3, Google Cloud": [
    [hubTrace("huggingface_hub.errors.HfHubHTTPError: 504 Server Error: Gateway Time-out for url: https://huggingface.co/api/datasets/HuggingFaceFW/fineweb/tree/main/data"), "timeout", "the hub's gateway timeout (fresh15 study: a 504 in the exception that ends the run is timeout)"],
    [hubTrace("huggingface_hub.errors.HfHubHTTPError: 502 Server Error: Bad Gateway for url: https://huggingface.co/api/datasets/HuggingFaceFW/fineweb/revision/main"), "python_exception", "the hub's bad gateway (huggingface_hub/utils/_http.py; not looked up): a server error, nothing timed out"],
    [hubTrace("huggingface_hub.errors.HfHubHTTPError: 429 Client Error: Too Many Requests for url: https://huggingface.co/api/datasets/HuggingFaceFW/fineweb/paths-info/0f8b3a1c"), "python_exception", "the hub's rate limit on a multi-GPU streaming run (huggingface/datasets#7506, #7344, huggingface_hub#2936)"],
    [requestsTrace("requests.exceptions.HTTPError: 504 Server Error: Gateway Timeout for url: https://minio.internal:9000/datasets/shards/train-00042.tar"), "timeout", "requests' raise_for_status on a 504 from an object store behind a gateway (requests/models.py; not looked up)"],
    [requestsTrace("requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='cdn-lfs.huggingface.co', port=443): Read timed out. (read timeout=10)"), "timeout", "the hub's LFS download timing out (corpus: `Read timed out`, timeout)"],
    [pyTrace("ConnectionError: Couldn't reach 'allenai/c4' on the Hub (ReadTimeout)", [`  File "${SITE}/datasets/load.py", line 1835, in dataset_module_factory`, "    raise ConnectionError(f\"Couldn't reach '{path}' on the Hub ({e.__class__.__name__})\") from e"]), "timeout", "datasets' load_dataset when the hub times out (rule timeout_http_request)"],
    [pyTrace("ConnectionError: Couldn't reach 'allenai/c4' on the Hub (LocalEntryNotFoundError)", [`  File "${SITE}/datasets/load.py", line 1835, in dataset_module_factory`, "    raise ConnectionError(f\"Couldn't reach '{path}' on the Hub ({e.__class__.__name__})\") from e"]), "python_exception", "the same with HF_HUB_OFFLINE=1 and no cache (datasets/load.py; not looked up): nothing timed out"],
    [pyTrace("aiohttp.client_exceptions.ClientPayloadError: Response payload is not completed: <ContentLengthError: 400, message='Not enough data for satisfy content length header.'>", [`  File "${SITE}/fsspec/implementations/http.py", line 589, in async_fetch_range`, "    out = await r.read()"]), "python_exception", "fsspec's HTTP file under a datasets stream whose connection dropped (aiohttp/client_proto.py; not looked up)"],
    [pyTrace("wandb.errors.errors.CommError: Run initialization has timed out after 90.0 sec. Please try increasing the timeout with the `init_timeout` setting: `wandb.init(settings=wandb.Settings(init_timeout=120))`.", [`  File "${SITE}/wandb/sdk/wandb_init.py", line 1544, in init`, "    wandb._sentry.reraise(e)"]), "timeout", "W&B's init timeout (rule timeout_wandb_init)"],
    [pyTrace("wandb.sdk.service.service.ServiceStartTimeoutError: Timed out waiting for wandb service to start after 30.0 seconds. Try increasing the timeout with the `_service_wait` setting.", [`  File "${SITE}/wandb/sdk/service/service.py", line 162, in _launch_server`, "    self._wait_for_ports(fname, proc=internal_proc)"]), "timeout", "W&B's service start timeout (wandb/sdk/service/service.py, find_string hits 41198976232, 393363820, 7817905768)"],
    [pyTrace("wandb.errors.errors.UsageError: api_key not configured (no-tty). call wandb.login(key=[your_api_key])", [`  File "${SITE}/wandb/sdk/wandb_login.py", line 298, in _login`, "    wlogin.prompt_api_key()"]), "python_exception", "W&B without a key in a batch job (wandb/sdk/wandb_login.py; not looked up)"],
    [pyTrace("ConnectionResetError: [Errno 104] Connection reset by peer", [`  File "${SITE}/wandb/sdk/lib/sock_client.py", line 243, in _read_packet_bytes`, "    data = self._sock.recv(self._bufsize)"]), "python_exception", "W&B's service socket dropped (wandb/sdk/lib/sock_client.py; not looked up): a reset outside c10d / gloo is no collective failure"],
    [pyTrace("mlflow.exceptions.MlflowException: API request to http://mlflow.internal:5000/api/2.0/mlflow/runs/log-metric failed with exception HTTPConnectionPool(host='mlflow.internal', port=5000): Max retries exceeded with url: /api/2.0/mlflow/runs/log-metric (Caused by ResponseError('too many 500 error responses'))", [`  File "${SITE}/mlflow/utils/rest_utils.py", line 135, in http_request`, "    raise MlflowException(f\"API request to {url} failed with exception {e}\")"]), "python_exception", "MLflow's client after the tracking server's 500s (mlflow/utils/rest_utils.py; not looked up)"],
    [pyTrace("mlflow.exceptions.MlflowException: API request to http://mlflow.internal:5000/api/2.0/mlflow/runs/log-batch failed with exception HTTPConnectionPool(host='mlflow.internal', port=5000): Max retries exceeded with url: /api/2.0/mlflow/runs/log-batch (Caused by ConnectTimeoutError(<urllib3.connection.HTTPConnection object at 0x7f3c2a1b4740>, 'Connection to mlflow.internal timed out. (connect timeout=120)'))", [`  File "${SITE}/mlflow/utils/rest_utils.py", line 135, in http_request`, "    raise MlflowException(f\"API request to {url} failed with exception {e}\")"]), "timeout", "the same client after connect timeouts (rule timeout_http_retries)"],
    [pyTrace("botocore.exceptions.ReadTimeoutError: Read timeout on endpoint URL: \"https://my-bucket.s3.us-east-1.amazonaws.com/ckpt/step-3000/model-00001-of-00004.safetensors?uploadId=2~abc&partNumber=12\"", [`  File "${SITE}/botocore/httpsession.py", line 501, in send`, "    raise ReadTimeoutError(endpoint_url=request.url, error=e)"]), "timeout", "botocore's read timeout while a checkpoint uploads to S3 (botocore/httpsession.py; find_string hits 30629456010, 57971041198)"],
    [pyTrace("botocore.exceptions.ConnectTimeoutError: Connect timeout on endpoint URL: \"https://my-bucket.s3.us-east-1.amazonaws.com/datasets/shard-00042.tar\"", [`  File "${SITE}/botocore/httpsession.py", line 499, in send`, "    raise ConnectTimeoutError(endpoint_url=request.url, error=e)"]), "timeout", "botocore's connect timeout (the connect form named with the read form in find_string hit 70094439223)"],
    [pyTrace("botocore.exceptions.EndpointConnectionError: Could not connect to the endpoint URL: \"https://my-bucket.s3.us-east-1.amazonaws.com/datasets/shard-00042.tar\"", [`  File "${SITE}/botocore/httpsession.py", line 493, in send`, "    raise EndpointConnectionError(endpoint_url=request.url, error=e)"]), "python_exception", "botocore without a route to the endpoint (find_string hit 70094439223 names it): refused or unresolvable, nothing timed out"],
    [pyTrace("botocore.exceptions.ClientError: An error occurred (SlowDown) when calling the PutObject operation (reached max retries: 4): Please reduce your request rate.", [`  File "${SITE}/botocore/client.py", line 1021, in _make_api_call`, "    raise error_class(parsed_response, operation_name)"]), "python_exception", "S3 throttling a checkpoint upload (botocore/client.py; not looked up)"],
    [pyTrace("botocore.exceptions.ClientError: An error occurred (RequestTimeout) when calling the UploadPart operation (reached max retries: 4): Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.", [`  File "${SITE}/botocore/client.py", line 1021, in _make_api_call`, "    raise error_class(parsed_response, operation_name)"]), "timeout", "S3's RequestTimeout error code on a multipart upload (S3's error table as find_string hits 12036206603, 3025162300, 34120794415 quote it)"],
    [pyTrace("OSError: [Errno 5] An error occurred (ExpiredToken) when calling the PutObject operation: The provided token has expired.", [`  File "${SITE}/s3fs/core.py", line 140, in _error_wrapper`, "    raise err"]), "python_exception", "s3fs translating an expired session token (s3fs/errors.py; not looked up)"],
    [pyTrace("google.api_core.exceptions.DeadlineExceeded: 504 Deadline Exceeded", [`  File "${SITE}/google/api_core/grpc_helpers.py", line 78, in error_remapped_callable`, "    raise exceptions.from_grpc_error(exc) from exc"]), "timeout", "a Google API's deadline (rule timeout_grpc_deadline)"],
    [pyTrace("google.api_core.exceptions.RetryError: Timeout of 600.0s exceeded, last exception: 503 Service Unavailable", [`  File "${SITE}/google/api_core/retry/retry_unary.py", line 204, in retry_target`, "    raise exceptions.RetryError("]), "timeout", "google-api-core's retry loop giving up at its deadline (google/api_core/retry; not looked up)"],
    [pyTrace("mlflow.exceptions.MlflowException: API request to endpoint /api/2.0/mlflow/runs/log-batch failed with error code 504 != 200. Response body: ''", [`  File "${SITE}/mlflow/utils/rest_utils.py", line 305, in verify_rest_response`, "    raise MlflowException("]), "timeout", "MLflow's client when a gateway in front of the tracking server times out (mlflow/utils/rest_utils.py verify_rest_response; not looked up)"],
    [pyTrace("azure.core.exceptions.HttpResponseError: Operation could not be completed within the specified time.", [`  File "${SITE}/azure/storage/blob/_upload_helpers.py", line 195, in upload_block_blob`, "    process_storage_error(error)"]), "timeout", "Azure Storage's OperationTimedOut error (the service's error table; not looked up)"],
    [pyTrace("Exception: Error while downloading: reqwest::Error { kind: Request, url: \"https://cdn-lfs.hf.co/repos/a1/b2/c3d4e5f6\", source: hyper::Error(Connect, ConnectError(\"tcp connect error\", Os { code: 110, kind: TimedOut, message: \"Connection timed out\" })) }", [`  File "${SITE}/huggingface_hub/file_download.py", line 434, in http_get`, "    hf_transfer.download("]), "timeout", "hf_transfer's Rust download timing out (the reqwest / hyper error's Debug form in find_string hits 36444641580, 1736455720, 17733922899; the `Error while downloading:` prefix not looked up)"],
    [hubTrace("huggingface_hub.errors.HfHubHTTPError: 401 Client Error: Unauthorized for url: https://huggingface.co/api/models/meta-llama/Llama-2-7b-hf/revision/main (Request ID: Root=1-663371a0-5c1f2d3e4b5a6978)"), "python_exception", "the hub refusing a token (not looked up)"],
  ],

  "5. network stacks: requests, urllib3, urllib, httpx, aiohttp, gRPC, the OpenAI client": [
    [requestsTrace("requests.exceptions.ConnectionError: ('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))"), "python_exception", "requests after a TCP reset (requests/adapters.py; not looked up): no c10d / gloo peer"],
    [requestsTrace("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/meta-llama/Llama-2-7b-hf (Caused by NameResolutionError(\"<urllib3.connection.HTTPSConnection object at 0x7f3c2a1b4740>: Failed to resolve 'huggingface.co' ([Errno -3] Temporary failure in name resolution)\"))"), "python_exception", "urllib3 2.x's DNS failure under requests (urllib3/connection.py; not looked up)"],
    [requestsTrace("requests.exceptions.SSLError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /meta-llama/Llama-2-7b-hf/resolve/main/config.json (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self signed certificate in certificate chain (_ssl.c:1007)')))"), "python_exception", "a TLS-intercepting proxy (ssl module's verify error; not looked up)"],
    [requestsTrace("requests.exceptions.ConnectionError: HTTPConnectionPool(host='localhost', port=8000): Max retries exceeded with url: /v1/completions (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c2a1b4740>: Failed to establish a new connection: [Errno 111] Connection refused'))"), "python_exception", "a reward / rollout server that is not listening (urllib3/connection.py; not looked up)"],
    [requestsTrace("requests.exceptions.ConnectionError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/meta-llama/Llama-2-7b-hf (Caused by NewConnectionError('<urllib3.connection.HTTPSConnection object at 0x7f3c2a1b4740>: Failed to establish a new connection: [Errno 110] Connection timed out'))"), "timeout", "the same establishment failing by errno 110 (corpus: `[Errno 110] Connection timed out`, timeout)"],
    [requestsTrace("requests.exceptions.ChunkedEncodingError: ('Connection broken: IncompleteRead(1048576 bytes read, 3145728 more expected)', IncompleteRead(1048576 bytes read, 3145728 more expected))"), "python_exception", "a download cut mid-body (requests/models.py iter_content; not looked up)"],
    [pyTrace("urllib.error.HTTPError: HTTP Error 503: Service Unavailable", [`  File "/usr/lib/python3.10/urllib/request.py", line 643, in http_error_default`, "    raise HTTPError(req.full_url, code, msg, hdrs, fp)"]), "python_exception", "urllib's 503 while torchvision fetches a dataset (urllib/request.py; not looked up)"],
    [pyTrace("urllib.error.HTTPError: HTTP Error 504: Gateway Time-out", [`  File "/usr/lib/python3.10/urllib/request.py", line 643, in http_error_default`, "    raise HTTPError(req.full_url, code, msg, hdrs, fp)"]), "timeout", "urllib's 504 (fresh15 study's family)"],
    [pyTrace("urllib.error.URLError: <urlopen error [Errno 110] Connection timed out>", [`  File "/usr/lib/python3.10/urllib/request.py", line 1351, in do_open`, "    raise URLError(err)"]), "timeout", "urllib's connect timeout (rule timeout_python)"],
    [pyTrace("socket.gaierror: [Errno -2] Name or service not known", [`  File "/usr/lib/python3.10/socket.py", line 955, in getaddrinfo`, "    for res in _socket.getaddrinfo(host, port, family, type, proto, flags):"]), "python_exception", "a host name that does not resolve (corpus: 1 python_exception holds `Name or service not known`)"],
    [pyTrace("httpx.ConnectError: [Errno -3] Temporary failure in name resolution", [`  File "${SITE}/httpx/_transports/default.py", line 118, in map_httpcore_exceptions`, "    raise mapped_exc(message) from exc"]), "python_exception", "httpx's DNS failure (httpx/_transports/default.py; not looked up)"],
    [pyTrace("httpx.ReadTimeout: The read operation timed out", [`  File "${SITE}/httpx/_transports/default.py", line 118, in map_httpcore_exceptions`, "    raise mapped_exc(message) from exc"]), "timeout", "httpx's read timeout (rule timeout_python)"],
    [pyTrace("httpx.PoolTimeout", [`  File "${SITE}/httpx/_transports/default.py", line 118, in map_httpcore_exceptions`, "    raise mapped_exc(message) from exc"]), "timeout", "httpx's pool timeout with an empty message (not looked up)"],
    [pyTrace("aiohttp.client_exceptions.ServerDisconnectedError: Server disconnected", [`  File "${SITE}/aiohttp/client.py", line 703, in _request`, "    await resp.start(conn)"]), "python_exception", "aiohttp's dropped connection (not looked up)"],
    [pyTrace("aiohttp.client_exceptions.ClientConnectorError: Cannot connect to host huggingface.co:443 ssl:default [Connection reset by peer]", [`  File "${SITE}/aiohttp/connector.py", line 1268, in _wrap_create_connection`, "    raise client_error(req.connection_key, exc) from exc"]), "python_exception", "aiohttp's connect failure by reset (not looked up): no c10d / gloo peer"],
    [pyTrace("asyncio.exceptions.TimeoutError", [`  File "${SITE}/aiohttp/client.py", line 702, in _request`, "    async with ceil_timeout(real_timeout.total, ceil_threshold=real_timeout.ceil_threshold):"]), "timeout", "aiohttp's total timeout, a bare TimeoutError (corpus: bare TimeoutError, timeout)"],
    [pyTrace([
      "grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:",
      "\tstatus = StatusCode.UNAVAILABLE",
      "\tdetails = \"failed to connect to all addresses; last error: UNKNOWN: ipv4:10.0.0.5:8470: Failed to connect to remote host: Connection refused\"",
      "\tdebug_error_string = \"UNKNOWN:failed to connect to all addresses {grpc_status:14, created_time:\"2024-05-02T10:11:12.345678+00:00\"}\"",
      ">",
    ], [`  File "${SITE}/grpc/_channel.py", line 1181, in __call__`, "    return _end_unary_response_blocking(state, call, False, None)"]), "python_exception", "gRPC with its server gone (grpc/_channel.py; not looked up): refused, nothing timed out"],
    [pyTrace([
      "grpc._channel._InactiveRpcError: <_InactiveRpcError of RPC that terminated with:",
      "\tstatus = StatusCode.DEADLINE_EXCEEDED",
      "\tdetails = \"Deadline Exceeded\"",
      "\tdebug_error_string = \"UNKNOWN:Deadline Exceeded {grpc_status:4, created_time:\"2024-05-02T10:11:12.345678+00:00\"}\"",
      ">",
    ], [`  File "${SITE}/grpc/_channel.py", line 1181, in __call__`, "    return _end_unary_response_blocking(state, call, False, None)"]), "timeout", "gRPC's deadline (rule timeout_grpc_deadline)"],
    [pyTrace("openai.APITimeoutError: Request timed out.", [`  File "${SITE}/openai/_base_client.py", line 1033, in _request`, "    raise APITimeoutError(request=request) from err"]), "timeout", "the OpenAI client's timeout in an RL reward call (openai/_base_client.py; not looked up)"],
    [pyTrace("openai.RateLimitError: Error code: 429 - {'error': {'message': 'Rate limit reached for gpt-4o in organization org-abc on tokens per min (TPM): Limit 30000, Used 29876, Requested 1200.', 'type': 'tokens', 'param': None, 'code': 'rate_limit_exceeded'}}", [`  File "${SITE}/openai/_base_client.py", line 1059, in _request`, "    raise self._make_status_error_from_response(err.response) from None"]), "python_exception", "the OpenAI client's rate limit (not looked up)"],
    [pyTrace("openai.InternalServerError: Error code: 502 - {'error': {'message': 'Bad gateway.', 'type': 'cf_bad_gateway', 'param': None, 'code': 502}}", [`  File "${SITE}/openai/_base_client.py", line 1059, in _request`, "    raise self._make_status_error_from_response(err.response) from None"]), "python_exception", "the OpenAI client's 502 (not looked up)"],
    [pyTrace("openai.APIStatusError: Error code: 504 - {'error': {'message': 'upstream request timeout', 'type': 'gateway_timeout', 'code': 504}}", [`  File "${SITE}/openai/_base_client.py", line 1059, in _request`, "    raise self._make_status_error_from_response(err.response) from None"]), "timeout", "a 504 through the OpenAI client from a vLLM server behind a gateway (fresh15 study's family; not looked up)"],
    [pyTrace("ConnectionRefusedError: [Errno 111] Connection refused", [`  File "/usr/lib/python3.10/socket.py", line 845, in create_connection`, "    raise err"]), "python_exception", "a plain socket to a server that is not listening (CPython's socket.py; not looked up)"],
    [pyTrace("OSError: [Errno 101] Network is unreachable", [`  File "/usr/lib/python3.10/socket.py", line 845, in create_connection`, "    raise err"]), "python_exception", "a node without a route out (not looked up)"],
    [requestsTrace("requests.exceptions.SSLError: HTTPSConnectionPool(host='huggingface.co', port=443): Max retries exceeded with url: /api/models/meta-llama/Llama-2-7b-hf (Caused by SSLError(SSLEOFError(8, 'EOF occurred in violation of protocol (_ssl.c:2426)')))"), "python_exception", "a proxy closing the TLS handshake (ssl module; not looked up)"],
  ],

  "near misses: the same words in runs that went on": [
    [healthy(["wandb: Network error (ReadTimeout), entering retry loop.", "wandb: Network error resolved after 0:00:12.345678, resuming normal operation."]), "none", "W&B's retry loop (wandb/sdk/internal/internal_api.py; not looked up)"],
    [healthy(["wandb: WARNING A graphql request initiated by the public wandb API timed out (timeout=19 sec). Create a new API with an integer timeout larger than 19, e.g., `api = wandb.Api(timeout=29)` to increase the graphql timeout."]), "none", "W&B's public API warning (not looked up)"],
    [healthy(["'(ReadTimeoutError(\"HTTPSConnectionPool(host='cdn-lfs.hf.co', port=443): Read timed out. (read timeout=10)\"), '(Request ID: 3f2a9c1d-7b4e-4c5d-9e7f-0a1b2c3d4e5f)')' thrown while requesting GET https://huggingface.co/datasets/allenai/c4/resolve/main/en/c4-train.00042-of-01024.json.gz", "Retrying in 1s [Retry 1/5]."]), "none", "huggingface_hub's http_backoff retrying a read timeout (huggingface_hub/utils/_http.py; not looked up)"],
    [healthy(["HTTP Error 429 thrown while requesting HEAD https://huggingface.co/datasets/HuggingFaceFW/fineweb/resolve/main/data/CC-MAIN-2024-10/000_00000.parquet", "Retrying in 8s [Retry 3/5]."]), "none", "the same backoff on a rate limit (not looked up)"],
    [healthy(["WARNING:urllib3.connectionpool:Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f3c2a1b4740>: Failed to establish a new connection: [Errno 111] Connection refused')': /api/2.0/mlflow/runs/log-batch"]), "none", "urllib3's retry warning under MLflow (urllib3/connectionpool.py; not looked up)"],
    [healthy(["WARNING:urllib3.connectionpool:Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ReadTimeoutError(\"HTTPSConnectionPool(host='api.wandb.ai', port=443): Read timed out. (read timeout=20)\")': /graphql"]), "none", "the same retry after a read timeout (not looked up)"],
    [healthy(["Experiencing connection interruptions. Will try to reestablish communication with Neptune. Internal exception was: ReadTimeout", "Communication with Neptune restored!"]), "none", "Neptune's reconnect notice (neptune/internal/threading; not looked up)"],
    [healthy([`${SITE}/urllib3/connectionpool.py:1099: InsecureRequestWarning: Unverified HTTPS request is being made to host 'minio.internal'. Adding certificate verification is strongly advised. See: https://urllib3.readthedocs.io/en/latest/advanced-usage.html#tls-warnings`, "  warnings.warn("]), "none", "urllib3's TLS warning for a self-hosted object store (not looked up)"],
    [healthy(["srun: Job 4242 step creation temporarily disabled, retrying (Requested nodes are busy)", "srun: Step created for job 4242"]), "none", "srun waiting for its step (src/srun; not looked up)"],
    [healthy([
      "submitit WARNING (2024-05-02 10:11:12,345) - Bypassing signal SIGCONT",
      "submitit WARNING (2024-05-02 10:11:12,346) - Job has timed out. Ran 238 minutes out of requested 240 minutes.",
      "submitit WARNING (2024-05-02 10:11:12,347) - Requeued job 4242 (1 remaining timeouts)",
      "submitit INFO (2024-05-02 10:13:40,123) - Starting with JobEnvironment(job_id=4242, hostname=gpu-node-09, local_rank=0(1), node=0(1), global_rank=0(1))",
      "Resuming from checkpoint /checkpoint/alice/step-3000",
    ]), "none", "submitit's checkpoint-and-requeue at the time limit, the requeued job resuming (submitit/core/job_environment.py; not looked up)"],
    [healthy(["Handling auto-requeue signal: 10", "requeing job 4242...", "Requeued SLURM job: 4242", "Restoring states from the checkpoint path at /checkpoint/alice/last.ckpt"]), "none", "Lightning's SLURM auto-requeue and the resumed run (lightning/pytorch/trainer/connectors/signal_connector.py; not looked up)"],
    [healthy([...kubeEvents([
      "  Warning  FailedScheduling  2m    default-scheduler  0/4 nodes are available: 4 Insufficient nvidia.com/gpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.",
      "  Normal   Scheduled         30s   default-scheduler  Successfully assigned default/llama-ft-master-0 to gpu-node-07",
      "  Normal   Started           12s   kubelet            Started container pytorch",
    ])]), "none", "the scheduler waiting for a GPU node, then the pod starting (not looked up)"],
    [healthy(["  Normal  QuotaReserved  2m  kueue-admission  Quota reserved in ClusterQueue cluster-queue, wait time since queued was 3s", "  Normal  Admitted       2m  kueue-admission  Admitted by ClusterQueue cluster-queue, wait time since reservation was 0s"]), "none", "Kueue admitting a workload (not looked up)"],
    [healthy(kubeEvents(["  Warning  Unhealthy  2m (x3 over 4m)  kubelet  Readiness probe failed: HTTP probe failed with statuscode: 503"])), "none", "kubelet's readiness probe failing while a server warms up (no kill: readiness only gates traffic; not looked up)"],
    [healthy(["I 09-12 22:49:49 controller.py:545] Cluster is preempted or failed. Recovering...", "I 09-12 22:55:12 recovery_strategy.py:73] Spot cluster launched.", "I 09-12 22:55:15 controller.py:138] Job status: JobStatus.RUNNING"]), "none", "SkyPilot's managed job recovering from a spot preemption (skypilot-org/skypilot#7168's controller log)"],
    [healthy(["[2024-05-02 10:11:12,345] [INFO] [launch.py:351:main] Process 4242 exits successfully.", "[2024-05-02 10:11:12,346] [INFO] [launch.py:351:main] Process 4243 exits successfully."]), "none", "DeepSpeed's launcher at a normal end (not looked up)"],
    [healthy(ompiBox(["WARNING: There is at least non-excluded one OpenFabrics device found,", "but there are no active ports detected (or Open MPI was unable to use", "them).  This is most certainly not what you wanted.  Check your", "cables, subnet manager configuration, etc.  The openib BTL will be", "ignored for this job."])), "none", "Open MPI's openib warning on a node without active IB ports (not looked up)"],
    [healthy(["[2024-05-02 10:11:12,345][HYDRA] Launching 4 jobs locally", "[2024-05-02 10:11:12,346][HYDRA] \t#0 : optimizer.lr=1e-4", "[2024-05-02 10:11:12,347][HYDRA] \t#1 : optimizer.lr=3e-4"]), "none", "Hydra's multirun launcher (not looked up)"],
    [healthy(["(raylet) [2024-05-02 10:11:12,345 I 4242 4242] (raylet) local_object_manager.cc:245: :info_message:Spilled 2048 MiB, 40 objects, write throughput 512 MiB/s. Set RAY_verbose_spill_logs=0 to disable this message."]), "none", "Ray's object spilling notice (not looked up)"],
    [healthy(["2024-05-02 10:11:12,345\tWARNING worker.py:2058 -- Failed to set SIGTERM handler, processes might not be cleaned up properly on exit."]), "none", "Ray's signal-handler warning in a thread (not looked up)"],
    [healthy(["[W502 10:11:12.345678 socket.cpp:697] [c10d] The client socket has failed to connect to [gpu-node-07]:29500 (errno: 111 - Connection refused).", "[W502 10:11:13.345678 socket.cpp:697] [c10d] The client socket has failed to connect to [gpu-node-07]:29500 (errno: 111 - Connection refused)."]), "none", "c10d's client retrying while the master starts (torch/csrc/distributed/c10d/socket.cpp; not looked up)"],
  ],
};

testDictionary("crash rules dictionary, fifth round: schedulers, platforms, hubs and networks", FAMILIES, primaryOf);
