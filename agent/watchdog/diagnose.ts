/**
 * Hang diagnosis: what a stuck daemon is doing, captured before it is killed, and a name for it.
 *
 * Evidence (each part optional, each bounded by a deadline):
 * - every thread of the daemon and its descendants: state and wchan from /proc/PID/task/TID
 *   (D = uninterruptible sleep, almost always I/O: NFS, a dead disk, a FUSE mount);
 * - CPU time of the tree, sampled twice a short interval apart (moving or not);
 * - GPU utilization and memory of the GPUs the tree's processes use (when nvidia-smi exists);
 * - the Python stack of each Python process from `py-spy dump` (when py-spy is on PATH).
 *
 * The kind is decided by `classifyHang`, a pure function of the evidence, in this order:
 * io_wait (threads in D) > gpu_or_collective (a busy GPU or a collective/synchronize on the stack)
 * > cpu_spin (CPU time moving) > sleeping (CPU still, the main thread of every process of the tree in
 * a timed sleep: `time.sleep`, a polling loop) > deadlock (CPU still, threads parked on futexes or
 * locks) > unknown. A sleeping trainer is not deadlocked: it waits for time to pass (often for
 * something it polls), and a lock's waiters sleep in futex_wait, not in nanosleep.
 *
 * `startup` is never classified here: the supervisor names a hang before the first progress so,
 * whatever the process was doing (agent/watchdog/progress.ts).
 */
import { promises as fsp } from "node:fs";
import { gpuProcesses, queryGpus, runWithDeadline } from "../telemetry/gpu.js";
import { parseProcStat, readCmdline, readProcStat, type ProcessIdentity } from "../lib/proc.js";
import { collectTree } from "./kill.js";

export type HangKind = "io_wait" | "gpu_or_collective" | "cpu_spin" | "sleeping" | "deadlock" | "startup" | "unknown";

export interface ThreadState {
  readonly tid: number;
  readonly comm: string;
  readonly state: string;
  /** Kernel function the thread sleeps in ("0" or "" when running or hidden). */
  readonly wchan: string;
}

export interface ProcessEvidence {
  readonly pid: number;
  readonly cmdline: string;
  readonly threads: ThreadState[];
}

export interface CpuEvidence {
  readonly sampleMs: number;
  readonly deltaTicks: number;
  /** CPU cores' worth of time used during the sample (1 = one core busy all the time). */
  readonly cores: number;
}

export interface GpuEvidence {
  readonly available: boolean;
  /** Why not available, or problems while reading. */
  readonly note?: string;
  /** GPUs used by the tree's processes (all GPUs when the process list is unavailable). */
  readonly gpus: Array<{ index: number; uuid: string | null; utilizationPct: number | null; memoryUsedMiB: number | null }>;
  readonly processes: Array<{ pid: number; gpuUuid: string | null; usedMemoryMiB: number | null }>;
}

export interface StackEvidence {
  readonly pid: number;
  readonly ok: boolean;
  /** py-spy output (truncated), or why it failed. */
  readonly text: string;
}

export interface HangEvidence {
  readonly processes: ProcessEvidence[];
  readonly cpu: CpuEvidence | null;
  readonly gpu: GpuEvidence | null;
  /** Empty when py-spy is not on PATH. */
  readonly stacks: StackEvidence[];
  readonly notes: string[];
}

export interface HangDiagnosis {
  readonly kind: HangKind;
  /** Human sentences naming the evidence that decided the kind. */
  readonly reasons: string[];
}

export interface HangReport extends HangDiagnosis {
  readonly evidence: HangEvidence;
  readonly durationMs: number;
}

/** Linux USER_HZ: /proc times are in these ticks on every architecture Node runs on. */
const TICKS_PER_S = 100;
/** GPU utilization at which a GPU without step progress counts as busy (NCCL kernels spin at 100%). */
const GPU_BUSY_PCT = 90;
/** Cores of CPU time that count as spinning. */
const SPIN_CORES = 0.5;
/** Below this the CPU counts as still (a waiting process still ticks now and then). */
const STILL_CORES = 0.05;
const COLLECTIVE_RE = /\b(all_?reduce|all_?gather|reduce_?scatter|broadcast|barrier|nccl\w*|synchronize|cudaStreamSynchronize|cudaDeviceSynchronize|wait_stream|_wait_for_work|all_to_all)\b/i;
/** wchan of a thread in a timed sleep (nanosleep, clock_nanosleep, select/poll with only a timeout are not). */
const SLEEP_WCHAN_RE = /^(hrtimer_nanosleep|do_nanosleep|clock_nanosleep|common_nsleep)$/;
const LOCK_RE = /\b(acquire|_wait_for_tstate_lock|lock|join|Condition\.wait|Queue\.get|Event\.wait)\b/;
const MAX_STACK_CHARS = 16_000;
const MAX_STACK_DUMPS = 4;

