/** Random access to the bytes of a file (or of a buffer in tests), so checkers read headers only. */
import { constants } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { describeError } from "../lib/errors.js";
import { files as fsp } from "../lib/fs-mode.js";

export interface ByteSource {
  /** Total size in bytes. */
  readonly sizeBytes: number;
  /** Reads up to `length` bytes at `position`; fewer come back only at the end of the source. */
  read(position: number, length: number): Promise<Uint8Array>;
  /** Bytes handed out so far (lets tests prove that a checker never reads a whole file). */
  readonly bytesRead: number;
}

/** A ByteSource over an in-memory buffer. */
export function bufferSource(buf: Uint8Array): ByteSource {
  let bytesRead = 0;
  return {
    sizeBytes: buf.length,
    get bytesRead() {
      return bytesRead;
    },
    async read(position, length) {
      const out = buf.subarray(Math.max(0, position), Math.max(0, Math.min(buf.length, position + length)));
      bytesRead += out.length;
      return out;
    },
  };
}

/** Smallest read of a file source (see openFileSource). */
export const READ_BLOCK_BYTES = 4096;

export type OpenResult =
  | { ok: true; source: ByteSource; close: () => Promise<void> }
  | { ok: false; problem: string };

/**
 * Opens `file` for header reads. Never throws: a missing file, a folder in its place or a read
 * error comes back as one problem that names `label`.
 */
export async function openFileSource(file: string, label: string): Promise<OpenResult> {
  let fh: FileHandle;
  try {
    // Non-blocking: an open for reading of a FIFO waits for a writer (for ever, and in `check`'s main
    // thread where its reads are synchronous); a FIFO then fails the regular-file test below. Reads of
    // a regular file ignore the flag.
    fh = await fsp.open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { ok: false, problem: `${label}: missing` };
    if (code === "EISDIR") return { ok: false, problem: `${label}: is a directory, not a file` };
    if (code === "EACCES" || code === "EPERM") return { ok: false, problem: `${label}: no permission to read` };
    return { ok: false, problem: `${label}: cannot open (${describeError(err)})` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) {
      await fh.close().catch(() => {});
      return { ok: false, problem: `${label}: ${st.isDirectory() ? "is a directory, not a file" : "is not a regular file"}` };
    }
    let bytesRead = 0;
    const readAt = async (position: number, want: number): Promise<Buffer> => {
      const buf = Buffer.alloc(want);
      let got = 0;
      // A short read mid-file is possible on some file systems; loop until EOF.
      while (got < want) {
        const { bytesRead: n } = await fh.read(buf, got, want - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return buf.subarray(0, got);
    };
    // The last block read: the readers ask for many small pieces close together (a zip's end record,
    // locator and central directory inside the tail they read first; local headers of small records
    // a few bytes apart; a safetensors length and header), each a thread-pool round trip of its own
    // before. A piece inside the block is served from it; a small piece outside it reads a new block
    // of READ_BLOCK_BYTES there (a page or so, what the kernel reads anyway).
    let block: { position: number; bytes: Buffer } | null = null;
    const source: ByteSource = {
      sizeBytes: st.size,
      get bytesRead() {
        return bytesRead;
      },
      async read(position, length) {
        const want = Math.max(0, Math.min(length, st.size - position));
        let out: Buffer;
        if (position < 0) {
          out = await readAt(position, want); // no reader asks for this; served as it always was, and never kept
        } else if (block && position >= block.position && position + want <= block.position + block.bytes.length) {
          out = block.bytes.subarray(position - block.position, position - block.position + want);
        } else {
          const bytes = await readAt(position, Math.max(want, Math.min(READ_BLOCK_BYTES, st.size - position)));
          block = { position, bytes };
          out = bytes.subarray(0, want);
        }
        bytesRead += out.length;
        return out;
      },
    };
    return { ok: true, source, close: () => fh.close().catch(() => {}) };
  } catch (err) {
    await fh.close().catch(() => {});
    return { ok: false, problem: `${label}: cannot read (${describeError(err)})` };
  }
}

/** Runs `check` on `file` through a ByteSource, turning any read failure into a problem. */
export async function withFileSource<T extends { ok: boolean; problems: string[] }>(
  file: string,
  label: string,
  check: (src: ByteSource, label: string) => Promise<T>,
  failed: (problem: string) => T,
): Promise<T> {
  const opened = await openFileSource(file, label);
  if (!opened.ok) return failed(opened.problem);
  try {
    return await check(opened.source, label);
  } catch (err) {
    // Readers are written not to throw; an I/O error mid-read (EIO, a file removed under us) still can.
    return failed(`${label}: read failed (${describeError(err)})`);
  } finally {
    await opened.close();
  }
}
