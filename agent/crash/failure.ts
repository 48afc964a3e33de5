/**
 * Never "no crash" for a crashed process: turns the failure a log ends in (agent/crash/traceback.ts)
 * into a finding when no rule explains it. The finding names the exception type and message, the
 * innermost frame of the user's code, and what to look at; its category is `python_exception`.
 */
import { crashSignature } from "./signature.js";
import { chainOf, chainRoot, goesOnAfter, innermostUserFrame, normaliseLine, prefixRank, warnEchoFollows, wrappedType, type FailureReport, type LauncherReport, type ParsedException } from "./traceback.js";
import type { RuleTraits } from "./rules.js";
import type { CrashCategory, CrashFinding } from "./types.js";

/** Priority of the traceback fallback: below every rule-named cause, above every symptom (it is a cause). */
export const FALLBACK_PRIORITY = -5;

/** The lines of a scanned text kept for the parser, with where they are in the file. */
export interface KeptLines {
  lines: string[];
  /** Line number (as in CrashFinding.line) of lines[0]. */
  firstLine: number;
  /** Byte offset of each line (null when unknown). */
  offsets: (number | null)[];
  /**
   * The lines as written, when `lines` lost capture prefixes (`[rank3]: `, a collector's timestamp;
   * agent/crash/capture-prefix.ts): a finding quotes these.
   */
  asWritten?: string[];
}

/** What a finding made from the kept lines as a whole (not by a rule) says; see keptLineFinding. */
export interface KeptFindingSpec {
  category: CrashCategory;
  ruleId: string;
  suggestion: string;
  /** What, beside the category and rule, makes its signature (the same cause on two hosts groups). */
  signatureKey: string;
  priority: number;
}

/**
 * A fatal cause finding on kept line `at`, in the final incident: the traceback fallback, a log that
 * ends waiting or diverged, a metric table's NaN row (agent/crash/diverged-end.ts, metric-table.ts).
 */
export function keptLineFinding(file: string, kept: KeptLines, at: number, spec: KeptFindingSpec): CrashFinding {
  const text = (kept.asWritten?.[at] ?? kept.lines[at] ?? "").trim();
  return {
    category: spec.category,
    ruleId: spec.ruleId,
    role: "cause",
    file,
    line: kept.firstLine + at,
    text: text.length > 1000 ? `${text.slice(0, 1000)}…` : text,
    suggestion: spec.suggestion,
    signature: crashSignature(spec.category, spec.ruleId, spec.signatureKey),
    severity: "fatal",
    priority: spec.priority,
    byteOffset: kept.offsets[at] ?? null,
    finalIncident: true,
  };
}

/**
 * Why a failure needs a finding of its own, or null when the rules already explain it; `traits`: the
 * rule ids of each trait (CompiledRules.traits), which say which findings are peers waiting,
 * launchers cleaning up and warnings that explain a failure.
 */
export function fallbackFinding(file: string, kept: KeptLines, report: FailureReport, ruleFindings: readonly CrashFinding[], exitFailed: boolean, traits: RuleTraits): CrashFinding | null {
  if (!report.terminal && !exitFailed) return null;
  const { launcher } = report;
  let e = report.exception;
  const lineNo = (i: number) => kept.firstLine + i;
  const counted = ruleFindings.filter((f) => f.severity !== "warning");
  const earlier = earlierDeathFinding(file, kept, launcher, counted, traits);
  if (earlier !== undefined) return earlier;
  // The final incident is only peers waiting (store/socket/collective timeouts, lost connections)
  // and an exception no rule knows came just before them: that rank's failure is what they waited for.
  const waitedFor = exceptionBeforePeerWaits(report.exceptions, counted, lineNo, traits);
  if (waitedFor) e = waitedFor;
  const inChain = (f: CrashFinding) => e !== null && chainOf(e).some((x) => f.line >= lineNo(x.line) && f.line <= lineNo(x.endLine));
  // torchrun names the rank that failed first and this is that rank's own exception: the store,
  // socket and collective timeouts or NCCL network errors the other ranks report are what they saw
  // when it went away, so they do not explain it (and must not outrank it).
  const finalCauses = counted.filter((f) => f.role === "cause" && f.finalIncident);
  const rootRank = e !== null && launcher?.rank !== undefined && !launcher.otherFailure && prefixRank(e.prefix, launcher);
  const peersOnly = waitedFor !== null || (rootRank && finalCauses.length > 0 && finalCauses.every((f) => PEER_CONSEQUENCES.has(f.category) && !inChain(f)));
  // Otherwise a rule that names a cause anywhere in the failure's incident explains it.
  if (finalCauses.length > 0 && !peersOnly) return null;
  // The launcher's root-cause rank died of a signal (other than an abort, whose message is the
  // exception): that is the cause; other ranks' errors (peer connection closed) are consequences.
  if (launcher?.signal && launcher.signal !== "SIGABRT") {
    const category = SIGNAL_CATEGORIES[launcher.signal];
    // A rule already names the kill (exitcode -9, Signals.SIGKILL): its finding says it.
    const final = counted.filter((f) => f.finalIncident);
    if (!category || (final.length > 0 && final.every((f) => f.category === category))) return null;
    return signalFinding(file, kept, launcher, category);
  }
  if (e && e.type === "KeyboardInterrupt" && !exitFailed) return null;
  if (e) {
    for (const x of chainOf(e)) {
      const from = lineNo(x.line);
      const to = lineNo(x.endLine);
      if (counted.some((f) => f.line >= from && f.line <= to)) return null;
    }
  } else if (counted.some((f) => f.finalIncident && !(launcher!.exitCode !== undefined && !launcher!.signal && traits.launcher_cleanup.has(f.ruleId)))) {
    // A launcher's own notice that it is killing the other workers says nothing about why the
    // first one ended; the exit status it reports (a plain non-zero code) does.
    return null;
  }
  // A disk-full warning just before the failure (joblib's "[Errno 28] No space left on device" on a
  // full /dev/shm, huggingface_hub refusing a download) is what the failure comes from.
  const from = lineNo(e ? e.startLine : launcher!.line);
  const warned = ruleFindings.find((f) => f.severity === "warning" && traits.explains_failure.has(f.ruleId) && f.line <= lineNo(report.endLine) && f.line >= from - PROMOTED_WARNING_LINES);
  if (warned) return { ...warned, severity: "fatal", priority: FALLBACK_PRIORITY, finalIncident: true };
  // The process was killed or crashed natively after the exception was printed (the shell's
  // `Killed`, `Segmentation fault` at the end of the log, no launcher summary): that death ended it.
  if (e && !launcher && !waitedFor && counted.some((f) => f.finalIncident && f.line > lineNo(e.endLine) && (f.category === "process_killed" || f.category === "segfault") && !traits.consequence.has(f.ruleId))) return null;
  // A traceback cut before its exception line names no error: any other finding of the final
  // incident (a worker's segfault notice, a launcher killing subprocesses) says more; but not a
  // consequence printed after it (Slurm's `task 1: Terminated` once srun's kill-on-bad-exit stopped
  // the other tasks because this one failed): that is this failure's aftermath, not its cause.
  if (e?.cut && counted.some((f) => f.finalIncident && !(traits.consequence.has(f.ruleId) && f.line > lineNo(e!.endLine)))) return null;
  const at = e ? e.line : launcher!.line;
  const { category, reading } = e ? (cppAllocationFailure(e, kept.lines) ?? dataOrCheckpoint(e, chainCategory(e))) : { category: "python_exception" as CrashCategory, reading: undefined };
  const { ruleId, summary, suggestion } = e ? describeException(e, category, reading) : describeLauncher(report);
  const priority = peersOnly && finalCauses.length ? Math.max(...finalCauses.map((f) => f.priority)) + 1 : FALLBACK_PRIORITY;
  return keptLineFinding(file, kept, at, { category, ruleId, suggestion, signatureKey: summary, priority });
}

/** How a rank under torchrun's `Failures:` ended, when it ended by itself: a signal not sent by the agent, or its own exit status. */
const FAILED_RANK_SIGNALS: Readonly<Record<string, "process_killed" | "segfault">> = { SIGKILL: "process_killed", SIGTERM: "process_killed", SIGSEGV: "segfault", SIGBUS: "segfault", SIGILL: "segfault", SIGFPE: "segfault", SIGABRT: "segfault" };
/** A peer's connection lost (gloo's pair.cc, NCCL's socket transport), not a timeout. */
const LOST_PEER = /Connection (?:closed|reset) by (?:remote )?peer|Connection closed by localRank/;
/** torch.distributed.elastic's agent stopping the workers left after a failure (multiprocessing/api.py `_close`). */
const AGENT_SIGTERM = /\bSending process (\d+) closing signal SIGTERM\b/;

/**
 * torchrun's table names as root cause a rank that exited with status 1 while the final incident is only peers waiting
 * (gloo's `Connection closed by peer`, a store timeout: that rank's own error was losing another one), and lists under
 * `Failures:` a rank that ended otherwise: by a signal the agent did not send (SIGKILL, SIGSEGV, SIGABRT, SIGTERM: the
 * agent's own SIGTERMs are logged with the worker's pid) or with an exit status of its own (sys.exit(3), no traceback).
 * torch.distributed.elastic orders failures seen in one monitoring pass by rank, so its `first observed failure` is
 * then the survivor and the listed rank the one that went first (recorded: test/fixtures/crash/recorded/distributed).
 * That rank's end is the failure: a finding on its `exitcode` row, or null when a rule's finding of the same category
 * already names it; undefined when the table says nothing of the kind.
 */
