/**
 * Entry of the shipped form (deploy/build.mjs bundles it into dist/trainsafe.cjs; the installed launcher
 * runs it with plain node, given V8 options for `check` and `crash scan`: deploy/install.sh). A local command (check, crash, config, resume) runs from its own CommonJS
 * script (dist/<command>.cjs: the command, commander and zod in one file), compiled through vm.Script
 * with a V8 code cache, so that neither node's ES module loader nor V8's parser and compiler run at
 * start: Node 20 has no compile cache of its own (module.enableCompileCache came in 22.1) and none for
 * ES modules. Every other command (agent, controller, fleet, watchdog, demo, --help) imports the ES
 * module CLI (dist/trainsafe.mjs), whose chunks keep the agent from loading the controller's code.
 *
 * The cache of a script is written on the first run of each command (and rewritten whenever it is
 * missing, damaged, stale or refused by V8), then rewritten after each of its first REFRESH_HITS hits, so
 * that it holds what several runs compiled, not only the first (a first `check --only disk` or a `check`
 * of an empty folder left the crash engine out of `check`'s cache for good: +5.8 ms at every later
 * `check`; docs/benchmarks.md, start-up, 2026-12-06 19:15), into the first writable of dist/.v8-cache and
 * $XDG_CACHE_HOME/trainsafe/v8-cache (~/.cache/...); a cache that cannot be read or written only
 * costs the time it would have saved. TRAINSAFE_CODE_CACHE=off runs without it; =debug also reports
 * on stderr what happened to it.
 */
import fs = require("node:fs");
import path = require("node:path");
import vm = require("node:vm");
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { crc32Function } from "../agent/lib/crc32.js";

/**
 * Per-command scripts and the subcommands that get a cache of their own (set by deploy/build.mjs); one
 * with `command: false` is only loaded as a module (the checks' worker), never run as a command. A
 * `wrapped` script is written inside CommonJS's function wrapper already (CJS_WRAPPER), so that it is
 * compiled as read: wrapping it here copies the whole source into a second string (~1 ms and ~270 page
 * faults for the 0.94 MB checks' script; docs/benchmarks.md, start-up, 2026-12-06 18:30).
 */
declare const TRAINSAFE_LOCAL_SCRIPTS: Record<string, { readonly file: string; readonly encoding: "latin1" | "utf8"; readonly subcommands: readonly string[]; readonly command?: false; readonly wrapped?: true }>;

/** CommonJS's function wrapper, as deploy/build.mjs writes it around a `wrapped` script. */
const CJS_WRAPPER = ["(function (exports, require, module, __filename, __dirname) {", "\n})"] as const;

// 2: the header holds the whole key and a CRC-32 of the payload (1 held SHA-1s: a file of 1 reads as damaged, and is rewritten).
const MAGIC = "trainsafe-v8-cache 2";
const CACHE_SUFFIX = ".v8cache";
/**
 * How many hits of a cache rewrite it. V8 serialises every function that has bytecode, those that came
 * from the cache included, so a rewrite after a run holds the union of what the runs so far compiled
 * (measured: a `check --only disk` cache of 188 KB became the full run's 738 KB after one `check`, and
 * stayed 738 KB after a later `--only disk`). Each rewrite costs its run the serialisation and the write;
 * after these few, a hit costs what it did before.
 */
const REFRESH_HITS = 3;

/** What a cache file's header records; the cache is used only when every field matches. */
interface CacheMeta {
  readonly key: string;
  readonly dataBytes: number;
  readonly dataSum: string;
  /** Hits that have rewritten this cache (absent in caches written before: 0). */
  readonly refreshes?: number;
}

/** A cache's key (compared whole) and its short id (in the file name only, so a collision costs a rewrite). */
interface Fingerprint {
  readonly key: string;
  readonly id: string;
}

type CacheState = "off" | "hit" | "miss" | "damaged" | "rejected";

/** The command an argv names: its first word that is not an option (as cli/run.ts picks it). */
function commandName(args: readonly string[]): string | undefined {
  return args.find((a) => !a.startsWith("-"));
}

