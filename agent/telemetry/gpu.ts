/**
 * GPU state from our own `nvidia-smi` queries (CSV, no units). Used by `trainsafe check`, telemetry and
 * the hang diagnosis. nvidia-smi is run as a child in its own process group with a deadline; a hung
 * nvidia-smi (a wedged driver does that) is killed with SIGKILL, group and all, never left behind.
 *
 * Field support differs between drivers and GPUs, so a field nvidia-smi rejects is dropped (or replaced
 * by its alternative name) and the query retried; what a given nvidia-smi accepts is remembered.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describeError } from "../lib/errors.js";

/** One queried attribute: `names` are alternatives, first accepted wins (older drivers know fewer). */
interface FieldSpec {
  readonly key: GpuFieldKey;
  readonly names: readonly string[];
  /** Without it a row means nothing: never dropped. */
  readonly required?: boolean;
}

type GpuFieldKey =
  | "index"
  | "name"
  | "uuid"
  | "temperatureC"
  | "utilizationPct"
  | "memoryUsedMiB"
  | "memoryTotalMiB"
  | "powerW"
  | "eccUncorrected"
  | "retiredPagesPending"
  | "remappedPending"
  | "remappedFailure"
  | "remappedUncorrectable"
  | "throttle"
  | "migMode";

/**
 * What we ask nvidia-smi for. `clocks_throttle_reasons.active` comes first because both old and new
 * drivers accept it (580 lists it as an alias of clocks_event_reasons.active); a future driver that
 * drops the old name gets the new one on retry.
 */
export const GPU_FIELDS: readonly FieldSpec[] = Object.freeze([
  { key: "index", names: ["index"], required: true },
  { key: "name", names: ["name"] },
  { key: "uuid", names: ["uuid"] },
  { key: "temperatureC", names: ["temperature.gpu"] },
  { key: "utilizationPct", names: ["utilization.gpu"] },
  { key: "memoryUsedMiB", names: ["memory.used"] },
  { key: "memoryTotalMiB", names: ["memory.total"] },
  { key: "powerW", names: ["power.draw"] },
  { key: "eccUncorrected", names: ["ecc.errors.uncorrected.volatile.total"] },
  { key: "retiredPagesPending", names: ["retired_pages.pending"] },
  { key: "remappedPending", names: ["remapped_rows.pending"] },
  { key: "remappedFailure", names: ["remapped_rows.failure"] },
  { key: "remappedUncorrectable", names: ["remapped_rows.uncorrectable"] },
  { key: "throttle", names: ["clocks_throttle_reasons.active", "clocks_event_reasons.active"] },
  { key: "migMode", names: ["mig.mode.current"] },
] satisfies FieldSpec[]);

export const COMPUTE_APP_FIELDS = Object.freeze(["pid", "used_memory", "gpu_uuid"]);

export interface GpuSample {
  readonly index: number;
  readonly name: string | null;
  readonly uuid: string | null;
  readonly temperatureC: number | null;
  readonly utilizationPct: number | null;
  readonly memoryUsedMiB: number | null;
  readonly memoryTotalMiB: number | null;
  readonly powerW: number | null;
  /** Uncorrectable ECC errors since the driver loaded. */
  readonly eccUncorrected: number | null;
  /** Pages waiting to be retired at the next reset (pre-Ampere). */
  readonly retiredPagesPending: boolean | null;
  /** Row remappings waiting for a GPU reset (Ampere and newer). */
  readonly remappedPending: boolean | null;
  /** A row remapping failed at some point in the GPU's life: the GPU should be replaced. */
  readonly remappedFailure: boolean | null;
  /** Rows remapped because of uncorrectable (double-bit) errors. */
  readonly remappedUncorrectable: number | null;
  /** Names of the active clock throttle ("event") reasons, decoded from `throttleMask`. */
  readonly throttleReasons: string[];
  readonly throttleMask: number | null;
  /** "Enabled" / "Disabled", null when unknown. With MIG on, utilization is not reported. */
  readonly migMode: string | null;
}

export type GpuUnavailableCause = "not_found" | "failed" | "timeout" | "aborted";

