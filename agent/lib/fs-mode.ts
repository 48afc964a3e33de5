/**
 * The promise API of node:fs that the checkpoint and config readers (agent/guard, the layout, readJsonFile)
 * and the health checks call. What only reads (stat, lstat, readdir, readFile, open for reading, access,
 * statfs, realpath, readlink) and mkdir are answered by node's callback API behind a promise
 * (`asyncFiles`), or, once a one-shot command has called useSynchronousReads(), the reads (and mkdir) by
 * the synchronous calls (`files`); anything else (writes) by fs.promises itself.
 *
 * Why callbacks: they are the same thread-pool requests as fs.promises' without its FileHandle objects,
 * close requests and promise plumbing (a stat or an open-read-close costs ~30-45 % less CPU in a
 * micro-benchmark), and fs.promises' module (with readline and the file watchers) is not loaded by a
 * `check` that writes nothing but its state file (docs/benchmarks.md, start-up, 2026-12-06 08:20).
 *
 * Why: `resume verify` makes ~70 such calls and ~30 reads through file handles on a small training
 * folder; through libuv's thread pool (started by the first one) they cost 14-22 ms of CPU more than the
 * same calls made synchronously (docs/benchmarks.md, start-up, 2026-12-06 02:40). The agent never turns
 * it on: its supervisor must not block its event loop on a hung file system. A command that reads and
 * exits blocks on a hung file system either way. `check`, which must report at each check's deadline,
 * turns it on for its run only where no mount can hang a call (lib/mounts.ts), in time slices
 * (useSynchronousReadsFor); its checks read through `files` for that, and through asyncFiles (always
 * asynchronous) what may wait on another process (/proc/PID/cmdline).
 */
import fs, { promises as fsp } from "node:fs";
import type { FileHandle } from "node:fs/promises";

let synchronous = false;
/** With synchronous reads, how long they may run back to back before the next one lets timers fire first. */
let sliceMs = Infinity;
let sliceStartedMs = 0;

/** From now on, the reads of this process through `files` are synchronous (one-shot CLI commands only). */
export function useSynchronousReads(): void {
  synchronous = true;
  sliceMs = Infinity;
}

/**
 * Makes the reads through `files` synchronous until the returned function is called, which restores the
 * mode before. Every `sliceMs` of such reads the next one first waits for the event loop's next turn
 * (setImmediate), so that due timers (a check's deadline) fire between reads: for `check`, which must
 * report at its deadline while a check still has 20,000 folders to read (issue 12 item 7). Only for
 * file systems whose calls cannot hang (lib/mounts.ts): a single call still blocks the thread.
 */
export function useSynchronousReadsFor(timeSliceMs: number): () => void {
  const before = { synchronous, sliceMs };
  synchronous = true;
  sliceMs = timeSliceMs;
  sliceStartedMs = nowMs();
  return () => {
    synchronous = before.synchronous;
    sliceMs = before.sliceMs;
  };
}

/** Whether `files` reads synchronously now (for the tests). */
export function readsAreSynchronous(): boolean {
  return synchronous;
}

function nowMs(): number {
  const [s, ns] = process.hrtime();
  return s * 1e3 + ns / 1e6;
}

/** Resolves on the event loop's next turn once the time slice is spent, else at once (no await needed). */
function endOfSlice(): Promise<void> | undefined {
  if (sliceMs === Infinity || nowMs() - sliceStartedMs < sliceMs) return undefined;
  return new Promise<void>((resolve) =>
    setImmediate(() => {
      sliceStartedMs = nowMs();
      resolve();
    }),
  );
}

/** A synchronous call as the promise call, after the end of the time slice if it is spent. */
export function syncCall<A extends unknown[], R>(fn: (...a: A) => R): (...a: A) => Promise<R> {
  return async (...a: A) => {
    const wait = endOfSlice();
    if (wait) await wait;
    return fn(...a);
  };
}

