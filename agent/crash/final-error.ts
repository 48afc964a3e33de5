/**
 * A crashed log is never "no crash": a log whose last lines are an error no rule names and that is not a
 * Python traceback or a launcher summary (failure.ts's fallback reads those) ends in that error. A C++
 * `F0807 ... Check failed`, a logger's `ERROR` record, `Test NCCL failure ...`, an NPU runtime's `EE1001`,
 * Go's `panic:`, a bare `Aborted (core dumped)`: an on-call engineer reads the last lines and names the
 * failure from their words. This module does the same, on the last lines only.
 *
 * What makes a line the failure: an error level (a logger's ERROR/FATAL/CRITICAL, glog's `E1234`/`F1234`),
 * `Error:` / `error:` / `fatal error:` / `panic:` at the line's start, a failure with a status or code, an
 * abort or a native stack's header, a bare exception line. What says the run went on: anything after the
 * error block that is neither an error line nor part of one (a stack frame, a glog stack, a record's
 * continuation): a later INFO record, a step, a completion line. Only an error block at the very end counts.
 */
import { capturePrefixLength } from "./capture-prefix.js";
import { FALLBACK_PRIORITY, keptLineFinding, readExceptionMessage, type KeptLines } from "./failure.js";
import { PROGRESS, c10RecordHead, glogRecordHead, normaliseLine, type FailureReport, type ParsedException } from "./traceback.js";
import type { CrashCategory, CrashFinding } from "./types.js";

/** Non-blank lines read back from the end at most: the error block and what follows it. */
const TAIL_LINES = 60;
/** Characters of a line read (a line can be a whole data item). */
const LINE_CHARS = 2000;

/** A logger's error level as a word of the line's first characters (`ERROR 05-30 ...`, `[ERROR]`, `- ERROR -`, `ERROR:root:`). */
const LEVEL_WORD = /(?:^|[\s[(|:<,])(?:ERROR|FATAL|CRITICAL)(?=[\s\]):|,>-]|$)|(?:^|\s)level=(?:error|fatal|critical)\b|"level": ?"(?:error|fatal|critical)"/;
/** How far into the line a level word may be (past a timestamp, a host, a logger name). */
const LEVEL_WITHIN = 90;
/**
 * A level that says the record is not an error (checked in the same span), glog's and Ray's bracketed `I`/`W`
 * records (`[W socket.cpp:558]`, `[W0515 ...]` after a rank prefix, `[time W pid tid]`) and TensorFlow's `: W tensorflow/...]`.
 */
const OTHER_LEVEL = new RegExp(
  `(?:^|[\\s[(|:<,])(?:INFO|WARN|WARNING|DEBUG|TRACE|NOTICE)(?=[\\s\\]):|,>-]|$)|^${c10RecordHead("IWD")}|\\d [IWD] \\d+ \\d+\\] |: [IWD] [\\w/.-]+:\\d+\\] |\\b[A-Z]\\w*Warning: |^Warning: |(?:^|\\s)level=(?:info|warn|warning|debug)\\b`,
);
/** glog / absl error records (`E1010 ...`, `F0807 ...`); Ray's C++ records `[2022-01-15 18:36:49,346 E 15225 454245] `. */
const GLOG_ERROR = new RegExp(`${glogRecordHead("EF")}|\\d{3} [EF] \\d+ \\d+\\] `);
/**
 * A C++ fatal record however much of its header is left: TensorFlow's own FATAL format (`2019-01-16 15:21:11.491216:
 * F tensorflow/stream_executor/cuda/cuda_dnn.cc:516] ...`, or ` F tensorflow/...] ` when the excerpt cut its date), and a
 * failed CHECK after its source location with the record's start lost (`tensorflow/.../cuda_dnn.cc:194] Check failed:
 * ...`): glog's and TensorFlow's CHECK is fatal whatever prints it (its E records are not: healthy runs print them).
 */