/** Names the hang kind from the evidence (pure; see the module comment for the order). */
export function classifyHang(e: HangEvidence): HangDiagnosis {
  const threads = e.processes.flatMap((p) => p.threads.map((t) => ({ ...t, pid: p.pid })));
  const inD = threads.filter((t) => t.state === "D");
  const wchans = (list: typeof threads) => [...new Set(list.map((t) => t.wchan).filter((w) => w && w !== "0"))].slice(0, 5).join(", ");
  // One thread in D can be a brief page fault; a quarter of all threads (at least one of the main
  // threads of the tree, or two threads) stuck there is an I/O hang.
  const mainInD = inD.some((t) => t.tid === t.pid);
  if (inD.length > 0 && (inD.length >= Math.max(2, Math.ceil(threads.length / 4)) || mainInD)) {
    return {
      kind: "io_wait",
      reasons: [`${inD.length} of ${threads.length} threads in uninterruptible sleep (D)${wchans(inD) ? ` in ${wchans(inD)}` : ""}`],
    };
  }

  const reasons: string[] = [];
  const busyGpus = (e.gpu?.gpus ?? []).filter((g) => (g.utilizationPct ?? 0) >= GPU_BUSY_PCT);
  const collective = e.stacks.find((s) => s.ok && COLLECTIVE_RE.test(s.text));
  if (collective) {
    const m = COLLECTIVE_RE.exec(collective.text)!;
    reasons.push(`Python stack of PID ${collective.pid} waits in a collective or CUDA synchronize (${m[0]})`);
  }
  if (busyGpus.length > 0) {
    reasons.push(`GPU ${busyGpus.map((g) => `${g.index} at ${g.utilizationPct}%`).join(", ")} busy without step progress (a collective spinning or a stuck kernel)`);
  }
  if (reasons.length > 0) return { kind: "gpu_or_collective", reasons };

  const cpu = e.cpu;
  // On a loaded host a spinning thread gets less than a core; a thread caught running (R) while CPU
  // time moves says the same.
  const running = threads.filter((t) => t.state === "R");
  if (cpu && (cpu.cores >= SPIN_CORES || (cpu.cores >= STILL_CORES && running.length > 0))) {
    return {
      kind: "cpu_spin",
      reasons: [`CPU time moving: ${cpu.cores.toFixed(2)} cores over ${cpu.sampleMs} ms without step progress${running.length ? `, ${running.length} thread(s) running (R)` : ""}`],
    };
  }
  if (cpu && cpu.cores < STILL_CORES) {
    // Worker threads (OpenMP, NCCL, data loaders) idle in futex waits in every torch process; what the
    // process is doing is what its main thread does.
    const mains = threads.filter((t) => t.tid === t.pid);
    if (mains.length > 0 && mains.length === e.processes.filter((p) => p.threads.length > 0).length && mains.every((t) => SLEEP_WCHAN_RE.test(t.wchan))) {
      return {
        kind: "sleeping",
        reasons: [
          `CPU still (${cpu.deltaTicks} ticks in ${cpu.sampleMs} ms) and the main thread of ${mains.length === 1 ? "the process" : `all ${mains.length} processes`} in a timed sleep (${wchans(mains)}): waiting for time to pass, not for a lock`,
        ],
      };
    }
    const futex = threads.filter((t) => /futex/.test(t.wchan));
    const locked = e.stacks.find((s) => s.ok && LOCK_RE.test(s.text));
    if (threads.length > 0 && futex.length >= Math.ceil(threads.length / 2)) {
      return {
        kind: "deadlock",
        reasons: [`CPU still (${cpu.deltaTicks} ticks in ${cpu.sampleMs} ms) and ${futex.length} of ${threads.length} threads parked on futexes (locks)`],
      };
    }
    if (locked) {
      return { kind: "deadlock", reasons: [`CPU still and the Python stack of PID ${locked.pid} waits on a lock (${LOCK_RE.exec(locked.text)![0]})`] };
    }
    return { kind: "unknown", reasons: [`CPU still (${cpu.deltaTicks} ticks in ${cpu.sampleMs} ms); threads wait in ${wchans(threads) || "nothing recognisable"}`] };
  }
  return { kind: "unknown", reasons: [cpu ? `CPU partly busy (${cpu.cores.toFixed(2)} cores): no clear pattern` : "no CPU sample"] };
}

