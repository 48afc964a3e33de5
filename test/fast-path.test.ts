/**
 * agent/lib/fast-path.ts, the local scripts' node:path (deploy/build.mjs): its shortcut for absolute paths
 * in normal form must give node:path's result, and its errors, for every input.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fastPath } from "../agent/lib/fast-path.js";

const fast = fastPath(path.posix);
const SEGMENTS = ["", ".", "..", "...", "a", "b.c", ".x", "x.", " ", "é", "checkpoint-1000", "a b", "\\", "-"];
const SEPARATORS = ["/", "/", "/", "//", "/./", "/../"];

/** A seeded generator, so that a failure names a reproducible case. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomPath(r: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  let p = r() < 0.7 ? "/" : "";
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) p += (i ? pick(SEPARATORS) : "") + pick(SEGMENTS);
  if (r() < 0.1) p += "/";
  return p;
}

/** The same result, or the same error code, from node:path and the fast path. */
function same(name: "join" | "resolve" | "relative" | "normalize", args: unknown[]): void {
  const call = (impl: typeof path.posix) => {
    try {
      return { value: (impl[name] as (...a: unknown[]) => string)(...args) };
    } catch (err) {
      return { error: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  };
  assert.deepEqual(call(fast), call(path.posix), `${name}(${args.map((a) => JSON.stringify(a)).join(", ")})`);
}

test("the fast path gives node:path's join, resolve, relative and normalize on 40,000 generated paths", () => {
  const r = rng(20261207);
  for (let i = 0; i < 10_000; i++) {
    const a = randomPath(r);
    const b = r() < 0.5 ? SEGMENTS[Math.floor(r() * SEGMENTS.length)]! : randomPath(r);
    const c = randomPath(r);
    same("join", r() < 0.5 ? [a, b] : [a, b, c]);
    same("resolve", r() < 0.3 ? [a] : r() < 0.6 ? [a, b] : [a, b, c]);
    same("relative", [a, r() < 0.5 ? `${a}/${b}` : c]);
    same("normalize", [a]);
  }
});

test("the shortcut's own cases, the root and wrong argument types", () => {
  const cases: Array<[Parameters<typeof same>[0], unknown[]]> = [
    ["join", ["/data/run", "logs"]],
    ["join", ["/", "logs"]],
    ["join", ["/data/run", "logs", "train.log"]],
    ["join", ["/data/run", ".."]],
    ["join", ["/data/run", "."]],
    ["join", ["/data/run", ""]],
    ["join", ["/data/run/", "logs"]],
    ["join", ["/data/run", "a/b"]],
    ["join", ["/data/run", undefined]],
    ["join", ["/data/run", 1]],
    ["join", []],
    ["resolve", ["/data/run"]],
    ["resolve", ["/"]],
    ["resolve", ["/data/run", "logs"]],
    ["resolve", ["/", "logs"]],
    ["resolve", [1, "/abs/path"]],
    ["resolve", ["/data/run", undefined]],
    ["resolve", ["relative/dir"]],
    ["resolve", []],
    ["relative", ["/data/run", "/data/run"]],
    ["relative", ["/data/run", "/data/run/logs/a.log"]],
    ["relative", ["/data/run", "/data/runs/x"]],
    ["relative", ["/data/run", "/data"]],
    ["relative", ["/", "/data"]],
    ["relative", ["/", "/"]],
    ["relative", ["/data/run", 3]],
    ["normalize", ["/data/run"]],
    ["normalize", ["/"]],
    ["normalize", ["/data/run/.."]],
    ["normalize", ["/data//run"]],
    ["normalize", [""]],
    ["normalize", [null]],
  ];
  for (const [name, args] of cases) same(name, args);
});

test("every other member is node:path's", () => {
  for (const key of Object.keys(path.posix)) {
    if (["join", "resolve", "relative", "normalize"].includes(key)) continue;
    assert.equal((fast as unknown as Record<string, unknown>)[key], (path.posix as unknown as Record<string, unknown>)[key], key);
  }
  // On a platform whose separator is not "/", node:path is used as it is.
  assert.equal(fastPath(path.win32), path.win32);
});
