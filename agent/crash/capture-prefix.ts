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
 *   - `accelerate test`'s `stdout: ` / `stderr: ` (huggingface/accelerate#100, #2084).
 * ANSI colour codes (Ray and compose colour their prefixes) are removed before, as everywhere.
 */

const MONTH = "(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)";

/** Layers that only say when or through which stream a line was written. */
const NOISE = [
  // RFC 3339 with a zone (a collector's clock), then a CRI stream and tag when a container runtime wrote it.
  String.raw`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)(?: (?:stdout|stderr) [FP](?: |$)| )`,
  // syslog / journald: time, host and a process tag `name[pid]: `; before `kernel: ` only time and host.
  String.raw`${MONTH} {1,2}\d{1,2} \d\d:\d\d:\d\d (?:[\w.-]+ (?=kernel: )|[\w.-]+ [\w./@-]+\[\d+\]: )?`,
];

/** Layers that name the process that wrote a line. */
const TAGS = [
  // PyTorch writes "[rank3]: " (no space before its own "[W506 ...]" header); torchrun's tee and
  // mpirun write no space of their own, so the text's indentation after them is the text's.
  String.raw`\[rank\d+\]:(?: |(?=\[))`,
  String.raw`\[default\d+\]:`,
  String.raw`\[\d+,\d+\]<std(?:out|err)>:`,
  // srun -l: the task number right-aligned (at most 3 spaces: a source line under a frame has 4).
  String.raw` {0,3}\d{1,5}: `,
  // Ray's `(Name pid=N, ip=A) `; SkyPilot's `(node, rank=R, pid=N, ip=A) `.
  String.raw`\((?:[A-Za-z_][\w.-]*(?:, rank=\d+)?(?:, | ))?pid=\d+(?:, ip=[\w.:-]+)?\) `,
  // compose names a container service-N (v1: project_service_N), padded to the longest name.
  String.raw`[A-Za-z][\w.-]*[-_]\d+ +\| `,
  String.raw`std(?:out|err): `,
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
const [TIMESTAMP, SYSLOG] = NOISE as [string, string];
const [RANK, TEE, MPIRUN, SRUN, RAY, COMPOSE, STDIO] = TAGS as [string, string, string, string, string, string, string];
const layer = (noise: string[], tag: string[]): RegExp =>
  new RegExp([...(noise.length ? [`(?<noise>${noise.join("|")})`] : []), ...(tag.length ? [`(?<tag>${tag.join("|")})`] : [])].join("|"), "y");
const DIGIT_LAYER = layer([TIMESTAMP], [SRUN]);
const SPACE_LAYER = layer([], [SRUN]);
const BRACKET_LAYER = layer([], [RANK, TEE, MPIRUN]);
const PAREN_LAYER = layer([], [RAY]);
const LETTER_LAYER = layer([SYSLOG], [COMPOSE, STDIO]);
const MONTH_START = new RegExp(`^${MONTH} `);

/** The layer regex for a layer starting at `i`, or null when no layer can start with that character. */
function layerAt(line: string, i: number): RegExp | null {
  const c = line.charCodeAt(i);
  if (c >= 48 && c <= 57) return DIGIT_LAYER;
  if (c === 91) return BRACKET_LAYER;
  if (c === 40) return PAREN_LAYER;
  if (c === 32) return SPACE_LAYER;
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ? LETTER_LAYER : null;
}

/**
 * Whether a line can start with a capture prefix, before any regex runs: a letter can only start a
 * month (syslog), `stdout: `/`stderr: `, or a compose service name, which needs ` | ` later on the
 * line. Most log lines start otherwise (a word, `{`, a quote) and are answered here.
 */
function mayHavePrefix(line: string): boolean {
  const re = layerAt(line, 0);
  if (re !== LETTER_LAYER) return re !== null;
  return line.includes(" | ") || line.startsWith("stdout: ") || line.startsWith("stderr: ") || MONTH_START.test(line);
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
 * ranks:" report is the report's own text, not srun's label). Null when no line has a capture prefix
 * (the lines are what they were).
 */
export function capturedLines(lines: readonly string[]): string[] | null {
  const splits = lines.map(splitCapturePrefix);
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
