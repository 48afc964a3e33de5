/**
 * Traceback parser: finds the failure a log ends in, whatever rules know about it.
 *
 * Line rules name known error families; they cannot say "this process died of a KeyError". This
 * parser reads the structure instead: Python tracebacks (frames, the exception line and its message,
 * chains joined by "The above exception was the direct cause ..." / "During handling of the above
 * exception ..."), C++ `terminate called after throwing an instance of` ... `what():`, and launchers'
 * failure summaries (torchrun's ChildFailedError table with its root-cause rank, accelerate's and
 * torch.distributed.launch's CalledProcessError, DeepSpeed's `exits with return code`).
 *
 * Lines of several ranks are often interleaved, each with its own prefix (`[rank1]: `, `[default0]:`,
 * `worker-3: `, `0: ` from `srun -l`): a traceback's lines are the ones carrying the prefix its
 * "Traceback (most recent call last):" line had.
 */
import { SOURCE_TAG_SOURCE } from "./capture-prefix.js";

/** One frame of a Python traceback. */
export interface TraceFrame {
  file: string;
  line: number;
  func: string;
  /** The source line Python printed under the frame (trimmed), when it printed one. */
  code?: string;
}

/** One exception: a Python traceback's last line (plus message lines), or a C++ terminate. */
export interface ParsedException {
  kind: "python" | "cpp";
  /** Exception type as printed (`ValueError`, `torch.distributed.elastic...ChildFailedError`, `c10::Error`). */
  type: string;
  /** The message, continuation lines joined with "\n" (at most MAX_MESSAGE_LINES lines). */
  message: string;
  /** Index (0-based, in the lines given) of the exception line. */
  line: number;
  /** Index of the last line of the exception (its message), and of the first line of its traceback. */
  endLine: number;
  startLine: number;
  frames: TraceFrame[];
  /** What came before the traceback on its lines (`[rank1]: `): tells which rank raised it. */
  prefix: string;
  /** The exception this one was raised from or while handling (earlier in the chain), if any. */
  chainedFrom?: ParsedException;
  chainKind?: "cause" | "context";
  /** Printed by Python for an exception it ignored ("Exception ignored in", atexit): never the cause of death. */
  ignored?: boolean;
  /**
   * The function that caught this exception and logged its traceback (the outermost frame is an
   * availability probe such as xformers' `_is_triton_available`, which returns False): also `ignored`.
   */
  caughtBy?: string;
  /**
   * The text ends inside this traceback, before its exception line (the process died, or the excerpt
   * was cut, while it was printed): `message` is empty, `type` too unless an IPython head named it,
   * `line` is the last frame's line (IPython's: its head).
   */
  cut?: boolean;
}

/** What a launcher said about the failed rank (torchrun table, CalledProcessError, DeepSpeed). */
export interface LauncherReport {
  tool: "torchrun" | "subprocess" | "deepspeed";
  line: number;
  /** The line that states the exit code or signal. */
  codeLine: number;
  endLine: number;
  rank?: number;
  localRank?: number;
  /**
   * Read from torchrun's `Failures:` section, the table cut before its root cause: this rank failed, another one
   * first, so its exceptions are not the failure's and the other ranks' errors are no consequences of its death.
   */
  otherFailure?: true;
  exitCode?: number;
  /** Signal name when the rank died of a signal (SIGKILL, SIGSEGV, ...). */
  signal?: string;
  /** torchrun's root-cause report: the ranks its table lists under `Failures:` above the root cause (failed too). */
  failures?: FailedRank[];
}

/** A rank listed under torchrun's `Failures:` (its entry's `rank`, `exitcode` and `traceback` rows). */
export interface FailedRank {
  rank?: number;
  pid?: number;
  exitCode: number;
  signal?: string;
  /** The line that states the exit code. */
  codeLine: number;
}

/** The failure a text ends in. */
export interface FailureReport {
  /** The last exception that is not a launcher's wrapper (the one to report), or null. */
  exception: ParsedException | null;
  /** The launcher's summary after it, if any. */
  launcher: LauncherReport | null;
  /** Index of the last line belonging to the failure. */
  endLine: number;
  /** True when nothing after the failure looks like training going on (the log ends in it). */
  terminal: boolean;
  /** Every exception of the text in line order (wrappers and ignored ones included), as parsed once. */
  exceptions: readonly ParsedException[];
}

const MAX_MESSAGE_LINES = 20;
/** Lines after the failure that still leave it "terminal" when none of them shows progress. */
const MAX_TRAILING_LINES = 80;
/** How far a traceback is followed through interleaved lines of other ranks. */
const MAX_TRACEBACK_LINES = 600;

const TRACEBACK_HEAD = "Traceback (most recent call last):";
/** What every traceback head (TRACEBACK_HEAD, IPYTHON_HEAD, RICH_HEAD) holds. */
const TRACEBACK_TITLE = "Traceback (most recent call last)";
/** A function that tells whether an optional module works (and catches its import error to say no). */
const AVAILABILITY_PROBE = /^_?(?:is|has|check)_\w+_available$/;
const CHAIN_CAUSE = "The above exception was the direct cause of the following exception:";
const CHAIN_CONTEXT = "During handling of the above exception, another exception occurred:";
const FRAME = /^\s+File "(?<file>[^"]+)", line (?<line>\d+)(?:, in (?<func>.+))?$/;
/** A Python exception line: a dotted identifier, then ":" and the message, or nothing. */
const EXC_LINE = /^(?<type>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)(?::(?<msg>.*))?$/;
/**
 * JAX's wrapper around the exception raised while tracing (`jax._src.traceback_util.UnfilteredStackTrace:
 * jax._src.errors.ConcretizationTypeError: ...`): the exception after it is the one that ended the run.
 */
const JAX_UNFILTERED = /^(?:[a-z_]\w*\.)*UnfilteredStackTrace: (?=(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*: )/;
/**
 * An excepthook's log record of the exception that ended the process, without its traceback: OLMo's
 * `CRITICAL [olmo.util:158, rank=0] Uncaught OLMoThreadError: ...` (its `log.critical("Uncaught %s: %s")`),
 * V8's `Uncaught RuntimeError: ...`. What follows "Uncaught " is read as a bare exception line.
 */
const UNCAUGHT = /^(?:\S.*?\s)?Uncaught (?=(?:[a-z_]\w*\.)*_?[A-Z]\w*: \S)/;
/**
 * Hydra's closing notice (`@hydra.main`'s run_and_report, then exit status 1). Without HYDRA_FULL_ERROR it
 * prints a CompactHydraException (config composition, override and instantiation errors) as its message
 * alone, no type and no traceback, in the block before this line (after "Error executing job with
 * overrides: [...]" when the job had started); other exceptions get a traceback as usual.
 */
const HYDRA_NOTICE = /^Set the environment variable HYDRA_FULL_ERROR=1 for a complete stack trace\.?\s*$/;
const HYDRA_JOB_ERROR = /^Error executing job with overrides: /;
/** An exception line found without its traceback (excerpts often keep only the last line). */
const BARE_EXC = /^(?<type>(?:[a-z_]\w*\.)*_?(?:[A-Z]\w*)?(?:Error|Exception|Failure|Fault|Interrupt)): (?<msg>\S.*)$/;
/** Texts one of which a line BARE_EXC matches (in part) holds. */
const BARE_EXC_ENDS = ["Error: ", "Exception: ", "Failure: ", "Fault: ", "Interrupt: "];
/** rich's boxed traceback (`rich.traceback.install()`, typer, accelerate's logging): head, frames, bottom. */
/** IPython/Jupyter: "ValueError    Traceback (most recent call last)", frames with arrows, then "ValueError: msg". */
// Ray's dual exception classes are named after the cause they wrap (`RayTaskError(KeyError)`), and
// IPython's head prints that name as it is.
const IPYTHON_HEAD = /^\s*(?<type>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:\((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\))?)\s{2,}Traceback \(most recent call last\)/;
const RICH_HEAD = /^\s*╭─+ Traceback \(most recent call last\)/;
const RICH_FRAME = /│\s*(?<file>\S+\.py):(?<line>\d+) in (?<func>[\w<>.]+)/;
const TERMINATE = /terminate called after throwing an instance of '(?<type>[^']+)'/;
const TERMINATE_TEXT = "terminate called after throwing an instance of '";
const WHAT = /^\s*what\(\):\s*(?<msg>.*)$/;
/**
 * LLVM's libc++abi (macOS, also Android's libc++) reports the same terminate on one line, type and what() together:
 * `libc++abi: terminating due to uncaught exception of type std::runtime_error: [malloc_or_wait] Unable to allocate
 * 12 bytes.` (ml-explore/mlx#63), older macOS `libc++abi.dylib: terminating with uncaught exception of type
 * std::bad_alloc: std::bad_alloc` (davechurchill/commandcenter#93).
 */
const LIBCXXABI_TERMINATE = /libc\+\+abi(?:\.dylib)?: terminating (?:due to|with) uncaught exception of type (?<type>[\w:<>,. ]+?): (?<msg>\S.*)$/;
const LIBCXXABI_TEXT = "libc++abi";
/**
 * The head of PyTorch's c10 log record, of the given levels: `[W socket.cpp:558] ` (no date), or `[E516 06:09:16.295666043
 * ProcessGroupNCCL.cpp:629] ` / `[W1227 ...` (its month not zero-padded: 3 or 4 digits). The one reading of that head,
 * here (a message's end) and in final-error.ts (a record of another level than an error's).
 */
