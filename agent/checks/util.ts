/** Small helpers shared by check files. */
import path from "node:path";
import type { Layout } from "../config/layout.js";

/** A path as users know it: relative to BASE_DIR when inside it. */
export function rel(layout: Layout, p: string): string {
  const r = path.relative(layout.baseDir, p);
  return r === "" ? "BASE_DIR" : r.startsWith("..") || path.isAbsolute(r) ? p : r;
}

/** Where checks keep what they must remember between runs (the last step seen). */
export function checkStateFile(layout: Layout): string {
  return path.join(layout.baseDir, ".trainsafe", "check_state.json");
}

/** "1.5s" style seconds for messages. */
export function secs(ms: number): string {
  return `${+(ms / 1000).toFixed(1)}s`;
}