function earlierDeathFinding(file: string, kept: KeptLines, launcher: LauncherReport | null, counted: readonly CrashFinding[], traits: RuleTraits): CrashFinding | null | undefined {
  if (launcher?.tool !== "torchrun" || !launcher.failures || launcher.exitCode !== 1 || launcher.signal) return undefined;
  const final = counted.filter((f) => f.finalIncident && !traits.consequence.has(f.ruleId));
  if (!final.length || !final.every((f) => traits.peer_wait.has(f.ruleId) || (f.role === "symptom" && PEER_CONSEQUENCES.has(f.category)))) return undefined;
  const stopped = new Set<number>();
  for (const l of kept.lines) {
    const m = l.includes("closing signal") ? AGENT_SIGTERM.exec(l) : null;
    if (m) stopped.add(Number(m[1]));
  }
  // NCCL's watchdog aborts a rank whose collective timed out (SIGABRT, `exitcode : -6`): a SIGABRT is that rank's own
  // death only when the peers report nothing but a lost connection.
  const onlyLostPeers = final.every((f) => LOST_PEER.test(f.text));
  const died = launcher.failures.find((r) => (r.signal ? FAILED_RANK_SIGNALS[r.signal] !== undefined && !(r.signal === "SIGTERM" && r.pid !== undefined && stopped.has(r.pid)) && (r.signal !== "SIGABRT" || onlyLostPeers) : r.exitCode !== 0 && r.exitCode !== 1));
  if (!died) return undefined;
  const category: CrashCategory = died.signal ? FAILED_RANK_SIGNALS[died.signal]! : "python_exception";
  if (final.some((f) => f.category === category)) return undefined;
  const who = died.rank !== undefined ? `rank ${died.rank}` : "a rank";
  const root = launcher.rank !== undefined ? `rank ${launcher.rank}` : "the rank it names";
  const ended = died.signal ? `died of ${died.signal}` : `exited with status ${died.exitCode} (no traceback of its own)`;
  const advice = category === "process_killed"
    ? died.signal === "SIGKILL"
      ? "SIGKILL comes from outside: usually the kernel OOM killer or a container/cgroup memory limit (dmesg -T | grep -i oom; kubectl describe pod: OOMKilled), else a scheduler or operator. Reduce host memory use (DataLoader workers, in-memory datasets, CPU offload)."
      : "SIGTERM came from outside torchrun (it logs the ones it sends): a scheduler's time limit or preemption, an operator's kill. Check the scheduler's accounting (sacct, kubectl describe pod) and resume from the last checkpoint."
    : category === "segfault"
      ? "Enable faulthandler (PYTHONFAULTHANDLER=1) for that rank's native stack; check compiled extensions against the installed torch and, for SIGABRT, the C++ error printed just before it."
      : "Look in that rank's own output for why it exited (an explicit sys.exit or exit() in the script or a library, an argument or configuration check); rerun with --tee 3 to tell the ranks' lines apart.";
  const suggestion = `torchrun lists ${who}, which ${ended}, among the failures, and names ${root} as the first observed failure; but ${root}'s own error is a lost connection or a wait for its peers, what a rank sees when another one goes away: ${who}'s end is the failure (torchrun orders failures seen in one monitoring pass by rank). ${advice}`;
  return keptLineFinding(file, kept, died.codeLine, { category, ruleId: "launcher_earlier_rank_death", suggestion, signatureKey: `torchrun ${died.signal ?? `exit ${died.exitCode}`}`, priority: FALLBACK_PRIORITY });
}

/** A C++ allocation failure that terminated the process: the standard library's and Paddle's allocator's. */
const CPP_ALLOC_FAILED = /(?:^|::)(?:bad_alloc|BadAlloc)$/;
/**
 * The device an allocation was for, in the stack or message printed after the terminate: Paddle's kernels on a
 * GPUContext and its CUDA/GPU places (PaddlePaddle#42341; the BadAlloc records of its operators say "Out of memory error
 * on GPU"), a CUDA allocator or cudaMalloc.
 */
const GPU_ALLOC_CONTEXT = /\bGPUContext\b|\b(?:CUDA|CUDAPinned|GPU|XPU|NPU)Place\b|\bCUDA\w*Allocator\b|\bcudaMalloc\w*|\bon GPU \d/;
/** How many lines after the terminate its stack and message are read for the device. */
const ALLOC_CONTEXT_LINES = 40;

/**
 * A terminate by a C++ allocation failure no rule named (the message is empty or cut: `what():` and a C++ stack):
 * the GPU's memory when the stack after it allocates on a GPU, else the host's (the corpus reads std::bad_alloc as
 * host memory); null for any other failure.
 */
function cppAllocationFailure(e: ParsedException, lines: readonly string[]): { category: CrashCategory; reading: MessageReading } | null {
  if (e.kind !== "cpp" || !CPP_ALLOC_FAILED.test(e.type)) return null;
  const end = Math.min(lines.length, e.line + ALLOC_CONTEXT_LINES);
  for (let i = e.line; i < end; i++) {
    if (GPU_ALLOC_CONTEXT.test(lines[i]!)) return { category: "cuda_oom", reading: { category: "cuda_oom", names: "an allocation on the GPU that failed (its stack allocates on a GPU)", advice: "reduce the batch size or sequence length, enable gradient checkpointing or mixed precision, and check that no other process holds the device's memory (nvidia-smi)" } };
  }
  return { category: "host_oom", reading: { category: "host_oom", names: "an allocation in host memory (RAM) that failed", advice: "reduce what the process holds in RAM (DataLoader workers, prefetch, dataset in memory, model loaded on CPU), or run it on a host with more memory; dmesg -T shows other processes' use" } };
}

/** How far before the failure's first line such a warning may be. */
const PROMOTED_WARNING_LINES = 100;

/** Categories other ranks report as a consequence when the rank the launcher names as root cause dies. */
const PEER_CONSEQUENCES: ReadonlySet<CrashCategory> = new Set(["timeout", "nccl_error"]);

const SIGNAL_CATEGORIES: Readonly<Record<string, "process_killed" | "segfault">> = { SIGKILL: "process_killed", SIGSEGV: "segfault", SIGBUS: "segfault", SIGILL: "segfault", SIGFPE: "segfault" };

function signalFinding(file: string, kept: KeptLines, l: LauncherReport, category: "process_killed" | "segfault"): CrashFinding {
  const who = l.rank !== undefined ? `rank ${l.rank}` : "a worker";
  const named = l.otherFailure ? "among the failures (the table is cut before its root cause)" : "as the first failure; errors of other ranks after it are consequences";
  const suggestion =
    category === "process_killed"
      ? `The launcher (${l.tool}) names ${who}, killed by SIGKILL, ${named}. SIGKILL comes from outside: usually the kernel OOM killer or a container/cgroup memory limit (dmesg -T | grep -i oom; kubectl describe pod: OOMKilled), else a scheduler or operator. Reduce host memory use (DataLoader workers, in-memory datasets, CPU offload).`
      : `The launcher (${l.tool}) names ${who}, dead of ${l.signal}, ${named}. Enable faulthandler (PYTHONFAULTHANDLER=1) for that rank's native stack; check compiled extensions against the installed torch/CUDA and, for SIGBUS, the shared memory size (/dev/shm).`;
  return keptLineFinding(file, kept, l.codeLine, { category, ruleId: "launcher_root_cause_signal", suggestion, signatureKey: `${l.tool} ${l.signal}`, priority: FALLBACK_PRIORITY });
}

/** How far before the first peer's wait an unexplained exception may be to count as what they waited for. */
const WAITED_FOR_LINES = 300;

/**
 * When every finding of the final incident is a peer waiting (a `peer_wait` rule's finding, or a NCCL or
 * timeout symptom such as the watchdog's), `consequence` findings aside, and an exception no rule explains was raised shortly before
 * the first wait, that exception (the earliest such) is the failure the peers waited for; else null.
 */
function exceptionBeforePeerWaits(exceptions: readonly ParsedException[], counted: readonly CrashFinding[], lineNo: (i: number) => number, traits: RuleTraits): ParsedException | null {
  const peerWait = traits.peer_wait;
  // Launchers and schedulers stopping the remaining processes afterwards change nothing.
  const final = counted.filter((f) => f.finalIncident && !traits.consequence.has(f.ruleId));
  const waits = final.filter((f) => peerWait.has(f.ruleId));
  if (!waits.length || !final.every((f) => peerWait.has(f.ruleId) || (f.role === "symptom" && (f.category === "nccl_error" || f.category === "timeout")))) return null;
  const firstWait = Math.min(...waits.map((f) => f.line));
  for (const x of exceptions) {
    const at = lineNo(x.line);
    if (at >= firstWait) break;
    // A cancelled task (asyncio's, concurrent.futures') is what a timeout or a shutdown does to the work it waited
    // on (asyncio.wait_for cancels the task, then raises TimeoutError from the CancelledError): never its cause.
    if (at < firstWait - WAITED_FOR_LINES || x.ignored || x.cut || /(?:^|\.)(?:ChildFailedError|CalledProcessError|KeyboardInterrupt|CancelledError)$/.test(x.type)) continue;
    if (chainOf(x).some((c) => counted.some((f) => f.line >= lineNo(c.startLine) && f.line <= lineNo(c.endLine)))) continue;
    // A timeout of its own (a retried download, a store wait) is another wait, not a failure.
    if (chainCategory(x).category === "timeout") continue;
    return x;
  }
  return null;
}

/** Categories of a process's own death: when one is in the final incident, the peers' waiting is its consequence. */
const DEATH_CATEGORIES: ReadonlySet<CrashCategory> = new Set(["process_killed", "segfault", "cuda_oom", "host_oom", "cuda_error", "gpu_hardware", "disk_full", "nan_loss", "checkpoint_corrupt", "import_error"]);

/**
 * The primary finding, given the candidates sorted by strength: when the strongest is a peer's
 * timeout or lost connection and the same final incident shows a process dying (killed, segfault,
 * OOM, a CUDA error), the death is the root cause even when its rule is a symptom (`exitcode: -9`,
 * the shell's `Killed`): the survivors timed out waiting for it. `traits`: as for fallbackFinding.
 */
export function choosePrimary(sorted: readonly CrashFinding[], traits: RuleTraits): CrashFinding | null {
  const top = sorted[0];
  if (top && traits.self_abort.has(top.ruleId)) return abortReason(sorted, top, traits) ?? top;
  if (!top || !traits.peer_wait.has(top.ruleId)) return top ?? null;
  const death = sorted.find((f) => f.severity === "fatal" && DEATH_CATEGORIES.has(f.category) && !traits.consequence.has(f.ruleId));
  return death ?? top;
}

/** How far above a self-abort the error that made the process abort is printed (terminate's `what():`, a glog FATAL record, torch's watchdog notices). */
const ABORT_REASON_LINES = 60;

/**
 * The error a process printed just before it aborted itself: the best-ranked fatal finding of the same
 * file within ABORT_REASON_LINES above the abort. NCCL's watchdog is the common case: its collective
 * timeout is a symptom rule (another rank may have died), but when this process then aborts with that
 * timeout as terminate's `what():`, the timeout, not the abort, is why this process ended.
 */
function abortReason(sorted: readonly CrashFinding[], abort: CrashFinding, traits: RuleTraits): CrashFinding | undefined {
  return sorted.find((f) => f.file === abort.file && f.line < abort.line && abort.line - f.line <= ABORT_REASON_LINES && f.severity === "fatal" && !traits.self_abort.has(f.ruleId));
}

/** The findings on an exception's lines (the kept lines' numbers are the file's from `kept.firstLine`). */
function findingsOn(findings: readonly CrashFinding[], kept: KeptLines, x: ParsedException): CrashFinding[] {
  const from = kept.firstLine + x.startLine;
  const to = kept.firstLine + x.endLine;
  return findings.filter((f) => f.line >= from && f.line <= to);
}

/** multiprocessing's spawn bootstrap, where a spawned child unpickles what its parent sent over a pipe. */
const SPAWN_CHILD_FRAME = /[\\/]multiprocessing[\\/]spawn\.py$/;
/** Below every symptom a launcher or shell prints about a death (they explain it). */
const SPAWN_CHILD_PRIORITY = -4;

/**
 * A spawned child that fails while reading what its parent sent (multiprocessing's spawn bootstrap
 * unpickling from the pipe: "pickle data was truncated", "Ran out of input") reports the parent or a
 * sibling going away (killed, crashed, or failing to pickle the object), not a broken file: rule
 * findings on that exception's lines become symptoms ranked below every other, so the death that
 * explains them (`process 0 terminated with signal SIGKILL`) is primary. Changes `findings` in place.
 */