export type GpuQueryResult =
  | { readonly available: false; readonly cause: GpuUnavailableCause; readonly reason: string }
  | {
      readonly available: true;
      readonly gpus: GpuSample[];
      /** nvidia-smi field names that were queried (after dropping rejected ones). */
      readonly fields: string[];
      /** Field names this nvidia-smi rejected. */
      readonly unsupportedFields: string[];
      /** Lines that could not be parsed and non-fatal complaints of nvidia-smi. */
      readonly problems: string[];
    };

export interface GpuProcess {
  readonly pid: number;
  readonly usedMemoryMiB: number | null;
  readonly gpuUuid: string | null;
}

export type GpuProcessesResult =
  | { readonly available: false; readonly cause: GpuUnavailableCause; readonly reason: string }
  | { readonly available: true; readonly processes: GpuProcess[]; readonly problems: string[] };

export interface NvidiaSmiOptions {
  /** Deadline for each nvidia-smi run; past it the child is killed with SIGKILL. */
  readonly timeoutMs: number;
  /** Program to run (default "nvidia-smi", looked up on PATH). */
  readonly nvidiaSmi?: string;
  readonly signal?: AbortSignal;
}

/**
 * Clock throttle ("event") reason bits from nvml.h. `severity` is our reading: "ok" reasons are normal
 * (idle, clocks set by the admin, the software power cap every busy GPU reaches), "warn" ones cost
 * speed, "fail" ones mean hardware is protecting itself (overheating, power brake).
 */
export const THROTTLE_REASONS: ReadonlyArray<{ bit: bigint; name: string; severity: "ok" | "warn" | "fail" }> = Object.freeze([
  { bit: 0x1n, name: "gpu_idle", severity: "ok" },
  { bit: 0x2n, name: "applications_clocks_setting", severity: "ok" },
  { bit: 0x4n, name: "sw_power_cap", severity: "ok" },
  { bit: 0x8n, name: "hw_slowdown", severity: "fail" },
  { bit: 0x10n, name: "sync_boost", severity: "ok" },
  { bit: 0x20n, name: "sw_thermal_slowdown", severity: "warn" },
  { bit: 0x40n, name: "hw_thermal_slowdown", severity: "fail" },
  { bit: 0x80n, name: "hw_power_brake_slowdown", severity: "fail" },
  { bit: 0x100n, name: "display_clock_setting", severity: "ok" },
]);

/** Severity of a decoded throttle reason name; unknown bits are "warn". */
export function throttleSeverity(name: string): "ok" | "warn" | "fail" {
  return THROTTLE_REASONS.find((r) => r.name === name)?.severity ?? "warn";
}

/** Decodes a throttle bitmask ("0x0000000000000044", or a decimal number) into reason names. */
export function decodeThrottleReasons(raw: string | null): { mask: number | null; reasons: string[] } {
  if (raw === null) return { mask: null, reasons: [] };
  let mask: bigint;
  try {
    const t = raw.trim();
    if (!/^(0x[0-9a-f]+|\d+)$/i.test(t)) return { mask: null, reasons: [] };
    mask = BigInt(t);
  } catch {
    return { mask: null, reasons: [] };
  }
  const reasons: string[] = [];
  let known = 0n;
  for (const r of THROTTLE_REASONS) {
    known |= r.bit;
    if (mask & r.bit) reasons.push(r.name);
  }
  const unknown = mask & ~known;
  if (unknown) reasons.push(`unknown(0x${unknown.toString(16)})`);
  return { mask: Number(mask), reasons };
}

/**
 * One CSV cell as nvidia-smi prints it: "[N/A]", "N/A", "[Not Supported]", "[Unknown Error]",
 * "[GPU requires reset]", "ERR!" and empty cells all mean "no value" (null).
 */
export function parseNvidiaValue(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const t = raw.trim();
  if (t === "" || /^\[.*\]$/.test(t) || /^n\/a$/i.test(t) || /^err!?$/i.test(t)) return null;
  return t;
}

