/**
 * Log text as real capture tools write it: every line of an excerpt rewritten with the prefix (or
 * decoration) that a launcher, log collector or container runtime adds. Used by
 * test/crash-capture-prefix.test.ts and bench/crash-capture.bench.ts to check that the scanner names
 * the same cause however the log was captured. Each form names the tool and a real line it wrote.
 */

/** One way of capturing a log: `wrap` rewrites a whole text. */
export interface CaptureForm {
  readonly name: string;
  /** The tool, and a real line of its output (the thread it came from). */
  readonly example: string;
  readonly wrap: (text: string) => string;
}

/** Applies `f(line, i)` to every non-empty line, keeping the line breaks as they are. */
function perLine(text: string, f: (line: string, i: number) => string): string {
  return text
    .split("\n")
    .map((l, i) => {
      const cr = l.endsWith("\r");
      const body = cr ? l.slice(0, -1) : l;
      return body ? f(body, i) + (cr ? "\r" : "") : l;
    })
    .join("\n");
}

const two = (n: number) => String(n).padStart(2, "0");
/** A clock that moves with the line number, so no two neighbouring lines share a prefix. */
const clock = (i: number) => `08:${two(47 + Math.floor(i / 60) % 10)}:${two(i % 60)}`;

/** The capture forms the scanner strips (agent/crash/capture-prefix.ts), plus the plain text. */
export const CAPTURE_FORMS: readonly CaptureForm[] = [
  { name: "orig", example: "the excerpt as collected", wrap: (s) => s },
  { name: "crlf", example: "Windows line ends", wrap: (s) => s.replace(/\r?\n/g, "\r\n") },
  { name: "ansi", example: "colour codes around each line", wrap: (s) => perLine(s, (l) => `\x1b[31m${l}\x1b[0m`) },
  { name: "rank", example: "PyTorch >= 2.2: `[rank3]: Traceback (most recent call last):`", wrap: (s) => perLine(s, (l) => `[rank3]: ${l}`) },
  { name: "ts", example: "ISO timestamp of a log collector: `2024-05-08T08:47:31.261Z `", wrap: (s) => perLine(s, (l, i) => `2024-05-08T${clock(i)}.261Z ${l}`) },
  { name: "default", example: "torchrun --tee: `[default0]:12:13:46    INFO Starting training loop` (corpus)", wrap: (s) => perLine(s, (l) => `[default0]:${l}`) },
  { name: "mpirun", example: "mpirun --tag-output: `[1,26]<stdout>:ip-172-32-36-209:8716:9558 [2] NCCL INFO ...` (corpus)", wrap: (s) => perLine(s, (l) => `[1,0]<stderr>:${l}`) },
  { name: "srun", example: "srun -l: ` 7: [rank80]: urllib3.exceptions.ReadTimeoutError: ...` (corpus)", wrap: (s) => perLine(s, (l) => ` 3: ${l}`) },
  { name: "ray", example: "Ray: `(RayWorkerWrapper pid=933, ip=50.147.43.24) [rank1]:[E528 ...` (corpus)", wrap: (s) => perLine(s, (l) => `(RayTrainWorker pid=1234, ip=10.0.0.2) ${l}`) },
  { name: "skypilot", example: "SkyPilot: `(worker1, rank=1, pid=22249, ip=10.31.0.9)   exitcode  : 1 (pid: 22640)` (skypilot-org/skypilot#2355)", wrap: (s) => perLine(s, (l) => `(worker1, rank=1, pid=22249, ip=10.31.0.9) ${l}`) },
  { name: "compose", example: "docker compose: `daskcluster-worker-1     | 2022-11-13 17:01:17,386 - distributed.worker - WARNING` (corpus)", wrap: (s) => perLine(s, (l) => `trainer-1  | ${l}`) },
  { name: "accelerate", example: "accelerate test: `stderr: Traceback (most recent call last):` (huggingface/accelerate#100)", wrap: (s) => perLine(s, (l) => `stderr: ${l}`) },
  { name: "ci-ts", example: "GitHub Actions: `2025-12-08T22:46:42.6320255Z Traceback (most recent call last):` (pytorch/pytorch#169909)", wrap: (s) => perLine(s, (l, i) => `2025-12-08T22:${clock(i).slice(3)}.6320255Z ${l}`) },
  { name: "cri", example: "containerd/CRI-O: `2023-11-16T14:09:16.533247217+03:00 stderr F Picked up _JAVA_OPTIONS: ...` (fluent/fluent-bit#6703)", wrap: (s) => perLine(s, (l, i) => `2024-05-08T${clock(i)}.${String(261123456 + i)}Z stderr F ${l}`) },
  { name: "syslog", example: "journald: `Aug 24 10:39:53 eg-00-01-c0-26-e0-1d dockerd[629]: time=...` (NVIDIA/nvidia-container-toolkit#104)", wrap: (s) => perLine(s, (l, i) => `May  8 ${clock(i)} gpu-node-3 python3[2417]: ${l}`) },
  { name: "circleci", example: "CircleCI: `Dec 30 22:42:59 Traceback (most recent call last): ` (pytorch/pytorch#31714)", wrap: (s) => perLine(s, (l, i) => `Dec 30 ${clock(i)} ${l}`) },
  { name: "cri+rank", example: "a rank's line in a pod's log: CRI prefix, then PyTorch's `[rank0]: `", wrap: (s) => perLine(s, (l, i) => `2024-05-08T${clock(i)}.261123456Z stderr F [rank0]: ${l}`) },
  { name: "sagemaker", example: "SageMaker's mpirun: `[1,mpirank:0,algo-1]<stderr>:INFO:root:Reducer buckets have been rebuilt in this iteration.` (huggingface/accelerate docs, usage_guides/sagemaker.md)", wrap: (s) => perLine(s, (l) => `[1,mpirank:0,algo-1]<stderr>:${l}`) },
  { name: "kubectl", example: "kubectl logs --prefix: `[pod/echo-req-7cfd7bf68f-nk5kr/hello] 172.17.0.1 - - ...` (geerlingguy/ansible-for-kubernetes#75)", wrap: (s) => perLine(s, (l) => `[pod/trainer-worker-0/pytorch] ${l}`) },
  { name: "pdsh-ip", example: "pdsh under DeepSpeed: `104.171.201.172: lambda-scalar03:148969:148969 [3] NCCL INFO Using network Socket` (huggingface/accelerate#1317)", wrap: (s) => perLine(s, (l) => `10.0.0.12: ${l}`) },
  { name: "determined", example: "Determined: `[2022-05-31T14:25:44.128074Z] dc5b74e6 [rank=1] ||   File \"...\"` (determined-ai/determined#4247)", wrap: (s) => perLine(s, (l, i) => `[2022-05-31T14:${clock(i).slice(3)}.128074Z] dc5b74e6 [rank=0] || ${l}`) },
  { name: "vertex", example: "Vertex AI: `INFO    2022-01-26 14:19:41 +1100       workerpool0-0   {'loss': 5.3862, ...}` (GoogleCloudPlatform/vertex-ai-samples#242; tabs as the tool writes them)", wrap: (s) => perLine(s, (l, i) => `ERROR\t2022-01-26 14:${clock(i).slice(3)} +1100\tworkerpool0-0\t${l}`) },
];

