/**
 * zlib's CRC-32 without node:zlib's module. The launcher checks its code caches with it (cli/launch.cts)
 * and the crash rules check that rules.json is the file the bundle was built from (agent/crash/rules.ts,
 * through deploy/build.mjs's node:zlib facade). node:zlib's module requires node:stream, and the two cost
 * ~1.4 ms of every local command's start (stream's fourteen modules ~1.0 ms, zlib's own ~0.4 ms, measured
 * in a fresh process); the checksum itself is native code in zlib's binding, which node loads with the
 * process anyway. So the function comes from the binding (`process.binding("zlib").crc32`, Node 20.15+),
 * else from the module (`zlib.crc32`), else there is none (older node: the callers use SHA-1).
 *
 * process.binding is deprecated in the documentation only, and warns only under --pending-deprecation
 * (DEP0111; also NODE_PENDING_DEPRECATION=1): with that option or variable (or an option that turns
 * deprecations into errors or traces) the module is used.
 */
import { createRequire } from "node:module";

/** CRC-32 of a text (its UTF-8 bytes) or of bytes, as zlib.crc32 computes it. */
export type Crc32 = (data: string | Uint8Array) => number;

let found: Crc32 | null | undefined;

/** The CRC-32 function, or null where this node has none (before 20.15). */
export function crc32Function(): Crc32 | null {
  if (found === undefined) found = fromBinding() ?? fromModule();
  return found;
}

/** Options under which process.binding would print or throw a deprecation. */
const DEPRECATION_OPTIONS = /--(?:pending|throw|trace)-deprecation\b/;

function fromBinding(): Crc32 | null {
  // NODE_PENDING_DEPRECATION=1 is --pending-deprecation given through the environment.
  if (DEPRECATION_OPTIONS.test(`${process.execArgv.join(" ")} ${process.env.NODE_OPTIONS ?? ""}`) || process.env.NODE_PENDING_DEPRECATION) return null;
  let native: unknown;
  try {
    native = (process as unknown as { binding(name: string): { crc32?: unknown } }).binding("zlib").crc32;
  } catch {
    // A permission model or a node without the binding: the module's function, if any.
    return null;
  }
  if (typeof native !== "function") return null;
  const crc = native as (data: string | Uint8Array, initial: number) => number;
  // The binding checks its arguments with assertions that abort the process: only a text or bytes reach it.
  return (data) => {
    if (typeof data !== "string" && !ArrayBuffer.isView(data)) throw new TypeError("crc32: a string or bytes");
    return crc(data, 0);
  };
}

function fromModule(): Crc32 | null {
  // Any absolute file resolves a built-in module; this one exists in CommonJS bundles and ES modules alike.
  const zlib = createRequire(process.execPath)("node:zlib") as { crc32?: Crc32 };
  return typeof zlib.crc32 === "function" ? (data) => zlib.crc32!(data) : null;
}