function num(raw: string | null): number | null {
  if (raw === null) return null;
  // nounits should strip units, but tolerate "35 C" / "12 %" / "40 MiB" / "122.8 W" in case it didn't.
  const m = /^(-?\d+(?:\.\d+)?)(?:\s*(?:%|c|mib|w|mhz))?$/i.exec(raw);
  return m ? Number(m[1]) : null;
}

function yesNo(raw: string | null): boolean | null {
  if (raw === null) return null;
  if (/^(yes|true|enabled)$/i.test(raw)) return true;
  if (/^(no|false|disabled)$/i.test(raw)) return false;
  const n = num(raw);
  return n === null ? null : n !== 0;
}

/**
 * Splits a `--format=csv,noheader` line into `count` cells. nvidia-smi does not quote, so a cell that
 * itself holds ", " (only a GPU name could) would give too many cells: the extra ones are joined back
 * into the cell at `looseIndex`.
 */
export function splitCsvLine(line: string, count: number, looseIndex: number): string[] | null {
  const parts = line.split(",").map((s) => s.trim());
  if (parts.length === count) return parts;
  if (parts.length < count || looseIndex < 0) return null;
  const extra = parts.length - count;
  return [...parts.slice(0, looseIndex), parts.slice(looseIndex, looseIndex + extra + 1).join(", "), ...parts.slice(looseIndex + extra + 1)];
}

/** Parses `nvidia-smi --query-gpu=<fields> --format=csv,noheader,nounits` output. */
export function parseGpuCsv(text: string, fields: readonly string[]): { gpus: GpuSample[]; problems: string[] } {
  const keyOf = new Map<string, GpuFieldKey>();
  for (const spec of GPU_FIELDS) for (const n of spec.names) keyOf.set(n, spec.key);
  const gpus: GpuSample[] = [];
  const problems: string[] = [];
  const nameAt = fields.indexOf("name");
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const cells = splitCsvLine(line, fields.length, nameAt);
    if (!cells) {
      problems.push(`unexpected nvidia-smi line: ${line.slice(0, 200)}`);
      continue;
    }
    const v: Partial<Record<GpuFieldKey, string | null>> = {};
    fields.forEach((f, i) => {
      const key = keyOf.get(f);
      if (key) v[key] = parseNvidiaValue(cells[i]);
    });
    const index = num(v.index ?? null);
    if (index === null || !Number.isInteger(index)) {
      problems.push(`unexpected nvidia-smi line: ${line.slice(0, 200)}`);
      continue;
    }
    const throttle = decodeThrottleReasons(v.throttle ?? null);
    gpus.push({
      index,
      name: v.name ?? null,
      uuid: v.uuid ?? null,
      temperatureC: num(v.temperatureC ?? null),
      utilizationPct: num(v.utilizationPct ?? null),
      memoryUsedMiB: num(v.memoryUsedMiB ?? null),
      memoryTotalMiB: num(v.memoryTotalMiB ?? null),
      powerW: num(v.powerW ?? null),
      eccUncorrected: num(v.eccUncorrected ?? null),
      retiredPagesPending: yesNo(v.retiredPagesPending ?? null),
      remappedPending: yesNo(v.remappedPending ?? null),
      remappedFailure: yesNo(v.remappedFailure ?? null),
      remappedUncorrectable: num(v.remappedUncorrectable ?? null),
      throttleReasons: throttle.reasons,
      throttleMask: throttle.mask,
      migMode: v.migMode ?? null,
    });
  }
  return { gpus, problems };
}

/** Parses `nvidia-smi --query-compute-apps=pid,used_memory,gpu_uuid --format=csv,noheader,nounits`. */
export function parseComputeAppsCsv(text: string): { processes: GpuProcess[]; problems: string[] } {
  const processes: GpuProcess[] = [];
  const problems: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "" || /^no running/i.test(line.trim())) continue;
    const cells = splitCsvLine(line, COMPUTE_APP_FIELDS.length, -1);
    const pid = cells ? num(parseNvidiaValue(cells[0])) : null;
    if (!cells || pid === null || !Number.isInteger(pid) || pid <= 0) {
      problems.push(`unexpected nvidia-smi line: ${line.slice(0, 200)}`);
      continue;
    }
    processes.push({ pid, usedMemoryMiB: num(parseNvidiaValue(cells[1])), gpuUuid: parseNvidiaValue(cells[2]) });
  }
  return { processes, problems };
}

