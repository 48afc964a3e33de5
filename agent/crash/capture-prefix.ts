/**
 * Capture prefixes: what the tool that captured a log writes before each line of the process's own
 * output. The scanner matches rules and parses tracebacks on the line without them, so a crash is
 * named the same however its log was captured; findings keep the line as written.
 *
 * Only prefixes real tools write, each with a real line (where it was seen):
 * - noise, always removed:
 *   - an RFC 3339 timestamp with its zone, as log collectors and CI runners write it
 *     (`2025-12-08T22:46:42.6320255Z Traceback (most recent call last):`, GitHub Actions in
 *     pytorch/pytorch#169909), and a container runtime's CRI log line, timestamp, stream and tag
 *     (`2023-11-16T14:09:16.533247217+03:00 stderr F ...`, fluent/fluent-bit#6703; `... stdout F`
 *     with nothing after it, fluent/fluent-bit#4551);
 *   - a syslog/journald header: `Aug 24 10:39:53 eg-00-01-c0-26-e0-1d dockerd[629]: ` (a service's
 *     output, NVIDIA/nvidia-container-toolkit#104); for the kernel only the time and host go:
 *     `May 15 23:09:27 host kernel: [  514.682838] Memory cgroup out of memory: ...` keeps `kernel: `,
 *     which says the kernel wrote it (corpus host_oom/process_killed entries); a timestamp alone,
 *     as CircleCI writes it (`Dec 30 22:42:59 Traceback (most recent call last):`, pytorch/pytorch#31714);
 *   - Determined's trial logs, time and container before `|| ` (`[2024-02-27T21:05:04.028090Z] fa88a9df
 *     || INFO: copying files to container: /`, blank for the master's own lines, determined-ai/determined#8915);
 *     its CLI's level-tagged form, a level in angle brackets and a time without zone, then the container before
 *     `|| `, or in brackets, or nothing for the master's lines (`<info>    [2021-12-07 10:43:22] ef45fdce || INFO:
 *     ...`, determined-ai/determined#3275; `<info> [2024-02-13 22:50:35] [2b9091c2] copying files to container: /`,
 *     #8844; `<error>   [2021-04-28, 08:20:22] unexpected failure of trial ...`, #2290);
 *   - Vertex AI's job logs, severity, time and zone, tab-separated (`INFO    2022-01-26 14:19:41 +1100
 *     workerpool0-0   {'loss': 5.3862, ...}` as pasted, GoogleCloudPlatform/vertex-ai-samples#242);
 * - source tags, which say which process wrote the line (the traceback parser keeps them apart
 *   when several processes interleave, see `capturedLines`):
 *   - PyTorch >= 2.2 `[rank3]: ` (and `[rank3]:[W506 ...]`), torchrun --tee `[default0]:`,
 *     mpirun --tag-output `[1,26]<stdout>:` (all in the corpus);
 *   - srun -l `0: `, right-aligned to the widest task number (` 7: [rank80]: ...` in the corpus);
 *   - Ray's worker prefix `(RayWorkerWrapper pid=933, ip=50.147.43.24) `, `(TorchTrainer pid=89392) `
 *     (corpus); Ray's own processes, `(raylet) `, are not a worker's output and keep their name;
 *     SkyPilot's `(head, rank=0, pid=2972) ` (skypilot-org/skypilot#2952) and `(worker1, rank=1,
 *     pid=22249, ip=10.31.0.9) ` (skypilot-org/skypilot#2355);
 *   - docker compose's `service-1   | ` (`daskcluster-worker-1     | ` in the corpus);
 *   - `accelerate test`'s `stdout: ` / `stderr: ` (huggingface/accelerate#100, #2084);
 *   - SageMaker's mpirun, `[1,mpirank:0,algo-1]<stderr>:INFO:root:Reducer buckets have been rebuilt
 *     in this iteration.` (huggingface/accelerate docs, docs/source/usage_guides/sagemaker.md);
 *   - `kubectl logs --prefix` (kubernetes/kubernetes#76471): `[pod/echo-req-7cfd7bf68f-nk5kr/hello]
 *     172.17.0.1 - - ...` (geerlingguy/ansible-for-kubernetes#75);
 *   - pdsh, DeepSpeed's multi-node launcher, names the host: by address, `104.171.201.172:
 *     lambda-scalar03:148969:148969 [3] NCCL INFO Using network Socket` (huggingface/accelerate#1317);
 *     by name, `x1000c0s6b0n0: per_device_train_batch_size=8,` (deepspeedai/DeepSpeed#3969), which no
 *     regex tells from a line's own `word: ` and is learned from the log (below);
 *   - Determined's rank after its time and container, `[rank=1] ||   File "..."` (determined-ai/determined#4247);
 *     Vertex AI's replica, `workerpool0-0` (the same thread as its time).
 * ANSI colour codes (Ray and compose colour their prefixes) are removed before, as everywhere.
 *
 * A prefix no layer here reads is learned from the log itself (`learnCapturePrefix`): the text before a
 * traceback's head when its frame lines carry the same, digits read as any number (pdsh's host names,
 * a timestamp without a zone on every line, a logger that writes its record start on each line of a
 * traceback), else a bracketed group, a word with a digit before `: ` or a date and time that most of
 * the log's last lines start with, never when a traceback is written without it (then it is the
 * program's own record start, which the parser reads). Such a prefix is noise: read as any number,
 * ranks or hosts under it cannot be told apart, so it never is a source tag.
 */
import { isAscii } from "node:buffer";

/**
 * Terminal escape sequences (ECMA-48), which colour and redraw a log but are no part of its text: CSI
 * (`ESC[31m`, `ESC[1;31m`, `ESC[0m`, the cursor moves `ESC[A` and `ESC[2K` of tqdm and rich, private ones
 * such as `ESC[?25l`), OSC up to its BEL or ST (rich's and ls's hyperlinks, `ESC]8;;file:///...ESC\`), a
 * character-set selection (tput sgr0 on xterm writes `ESC(BESC[m`: colorlog with blessed, shell scripts)
 * and the other two-byte escapes (`ESC=`, `ESC7`, `ESC\`). Each alternative reads a bounded class, so a
 * line full of escapes costs linear time. The prefilter's worker code (makeRuntime) holds a copy.
 */