export function demoteSpawnChildErrors(findings: readonly CrashFinding[], kept: KeptLines, report: FailureReport): void {
  for (const x of report.exceptions) {
    const inner = x.frames.at(-1);
    if (!inner || !SPAWN_CHILD_FRAME.test(inner.file) || !/^(?:_main|spawn_main)$/.test(inner.func)) continue;
    for (const f of findingsOn(findings, kept, x)) {
      if (f.role !== "cause") continue;
      f.role = "symptom";
      f.priority = SPAWN_CHILD_PRIORITY;
    }
  }
}

/**
 * Errors other ranks printed when the launcher names the rank that failed first (torchrun's `Root Cause (first observed
 * failure)`) and the log holds that rank's own exception under its tag (`[rank1]: `): whatever the others printed, even
 * last and even an error a rule names (an OOM of their own as they went down), is not what the launcher reports as the
 * first failure, so rule findings on their exceptions' lines become symptoms ranked below every other. Untagged
 * tracebacks cannot be told apart and stay as they are. Changes `findings` in place.
 */
export function demoteOtherRanksErrors(findings: readonly CrashFinding[], kept: KeptLines, report: FailureReport): void {
  const { launcher, exception } = report;
  if (!launcher || launcher.rank === undefined || launcher.otherFailure || !exception || !prefixRank(exception.prefix, launcher)) return;
  for (const x of report.exceptions) {
    if (!RANK_TAG.test(x.prefix) || prefixRank(x.prefix, launcher)) continue;
    for (const f of findingsOn(findings, kept, x)) {
      if (f.severity === "warning") continue;
      f.role = "symptom";
      f.priority = OTHER_RANK_PRIORITY;
    }
  }
}

/** As low as a spawned child's errors (SPAWN_CHILD_PRIORITY): below every symptom, since the root rank's failure explains them. */
const OTHER_RANK_PRIORITY = -4;
/** A prefix that names a rank (prefixRank reads the same forms). */
const RANK_TAG = /\[(?:rank|default)?\d+\]|^\s*\d+: $/;

/**
 * Where a traceback reads training data: torch's DataLoader fetching items (in the main process or a worker), Hugging
 * Face datasets building a split, a dataset's own item access (`__getitem__` in the user's code, not a library's: h5py's
 * groups have one too), a dataset being constructed (`FeatureDataset(...)`, `load_dataset(...)`), and the worker's
 * report of what it raised (`Caught OSError in DataLoader worker process 3.`).
 */
