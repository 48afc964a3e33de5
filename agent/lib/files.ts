/** Safe reading of untrusted files and atomic writing of our own. */
import fs, { promises as fsp } from "node:fs";
import path from "node:path";
import { describeError, inputError } from "./errors.js";
import { files, readsAreSynchronous, syncCall, viaCallback } from "./fs-mode.js";
import type { Validator } from "./schema.js";

/** Largest JSON file we parse; anything bigger in BASE_DIR is not a config or status file. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** Dotted path of a zod issue ("lr", "paths.data_dir", "steps[3]"). */
export function issuePath(p: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const k of p) {
    if (typeof k === "number") out += `[${k}]`;
    else out += out ? `.${String(k)}` : String(k);
  }
  return out || "(root)";
}

export type JsonRead<T> =
  | { ok: true; value: T }
  | { ok: false; reason: "missing" | "unreadable" | "not_a_file" | "too_large" | "empty" | "invalid_json" | "invalid"; message: string; field?: string };

/**
 * Reads and parses a JSON file, then validates it with `schema` (a zod schema, or a lazy one: agent/lib/schema.ts).
 * Never throws: every failure comes back with a message naming the file (and field).
 */
export async function readJsonFile<T>(file: string, schema: Validator<T>): Promise<JsonRead<T>> {
  let text: string;
  try {
    const st = await files.stat(file);
    if (!st.isFile()) return { ok: false, reason: "not_a_file", message: `${file}: is not a regular file` };
    if (st.size > MAX_JSON_BYTES) {
      return { ok: false, reason: "too_large", message: `${file}: ${st.size} bytes is too large for a JSON file` };
    }
    text = await files.readFile(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, reason: "missing", message: `${file}: does not exist` };
    return { ok: false, reason: "unreadable", message: `${file}: cannot read (${describeError(err)})` };
  }
  return parseJsonText(file, text, schema);
}

/** Parses JSON text that came from `file`; see readJsonFile. */
export function parseJsonText<T>(file: string, text: string, schema: Validator<T>): JsonRead<T> {
  if (text.trim() === "") return { ok: false, reason: "empty", message: `${file}: is empty (half-written?)` };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: "invalid_json", message: `${file}: invalid JSON (${describeError(err)})` };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issuePath(issue.path);
    return { ok: false, reason: "invalid", field, message: `${file}: ${field}: ${issue.message}` };
  }
  return { ok: true, value: parsed.data };
}

/** Like readJsonFile but throws a TrainsafeError (kind "input") on failure. */
export async function loadJsonFile<T>(file: string, schema: Validator<T>): Promise<T> {
  const r = await readJsonFile(file, schema);
  if (!r.ok) throw inputError(file, r.message.slice(file.length + 2), r.field);
  return r.value;
}

let tempSeq = 0;

/** The steps of an atomic write other than the fsyncs, by their node:fs names. */
type WriteStep = "open" | "writeFile" | "close" | "rename" | "rm";
type CallStep = <T>(name: WriteStep, args: unknown[]) => Promise<T>;

/** A step as a thread-pool request through node's callback API. */
const requestStep: CallStep = <T>(name: WriteStep, args: unknown[]) => viaCallback<T>(fs[name] as (...a: never[]) => void, args);

/** A step as the synchronous call (`fs.openSync` for "open"...), as fs-mode's synchronous reads are made (syncCall). */
const syncStep: CallStep = <T>(name: WriteStep, args: unknown[]) => syncCall(fs[`${name}Sync`] as (...a: unknown[]) => T)(...args);

/**
 * Creates a new temporary file beside `name` in `dir` and opens it for writing. O_EXCL ("wx"): an
 * existing file or a symlink planted at that name is never followed or truncated (a name that exists
 * is retried with another), so the name needs no cryptographic randomness: process id, a counter and
 * Math.random. node:crypto's randomBytes cost `trainsafe check` ~4 ms of CPU to load crypto (the
 * progress check saves its state at every run; docs/benchmarks.md, start-up, 2026-12-06 `check`).
 */
async function openTemp(dir: string, name: string, mode: number | undefined, call: CallStep): Promise<{ fd: number; tmp: string }> {
  for (let attempt = 0; ; attempt++) {
    const unique = `${process.pid}.${(++tempSeq).toString(36)}${Math.floor(Math.random() * 0x1_0000_0000).toString(16).padStart(8, "0")}`;
    const tmp = path.join(dir, `.${name}.${unique}.tmp`);
    try {
      return { fd: await call<number>("open", [tmp, "wx", mode]), tmp };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= 9) throw err;
    }
  }
}

/** How writeFileAtomic makes its calls. */
export interface AtomicWriteOptions {
  /**
   * While this process reads synchronously (fs-mode.ts: a one-shot command whose mounts cannot hang a
   * call, `trainsafe check` among them), make, write, close and rename the temporary file and open the
   * folder with synchronous calls, as its reads are: each was a thread-pool round trip (~0.1-0.2 ms of
   * CPU; `check`'s progress check saves its state at every run: docs/benchmarks.md, start-up,
   * 2026-12-07 18:40). The two fsyncs stay requests: a flush may wait on the disk for long, and a
   * check's deadline must still fire meanwhile. Off (and in a process that reads asynchronously, the
   * agent's): every step is a request.
   */
  readonly syncWhereReadsAre?: boolean;
}

/**
 * Writes `data` so that readers see the old or the new content, never a mix:
 * temp file in the same folder, fsync, rename, fsync of the folder. Through node's callback API: the
 * same system calls as fs.promises' file handles, without loading fs.promises (its module, readline and
 * the file watchers: ~1 ms of `trainsafe check`, which saves its progress state at every run).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode?: number, opts: AtomicWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  const call = opts.syncWhereReadsAre === true && readsAreSynchronous() ? syncStep : requestStep;
  const { fd, tmp } = await openTemp(dir, path.basename(file), mode, call);
  try {
    await call<void>("writeFile", [fd, data]);
    await viaCallback<void>(fs.fsync, [fd]);
  } catch (err) {
    await call<void>("close", [fd]).catch(() => {});
    await call<void>("rm", [tmp, { force: true }]);
    throw err;
  }
  await call<void>("close", [fd]);
  try {
    await call<void>("rename", [tmp, file]);
  } catch (err) {
    await call<void>("rm", [tmp, { force: true }]);
    throw err;
  }
  const dirFd = await call<number>("open", [dir, "r"]).catch(() => null);
  if (dirFd !== null) {
    await viaCallback<void>(fs.fsync, [dirFd]).catch(() => {});
    await call<void>("close", [dirFd]);
  }
}

/** Appends one line (newline added) to a file, creating its folder when missing. */
export async function appendLine(file: string, line: string): Promise<void> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.appendFile(file, line.endsWith("\n") ? line : `${line}\n`);
}