async function readThreads(pid: number): Promise<ThreadState[]> {
  let tids: string[];
  try {
    tids = (await fsp.readdir(`/proc/${pid}/task`)).filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
  const out = await Promise.all(
    tids.map(async (t) => {
      const dir = `/proc/${pid}/task/${t}`;
      const stat = parseProcStat(await fsp.readFile(`${dir}/stat`, "utf8").catch(() => ""));
      if (!stat) return null;
      const wchan = await fsp.readFile(`${dir}/wchan`, "utf8").catch(() => "");
      return { tid: stat.pid, comm: stat.comm, state: stat.state, wchan: wchan.trim() };
    }),
  );
  return out.filter((x): x is ThreadState => x !== null);
}

async function cpuTicksOf(pids: number[]): Promise<number> {
  const stats = await Promise.all(pids.map((p) => readProcStat(p)));
  return stats.reduce((sum, s) => sum + (s?.cpuTicks ?? 0), 0);
}

export interface DiagnoseOptions {
  /** Deadline for every external program (nvidia-smi, py-spy). */
  readonly timeoutMs: number;
  /** Interval between the two CPU samples. */
  readonly cpuSampleMs: number;
  readonly nvidiaSmi?: string;
  /** py-spy to run (default "py-spy", looked up on PATH). */
  readonly pySpy?: string;
}

async function gpuEvidence(pids: Set<number>, opts: DiagnoseOptions): Promise<GpuEvidence | null> {
  const smi: { timeoutMs: number; nvidiaSmi?: string } = { timeoutMs: opts.timeoutMs };
  if (opts.nvidiaSmi) smi.nvidiaSmi = opts.nvidiaSmi;
  const [gpus, procs] = await Promise.all([queryGpus(smi), gpuProcesses(smi)]);
  if (!gpus.available) {
    return gpus.cause === "not_found" ? null : { available: false, note: gpus.reason, gpus: [], processes: [] };
  }
  const ours = procs.available ? procs.processes.filter((p) => pids.has(p.pid)) : [];
  const uuids = new Set(ours.map((p) => p.gpuUuid));
  // Without the process list we cannot tell which GPUs are the daemon's: report them all.
  const used = procs.available ? gpus.gpus.filter((g) => uuids.has(g.uuid)) : gpus.gpus;
  const ev: GpuEvidence = {
    available: true,
    gpus: used.map((g) => ({ index: g.index, uuid: g.uuid, utilizationPct: g.utilizationPct, memoryUsedMiB: g.memoryUsedMiB })),
    processes: ours.map((p) => ({ pid: p.pid, gpuUuid: p.gpuUuid, usedMemoryMiB: p.usedMemoryMiB })),
  };
  return procs.available ? ev : { ...ev, note: `GPU process list unavailable (${procs.reason}): all GPUs shown` };
}

/** Python stacks from py-spy, or null when py-spy is not installed. */
async function stackEvidence(processes: ProcessEvidence[], pySpy: string, timeoutMs: number): Promise<StackEvidence[] | null> {
  // The root always, then the Python processes (where training code runs), a few at most.
  const targets = [processes[0]!, ...processes.slice(1).filter((p) => /python/i.test(p.cmdline))].slice(0, MAX_STACK_DUMPS);
  const runs = await Promise.all(targets.map((p) => runWithDeadline(pySpy, ["dump", "--pid", String(p.pid)], { timeoutMs })));
  if (runs.every((r) => r.kind === "not_found")) return null;
  return runs.map((run, i) => {
    const ok = run.kind === "exited" && run.code === 0;
    const text = ok ? run.stdout : `${run.message}${run.stderr.trim() ? `: ${run.stderr.trim()}` : ""}`;
    return { pid: targets[i]!.pid, ok, text: text.slice(0, MAX_STACK_CHARS) };
  });
}

/** Captures the evidence of a hang of `root` and its descendants, and names the kind. */
export async function diagnoseHang(root: ProcessIdentity, opts: DiagnoseOptions): Promise<HangReport> {
  const t0 = Date.now();
  const notes: string[] = [];
  const tree = [root, ...(await collectTree(root.pid))];
  const pids = tree.map((p) => p.pid);

  const cpuPromise = (async (): Promise<CpuEvidence | null> => {
    const before = await cpuTicksOf(pids);
    const s0 = Date.now();
    await new Promise((r) => setTimeout(r, opts.cpuSampleMs));
    const after = await cpuTicksOf(pids);
    const sampleMs = Date.now() - s0;
    const deltaTicks = Math.max(0, after - before);
    return { sampleMs, deltaTicks, cores: sampleMs > 0 ? deltaTicks / TICKS_PER_S / (sampleMs / 1000) : 0 };
  })();
  const processes: ProcessEvidence[] = await Promise.all(
    tree.map(async (p) => ({ pid: p.pid, cmdline: (await readCmdline(p.pid)) ?? p.cmdline, threads: await readThreads(p.pid) })),
  );
  const [cpu, gpu, stacks] = await Promise.all([
    cpuPromise,
    gpuEvidence(new Set(pids), opts).catch((err: unknown) => {
      notes.push(`GPU query failed: ${String(err)}`);
      return null;
    }),
    stackEvidence(processes, opts.pySpy ?? "py-spy", opts.timeoutMs),
  ]);
  if (gpu === null) notes.push("nvidia-smi not found: no GPU evidence");
  if (stacks === null) notes.push("py-spy not found: no Python stacks");
  const evidence: HangEvidence = { processes, cpu, gpu, stacks: stacks ?? [], notes };
  return { ...classifyHang(evidence), evidence, durationMs: Date.now() - t0 };
}
