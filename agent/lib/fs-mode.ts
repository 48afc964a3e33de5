/**
 * The promise API of node:fs that the checkpoint and config readers (agent/guard, the layout, readJsonFile)
 * call, answered by node's fs.promises, or, once a one-shot command has called useSynchronousReads(), by
 * the synchronous calls for what only reads (stat, lstat, readdir, readFile, open for reading).
 *
 * Why: `resume verify` makes ~70 such calls and ~30 reads through file handles on a small training
 * folder; through libuv's thread pool (started by the first one) they cost 14-22 ms of CPU more than the
 * same calls made synchronously (docs/benchmarks.md, start-up, 2026-12-06 02:40). The agent never turns
 * it on: its supervisor must not block its event loop on a hung file system. A command that reads and
 * exits blocks on a hung file system either way.
 */
import fs, { promises as fsp } from "node:fs";
import type { FileHandle } from "node:fs/promises";

let synchronous = false;

/** From now on, the reads of this process through `files` are synchronous (one-shot CLI commands only). */
export function useSynchronousReads(): void {
  synchronous = true;
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

// Same signatures as fs.promises; a synchronous error becomes the rejection the promise call would give.
const SYNC: Partial<Record<keyof typeof fsp, unknown>> = {
  stat: async (...a: Parameters<typeof fs.statSync>) => fs.statSync(...a),
  lstat: async (...a: Parameters<typeof fs.lstatSync>) => fs.lstatSync(...a),
  readdir: async (...a: Parameters<typeof fs.readdirSync>) => fs.readdirSync(...a),
  readFile: async (...a: Parameters<typeof fs.readFileSync>) => fs.readFileSync(...a),
  open: async (file: fs.PathLike, flags?: string | number, mode?: fs.Mode) => (readOnly(flags) ? syncHandle(fs.openSync(file, flags ?? "r")) : fsp.open(file, flags, mode)),
};

/**
 * node's fs.promises, with its reads synchronous after useSynchronousReads(). fs.promises itself is read on
 * a call that needs it, not at load: its module (with readline and the file watchers) is ~0.6 ms of a
 * `crash scan` or `resume verify` that reads synchronously and never uses it (docs/benchmarks.md,
 * start-up, 2026-12-06 05:45). Only `get` is trapped: callers call methods, nothing else.
 */
export const files: typeof fsp = new Proxy({} as typeof fsp, {
  get: (_, key) => (synchronous && Object.hasOwn(SYNC, key) ? SYNC[key as keyof typeof fsp] : Reflect.get(fsp, key)),
});