/** The argv of the GPU query for a given field list (what `queryGpus` runs). */
export function gpuQueryArgs(fields: readonly string[]): string[] {
  return [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"];
}

/** The argv of the compute-apps query (what `gpuProcesses` runs). */
export function computeAppsArgs(): string[] {
  return [`--query-compute-apps=${COMPUTE_APP_FIELDS.join(",")}`, "--format=csv,noheader,nounits"];
}

/**
 * Every nvidia-smi command line trainsafe runs, first choices first, for people who want to try them
 * by hand on a real GPU host (`npx tsx -e 'import("./agent/telemetry/gpu.ts").then(m=>console.log(m.nvidiaSmiCommands().join("\n")))'`).
 */
export function nvidiaSmiCommands(nvidiaSmi = "nvidia-smi"): string[] {
  const first = GPU_FIELDS.map((s) => s.names[0]!);
  const fallbacks = GPU_FIELDS.filter((s) => s.names.length > 1).map(
    (s) => `# if "${s.names[0]}" is rejected, it is replaced by ${s.names.slice(1).map((n) => `"${n}"`).join(", then ")}; any other rejected field is dropped`,
  );
  return [[nvidiaSmi, ...gpuQueryArgs(first)].join(" "), ...fallbacks, [nvidiaSmi, ...computeAppsArgs()].join(" ")];
}

export interface RunOutcome {
  readonly kind: "exited" | "not_found" | "spawn_error" | "timeout" | "aborted";
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly message: string;
}

/** Most output kept from one nvidia-smi run; a machine with 64 GPUs prints a few KB. */
const MAX_OUTPUT_BYTES = 4 * 1024 * 1024;

/** Process groups of nvidia-smi runs in flight; killed if this process exits while they run. */
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function trackGroup(pid: number): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // A detached child does not get the terminal's signals: without this, a trainsafe that exits
    // early (an uncaught error, Ctrl-C handled elsewhere) would leave a hung nvidia-smi behind.
    process.on("exit", () => {
      for (const g of liveGroups) {
        try {
          process.kill(-g, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    });
  }
  liveGroups.add(pid);
}

/**
 * Whether `program` could be found the way spawn looks it up: a name with a slash as is, a bare name
 * in each PATH folder (an empty entry is the working folder). Only used to skip a spawn that would
 * fail with ENOENT: the agent asks for nvidia-smi every telemetry interval, and on a host without it
 * each attempt forked the whole agent (about 10 ms of CPU) to be told so. Anything present under
 * that name, executable or not, is left for spawn to judge. PATH unset: unknown (true).
 */
export function mayExist(program: string, env: NodeJS.ProcessEnv = process.env): boolean {
  if (program.includes("/")) return fs.existsSync(program);
  const envPath = env.PATH;
  if (envPath === undefined) return true;
  return envPath.split(path.delimiter).some((dir) => fs.existsSync(path.join(dir || ".", program)));
}

/**
 * Runs `program args` with a deadline. The child gets its own process group so that a timeout or abort
 * SIGKILLs it and anything it started; the promise settles only once the child has exited (reaped).
 */
export function runWithDeadline(program: string, args: readonly string[], opts: { timeoutMs: number; signal?: AbortSignal }): Promise<RunOutcome> {
  return new Promise((resolve) => {
    if (opts.signal?.aborted) {
      resolve({ kind: "aborted", code: null, signal: null, stdout: "", stderr: "", message: `${program} not started: aborted` });
      return;
    }
    // Checked here, at every call, so that a tool installed later is found at the next one.
    if (!mayExist(program)) {
      resolve({ kind: "not_found", code: null, signal: null, stdout: "", stderr: "", message: `${program}: not found on PATH` });
      return;
    }
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"], detached: true, env: { ...process.env, LC_ALL: "C" } });
    if (child.pid !== undefined) trackGroup(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let ended: "timeout" | "aborted" | null = null;
    const collect = (into: Buffer[]) => (b: Buffer) => {
      if (outBytes >= MAX_OUTPUT_BYTES) return;
      outBytes += b.length;
      into.push(b);
    };
    child.stdout.on("data", collect(out));
    child.stderr.on("data", collect(err));
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // The group is already gone; fall back to the child alone in case it left the group.
        try {
          child.kill("SIGKILL");
        } catch {
          /* already exited */
        }
      }
    };
    const timer = setTimeout(() => {
      ended ??= "timeout";
      killGroup();
    }, opts.timeoutMs);
    const onAbort = () => {
      ended ??= "aborted";
      killGroup();
    };
    opts.signal?.addEventListener("abort", onAbort, { once: true });
    let settled = false;
    const finish = (r: RunOutcome) => {
      if (settled) return;
      settled = true;
      if (child.pid !== undefined) liveGroups.delete(child.pid);
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
      resolve(r);
    };
    child.on("error", (e: NodeJS.ErrnoException) => {
      const notFound = e.code === "ENOENT";
      finish({
        kind: notFound ? "not_found" : "spawn_error",
        code: null,
        signal: null,
        stdout: "",
        stderr: "",
        message: notFound ? `${program}: not found on PATH` : `${program}: cannot start (${describeError(e)})`,
      });
    });
    child.on("close", (code, signal) => {
      const stdout = Buffer.concat(out).toString("utf8");
      const stderr = Buffer.concat(err).toString("utf8");
      const secs = `${+(opts.timeoutMs / 1000).toFixed(3)}s`;
      if (ended === "timeout") {
        finish({ kind: "timeout", code, signal, stdout, stderr, message: `${program} did not answer within ${secs} and was killed` });
      } else if (ended === "aborted") {
        finish({ kind: "aborted", code, signal, stdout, stderr, message: `${program} was cancelled and killed` });
      } else {
        finish({ kind: "exited", code, signal, stdout, stderr, message: signal ? `${program} was killed by ${signal}` : `${program} exited with code ${code}` });
      }
    });
  });
}

/** Field name nvidia-smi complained about, from `Field "x" is not a valid field to query.` */
export function rejectedField(output: string): string | null {
  const m = /Field "([^"]+)" is not a valid field to query/i.exec(output);
  return m ? m[1]! : null;
}