const CPP_FATAL = /(?:^|[\s:])F [\w/.-]+\.(?:cc|cpp|cxx|cu|h|hpp):\d+\] \S|\.(?:cc|cpp|cxx|cu|h|hpp):\d+\] Check failed: /;
/** A glog / absl CHECK's message at the line's start (`Check failed: fd != -1 (-1 vs. -1) File not found: x`): its record's head lost by the paste. */
const HEADLESS_CHECK = /^Check failed: \S/;
/**
 * darknet's file_error (`Couldn't open file: backup//yolo-obj_last.weights`), which exits the program. Other programs print
 * the same words and go on: only an error block at the log's end counts, so the lines after them say so.
 */
const FILE_OPEN_FAILED = /^Couldn't open file: \S/;
/**
 * An error line that says a file or path is not there (Caffe's CHECK `File not found: numbers_iter.solverstate`): a wrong
 * path, python_exception by the corpus's convention, whatever abort the process died of after it (a cause another line
 * names still reads as that cause).
 */
const MISSING_PATH = /\b(?:file|path|directory|folder)\b[^.;]{0,60}?\b(?:not found|does not exist|doesn't exist)\b|\bno such file or directory\b|\[Errno 2\]/i;
/**
 * The Lua interpreter's report of an error nothing caught (LuaJIT under Torch7's `th`, lua5.x): `<path>/luajit: <message>`,
 * then `stack traceback:` and its frames (Lua's frames are in TRAILER).
 */
const LUA_ERROR = /^(?:\S*[\\/])?(?:luajit|lua(?:\d(?:\.\d)?)?)(?:\.exe)?: \S/;
/** A bracketed date and time a tool writes before each record (Marian's `[2019-04-15 08:34:14] Error: ...`). */
const BRACKETED_TIME = /^\[\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:[.,]\d+)?\] /;
/** `Error: ...`, `error: ...`, `fatal error: ...`, `Unexpected error: ...`, `panic: ...`, `tool: error: ...`, Rust's `error[E0425]: ...`; not a metric (`error: 0.05`). */
const ERROR_HEAD = /^(?:[\w.-]+: |(?:Unexpected|Unhandled|Uncaught|Internal|Runtime|Unrecoverable|Fatal) )?(?:[Ee]rror|ERROR|[Ff]atal(?: [Ee]rror)?|FATAL(?: ERROR)?|panic|PANIC)(?:\[\w+\])?\s?: ?(?![-+]?[\d.]+(?:\s|$))\S/;
/** A failure with a status, code or source location (`Test NCCL failure common.cu:1285 '...'`, `failed with error code 3`, `failed, retCode=0x7110001`). */
const FAILED_WITH_CODE = /\b(?:[Ff]ail(?:ed|ure)|FAIL(?:ED|URE))\b.{0,120}?(?:\b(?:error ?code|errno|status|ret ?code|retCode|return code|exit code|exit status|code)\s*[:=]?\s*\(?-?(?:0x[0-9a-fA-F]+|\d+)\b|\b\w+\.(?:cc|cpp|cu|cxx|c|h|hpp|go|rs|java):\d+)/;
/** An abort (Linux's `Aborted`, macOS's `Abort trap: 6`, alone or in bash's job report), a core dump, a fatal signal as the shell or a runtime prints it. */
const NATIVE_DEATH = /^(?:\S+: line \d+: +\d+ )?(?:Aborted(?: \(core dumped\))?|Abort trap: 6)(?:\s+.*)?$|\bcore dumped\b|\*\*\* (?:SIG[A-Z]+|Aborted) received (?:at|by)\b|^\[signal SIG[A-Z]+|^Fatal Python error: |^fatal error: |\bthread '[^']*' panicked at\b|^Exception in thread "[^"]*" /;
/**
 * The same abort and core dump as bash prints them in the user's language: glibc's translations of `Aborted`
 * (strsignal(SIGABRT)) alone on a line or in a script's job report (`./train.sh: 第 4 行：12443 已放弃 ...`,
 * `./train.sh : ligne 4 :  2742 Abandon ...`), and bash's translations of `(core dumped)` anywhere (`段错误（核心已转储）`,
 * `Abgebrochen (Speicherabzug geschrieben)`); not bash's own German `Abgebrochen (Killed)` / `(Terminated)`, a kill (rules.json)
 * or a SIGTERM: docs/crash-accuracy.md, item 672.
 */
const ABORTED_TRANSLATED = "已放弃|中止|중지됨|Аварийный останов|Abgebrochen|Abandon|Abortado|Annullato|Przerwane|İptal edildi";
const CORE_DUMPED_TRANSLATED = "核心已转储|核心已傾印|コアダンプ|코어 덤프됨|образ памяти сброшен на диск|Speicherabzug geschrieben|`core' generado|imagem do núcleo gravada|núcleo despejado|core dump creato|zrzut pamięci|çekirdek döküldü";
const NATIVE_DEATH_TRANSLATED = new RegExp(
  `[(（](?:${CORE_DUMPED_TRANSLATED})[)）]|^(?:${ABORTED_TRANSLATED})\\s*$|^\\S+ ?[:,] [^:：]{1,16}[:：] *\\d+ +(?:${ABORTED_TRANSLATED})(?=\\s|$)(?! ?\\((?:Killed|Terminated)\\))`,
);
/** A bare exception line (no traceback before it): `msgpack.exceptions.ExtraData: ...`, `... [1] RuntimeError: ...`. */
const BARE_EXCEPTION = /(?:^|\s)(?:[a-z_]\w*\.)*[A-Z]\w*(?:Error|Exception|Failure)(?: \([^)]*\))?: (?![-+]?[\d.]+(?:[\s,;]|$))\S|^(?:[a-z_]\w*\.)*(?:exceptions?|errors?)\.[A-Z]\w*: \S/;
/** A line of pytest's failure report (`E       torch._dynamo.exc.TorchRuntimeError: ...`, `E` alone for a blank one). */
const PYTEST_ERROR = /^E {2,}\S/;
/** A non-zero exit status as an IDE, a shell wrapper, `go run` or make reports it. */
const EXIT_NONZERO = /^Process finished with exit code (?!0\b)-?\d+|^make(?:\[\d+\])?: \*\*\* .*\bError \d+$|^exit status (?!0\b)\d+$|\b(?:exited|exits|returned) with (?:exit )?code (?!0\b)-?\d+\b|returned non-zero exit status \d+/;