export const ESCAPE_SEQUENCE_SOURCE = String.raw`\x1b(?:\[[0-?]*[ -\/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[ -\/]+[0-~]|[0-Z\\^-~])`;
/** ESCAPE_SEQUENCE_SOURCE, global: `text.replace(ESCAPE_SEQUENCES, "")` removes them all. */
export const ESCAPE_SEQUENCES = new RegExp(ESCAPE_SEQUENCE_SOURCE, "g");

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";

/** Layers that only say when or through which stream a line was written. */
const NOISE = [
  // RFC 3339 with a zone (a collector's clock), then a CRI stream and tag when a container runtime wrote it.
  String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)(?: (?:stdout|stderr) [FP](?: |$)| )`,
  // syslog / journald: time, host and a process tag `name[pid]: `; before `kernel: ` only time and host.
  String.raw`${MONTH} {1,2}\d{1,2} \d\d:\d\d:\d\d (?:[\w.-]+ (?=kernel: )|[\w.-]+ [\w./@-]+\[\d+\]: )?`,
  // Determined's trial logs: the time, the container's short id (blank for the master's own lines),
  // then `|| ` or the rank's tag; the `|| ` is required, so a program's own `[time] ` stays.
  String.raw`\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z\] +(?:[0-9a-f]{8} +)?(?:\|\| |(?=\[rank=\d+\] \|\| ))`,
  // Determined's CLI (det trial logs): the level in angle brackets (`<>` when none), the time without a zone, then
  // the container before `|| `, or in brackets, or nothing (the master's own lines).
  String.raw`<[a-z]*> +\[\d{4}-\d\d-\d\d,? \d\d:\d\d:\d\d\] +(?:[0-9a-f]{8} +\|\| |\[[0-9a-f]{8}\] |\|\| )?`,
  // Vertex AI's job logs (gcloud ai custom-jobs stream-logs): severity, time with its zone, then the
  // replica; the service's own lines (`service`) have no replica to tell apart.
  String.raw`(?:DEFAULT|DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY)[\t ]+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}[\t ]+(?:service(?:\t| +))?`,
];

/** Layers that name the process that wrote a line. */
const TAGS = [
  // PyTorch writes "[rank3]: " (no space before its own "[W506 ...]" header); torchrun's tee and
  // mpirun write no space of their own, so the text's indentation after them is the text's.
  String.raw`\[rank\d+\]:(?: |(?=\[))`,
  String.raw`\[default\d+\]:`,
  String.raw`\[\d+,\d+\]<std(?:out|err)>:`,
  // SageMaker's mpirun names the rank and the host: `[1,mpirank:0,algo-1]<stderr>:`.
  String.raw`\[\d+,mpirank:\d+,[\w.-]+\]<std(?:out|err)>:`,
  // kubectl logs --prefix: `[pod/NAME/CONTAINER] ` (any resource kind/name, then the container).
  String.raw`\[[a-z]+\/[\w.-]+\/[\w.-]+\] `,
  // pdsh (DeepSpeed's multi-node launcher) names the host it ran on; an IPv4 address is told apart
  // from any text (a host name is not: it is learned from the log, see learnCapturePrefix).
  String.raw`(?:\d{1,3}\.){3}\d{1,3}: `,
  // srun -l: the task number right-aligned (at most 3 spaces: a source line under a frame has 4).
  String.raw` {0,3}\d{1,5}: `,
  // Ray's `(Name pid=N, ip=A) `; SkyPilot's `(node, rank=R, pid=N, ip=A) `.
  String.raw`\((?:[A-Za-z_][\w.-]*(?:, rank=\d+)?(?:, | ))?pid=\d+(?:, ip=[\w.:-]+)?\) `,
  // compose names a container service-N (v1: project_service_N), padded to the longest name.
  String.raw`[A-Za-z][\w.-]*[-_]\d+ +\| `,
  String.raw`std(?:out|err): `,
  // Determined's rank (after its time and container, see NOISE); Vertex AI's replica (after its time).
  String.raw`\[rank=\d+\] \|\| `,
  String.raw`workerpool\d+-\d+(?:\t| +)`,
];

/** Source of a regex matching one source tag (`[rank1]: `, srun's `0: `, Ray's `(Worker pid=N) `). */
export const SOURCE_TAG_SOURCE = TAGS.join("|");

/** Source of a regex matching a line's whole capture prefix (every layer) at its start. */
export const CAPTURE_PREFIX_SOURCE = `^(?:${[...NOISE, ...TAGS].join("|")})+`;

/**
 * The layers by the character they start with, each a small sticky regex (`noise` or `tag` group) in
 * the order of NOISE then TAGS, so that it takes the alternative CAPTURE_PREFIX_SOURCE would take.
 * One regex per kind of start instead of the whole alternation: V8 compiles a regex when it first
 * runs it, and the whole one cost ~0.8 ms of a `crash scan --file` of a small log, where a line
 * starting with `[` needs only the bracket tags.
 */
const [TIMESTAMP, SYSLOG, DETERMINED, DETERMINED_CLI, VERTEX] = NOISE as [string, string, string, string, string];
const [RANK, TEE, MPIRUN, SAGEMAKER, KUBECTL, PDSH_IP, SRUN, RAY, COMPOSE, STDIO, DETERMINED_RANK, VERTEX_REPLICA] = TAGS as [string, string, string, string, string, string, string, string, string, string, string, string];
const layer = (noise: string[], tag: string[]): RegExp =>
  new RegExp([...(noise.length ? [`(?<noise>${noise.join("|")})`] : []), ...(tag.length ? [`(?<tag>${tag.join("|")})`] : [])].join("|"), "y");
const DIGIT_LAYER = layer([TIMESTAMP], [PDSH_IP, SRUN]);
const SPACE_LAYER = layer([], [SRUN]);
const BRACKET_LAYER = layer([DETERMINED], [RANK, TEE, MPIRUN, SAGEMAKER, KUBECTL, DETERMINED_RANK]);
const PAREN_LAYER = layer([], [RAY]);
const ANGLE_LAYER = layer([DETERMINED_CLI], []);
const LETTER_LAYER = layer([SYSLOG, VERTEX], [COMPOSE, STDIO, VERTEX_REPLICA]);
const MONTH_START = new RegExp(`^${MONTH} `);
const VERTEX_START = /^[A-Z]+[\t ]+\d{4}-/;

/** The layer regex for a layer starting at `i`, or null when no layer can start with that character. */
function layerAt(line: string, i: number): RegExp | null {
  const c = line.charCodeAt(i);
  if (c >= 48 && c <= 57) return DIGIT_LAYER;
  if (c === 91) return BRACKET_LAYER;
  if (c === 40) return PAREN_LAYER;
  if (c === 60) return ANGLE_LAYER;
  if (c === 32) return SPACE_LAYER;
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? LETTER_LAYER : null;
}

/**
 * Whether a line can start with a capture prefix, before any regex runs: a letter can only start a
 * month (syslog), `stdout: `/`stderr: `, Vertex AI's severity before a date, or a compose service
 * name, which needs ` | ` later on the line. Most log lines start otherwise (a word, `{`, a quote) and are answered here.
 */
function mayHavePrefix(line: string): boolean {
  const re = layerAt(line, 0);
  if (re !== LETTER_LAYER) return re !== null;
  return line.includes(" | ") || line.startsWith("stdout: ") || line.startsWith("stderr: ") || MONTH_START.test(line) || VERTEX_START.test(line);
}

/** The prefix's layers from the line's start, at most `max` of them: their length and the source tags. */
function peel(line: string, max: number): { cut: number; tag: string } {
  let cut = 0;
  let tag = "";
  if (!mayHavePrefix(line)) return { cut, tag };
  for (let k = 0; k < max; k++) {
    const re = layerAt(line, cut);
    if (!re) break;
    re.lastIndex = cut;
    const m = re.exec(line);
    if (!m || m[0].length === 0) break;
    if (m.groups!.tag !== undefined) tag += m[0];
    cut += m[0].length;
  }
  return { cut, tag };
}

/**
 * Characters a line's capture prefix (all its layers) takes at its start, 0 when it has none. A line
 * that is only a prefix (`stdout: ` of an empty line) is all prefix.
 */
export function capturePrefixLength(line: string): number {
  return peel(line, Infinity).cut;
}

/** A line's capture prefix taken apart: its length, and the source tags in it (`[rank1]: `), in order. */
export function splitCapturePrefix(line: string): { cut: number; tag: string } {
  // A handful of layers at most (` 7: [rank80]: ` under a CRI timestamp); bounded against odd input.
  return peel(line, 8);
}

/**
 * The kept lines of a text as the traceback parser and the other readers of whole lines want them:
 * capture prefixes removed, except that the source tags stay when the lines carry several different
 * ones (ranks interleaved: the parser follows a traceback through the lines of its own tag) or when
 * fewer than half of the non-blank lines carry the one tag there is (PyTorch prefixes only a failing
 * rank's lines, which the parser reads as they are; and a lone `0: [...]` in Horovod's "Missing
 * ranks:" report is the report's own text, not srun's label). A line starting with the log's learned
 * prefix (`prefix`) loses it, and then its known layers as any line does. Null when no line has a
 * capture prefix (the lines are what they were).
 */
export function capturedLines(lines: readonly string[], prefix?: LearnedPrefix | null): string[] | null {
  const splits = lines.map((l) => (prefix ? splitWithLearned(l, prefix) : splitCapturePrefix(l)));
  if (!splits.some((s) => s.cut > 0)) return null;
  const tags = new Set<string>();
  let tagged = 0;
  let nonBlank = 0;
  splits.forEach((s, i) => {
    if (s.tag) {
      tags.add(s.tag);
      tagged++;
    }
    if (lines[i]!.trim()) nonBlank++;
  });
  const keepTags = tags.size > 1 || tagged * 2 < nonBlank;
  return lines.map((l, i) => {
    const s = splits[i]!;
    if (s.cut === 0) return l;
    return keepTags ? s.tag + l.slice(s.cut) : l.slice(s.cut);
  });
}

/**
 * A capture prefix learned from the log itself (`learnCapturePrefix`): the text some tool wrote before
 * each line, with its digits read as any number (a changing time, rank or address is one shape). A line
 * starting with it is read without it, and then without the known layers that follow it.
 */
export interface LearnedPrefix {
  /** The shape as a regex source (no anchors): the learned text, escaped, each run of digits `\d+`. */
  readonly source: string;
  /** What taught it: a traceback whose lines all carry it, or most of the last lines of the log. */
  readonly from: "traceback" | "majority";
  /** `source`, sticky: matched at index 0 of a line. */
  readonly re: RegExp;
}

const TRACEBACK_HEAD = Buffer.from("Traceback (most recent call last):");
const NL_TRACEBACK_HEAD = Buffer.from("\nTraceback (most recent call last):");
const NL_FRAME = Buffer.from('\n  File "');
/** The end of a text that teaches its prefix (the parser's kept lines are at most as long). */
const LEARN_WINDOW_BYTES = 1024 * 1024;
/** Longest prefix learned: a capture tool's prefix is short, a line's own text may be anything. */
const MAX_LEARNED_CHARS = 120;
/**
 * Longest text before a traceback's head that is read as a learned prefix and known layers: longer is
 * a line's own (a progress bar redrawn with \r that the traceback was written after), and unknownHead
 * would cost time quadratic in it (a 360 KB bar line took ~37 s of a scan).
 */
const MAX_PREFIX_TEXT_BYTES = 4096;
/** Tracebacks looked at, from the end (the last one is the one that matters). */
const MAX_TRACEBACKS = 4;
/** Lines after a `Traceback` head searched for a frame line carrying the same prefix. */
const FRAME_LOOKAHEAD_LINES = 40;
/** The majority reading: the last lines sampled, the share and the count of them a shape must hold. */
const MAJORITY_SAMPLE_LINES = 64;
const MAJORITY_SHARE = 0.7;
const MAJORITY_MIN_LINES = 2;
/** A date and time at a line's start, any zone or none (the majority reading's third kind of shape). */
const DATE_TIME = /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)? /y;
const FRAME_LINE = /^\s*File "/;
/** The characters a layer ends with (a known one may follow). */
const LAYER_END = /[\s\]:>)|]/;

/** The learned shape of a prefix text: escaped, its runs of digits any number. */
function shapeOf(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&").replace(/\d+/g, String.raw`\d+`);
}

function learned(text: string, from: LearnedPrefix["from"]): LearnedPrefix {
  const source = shapeOf(text);
  return { source, from, re: new RegExp(source, "y") };
}

/** Characters `learned` takes at a line's start (0 when the line does not start with it). */
function learnedCut(line: string, prefix: LearnedPrefix): number {
  prefix.re.lastIndex = 0;
  const m = prefix.re.exec(line);
  return m ? m[0].length : 0;
}

/**
 * The part of a prefix text that the known layers do not read: its start up to where the rest is all
 * known layers (`worker-1: [rank0]: ` learns `worker-1: `, so that the parser still tells ranks apart).
 * Empty when the known layers read all of it.
 */
function unknownHead(text: string): string {
  // A longer head is no prefix (plausiblePrefix): the text itself is returned, as when no k fits.
  for (let k = 0; k < text.length && k <= MAX_LEARNED_CHARS; k++) {
    // Layers start at the text's start or after a separator (not at `1: ` inside `worker-1: `).
    if (k > 0 && !LAYER_END.test(text[k - 1]!)) continue;
    const rest = text.slice(k);
    // The rest followed by a word: the known layers must end exactly where the text does.
    if (peel(rest + "x", Infinity).cut === rest.length) return text.slice(0, k);
  }
  return text;
}

/** Whether a prefix text can be a capture tool's: short, one line, not indentation, ends before a word. */
function plausiblePrefix(text: string): boolean {
  if (text.length === 0 || text.length > MAX_LEARNED_CHARS || text.trim() === "") return false;
  if (/[\r\t\x1b\0]/.test(text)) return false;
  // A tool's prefix ends in a separator; `fooTraceback` is a word, not a prefix.
  return !/\w$/.test(text);
}

/**
 * The prefix of the traceback whose head starts at byte `at` (its line starting at `ls`): the text
 * before `Traceback`, when at least one frame line (`  File "...", line N`) in the lines after it
 * starts with the same shape. The frame lines are what makes it a capture prefix: a logger's record
 * start, an exception's `RuntimeError: ` or a progress bar is never written before them.
 */
function fromTraceback(buf: Buffer, ls: number, at: number, end: number): LearnedPrefix | null {
  if (at - ls > MAX_PREFIX_TEXT_BYTES) return null;
  const head = unknownHead(buf.toString("utf8", ls, at));
  if (!plausiblePrefix(head)) return null;
  const prefix = learned(head, "traceback");
  let stop = at;
  for (let k = 0; k < FRAME_LOOKAHEAD_LINES && stop < end; k++) {
    const nl = buf.indexOf(0x0a, stop + 1);
    stop = nl < 0 || nl >= end ? end : nl;
  }
  const after = buf.toString("utf8", at, stop).split("\n");
  for (let i = 1; i < after.length; i++) {
    const line = after[i]!;
    const cut = learnedCut(line, prefix);
    if (cut === 0) continue;
    // The frame after the known layers that follow the learned text (`[rank0]: ` after `gpu-node-a: `).
    const rest = line.slice(cut);
    if (FRAME_LINE.test(rest.slice(peel(rest, 8).cut))) return prefix;
  }
  return null;
}

/**
 * A line's candidate prefix for the majority reading, or "" when it has none: one bracketed group
 * holding a digit or a slash (`[pod/trainer-0/pytorch] `, `[2024-05-08 08:47:12] `), a single word
 * holding a digit before `: ` (pdsh's `worker-1: `, `10.0.0.12: `), or a date and time.
 */
function candidatePrefix(line: string): string {
  // Character tests, not regexes: this runs on every sampled line of every scan, and a small regex
  // still costs its compilation on a `crash scan --file`'s cold start.
  const c = line.charCodeAt(0);
  if (c === 91 /* [ */) {
    const close = line.indexOf("]");
    if (close < 2 || close > MAX_LEARNED_CHARS) return "";
    let after = close + 1;
    if (line.charCodeAt(after) === 58 /* : */) after++;
    if (line.charCodeAt(after) !== 32) return "";
    // glog's and c10's record header (`[E ProcessGroupNCCL.cpp:616] `, `[W506 08:47:31.261 ...] `) is the
    // program's own, a level the parser reads as a record's start: never learned.
    if ("IWEF".includes(line[1]!) && (line.charCodeAt(2) === 32 || isDigit(line.charCodeAt(2)))) return "";
    for (let i = 1; i < close; i++) if (isDigit(line.charCodeAt(i)) || line.charCodeAt(i) === 47 /* / */) return line.slice(0, after + 1);
    return "";
  }
  if (isDigit(c)) {
    DATE_TIME.lastIndex = 0;
    const m = DATE_TIME.exec(line);
    if (m) return m[0];
  }
  const colon = line.indexOf(": ");
  if (colon < 1 || colon > 64) return "";
  // One word (letters, digits, `_.@-`) with a digit and something else: a host name or an address.
  let digits = 0;
  for (let i = 0; i < colon; i++) {
    const k = line.charCodeAt(i);
    if (isDigit(k)) digits++;
    else if (!((k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 46 || k === 64 || k === 45)) return "";
  }
  return digits > 0 && digits < colon ? line.slice(0, colon + 2) : "";
}

function isDigit(k: number): boolean {
  return k >= 48 && k <= 57;
}

/** A candidate prefix with each run of digits written `0`: prefixes of one shape share it. */
function shapeKey(cand: string): string {
  return cand.replace(/\d+/g, "0");
}

/**
 * The prefix most of the last lines of bytes [start, end) carry (MAJORITY_SHARE of the non-blank ones,
 * and at least two lines), of a kind a capture tool writes (candidatePrefix) and the known layers
 * do not read. Never when the text holds a traceback written without a prefix: then the shape is the
 * program's own record format (a logger's timestamp), which the parser reads as a record's start.
 */
function fromMajority(buf: Buffer, start: number, end: number): LearnedPrefix | null {
  const within = (at: number) => at !== -1 && at < end;
  if (within(buf.indexOf(NL_TRACEBACK_HEAD, start)) || within(buf.indexOf(NL_FRAME, start))) return null;
  if (buf.subarray(start, Math.min(end, start + TRACEBACK_HEAD.length)).equals(TRACEBACK_HEAD)) return null;
  const counts = new Map<string, { n: number; text: string }>();
  let nonBlank = 0;
  for (const line of lastLinesOf(buf, start, end)) {
    nonBlank++;
    // A line the known layers read is theirs (the indentation after torchrun's `[default0]:` is the text's).
    const cand = candidatePrefix(line);
    if (!cand || peel(line, 1).cut > 0) continue;
    const key = shapeKey(cand);
    const seen = counts.get(key);
    if (seen) seen.n++;
    else counts.set(key, { n: 1, text: cand });
  }
  let best: { n: number; text: string } | null = null;
  for (const v of counts.values()) if (!best || v.n > best.n) best = v;
  if (!best || best.n < MAJORITY_MIN_LINES || best.n < Math.ceil(MAJORITY_SHARE * nonBlank)) return null;
  const head = unknownHead(best.text);
  return head === best.text && plausiblePrefix(head) ? learned(head, "majority") : null;
}

/** The non-blank lines among the last MAJORITY_SAMPLE_LINES of bytes [start, end), without their "\r". */
function lastLinesOf(buf: Buffer, start: number, end: number): string[] {
  let from = end;
  for (let k = 0; k <= MAJORITY_SAMPLE_LINES && from > start; k++) {
    const nl = buf.lastIndexOf(0x0a, from - 1);
    from = nl < start ? start : nl;
  }
  const out: string[] = [];
  for (const raw of buf.toString("utf8", from, end).split("\n")) {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (line.trim() !== "") out.push(line);
  }
  return out;
}

/**
 * The prefix the log's last lines carry instead of `taught`, a traceback's: when most of them carry
 * another (fromMajority) and at most the rest carry `taught`, the run that wrote the traceback ended and
 * a later one, captured otherwise, wrote the log's end (a restart appended to the same file), whose
 * lines the primary comes from. Null when `taught` stands.
 */
function laterPrefix(buf: Buffer, start: number, end: number, taught: LearnedPrefix): LearnedPrefix | null {
  const later = fromMajority(buf, start, end);
  if (!later || later.source === taught.source) return null;
  const lines = lastLinesOf(buf, start, end);
  const carrying = lines.filter((l) => learnedCut(l, taught) > 0).length;
  return carrying <= (1 - MAJORITY_SHARE) * lines.length ? later : null;
}

/** splitCapturePrefix, after the learned prefix when the line starts with it (which is noise: never a tag). */
function splitWithLearned(line: string, prefix: LearnedPrefix): { cut: number; tag: string } {
  const first = learnedCut(line, prefix);
  if (first === 0) return splitCapturePrefix(line);
  const rest = peel(line.slice(first), 8);
  return { cut: first + rest.cut, tag: rest.tag };
}

/**
 * The capture prefix bytes [start, end) of a log teach, or null: first the prefix of one of its last
 * tracebacks (fromTraceback) unless most of the last lines carry another and few that one (laterPrefix),
 * else the one most of its last lines carry (fromMajority), in its last
 * MiB. A few native searches there and at most ~100 lines decoded, whatever the text's size; prefixes
 * the known layers read teach nothing (they are read already).
 */
export function learnCapturePrefix(buf: Buffer, start: number, end: number): LearnedPrefix | null {
  // Only the text's end is read: the parser keeps the last MiB of a log, and a whole-file scan's 16 MiB
  // texts are not searched through for it.
  if (end - start > LEARN_WINDOW_BYTES) {
    // From the first line that starts in the window.
    const nl = buf.indexOf(0x0a, end - LEARN_WINDOW_BYTES - 1);
    start = nl === -1 || nl >= end ? end : nl + 1;
  }
  let at = end - TRACEBACK_HEAD.length >= start ? buf.lastIndexOf(TRACEBACK_HEAD, end - TRACEBACK_HEAD.length) : -1;
  for (let n = 0; n < MAX_TRACEBACKS && at >= start; n++) {
    const nl = at > start ? buf.lastIndexOf(0x0a, at - 1) : -1;
    const ls = nl < start ? start : nl + 1;
    if (at > ls) {
      const p = fromTraceback(buf, ls, at, end);
      if (p) return laterPrefix(buf, start, end, p) ?? p;
    }
    at = at - 1 >= start ? buf.lastIndexOf(TRACEBACK_HEAD, at - 1) : -1;
  }
  return fromMajority(buf, start, end);
}

const JSON_LOG_HEAD = Buffer.from('{"log":"');

/**
 * Docker's json-file log driver (the default: /var/lib/docker/containers/ID/ID-json.log, and fluentd's and
 * fluent-bit's files in the same shape) writes each line of a container's output as a JSON record:
 * `{"log":"  File \"example.py\", line 31, in \u003cmodule\u003e\n","stream":"stderr","time":"2020-08-24T14:06:44.052057884Z"}`
 * (a real record, find_string hit 38970502393; moby/moby#16386 shows the shape): quotes escaped, `<`, `>`, `&`
 * written `\u003c`..., colour codes `\u001b`, tabs `\t`, the line break inside the string. No rule and no
 * reader of tracebacks can read that. When the text's first line is such a record, every record line of
 * bytes [start, end) is replaced, in place, by its `log` text (decodeJsonLogRecords). Returns whether the
 * text was in that format. A scan decides that once per file (captureFormatOf) and decodes every text of a
 * file in that format.
 */
export function decodeJsonLogLines(buf: Buffer, start: number, end: number): boolean {
  if (!startsWithJsonLogRecord(buf, start, end)) return false;
  decodeJsonLogRecords(buf, start, end);
  return true;
}

/**
 * Replaces every docker json-file record line of bytes [start, end) by its `log` text (without its line
 * break), then NUL bytes up to the record's length (the text is always shorter than its record): line
 * numbers and byte offsets stay those of the file, and every reader already skips NULs (a log cut by a
 * power loss ends in them). A line that is no complete record (cut while written, or a line of another
 * format) stays as it is. Limits: a line docker split at 16 KiB into several records stays split.
 * Self-contained (no name from outside it): its source is also the parallel scan's workers' code.
 */
export function decodeJsonLogRecords(buf: Buffer, start: number, end: number): void {
  const head = '{"log":"';
  for (let ls = start; ls < end; ) {
    let le = buf.indexOf(10, ls);
    if (le < 0 || le > end) le = end;
    if (le - ls >= head.length && buf.toString("latin1", ls, ls + head.length) === head) {
      let log: unknown;
      try {
        log = (JSON.parse(buf.toString("utf8", ls, le)) as { log?: unknown }).log;
      } catch {
        log = undefined;
      }
      if (typeof log === "string") {
        const text = log.replace(/\r?\n$/, "").replace(/[\r\n]+(?=.)/g, " ");
        const n = Buffer.byteLength(text, "utf8");
        if (n <= le - ls) {
          buf.write(text, ls, "utf8");
          buf.fill(0, ls + n, le);
        }
      }
    }
    ls = le + 1;
  }
}

/** Whether bytes [start, end) start with a json-file record: the texts decodeJsonLogLines decodes. */
export function startsWithJsonLogRecord(buf: Buffer, start: number, end: number): boolean {
  return end - start >= JSON_LOG_HEAD.length && buf.compare(JSON_LOG_HEAD, 0, JSON_LOG_HEAD.length, start, start + JSON_LOG_HEAD.length) === 0;
}

/**
 * A text whose lines end in a lone carriage return (classic Mac OS line ends, a serial console or a tool
 * that writes `\r` for `\n`): not one "\n" in bytes [start, end) and at least two "\r". Each "\r" is
 * made a "\n", in place, so that the lines are read as lines (else the whole text is one line, of which
 * the traceback parser keeps only the last "\r" segment, as it does for a progress bar's redraws). Only
 * when the text holds no "\n" at all: a log with line breaks uses "\r" for redraws. Returns whether it did.
 * A scan decides that once per file (captureFormatOf) and then makes every text's "\r" line ends "\n"
 * (loneCarriageReturnsToLineFeeds).
 */
export function splitLoneCarriageReturns(buf: Buffer, start: number, end: number): boolean {
  const nl = buf.indexOf(0x0a, start);
  if (nl !== -1 && nl < end) return false;
  const first = buf.indexOf(0x0d, start);
  if (first === -1 || first >= end) return false;
  const second = buf.indexOf(0x0d, first + 1);
  if (second === -1 || second >= end) return false;
  loneCarriageReturnsToLineFeeds(buf, start, end);
  return true;
}

/**
 * Makes each "\r" of bytes [start, end) that no "\n" follows a "\n", in place (a CRLF stays one line end).
 * Self-contained: its source is also the parallel scan's workers' code.
 */
export function loneCarriageReturnsToLineFeeds(buf: Buffer, start: number, end: number): void {
  for (let i = buf.indexOf(13, start); i !== -1 && i < end; i = buf.indexOf(13, i + 1)) if (i + 1 >= end || buf[i + 1] !== 10) buf[i] = 10;
}

/** Widths a terminal or a web view wraps a log at (xterm's and VT100's 80 and 132, tmux and IDE panes). */
const WRAP_WIDTHS: ReadonlySet<number> = new Set([80, 100, 120, 132, 140, 150, 160, 180, 200, 240]);
/** A hard-wrapped text shows at least this many lines cut at its width, of at least MIN_WRAP_SHAPES shapes... */
const MIN_WRAPPED_LINES = 3;
const MIN_WRAP_SHAPES = 2;
/** ...at least this many times more lines of exactly the width than of the 10 widths below it... */
const WRAP_SPIKE = 2;
/** ...and runs of at most this many pieces on average (records that are all as long as the widest repeat in long runs). */
const MAX_MEAN_RUN = 3;
/** A run of more pieces than this is no wrapped log line (a box or a table drawn at the width). */
const MAX_RUN_PIECES = 16;
/**
 * A line drawn at the console's width, never a wrapped piece: a box's or table's line ending in its right
 * border (rich's traceback panel, `│ ... │`), or a rule of one repeated character (`-----`, `═════`).
 */
const DRAWN = /[│┃║|╮╯┐┘+]\s*$|^\s*(\S)\1*\s*$/;
/** Texts this large or larger are not searched for wrapped lines (a file's sample, captureFormatOf, is far smaller). */
const MAX_WRAP_TEXT_BYTES = 2 * 1024 * 1024;

/**
 * A log hard-wrapped at a terminal's width (copied from a terminal or a web view that wraps at 80 or 120
 * columns): every line longer than the width was cut into pieces of exactly the width, so a rule's phrase
 * and a traceback's frame line (`  File "...", line N, in f`) are split across lines. When bytes [start,
 * end) show that (the longest lines are all exactly one of WRAP_WIDTHS characters long, WRAP_SPIKE times
 * more of them than of the 10 widths below, at least MIN_WRAPPED_LINES of them, in runs that a shorter piece
 * ends, of at most MAX_MEAN_RUN lines on average: a text cut at a width, not records that happen to
 * be as long, such as a barrier's repeated `Waiting in store based barrier ...` lines; and they are of
 * MIN_WRAP_SHAPES shapes or more, not one record format with other numbers), each run of pieces (lines of exactly the width and the line after
 * them) is joined, in place, into the run's first line, its line breaks moved after it: the run's first
 * line keeps its number and offset and the others become empty, so line numbers and byte offsets stay the
 * file's. Widths are what a terminal shows (escape sequences and NULs take none); lines drawn at the width
 * (DRAWN) and lines with "\r" are left alone. Returns whether the text was wrapped.
 */
export function rejoinWrappedLines(buf: Buffer, start: number, end: number): boolean {
  const width = wrapWidthOf(buf, start, end);
  if (width === 0) return false;
  rejoinAtWidth(buf, start, end, width);
  return true;
}

/**
 * The width bytes [start, end) are hard-wrapped at (the checks of rejoinWrappedLines), 0 when they are not
 * or are MAX_WRAP_TEXT_BYTES or more (a sample of a file is read, never a whole-file scan's text).
 */
export function wrapWidthOf(buf: Buffer, start: number, end: number): number {
  if (end - start >= MAX_WRAP_TEXT_BYTES || end - start < 3 * 80) return 0;
  // Most texts are ASCII without escapes or NULs, where a line shows as many columns as it has bytes: their
  // longest line is found from the line breaks' offsets, and a text not cut at a wrap width is left without
  // decoding and splitting it (every tail scan runs this: ~0.17 ms for a 27 KB tail, ~2.6 ms for 1.9 MB).
  if (plainAscii(buf, start, end) && !WRAP_WIDTHS.has(longestLineBytes(buf, start, end))) return 0;
  const { lines, shown } = shownLines(buf, start, end);
  let width = 0;
  for (const l of shown) if (l.length > width) width = l.length;
  if (!WRAP_WIDTHS.has(width)) return 0;
  const cut = (i: number) => shown[i]!.length === width && !DRAWN.test(shown[i]!);
  let atWidth = 0;
  let below = 0;
  for (let i = 0; i < lines.length; i++) {
    if (cut(i)) atWidth++;
    else if (shown[i]!.length >= width - 10) below++;
  }
  if (atWidth < MIN_WRAPPED_LINES || atWidth < WRAP_SPIKE * below) return 0;
  // Runs of lines at the width that end in a piece (a non-blank line): the wrapped lines.
  let runs = 0;
  for (let i = 0; i < lines.length - 1; i++) if (cut(i) && shown[i + 1]!.length !== width && shown[i + 1]!.trim()) runs++;
  if (runs === 0 || atWidth > MAX_MEAN_RUN * runs) return 0;
  // Pieces of different lines differ; records of one format (Keras' epoch lines, every one 140 characters)
  // are one shape with other numbers.
  const shapes = new Set<string>();
  for (let i = 0; i < lines.length; i++) if (cut(i)) shapes.add(shown[i]!.replace(/\d+/g, "0"));
  return shapes.size < MIN_WRAP_SHAPES ? 0 : width;
}

/** The lines of bytes [start, end), and what a terminal shows of each (escape sequences and NULs take no column). */
function shownLines(buf: Buffer, start: number, end: number): { lines: string[]; shown: string[] } {
  const text = buf.toString("utf8", start, end);
  const lines = text.split("\n");
  const shown = /[\x1b\0]/.test(text) ? lines.map((l) => l.replace(ESCAPE_SEQUENCES, "").replace(/\0+/g, "")) : lines;
  return { lines, shown };
}

/**
 * Joins each run of pieces of bytes [start, end) cut at `width` (the width its file is hard-wrapped at, see
 * rejoinWrappedLines) into the run's first line, in place, its line breaks moved after it.
 */
export function rejoinAtWidth(buf: Buffer, start: number, end: number, width: number): void {
  const { lines, shown } = shownLines(buf, start, end);
  const cut = (i: number) => shown[i]!.length === width && !DRAWN.test(shown[i]!);
  let ls = start;
  for (let i = 0; i < lines.length; ) {
    // A run: lines i..j-1 cut at the width, then the piece j that ends the wrapped line.
    let j = i;
    while (j < lines.length - 1 && cut(j) && !lines[j]!.includes("\r")) j++;
    const bytes = Buffer.byteLength(lines[i]!, "utf8") + 1;
    // Not a wrapped line: a blank line or a redraw after it, more pieces than a log line is long, or
    // pieces that carry the first line's prefix (a capture tool prefixed each line after the text was
    // wrapped, pdsh's `worker-1: ` on each piece of a raylet report wrapped at 190 columns: a piece is
    // then no terminal's cut, and joined the prefix would sit inside the line).
    if (j === i || j - i > MAX_RUN_PIECES || !shown[j]!.trim() || lines[j]!.includes("\r") || samePrefixes(shown, i, j)) {
      ls += bytes;
      i++;
      continue;
    }
    const joined = Buffer.from(lines.slice(i, j + 1).join(""), "utf8");
    joined.copy(buf, ls);
    // The run's j line breaks: after the joined line (the last one, if the text ends without one, stays absent).
    const breaks = Math.min(j - i + (j < lines.length - 1 ? 1 : 0), end - ls - joined.length);
    buf.fill(0x0a, ls + joined.length, ls + joined.length + breaks);
    ls += joined.length + breaks;
    i = j + 1;
  }
}

/**
 * Whether the pieces i+1..j carry line i's prefix: a known capture layer on line i and on a piece (a CRI
 * record's `<time> stderr P ` / `F `), or the same text up to a first `: `, `] ` or `| ` (digits as 0).
 */
function samePrefixes(shown: readonly string[], i: number, j: number): boolean {
  const known = capturePrefixLength(shown[i]!) > 0;
  const head = prefixShape(shown[i]!);
  for (let k = i + 1; k <= j; k++) {
    if (known && capturePrefixLength(shown[k]!) > 0) return true;
    if (head && prefixShape(shown[k]!) === head) return true;
  }
  return false;
}

/** A line's text up to its first `: `, `] ` or `| ` in its first 64 characters, digits as 0; "" when none. */
function prefixShape(line: string): string {
  const m = /^[^\s:\]|]{1,62}(?:: |\] |\| )/.exec(line.slice(0, 64));
  return m ? m[0].replace(/\d+/g, "0") : "";
}

/**
 * The line without the learned prefix, or null when it does not start with it: what the rules are
 * tried on (as classifyLine tries a text: as written, then without the known layers) when they
 * matched neither the line nor its text without the known layers. `cut` is where that text starts.
 */
export function withoutLearnedPrefix(line: string, prefix: LearnedPrefix): { cut: number; text: string } | null {
  const cut = learnedCut(line, prefix);
  return cut === 0 ? null : { cut, text: line.slice(cut) };
}

/** Whether bytes [start, end) are ASCII with no ESC and no NUL: each byte is one column a terminal shows. */
function plainAscii(buf: Buffer, start: number, end: number): boolean {
  if (!isAscii(buf.subarray(start, end))) return false;
  const esc = buf.indexOf(0x1b, start);
  const nul = buf.indexOf(0, start);
  return (esc === -1 || esc >= end) && (nul === -1 || nul >= end);
}

/** The byte length of the longest "\n"-separated line of bytes [start, end) (its "\r", if any, counted). */
function longestLineBytes(buf: Buffer, start: number, end: number): number {
  let longest = 0;
  for (let ls = start; ls <= end; ) {
    let le = buf.indexOf(0x0a, ls);
    if (le === -1 || le > end) le = end;
    if (le - ls > longest) longest = le - ls;
    ls = le + 1;
  }
  return longest;
}

/**
 * How a log was captured, decided once per file from a sample of it (captureFormatOf) and handed to every
 * way of scanning it (the tail, the whole file's reads, the parallel scan's workers), so that each repairs
 * every text of the file alike instead of deciding again on the text it happens to read.
 */
export interface CaptureFormat {
  /** Docker json-file records (decodeJsonLogRecords on every text). */
  readonly jsonRecords: boolean;
  /** The byte that ends a line: 0x0a, or 0x0d for a log whose lines end in lone "\r" (made "\n" in every text). */
  readonly lineEnd: 0x0a | 0x0d;
  /** The terminal width the log is hard-wrapped at (rejoinAtWidth on every text), 0 when it is not. */
  readonly wrapWidth: number;
  /** The capture prefix the log's end teaches (learnCapturePrefix), null when none. */
  readonly prefix: LearnedPrefix | null;
}

/** A plain log: nothing to repair. */
export const PLAIN_CAPTURE: CaptureFormat = Object.freeze({ jsonRecords: false, lineEnd: 0x0a, wrapWidth: 0, prefix: null });
/** Bytes of a file's start and end read to decide its capture format (captureFormatOf). */
export const FORMAT_HEAD_BYTES = 64 * 1024;
export const FORMAT_TAIL_BYTES = 256 * 1024;

/**
 * A file's capture format from its first bytes (`head`, at most FORMAT_HEAD_BYTES) and its last ones
 * (`tail`, at most FORMAT_TAIL_BYTES; `tailAtStart`: it starts at the file's start, else its first line
 * may be cut): docker json-file when the file's first line or the tail's first whole line is a record; lone
 * "\r" line ends when neither holds a "\n" and the tail two "\r"; the wrap width of the tail once repaired
 * so (wrapWidthOf); the prefix that tail, joined, teaches (learnCapturePrefix, which reads a text's end as
 * a tail scan's text is read). `tail` is repaired in place (pass a copy to keep it).
 */
export function captureFormatOf(head: Buffer, tail: Buffer, tailAtStart: boolean): CaptureFormat {
  const headJson = startsWithJsonLogRecord(head, 0, head.length);
  const lineEnd = tail.indexOf(0x0a) === -1 && head.indexOf(0x0a) === -1 && countOf(tail, 0x0d, 2) ? 0x0d : 0x0a;
  if (lineEnd === 0x0d) loneCarriageReturnsToLineFeeds(tail, 0, tail.length);
  // The tail's first whole line: a cut one says nothing (and teaches nothing).
  let start = 0;
  if (!tailAtStart) {
    const nl = tail.indexOf(0x0a);
    start = nl === -1 ? tail.length : nl + 1;
  }
  const jsonRecords = headJson || startsWithJsonLogRecord(tail, start, tail.length);
  if (jsonRecords) decodeJsonLogRecords(tail, start, tail.length);
  const wrapWidth = wrapWidthOf(tail, start, tail.length);
  if (wrapWidth) rejoinAtWidth(tail, start, tail.length, wrapWidth);
  const prefix = learnCapturePrefix(tail, start, tail.length);
  if (!jsonRecords && lineEnd === 0x0a && wrapWidth === 0 && prefix === null) return PLAIN_CAPTURE;
  return { jsonRecords, lineEnd, wrapWidth, prefix };
}

/** Whether buf holds `value` at least `n` times. */
function countOf(buf: Buffer, value: number, n: number): boolean {
  let i = -1;
  for (let k = 0; k < n; k++) if ((i = buf.indexOf(value, i + 1)) === -1) return false;
  return true;
}

/**
 * Repairs bytes [start, end) of a file in `format`, in place (same length, same line breaks but the lone
 * "\r" made "\n"): its docker records decoded, its lone "\r" line ends made "\n", its wrapped lines joined.
 */
export function repairCapture(buf: Buffer, start: number, end: number, format: CaptureFormat): void {
  if (format === PLAIN_CAPTURE) return;
  if (format.lineEnd === 0x0d) loneCarriageReturnsToLineFeeds(buf, start, end);
  if (format.jsonRecords) decodeJsonLogRecords(buf, start, end);
  if (format.wrapWidth) rejoinAtWidth(buf, start, end, format.wrapWidth);
}
