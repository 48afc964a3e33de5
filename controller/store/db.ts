/**
 * Opening the controller's SQLite database: pragmas, an integrity check, migrations, refusal of
 * newer schemas. A damaged database is refused at start with one line naming the file and what to
 * do, instead of a controller that serves INTERNAL errors from the damaged pages for ever.
 */
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { configError, describeError, TrainsafeError } from "../../agent/lib/errors.js";
import { MIGRATIONS, SCHEMA_VERSION } from "./migrations.js";

export type Db = Database.Database;

export interface OpenOptions {
  readonly synchronous?: "normal" | "full";
  readonly busyTimeoutMs?: number;
  readonly readonly?: boolean;
  /** Run PRAGMA quick_check before using the database (default: true unless read-only). */
  readonly quickCheck?: boolean;
  /**
   * The Store checkpoints the WAL (PASSIVE) this often, outside the commits and off the event loop (default
   * CHECKPOINT_INTERVAL_MS; 0: SQLite's own checkpoint every 1,000 pages inside whichever commit crosses it).
   */
  readonly checkpointIntervalMs?: number;
  /** Checkpoint from a worker thread (default) rather than a timer on the opening thread. */
  readonly checkpointInWorker?: boolean;
}

/** How often the Store checkpoints the WAL from its timer by default. */
export const CHECKPOINT_INTERVAL_MS = 1_000;

/** How often a writable database opened with `opts` is checkpointed by the Store (0: by SQLite's own commits). */
export function checkpointEveryMs(opts: OpenOptions): number {
  return opts.readonly ? 0 : (opts.checkpointIntervalMs ?? CHECKPOINT_INTERVAL_MS);
}

/**
 * With the Store's own checkpoints on, a commit still checkpoints once the WAL holds this many pages
 * (40 MiB at 4 KiB): the WAL's bound when writes outrun them (a burst of hellos at start).
 */
export const WAL_BACKSTOP_PAGES = 10_000;

/** SQLite codes that mean the file itself is damaged or not a database (not a passing condition). */
export function isDamagedDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

/** What an operator does with a damaged database file: one sentence, naming the files. */
export function damagedDbAdvice(file: string): string {
  return (
    `restore it from a backup, or move it aside (mv ${file} ${file}.damaged, with its -wal and -shm files) and start again: ` +
    `the agents' spools resend every event they still hold; what only the old file had stays readable there`
  );
}

/** The error for a database file that is damaged: names the file, the finding and what to do. */
export function damagedDbError(file: string, finding: string): TrainsafeError {
  return configError(file, `the database is damaged (${finding}): ${damagedDbAdvice(file)}`);
}

/**
 * Opens (creating when missing) and migrates the database at `file`. Throws a config error for a
 * database written by a newer trainsafe, or one that cannot be opened, naming the file.
 */
export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (!opts.readonly) fs.mkdirSync(path.dirname(file), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false });
  } catch (err) {
    throw configError(file, `cannot open the database (${describeError(err)})`);
  }
  try {
    // WAL: readers (fleet queries) never block the writer (ingest, grants) and vice versa.
    if (!opts.readonly) db.pragma("journal_mode = WAL");
    // The checkpoint inside a commit costs the grant path: the Store's worker thread does it
    // (checkpointer.ts), and SQLite's own is only the WAL's bound (see WAL_BACKSTOP_PAGES).
    if (checkpointEveryMs(opts) > 0) db.pragma(`wal_autocheckpoint = ${WAL_BACKSTOP_PAGES}`);
    // A second process (a backup, sqlite3 shell) holding a lock briefly must not fail a grant.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5_000))}`);
    db.pragma("foreign_keys = ON");
    // NORMAL with WAL: commits survive a crash of this process and the file is never corrupted;
    // only an OS crash or power loss may roll back the newest commits. FULL fsyncs every commit.
    db.pragma(`synchronous = ${opts.synchronous === "full" ? "FULL" : "NORMAL"}`);
    // Damage in a page nothing reads at start would otherwise surface later, one failing call at a time.
    if (opts.quickCheck ?? !opts.readonly) quickCheck(db, file);
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof TrainsafeError) throw err;
    if (isDamagedDbError(err)) throw damagedDbError(file, describeError(err));
    throw configError(file, `cannot use the database (${describeError(err)})`);
  }
  return db;
}

/** Current user_version of an open database. */
export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
}

/** PRAGMA quick_check (the b-tree structure of every table and index, not the index contents). */
function quickCheck(db: Db, file: string): void {
  const rows = db.pragma("quick_check(5)") as Array<{ quick_check: string }>;
  const findings = rows.map((r) => r.quick_check).filter((f) => f !== "ok");
  // One line: SQLite's findings carry newlines ("*** in database main ***\nTree 4 page ...").
  if (findings.length > 0) throw damagedDbError(file, `quick_check: ${findings.join("; ").replace(/\s+/g, " ").slice(0, 200)}`);
}

function migrate(db: Db, file: string): void {
  const version = schemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw configError(
      file,
      `database schema version ${version} is newer than this trainsafe understands (${SCHEMA_VERSION}); ` +
        `upgrade trainsafe, or point stateDir at another folder`,
    );
  }
  if (version === SCHEMA_VERSION || db.readonly) return;
  for (let v = version; v < SCHEMA_VERSION; v++) {
    // Each step and its version bump commit together: a crash mid-migration leaves the old version.
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    }).immediate();
  }
}