/** First meaningful line of nvidia-smi's complaint (it prints a blank line and help after it). */
function firstLine(text: string): string {
  return text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== "") ?? "";
}

/** Field choices that a given nvidia-smi accepted, so that telemetry doesn't re-learn them each sample. */
const acceptedFields = new Map<string, string[]>();

/** Forgets learned field support (tests swap fake nvidia-smi behaviour under the same name). */
export function resetGpuFieldCache(): void {
  acceptedFields.clear();
}

function unavailable(run: RunOutcome): { available: false; cause: GpuUnavailableCause; reason: string } {
  switch (run.kind) {
    case "not_found":
      return { available: false, cause: "not_found", reason: run.message };
    case "timeout":
      return { available: false, cause: "timeout", reason: run.message };
    case "aborted":
      return { available: false, cause: "aborted", reason: run.message };
    default: {
      const said = firstLine(run.stdout + "\n" + run.stderr);
      return { available: false, cause: "failed", reason: said ? `${run.message}: ${said}` : run.message };
    }
  }
}

/** Queries every GPU's state; never throws. Rejected fields are dropped (or swapped) and retried. */
export async function queryGpus(opts: NvidiaSmiOptions): Promise<GpuQueryResult> {
  const program = opts.nvidiaSmi ?? "nvidia-smi";
  const unsupported: string[] = [];
  // For each field, the index of the name currently asked for (-1: dropped).
  const choice = new Map<FieldSpec, number>(GPU_FIELDS.map((s) => [s, 0]));
  const cached = acceptedFields.get(program);
  if (cached) {
    for (const spec of GPU_FIELDS) {
      const i = spec.names.findIndex((n) => cached.includes(n));
      choice.set(spec, i);
    }
  }
  const current = () => GPU_FIELDS.filter((s) => choice.get(s)! >= 0).map((s) => s.names[choice.get(s)!]!);
  for (let attempt = 0; attempt <= GPU_FIELDS.length + 2; attempt++) {
    const fields = current();
    const run = await runWithDeadline(program, gpuQueryArgs(fields), opts);
    if (run.kind !== "exited") return unavailable(run);
    const all = `${run.stdout}\n${run.stderr}`;
    const bad = run.code !== 0 ? rejectedField(all) : null;
    if (bad !== null) {
      const spec = GPU_FIELDS.find((s) => s.names[choice.get(s)!] === bad);
      if (!spec || spec.required) {
        return { available: false, cause: "failed", reason: `nvidia-smi rejected the field "${bad}" (${firstLine(all)})` };
      }
      unsupported.push(bad);
      const next = choice.get(spec)! + 1;
      choice.set(spec, next < spec.names.length ? next : -1);
      continue;
    }
    if (run.code !== 0 && /no devices were found/i.test(all)) {
      acceptedFields.set(program, fields);
      return { available: true, gpus: [], fields, unsupportedFields: unsupported, problems: [firstLine(all)] };
    }
    const parsed = parseGpuCsv(run.stdout, fields);
    if (run.code !== 0 && parsed.gpus.length === 0) return unavailable(run);
    acceptedFields.set(program, fields);
    const problems = [...parsed.problems];
    // Non-zero exit with rows: some GPU could not be read (e.g. "GPU is lost"); keep what was said.
    if (run.code !== 0) problems.push(`${run.message}: ${firstLine(run.stderr) || firstLine(run.stdout)}`);
    else if (run.stderr.trim()) problems.push(firstLine(run.stderr));
    return { available: true, gpus: parsed.gpus, fields, unsupportedFields: unsupported, problems };
  }
  return { available: false, cause: "failed", reason: "nvidia-smi kept rejecting fields" };
}

