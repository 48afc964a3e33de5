/**
 * Durable event spool of the agent: every event is on disk (fsync) before anyone is told it exists,
 * and leaves the spool only after the controller acknowledged storing it. Killing the agent or the
 * controller at any moment loses nothing; a replay may resend an event, which the controller stores
 * once (events carry a uuid made here).
 *
 * Files (in the spool folder): events.jsonl (one event per line) and acks.jsonl (one uuid per line).
 * A torn last line (the agent died mid-write) is skipped on load and cut off before the next append.
 * A write the disk refuses half-way (ENOSPC) is cut back to the last whole line, so the next event
 * never glues onto a fragment. When enough events are acknowledged the two files are compacted into a
 * new events.jsonl holding only the pending ones.
 *
 * The folder may be deleted (or its files replaced) under a running agent, by a cleanup script or an
 * operator: appends would then go to unlinked files and vanish with the next start. Before every
 * append and ack, and on verify() (the agent calls it periodically), the open files are compared with
 * what the folder holds (device and inode); on a mismatch the folder and files are recreated with
 * every unacknowledged event and a warning is logged.
 */
import { openSync, closeSync, fsyncSync, fstatSync, ftruncateSync, readSync, writeSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import path from "node:path";
import { describeError } from "../lib/errors.js";

export interface SpooledEvent {
  readonly uuid: string;
  readonly [key: string]: unknown;
}

export interface SpoolOptions {
  readonly dir: string;
  /** Compact after this many acknowledged events. */
  readonly compactAfterAcks?: number;
  /** Most pending events kept on disk; older ones are dropped (and counted) past this. */
  readonly maxPending?: number;
  /** Warnings (the spool folder was deleted under us and recreated). */
  readonly log?: (line: string) => void;
}

/** Whether the open descriptor `fd` is still the file at `file` (not deleted, not replaced). */
function sameFile(fd: number, file: string): boolean {
  try {
    const open = fstatSync(fd);
    const named = statSync(file);
    return open.nlink > 0 && open.ino === named.ino && open.dev === named.dev;
  } catch {
    return false;
  }
}

/** Events waiting for the controller's acknowledgement, on disk. Synchronous writes: small and rare. */
export class Spool {
  private readonly eventsFile: string;
  private readonly acksFile: string;
  private readonly pending = new Map<string, SpooledEvent>();
  private eventsFd = -1;
  private acksFd = -1;
  private acksSinceCompact = 0;
  /** Events the spool could not write (disk full...): kept in memory, retried on the next append. */
  private unwritten: SpooledEvent[] = [];
  dropped = 0;
  lastError: string | null = null;
  /** Times the folder or its files were found deleted or replaced and recreated. */
  recreated = 0;
  private opened = false;

  constructor(private readonly opts: SpoolOptions) {
    this.eventsFile = path.join(opts.dir, "events.jsonl");
    this.acksFile = path.join(opts.dir, "acks.jsonl");
  }

  /** Loads what a previous run left and opens the files for appending. Returns load problems. */
  open(): string[] {
    mkdirSync(this.opts.dir, { recursive: true });
    const problems: string[] = [];
    const acked = new Set<string>();
    for (const line of readLines(this.acksFile)) {
      const uuid = line.trim();
      if (uuid) acked.add(uuid);
    }
    let n = 0;
    for (const line of readLines(this.eventsFile)) {
      n++;
      if (!line.trim()) continue;
      try {
        const ev = JSON.parse(line) as SpooledEvent;
        if (typeof ev?.uuid !== "string") throw new Error("no uuid");
        if (!acked.has(ev.uuid)) this.pending.set(ev.uuid, ev);
      } catch (err) {
        problems.push(`${this.eventsFile}: line ${n} skipped (${describeError(err)}; torn write?)`);
      }
    }
    this.compact();
    this.opened = true;
    return problems;
  }

  /**
   * Checks that the files being appended to are still the spool folder's; when the folder or a file
   * was deleted or replaced, recreates them with every unacknowledged event and logs a warning.
   * Returns that warning, or null when nothing was wrong.
   */
  verify(): string | null {
    if (!this.opened) return null;
    if (this.eventsFd >= 0 && this.acksFd >= 0 && sameFile(this.eventsFd, this.eventsFile) && sameFile(this.acksFd, this.acksFile)) return null;
    let warning: string;
    try {
      mkdirSync(this.opts.dir, { recursive: true });
      // compact() writes exactly the pending events to a fresh events.jsonl and empties acks.jsonl.
      this.compact();
      this.recreated++;
      warning = `WARNING: spool ${this.opts.dir} was deleted or replaced under the running agent: recreated with the ${this.pending.size} unacknowledged event(s) it held`;
    } catch (err) {
      this.closeFds();
      warning = `WARNING: spool ${this.opts.dir} was deleted or replaced and cannot be recreated (${describeError(err)}): ${this.size} event(s) kept in memory only`;
      this.lastError = warning;
    }
    this.opts.log?.(warning);
    return warning;
  }

  /** Events not yet acknowledged, oldest first. */
  pendingEvents(): SpooledEvent[] {
    return [...this.unwritten, ...this.pending.values()];
  }

  get size(): number {
    return this.pending.size + this.unwritten.length;
  }

  /** Writes the event durably; returns false (and keeps it in memory) when the disk refuses. */
  append(ev: SpooledEvent): boolean {
    this.verify();
    const batch = [...this.unwritten, ev];
    try {
      appendWhole(this.eventsFd, batch.map((e) => JSON.stringify(e) + "\n").join(""));
      fsyncSync(this.eventsFd);
    } catch (err) {
      this.lastError = `cannot write ${this.eventsFile}: ${describeError(err)}`;
      this.unwritten = batch.slice(-(this.opts.maxPending ?? 100_000));
      return false;
    }
    this.unwritten = [];
    this.lastError = null;
    for (const e of batch) this.pending.set(e.uuid, e);
    this.trim();
    return true;
  }

  /** Marks events as stored by the controller. */
  ack(uuids: readonly string[]): void {
    if (this.unwritten.length) {
      // Sent while the disk refused it, and stored by the controller: nothing left to keep.
      const done = new Set(uuids);
      this.unwritten = this.unwritten.filter((e) => !done.has(e.uuid));
    }
    const known = uuids.filter((u) => this.pending.delete(u));
    if (known.length === 0) return;
    // Recreated folders already leave the acknowledged events out.
    if (this.verify()) return;
    try {
      appendWhole(this.acksFd, known.map((u) => u + "\n").join(""));
      // No fsync: losing an ack only means a resend, which the controller deduplicates.
    } catch (err) {
      this.lastError = `cannot write ${this.acksFile}: ${describeError(err)}`;
    }
    this.acksSinceCompact += known.length;
    if (this.acksSinceCompact >= (this.opts.compactAfterAcks ?? 1000)) this.compact();
  }

  /** Rewrites events.jsonl with only the pending events and empties acks.jsonl. */
  compact(): void {
    this.closeFds();
    const tmp = `${this.eventsFile}.tmp`;
    try {
      const fd = openSync(tmp, "w");
      try {
        writeAll(fd, [...this.pending.values()].map((e) => JSON.stringify(e) + "\n").join(""));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, this.eventsFile);
      closeSync(openSync(this.acksFile, "w"));
      this.acksSinceCompact = 0;
    } catch (err) {
      // Compaction is an optimisation: the old files are still valid, keep appending to them. A
      // half-written copy would only take the space the next append needs.
      this.lastError = `cannot compact spool in ${this.opts.dir}: ${describeError(err)}`;
      try {
        rmSync(tmp, { force: true });
      } catch {
        /* nothing to free */
      }
    }
    // a+: appends go to the end; reading is for cutTornTail.
    this.eventsFd = openSync(this.eventsFile, "a+");
    this.acksFd = openSync(this.acksFile, "a+");
    // If compaction failed after a torn write, cut the fragment (it was never sent: events are
    // written before they are sent) so the next event starts on a fresh line. Cutting needs no space.
    for (const fd of [this.eventsFd, this.acksFd]) cutTornTail(fd);
  }

  close(): void {
    // Closed on purpose: nothing to verify or recreate until the next open().
    this.opened = false;
    this.closeFds();
  }

  private trim(): void {
    const max = this.opts.maxPending ?? 100_000;
    while (this.pending.size > max) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.dropped++;
    }
  }

  private closeFds(): void {
    for (const fd of [this.eventsFd, this.acksFd]) if (fd >= 0) closeSync(fd);
    this.eventsFd = this.acksFd = -1;
  }
}

