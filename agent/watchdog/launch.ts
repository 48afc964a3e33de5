/**
 * Starting the daemon so that nothing that happens to the supervisor reaches it: its own session
 * (detached), stdout/stderr appended to training_output.log through a file descriptor (no pipe that
 * would break when the supervisor exits), unref'd. Its PID is written atomically and its identity
 * recorded before anyone can look it up.
 *
 * A supervisor killed between the start and the PID file would leave a daemon nobody knows of, and
 * the next supervisor would start a second one in the same folder. So each launch is announced first
 * in BASE_DIR/.trainsafe/launch.json with a fresh id that the daemon carries in its environment
 * (TRAINSAFE_LAUNCH_ID); the announcement is removed once the PID file is written. recoverLaunch()
 * finds the daemon of an unfinished launch by that id and writes its PID file.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Layout } from "../config/layout.js";
import { foreignPlace, LAUNCH_ID_ENV, launchFile, launchSchema, recordedHere, recordIdentity, type DaemonIdentity } from "../lib/daemon.js";
import { readJsonFile, writeFileAtomic } from "../lib/files.js";
import { listProcesses, readEnvVar, readIdentity } from "../lib/proc.js";
import { stateDir } from "./state.js";

export { LAUNCH_ID_ENV, launchFile };

export type SpawnFn = (command: string, args: ReadonlyArray<string>, options: SpawnOptions) => ChildProcess;

export interface ExitInfo {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly atMs: number;
}

export interface Launched {
  readonly child: ChildProcess;
  readonly identity: DaemonIdentity;
  /** Settles when the child exits; listened to from the moment of spawn so no exit is missed. */
  readonly exited: Promise<ExitInfo>;
}

/** Starts `command` (argv) in BASE_DIR as the daemon; throws an Error saying why it could not start. */
export async function launchDaemon(layout: Layout, command: ReadonlyArray<string>, spawn: SpawnFn = nodeSpawn): Promise<Launched> {
  const [program, ...args] = command;
  if (!program) throw new Error("daemon command is empty");
  const launchId = randomUUID();
  await Promise.all([fsp.mkdir(path.dirname(layout.outputLog), { recursive: true }), fsp.mkdir(stateDir(layout), { recursive: true })]);
  // The announcement guards against this process dying before the PID file is written; it is not
  // fsync'd: a power loss that could lose it kills the daemon it announces as well. This write is on
  // the path from a crash to the new daemon, and two fsyncs were most of the launch's cost.
  const [announced, opened] = await Promise.allSettled([
    writeFileReplacing(launchFile(layout), JSON.stringify({ launchId, atMs: Date.now(), baseDir: path.resolve(layout.baseDir) }) + "\n"),
    fsp.open(layout.outputLog, "a"),
  ]);
  const forget = () => fsp.rm(launchFile(layout), { force: true }).catch(() => {});
  if (announced.status === "rejected" || opened.status === "rejected") {
    if (opened.status === "fulfilled") await opened.value.close();
    if (announced.status === "fulfilled") await forget();
    throw announced.status === "rejected" ? announced.reason : (opened as PromiseRejectedResult).reason;
  }
  const out = opened.value;
  let child: ChildProcess;
  try {
    child = spawn(program, args, {
      cwd: layout.baseDir,
      detached: true,
      stdio: ["ignore", out.fd, out.fd],
      env: { ...process.env, [LAUNCH_ID_ENV]: launchId },
    });
  } catch (err) {
    await forget();
    throw err;
  } finally {
    // The child holds its own copy of the descriptor; ours is no longer needed.
    await out.close();
  }
  // A failed exec (ENOENT, EACCES) arrives as an 'error' event right after spawn returns.
  const spawnError = await new Promise<Error | null>((resolve) => {
    if (child.pid !== undefined) {
      child.once("error", () => {});
      resolve(null);
      return;
    }
    child.once("error", (err) => resolve(err));
    child.once("spawn", () => resolve(null));
  });
  if (spawnError || child.pid === undefined) {
    await forget();
    throw new Error(`cannot start ${command.join(" ")}: ${spawnError?.message ?? "no PID"}`);
  }
  child.unref();
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal, atMs: Date.now() }));
  });
  const seen = await readIdentity(child.pid);
  if (!seen) {
    await forget();
    const code = child.exitCode ?? child.signalCode;
    throw new Error(`${command.join(" ")} exited at once${code !== null ? ` (${code})` : ""}; see ${layout.outputLog}`);
  }
  // The command line read here may still be a shim's that is about to exec: the identity is the PID,
  // its start time and the launch id, which exec keeps; the supervisor re-records the settled cmdline.
  const identity: DaemonIdentity = { ...seen, launchId };
  await writeFileAtomic(layout.pidFile, `${child.pid}\n`);
  await recordIdentity(layout, identity);
  await forget();
  return { child, identity, exited };
}

/** Replaces `file` atomically (temporary file + rename) without fsync: readers see the old or the new text. */
async function writeFileReplacing(file: string, data: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  try {
    await fsp.writeFile(tmp, data);
    await fsp.rename(tmp, file);
  } catch (err) {
    await fsp.rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}

/**
 * The daemon of a launch that never got its PID file (its supervisor died in between), found by the
 * launch id in its environment: it leads its own session (its children inherit the id but not
 * that). The launch id is the proof; the command line is not checked, since trainsafe launched it
 * and it may have exec'd into anything. Its PID file is written and its identity recorded, and the
 * identity returned. Null (and the announcement removed) when no launch is pending or its daemon is
 * not running. Never signals anything.
 */
export async function recoverLaunch(layout: Layout): Promise<DaemonIdentity | null> {
  const file = launchFile(layout);
  const r = await readJsonFile(file, launchSchema);
  if (!r.ok || !(await recordedHere(layout, r.value.baseDir))) {
    // Junk, or an announcement copied from another run folder: not a launch of this folder.
    if (!r.ok ? r.reason !== "missing" : true) await fsp.rm(file, { force: true }).catch(() => {});
    return null;
  }
  const launchId = r.value.launchId;
  let found: DaemonIdentity | null = null;
  for (const st of await listProcesses()) {
    if (st.session !== st.pid || st.state === "Z" || st.state === "X") continue;
    if ((await readEnvVar(st.pid, LAUNCH_ID_ENV)) !== launchId) continue;
    const id = await readIdentity(st.pid);
    // Started with BASE_DIR as its working directory: one that runs elsewhere is not this launch's.
    if (id && id.startTicks === st.startTicks && (await foreignPlace(layout, id)) === null) found = { ...id, launchId };
    break;
  }
  if (found) {
    try {
      await writeFileAtomic(layout.pidFile, `${found.pid}\n`);
      await recordIdentity(layout, found);
    } catch {
      // Watched from memory now; the announcement stays so that the next supervisor finds it too.
      return found;
    }
  }
  await fsp.rm(file, { force: true }).catch(() => {});
  return found;
}