/** Folders a cache may be read from and written to, in order: beside the scripts, then the user's cache. */
function cacheDirs(distDir: string): string[] {
  const dirs = [path.join(distDir, ".v8-cache")];
  const xdg = process.env.XDG_CACHE_HOME;
  const home = process.env.HOME;
  const user = xdg && path.isAbsolute(xdg) ? xdg : home ? path.join(home, ".cache") : undefined;
  if (user) dirs.push(path.join(user, "trainsafe", "v8-cache"));
  return dirs;
}

/**
 * A checksum of a cache's payload (V8 does not checksum its code cache) and of its key, for the file
 * name: zlib's CRC-32 (Node 20.15+) from zlib's binding, without node:zlib's module and the streams it
 * loads (~1.4 ms; agent/lib/crc32.ts), against ~4-5 ms for crypto and its first hash (OpenSSL's digest
 * table), which resume verify, crash history and crash scan --no-history otherwise never load
 * (docs/benchmarks.md, start-up, 2026-12-06 02:40); SHA-1 on an older node.
 * A cache is code this user's own process wrote: the checksum guards against damage, not forgery
 * (a file others may write is not run at all).
 */
function checksum(data: string | Buffer): string {
  const crc32 = crc32Function();
  if (crc32) return `crc32-${crc32(data).toString(16).padStart(8, "0")}`;
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return `sha1-${createHash("sha1").update(data).digest("hex")}`;
}

/**
 * Everything that makes a cache valid for this run: V8 checks its own version, flags and the source's
 * length, but not the source's content, so the script's identity (path, size, mtime, inode) is part
 * of the key, and so are node's options (they change V8's flags, which would make V8 refuse it).
 */
function fingerprintOf(file: string, st: fs.Stats): Fingerprint {
  const key = JSON.stringify([process.version, process.arch, file, st.size, st.mtimeMs, st.ino, process.execArgv.join(" "), process.env.NODE_OPTIONS ?? ""]);
  return { key, id: checksum(key).replace(/^[a-z0-9]+-/, "").slice(0, 20) };
}

/**
 * One buffer for every script and cache this process reads (grown when a file is larger): a fresh buffer
 * per file is fresh memory, one page fault per 4 KB on first touch, and the scripts and their caches are
 * 0.2-1.2 MB each (`check` reads four). A source is copied out of it into its string, and V8 copies
 * what it needs out of a cache while it compiles, so the next read may reuse the bytes.
 */
let scratch: Buffer | undefined;
/** Files read and buffers allocated for them (TRAINSAFE_CODE_CACHE=debug reports both at exit). */
const reads = { files: 0, buffers: 0 };

/** Reads the whole of fd (size bytes by fstat; fewer if the file shrank meanwhile) into the shared buffer. */
function readWhole(fd: number, size: number): Buffer {
  if (reads.files++ === 0 && cacheMode() === "debug") {
    process.once("exit", () => process.stderr.write(`trainsafe: scripts and caches: ${reads.files} file(s) read into ${reads.buffers} buffer(s)\n`));
  }
  if (scratch === undefined || scratch.length < size) {
    scratch = Buffer.allocUnsafeSlow(size);
    reads.buffers++;
  }
  let n = 0;
  for (let r = -1; n < size && r !== 0; n += r) r = fs.readSync(fd, scratch, n, size - n, n);
  return scratch.subarray(0, n);
}

