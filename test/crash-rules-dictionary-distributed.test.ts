/**
 * Crash rules by enumeration from the sources, seventh round (issue 10; docs/crash-accuracy.md, items 850-):
 * torch.distributed jobs failing as torchrun (torch.distributed.elastic) and torch.multiprocessing.spawn print them,
 * recorded here by test/fixtures/crash/recorded/distributed.py (Debian bookworm's system Python 3.11 with torch 1.13,
 * CPU, gloo on loopback; 2 to 4 processes) and kept in test/fixtures/crash/recorded/distributed/ (the working folder
 * renamed /workspace, the host gpu-node-07). Each row is a whole job's output (every rank's lines and the agent's, one
 * stream) after nothing else, with the category the corpus's conventions give it: the root cause is the failing rank's
 * error, not what the other ranks then printed (gloo's `Connection closed by peer` / `Connection reset by peer` as
 * their collective lost it, the agent's SIGTERMs), even where torchrun's table names another rank as the first
 * observed failure (torch 1.13 orders failures of the same monitoring pass by rank, so rank 0's lost connection is
 * often its `Root Cause`); a rank killed by SIGKILL or SIGTERM is process_killed, by SIGSEGV or SIGABRT segfault; a
 * store, rendezvous or barrier timeout with no other cause is timeout; a gloo connection failure with no other cause
 * nccl_error; a rank that exits non-zero with no traceback python_exception (launcher_failure's convention); a
 * restart that recovered and a clean finish none.
 *
 * torch 2.x prefixes what every worker prints with its rank: `[rankN]: ` before Python's lines and `[rankN]:` before
 * c10's log records (`[rank1]:[W reducer.cpp:...]`), inside the tee prefix when --tee is on (`[default1]:[rank1]:`),
 * as the studied corpus's logs show. Torch 1.13 has no such prefix; the `2.x` rows are the `--tee 3` recordings with
 * each `[defaultN]:` rewritten that way (torch2Prefixed below; the agent's own lines are left as 1.13 prints them).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { loadRules } from "../agent/crash/rules.js";
import { scanFiles } from "../agent/crash/scanner.js";
import { primaryScanner } from "./helpers/crash-families.js";
import { testDictionary, type Row } from "./helpers/crash-dictionary.js";

const rules = await loadRules();
const primaryOf = primaryScanner(rules, "trainsafe-dictionary-dist-");

const RECORDED = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "crash", "recorded", "distributed");

/** A recorded job's output, without the recorder's `[exit status N]` line. */
function recorded(name: string): string {
  return fs.readFileSync(path.join(RECORDED, `${name}.txt`), "utf8").replace(/\[exit status \S+\]\n$/, "");
}

/**
 * A `--tee 3` recording as torch 2.x prints it: each worker line's `[defaultN]:` becomes `[rankN]: ` (`[rankN]:` before
 * a c10 log record such as `[W reducer.cpp:1305]`), or, with `tee`, `[defaultN]:[rankN]: ` (one node: rank = local rank).
 */
function torch2Prefixed(name: string, tee = false): string {
  return recorded(name).replace(/^\[default(\d+)\]:(.*)$/gm, (_, n: string, rest: string) =>
    `${tee ? `[default${n}]:` : ""}[rank${n}]:${/^\[[WEIF]/.test(rest) ? "" : " "}${rest}`);
}

const REC = "recorded here";

/** sigabrt_rank1 with rank 0's lost connection replaced by NCCL's watchdog timeout (the record's text as the corpus's logs print it). */
function nearMissWatchdog(): string {
  const text = recorded("sigabrt_rank1").replace(/^RuntimeError: \[\.\/gloo\/transport\/tcp\/pair\.cc:\d+\] .*$/m,
    "RuntimeError: [Rank 0] Watchdog caught collective operation timeout: WorkNCCL(SeqNum=808, OpType=ALLREDUCE, NumelIn=9801523, NumelOut=9801523, Timeout(ms)=600000) ran for 600020 milliseconds before timing out.");
  assert.ok(text.includes("Watchdog caught"), "the recording's gloo line was replaced");
  return text;
}

