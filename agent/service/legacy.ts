/**
 * One-time import of BASE_DIR/.crash_history.json (written by the old Python tools and by the local
 * CLI) into the event stream. Each entry becomes a crash event whose uuid is derived from the host and
 * the entry, so a repeated import stores nothing twice; a marker in the agent's state folder makes the
 * import happen once. The file itself is never modified.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import { z } from "zod";
import type { Layout } from "../config/layout.js";
import { readCrashHistory } from "../crash/history.js";
import { describeError } from "../lib/errors.js";
import { readJsonFile, writeFileAtomic } from "../lib/files.js";
import type { AgentEvent } from "./types.js";

/** UUID text form (version 5 layout) of a SHA-256 over `parts`: the same entry always gets the same uuid. */
export function stableUuid(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\u0000")).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString("hex");
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

const markerSchema = z.object({ importedAt: z.string(), entries: z.number() });

/** Imports the legacy history once; returns how many entries were queued (0 when already done). */
export async function importLegacyHistory(
  layout: Layout,
  stateDir: string,
  publish: (ev: AgentEvent) => boolean,
): Promise<{ imported: number; message: string | null }> {
  const marker = path.join(stateDir, "legacy-import.json");
  const done = await readJsonFile(marker, markerSchema);
  if (done.ok) return { imported: 0, message: null };
  const { entries, problems } = await readCrashHistory(layout);
  if (problems.length && entries.length === 0) {
    // Unreadable now (corrupt, moved aside...): try again at the next start rather than mark it done.
    return { imported: 0, message: `crash history not imported: ${problems.join("; ")}` };
  }
  let unspooled = 0;
  for (const e of entries) {
    const tsMs = Date.parse(e.recordedAt);
    const spooled = publish({
      uuid: stableUuid("legacy-crash-history", layout.baseDir, e.id || e.fingerprint),
      tsMs: Number.isFinite(tsMs) ? tsMs : Date.now(),
      kind: e.hangKind ? "hang" : "crash",
      category: e.category || "unknown",
      signature: e.signature || "",
      message: `imported from ${path.basename(layout.crashHistoryFile)}: ${e.category}${e.text ? ` "${e.text.slice(0, 200)}"` : ""}`,
      details: { imported: true, source: e.source, entry: e },
      ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
      ...(e.signal !== undefined ? { signal: e.signal } : {}),
      crash: { firstFatalLine: e.text ?? "", excerpt: e.text ?? "", suggestion: e.suggestion ?? "", logFile: e.file ?? "" },
    });
    if (!spooled) unspooled++;
  }
  // The marker follows the events into the spool (fsynced). When the spool refused some (a full disk)
  // or the marker cannot be written, the import runs again at the next start: the uuids make that
  // harmless, and a full state disk must not stop the agent from starting.
  const retry = " (the import is repeated at the next start)";
  if (unspooled > 0) {
    return { imported: entries.length, message: `imported ${entries.length} entries of ${layout.crashHistoryFile}, ${unspooled} kept in memory only${retry}` };
  }
  try {
    await writeFileAtomic(marker, JSON.stringify({ importedAt: new Date().toISOString(), entries: entries.length }) + "\n");
  } catch (err) {
    return { imported: entries.length, message: `imported ${entries.length} entries of ${layout.crashHistoryFile}; cannot write ${marker}: ${describeError(err)}${retry}` };
  }
  return {
    imported: entries.length,
    message: `imported ${entries.length} entries of ${layout.crashHistoryFile}${problems.length ? ` (${problems.join("; ")})` : ""}`,
  };
}