/**
 * A read-only file handle over a descriptor, for the methods the readers call (stat, read, readFile,
 * close); anything else is not there (a TypeError), so a new use shows up in the tests.
 */
function syncHandle(fd: number): FileHandle {
  let closed = false;
  const handle = {
    fd,
    async stat(opts?: fs.StatOptions) {
      return fs.fstatSync(fd, opts);
    },
    async read(buffer: NodeJS.ArrayBufferView, offset = 0, length = buffer.byteLength - offset, position: number | null = null) {
      return { bytesRead: fs.readSync(fd, buffer, offset, length, position), buffer };
    },
    async readFile(opts?: { encoding?: BufferEncoding | null } | BufferEncoding | null) {
      return fs.readFileSync(fd, opts as BufferEncoding);
    },
    // The permissions check's repair (`check --fix`) changes a folder's mode through the descriptor it opened.
    async chmod(mode: fs.Mode) {
      fs.fchmodSync(fd, mode);
    },
    async close() {
      if (closed) return;
      closed = true;
      fs.closeSync(fd);
    },
  };
  return handle as unknown as FileHandle;
}

const WRITE_FLAGS = fs.constants.O_WRONLY | fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC | fs.constants.O_APPEND;

// "r", or numeric flags without a write bit (the crash scan opens logs O_RDONLY | O_NONBLOCK, so that a
// FIFO named *.log does not wait for a writer).
function readOnly(flags: string | number | undefined): boolean {
  return flags === undefined || flags === "r" || (typeof flags === "number" && (flags & WRITE_FLAGS) === 0);
}

/**
 * Synchronous opens for reading do not wait: an open for reading of a FIFO waits for a writer, which in
 * this thread would be for ever, before any deadline could fire (a FIFO named `latest` or
 * model.safetensors hung `check` with no report). A FIFO then reads as empty (EAGAIN while a writer holds
 * it open), and a reader that wants a regular file says it is not one; a regular file ignores the flag.
 */
const openNoWait = (file: fs.PathLike, flags: string | number | undefined): number =>
  fs.openSync(file, (flags === undefined || flags === "r" ? fs.constants.O_RDONLY : (flags as number)) | fs.constants.O_NONBLOCK);

function readFileNoWait(...a: Parameters<typeof fs.readFileSync>): string | Buffer {
  const [file, opts] = a;
  const flag = typeof opts === "object" && opts !== null ? opts.flag : undefined;
  if (typeof file === "number" || (flag !== undefined && flag !== "r")) return fs.readFileSync(...a);
  const fd = openNoWait(file, undefined);
  try {
    return fs.readFileSync(fd, opts);
  } finally {
    fs.closeSync(fd);
  }
}

// Same signatures as fs.promises; a synchronous error becomes the rejection the promise call would give.
const SYNC: Partial<Record<keyof typeof fsp, unknown>> = {
  stat: syncCall((...a: Parameters<typeof fs.statSync>) => fs.statSync(...a)),
  lstat: syncCall((...a: Parameters<typeof fs.lstatSync>) => fs.lstatSync(...a)),
  readdir: syncCall((...a: Parameters<typeof fs.readdirSync>) => fs.readdirSync(...a)),
  readFile: syncCall(readFileNoWait),
  access: syncCall((...a: Parameters<typeof fs.accessSync>) => fs.accessSync(...a)),
  statfs: syncCall((...a: Parameters<typeof fs.statfsSync>) => fs.statfsSync(...a)),
  realpath: syncCall((...a: Parameters<typeof fs.realpathSync.native>) => fs.realpathSync.native(...a)),
  readlink: syncCall((...a: Parameters<typeof fs.readlinkSync>) => fs.readlinkSync(...a)),
  // `check` makes sure of its state folder at every run (the progress check): a round trip less.
  mkdir: syncCall((...a: Parameters<typeof fs.mkdirSync>) => fs.mkdirSync(...a)),
  open: async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
    if (!readOnly(flags)) return fsp.open(file, flags, mode);
    const wait = endOfSlice();
    if (wait) await wait;
    return syncHandle(openNoWait(file, flags));
  },
};