const families: Record<string, Row[]> = {
  "raise (one rank raises; the others lose their gloo connection or are stopped by the agent)": [
    [recorded("exc_rank1"), "python_exception", `${REC}: torchrun, 2 ranks: rank 1's KeyError, rank 0's all_reduce then \`Connection closed by peer\`; the table's Root Cause is rank 0`],
    [recorded("exc_rank1_4procs"), "python_exception", `${REC}: torchrun, 4 ranks: rank 1's KeyError, the three others' lost connections`],
    [recorded("exc_rank1_record"), "python_exception", `${REC}: @record on main: the table quotes both ranks' tracebacks (error_file rows), rank 0's lost connection as Root Cause`],
    [recorded("exc_rank1_tee"), "python_exception", `${REC}: --tee 3 (\`[default1]:\` prefixes)`],
    [recorded("exc_rank1_record_tee"), "python_exception", `${REC}: --tee 3 and @record`],
    [torch2Prefixed("exc_rank1_tee"), "python_exception", `${REC}, torch 2.x prefixes: exc_rank1_tee with \`[rankN]: \``],
    [torch2Prefixed("exc_rank1_record_tee"), "python_exception", `${REC}, torch 2.x prefixes: exc_rank1_record_tee with \`[rankN]: \``],
    [torch2Prefixed("exc_rank1_record_tee", true), "python_exception", `${REC}, torch 2.x prefixes: exc_rank1_record_tee with \`[defaultN]:[rankN]: \``],
    [recorded("restart_exhausted"), "python_exception", `${REC}: --max_restarts 1, rank 1 raises in both attempts`],
    [recorded("spawn_exc"), "python_exception", `${REC}: torch.multiprocessing.spawn: ProcessRaisedException quoting rank 1's KeyError`],
    [recorded("ddp_unused_param"), "python_exception", `${REC}: DDP without find_unused_parameters, a branch unused at step 2: both ranks' \`Expected to have finished reduction\` (interleaved)`],
  ],
  "signal (one rank dies by a signal)": [
    [recorded("sigkill_rank1"), "process_killed", `${REC}: rank 1 SIGKILL (\`exitcode  : -9\` under Failures; rank 0's \`Connection reset by peer\` the Root Cause)`],
    [recorded("sigkill_rank1_tee"), "process_killed", `${REC}: the same with --tee 3`],
    [torch2Prefixed("sigkill_rank1_tee"), "process_killed", `${REC}, torch 2.x prefixes: sigkill_rank1_tee`],
    [recorded("sigterm_rank1"), "process_killed", `${REC}: rank 1 SIGTERM (\`exitcode  : -15\`, \`Signal 15 (SIGTERM) received by PID\` under Failures)`],
    [recorded("sigterm_rank1_tee"), "process_killed", `${REC}: the same with --tee 3`],
    [torch2Prefixed("sigterm_rank1_tee"), "process_killed", `${REC}, torch 2.x prefixes: sigterm_rank1_tee`],
    [recorded("sigsegv_rank1"), "segfault", `${REC}: rank 1 SIGSEGV (\`exitcode  : -11\`)`],
    [recorded("sigsegv_rank1_tee"), "segfault", `${REC}: the same with --tee 3`],
    [torch2Prefixed("sigsegv_rank1_tee"), "segfault", `${REC}, torch 2.x prefixes: sigsegv_rank1_tee`],
    [recorded("sigabrt_rank1"), "segfault", `${REC}: rank 1 SIGABRT (\`exitcode  : -6\`)`],
    [recorded("sigabrt_rank1_tee"), "segfault", `${REC}: the same with --tee 3`],
    [torch2Prefixed("sigabrt_rank1_tee", true), "segfault", `${REC}, torch 2.x prefixes: sigabrt_rank1_tee with \`[defaultN]:[rankN]: \``],
    [nearMissWatchdog(), "nccl_error", `near miss, composed from the sigabrt_rank1 recording: rank 0's lost connection replaced by NCCL's watchdog timeout as its wait() raises it (the record's text as the studied corpus's logs print it): the watchdog aborts the ranks it stops, so their \`exitcode  : -6\` is no death of their own (rule nccl_watchdog_timeout)`],
    [recorded("spawn_sigkill"), "process_killed", `${REC}: spawn: \`process 1 terminated with signal SIGKILL\``],
    [recorded("spawn_sigsegv"), "segfault", `${REC}: spawn: \`process 1 terminated with signal SIGSEGV\``],
  ],
  "exit (a rank exits non-zero with no traceback)": [
    [recorded("exit3_rank1"), "python_exception", `${REC}: rank 1 sys.exit(3) (\`exitcode  : 3\` under Failures, rank 0's lost connection the Root Cause)`],
    [recorded("exit3_rank1_tee"), "python_exception", `${REC}: the same with --tee 3`],
    [torch2Prefixed("exit3_rank1_tee"), "python_exception", `${REC}, torch 2.x prefixes: exit3_rank1_tee`],
    [recorded("spawn_exit3"), "python_exception", `${REC}: spawn: \`process 1 terminated with exit code 3\``],
  ],
  "memory (one rank out of host memory)": [
    [recorded("host_oom_rank1"), "host_oom", `${REC}: rank 1 under RLIMIT_AS 3 GiB allocates 4 GiB: DefaultCPUAllocator's \`can't allocate memory\``],
    [recorded("host_oom_rank1_tee"), "host_oom", `${REC}: the same with --tee 3`],
    [torch2Prefixed("host_oom_rank1_tee"), "host_oom", `${REC}, torch 2.x prefixes: host_oom_rank1_tee`],
  ],
  "timeout (a store, rendezvous or barrier timeout with no other cause)": [
    [recorded("init_timeout"), "timeout", `${REC}: init_process_group(timeout=5s) while rank 1 starts late: rank 0's gloo \`Socket Timeout\`, the agent's SIGTERM to rank 1`],
    [recorded("init_timeout_tee"), "timeout", `${REC}: the same with --tee 3`],
    [torch2Prefixed("init_timeout_tee"), "timeout", `${REC}, torch 2.x prefixes: init_timeout_tee`],
    [recorded("store_missing_rank_rank0"), "timeout", `${REC}: rank 0 started by hand, rank 1 never comes (only rank 0's output)`],
    [recorded("store_missing_rank_rank1"), "timeout", `${REC}: rank 1 started by hand, no store to reach: \`The client socket has timed out after 5s\``],
    [recorded("rdzv_join_timeout"), "timeout", `${REC}: --rdzv_backend c10d --nnodes 2, the second node never joins: RendezvousTimeoutError`],
    [recorded("monitored_barrier"), "timeout", `${REC}: monitored_barrier(timeout=3s) on rank 0 while rank 1 hangs: \`Rank 1 failed to pass monitoredBarrier in 3000 ms\``],
    [recorded("monitored_barrier_3procs"), "timeout", `${REC}: 3 ranks, rank 2 hangs: rank 0's \`failed to pass monitoredBarrier\`, rank 1's \`successfully reached monitoredBarrier, but received errors\``],
  ],
  "gloo (a lost connection with no other cause: one node's log of a two-node job)": [
    [recorded("gloo_peer_killed_rank0"), "nccl_error", `${REC}: rank 0's log while rank 1 (another process, its log not here) is SIGKILLed: \`Read error ...: Connection reset by peer\``],
    [recorded("gloo_peer_killed_large_rank0"), "nccl_error", `${REC}: the same during 64 MiB all_reduces: \`Connection closed by peer\``],
  ],
  "healthy (clean finishes, a restart that recovered, DDP's warning)": [
    [recorded("clean"), "none", `${REC}: torchrun, 2 ranks, a clean finish`],
    [recorded("clean_info"), "none", `${REC}: the same with LOGLEVEL=INFO (the agent's rendezvous and shutdown records)`],
    [recorded("clean_tee"), "none", `${REC}: the same with --tee 3`],
    [torch2Prefixed("clean_tee"), "none", `${REC}, torch 2.x prefixes: clean_tee`],
    [recorded("restart_recovered"), "none", `${REC}: --max_restarts 1: the first attempt's rank 1 raises, the second finishes`],
    [recorded("restart_recovered_tee"), "none", `${REC}: the same with --tee 3`],
    [torch2Prefixed("restart_recovered_tee"), "none", `${REC}, torch 2.x prefixes: restart_recovered_tee`],
    [recorded("restart_recovered_info"), "none", `${REC}: the same with LOGLEVEL=INFO (\`Worker group FAILED\`, the restart's records)`],
    [recorded("ddp_healthy"), "none", `${REC}: DDP, every parameter used`],
    [recorded("ddp_find_unused_none_unused"), "none", `${REC}: DDP find_unused_parameters=True with none unused: reducer.cpp's warning`],
    [recorded("spawn_clean"), "none", `${REC}: torch.multiprocessing.spawn, a clean finish`],
  ],
};