/**
 * Capture forms no known layer reads, which the scanner learns from the log itself (a traceback's lines,
 * or most of its last lines, carry them): pdsh under DeepSpeed with host names (`x1000c0s6b0n0: ...`,
 * deepspeedai/DeepSpeed#3969), and timestamps without a zone, which a capture tool or a logger writes.
 * A one-line log teaches nothing, so they are checked on logs of two lines or more.
 */
export const LEARNED_FORMS: readonly CaptureForm[] = [
  { name: "pdsh-host", example: "pdsh under DeepSpeed: `x1000c0s6b0n0: per_device_train_batch_size=8,` (deepspeedai/DeepSpeed#3969)", wrap: (s) => perLine(s, (l) => `worker-1: ${l}`) },
  { name: "ts-bracket", example: "`[2024-05-08 08:47:12] ` before every line", wrap: (s) => perLine(s, (l, i) => `[2024-05-08 ${clock(i)}] ${l}`) },
  { name: "ts-ms", example: "`2024-05-08 08:47:12.261 ` before every line", wrap: (s) => perLine(s, (l, i) => `2024-05-08 ${clock(i)}.261 ${l}`) },
  { name: "ts-nozone", example: "RFC 3339 without a zone, `2024-05-08T08:47:12.261 ` before every line", wrap: (s) => perLine(s, (l, i) => `2024-05-08T${clock(i)}.261 ${l}`) },
];

/** The lead's approximation of a Kubernetes line (no timestamp): no tool writes it, so it is not stripped; measured for comparison. */
export const K8S_LIKE: CaptureForm = { name: "k8s-like", example: "`worker-0 stderr F ` (not a real format)", wrap: (s) => perLine(s, (l) => `worker-0 stderr F ${l}`) };
