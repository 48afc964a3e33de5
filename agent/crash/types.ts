/** Shared types of the crash scanner (rules, findings, scan results). */

export type CrashCategory =
  | "cuda_oom"
  | "cuda_error"
  | "nccl_error"
  | "process_killed"
  | "timeout"
  | "import_error"
  | "disk_full"
  | "nan_loss"
  | "segfault"
  | "gpu_hardware"
  | "checkpoint_corrupt"
  | "host_oom"
  | "python_exception";

export const CRASH_CATEGORIES: readonly CrashCategory[] = Object.freeze([
  "cuda_oom",
  "cuda_error",
  "nccl_error",
  "process_killed",
  "timeout",
  "import_error",
  "disk_full",
  "nan_loss",
  "segfault",
  "gpu_hardware",
  "checkpoint_corrupt",
  "host_oom",
  // No rule names it: the exception a traceback ends in (agent/crash/failure.ts).
  "python_exception",
]);

/** fatal: the process dies of it; error: usually fatal; warning: reported, never a crash by itself. */
export type CrashSeverity = "fatal" | "error" | "warning";

/** cause: names a root cause; symptom: a consequence (timeouts on other ranks, aborts, kill reports). */
export type CrashRole = "cause" | "symptom";

/**
 * One classified log line.
 *
 * `line` is 1-based when the absolute line number is known. When only the tail of a large file was
 * read, absolute numbers are unknown (counting them would cost O(file size)); then `line` is negative:
 * -k is the k-th line from the end of the file as it was when read (-1 is the last line), and
 * `byteOffset` (always absolute) still locates the line exactly.
 */
export interface CrashFinding {
  category: CrashCategory;
  ruleId: string;
  role: CrashRole;
  file: string;
  line: number;
  text: string;
  suggestion: string;
  signature: string;
  severity: CrashSeverity;
  priority: number;
  /** Byte offset of the start of the line in the file (null for stdin when unknown). */
  byteOffset: number | null;
  /** True when the finding belongs to the last incident of its file (the one that can be primary). */
  finalIncident: boolean;
}

export interface ScannedFile {
  file: string;
  linesRead: number;
  problem?: string;
  bytesRead?: number;
  /** Size of the file when it was read. */
  sizeBytes?: number;
  /** True when line numbers in this file's findings count from the end (see CrashFinding.line). */
  lineNumbersFromEnd?: boolean;
  /** Findings beyond the per-file cap: counted, not kept. */
  droppedFindings?: number;
  /** True when the file was last written long before the newest file with findings: it cannot hold the primary. */
  stale?: boolean;
}

export interface ScanResult {
  primary: CrashFinding | null;
  findings: CrashFinding[];
  files: ScannedFile[];
}