testDictionary("crash rules by enumeration: torch.distributed failures recorded under torchrun and spawn", families, primaryOf);

/** The primary finding's line, scanned as the dictionary scans a row. */
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-dictionary-dist-line-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
async function primaryLine(name: string, text: string): Promise<string> {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  const r = await scanFiles([file], { rules });
  return r.primary?.text ?? "";
}

test("where ranks are tagged, the primary is the failing rank's own line (rank 1), not rank 0's lost connection", async () => {
  const rows: [string, string][] = [
    ["exc_rank1_tee", recorded("exc_rank1_tee")],
    ["exc_rank1_record_tee", recorded("exc_rank1_record_tee")],
    ["host_oom_rank1_tee", recorded("host_oom_rank1_tee")],
    ["exc_rank1_tee 2.x", torch2Prefixed("exc_rank1_tee")],
    ["exc_rank1_record_tee 2.x", torch2Prefixed("exc_rank1_record_tee")],
    ["exc_rank1_record_tee 2.x tee", torch2Prefixed("exc_rank1_record_tee", true)],
    ["host_oom_rank1_tee 2.x", torch2Prefixed("host_oom_rank1_tee")],
  ];
  const wrong: string[] = [];
  for (const [i, [name, text]] of rows.entries()) {
    const line = await primaryLine(`rank-${i}.log`, text);
    if (!/^(?:\[default1\]:)?\[(?:default|rank)1\]:/.test(line)) wrong.push(`  ${name}: ${line.slice(0, 160)}`);
  }
  assert.equal(wrong.length, 0, `${wrong.length} of ${rows.length} rows' primary is not rank 1's line:\n${wrong.join("\n")}`);
});