type Callback<T> = (err: NodeJS.ErrnoException | null, value: T) => void;

/** Calls a node:fs callback function with `args` and the callback, as a promise; a synchronous throw (a bad argument) is a rejection. */
export function viaCallback<T>(fn: (...args: never[]) => void, args: unknown[]): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    (fn as (...a: unknown[]) => void)(...args, ((err, value) => (err ? reject(err) : resolve(value))) as Callback<T>);
  });
}

/** An asynchronous read-only handle over a descriptor, with the methods the readers call (as syncHandle) and chmod. */
function callbackHandle(fd: number): FileHandle {
  let closed = false;
  const handle = {
    fd,
    stat(opts?: fs.StatOptions) {
      return viaCallback<fs.Stats>(fs.fstat, [fd, opts]);
    },
    read(buffer: NodeJS.ArrayBufferView, offset = 0, length = buffer.byteLength - offset, position: number | null = null) {
      return viaCallback<number>(fs.read, [fd, buffer, offset, length, position]).then((bytesRead) => ({ bytesRead, buffer }));
    },
    readFile(opts?: { encoding?: BufferEncoding | null } | BufferEncoding | null) {
      return viaCallback<string | Buffer>(fs.readFile, [fd, opts]);
    },
    // The permissions check's repair changes a folder's mode through the descriptor it opened read-only.
    chmod(mode: fs.Mode) {
      return viaCallback<void>(fs.fchmod, [fd, mode]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await viaCallback<void>(fs.close, [fd]);
    },
  };
  return handle as unknown as FileHandle;
}

// The reads through node's callback API (see the file comment); the same signatures and errors as fs.promises.
const CALLBACK: Partial<Record<keyof typeof fsp, unknown>> = {
  stat: (...a: unknown[]) => viaCallback(fs.stat, a),
  lstat: (...a: unknown[]) => viaCallback(fs.lstat, a),
  readdir: (...a: unknown[]) => viaCallback(fs.readdir, a),
  readFile: (...a: unknown[]) => viaCallback(fs.readFile, a),
  access: (...a: unknown[]) => viaCallback(fs.access, a),
  statfs: (...a: unknown[]) => viaCallback(fs.statfs, a),
  // fs.promises.realpath is realpath(3), as fs.realpath.native is (fs.realpath walks the path in JavaScript).
  realpath: (...a: unknown[]) => viaCallback(fs.realpath.native, a),
  readlink: (...a: unknown[]) => viaCallback(fs.readlink, a),
  // Not a read, but `check` saves its progress state into a folder it makes sure of at every run.
  mkdir: (...a: unknown[]) => viaCallback(fs.mkdir, a),
  open: (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) =>
    readOnly(flags) ? viaCallback<number>(fs.open, [file, flags ?? "r"]).then(callbackHandle) : fsp.open(file, flags, mode),
};

/**
 * node's fs.promises with its reads through the callback API (see the file comment), always asynchronous:
 * what the health checks and the agent call. fs.promises itself is read only for a method not listed above.
 */
export const asyncFiles: typeof fsp = new Proxy({} as typeof fsp, {
  get: (_, key) => (Object.hasOwn(CALLBACK, key) ? CALLBACK[key as keyof typeof fsp] : Reflect.get(fsp, key)),
});

/**
 * asyncFiles, with its reads synchronous after useSynchronousReads(). fs.promises itself is read on a call
 * that needs it, not at load: its module (with readline and the file watchers) is ~0.6 ms of a `crash scan`
 * or `resume verify` that reads synchronously and never uses it (docs/benchmarks.md, start-up, 2026-12-06
 * 05:45). Only `get` is trapped: callers call methods, nothing else.
 */
export const files: typeof fsp = new Proxy({} as typeof fsp, {
  get: (_, key) => (synchronous && Object.hasOwn(SYNC, key) ? SYNC[key as keyof typeof fsp] : Reflect.get(asyncFiles, key)),
});
