/**
 * Starting the daemon so that nothing that happens to the supervisor reaches it: its own session
 * (detached), stdout/stderr appended to training_output.log through a file descriptor (no pipe that
 * would break when the supervisor exits), unref'd. Its PID is written atomically and its identity
 * recorded before anyone can look it up.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { promises as fsp } from "node:fs";
import path from "node:path";
import type { Layout } from "../config/layout.js";
import { recordIdentity } from "../lib/daemon.js";
import { writeFileAtomic } from "../lib/files.js";
import { readIdentity, type ProcessIdentity } from "../lib/proc.js";

export type SpawnFn = (command: string, args: ReadonlyArray<string>, options: SpawnOptions) => ChildProcess;

export interface ExitInfo {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly atMs: number;
}

export interface Launched {
  readonly child: ChildProcess;
  readonly identity: ProcessIdentity;
  /** Settles when the child exits; listened to from the moment of spawn so no exit is missed. */
  readonly exited: Promise<ExitInfo>;
}

/** Starts `command` (argv) in BASE_DIR as the daemon; throws an Error saying why it could not start. */
export async function launchDaemon(layout: Layout, command: ReadonlyArray<string>, spawn: SpawnFn = nodeSpawn): Promise<Launched> {
  const [program, ...args] = command;
  if (!program) throw new Error("daemon command is empty");
  await fsp.mkdir(path.dirname(layout.outputLog), { recursive: true });
  const out = await fsp.open(layout.outputLog, "a");
  let child: ChildProcess;
  try {
    child = spawn(program, args, { cwd: layout.baseDir, detached: true, stdio: ["ignore", out.fd, out.fd] });
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
    throw new Error(`cannot start ${command.join(" ")}: ${spawnError?.message ?? "no PID"}`);
  }
  child.unref();
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once("exit", (exitCode, signal) => resolve({ exitCode, signal, atMs: Date.now() }));
  });
  const identity = await readIdentity(child.pid);
  if (!identity) {
    const code = child.exitCode ?? child.signalCode;
    throw new Error(`${command.join(" ")} exited at once${code !== null ? ` (${code})` : ""}; see ${layout.outputLog}`);
  }
  await writeFileAtomic(layout.pidFile, `${child.pid}\n`);
  await recordIdentity(layout, identity);
  return { child, identity, exited };
}