/** Reads a cache file; undefined when absent, unsafe, damaged or not this script's (the caller says which). */
function readCache(file: string, fingerprint: Fingerprint): { data?: Buffer; refreshes?: number; damaged: boolean } {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return { damaged: false };
  }
  try {
    const st = fs.fstatSync(fd);
    // Code from a cache runs as this process: only a file of this user (or root) that no one else may write.
    const uid = process.getuid?.();
    if (!st.isFile() || (uid !== undefined && st.uid !== uid && st.uid !== 0) || (st.mode & 0o022) !== 0) return { damaged: true };
    // A view of the shared buffer: valid until the next read (the caller copies what it keeps longer).
    const buf = readWhole(fd, st.size);
    const nl1 = buf.indexOf(10);
    const nl2 = nl1 < 0 ? -1 : buf.indexOf(10, nl1 + 1);
    if (nl2 < 0 || buf.toString("latin1", 0, nl1) !== MAGIC) return { damaged: true };
    const meta = JSON.parse(buf.toString("utf8", nl1 + 1, nl2)) as Partial<CacheMeta>;
    const data = buf.subarray(nl2 + 1);
    // V8 does not checksum a code cache: damaged bytes would be run as bytecode.
    if (meta.key !== fingerprint.key || meta.dataBytes !== data.length || meta.dataSum !== checksum(data)) return { damaged: true };
    return { data, refreshes: Number.isSafeInteger(meta.refreshes) && meta.refreshes! >= 0 ? meta.refreshes : 0, damaged: false };
  } catch {
    return { damaged: true };
  } finally {
    fs.closeSync(fd);
  }
}

/** Writes the cache atomically into the first folder that takes it; never throws (the command has run). */
function writeCache(dirs: readonly string[], name: string, fingerprint: Fingerprint, data: Buffer, refreshes: number): string | undefined {
  const meta: CacheMeta = { key: fingerprint.key, dataBytes: data.length, dataSum: checksum(data), refreshes };
  const content = Buffer.concat([Buffer.from(`${MAGIC}\n${JSON.stringify(meta)}\n`, "utf8"), data]);
  for (const dir of dirs) {
    const file = path.join(dir, `${name}-${fingerprint.id}${CACHE_SUFFIX}`);
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
      fs.writeFileSync(tmp, content, { mode: 0o644, flag: "wx" });
      fs.renameSync(tmp, file);
    } catch {
      try {
        fs.unlinkSync(tmp);
      } catch {
        // nothing was written
      }
      continue;
    }
    // Caches of this command for an earlier build or another node are dead weight now.
    try {
      for (const f of fs.readdirSync(dir)) {
        if (f.startsWith(`${name}-`) && f.endsWith(CACHE_SUFFIX) && f !== path.basename(file) && /^[0-9a-f]{8,20}$/.test(f.slice(name.length + 1, -CACHE_SUFFIX.length))) fs.rmSync(path.join(dir, f), { force: true });
      }
    } catch {
      // pruning is housekeeping only
    }
    return file;
  }
  return undefined;
}

/** Whether this user may create files in dir (a refresh's serialisation is paid only where its write can land). */
function writable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a CommonJS script through vm.Script with its code cache (name: the cache's name, one per
 * subcommand, since a cache holds the functions its run compiled) and returns its exports.
 */