export const c10RecordHead = (levels: string): string => `\\[[${levels}](?:\\d{3,4} \\d\\d:\\d\\d| )`;
/**
 * Lines that end an exception message: a new log record (glog's `E0516 06:09:16`, torch's c10 record `[E516
 * 06:09:16.295666043 ProcessGroupNCCL.cpp:629] `, its month not padded), a banner, a chain marker, a progress bar (with
 * or without its bar characters), a launcher killing the other workers, the shell's report that a job died by a signal
 * (`script: line 17: 141585 Segmentation fault (core dumped) python ...`: the process's end, never its message; part of
 * the message, it was demoted with an ignored exception's lines).
 */
const MESSAGE_END = new RegExp(
  "^(?:\\S*: line \\d+: +\\d+ (?:Segmentation fault|Killed|Aborted|Bus error|Terminated|Illegal instruction|Floating point exception)\\b|\\s*$|Traceback \\(most recent call last\\)|The above exception|During handling of the above|={5,}|-{5,}|\\[?\\d{4}-\\d\\d-\\d\\d[ T]\\d|[IWEF]\\d{4} \\d\\d:|" +
    c10RecordHead("IWEF") +
    "|(?:INFO|WARNING|ERROR|DEBUG|CRITICAL)\\b|wandb: |Exception raised from |frame #\\d+:|Killing subprocess \\d+|.*\\b\\d{1,3}%(?:\\||\\s+\\d+\\/\\d+\\s*\\[)|\\{'(?:loss|eval_loss|train_loss|train_runtime|epoch)': )",
);
/** A line that ends an exception's message: MESSAGE_END, or a tool's closing output (EXIT_REPORT). */
function endsMessage(s: string): boolean {
  return MESSAGE_END.test(s) || EXIT_REPORT.test(s);
}
/** Training output that shows the run went on after an exception (a recovered or caught error). */
export const PROGRESS = /\b(?:epoch|step|iter(?:ation)?|loss)\b\s*[:=]?\s*[[(]?\s*\d|\d+(?:\.\d+)?\s*(?:it\/s|s\/it)\b|'loss': \d/i;
/**
 * What tools print after the process they watch has ended, crashed or not: never the run going on, never an
 * exception line, and read past to the failure before them. Each with a real line:
 * - experiment trackers' closing reports: wandb's run history, summary and sync notice (`wandb: Waiting for W&B
 *   process to finish... (failed -1)`, nv-tlabs/NKSR#47; `(success).`, wandb/wandb#4441), MLflow's run link
 *   (`🏃 View run ... at: `, `🧪 View experiment at: `), Comet's summary and upload notice (`COMET INFO: ...`);
 * - Slurm after a task's exit: `srun: error: taurusi2031: tasks 10-11: Exited with exit code 1`
 *   (ComputationalRadiationPhysics/picongpu#198), `srun: error: nid002888: tasks 0-57,59-63: Terminated`, `srun: Force
 *   Terminated StepId=52222788.0` and slurmstepd's `error: *** STEP ... CANCELLED AT ... DUE TO TASK FAILURE ***`, with or
 *   without its `[time] ` (desihub/desispec#2744): the other tasks stopped because one failed (--kill-on-bad-exit);
 * - a CI runner's verdict (`##[error]Process completed with exit code 1.`, GitHub Actions; the web view shows it as
 *   `Error: Process completed with exit code 1.`), script(1)'s `Script done on ...`, and a shell prompt waiting for
 *   input (`user@gpu-node-07:~/project$ `, nothing typed after it).
 * Rules still read these lines (srun's `Out Of Memory`, a slurmstepd oom-kill are findings of their own).
 */
const EXIT_REPORT = new RegExp(
  String.raw`^\s*(?:\[[\w,]+\](?:<std(?:out|err)>)?:\s*)?wandb: |^🏃 View run |^🧪 View experiment |^COMET (?:INFO|WARNING|ERROR|DEBUG): ` +
    String.raw`|^(?:srun|slurmstepd(?:-[\w.-]+)?): |^(?:\[\d{4}-\d\d-\d\dT[\d:.]+\] )?error: \*\*\* (?:STEP|JOB) \S+ ON \S+ CANCELLED AT ` +
    String.raw`|^(?:##\[error\]|Error: )Process completed with exit code -?\d+\.|^Script done on |^(?:\([\w.-]+\) )?(?:[\w.-]+@[\w.-]+:\S*|\[[\w.-]+@[\w.-]+ [^\]]*\])[$#] ?$`,
);
/**
 * A tqdm bar's counter: "| 225/500 [", or "50% 225/500 [" where the bar's characters were lost (a
 * notebook's text output, Colab: the bar is drawn as a widget and copied as its numbers only).
 */
const BAR_COUNTER = /%(?:\|[^|]*\||\s)\s*(\d+\/\d+)\s*\[/;
/** A tqdm bar drawn complete: "100%|██████████| 391/391 [" (or "100% 391/391 [" without the bar). */
const FINISHED_BAR = /\b100%(?:\|[^|]*\||\s)\s*(\d+)\/\1\s*\[/;
/** Launchers' own exceptions: they report a rank's failure, never a cause of their own. */
const WRAPPER_TYPES = /(?:^|\.)(?:ChildFailedError|CalledProcessError)$/;
/**
 * A launcher's own module (DeepSpeed's launcher, torch.distributed.launch / run / elastic): a traceback
 * cut inside it is the launcher tearing down after a worker failed (DeepSpeed's sigkill_handler
 * re-raising), not a failure of its own.
 */
const LAUNCHER_FRAME = /[\\/](?:deepspeed[\\/]launcher|torch[\\/]distributed[\\/](?:elastic[\\/]|launch\.py$|run\.py$))/;

/** What one parse of a text found: every exception, and the failure the text ends in. */
export interface ParsedLog {
  /** Every exception in line order (wrappers, ignored and caught ones included): the same list as `failure.exceptions`. */
  exceptions: readonly ParsedException[];
  /** The failure the text ends in, or null when there is none (no exception, or only ignored ones, and no launcher summary). */
  failure: FailureReport | null;
}

/**
 * Times `parseExceptions` ran in this thread (a scan parses each file's kept lines once: a test
 * counts this to keep a second parse from coming back).
 */
export const parseStats = { exceptionParses: 0 };

/** Parses `lines` (a log's tail) and returns the failure it ends in, or null when there is none. */
export function parseFailure(rawLines: readonly string[]): FailureReport | null {
  return parseLog(rawLines).failure;
}

/**
 * Parses `lines` (a log's tail) once: its exceptions, also when none of them is a failure (a caught
 * availability probe's traceback, one Python ignored), and the failure it ends in.
 */
export function parseLog(rawLines: readonly string[]): ParsedLog {
  const lines = rawLines.map(normaliseLine);
  const exceptions = parseExceptions(lines);
  const launcher = launcherReportOutside(lines, exceptions);
  let last: ParsedException | null = null;
  for (const e of exceptions) if (!WRAPPER_TYPES.test(e.type) && !e.ignored && !launcherTeardown(e)) last = e;
  // The launcher names the rank that failed first; the others' exceptions are consequences
  // (gloo/NCCL "connection closed" when that rank's process went away).
  if (launcher?.rank !== undefined && !launcher.otherFailure) {
    const ofRoot = exceptions.filter((e) => !WRAPPER_TYPES.test(e.type) && !e.ignored && prefixRank(e.prefix, launcher));
    if (ofRoot.length) last = ofRoot.at(-1)!;
  }
  if (!last && !launcher) return { exceptions, failure: null };
  // A launcher's wrapper exception (ChildFailedError) and its table close the failure.
  let endLine = Math.max(last?.endLine ?? -1, launcher?.endLine ?? -1);
  for (const e of exceptions) if (WRAPPER_TYPES.test(e.type)) endLine = Math.max(endLine, e.endLine);
  return { exceptions, failure: { exception: last, launcher, endLine, terminal: isTerminal(lines, endLine), exceptions } };
}

/**
 * The last launcher summary that is not part of an exception the program ignored or caught: a CalledProcessError whose
 * traceback a warning's message holds (torch's JIT build of a custom op, `ninja -v` returned non-zero, which StyleGAN's
 * ops catch to fall back to a slow implementation) is no exit status of the run.
 */
function launcherReportOutside(lines: readonly string[], exceptions: readonly ParsedException[]): LauncherReport | null {
  let report = lastLauncherReport(lines);
  while (report) {
    const at = report.line;
    const inside = exceptions.find((e) => e.ignored && at >= e.startLine && at <= e.endLine);
    if (!inside) return report;
    // The run's own summary, if any, is above that exception.
    report = lastLauncherReport(lines.slice(0, inside.startLine));
  }
  return null;
}

/** A traceback cut inside a launcher's own code (see LAUNCHER_FRAME). */
function launcherTeardown(e: ParsedException): boolean {
  const inner = e.frames.at(-1);
  return e.cut === true && inner !== undefined && LAUNCHER_FRAME.test(inner.file);
}

/**
 * Undoes what pasting a log into an issue or chat adds around its lines: a markdown quote ("> "),
 * inline-code backticks, bold, quotes around an exception line. Line indexes stay the same.
 */
export function normaliseLine(line: string): string {
  let s = line;
  if (s.startsWith(">") && !s.startsWith(">>")) s = s.slice(s[1] === " " ? 2 : 1);
  if (s.includes("`")) s = s.replace(/^(\s*)`+/, "$1").replace(/`+\s*$/, "");
  // Markdown bold around a line ("**RuntimeError: ...**", its closing "**" alone on the next line); not glog's
  // "*** Check failure stack trace: ***".
  if (s.startsWith("**") && s[2] !== "*") s = s.slice(2).replace(/\*\*\s*$/, "");
  // An exception line pasted in quotes ("RuntimeError: ...").
  if (s.startsWith('"') && QUOTED_EXCEPTION.test(s)) s = s.slice(1);
  return s;
}

/** A quote right before an exception line's type. */
const QUOTED_EXCEPTION = /^"(?:[a-z_]\w*\.)*_?[A-Z]\w*(?:Error|Exception|Failure|Fault): /;

/** True when at most MAX_TRAILING_LINES lines follow `endLine` and none of them shows training progress. */
function isTerminal(lines: readonly string[], endLine: number): boolean {
  // Counters (N/M) of the progress bars drawn before the failure: tqdm draws a bar once more when it
  // is closed on the way out, at the count it had reached (training did not go on).
  const drawn = new Set<string>();
  for (let i = Math.max(0, endLine - 400); i <= endLine && i < lines.length; i++) {
    const c = lines[i]!.includes("%") ? BAR_COUNTER.exec(lines[i]!) : null;
    if (c) drawn.add(c[1]!);
  }
  let trailing = 0;
  let last = lines.length - 1;
  while (last > endLine && !lines[last]!.trim()) last--;
  for (let i = endLine + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (!l.trim()) continue;
    // wandb's closing report (run history, summary with the last loss and step, the run's URL) is
    // printed when the process exits, crashed or not: it is not training going on.
    if (EXIT_REPORT.test(l)) continue;
    // A C++ stack printed with the exception (c10's "frame #12: ..." lines) is part of it, however long.
    if (/^\s*(?:\[[\w,]+\](?:<std(?:out|err)>)?:\s*)?(?:frame #\d+:|Exception raised from )/.test(l)) continue;
    if (++trailing > MAX_TRAILING_LINES) return false;
    // A finished tqdm bar (100%, N/N) is the bar's last redraw when it closes, not training going on.
    // So is a bar as the only line after the exception and the log's last when no bar was drawn before it: tqdm's
    // iterator closes its bar in a `finally` when the generator is finalised, after the traceback is printed at
    // exit, and the excerpt lost the earlier draws. A bar at another count than those drawn before, or anything
    // after the bar, means the run went on.
    const redraw = FINISHED_BAR.test(l) || drawn.has(BAR_COUNTER.exec(l)?.[1] ?? "") || (drawn.size === 0 && trailing === 1 && i === last && BAR_COUNTER.test(l));
    if (PROGRESS.test(l) && !FRAME.test(l) && !/Error|Exception|exitcode|Traceback/.test(l) && !redraw) return false;
  }
  return true;
}

/** Python's report of an exception it ignored at interpreter exit (a finalizer's, atexit's). */
const IGNORED_HEAD = /^Exception ignored (?:in|while|on)\b|^Error in atexit\._run_exitfuncs/;

/**
 * Python's warnings.showwarning prints `file:lineno: Category: message`, then the warn call's source line two spaces
 * in (`  warnings.warn(...)`, `  warn(...)` after `from warnings import warn`). A traceback can be the message: StyleGAN2-ADA's
 * custom ops (and StyleGAN3, EG3D, MAT, their forks) catch a failed build of their CUDA plugin and warn `Failed to build
 * CUDA kernels for upfirdn2d. Falling back to slow reference implementation. Details:\n\n` + traceback.format_exc().
 */
const WARNING_SOURCE_ECHO = /^ {2}(?:warnings\.)?warn\(/;
/**
 * Blank lines between a warning's message and the echo of its warn call: one after a message that ends in "\n", two
 * when traceback.format_exc() adds its own after an exception message ending in one (see isWarningMessage).
 */
const MAX_BLANKS_BEFORE_ECHO = 2;

/**
 * Whether the echo of a warn call (WARNING_SOURCE_ECHO) closes a warning message whose last line is lines[end]: it
 * follows that line with at most MAX_BLANKS_BEFORE_ECHO blank lines between. The one reading of where such a message
 * ends, for a traceback in it (isWarningMessage) and an import failure quoted in it (failure.ts
 * demoteWarningMessageImports).
 */
export function warnEchoFollows(lines: readonly string[], end: number): boolean {
  let after = end + 1;
  while (after < lines.length && after <= end + MAX_BLANKS_BEFORE_ECHO && lines[after]!.trim() === "") after++;
  return after < lines.length && WARNING_SOURCE_ECHO.test(lines[after]!);
}

/** A warning header whose message introduces what follows (`... Details:`), as one that carries a traceback ends. */
const WARNING_HEAD_INTRODUCING = /^(?<file>.+?):\d+: [A-Z]\w*Warning: .*:\s*$/;

/**
 * Whether the traceback `e` is a warning's message: the echo of the warn call follows
 * its last line (a blank line between, the one a message ending in "\n" leaves, or two: traceback.format_exc() adds its
 * own "\n" after an exception message that ends in one, as torch's `Error building extension '...': <ninja's output>`
 * does), or a header introducing it precedes its head with the blank line of "Details:\n\n" between (the echo cut off
 * by the excerpt). Without the echo, the traceback must also start in the header's file: format_exc() prints from the
 * frame that caught the exception, where the warn call is, and a header printed without its source line (`<frozen
 * importlib._bootstrap>:241: RuntimeWarning: ...:`) can precede the program's own crash. Any other warning header
 * right above a traceback is no sign either.
 */
function isWarningMessage(lines: readonly string[], e: ParsedException): boolean {
  if (warnEchoFollows(lines, e.endLine)) return true;
  const start = e.startLine;
  const header = start >= 2 && lines[start - 1]!.trim() === "" ? WARNING_HEAD_INTRODUCING.exec(withoutRankPrefix(lines[start - 2]!)) : null;
  return header !== null && e.frames[0]?.file === header.groups!.file;
}

/**
 * Where the output of a log's run ends: the index after its last line that is neither blank, nor a tool's
 * closing output (EXIT_REPORT: a tracker's summary, Slurm's notices, a CI verdict, a shell prompt), nor a tqdm
 * bar drawn again at a count it had, nor a traceback Python printed and ignored at interpreter exit (`Exception
 * ignored in: <function _MultiProcessingDataLoaderIter.__del__ ...>`). Readers of a log's last records (a wait
 * it ends in, the grad norm of its last step) read up to there. Lines as kept by the scanner.
 */
export function runEnd(rawLines: readonly string[]): number {
  // Lines are read from the end and only as far as needed (a scan calls this once per file, in cold code).
  const cache: (string | undefined)[] = [];
  const line = (i: number): string => (cache[i] ??= withoutRankPrefix(normaliseLine(rawLines[i]!)));
  let end = rawLines.length;
  for (;;) {
    while (end > 0 && (!line(end - 1).trim() || EXIT_REPORT.test(line(end - 1)) || redrawnBar(rawLines, line, end - 1))) end--;
    const ignored = ignoredReportBefore(rawLines, line, end);
    if (ignored < 0) return end;
    end = ignored;
  }
}

/** A tqdm bar at a count drawn in the 400 lines before it, or complete: its closing redraw. */
function redrawnBar(rawLines: readonly string[], line: (i: number) => string, i: number): boolean {
  const c = line(i).includes("%") ? BAR_COUNTER.exec(line(i)) : null;
  if (!c) return false;
  if (FINISHED_BAR.test(line(i))) return true;
  for (let k = i - 1; k >= Math.max(0, i - 400); k--) if (rawLines[k]!.includes(c[1]!) && BAR_COUNTER.exec(line(k))?.[1] === c[1]) return true;
  return false;
}

/**
 * The line of `Exception ignored ...` when lines [that line, end) are exactly such a report: that line, a
 * traceback's head, its frames and source lines, then the exception line and at most MAX_MESSAGE_LINES of
 * message; else -1.
 */
function ignoredReportBefore(rawLines: readonly string[], line: (i: number) => string, end: number): number {
  for (let k = end - 1; k >= Math.max(0, end - MAX_TRACEBACK_LINES); k--) {
    const raw = rawLines[k]!;
    if (!(raw.includes("Exception ignored ") || raw.includes("Error in atexit")) || !IGNORED_HEAD.test(line(k).trim())) continue;
    let i = k + 1;
    while (i < end && !line(i).trim()) i++;
    if (i >= end || !line(i).startsWith(TRACEBACK_HEAD)) return -1;
    let lastFrame = -1;
    for (let j = i + 1; j < end; j++) if (line(j).includes('File "') && FRAME.test(line(j))) lastFrame = j;
    if (lastFrame < 0) return -1;
    let exc = lastFrame + 1;
    while (exc < end && (/^\s/.test(line(exc)) || !line(exc).trim())) exc++;
    return exc < end && EXC_LINE.test(line(exc).trimEnd()) && end - exc <= MAX_MESSAGE_LINES ? k : -1;
  }
  return -1;
}

/**
 * Training progress that a run printed after an error it survived: an epoch, step or iteration
 * counter or a loss value (not a bare bar's it/s, which a download draws too; not Slurm's upper-case
 * "STEP 608.0", a job step).
 */
const TRAINING_PROGRESS = /\b(?:[Ee]poch|EPOCH|[Ss]tep|[Ii]ter(?:ation)?|ITER(?:ATION)?|[Ll]oss|LOSS)\b\s*[:=]?\s*[[(]?\s*\d|'loss': \d/;

/**
 * True when a line after lines[index] shows training going on (TRAINING_PROGRESS, in a line that is
 * not a tqdm bar's redraw at counts drawn before): the run survived what that line reported (a
 * DataLoader worker's segfault, an OOM a trainer skipped). `index` may be -1 (every line is after
 * it). Lines as kept by the scanner; pasting artefacts ("> ") are undone here.
 */
export function goesOnAfter(rawLines: readonly string[], index: number): boolean {
  return progressAfter(rawLines, index) >= 0;
}

/** The index of the first line after lines[index] that shows training going on, as goesOnAfter reads it; -1: none. */
export function progressAfter(rawLines: readonly string[], index: number): number {
  const drawn = new Set<string>();
  for (let i = Math.max(0, index - 400); i <= index && i < rawLines.length; i++) {
    const c = rawLines[i]!.includes("%") ? BAR_COUNTER.exec(rawLines[i]!) : null;
    if (c) drawn.add(c[1]!);
  }
  for (let i = index + 1; i < rawLines.length; i++) {
    const l = normaliseLine(rawLines[i]!);
    // Not `default`: torchrun's --tee prefix (`[default0]:step 3 loss ...`) and a default value are no fault.
    if (!TRAINING_PROGRESS.test(l) || FRAME.test(l) || /Error|Exception|exitcode|Traceback|[Kk]illed|[Ss]ignal|(?<![Dd]e)[Ff]ault/.test(l) || EXIT_REPORT.test(l)) continue;
    // A bar drawn again at counts it had, or at 0 % (a new bar that never moved), is not training going on.
    if (FINISHED_BAR.test(l) || drawn.has(BAR_COUNTER.exec(l)?.[1] ?? "") || /(?:^|[\s:])0%\|/.test(l)) continue;
    return i;
  }
  return -1;
}

/** Every exception in `lines`, in order; chained ones link to the exception they came from. */
export function parseExceptions(lines: readonly string[]): ParsedException[] {
  parseStats.exceptionParses++;
  const out: ParsedException[] = [];
  const consumed = new Set<number>();
  // Pending chain marker per prefix: the next traceback with that prefix continues the chain.
  const pendingChain = new Map<string, { kind: "cause" | "context"; from: ParsedException }>();
  for (let i = 0; i < lines.length; i++) {
    if (consumed.has(i)) continue;
    const raw = lines[i]!;
    // Each head, and each regex below, needs a literal text of the line: a line without it is not
    // run through that regex (a regex's first run compiles it; most of a log's lines hold none).
    const titled = raw.includes(TRACEBACK_TITLE);
    const ip = titled ? IPYTHON_HEAD.exec(raw) : null;
    if (ip) {
      // IPython (Jupyter, Colab) chains its tracebacks with Python's own markers between them.
      const e = parseIPythonTraceback(lines, i, ip.groups!.type!, consumed);
      const pend = pendingChain.get("");
      if (pend) {
        e.chainedFrom = pend.from;
        e.chainKind = pend.kind;
        pendingChain.delete("");
      }
      out.push(e);
      const kind = e.cut ? null : chainMarkerAfter(lines, e.endLine, "");
      if (kind) pendingChain.set("", { kind, from: e });
      continue;
    }
    if (titled && RICH_HEAD.test(raw)) {
      const e = parseRichTraceback(lines, i, consumed);
      if (e) out.push(e);
      continue;
    }
    const tb = raw.indexOf(TRACEBACK_HEAD);
    if (tb >= 0) {
      const prefix = raw.slice(0, tb);
      const e = parsePythonTraceback(lines, i, prefix, consumed);
      if (!e) continue;
      // "Exception ignored in: <function X.__del__>" and atexit errors come after the run ended.
      for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
        const p = stripPrefix(lines[j]!, prefix);
        if (p === null || !p.trim()) continue;
        // Python 3.14 words it "Exception ignored while calling deallocator <...>:" (and "while finalizing").
        if (IGNORED_HEAD.test(p.trim())) e.ignored = true;
        // A thread's uncaught exception is printed by threading.excepthook and ends only that thread:
        // cut before its exception line, it names no error and says nothing of the process (a W&B
        // uploader's retry traceback while training prints on; the main thread's output interleaves).
        if (e.cut && /^Exception in thread \S/.test(p.trim())) e.ignored = true;
        break;
      }
      markIgnoredByItsFrames(e, false);
      const pend = pendingChain.get(prefix);
      if (pend) {
        e.chainedFrom = pend.from;
        e.chainKind = pend.kind;
        pendingChain.delete(prefix);
      }
      markCaughtByWarning(lines, e);
      out.push(e);
      // A chain marker right after the message links the next traceback of this prefix to it.
      const kind = chainMarkerAfter(lines, e.endLine, prefix);
      if (kind) pendingChain.set(prefix, { kind, from: e });
      continue;
    }
    // Frames without their "Traceback" line (an excerpt that starts inside the traceback); not a creation
    // stack a notice prints (CREATION_STACK_HEAD).
    if (raw.includes('File "') && /^\s*File "[^"]+", line \d+/.test(raw) && headlessFrameStart(lines, i) && !creationStackBefore(lines, i)) {
      const prefix = raw.slice(0, raw.indexOf("File"));
      const e = parsePythonTraceback(lines, i - 1, prefix.replace(/\s+$/, ""), consumed);
      // Begun inside a frame and ending inside the frames too, a text is only frames: a thread's traceback that a run
      // printed and went on past reads the same (the cut of a healthy wandb log, fresh9 zi-wandb-1526), so it names no
      // failure; one that reaches its exception line does.
      const onlyFrames = e?.cut === true && i > 0 && /^\s{2,}\S/.test(lines[i - 1]!);
      // Its lines are read again as if it had not begun here (a later frame after a line of another kind may start one).
      if (e && onlyFrames) for (let j = e.startLine; j <= e.endLine; j++) consumed.delete(j);
      if (e && !onlyFrames) {
        // The frames say it as well without the head: a finalizer's exception, or one raised at shutdown.
        markIgnoredByItsFrames(e, true);
        markCaughtByWarning(lines, e);
        out.push(e);
        continue;
      }
    }
    if (raw.includes("HYDRA_FULL_ERROR=1") && HYDRA_NOTICE.test(withoutRankPrefix(raw).trim())) {
      const e = hydraCompactError(lines, i, out.at(-1));
      if (e) out.push(e);
      continue;
    }
    const abi = raw.includes(LIBCXXABI_TEXT) ? LIBCXXABI_TERMINATE.exec(raw) : null;
    if (abi) {
      const prefix = raw.slice(0, raw.length - withoutRankPrefix(raw).length);
      out.push({ kind: "cpp", type: abi.groups!.type!, message: abi.groups!.msg!.trim(), line: i, endLine: i, startLine: i, frames: [], prefix });
      consumed.add(i);
      continue;
    }
    const t = raw.includes(TERMINATE_TEXT) ? TERMINATE.exec(raw) : null;
    if (t) {
      const e = parseTerminate(lines, i, t.groups!.type!);
      out.push(e);
      for (let j = i; j <= e.endLine; j++) consumed.add(j);
      continue;
    }
    // A C++ exception a glog error record names (Caffe2's operator chain rethrowing its EnforceNotMet).
    const cpp = raw.includes("::") && raw.includes("] ") ? errorRecordCppException(lines, i) : null;
    if (cpp) {
      out.push(cpp);
      continue;
    }
    // BARE_EXC's type ends in one of these words right before ": ", in a part of the line; or the line
    // ends in such a type and its colon, the message on the lines after it (BARE_EXC_HEAD).
    const endsInType = raw.includes(":") && /(?:Error|Exception):\s*$/.test(raw);
    const typeOnly = !endsInType && /(?:Error|Exception)\s*$/.test(raw) ? BARE_TYPE_ONLY.exec(withoutRankPrefix(raw).trimEnd()) : null;
    if (typeOnly && nothingAfter(lines, i)) {
      // The exception line alone at the text's end, without a message (`AssertionError`): what Python prints last for a
      // bare `assert` or `raise X`, pasted without its traceback. Not a type and colon with nothing after them (a
      // heading, test/crash-rules-eighteenth-round.test.ts's near miss).
      out.push({ kind: "python", type: typeOnly.groups!.type!, message: "", line: i, endLine: i, startLine: i, frames: [], prefix: raw.slice(0, raw.length - withoutRankPrefix(raw).length) });
      continue;
    }
    if (!endsInType && !BARE_EXC_ENDS.some((end) => raw.includes(end))) continue;
    const body = withoutRankPrefix(raw);
    const uncaught = body.includes("Uncaught ") ? UNCAUGHT.exec(body) : null;
    const bare = endsInType ? BARE_EXC_HEAD.exec(body) : BARE_EXC.exec((uncaught ? body.slice(uncaught[0].length) : body).trim().replace(JAX_UNFILTERED, ""));
    if (bare && (uncaught !== null || !/^\s/.test(body))) {
      const msgLines = endsInType ? [] : [bare.groups!.msg!.trim()];
      let j = i + 1;
      for (; j < lines.length && msgLines.length < MAX_MESSAGE_LINES; j++) {
        const s = withoutRankPrefix(lines[j]!);
        if (endsMessage(s) || BARE_EXC.test(s.trim()) || FRAME.test(s) || s.includes(TRACEBACK_HEAD)) break;
        // A message read from the lines after its type ends where training output resumes.
        if (endsInType && PROGRESS.test(s)) break;
        msgLines.push(s.trimEnd());
      }
      // A type and colon with nothing after them is an exception only when its message follows.
      if (!msgLines.length) continue;
      const prefix = raw.slice(0, raw.length - withoutRankPrefix(raw).length);
      const e: ParsedException = { kind: "python", type: bare.groups!.type!, message: msgLines.join("\n"), line: i, endLine: j - 1, startLine: i, frames: framesAfter(lines, j, consumed), prefix };
      out.push(e);
      // An excerpt that begins after the first traceback's head still shows the chain: the exception line, then
      // Python's marker, then the traceback raised from it (transformers#23228: requests' HTTPError, "The above
      // exception was the direct cause ...", then IPython's HfHubHTTPError).
      const kind = chainMarkerAfter(lines, e.endLine, prefix);
      if (kind) pendingChain.set(prefix, { kind, from: e });
    }
  }
  return out;
}

/** An exception line that is only its type (no colon, no message): `AssertionError`; not `queue.Empty` (no such ending). */
const BARE_TYPE_ONLY = /^(?<type>(?:[a-z_]\w*\.)*_?[A-Z]\w*(?:Error|Exception))$/;

/** Whether only blank lines or a Markdown fence follow line i: the text ends there. */
function nothingAfter(lines: readonly string[], i: number): boolean {
  for (let j = i + 1; j < lines.length; j++) if (lines[j]!.trim() && !/^`{3,}\w*$/.test(lines[j]!.trim())) return false;
  return true;
}

/** The most code lines one frame prints under its `File` line (a statement over several lines, Python 3.11+'s markers). */
const MAX_FRAME_CODE_LINES = 6;

/**
 * Whether the frame line at i is the first of a traceback whose head the text lost: no frame line right before it, and
 * no code line either (that belongs to the frame before), unless the text starts with those code lines, their frame's
 * `File` line cut off with everything above (an excerpt pasted from the middle of a traceback).
 */
function headlessFrameStart(lines: readonly string[], i: number): boolean {
  if (i === 0) return true;
  if (!/^\s*File "|^\s{2,}\S/.test(lines[i - 1]!)) return true;
  if (i > MAX_FRAME_CODE_LINES) return false;
  for (let j = i - 1; j >= 0; j--) if (/^\s*File "/.test(lines[j]!) || (lines[j]!.trim() && !/^\s{2,}\S/.test(lines[j]!))) return false;
  return true;
}

/** Python 3's message for an import attempted while the interpreter finalizes. */
const INTERPRETER_SHUTTING_DOWN = /\bPython is likely shutting down\b/;

/**
 * Marks an exception that never ended the run, by what its frames (or message) show even without the lines above it: one
 * raised in a finalizer, the DataLoader's worker shutdown failing while the interpreter shut down, one an availability
 * probe caught and printed.
 */
function markIgnoredByItsFrames(e: ParsedException, headless: boolean): void {
  // Python never propagates an exception raised in a finalizer (`__del__`, the DataLoader
  // iterator's worker shutdown): it prints it as ignored, even when the excerpt lost that line.
  if (e.frames.some((f) => f.func === "__del__")) e.ignored = true;
  // The DataLoader's worker shutdown failing because the interpreter is finalizing: at that point it runs only from the
  // iterator's finalizer or its exit hook (the same message raised through other frames is the program's own error).
  if (INTERPRETER_SHUTTING_DOWN.test(e.message) && e.frames.some((f) => f.func === "_shutdown_workers")) e.ignored = true;
  // A traceback that starts inside an availability probe (`is_flash_attn_available`,
  // xformers' `_is_triton_available`) was printed by the probe that caught it (logging's
  // exc_info starts at the catching frame; an uncaught one starts at the program's top level):
  // the probe answered False and the run went on without the optional module. Not for a traceback without its head:
  // its first frame is where the excerpt was cut, not where the exception was caught.
  const outer = headless ? undefined : e.frames[0];
  if (outer && AVAILABILITY_PROBE.test(outer.func)) {
    e.ignored = true;
    e.caughtBy = outer.func;
  }
}

/** Marks a traceback that is a warning's message (isWarningMessage): the code that warned caught it and went on. */
function markCaughtByWarning(lines: readonly string[], e: ParsedException): void {
  if (e.cut || !isWarningMessage(lines, e)) return;
  // traceback.format_exc() prints the whole chain: the exceptions it was raised from are the message too.
  for (let x: ParsedException | undefined = e; x; x = x.chainedFrom) {
    x.ignored = true;
    x.caughtBy = "warnings.warn";
  }
}

/**
 * The line before a creation stack, which is not a traceback: TensorFlow's tf_should_use notice that an op or tensor
 * was never used (`ERROR:tensorflow:...` / `Object was never used (type <class '...'>):` / ... / `It was originally
 * created here:` then `traceback.format_stack`'s frames), logged by a finalizer while the run goes on or exits cleanly;
 * Theano's, Aesara's and PyTensor's report of the graph node an exception was raised in (`raise_with_op`: `Apply node
 * that caused the error: ...`, then `Backtrace when the node is created(use Theano flag traceback.limit=N to make it
 * longer):` and the frames that built the node, then `HINT: ...`), which is the message of the exception line above it.
 */
const CREATION_STACK_HEAD = /^\s*(?:It was originally created here:|Backtrace when the node is created ?(?:\(use \w+ flag traceback(?:\.|__)limit=N to make it longer\))?:)\s*$/;

/** True when the nearest non-blank line before `i` heads a creation stack (CREATION_STACK_HEAD). */
function creationStackBefore(lines: readonly string[], i: number): boolean {
  for (let j = i - 1; j >= Math.max(0, i - 3); j--) {
    const s = withoutRankPrefix(lines[j]!);
    if (s.trim()) return CREATION_STACK_HEAD.test(s);
  }
  return false;
}

/**
 * An exception line whose message starts on the next line (`safetensors._safetensors_rust.SafetensorError:` and,
 * below it, `Error while serializing: I/O error:`): a message that begins with a line break, or an excerpt that
 * broke the line. The type has a name before its Error/Exception (not a heading's bare `Error:`).
 */
const BARE_EXC_HEAD = /^(?<type>(?:[a-z_]\w*\.)*_?[A-Z]\w*(?:Error|Exception)):\s*$/;

/**
 * The header of a glog / absl record of the given levels (`E1010 08:01:14.683147    4811 file.cc:262] `), its location as
 * written (a file:line, a path): the one header of such records, here and in final-error.ts (records of any level there).
 */
export const glogRecordHead = (levels: string): string => `^[${levels}]\\d{4} \\d\\d:\\d\\d:\\d\\d(?:\\.\\d+)?\\s+\\d+ [^\\s\\]]+\\] `;
/** A glog error or fatal record's head (`E0628 19:13:22.730840  3624 net_dag.cc:195] `), or Caffe2's short one (`[E net_dag.cc:188] `). */
const ERROR_RECORD_HEAD = new RegExp(`${glogRecordHead("EF")}|^\\[[EF] [\\w.-]+:\\d+\\] `);
/** A namespaced C++ exception type and its message (`caffe2::EnforceNotMet: [enforce fail at ...] ...`, `c10::Error: ...`). */
const CPP_EXCEPTION = /(?<![\w:])(?<type>(?:[a-z_]\w*::)+\w*(?:Error|Exception|NotMet|error|exception)): (?<msg>\S.*)$/;

/**
 * A C++ exception named in a glog error record, with no `terminate called` around it: Caffe2 logs the
 * exception an operator chain threw (`[E net_dag.cc:188] Exception from operator chain starting at '' (type
 * 'NCCLAllreduce'): caffe2::EnforceNotMet: ...`) and rethrows it, which ends the run. Its message is the rest
 * of the record; the record's continuation lines (the operator's definition) are not read.
 */
function errorRecordCppException(lines: readonly string[], i: number): ParsedException | null {
  const raw = lines[i]!;
  const body = withoutRankPrefix(raw);
  const head = ERROR_RECORD_HEAD.exec(body);
  const m = head ? CPP_EXCEPTION.exec(body.slice(head[0].length)) : null;
  if (!m) return null;
  const prefix = raw.slice(0, raw.length - body.length);
  return { kind: "cpp", type: m.groups!.type!, message: m.groups!.msg!.trim(), line: i, endLine: i, startLine: i, frames: [], prefix };
}

/**
 * The exception Hydra printed as its message alone before its closing notice (HYDRA_NOTICE at `notice`):
 * the block of lines before the notice, back to "Error executing job with overrides" or a log record;
 * null when that block is an exception already parsed (a traceback or a bare exception line).
 */
function hydraCompactError(lines: readonly string[], notice: number, previous: ParsedException | undefined): ParsedException | null {
  let end = notice - 1;
  while (end >= 0 && !lines[end]!.trim()) end--;
  let start = end + 1;
  for (let k = end; k >= 0 && end - k < MAX_MESSAGE_LINES; k--) {
    const s = withoutRankPrefix(lines[k]!);
    if (!s.trim() || HYDRA_JOB_ERROR.test(s) || endsMessage(s)) break;
    start = k;
  }
  if (start > end || (previous !== undefined && previous.endLine >= start)) return null;
  const job = start > 0 && HYDRA_JOB_ERROR.test(withoutRankPrefix(lines[start - 1]!)) ? start - 1 : start;
  const message = lines.slice(start, end + 1).map((l) => withoutRankPrefix(l).trimEnd()).join("\n");
  return { kind: "python", type: "hydra.errors.CompactHydraException", message, line: start, endLine: notice, startLine: job, frames: [], prefix: "" };
}

/** A label a user puts between an exception they pasted first and its frames ("Full traceback:"). */
const TRACEBACK_LABEL = /^\s*(?:(?:full|complete|whole|the)\s+)?(?:stack\s*)?trace(?:back)?\s*:?\s*$/i;

/**
 * Frames printed after an exception line rather than before it (an issue that quotes the error,
 * then "Full traceback:" and the frames, without Python's "Traceback" line or a second exception
 * line): they are that exception's frames, and the reader needs them (a JSONDecodeError is a broken
 * tokenizer config only inside get_tokenizer_config). Only blank lines or such a label may come
 * between; frames followed by an exception line are a traceback of their own and are left to it.
 */
function framesAfter(lines: readonly string[], from: number, consumed: Set<number>): TraceFrame[] {
  let i = from;
  for (let gap = 0; i < lines.length && gap < 4 && !FRAME.test(lines[i]!); i++, gap++) {
    if (lines[i]!.trim() && !TRACEBACK_LABEL.test(lines[i]!)) return [];
  }
  const frames: TraceFrame[] = [];
  let end = i;
  for (; end < lines.length; end++) {
    const f = FRAME.exec(lines[end]!);
    if (f) {
      frames.push({ file: f.groups!.file!, line: Number(f.groups!.line), func: (f.groups!.func ?? "").trim() });
      continue;
    }
    const last = frames.at(-1);
    if (!last || !/^\s+\S/.test(lines[end]!)) break;
    if (last.code === undefined) last.code = lines[end]!.trim();
  }
  // Frames that end in an exception line belong to that exception's own (headless) traceback.
  for (let k = end; k < lines.length && k < end + 2; k++) {
    if (!lines[k]!.trim()) continue;
    if (EXC_LINE.test(lines[k]!.trim()) || BARE_EXC.test(lines[k]!.trim())) return [];
    break;
  }
  for (let k = i; k < end; k++) consumed.add(k);
  return frames;
}

/** True when a line prefix (`[rank1]: `, `[default0]:`) is that of the rank the launcher names as the first failure. */
export function prefixRank(prefix: string, l: LauncherReport): boolean {
  const m = /\[(rank|default)?(\d+)\]/.exec(prefix) ?? /^\s*(\d+): $/.exec(prefix);
  if (!m) return false;
  const n = Number(m[2] ?? m[1]);
  return m[1] === "default" ? n === (l.localRank ?? l.rank) : n === l.rank;
}

function stripPrefix(line: string, prefix: string): string | null {
  if (!prefix) return line;
  return line.startsWith(prefix) ? line.slice(prefix.length) : null;
}

/**
 * What launchers and log collectors put before each line: torchrun's `[rank1]: `, accelerate's
 * `[default0]:`, mpirun's `[1,0]<stderr>:`, and docker compose's `service-1  | `, and the other source
 * tags of agent/crash/capture-prefix.ts, one or several (Ray's `(Worker pid=N) ` before `[rank1]: `).
 */
const RANK_PREFIX = new RegExp(String.raw`^(?:\[(?:rank|default)?\d+\]:\s?|\[\d+,\d+\]<std(?:out|err)>:\s?|[A-Za-z][\w.-]*\s+\| ?|${SOURCE_TAG_SOURCE})+`);
function withoutRankPrefix(line: string): string {
  const m = RANK_PREFIX.exec(line);
  return m ? line.slice(m[0].length) : line;
}

/**
 * Ray's exception line for a task that raised (`ray.exceptions.RayTaskError(APITimeoutError): ray::TaskRunner.run()
 * (pid=..., ip=...)`): its dual class is named after the exception it wraps, and its message is the remote traceback
 * Ray prints on the lines after it, down to that exception's own line.
 */
const RAY_DUAL_CLASS = String.raw`(?:[A-Za-z_]\w*\.)*Ray\w*Error\((?<wrapped>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\)`;
const RAY_DUAL_EXC = new RegExp(`^(?<type>${RAY_DUAL_CLASS}): (?<msg>\\S.*)$`);
const RAY_DUAL_TYPE = new RegExp(`^${RAY_DUAL_CLASS}$`);

/**
 * The type that names an exception's category: Ray's dual class (`ray.exceptions.RayTaskError(APITimeoutError)`, the
 * same name in IPython's head) is named after the exception the remote task raised, so that one's type names it, as it
 * would unwrapped; any other type is itself.
 */
export const wrappedType = (type: string): string => RAY_DUAL_TYPE.exec(type)?.groups!.wrapped ?? type;

function parsePythonTraceback(lines: readonly string[], head: number, prefix: string, consumed: Set<number>): ParsedException | null {
  const frames: TraceFrame[] = [];
  // Ray's exception line, when one stands between the frames: the remote traceback follows it.
  let rayTask: { line: number; type: string; msg: string } | undefined;
  const limit = Math.min(lines.length, head + MAX_TRACEBACK_LINES);
  for (let i = head + 1; i < limit; i++) {
    const s0 = stripPrefix(lines[i]!, prefix);
    // A headless traceback's first frame may have lost its indentation.
    const s = s0 !== null && /^File "/.test(s0) ? `  ${s0}` : s0;
    if (s === null) continue; // another rank's line
    const body = s;
    const f = FRAME.exec(body);
    if (f) {
      frames.push({ file: f.groups!.file!, line: Number(f.groups!.line), func: (f.groups!.func ?? "").trim() });
      continue;
    }
    if (body.trim() === "" || /^\s/.test(body) || /^\.\.\.|^\[Previous line repeated/.test(body)) {
      // The source line under a frame (not the ^^^ markers Python 3.11+ prints below it).
      const last = frames.at(-1);
      if (last && last.code === undefined && /^\s/.test(body) && !/^\s*[\^~]+\s*$/.test(body) && body.trim()) last.code = body.trim();
      continue;
    }
    if (body.includes(TRACEBACK_HEAD)) return null; // a new traceback before this one ended: cut off
    // A tool's closing output after a traceback cut short (`srun: error: ...`, `wandb: ...`) is no exception line.
    if (EXIT_REPORT.test(body)) continue;
    const m = EXC_LINE.exec(body.trimEnd());
    // Not an exception line (some other log record): the traceback was cut; keep looking.
    if (!m) {
      if (frames.length === 0) continue;
      const ray = RAY_DUAL_EXC.exec(body.trim());
      if (ray) {
        rayTask ??= { line: i, type: ray.groups!.type!, msg: ray.groups!.msg! };
        continue;
      }
      const loose = /^(?<type>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*): (?<msg>.*)$/.exec(body.trim());
      if (!loose) continue;
      return finishPython(lines, head, i, prefix, loose.groups!.type!, loose.groups!.msg ?? "", frames, consumed);
    }
    return finishPython(lines, head, i, prefix, m.groups!.type!, m.groups!.msg ?? "", frames, consumed);
  }
  // The text ends inside the traceback (not the length limit): the failure is there, its type is not.
  if (limit === lines.length && frames.length > 0) {
    // Cut inside Ray's remote traceback: Ray's line was printed, and its class names the exception the task raised.
    if (rayTask) {
      consumeOwn(lines, Math.max(0, head), lines.length - 1, prefix, consumed);
      return { kind: "python", type: rayTask.type, message: rayTask.msg.trim(), line: rayTask.line, endLine: lines.length - 1, startLine: Math.max(0, head), frames, prefix };
    }
    let last = lines.length - 1;
    while (last > head && !FRAME.test(stripPrefix(lines[last]!, prefix) ?? "")) last--;
    consumeOwn(lines, Math.max(0, head), lines.length - 1, prefix, consumed);
    return { kind: "python", type: "", message: "", line: last, endLine: lines.length - 1, startLine: Math.max(0, head), frames, prefix, cut: true };
  }
  // Only the "Traceback" line, at the very end of the text: the process died (or the excerpt was cut)
  // right after Python began printing its failure.
  if (limit === lines.length && head >= 0 && frames.length === 0 && lines.slice(head + 1).every((l) => !l.trim() || /^`{3,}\w*$/.test(l.trim()) || EXIT_REPORT.test(l))) {
    for (let j = head; j < lines.length; j++) consumed.add(j);
    return { kind: "python", type: "", message: "", line: head, endLine: lines.length - 1, startLine: head, frames, prefix, cut: true };
  }
  return null;
}

/**
 * Marks lines [from, to] as read by the traceback of `prefix`: only its own lines when it has a prefix (a rank's
 * tag), so that another rank's traceback interleaved with it, line by line or block by block, is parsed too.
 */
function consumeOwn(lines: readonly string[], from: number, to: number, prefix: string, consumed: Set<number>): void {
  for (let j = from; j <= to; j++) if (!prefix || lines[j]!.startsWith(prefix)) consumed.add(j);
}

/** PyTorch's per-rank tag (`[rank2]:`), which torch 2.2+ writes before each line a rank prints to stderr. */
const TORCH_RANK_TAG = /^\[rank\d+\]:/;

/**
 * Whether a line after an exception's message is another writer's output: a line under PyTorch's rank tag after an
 * exception printed without one (the ranks' watchdog records after the main process's traceback), or a log record
 * (MESSAGE_END) under any source tag. Python prints a message's lines as one write, never under a tag its first line
 * lacks (tune zzk open-r1-658: an ignored TimeoutError's message had taken in the NCCL watchdog's timeouts).
 */
function otherWriter(s: string, prefix: string): boolean {
  if (!prefix && s.startsWith("[rank") && TORCH_RANK_TAG.test(s)) return true;
  const body = withoutRankPrefix(s);
  return body !== s && endsMessage(body);
}

function finishPython(lines: readonly string[], head: number, excLine: number, prefix: string, rawType: string, rawMsg: string, frames: TraceFrame[], consumed: Set<number>): ParsedException {
  // JAX's UnfilteredStackTrace carries the real exception as its message: report that one.
  const inner = JAX_UNFILTERED.test(`${rawType}: ${rawMsg.trim()}`) ? /^(?<type>[\w.]+): (?<msg>.*)$/.exec(rawMsg.trim()) : null;
  const type = inner ? inner.groups!.type! : rawType;
  const firstMsg = inner ? inner.groups!.msg! : rawMsg;
  const msgLines = [firstMsg.trim()];
  let end = excLine;
  for (let j = excLine + 1; j < lines.length && msgLines.length < MAX_MESSAGE_LINES; j++) {
    const s = stripPrefix(lines[j]!, prefix);
    if (s === null) continue;
    if (endsMessage(s) || s.includes(TRACEBACK_HEAD) || FRAME.test(s) || otherWriter(s, prefix)) break;
    msgLines.push(s.trimEnd());
    end = j;
  }
  consumeOwn(lines, head, end, prefix, consumed);
  return { kind: "python", type, message: msgLines.join("\n").trim(), line: excLine, endLine: end, startLine: head, frames, prefix };
}

function parseIPythonTraceback(lines: readonly string[], head: number, type: string, consumed: Set<number>): ParsedException {
  const frames: TraceFrame[] = [];
  const limit = Math.min(lines.length, head + MAX_TRACEBACK_LINES);
  // Without its module path: `ray.exceptions.RayTaskError(KeyError)` is `RayTaskError(KeyError)`.
  const unqualified = (t: string): string => t.replace(/^(?:[A-Za-z_]\w*\.)+/, "");
  const short = unqualified(type);
  for (let i = head + 1; i < limit; i++) {
    const l = lines[i]!.trim();
    const f = /^(?<file>\S+) in (?<func>[\w<>.]+)\(/.exec(l) ?? /^File (?<file>\S+?):(?<line>\d+)(?:, in (?<func>[\w<>.]+))?/.exec(l);
    if (f) frames.push({ file: f.groups!.file!, line: Number(f.groups!.line ?? 0), func: f.groups!.func ?? "" });
    const m = /^(?<type>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?:\((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*\))?)(?::\s?(?<msg>.*))?$/.exec(l);
    if (m && (m.groups!.type === type || unqualified(m.groups!.type!) === short) && (lines[i]!.match(/^\s*/)![0].length <= (lines[head]!.match(/^\s*/)![0].length))) {
      const prefix = lines[i]!.match(/^\s*/)![0];
      return finishPython(lines, head, i, prefix, m.groups!.type!, m.groups!.msg ?? "", frames, consumed);
    }
  }
  // Cut before its last line: the head names the type. When the text ends inside it, it is a cut
  // traceback like a plain one (the process died, or the excerpt was cut, while it was printed).
  for (let i = head; i < limit; i++) consumed.add(i);
  return { kind: "python", type, message: "", line: head, endLine: head, startLine: head, frames, prefix: "", ...(limit === lines.length ? { cut: true } : {}) };
}

/** The chain marker ("The above exception was the direct cause ...") within a few lines after an exception's message, if any. */
function chainMarkerAfter(lines: readonly string[], endLine: number, prefix: string): "cause" | "context" | null {
  for (let j = endLine + 1; j < Math.min(lines.length, endLine + 6); j++) {
    const s = stripPrefix(lines[j]!, prefix);
    if (s === null) continue;
    if (s.includes(CHAIN_CAUSE)) return "cause";
    if (s.includes(CHAIN_CONTEXT)) return "context";
    if (s.trim()) return null;
  }
  return null;
}

function parseRichTraceback(lines: readonly string[], head: number, consumed: Set<number>): ParsedException | null {
  const frames: TraceFrame[] = [];
  const limit = Math.min(lines.length, head + MAX_TRACEBACK_LINES);
  for (let i = head + 1; i < limit; i++) {
    const l = lines[i]!;
    const f = RICH_FRAME.exec(l);
    if (f) frames.push({ file: f.groups!.file!, line: Number(f.groups!.line), func: f.groups!.func! });
    if (!/^\s*╰/.test(l)) continue;
    for (let j = i + 1; j < Math.min(lines.length, i + 4); j++) {
      const body = lines[j]!.trimEnd();
      if (!body.trim()) continue;
      const m = EXC_LINE.exec(body) ?? /^(?<type>(?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*): (?<msg>.*)$/.exec(body);
      if (!m) return null;
      return finishPython(lines, head, j, "", m.groups!.type!, m.groups!.msg ?? "", frames, consumed);
    }
    return null;
  }
  return null;
}

function parseTerminate(lines: readonly string[], head: number, type: string): ParsedException {
  let line = head;
  let end = head;
  const msgLines: string[] = [];
  for (let j = head + 1; j < Math.min(lines.length, head + 4); j++) {
    const w = WHAT.exec(withoutRankPrefix(lines[j]!));
    if (w) {
      msgLines.push(w.groups!.msg!.trim());
      line = j;
      end = j;
      for (let k = j + 1; k < lines.length && msgLines.length < MAX_MESSAGE_LINES; k++) {
        const s = withoutRankPrefix(lines[k]!);
        if (endsMessage(s) || /^\s*(?:Exception raised from|frame #)/.test(s)) break;
        msgLines.push(s.trimEnd());
        end = k;
      }
      break;
    }
  }
  const prefix = lines[head]!.slice(0, lines[head]!.length - withoutRankPrefix(lines[head]!).length);
  // The text ends at the terminate, before its `what():` line: cut like a traceback before its exception line (the
  // second rank's terminate at the end of an excerpt, OmniIsaacGymEnvs#50, repeats what the first one's said).
  const cut = msgLines.length === 0 && nothingAfter(lines, head);
  return { kind: "cpp", type, message: msgLines.join("\n").trim(), line, endLine: end, startLine: head, frames: [], prefix, ...(cut ? { cut } : {}) };
}

const SIGNALS: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 4: "SIGILL", 6: "SIGABRT", 7: "SIGBUS", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM" };

/**
 * A line holding none of these texts holds no launcher summary below (lastLauncherReport runs its regexes only on the
 * others): one search of their alternation per line, not ten `includes` through a closure (those took 1.2 ms of a
 * first scan's profile for the 357 lines of a 29 KB log, in V8's interpreter).
 */
const LAUNCHER_TEXT = / detected that one or more processes exited with non-zero status|Root Cause|exits with return code = |CalledProcessError: Command |srun: error: |Process finished with exit code |Command exited with non-zero status | failed with return code list: \[|failed \(exitcode: |Failures:/;

/** The last launcher summary in `lines`, or null. */
export function lastLauncherReport(lines: readonly string[]): LauncherReport | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    if (!LAUNCHER_TEXT.test(lines[i]!)) continue;
    const l = withoutRankPrefix(lines[i]!);
    // torchelastic before PyTorch 1.10 printed "Root Cause:" alone on its line.
    if (/Root Cause \(first observed failure\):|^\s*Root Cause:\s*$/.test(l)) return withFailures(torchrunRootCause(lines, i), lines);
    // The same table cut before its root cause still lists the other failed ranks under "Failures:".
    if (/^\s*Failures:\s*$/.test(l)) {
      const failures = torchrunFailures(lines, i);
      if (failures) return failures;
      continue;
    }
    if (FIRST_PROCESS_EXITED.test(l)) return firstProcessReport(lines, i);
    const ds = /exits with return code = (?<code>-?\d+)/.exec(l);
    if (ds) {
      const code = Number(ds.groups!.code);
      const rank = /\brank=(\d+)/.exec(l);
      return withSignal({ tool: "deepspeed", line: i, codeLine: i, endLine: i, exitCode: code, ...(rank ? { rank: Number(rank[1]) } : {}) });
    }
    const cpe = /CalledProcessError: Command .* (?:returned non-zero exit status (?<code>-?\d+)|died with <Signals\.(?<sig>SIG[A-Z]+): (?<num>\d+)>)/.exec(l);
    if (cpe) {
      const r: LauncherReport = { tool: "subprocess", line: i, codeLine: i, endLine: i };
      if (cpe.groups!.code !== undefined) r.exitCode = Number(cpe.groups!.code);
      if (cpe.groups!.sig) {
        r.signal = cpe.groups!.sig;
        r.exitCode = -Number(cpe.groups!.num);
      }
      return withSignal(r);
    }
    // Slurm, PyCharm, GNU time and SkyPilot (`ERROR: Job 439 failed with return code list: [1]`, the first node's
    // code) reporting a process's exit status (the traceback, if any, is above).
    const srun = /srun: error: \S+: tasks? (?<task>\d+)[\d,-]*: Exited with exit code (?<code>\d+)/.exec(l);
    const plain = srun ? null : (/Process finished with exit code (?<code>-?\d+)/.exec(l) ?? /Command exited with non-zero status (?<code>\d+)/.exec(l) ?? /\bJob \d+ failed with return code list: \[(?<code>-?\d+)/.exec(l));
    const exit = srun ?? plain;
    if (exit) {
      const code = Number(exit.groups!.code);
      if (code === 0) return null;
      return withSignal({ tool: "subprocess", line: i, codeLine: i, endLine: i, exitCode: code, ...(srun ? { rank: Number(srun.groups!.task) } : {}) });
    }
    // torchrun's elastic agent logs the first failed worker before its summary table; when the
    // excerpt or the log stops before the table, this line is all that says a rank failed.
    const agent = /\bfailed \(exitcode: (?<code>-?\d+)\) local_rank: (?<local>\d+) \(pid: \d+\) of binary/.exec(l);
    if (agent) return withSignal({ tool: "torchrun", line: i, codeLine: i, endLine: i, exitCode: Number(agent.groups!.code), localRank: Number(agent.groups!.local) });
  }
  return null;
}

/**
 * mpirun's report of the first process that exited non-zero, and Horovod's runner's (gloo_run raises a RuntimeError
 * with the same words): `... detected that one or more processes exited with non-zero status, thus causing the job to
 * be terminated. The first process to do so was:` then `Process name: N` and `Exit code: C`, in either order. Later
 * kills (the other workers, their containers cleaned up) are what the launcher did after it.
 */
const FIRST_PROCESS_EXITED = /\b(?:mpirun|Horovod) detected that one or more processes exited with non-zero status\b/;

function firstProcessReport(lines: readonly string[], at: number): LauncherReport {
  const r: LauncherReport = { tool: "subprocess", line: at, codeLine: at, endLine: at };
  for (let j = at + 1; j < Math.min(lines.length, at + 6); j++) {
    const l = withoutRankPrefix(lines[j]!);
    const code = /^\s*Exit code:\s*(-?\d+)\s*$/.exec(l);
    if (code) {
      r.exitCode = Number(code[1]);
      r.codeLine = j;
      r.endLine = j;
    } else if (/^\s*Process name:/.test(l)) r.endLine = j;
  }
  return withSignal(r);
}

/**
 * torchrun's ChildFailedError table (`<script> FAILED`, then `Failures:` and `Root Cause (first observed failure):`,
 * each failed rank an `[N]:` entry of `time`, `host`, `rank`, `exitcode`, `error_file`, `traceback` rows): one
 * section's first entry, up to the section's rule or the next entry.
 */
function torchrunRootCause(lines: readonly string[], at: number): LauncherReport {
  const r: LauncherReport = { tool: "torchrun", line: at, codeLine: at, endLine: at };
  let entries = 0;
  for (let j = at + 1; j < Math.min(lines.length, at + 40); j++) {
    const l = withoutRankPrefix(lines[j]!);
    if (isTableEntryHead(lines[j]!) && ++entries > 1) break;
    r.endLine = j;
    if (/^(?:={5,}|-{5,})/.test(l.trim())) break;
    const rank = /^\s*rank\s*:\s*(\d+)(?:\s*\(local_rank:\s*(\d+)\))?/.exec(l);
    if (rank) {
      r.rank = Number(rank[1]);
      if (rank[2] !== undefined) r.localRank = Number(rank[2]);
    }
    const code = /^\s*exitcode\s*:\s*(-?\d+)/.exec(l);
    if (code) {
      r.exitCode = Number(code[1]);
      r.codeLine = j;
    }
    const sig = /Signal (\d+) \((SIG[A-Z]+)\)/.exec(l);
    if (sig) r.signal = sig[2]!;
  }
  return withSignal(r);
}

/**
 * The entries of the `Failures:` section above a root cause (the same table: no `FAILED` title or `====` rule between),
 * added to its report; none when the section lists none (`<NO_OTHER_FAILURES>`).
 */
function withFailures(r: LauncherReport, lines: readonly string[]): LauncherReport {
  let head = -1;
  for (let j = r.line - 1; j >= Math.max(0, r.line - 400); j--) {
    const l = withoutRankPrefix(lines[j]!);
    if (/^\s*Failures:\s*$/.test(l)) {
      head = j;
      break;
    }
    if (/^\s*={5,}/.test(l) || / FAILED\s*$/.test(l)) return r;
  }
  const failures: FailedRank[] = [];
  for (let j = head + 1; head >= 0 && j < r.line; j++) {
    if (!isTableEntryHead(lines[j]!)) continue;
    const entry = torchrunRootCause(lines, j - 1);
    if (entry.exitCode === undefined) continue;
    const pid = /\(pid:\s*(\d+)\)/.exec(lines[entry.codeLine]!);
    failures.push({ exitCode: entry.exitCode, codeLine: entry.codeLine, ...(entry.rank !== undefined ? { rank: entry.rank } : {}), ...(entry.signal ? { signal: entry.signal } : {}), ...(pid ? { pid: Number(pid[1]) } : {}) });
  }
  return failures.length ? { ...r, failures } : r;
}

/** An `[N]:` entry head of torchrun's table (which withoutRankPrefix takes for a rank tag and removes whole). */
function isTableEntryHead(line: string): boolean {
  return /\[\d+\]:\s*$/.test(line) && withoutRankPrefix(line).trim() === "";
}

/**
 * The `Failures:` section of torchrun's table, read when the log or the excerpt stops before the root cause: the
 * ranks it lists failed too, but after the root cause (torchrun lists every failure but the earliest there), so the
 * report names none as the first (`otherFailure`); `<NO_OTHER_FAILURES>` lists none: no report, the root cause is below.
 */
function torchrunFailures(lines: readonly string[], at: number): LauncherReport | null {
  const next = lines.slice(at + 1, at + 3).find((s) => s.trim());
  if (next === undefined || !isTableEntryHead(next)) return null;
  const r = torchrunRootCause(lines, at);
  return r.exitCode === undefined ? null : { ...r, otherFailure: true };
}

function withSignal(r: LauncherReport): LauncherReport {
  if (r.signal === undefined && r.exitCode !== undefined) {
    // Negative codes are signals (Python's convention); 128+N is the shell's.
    const n = r.exitCode < 0 ? -r.exitCode : r.exitCode > 128 && r.exitCode < 160 ? r.exitCode - 128 : 0;
    if (n) r.signal = SIGNALS[n] ?? `signal ${n}`;
  }
  return r;
}

/** The innermost frame in the user's code (not the standard library or an installed package), else the innermost. */
export function innermostUserFrame(frames: readonly TraceFrame[]): TraceFrame | null {
  for (let i = frames.length - 1; i >= 0; i--) {
    const f = frames[i]!;
    if (!/[\\/](?:site-packages|dist-packages)[\\/]|[\\/]lib[\\/]python\d[\d.]*[\\/]|^<frozen|[\\/]torch[\\/]/.test(f.file)) return f;
  }
  return frames.at(-1) ?? null;
}

/** The first (root) exception of a chain. */
export function chainRoot(e: ParsedException): ParsedException {
  let cur = e;
  while (cur.chainedFrom) cur = cur.chainedFrom;
  return cur;
}

/** All exceptions of a chain, oldest first. */
export function chainOf(e: ParsedException): ParsedException[] {
  const out: ParsedException[] = [];
  for (let cur: ParsedException | undefined = e; cur; cur = cur.chainedFrom) out.unshift(cur);
  return out;
}