const DATA_READER_FRAME = /[\\/]torch[\\/]utils[\\/]data[\\/]_utils[\\/](?:fetch|worker)\.py$|[\\/]datasets[\\/](?:builder|arrow_reader|packaged_modules[\\/].+)\.py$/;
const DATASET_ITEM_FUNC = /^__getitems?__$/;
const LIBRARY_FILE = /[\\/](?:site|dist)-packages[\\/]|[\\/]lib[\\/]python\d[\d.]*[\\/]|\.pyx$/;
const BUILDS_DATASET = /\b\w*Dataset\w*\(|\bload_dataset\(/;
const WORKER_CAUGHT = /^Caught \w+ in DataLoader worker process \d+\.?$/;
/**
 * Where a traceback loads a checkpoint or weights (torch's and Keras' loaders, safetensors, a loader function's name, a
 * `torch.load` or `load_state_dict` call), in its frames or in a worker's traceback quoted in a message: the same words
 * about a saved model stay a broken checkpoint, wherever it is loaded from.
 */
const CHECKPOINT_CONTEXT = /[\\/]torch[\\/]serialization\.py\b|[\\/]safetensors[\\/]|[\\/]keras[\\/](?:src[\\/])?(?:saving|engine[\\/]saving)|\bload_(?:state_dict|checkpoint|weights|model|pretrained\w*)\b|\bfrom_pretrained\b|\btorch\.load\(/;

/**
 * An exception raised while reading training data (a chain through a dataset, the DataLoader or a data builder) and
 * not while loading a checkpoint: a file its reader finds cut, empty or not in its format is a data file (an image,
 * an HDF5 or LMDB container, a .npy, a pickled index, a Parquet shard), whose convention is python_exception;
 * checkpoint_corrupt is for checkpoints, weights and saved trainer state only.
 */
function readsTrainingData(e: ParsedException): boolean {
  const chain = chainOf(e);
  const frames = chain.flatMap((x) => x.frames);
  const text = [...frames.map((f) => `${f.file} ${f.func} ${f.code ?? ""}`), ...chain.map((x) => x.message)].join("\n");
  if (CHECKPOINT_CONTEXT.test(text)) return false;
  return chain.some((x) => WORKER_CAUGHT.test(x.message.split("\n")[0]!.trim()))
    || frames.some((f) => DATA_READER_FRAME.test(f.file) || (DATASET_ITEM_FUNC.test(f.func) && !LIBRARY_FILE.test(f.file)) || BUILDS_DATASET.test(f.code ?? ""));
}

/**
 * Rule findings that name a broken checkpoint on the lines of an exception raised while reading training data (h5py's
 * `truncated file`, `pickle data was truncated`, numpy's `Failed to interpret file ... as a pickle` about a data file)
 * become warnings: the failure is the data's, and the traceback's own finding (python_exception) names it. Changes
 * `findings` in place.
 */
export function demoteDataFileErrors(findings: readonly CrashFinding[], kept: KeptLines, report: FailureReport): void {
  for (const e of report.exceptions) {
    if (!readsTrainingData(e)) continue;
    for (const x of chainOf(e)) demoteToWarnings(findings, kept.firstLine + x.startLine, kept.firstLine + x.endLine, "checkpoint_corrupt");
  }
}

/**
 * Findings on the file's lines `from`..`to` (of `category` only, when given) become warnings outside the final
 * incident: what they report ended nothing. Changes `findings` in place.
 */
function demoteToWarnings(findings: readonly CrashFinding[], from: number, to: number, category?: CrashCategory): void {
  for (const f of findings) {
    if (f.line < from || f.line > to || f.severity === "warning" || (category && f.category !== category)) continue;
    f.severity = "warning";
    f.finalIncident = false;
  }
}

/**
 * An exception that ended nothing: one a catching code logged (`ParsedException.caughtBy`: an
 * availability probe that answered False, as xformers does for a missing or mismatched Triton on
 * every start), or one Python printed and ignored (`ignored`: "Exception ignored in", a finalizer,
 * atexit; the DataLoader iterator's `__del__` failing at interpreter shutdown with "ImportError:
 * sys.meta_path is None"). Rule findings on its lines become warnings outside the final incident,
 * so a log that goes on, or ends, after it raises no alarm. Changes `findings` in place.
 */
export function demoteCaughtExceptions(findings: readonly CrashFinding[], kept: KeptLines, exceptions: readonly ParsedException[]): void {
  for (const x of exceptions) {
    if (!x.caughtBy && !x.ignored) continue;
    demoteToWarnings(findings, kept.firstLine + x.startLine, kept.firstLine + x.endLine);
  }
}

/** A Python warning's header line (`file:lineno: Category: message`), where a message's lines begin. */
const WARNING_HEAD = /:\d+: [A-Z]\w*Warning: /;
/** How far above the echo of its warn call a warning's message is read (a traceback.format_exc() one included). */
const MAX_WARNING_MESSAGE_LINES = 80;

/**
 * An import failure a library reported in a warning's message and went on from (a fallback): StyleGAN2-ADA's custom ops
 * warn `... Falling back to slow reference implementation. Details:\n\n` + str(exc), so `No module named
 * 'upfirdn2d_plugin'` stands alone on the line above the echo of the warn call. The message ends at the line that
 * echo closes (traceback.ts warnEchoFollows: blank lines between, left by a message ending in "\n") and goes back to
 * the warning's header or a blank line. Only import_error findings: other warnings name failures to come (torch's `... with
 * CUDA capability sm_120 is not compatible with the current PyTorch installation`) or resources that ran out; a
 * traceback in the message is traceback.ts's (caught, demoted by demoteCaughtExceptions). Changes `findings` in place.
 */
export function demoteWarningMessageImports(findings: readonly CrashFinding[], kept: KeptLines): void {
  const lines = kept.lines;
  for (let end = 0; end < lines.length; end++) {
    if (!lines[end]!.trim() || !warnEchoFollows(lines, end)) continue;
    let start = end;
    while (start >= 0 && end - start < MAX_WARNING_MESSAGE_LINES && lines[start]!.trim() && !WARNING_HEAD.test(lines[start]!)) start--;
    demoteToWarnings(findings, kept.firstLine + start + 1, kept.firstLine + end, "import_error");
  }
}

/** torch's exception for a JIT build that failed (torch.utils.cpp_extension `_run_ninja_build`), in a message or a notice. */
const JIT_BUILD_FAILED = /\bError building extension '/;
/** ninja's first build step (`[1/3] c++ ...`; torch runs `ninja -v`, which prints each command): where a build's output begins. */
const NINJA_FIRST_STEP = /\[1\/\d+\] /;
/** ninja's last line after a step failed: where a build's output ends. */
const NINJA_STOPPED = /\bninja: build stopped: subcommand failed\./;
/** How many lines a failed build's output may take (each failed step's command and compiler errors). */
const MAX_BUILD_OUTPUT_LINES = 400;
/** Lines between a build's output and the caught traceback of its failure: the warning's header, the blank line of "Details:\n\n". */
const MAX_LINES_BUILD_TO_TRACEBACK = 4;
/**
 * A library's notice that it goes on without a custom kernel that did not build or load, followed by the error:
 * transformers' `logger.warning(f"Could not load the custom kernel for multi-scale deformable attention: {e}")`
 * (Deformable DETR, DETA, Grounding DINO, MRA, YOSO), whose `{e}` is a missing `.so` or, when the build failed,
 * `Error building extension '...': ` and ninja's output on the lines after it.
 */
const KERNEL_FALLBACK_NOTICE = /\bCould not load the custom kernel for [\w -]+: /;

/**
 * Compiler errors of a JIT build (torch.utils.cpp_extension.load) that the program reported and went on from: the
 * library fell back to code without the kernel, so `fatal error: cuda_runtime.h: No such file or directory` ended
 * nothing. Two shapes: (1) a build run with `verbose=True` (StyleGAN2-ADA's `verbosity = 'full'`) prints ninja's output
 * itself, from `[1/N] ...` to `ninja: build stopped: subcommand failed.`, right above the caught traceback of its
 * `RuntimeError: Error building extension '...'` (a warning's message, demoted by demoteCaughtExceptions); (2) a notice
 * (KERNEL_FALLBACK_NOTICE) quotes the error on its line, and ninja's output after it when the build failed. The
 * import_error findings on those lines become warnings outside the final incident. A build failure nothing caught
 * keeps its exception line (import_native_library's `RuntimeError: Error building extension`), so the crash stays.
 * Changes `findings` in place.
 */
export function demoteFallbackBuildOutput(findings: readonly CrashFinding[], kept: KeptLines, exceptions: readonly ParsedException[]): void {
  const lines = kept.lines;
  const demote = (start: number, end: number): void => demoteToWarnings(findings, kept.firstLine + start, kept.firstLine + end, "import_error");
  for (let i = 0; i < lines.length; i++) {
    if (!KERNEL_FALLBACK_NOTICE.test(lines[i]!)) continue;
    let end = i;
    if (JIT_BUILD_FAILED.test(lines[i]!)) {
      while (end + 1 < lines.length && end - i < MAX_BUILD_OUTPUT_LINES && !NINJA_STOPPED.test(lines[end]!)) end++;
      if (!NINJA_STOPPED.test(lines[end]!)) end = i;
    }
    demote(i, end);
  }
  for (const x of exceptions) {
    if (!x.caughtBy || !JIT_BUILD_FAILED.test(`${x.type}: ${x.message}`)) continue;
    const head = chainRoot(x).startLine;
    let end = head - 1;
    while (end > 0 && head - 1 - end < MAX_LINES_BUILD_TO_TRACEBACK && !NINJA_STOPPED.test(lines[end]!)) end--;
    if (end < 0 || !NINJA_STOPPED.test(lines[end]!)) continue;
    let start = end;
    while (start > 0 && end - start < MAX_BUILD_OUTPUT_LINES && !NINJA_FIRST_STEP.test(lines[start]!)) start--;
    if (NINJA_FIRST_STEP.test(lines[start]!)) demote(start, end);
  }
}

/** torch's store-based barrier of init_process_group, printed every 10 s while ranks are missing (glog or logging format). */
const BARRIER_WAIT = /Waiting in store based barrier to initialize process group for rank: \d+, key: \S+ \(world_size=(?<world>\d+), worker_count=(?<count>\d+), timeout=[^)]*\)/;
/** c10d's client retrying its connection to the store (the master) after a connect timed out. */
const C10D_CONNECT_RETRY = /\[c10d\] The client socket has failed to connect to (?<peer>\S+) \(errno: 110 - Connection timed out\)/;
/** urllib3 (requests, huggingface_hub, download helpers) retrying a request whose connection timed out. */
const URLLIB3_TIMEOUT_RETRY = /Retrying \(Retry\(total=\d+[^)]*\)\) after connection broken by '(?:Connect|Read)TimeoutError\((?:.*?host='(?<peer>[^']+)')?/;

/**
 * huggingface_hub logging a request that timed out (read, connect, or its retries given up), and its
 * `Retrying in Ns [Retry n/m].` notices. One warning is no failure (the Hub falls back to the cached
 * file; fixture healthy/unsloth-3486-hf-hub-retry-warning.log) and the run goes on after it; a log that
 * ends in two or more of them (several files, or retries) is a process that cannot reach the Hub.
 */
const HUB_TIMEOUT_WARNING = /(?:Connect|Read)TimeoutError\(.*\bthrown while requesting (?:HEAD|GET) /;
const HUB_TIMEOUT_OR_RETRY = new RegExp(`${HUB_TIMEOUT_WARNING.source}|(?:^|\\s)Retrying in \\d+(?:\\.\\d+)?s \\[Retry \\d+\\/\\d+\\]\\.$`);

/**
 * torchelastic's agent failing to renew its membership in the rendezvous (the store, hosted by one of
 * the agents, is gone or unreachable): logged each keep-alive interval while the agent hangs.
 */
const ELASTIC_KEEPALIVE_FAILED = /has failed to send a keep-alive heartbeat to the rendezvous '(?<run>[^']*)' due to an error of type (?<err>\w+)/;
/**
 * wget's lines for one try of a download (`--<time>--  (try: N)  URL`, `Resolving`, `Connecting to
 * host|ip|:port...` with or without `failed: Connection timed out.`, `Retrying.`, `Giving up.`): a log
 * that ends in them, after a connect timed out, is a download that never connected.
 */
const WGET_TRY = /^--(?:\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d--\s+(?:\(try: ?\d+\)\s+)?\S+$|^\s*(?:\(try: ?\d+\)\s*)?=> .\S+'$|^Resolving \S+(?: \([^)]*\))?\.\.\. |^Connecting to (?<peer>\S+?)(?: \([^)]*\))?(?:\|[^|]+\|)?:\d+\.\.\.(?: failed: Connection timed out\.)?$|^Retrying\.$|^Giving up\.$/;
const WGET_CONNECT_TIMED_OUT = /^Connecting to \S+.*\.\.\. failed: Connection timed out\.$/;
/**
 * Python's faulthandler.dump_traceback_later (a hang watchdog: trainers arm it, pytest's faulthandler_timeout
 * too): `Timeout (0:30:00)!`, then each thread's stack (`Thread 0x... (most recent call first):`, `  File
 * "x.py", line N in func`, `  ...` when cut short). A log that ends in it was still stuck when the watchdog fired.
 */
const FAULTHANDLER_DUMP = /^Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$|^(?:Current thread|Thread) 0x[0-9a-f]+(?: \[[^\]]*\])? \(most recent call first\):$|^File ".+", line \d+ in \S.*$|^\.\.\.$|^<no Python frame>$/;
const FAULTHANDLER_TIMEOUT = /^Timeout \(\d+:\d\d:\d\d(?:\.\d+)?\)!$/;

/**
 * Horovod's stall inspector: some ranks submitted a collective and wait for the others past the stall
 * warning time (60 s by default); the report names the missing ranks or the stalled tensors. Printed
 * again each interval while the job hangs; a healthy run can print one and go on (a slow rank catches up).
 */
const HOROVOD_STALL_WARNING = /One or more tensors were submitted to be reduced, gathered or broadcasted by subset of ranks|are waiting for remainder of ranks for more than \d+ seconds/;

/**
 * A report that the job hangs (Horovod's stall inspector), read like a death the log goes on past: the
 * last one, with no training progress after it (goesOnAfter: a step, epoch or loss record) within
 * HANG_REPORT_TAIL non-blank lines of the end, is the job stuck there. Whatever else comes after it (the
 * report's rank lists, a checkpoint hook's notice) is not the run going on.
 */
interface HangReport {
  re: RegExp;
  ruleId: string;
  advice: string;
}
const HANG_REPORT_TAIL = 100;
const HANG_REPORTS: readonly HangReport[] = [
  {
    re: HOROVOD_STALL_WARNING,
    ruleId: "collective_stall_stuck",
    advice: `The log ends in Horovod's stall report: some ranks submitted a collective (allreduce, allgather, broadcast) and have waited past the stall warning time for the others, which never joined, and nothing after it shows training going on: the job hangs. The ranks named as missing are stuck or dead (check their own logs for an error, a kill or a data loader that ran out earlier than on the other ranks), or the ranks submit different tensors (a rank-dependent branch in the model or optimizer). HOROVOD_STALL_SHUTDOWN_TIME_SECONDS makes Horovod fail instead of hanging.`,
  },
];

/** The last hang report of the kept lines when nothing after it shows training going on, or null. */
function hangReportFinding(file: string, kept: KeptLines): CrashFinding | null {
  let after = 0;
  for (let i = kept.lines.length - 1; i >= 0 && after <= HANG_REPORT_TAIL; i--) {
    const l = kept.lines[i]!;
    if (!l.trim()) continue;
    const report = HANG_REPORTS.find((r) => r.re.test(l));
    if (report) return goesOnAfter(kept.lines, i) ? null : keptLineFinding(file, kept, i, { category: "timeout", ruleId: report.ruleId, suggestion: report.advice, signatureKey: report.re.source, priority: FALLBACK_PRIORITY });
    after++;
  }
  return null;
}

interface StuckWait {
  re: RegExp;
  /** Lines of this kind in a row at the end of the log needed (a barrier prints a wait on every healthy start). */
  min: number;
  /** At least one line of the run must match this (the retries are of a request that timed out). */
  needs?: RegExp;
  /** No kept line may match this (the job had finished: the wait is its shutdown, not a hang). */
  unless?: RegExp;
  ruleId: string;
  /** The finding's advice from the last line's groups and the count, or null when the wait is not stuck. */
  advice: (g: Record<string, string | undefined>, n: number) => string | null;
}

const STUCK_WAITS: readonly StuckWait[] = [
  {
    re: BARRIER_WAIT,
    min: 2,
    ruleId: "store_barrier_stuck",
    advice: (g, n) => {
      const world = Number(g.world);
      const count = Number(g.count);
      if (count === world) return null;
      const why = count > world
        ? `more workers (${count}) than the world size (${world}) joined the same store: two jobs share MASTER_ADDR:MASTER_PORT, or a rank restarted into a store that still counts its earlier join. Give each job its own port, or restart all ranks together.`
        : `only ${count} of ${world} ranks joined and the log ends waiting for the rest: a rank did not start, crashed before init_process_group, or cannot reach the master (MASTER_ADDR / MASTER_PORT, firewall, another node's launcher). Check every rank's log and that the world size matches the processes started.`;
      return `The log ends with ranks waiting in init_process_group's store-based barrier (${n} waits in a row): ${why} The barrier times out after its timeout (30 min by default) and the job fails with a store timeout.`;
    },
  },
  {
    re: C10D_CONNECT_RETRY,
    min: 1,
    ruleId: "connect_retry_stuck",
    advice: (g) => `The log ends while c10d is still retrying its connection to the store at ${g.peer ?? "the master"}, each try timing out (errno 110): this rank never reached the master. Check MASTER_ADDR / MASTER_PORT on every node, that the master process is up and listening, and firewalls between the nodes; the rank gives up when init_process_group's timeout runs out.`,
  },
  {
    re: URLLIB3_TIMEOUT_RETRY,
    min: 1,
    ruleId: "connect_retry_stuck",
    advice: (g) => `The log ends while a download or API request is still being retried after its connection timed out${g.peer ? ` (${g.peer})` : ""}: the process is stuck on the network, not on training. Check the host's internet access or proxy (HTTPS_PROXY), pre-download the files (HF_HUB_OFFLINE=1 with a filled cache), or raise the client's timeout.`,
  },
  {
    re: HUB_TIMEOUT_OR_RETRY,
    min: 2,
    needs: HUB_TIMEOUT_WARNING,
    ruleId: "connect_retry_stuck",
    advice: () => `The log ends in the Hugging Face Hub's requests timing out (and being retried): the process never got the model or dataset files and is stuck on the network, not on training. Check the host's internet access or proxy (HTTPS_PROXY) and the Hub's status, pre-download the files (HF_HUB_OFFLINE=1 with a filled cache), or raise HF_HUB_ETAG_TIMEOUT / HF_HUB_DOWNLOAD_TIMEOUT.`,
  },
  {
    re: ELASTIC_KEEPALIVE_FAILED,
    min: 1,
    // This agent's workers succeeded and it waits for the others at the exit barrier: the store's host
    // may exit first (pytorch#69520's race), so one failed heartbeat there is the job's end, not a hang.
    unless: /Local worker group finished \(SUCCEEDED\)|worker group successfully finished/,
    ruleId: "rendezvous_keepalive_stuck",
    advice: (g, n) => `The log ends with torchelastic's agent failing to send its keep-alive heartbeat to the rendezvous${g.run ? ` '${g.run}'` : ""} (${g.err ?? "an error"}, ${n} time${n === 1 ? "" : "s"} in a row): the rendezvous store, hosted by one of the agents (usually the first node), is gone or unreachable, so this node hangs instead of restarting or exiting. Check the node that hosted the store (did it crash or get preempted?) and the network to --rdzv_endpoint; stop the job and restart all nodes together.`,
  },
  {
    re: FAULTHANDLER_DUMP,
    min: 2,
    needs: FAULTHANDLER_TIMEOUT,
    ruleId: "faulthandler_timeout_stuck",
    advice: () => `The log ends in Python's faulthandler dumping every thread's stack after its timeout (faulthandler.dump_traceback_later, a hang watchdog): the process made no progress for that long and was still stuck when the dump was written. The main thread's innermost frames say where (a collective or barrier: a peer rank died or hangs; a DataLoader queue: a worker is stuck; a network call: a server does not answer); compare with the other ranks' dumps.`,
  },
  {
    re: WGET_TRY,
    min: 2,
    needs: WGET_CONNECT_TIMED_OUT,
    ruleId: "connect_retry_stuck",
    advice: (g) => `The log ends in wget retrying (or giving up on) a download whose connection timed out${g.peer ? ` (${g.peer})` : ""}: the host cannot reach the server, so the data or weights never arrived. Check the host's internet access, proxy (https_proxy) and firewall, and whether the server is up; download the files elsewhere and copy them in, or cap the wait (wget --tries / --timeout) so the job fails fast.`,
  },
];

/**
 * A log that ends while its process is still waiting or retrying: ranks in init_process_group's
 * store-based barrier, c10d retrying its connection to the master, a request retried after a
 * connect timeout. The job never got past that point. A healthy run prints the same lines and then
 * goes on (the barrier completes, training starts), so only lines with nothing after them but blank
 * lines or a closing code fence count; and only when nothing else in the file's final incident says more.
 */
export function stuckWaitFinding(file: string, kept: KeptLines, findings: readonly CrashFinding[], traits: RuleTraits): CrashFinding | null {
  // `kept` ends where the run's own output ends (runEnd): a consequence after it (Slurm stopping the
  // step's other tasks, `task 1: Terminated`) is what followed the wait, not a reason for it.
  const end = kept.firstLine + kept.lines.length;
  if (findings.some((f) => f.finalIncident && f.severity !== "warning" && !(traits.consequence.has(f.ruleId) && f.line >= end))) return null;
  let kind: StuckWait | undefined;
  let last = -1;
  let n = 0;
  let needed = false;
  for (let i = kept.lines.length - 1; i >= 0; i--) {
    const l = normaliseLine(kept.lines[i]!).trim();
    // Blank lines and the closing fence of a pasted block are not the run going on.
    if (!l || /^`{3,}\w*$/.test(l)) continue;
    kind ??= STUCK_WAITS.find((w) => w.re.test(l));
    if (!kind || !kind.re.test(l)) break;
    needed ||= kind.needs?.test(l) ?? true;
    if (last < 0) last = i;
    n++;
  }
  if (!kind || n < kind.min || !needed) return hangReportFinding(file, kept);
  if (kind.unless && kept.lines.some((l) => kind!.unless!.test(l))) return null;
  const advice = kind.advice(kind.re.exec(kept.lines[last]!.trim())?.groups ?? {}, n);
  if (advice === null) return null;
  return keptLineFinding(file, kept, last, { category: "timeout", ruleId: kind.ruleId, suggestion: advice, signatureKey: kind.re.source, priority: FALLBACK_PRIORITY });
}

/**
 * Exception types that name a category by themselves, whatever their message says (a rule would
 * have matched a known message first). Everything else is `python_exception`.
 */
const TYPE_CATEGORIES: ReadonlyArray<[RegExp, CrashCategory]> = [
  [/(?:^|\.)(?:ImportError|ModuleNotFoundError)$/, "import_error"],
  [/(?:^|\.)_?(?:Array|Arrow)?MemoryError$/, "host_oom"],
  // Ray's memory monitor killing a worker for lack of host RAM, not a GPU allocation.
  [/^ray\.exceptions\.OutOfMemoryError$/, "process_killed"],
  [/(?:^|\.)OutOfMemoryError$/, "cuda_oom"],
  // Ray's object store refusing an object because the node's disk is over its capacity threshold (ray#50408; the
  // same class surfaces through SecretFlow and other Ray-backed trainers).
  [/(?:^|\.)OutOfDisk(?:Space)?(?:Error|Exception)$/, "disk_full"],
  // fairseq and numpy raise it for overflowing losses and loss scales.
  [/(?:^|\.)FloatingPointError$/, "nan_loss"],
  // Any client's or runtime's timeout class (requests' ReadTimeout, aiohttp's ServerTimeoutError,
  // subprocess' TimeoutExpired, google.api_core's DeadlineExceeded, Java's TimeoutException).
  // Ray's ObjectFetchTimedOutError, kafka's RequestTimedOutError: "TimedOut" in the name says the same; ml-agents'
  // UnityTimeOutException spells it with a capital O.
  [/(?:^|\.)\w*(?:Timeout|TimeOut|TimedOut)(?:Error|Exception|Expired)?$|(?:^|\.)DeadlineExceeded(?:Error)?$|^socket\.timeout$/, "timeout"],
];

/**
 * A message that says the operation ran out of time, whatever generic type carried it; the time-out may name its
 * length (CARLA's client: "time-out of 100000ms while waiting for the simulator"), or the message may end in the
 * I/O operation that timed out (xgboost's rabit: "socket.h:170: Poll timeout"). An HTTP status that says a server or
 * gateway ran out of time is the same: 504's reason phrase in any client's wording (requests' "504 Server Error: Gateway
 * Time-out for url", which the Hub's HfHubHTTPError repeats; urllib's "HTTP Error 504: Gateway Timeout"; aiohttp's
 * "504, message='Gateway Timeout'") and 408's with its code ("408 Client Error: Request Timeout for url").
 */
const TIMED_OUT_MESSAGE = /\btimed out\b|\bdeadline exceeded\b|\btime-?out(?: of \d[\d.,]*\s?(?:ms|milliseconds?|s|secs?|seconds?|mins?|minutes?))? (?:waiting|expired|exceeded|reached|occurred|while)\b|\b(?:poll|connect|connection|read|write|recv|send|socket|accept|handshake|request|response|operation|I\/O) time-?out[.!]?\s*$|\bgateway time-?out\b|\b408\b.{0,40}\brequest time-?out\b/i;

/** Readers of checkpoints and state files: an end-of-file or unpickling error inside them is a broken file. */
const CHECKPOINT_READER_FRAME = /[\\/]torch[\\/]serialization\.py$|[\\/]safetensors[\\/]|[\\/]pickle\.py$/;
/**
 * A source line that loads a saved object (`state = pickle.load(f)`, `torch.load(path)`), or unpickles the bytes a
 * file read returned (Ray Tune's restore: `tuner_state = pickle.loads(f.readall())`), which is the same load.
 */
const LOAD_CALL = /\b(?:c?[Pp]ickle|_pickle|dill|cloudpickle|joblib|torch)\.load\(|\b(?:c?[Pp]ickle|_pickle|dill|cloudpickle)\.loads\([^()]*\.read(?:all|_bytes)?\(\)/;
/**
 * Functions that load a checkpoint, as frameworks name them (mmcv's `load_checkpoint` and
 * `_load_checkpoint`, Lightning's `load_from_checkpoint`, torch's `_legacy_load`): an end of file
 * inside them is a saved file that is empty or cut.
 */
const CHECKPOINT_LOAD_FUNC = /^_?(?:legacy_)?load(?:_checkpoint|_from_checkpoint)?$/;
/** queue.Empty (`_queue.Empty` in Python 3's C module, `Queue.Empty` in Python 2's), bare as multiprocessing's frames print it. */
const QUEUE_EMPTY = /^(?:(?:_?queue|Queue|multiprocessing\.queues)\.)?Empty$/;
/**
 * A get() with a timeout (`self.queue.get(timeout=600.0)`): its Empty means the wait ran out; a non-blocking
 * get (`get_nowait()`, `block=False`, `timeout=0`) raises it for a queue that is merely empty.
 */
const TIMED_QUEUE_GET = /\.get\((?![^)]*\bblock\s*=\s*False\b)[^)]*\btimeout\s*=\s*(?!0(?:\.0*)?(?![\d.])|None\b)[^,)\s]/;
/** multiprocessing unpickles what the parent sent over a pipe: an EOFError there is a dead parent, not a file. */
const MULTIPROCESSING_FRAME = /[\\/]multiprocessing[\\/]/;

/** What chainCategory read as a broken checkpoint is a broken data file when the chain reads training data. */
function dataOrCheckpoint(e: ParsedException, read: { category: CrashCategory; reading?: MessageReading }): { category: CrashCategory; reading?: MessageReading } {
  return read.category === "checkpoint_corrupt" && readsTrainingData(e) ? { category: "python_exception" } : read;
}

/**
 * The category of a chain: the first exception (oldest) whose type names one wins, since the later
 * ones were raised from it or while handling it (a loader's generic RuntimeError around the
 * checkpoint's EOFError); else python_exception.
 */
function chainCategory(e: ParsedException): { category: CrashCategory; reading?: MessageReading } {
  for (const x of chainOf(e)) {
    const c = categoryOfType(x);
    if (c !== "python_exception") return { category: c };
  }
  // The process died waiting on a queue: the exception it ends in is the stdlib's (or multiprocessing's)
  // Empty, raised by a get() that was given a timeout. Only the last exception of a chain: an Empty that
  // something else was raised while handling (a DataLoader finding its worker dead) is not what ended the run.
  if (QUEUE_EMPTY.test(e.type) && e.frames.some((f) => TIMED_QUEUE_GET.test(f.code ?? ""))) return { category: "timeout" };
  // No type names a cause: the words of the chain's messages may (oldest first, like the types).
  const chain = chainOf(e);
  for (const [i, x] of chain.entries()) {
    const reading = readExceptionMessage(x);
    if (!reading) continue;
    // A loader's "failed to load the checkpoint" raised while handling a checkpoint that is not there (Tacotron-2#325:
    // TensorFlow found no checkpoint state in the folder): the path is wrong, no file is broken.
    if (reading.category === "checkpoint_corrupt" && chain.slice(0, i).some(isMissingFile)) return { category: "python_exception" };
    return { category: reading.category, reading };
  }
  return { category: "python_exception" };
}

/**
 * TensorFlow's `tf.train.get_checkpoint_state(dir)` returns None when the folder holds no checkpoint state, so the
 * idiom `get_checkpoint_state(dir).model_checkpoint_path` fails on the attribute.
 */
const NO_CHECKPOINT_STATE = /^'NoneType' object has no attribute 'model_checkpoint_path'/;

/** An exception that says a file or checkpoint is not there (not that it is broken); TensorFlow's NotFoundError included. */
function isMissingFile(x: ParsedException): boolean {
  const first = x.message.split("\n")[0]!;
  return /(?:^|\.)(?:FileNotFound|NotFound)Error$/.test(x.type) || MISSING_FILE_WORDS.test(first) || NO_CHECKPOINT_STATE.test(first);
}

/** What an exception's message names (readExceptionMessage): the category and, for the suggestion, in words. */
export interface MessageReading {
  category: CrashCategory;
  /** What the message names, as the suggestion says it ("the GPU's memory ran out"). */
  names: string;
  /** What to do first. */
  advice: string;
}

/**
 * Types whose message is a name, a path, a value or an argument (`KeyError: 'cuda'`, `FileNotFoundError:
 * '.../checkpoint.pt'`, `TypeError: ... argument 'memory_format'`), never a report of what failed: their
 * messages are not read. Nor is Ray Train's TrainingFailedError's, a fixed text that points at the errors
 * before it and names OOM only as an example ("assuming that the error is ... an error such as OOM").
 */
const UNREAD_MESSAGE_TYPES = /(?:^|\.)(?:TrainingFailed|Key|Attribute|Name|UnboundLocal|Type|Index|Lookup|FileNotFound|FileExists|IsADirectory|NotADirectory|Permission|Syntax|Indentation|TabError|JSONDecode|Unicode\w*|ZeroDivision|NotImplemented|Recursion|Import|ModuleNotFound)Error$|(?:^|\.)(?:StopIteration|KeyboardInterrupt|SystemExit)$/;

/**
 * A message about a file that is not there (or a model name that does not resolve): a wrong path, whatever
 * else it says ("Unable to load weights ... make sure ... is the correct path", "checkpoint ... not found").
 */
const MISSING_FILE_WORDS = /\b(?:not found|no such file|does not exist|doesn't exist|do not exist|cannot find|can't find|could not find|couldn't find|is not a local folder|is not a valid model identifier|\[Errno 2\])/i;

/** Quoted names and values (`'cuda'`, `` `timeout` ``) and file paths say what, never what went wrong. */
const QUOTED_OR_PATH = /(?<![\w])'[^'\n]*'(?![\w])|`[^`\n]*`|(?:[A-Za-z]:)?(?:[\w.@~+-]*[\\/]){2,}[\w.@~+-]*/g;

/** An allocation that failed, in the words of an allocator or its caller. */
const MEMORY_FAILED = new RegExp([
  // torch, THC, XLA ("Out of memory while trying to allocate", "Ran out of memory in memory space hbm"), Vulkan, HIP.
  /\bout of (?:\w+ )?memory\b|\bOOM\b(?![- _]?kill|_score)/.source,
  // Status codes that say it (CUBLAS_STATUS_ALLOC_FAILED, CUDA_ERROR_OUT_OF_MEMORY, hipErrorOutOfMemory, cudaErrorMemoryAllocation).
  /_ALLOC_FAILED\b|OUT_OF_MEMORY|OutOf(?:Device)?Memory|MemoryAllocation\b/.source,
  // MindSpore's allocators put the verb last ("Malloc for kernel output failed, Memory isn't enough", "Device memory
  // isn't enough and alloc failed").
  /\b(?:not enough|insufficient|no (?:available|free)) (?:\w+ )?memory\b|\bmemory (?:is )?exhausted\b|\bmemory is(?:n't| not) enough\b/.source,
  // An allocation of memory or of a size that failed ("failed to allocate memory", "Fail to alloc memory of N size",
  // "can't allocate memory", "Unable to allocate 2.04 GiB", JAX's "Failed to allocate request for 32.00MiB",
  // "Attempting to allocate 31.06M. That was not possible"): a size or memory within a few words of the verb;
  // not "Unable to allocate resources" (Slurm's nodes) nor a GPU that could not be allocated to a job.
  /\b(?:fail(?:ed|ure)?|unable|cannot|can't|could not|couldn't)(?: to)? (?:alloc|allocate|reserve)\b(?: [a-z]+){0,2}? (?:memory\b|\d[\d.,]*\s?(?:[KMGTP]i?B|bytes)?\b)|\b(?:allocate|reserve) \d[\d.]*\s?[KMGTP]?i?B?\b[^;]{0,40}\bnot possible\b/.source,
].join("|"), "i");
/** The host's memory (RAM): its allocators, errno 12 (ENOMEM) and numpy's arrays. */
const HOST_MEMORY = /\b(?:CPU|host|swap|mmap|ENOMEM|system memory|shared memory|shm|pinned|page-locked|for an array)\b|(?<!GPU |video |graphics )\bRAM\b|CPUAllocator|alloc_cpu|mkl_malloc|posix_memalign|HostAlloc|\bErrno 12\b|\berror code (?:is )?12\b|\bCannot allocate memory\b/i;

/**
 * A GPU's hardware fault as CUDA reports it: it explains the CUDA error it comes with (like the rules' priority 10); a
 * device the runtime lost (SYCL's UR_RESULT_ERROR_DEVICE_LOST, Vulkan's ErrorDeviceLost).
 */
const GPU_HARDWARE = /\buncorrectable ECC\b|\bECC error\b|\bXid\b|\bfallen off the bus\b|\bGPU is lost\b|ERROR_DEVICE_LOST\b|\bErrorDeviceLost\b/i;

/** Windows' paging file too small to load a library (WinError 1455, in any language): host memory. */
const PAGING_FILE = /\[WinError 1455\]|\bpaging file is too small\b/;
/**
 * A module, compiled extension or shared library that cannot be found or loaded, whatever type carried it (a
 * RuntimeError from a binding's own import code, an OSError from ctypes or the loader, transformers' lazy import,
 * a torch operator a compiled extension did not register because it was built for another torch).
 */
const LIBRARY_MISSING = new RegExp([
  /\bNo module named\b|\bNo \w+ module found\b|\bFailed to import [\w.]+ because of\b/.source,
  /\bcannot open shared object file\b|\bundefined symbol: \S|\bDLL load failed\b|\bversion `GLIBC(?:XX)?_[\d.]+' not found\b/.source,
  /\bThe specified module could not be found\b|\bError loading "[^"]+\.dll" or one of its dependencies\b/.source,
  /\boperator \w+::\w+ does not exist\b|\bNo such operator \w+::\w+/.source,
].join("|"));
/**
 * A saved file whose reader finds it is not what was written: torch's zip reader without the archive's central
 * directory, a storage shorter than its header says, safetensors' header, HDF5's signature (older HDF5 releases
 * capitalise it: `File signature not found` under h5py 2.7), a download shorter than its recorded size
 * (huggingface_hub's consistency check).
 */
const SAVED_FILE_UNREADABLE = /\bfailed finding central directory\b|\bstorage has wrong size: expected \d+ got \d+|\bError while deserializing header\b|\bUnable to open file \([Ff]ile signature not found\)|\bConsistency check failed: file should be of size \d+ but has size \d+/;
/**
 * A write of a saved file that failed part-way: HDF5's and torch's writers ("file write failed"), torch's zip writer
 * finding fewer bytes written than it wrote (`unexpected pos N vs M`), torch's shared-memory file (/dev/shm full).
 */
const WRITE_FAILED = /\bfile write failed\b|\bunexpected pos \d+ vs \d+|\bunable to write to file <\/torch_/;
/** A process killed by a signal (a DataLoader worker's bus error on a full /dev/shm): the kill is the report, not its hint. */
const KILLED_BY_SIGNAL = /\bkilled by signal\b|\b(?:Bus error|Segmentation fault|SIGKILL|SIGSEGV|SIGBUS)\b/i;

/** A collective library by name (NCCL and its AMD and Huawei forks, gloo, oneCCL), with a failure. */
const COLLECTIVE_LIBRARY = /\b(?:NCCL|RCCL|HCCL|gloo|oneCCL|ProcessGroup(?:NCCL|Gloo|HCCL|UCC))\b|\bWork[NH]CCL\b|\b(?:nccl|hccl|rccl)[A-Z]\w*/i;
const COLLECTIVE_FAILED = /\b(?:error|errors|failure|failed|abort|aborted|crashed)\b|\bcollective operation timeout\b|\bWatchdog caught\b/i;
/** A key-value store or rendezvous the ranks meet at: a wait there is a timeout, not the collective library's failure. */
const STORE_WAIT = /\b(?:store|key-value|rendezvous|TCPStore|ncclUniqueId)\b/i;

/** A CUDA-level failure: a CUDA library's error or status, a kernel that failed to launch or faulted. */
const CUDA_FAILED = new RegExp([
  /\b(?:CUDA|cuBLAS|cuDNN|cuFFT|cuSOLVER|cuSPARSE|cuRAND|NVRTC|HIP|hipBLAS|rocBLAS|MIOpen)(?: runtime| driver| kernel| call)? (?:error|failure|failed)\b/.source,
  /\b(?:CUBLAS|CUDNN|CUFFT|CUSOLVER|CUSPARSE|CURAND|HIPBLAS|ROCBLAS|MIOPEN)_STATUS_(?!SUCCESS\b)[A-Z_]+|\bcudaError(?!NotReady)[A-Z]\w+|\bCUDA_ERROR_[A-Z_]+|\bhipError(?!NotReady)[A-Z]\w+/.source,
  /\bunspecified launch failure\b|\b(?:kernel|GEMM|SGEMM|GEMV|Blas \w+) launch failed\b|\bfailed to launch (?:\w+ )?kernel\b/.source,
  /\billegal memory access\b|\ban illegal (?:address|instruction) was encountered\b|\bmisaligned address\b|\bdevice-side assert/.source,
  // Other GPU runtimes' error status: Metal's command buffer (MPS), Habana's synapse.
  /\bcommand buffer exited with error status\b|\bsynStatus=synStatus \d+/.source,
].join("|"), "i");

/** A volume or quota that is full, or a write that wrote nothing. */
const DISK_FULL = /\bno space left\b|\bENOSPC\b|\bEDQUOT\b|\bdisk quota exceeded\b|\b(?:not enough|insufficient|no|out of) (?:free )?(?:disk|storage) space\b|\bnot enough (?:free )?space on (?:the )?disk\b|\b(?:disk|storage|file ?system) (?:is )?full\b|\bStorageFull\b|\brequested and 0 written\b/i;

/** A saved file the run loads that is cut, corrupt or not in its format. */
const FILE_CORRUPT = /\bcorrupt(?:ed|ion)?\b|\btruncated\b|\binvalid (?:header|magic|load key|file signature)\b|\bbad (?:magic|header|zip|CRC)\b|\b(?:CRC|checksum) (?:check )?(?:mismatch|failed|error)\b/i;
/** ... of a saved model, checkpoint or archive (a corrupt data record or image is the data's problem, not a checkpoint's). */
const SAVED_FILE = /\b(?:checkpoint|ckpt|weights|state_dict|model|pickle|archive|zip|safetensors|HDF5|h5|file)\b/i;
const DATA_FILE = /\b(?:record|image|images|jpe?g|png|video|audio|wav|mp3|tfrecords?|dataset|csv|parquet|arrow|sample|row)\b/i;
/**
 * A checkpoint that reads fine but does not fit the model (wrong architecture or version): the code's business, not the
 * file's. transformers' "The state dictionary of the model you are trying to load is corrupted" is raised from the
 * checkpoint's key names alone (a head the base model class has not), after the bytes were read; Keras' "Unable to load
 * weights saved in HDF5 format into a subclassed Model which has not created its variables yet" from a model not built.
 */
const DOES_NOT_FIT = /\b(?:size|shape) mismatch\b|\b(?:unexpected|missing) keys?\b|\bincompatible\b|\bnot compatible\b|\bdifferent (?:number|shape|size)\b|^Weights only load failed\b|\bstate dictionary of the model you are trying to load is corrupted\b|\binto a subclassed Model which has not created its variables\b/i;
/** A loader saying the weights or checkpoint could not be read ("Unable to load weights from checkpoint file"). */
const WEIGHTS_UNREADABLE = /\b(?:unable|failed|fail|cannot|can't|could not|couldn't)(?: to)? (?:load|read|restore|deserialize|unpickle) (?:the )?(?:\w+ )?(?:weights|checkpoint)\b/i;

/** A loss or its gradients that became NaN/Inf, or a run that says it diverged. */
const NON_FINITE = /\b(?:nan|inf|infinity|non-?finite|not finite|infinite)\b/i;
const LOSS_OR_GRADIENT = /\b(?:loss|losses|grad|grads|gradient|gradients|grad[ _-]?norm)\b|\breturned nan values\b/i;
const DIVERGED = /\b(?:training|model|run|loss) (?:has )?diverged\b/i;
/**
 * An array or tensor printed with NaN/Inf values only (numpy's `array([nan, nan, ...` and torch's `tensor([[nan, nan],`):
 * an assertion or check that shows the values it refused (dreamerv3#26: the policy's actions all nan) reports a model
 * whose outputs became NaN, the same as the distribution constraint's `found invalid values: tensor([[nan, ...`.
 */
const NON_FINITE_ARRAY = /\b(?:array|tensor)\(\[+\s*[-+]?(?:nan|inf)\b,\s*\[?\s*[-+]?(?:nan|inf)\b/;

/**
 * The cause an exception's message names in words an on-call engineer reads at once, when neither a rule
 * nor its type does (the traceback fallback's last reading before python_exception). A small vocabulary
 * per category, each entry backed by real messages (docs/crash-accuracy.md, items 81-84;
 * test/crash-message-vocabulary.test.ts). Read on the message's first line only (later lines are often
 * another process's output or a hint that names other things); TensorFlow's "N root error(s) found." is
 * followed by the errors, so the first of them is read instead. A process killed by a signal is left to the
 * rules. Where a message has words of two categories, the more specific cause wins: a GPU's hardware fault
 * (it explains the CUDA error that reports it), a full disk (a write that failed for lack of space, even of
 * /dev/shm, which allocators report in memory words), then memory, then the collective library (its
 * "unhandled cuda error" is NCCL's report), then CUDA, then a broken file, then NaN. Before all these, and before the
 * wrong-path words, the shapes of a loader, reader or writer on the line as written (issue 10; docs/crash-accuracy.md,
 * items 280-283): Windows' paging file, a module or library that cannot be loaded, a saved file cut, a write that failed.
 */
export function readExceptionMessage(e: Pick<ParsedException, "type" | "message">): MessageReading | null {
  if (UNREAD_MESSAGE_TYPES.test(e.type)) return null;
  const lines = e.message.split("\n");
  let first = lines[0]!.trim();
  if (/^\d+ root error\(s\) found\.?$/.test(first)) first = (lines.find((l) => /^\s*\(0\) /.test(l)) ?? "").replace(/^\s*\(0\)\s*/, "");
  if (!first) return null;
  // What a loader or reader says before the wrong-path words it may contain (`version \`GLIBC_2.29' not found`,
  // HDF5's "file signature not found"), on the line as written (its quotes and paths are part of the shape).
  const raw = first.slice(0, 2000);
  if (PAGING_FILE.test(raw)) return { category: "host_oom", names: "the host's memory (Windows' paging file) running out while a library was loaded", advice: "enlarge the paging file or lower what each process loads (fewer DataLoader workers: each one loads torch's DLLs again)" };
  if (LIBRARY_MISSING.test(raw)) return { category: "import_error", names: "a module, compiled extension or shared library that cannot be found or loaded", advice: "install the missing package or library, or rebuild the extension against the installed torch/CUDA/Python (pip check; ldd on the .so named)" };
  if (SAVED_FILE_UNREADABLE.test(raw)) return { category: "checkpoint_corrupt", names: "a saved file whose reader finds it cut or not in its format", advice: "`trainsafe resume verify` names broken checkpoints; compare the file's size and checksum with the original, download or copy it again, or resume from an older checkpoint" };
  if (WRITE_FAILED.test(raw)) return { category: "disk_full", names: "a write of a saved file that failed part-way (a full disk or /dev/shm)", advice: "free space on the volume the run writes to (df -h; /dev/shm for DataLoader workers' shared memory) and check what filled it (checkpoints, caches, logs)" };
  if (MISSING_FILE_WORDS.test(first)) return null;
  // A message can be a whole data item printed on one line: the words that name a cause come first.
  const text = raw.replace(QUOTED_OR_PATH, " ");
  if (KILLED_BY_SIGNAL.test(text)) return null;
  if (GPU_HARDWARE.test(text)) {
    return { category: "gpu_hardware", names: "a hardware fault of the GPU", advice: "drain the node and have the GPU checked (nvidia-smi -q -d ECC, dmesg for Xid); resume on another GPU" };
  }
  if (DISK_FULL.test(text)) {
    return { category: "disk_full", names: "a full disk or quota", advice: "free space on the volume the run writes to (df -h, df -i, quotas; /dev/shm for shared memory) and check what filled it (checkpoints, caches, logs)" };
  }
  // XLA's compiler scratch spaces (vector/scalar memory) filling up is a compiler limit, not the model's memory.
  if (MEMORY_FAILED.test(text) && !/\bmemory space [sv]mem\b/i.test(text)) {
    if (HOST_MEMORY.test(text)) return { category: "host_oom", names: "the host's memory (RAM) running out", advice: "reduce what the process holds in RAM (DataLoader workers, prefetch, dataset in memory, model loaded on CPU), or run it on a host with more memory; dmesg -T shows other processes' use" };
    return { category: "cuda_oom", names: "the accelerator's memory running out (an allocation that failed)", advice: "reduce the batch size or sequence length, enable gradient checkpointing or mixed precision, and check that no other process holds the device's memory (nvidia-smi)" };
  }
  if (COLLECTIVE_LIBRARY.test(text) && COLLECTIVE_FAILED.test(text) && !(STORE_WAIT.test(text) && /\btime-?out\b|\btimed out\b/i.test(text))) {
    return { category: "nccl_error", names: "a failure of the collective library (NCCL, gloo, HCCL)", advice: "find the rank that failed first (a crash or OOM on one rank makes the others fail in the collective), then check the network between hosts (NCCL_DEBUG=INFO, NCCL_SOCKET_IFNAME) and that every rank runs the same library versions" };
  }
  if (CUDA_FAILED.test(text)) {
    return { category: "cuda_error", names: "a CUDA-level failure (a CUDA library's error, a kernel that failed to launch or faulted)", advice: "rerun with CUDA_LAUNCH_BLOCKING=1 to find the failing operation; check the driver, CUDA and library versions against each other and against the GPU, and whether the same step fails on another GPU" };
  }
  if (((FILE_CORRUPT.test(text) && SAVED_FILE.test(text) && !DATA_FILE.test(text)) || WEIGHTS_UNREADABLE.test(text)) && !DOES_NOT_FIT.test(text)) {
    return { category: "checkpoint_corrupt", names: "a saved file that is cut or corrupt", advice: "`trainsafe resume verify` names broken checkpoints; compare the file's size and checksum with the original, download or copy it again, or resume from an older checkpoint" };
  }
  if ((NON_FINITE.test(text) && LOSS_OR_GRADIENT.test(text)) || DIVERGED.test(text) || NON_FINITE_ARRAY.test(text)) {
    return { category: "nan_loss", names: "a loss or gradient that became NaN/Inf", advice: "lower the learning rate, enable gradient clipping, check the data for NaN/Inf and, with fp16, use bf16 or a dynamic loss scale; resume from a checkpoint before the divergence" };
  }
  return null;
}

function categoryOfType(e: ParsedException): CrashCategory {
  // torch.load / pickle.load of an empty or cut file: the reader's frames, or the innermost frame's
  // source line calling a load (the user's own `pickle.load(f)`, where Python shows no reader frame).
  // torch >= 2.6 refusing a pickle under weights_only=True: the file is fine, the call needs changing
  // (an "Unsupported operand" is another matter: the bytes are not a pickle, the file is broken; except operand 149,
  // the FRAME opcode of a sound protocol-4 pickle, which older weights-only unpicklers lack).
  if (/^Weights only load failed\b/.test(e.message) && (!/Unsupported operand/.test(e.message) || /Unsupported operand 149\b/.test(e.message))) return "python_exception";
  if (/(?:^|\.)(?:EOFError|UnpicklingError|BadZipFile)$/.test(e.type) && !e.frames.some((f) => MULTIPROCESSING_FRAME.test(f.file))) {
    // Only unpickling raises UnpicklingError: a saved object that cannot be read, whatever frames the
    // excerpt kept (IPython folds them: "7 frames").
    if (/(?:^|\.)UnpicklingError$/.test(e.type)) return "checkpoint_corrupt";
    const inner = e.frames.at(-1);
    if (e.frames.some((f) => CHECKPOINT_READER_FRAME.test(f.file) || CHECKPOINT_LOAD_FUNC.test(f.func)) || (inner?.code !== undefined && LOAD_CALL.test(inner.code))) return "checkpoint_corrupt";
  }
  // torch.load's zip reader refused the file, whatever it raised (a RuntimeError naming miniz's
  // complaint, or an OSError for a file cut short, depending on version and where the cut is; excerpts
  // often cut the message): the innermost frame constructs torch's PyTorchFileReader. The file was
  // already opened by then, so a missing file or a permission problem never gets here.
  if (/\bPyTorchFileReader\(/.test(e.frames.at(-1)?.code ?? "")) return "checkpoint_corrupt";
  // TensorFlow's restore op (RestoreV2, named on the message's node lines or as its eager op) reading a checkpoint's
  // .data shard shorter than its .index says: a cut checkpoint. The same words from tf.data reading a saved dataset
  // (`[Op:LoadDataset]`) are the data's.
  if (/(?:^|\.)OutOfRangeError$/.test(e.type) && /\bRead less bytes than requested\b/.test(e.message) && /\bRestoreV2\b|\bsave_restore_v2_ops\b/.test(e.message)) return "checkpoint_corrupt";
  // The HF Trainer reading a checkpoint's trainer_state.json (TrainerState.load_from_json).
  // ... or transformers reading a saved model's config.json (PretrainedConfig._dict_from_json_file)
  // or its tokenizer's tokenizer_config.json (get_tokenizer_config, the tokenizer's _from_pretrained;
  // an excerpt that kept only the caller's frame shows the call in its source line).
  // Any library's config reader (`BertConfig.from_json_file`) and any `from_pretrained` reading a saved
  // model's JSON (config, adapter_config, an index) report a file that is empty, cut or not JSON.
  if (/(?:^|\.)JSONDecodeError$/.test(e.type) && e.frames.some((f) => f.func === "load_from_json" || f.func === "_dict_from_json_file" || f.func === "get_tokenizer_config" || f.func === "from_json_file" || /^_?from_pretrained$/.test(f.func) || /trainer_state|[\\/]tokenization_utils_base\.py$/.test(f.file) || /\bget_tokenizer_config\(/.test(f.code ?? ""))) return "checkpoint_corrupt";
  // The collective backend losing its peer while the process group is set up or runs its first
  // collective (init_process_group, a barrier, DDP's parameter-shape check): torch raises a bare
  // RuntimeError naming the socket error, from inside distributed_c10d.py or distributed/utils.py.
  if (isProcessGroupConnectionLoss(e)) return "nccl_error";
  // A native library a package loads that is not there (DGL's "Cannot find DGL C++ graphbolt library at
  // .../libgraphbolt_pytorch_2.3.0.so", ctypes' "Could not find module '...\\dgl.dll' (or one of its
  // dependencies)"): a missing shared library, like the loader's "cannot open shared object file".
  if (/(?:^|\.)FileNotFoundError$/.test(e.type) && NATIVE_LIBRARY_FILE.test(e.message.split("\n")[0]!)) return "import_error";
  const byType = TYPE_CATEGORIES.find(([re]) => re.test(wrappedType(e.type)))?.[1];
  if (byType) return byType;
  // A generic exception (RuntimeError, Exception, a library's own) whose message says the wait or
  // request timed out: "Timeout waiting for ... to enter one of the conditions", "Futures timed out after".
  if (TIMED_OUT_MESSAGE.test(e.message.split("\n")[0]!)) return "timeout";
  // torch raises DistBackendError only for a failure of the collective backend library itself
  // (C10D_NCCL_CHECK and its kin, pytorch#88134), whatever words the message uses; one that timed out
  // is a timeout (above).
  if (/(?:^|\.)DistBackendError$/.test(e.type)) return "nccl_error";
  return "python_exception";
}

/** A shared library's file name (`libfoo.so.1`, `foo.dll`, `libfoo.dylib`, a Python extension `.pyd`). */
const NATIVE_LIBRARY_FILE = /\w\.(?:so(?:\.\d+)*|dll|dylib|pyd)\b/;

/** torch.distributed's own frames where a process group is created or runs a collective. */
const PROCESS_GROUP_FRAME = /[\\/]torch[\\/]distributed[\\/](?:distributed_c10d|utils)\.py$/;
/** A socket error as torch's c10d reports it (no errno prefix: that form is Python's own ConnectionResetError). */
const PEER_LOST = /^(?:Connection reset by peer|Connection closed by peer|Broken pipe)\s*$/;

function isProcessGroupConnectionLoss(e: ParsedException): boolean {
  if (!/(?:^|\.)(?:RuntimeError|DistBackendError)$/.test(e.type) || !PEER_LOST.test(e.message.split("\n")[0]!.trim())) return false;
  const inner = e.frames.at(-1);
  return inner !== undefined && PROCESS_GROUP_FRAME.test(inner.file);
}

/** Advice per exception type: what to look at first. */
const HINTS: ReadonlyArray<[RegExp, string]> = [
  [/(?:^|\.)FileNotFoundError$/, "a path the run needs does not exist on this host (data, tokenizer, checkpoint or output folder): check the path in the config and that the storage is mounted"],
  [/(?:^|\.)(?:PermissionError|IsADirectoryError|NotADirectoryError)$/, "the path named in the message is not usable by the daemon's user: check its owner, mode and that it is the right kind of file"],
  [/(?:^|\.)KeyError$/, "a key is missing: a dataset column, a config field or a state_dict entry under another name (checkpoint and model versions differ?)"],
  [/(?:^|\.)(?:IndexError)$/, "an index is out of range: look at the data item and the sizes at that frame"],
  [/(?:^|\.)(?:AttributeError|TypeError|NameError)$/, "the code and an installed library disagree (a changed API after an upgrade) or a value has an unexpected type (None): compare library versions with the ones the code was written for"],
  [/(?:^|\.)AssertionError$/, "an assertion in the code failed: read the assert at that frame; it usually checks a config value or a tensor shape"],
  [/(?:^|\.)(?:ValueError)$/, "a value is invalid for the function that raised it: usually a config value, an argument combination or a malformed data item"],
  [/(?:^|\.)(?:ZeroDivisionError|OverflowError)$/, "an arithmetic error: an empty dataset/batch or a zero in a config value (steps, batch size, warmup)"],
  [/(?:^|\.)(?:UnicodeDecodeError|UnicodeEncodeError)$/, "a file is not in the expected encoding or is binary: check the data file named in the traceback"],
  [/(?:^|\.)(?:ConnectionError|ConnectionResetError|ConnectionRefusedError|BrokenPipeError)$/, "a network peer went away: check the service or rank on the other end"],
  [/(?:^|\.)(?:OSError|IOError)$/, "an operating-system call failed (the message names the file or errno): check the file, the storage and the limits (ulimit -n)"],
  [/(?:^|\.)RecursionError$/, "infinite recursion at that frame"],
  [QUEUE_EMPTY, "a queue read with a timeout got nothing in that time: what fills the queue (a worker process, a sampler or data-loading thread, a remote actor) died, hangs or is slower than the timeout; its own output says which"],
  [/(?:^|\.)UnpicklingError$/, "with torch >= 2.6, torch.load defaults to weights_only=True and refuses pickled objects other than tensors: if the file comes from a trusted source, pass weights_only=False or allow its classes with torch.serialization.add_safe_globals"],
  // Hydra printed a config, override or instantiation error as its message alone (traceback.ts, HYDRA_NOTICE).
  [/^hydra\.errors\.CompactHydraException$/, "Hydra could not compose the config, parse an override or instantiate a `_target_` (a class it cannot import, or whose constructor raised): the message names the key; rerun with HYDRA_FULL_ERROR=1 for the traceback"],
  [/(?:^|\.)NotImplementedError$/, "the code path is not implemented for this model, dtype or device: check the combination of options"],
  [/(?:^|\.)(?:RuntimeError|Error|Exception)$|::Error$/, "read the message: shape or dtype mismatches, devices that differ between tensors and misuse of an API all raise this type"],
];

/** Advice per category of the fallback, when the exception's type alone says less. */
const CATEGORY_HINTS: Partial<Record<CrashCategory, string>> = {
  nccl_error: "the collective backend lost its connection to a peer while the process group was set up or ran a collective: check that every rank started and is alive (a rank that crashed first is the cause), that all hosts can reach each other on the chosen interface (NCCL_SOCKET_IFNAME / GLOO_SOCKET_IFNAME, firewalls) and run the same torch and NCCL versions",
  checkpoint_corrupt: "a saved file the run loads (checkpoint, pickle, state file) is empty, cut or not what the loader expects, usually because a save was interrupted or the disk filled: `trainsafe resume verify` names broken checkpoints; move it aside and resume from an older one",
};

function describeException(e: ParsedException, category: CrashCategory, reading?: MessageReading): { ruleId: string; summary: string; suggestion: string } {
  const root = chainRoot(e);
  const frame = innermostUserFrame(e.frames.length ? e.frames : root.frames);
  const firstMsg = e.message.split("\n")[0]!.trim();
  const msg = firstMsg.length > 300 ? `${firstMsg.slice(0, 300)}…` : firstMsg;
  if (e.cut) {
    const where = frame ? ` Innermost frame of your code: ${frame.file}:${frame.line}${frame.func ? ` in ${frame.func}` : ""}.` : "";
    return {
      ruleId: "python_traceback",
      summary: `cut traceback: ${e.frames.at(-1)?.file ?? ""}:${e.frames.at(-1)?.func ?? ""}`,
      suggestion: `The log ends inside a Python traceback, before its exception line: the process died (or was killed) while printing it, or the log was cut.${where} Read the process's full stderr or the rest of the log for the exception; if there is none, look for a kill (dmesg -T | grep -i oom) and a full disk (df -h, df -h /dev/shm).`,
    };
  }
  const shortType = e.type.replace(/^.*\./, "");
  const hint = CATEGORY_HINTS[category] ?? HINTS.find(([re]) => re.test(wrappedType(e.type)))?.[1] ?? "read the message and the innermost frame of your code";
  const parts = [`The run died of ${e.kind === "cpp" ? "C++ exception " : ""}${shortType}${msg ? `: ${msg}` : ""}.`];
  if (frame) parts.push(`Innermost frame of your code: ${frame.file}:${frame.line}${frame.func ? ` in ${frame.func}` : ""}.`);
  if (root !== e) {
    const rootMsg = root.message.split("\n")[0]!.trim();
    parts.push(`It ${e.chainKind === "context" ? "was raised while handling" : "was caused by"} ${root.type.replace(/^.*\./, "")}${rootMsg ? `: ${rootMsg.slice(0, 200)}` : ""} (the first exception of the chain is the one to fix).`);
  }
  parts.push(reading ? `No rule knows this error, but its message names ${reading.names}: ${reading.advice}. A restart will fail the same way until the cause is fixed.` : `No rule knows this error: ${hint}. A restart will fail the same way until the cause is fixed.`);
  return { ruleId: e.kind === "cpp" ? "cpp_terminate" : "python_traceback", summary: `${e.type}: ${firstMsg}`, suggestion: parts.join(" ") };
}

function describeLauncher(report: FailureReport): { ruleId: string; summary: string; suggestion: string } {
  const l = report.launcher!;
  const who = l.rank !== undefined ? `rank ${l.rank}` : "a worker";
  const code = l.exitCode !== undefined ? ` with exit code ${l.exitCode}` : "";
  return {
    ruleId: "launcher_failure",
    summary: `${l.tool}: exit ${l.exitCode ?? "?"}`,
    suggestion: `${l.tool === "torchrun" ? "torchrun" : l.tool === "deepspeed" ? "The DeepSpeed launcher" : "The launcher"} reports that ${who} failed${code}, and its traceback is not in this log: read that rank's own output (stderr, or the error_file named in the table); with torchrun, decorate the entry point with @record (torch.distributed.elastic.multiprocessing.errors) to get the traceback into the summary.`,
  };
}