function writeAll(fd: number, text: string): void {
  const buf = Buffer.from(text);
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off);
}

/** Appends `text`; when the disk refuses part-way, cuts the file back to its size before, then throws. */
function appendWhole(fd: number, text: string): void {
  const before = fstatSync(fd).size;
  try {
    writeAll(fd, text);
  } catch (err) {
    try {
      ftruncateSync(fd, before);
    } catch {
      /* the fragment stays; cutTornTail removes it at the next open or compaction */
    }
    throw err;
  }
}

/** Truncates an append descriptor's file after its last newline (a torn last line is dropped). */
function cutTornTail(fd: number): void {
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return;
    const tailBytes = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(tailBytes);
    readSync(fd, buf, 0, tailBytes, size - tailBytes);
    if (buf[tailBytes - 1] === 0x0a) return;
    const nl = buf.lastIndexOf(0x0a);
    if (nl < 0 && tailBytes < size) {
      // A fragment longer than the tail read: end it instead (load skips it as a bad line).
      writeAll(fd, "\n");
      return;
    }
    ftruncateSync(fd, size - tailBytes + nl + 1);
  } catch {
    // Best effort: load skips a torn line anyway.
  }
}

function readLines(file: string): string[] {
  try {
    const text = readFileSync(file, "utf8");
    const lines = text.split("\n");
    // The last element is "" after a final newline, or a torn line without one: drop it.
    lines.pop();
    return lines;
  } catch {
    return [];
  }
}