/** Processes using the GPUs (pid, memory, GPU uuid), for the hang diagnosis; never throws. */
export async function gpuProcesses(opts: NvidiaSmiOptions): Promise<GpuProcessesResult> {
  const run = await runWithDeadline(opts.nvidiaSmi ?? "nvidia-smi", computeAppsArgs(), opts);
  if (run.kind !== "exited") return unavailable(run);
  if (run.code !== 0) {
    if (/no devices were found/i.test(run.stdout + run.stderr)) return { available: true, processes: [], problems: [] };
    return unavailable(run);
  }
  const parsed = parseComputeAppsCsv(run.stdout);
  return { available: true, processes: parsed.processes, problems: parsed.problems };
}

export interface PciGpu {
  /** PCI address as lspci prints it ("3b:00.0" or "0000:3b:00.0"). */
  readonly address: string;
  /** "0300" VGA or "0302" 3D controller. */
  readonly classCode: string;
  readonly deviceId: string;
}

export type PciGpusResult =
  | { readonly available: false; readonly cause: GpuUnavailableCause; readonly reason: string }
  | { readonly available: true; readonly gpus: PciGpu[] };

/**
 * Parses `lspci -n -d 10de:` output. Only display controllers (class 0300 VGA, 0302 3D) are GPUs:
 * NVSwitches (0680) and audio functions (0403) of the same vendor are not.
 */
export function parseLspci(text: string): PciGpu[] {
  const out: PciGpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*((?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])\s+(030[02]):\s+10de:([0-9a-f]{4})\b/i.exec(line);
    if (m) out.push({ address: m[1]!.toLowerCase(), classCode: m[2]!, deviceId: m[3]!.toLowerCase() });
  }
  return out;
}

/** NVIDIA GPUs on the PCI bus, from `lspci -n -d 10de:`; never throws. */
export async function pciGpus(opts: { timeoutMs: number; lspci?: string; signal?: AbortSignal }): Promise<PciGpusResult> {
  const run = await runWithDeadline(opts.lspci ?? "lspci", ["-n", "-d", "10de:"], opts);
  if (run.kind !== "exited" || run.code !== 0) return unavailable(run);
  return { available: true, gpus: parseLspci(run.stdout) };
}
