/** Opening the controller's SQLite database: pragmas, migrations, refusal of newer schemas. */
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
    // A second process (a backup, sqlite3 shell) holding a lock briefly must not fail a grant.
    db.pragma(`busy_timeout = ${Math.max(0, Math.trunc(opts.busyTimeoutMs ?? 5_000))}`);
    db.pragma("foreign_keys = ON");
    // NORMAL with WAL: commits survive a crash of this process and the file is never corrupted;
    // only an OS crash or power loss may roll back the newest commits. FULL fsyncs every commit.
    db.pragma(`synchronous = ${opts.synchronous === "full" ? "FULL" : "NORMAL"}`);
    migrate(db, file);
  } catch (err) {
    db.close();
    if (err instanceof TrainsafeError) throw err;
    throw configError(file, `cannot use the database (${describeError(err)})`);
  }
  return db;
}

/** Current user_version of an open database. */
export function schemaVersion(db: Db): number {
  return db.pragma("user_version", { simple: true }) as number;
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