/**
 * Error records that healthy runs print and go on from, or print at a clean exit: gRPC's shutdown notice
 * (JAX/TF), TensorFlow's duplicate factory registrations and a missing CUDA device it falls back from,
 * XLA's autotuning and constant-folding notices (`Delay kernel timed out`, `slow_operation_alarm.cc`), pip's
 * dependency-resolver notice, a retry or fallback announced in the same line.
 */
const BENIGN = /grpc_wait_for_shutdown_with_timeout|Unable to register cu\w+ factory|already been registered|failed call to cuInit|Delay kernel timed out|slow_operation_alarm|(?:is|isn't|not) necessarily a bug|dependency resolver does not currently|\b(?:retry|retrying|will retry|try again|trying again|falling back|fall back|ignor(?:e|ed|ing)|skip(?:ped|ping)?|continuing|continues|will continue)\b|\battempt \d+ ?(?:\/|of) ?\d+\b|\b0 errors?\b|\bno errors?\b|\bwithout errors?\b/i;

/**
 * A status that says an input ran out, which iterators report as an error at the end of their data
 * (TensorFlow's `Out of range: End of sequence`, graph-learn's `Rpc failed:Out of range:No more nodes exist.`):
 * the normal end of an epoch or of the run, in the status names' own case (not an IndexError's "out of range").
 */
const END_OF_DATA = /\bOut of range\b|\bOUT_OF_RANGE\b|\bOutOfRange(?:Error)?\b|\bEnd of sequence\b/;

/** Lines that belong to the error block before them: stacks, a record's continuation, a glog stack header. */
const TRAILER = new RegExp([
  // glog / absl / Ray native stacks (`    @     0x7b2a1ee64521  944  (unknown)`, `PC: @ 0x...`), their symbolizer link.
  /^\s*(?:PC: )?@\s+0x[0-9a-f]+\b|^https?:\/\/symbolize\.|^\*\*\* (?:Check failure stack trace|End stack trace|Begin stack trace)/.source,
  // gdb/backtrace(3)/c10/MXNet frames.
  /^\s*#\d+\s+0x[0-9a-f]+|^\s*frame #\d+:|^\s*\[bt\] \(\d+\)|^\s*\d+: 0x[0-9a-f]+|^\s*(?:Stack trace|stack backtrace|Backtrace|Traceback)\b.*:$/.source,
  // Lua's (`stack traceback:`, `\t[C]: in function 'error'`, `\t.../threads.lua:183: in function 'dojob'`, `\t[C]: at 0x00405d50`).
  /^stack traceback:$|^\s*(?:\[C\]|\S+:\d+): (?:in (?:function|main chunk|upvalue|local|method|field|\?)|at 0x)/.source,
  // Java/Go/Rust stacks.
  /^E\s*$|^\s+at [\w$.<>/]+\(|^\s*\.\.\. \d+ more$|^Caused by: |^goroutine \d+ \[|^created by |^\s+\S+\.go:\d+|^[\w./*()]+\([^)]*\)$|^note: run with `RUST_BACKTRACE/.source,
].join("|"));

/**
 * The finding for a log that ends in an error block no rule and no fallback named, or null: only when no
 * fatal finding is in the file's final incident and the file's failure report (a traceback, a launcher
 * summary) is not what it ends in. `kept`: the kept lines up to where the run's output ends (runEnd);
 * `exceptions`: the Python exceptions parsed from them (parseLog), whose lines are the fallback's to read.
 */
export function finalErrorFinding(file: string, kept: KeptLines, findings: readonly CrashFinding[], failure: FailureReport | null, exceptions: readonly ParsedException[]): CrashFinding | null {
  if (findings.some((f) => f.finalIncident && f.severity !== "warning")) return null;
  // failure.ts's fallback read this failure (and chose no finding: a Ctrl-C, a death a rule named earlier).
  if (failure?.terminal) return null;
  const block = finalErrorBlock(kept.lines, kept.asWritten);
  if (!block) return null;
  // An exception the parser read (caught by the code that logged it, ignored at exit) ended nothing.
  if (block.errors.some((i) => exceptions.some((x) => i >= x.startLine && i <= x.endLine))) return null;
  const lines = block.errors.map((i) => bodyOf(kept.lines[i]!));
  if (lines.some((l) => /KeyboardInterrupt|Received 2 death signal|\bSIGINT\b/.test(l))) return null;
  let category: CrashCategory = "python_exception";
  let named: ErrorReading | null = null;
  let pathMissing = false;
  for (const l of lines) {
    named = readErrorLine(l);
    // A path that is not there is the failure; the abort after it (a CHECK's) is its consequence.
    if (pathMissing && named?.category === "segfault") named = null;
    if (named) {
      category = named.category;
      break;
    }
    pathMissing ||= MISSING_PATH.test(l);
  }
  const head = block.errors[0]!;
  const quoted = lines[0]!.trim().slice(0, 300);
  const suggestion = named
    ? `The log ends in an error no rule knows: "${quoted}"${named.line !== lines[0] ? `, then "${named.line.trim().slice(0, 200)}"` : ""}. It names ${named.names}: ${named.advice}.`
    : `The log ends in an error no rule knows, with nothing after it that shows the run going on: "${quoted}". Read the lines just before it for what the process was doing (loading, a collective, a file), search the message, and look for a kill or a full disk if it says little (dmesg -T | grep -i oom; df -h). A restart will fail the same way until the cause is fixed.`;
  return keptLineFinding(file, kept, head, { category, ruleId: "final_error_line", suggestion, signatureKey: quoted.replace(/\d+/g, "N"), priority: FALLBACK_PRIORITY });
}

/** A line without capture prefixes and pasting artefacts, cut to LINE_CHARS. */
function bodyOf(raw: string): string {
  const s = normaliseLine(raw.length > LINE_CHARS ? raw.slice(0, LINE_CHARS) : raw);
  const cut = capturePrefixLength(s);
  return cut > 0 ? s.slice(cut) : s;
}

/** True when `l` (a line's body) reports an error or a failure (see the module's comment). */
export function isErrorLine(l: string): boolean {
  const s = l.trim();
  if (!s || BENIGN.test(s)) return false;
  const head = s.slice(0, LEVEL_WITHIN);
  // A record of another level ("INFO ... error=None", a UserWarning naming an error) is no failure.
  if (OTHER_LEVEL.test(head) && !GLOG_ERROR.test(s)) return false;
  if (/^[IWD]\d{4} \d\d:\d\d:/.test(s) || END_OF_DATA.test(s)) return false;
  // A metric record ("Epoch: 3, Step: 1500, ..., LastBatchError: 0.0067") is the run going on.
  if (PROGRESS.test(s) && !LEVEL_WORD.test(head)) return false;
  if ((s.includes("ERROR") || s.includes("FATAL") || s.includes("CRITICAL") || s.includes("level")) && LEVEL_WORD.test(head)) return true;
  if ((s.includes("] ") && (GLOG_ERROR.test(s) || CPP_FATAL.test(s))) || ERROR_HEAD.test(s)) return true;
  if (HEADLESS_CHECK.test(s) || FILE_OPEN_FAILED.test(s)) return true;
  if (s.startsWith("[") && BRACKETED_TIME.test(s) && ERROR_HEAD.test(s.replace(BRACKETED_TIME, ""))) return true;
  if (s.includes("lua") && LUA_ERROR.test(s)) return true;
  // pytest's failure report: the exception and what it quotes, each line under `E   `.
  if (s.startsWith("E  ") && PYTEST_ERROR.test(l)) return true;
  if ((s.includes("ail") || s.includes("AIL")) && FAILED_WITH_CODE.test(s)) return true;
  if ((s.includes("bort") || s.includes("dump") || s.includes("***") || s.includes("[signal SIG") || s.includes("atal") || s.includes("panick") || s.includes("Exception in thread")) && NATIVE_DEATH.test(s)) return true;
  if (NATIVE_DEATH_TRANSLATED.test(s)) return true;
  if ((s.includes("rror") || s.includes("xception") || s.includes("ailure")) && BARE_EXCEPTION.test(s)) return true;
  return (s.includes("exit") || s.includes("code") || s.includes("rror ")) && EXIT_NONZERO.test(s);
}

/**
 * The error block a text ends in: from the end back over blank lines, error lines and their trailers
 * (stacks, a record's continuation lines) to the first other line; null when the last line that is not
 * blank or a trailer is no error. `errors`: indexes of the block's error lines, in order. `asWritten`: the
 * lines with their capture prefixes (KeptLines.asWritten), where a level can be (Ray's `[time E pid tid] `).
 */
export function finalErrorBlock(lines: readonly string[], asWritten?: readonly string[]): { errors: number[] } | null {
  const errors: number[] = [];
  let seen = 0;
  for (let i = lines.length - 1; i >= 0 && seen < TAIL_LINES; i--) {
    const l = bodyOf(lines[i]!);
    const t = l.trim();
    if (!t || /^`{3,}\w*$/.test(t)) continue;
    seen++;
    // The level may be in what capture-prefix.ts takes for a collector's prefix (Ray's `[time E pid tid] `); not
    // a collector's own severity (Vertex AI writes every stderr line as ERROR).
    const written = asWritten?.[i] ?? lines[i]!;
    if (isErrorLine(l) || (l !== written && GLOG_ERROR.test(written.slice(0, LINE_CHARS)))) {
      errors.unshift(i);
      continue;
    }
    // A stack, or an indented line (an error record's reason or hint) that is not training progress: part of
    // the block when an error line comes before it; anything else ends the block.
    if (TRAILER.test(l) || (/^\s+\S/.test(l) && !PROGRESS.test(l))) continue;
    break;
  }
  return errors.length ? { errors } : glogFatalBlock(lines);
}

/** A glog record of any level (`I0407 01:31:07.677111  5755 net.cpp:150] ...`). */
const GLOG_RECORD = new RegExp(glogRecordHead("IWEF"));

/**
 * glog's FATAL record (`F0407 ... Check failed: ...`) followed only by glog records and its stack: LOG(FATAL) aborts
 * the process, so the records after it are other threads' output flushed on the way out (Caffe's net setup going
 * on while the solver's check failed), not the run going on.
 */
function glogFatalBlock(lines: readonly string[]): { errors: number[] } | null {
  let seen = 0;
  for (let i = lines.length - 1; i >= 0 && seen < TAIL_LINES; i--) {
    const l = bodyOf(lines[i]!);
    const t = l.trim();
    if (!t) continue;
    seen++;
    if (t.startsWith("F") && GLOG_RECORD.test(t)) return { errors: [i] };
    if (!GLOG_RECORD.test(t) && !TRAILER.test(l) && !NATIVE_DEATH.test(t) && !NATIVE_DEATH_TRANSLATED.test(t)) return null;
  }
  return null;
}

/** What an error line names: its category and, for the suggestion, in words. */
interface ErrorReading {
  category: CrashCategory;
  names: string;
  advice: string;
  line: string;
}

/** An accelerator runtime other than CUDA's (Ascend's ACL/CANN and its `EE1001`/`EZ9999` codes, Intel XPU/Level Zero, Apple MPS, DirectML). */
const ACCELERATOR_FAILED = /\b(?:NPU|ACL|aclnn\w*|CANN|XPU|Level.Zero|ZE_RESULT_ERROR_\w+|MPS|DirectML|DML|HIP|ROCm|hipError\w*|MUSA|MLU|CNRT)\b.{0,120}\b(?:error|errors|fail(?:ed|ure)?|exception)\b|\b(?:error|errors|fail(?:ed|ure)?)\b.{0,120}\b(?:NPU|ACL|CANN|XPU|MPS|DirectML|HIP|MUSA|MLU)\b|\bE[A-Z]\d{4}: |\bretCode=0x[0-9a-f]+|\bACL_ERROR_\w+|\bZE_RESULT_ERROR_\w+/;
const TIMED_OUT = /\btimed out\b|\btime-?out\b|\bdeadline exceeded\b|\bDEADLINE_EXCEEDED\b|\bfailed to meet rendezvous\b|\brendezvous\b.{0,80}\b(?:failed|closed|timeout)\b/i;
const KILLED = /\bkilled\b|\bSIGKILL\b|\bSIGTERM\b|\bsignal (?:9|15)\b|\bterminated\b|\bevicted\b|\bpreempted\b|\bpreemption\b|\bOOMKilled\b|\boom-kill\b/i;
const NATIVE_CRASH = /\bsegmentation (?:fault|violation)\b|\bSIGSEGV\b|\bSIGABRT\b|\bSIGBUS\b|\bSIGILL\b|\bcore dumped\b|^Aborted\b|\bAbort trap: 6\b|\babort\(\)|\bbus error\b|\billegal instruction\b|\bsegfault\b/i;
/** An allocation of the process's own memory (Go's runtime, the JVM's and Node's heaps, C++'s bad_alloc, the Lua VM's panics): host RAM, not the GPU's. */
const HOST_HEAP = /\bruntime: out of memory\b|\bheap space\b|\bheap out of memory\b|\bstd::bad_alloc\b|\bMemoryError\b|\bCannot allocate memory\b|\bLua API \(not enough memory\)|\bTHREAD PANIC: \(\w+\) not enough memory\b/;
const DISK_WORDS = /\bover \d+(?:\.\d+)?% full\b/i;
/** A saved state being read back (a restore, a checkpoint) and bytes that are not what was written. */
const RESTORING = /\b(?:checkpoints?|ckpt|restor(?:e|ed|ing)|RestoreV2|state_dict|safetensors)\b/i;
const BAD_BYTES = /\bcorrupt\w*|\btruncated\b|\bchecksum\b|\bdata ?loss\b|\bDATA_LOSS\b|\btoo short\b|\bunexpected (?:EOF|end of (?:file|data))\b|\binvalid (?:header|magic|load key|file|format)\b|\bbad magic\b/i;

/** The category an error line's words name (the corpus's conventions), or null. */
function readErrorLine(line: string): ErrorReading | null {
  const text = line.trim();
  // A CHECK of a CUDA library's status with its number (`== CUDNN_STATUS_SUCCESS (3 vs. 0)`) is rules.json's
  // (cuda_oom_library_check, cuda_error_library_check): read anywhere in a log, not only at its end.
  if (HOST_HEAP.test(text) || (LUA_ERROR.test(text) && /\bnot enough memory\s*$/.test(text))) return { category: "host_oom", names: "the host's memory (RAM) running out", advice: "reduce what the process holds in RAM, or run it with a larger heap or memory limit (dmesg -T shows other processes' use)", line };
  // The collective, memory, CUDA, disk, checkpoint, hardware and NaN vocabularies of the traceback fallback.
  const r = readExceptionMessage({ type: "", message: text });
  if (r) return { ...r, line };
  if (DISK_WORDS.test(text)) return { category: "disk_full", names: "a disk that is (nearly) full", advice: "free space on the volume the run writes to (df -h; Ray's /tmp/ray session folder, checkpoints, caches)", line };
  if (RESTORING.test(text) && BAD_BYTES.test(text)) return { category: "checkpoint_corrupt", names: "a saved checkpoint that is cut or corrupt", advice: "`trainsafe resume verify` names broken checkpoints; compare the file's size and checksum with what was written, and resume from an older checkpoint", line };
  if (ACCELERATOR_FAILED.test(text)) return { category: "cuda_error", names: "a failure of the accelerator's runtime (an NPU, XPU, MPS or HIP error code or status)", advice: "look up the error code in the vendor's runtime documentation (Ascend: the `EE`/`EZ` code and its Solution line); check the driver, runtime and framework plugin versions against each other, and whether the same step fails on another device", line };
  if (TIMED_OUT.test(text)) return { category: "timeout", names: "a wait that timed out", advice: "find what the process was waiting for (a peer rank, the store or rendezvous host, a server) and whether it died first or is unreachable; raise the timeout only once that is known", line };
  if (KILLED.test(text)) return { category: "process_killed", names: "a process killed from outside (a signal, a scheduler or the OOM killer)", advice: "find who sent it: the kernel OOM killer or a cgroup limit (dmesg -T | grep -i oom; kubectl describe pod), a scheduler's time or preemption (its job record), or an operator", line };
  if (NATIVE_CRASH.test(text) || NATIVE_DEATH_TRANSLATED.test(text)) return { category: "segfault", names: "a native crash (an abort after a failed check, a segfault, a core dump)", advice: "read the check or the native stack above for the library that failed; check compiled extensions and drivers against the installed framework, and get a core or a faulthandler stack (PYTHONFAULTHANDLER=1) if it says little", line };
  return null;
}
