/**
 * node:path with a shortcut for the common case of the local commands: an absolute path already in
 * normal form, joined with plain names or resolved, relative or normalised as it is. node:path runs
 * every join, resolve, relative and normalize through `normalizeString`, a character loop that a
 * `check` of a small training folder calls ~200 times (~14,000 characters), which makes V8 compile it
 * with TurboFan on a helper thread at every run (~4-5 ms of CPU, docs/benchmarks.md, start-up,
 * 2026-12-06/07). The shortcut gives node's own result (test/fast-path.test.ts checks it against
 * node:path) and everything else goes to node:path. Only deploy/build.mjs uses this, as the local
 * scripts' node:path; the sources and the development form use node:path itself.
 */
import type { PlatformPath } from "node:path";

const SLASH = 47;

/** Whether p is an absolute POSIX path that normalize and resolve return unchanged (no "//", "." or ".." segment, no trailing "/"). */
function normalAbsolute(p: unknown): p is string {
  if (typeof p !== "string" || p.charCodeAt(0) !== SLASH) return false;
  if (p.length === 1) return true;
  return p.charCodeAt(p.length - 1) !== SLASH && !p.includes("//") && !p.includes("/./") && !p.includes("/../") && !p.endsWith("/.") && !p.endsWith("/..");
}

/** Whether s is one plain name: not empty, no "/", not "." or "..". */
function plainName(s: unknown): s is string {
  return typeof s === "string" && s.length > 0 && s !== "." && s !== ".." && !s.includes("/");
}

/** dir (normal, absolute) and a plain name, as join and resolve give them. */
function under(dir: string, name: string): string {
  return dir.length === 1 ? `/${name}` : `${dir}/${name}`;
}

/** node:path (POSIX) with the shortcut above; on another platform, node:path itself. */
export function fastPath(real: PlatformPath): PlatformPath {
  if (real.sep !== "/") return real;
  return {
    ...real,
    join(...parts: string[]): string {
      if (parts.length >= 2 && normalAbsolute(parts[0])) {
        let out: string = parts[0];
        let i = 1;
        for (; i < parts.length && plainName(parts[i]); i++) out = under(out, parts[i]!);
        if (i === parts.length) return out;
      }
      return real.join(...parts);
    },
    resolve(...parts: string[]): string {
      // node reads its arguments from the last: an absolute last one is the answer, the others unread.
      const last = parts[parts.length - 1];
      if (normalAbsolute(last)) return last;
      if (parts.length === 2 && normalAbsolute(parts[0]) && plainName(last)) return under(parts[0], last);
      return real.resolve(...parts);
    },
    relative(from: string, to: string): string {
      if (normalAbsolute(from) && normalAbsolute(to)) {
        if (from === to) return "";
        if (from.length === 1) return to.slice(1);
        if (to.startsWith(from) && to.charCodeAt(from.length) === SLASH) return to.slice(from.length + 1);
      }
      return real.relative(from, to);
    },
    normalize(p: string): string {
      return normalAbsolute(p) ? p : real.normalize(p);
    },
  };
}