function loadScript(file: string, encoding: "latin1" | "utf8", wrappedAlready: boolean, name: string, mode: string | undefined, writeAfterLoad = false): { main(argv: string[]): Promise<void> } {
  const distDir = path.dirname(file);
  const fd = fs.openSync(file, "r");
  let source: string;
  let st: fs.Stats;
  try {
    st = fs.fstatSync(fd);
    // latin1 where deploy/build.mjs found the script pure ASCII: read exactly, and faster than utf8.
    source = readWhole(fd, st.size).toString(encoding);
  } finally {
    fs.closeSync(fd);
  }
  const wrapped = wrappedAlready ? source : `${CJS_WRAPPER[0]}${source}${CJS_WRAPPER[1]}`;
  let state: CacheState = "off";
  let script: vm.Script;
  let used: string | undefined;
  let cached: { data: Buffer; refreshes: number } | undefined;
  const dirs = cacheDirs(distDir);
  const fingerprint = mode === "off" ? { key: "", id: "" } : fingerprintOf(file, st);
  if (mode === "off") {
    script = new vm.Script(wrapped, { filename: file });
  } else {
    let data: Buffer | undefined;
    state = "miss";
    for (const dir of dirs) {
      const candidate = path.join(dir, `${name}-${fingerprint.id}${CACHE_SUFFIX}`);
      const r = readCache(candidate, fingerprint);
      if (r.damaged) state = "damaged";
      if (r.data) {
        data = r.data;
        cached = { data: r.data, refreshes: r.refreshes ?? 0 };
        used = candidate;
        break;
      }
    }
    script = data ? new vm.Script(wrapped, { filename: file, cachedData: data }) : new vm.Script(wrapped, { filename: file });
    if (data) state = script.cachedDataRejected ? "rejected" : "hit";
  }
  // A hit is rewritten only in the folder it was read from, and only when this user may write there: a
  // copy written elsewhere would never be read while that one is (dirs' order), so every run would pay
  // the serialisation again (a program folder of root's, run by another user).
  const refresh = state === "hit" && cached !== undefined && cached.refreshes < REFRESH_HITS && used !== undefined && writable(path.dirname(used));
  // The refresh writes the larger of the new cache and this one at exit: a copy, as the shared read buffer is reused.
  if (refresh) cached = { data: Buffer.from(cached!.data), refreshes: cached!.refreshes };
  const writeDirs = refresh ? [path.dirname(used!)] : dirs;
  const write = () => {
    let written: string | undefined;
    try {
      let data: Buffer = script.createCachedData();
      // Never smaller than what it replaces: V8 may have flushed the bytecode of functions a long run left idle.
      if (refresh && data.length < cached!.data.length) data = cached!.data;
      written = writeCache(writeDirs, name, fingerprint, data, refresh ? cached!.refreshes + 1 : 0);
    } catch {
      written = undefined;
    }
    if (mode === "debug") process.stderr.write(`trainsafe: code cache ${state} (${used ?? "none found"}); written: ${written ?? "nowhere writable"}\n`);
  };
  // Written after the command ran, so that the cache holds the functions it compiled on the way (for
  // the checks' script, the checks' own code: ~30 ms of `check` when compiled at every run). A module
  // also writes once it is loaded: in a worker, which may be terminated, the exit's write never comes.
  if ((state !== "off" && state !== "hit") || refresh) process.once("exit", write);
  if (mode === "debug" && state === "hit" && !refresh) process.stderr.write(`trainsafe: code cache hit (${used})\n`);
  const fn = script.runInThisContext() as (exports: object, req: NodeJS.Require, mod: { exports: object }, filename: string, dirname: string) => void;
  const mod = { exports: {} as { main(argv: string[]): Promise<void> } };
  fn.call(mod.exports, mod.exports, createRequire(file), mod, file, distDir);
  if (state !== "off" && state !== "hit" && writeAfterLoad) write();
  return mod.exports;
}

function cacheMode(): "off" | "debug" | undefined {
  const mode = process.env.TRAINSAFE_CODE_CACHE;
  return mode === "off" || mode === "debug" ? mode : undefined;
}

function launch(): Promise<unknown> {
  const args = process.argv.slice(2);
  const name = commandName(args);
  const local = name !== undefined && Object.hasOwn(TRAINSAFE_LOCAL_SCRIPTS, name) && TRAINSAFE_LOCAL_SCRIPTS[name]!.command !== false ? TRAINSAFE_LOCAL_SCRIPTS[name] : undefined;
  if (!local) return import(pathToFileURL(path.join(__dirname, "trainsafe.mjs")).href);
  const sub = commandName(args.slice(args.indexOf(name!) + 1));
  const cacheName = sub !== undefined && local.subcommands.includes(sub) ? `${name}-${sub}` : name!;
  return loadScript(path.join(__dirname, local.file), local.encoding, local.wrapped === true, cacheName, cacheMode()).main(process.argv);
}

/**
 * Loads a script as a module, with a cache of its own (`<name>-module`). The scripts' import.meta.url
 * names dist/<name>.module.cjs, which calls this: a script loaded in a worker (the checks' worker,
 * dist/checks-worker.cjs) gets its code cache too, instead of compiling it there.
 */
export function loadModule(name: string): unknown {
  const local = TRAINSAFE_LOCAL_SCRIPTS[name];
  if (!local) throw new Error(`no local command script ${name}`);
  return loadScript(path.join(__dirname, local.file), local.encoding, local.wrapped === true, `${name}-module`, cacheMode(), true);
}

if (require.main === module) {
  launch().catch((err: unknown) => {
    process.stderr.write(`trainsafe: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  });
}
