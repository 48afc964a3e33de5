/**
 * Integrity of a zip archive (torch.save's format for optimizer.pt, scheduler.pt, *.bin) from its
 * headers only: the End Of Central Directory record (searched in the last 64 KiB + 22 bytes, ZIP64
 * followed when present), every central-directory entry, and each entry's local header. A file cut
 * short while being written loses its EOCD, which is exactly what torch.load then fails on.
 */
import { bufferSource, withFileSource, type ByteSource } from "./bytes.js";

const SIG_LOCAL = 0x04034b50;
const SIG_CENTRAL = 0x02014b50;
const SIG_EOCD = 0x06054b50;
const SIG_ZIP64_LOCATOR = 0x07064b50;
const SIG_ZIP64_EOCD = 0x06064b50;
const EOCD_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
/** A central directory bigger than this is not a checkpoint file (torch writes ~100 bytes per tensor). */
const MAX_CD_BYTES = 64 * 1024 * 1024;
/** Local headers checked one read each; beyond this many entries only the central directory is checked. */
const MAX_LOCAL_HEADER_CHECKS = 4096;
const MAX_PROBLEMS = 12;

export interface ZipCheck {
  ok: boolean;
  problems: string[];
  /** Entries listed by the central directory (0 when it could not be read). */
  entryCount: number;
  /** Entry names, in central-directory order. */
  entryNames: string[];
  zip64: boolean;
  /** The pickle record (data.pkl) of a torch.save file, when asked for and stored uncompressed. */
  pickle?: Uint8Array | null;
}

/** data.pkl of a checkpoint is small (tensors live in other entries); a bigger one is not read. */
const MAX_PICKLE_BYTES = 8 * 1024 * 1024;

interface Eocd {
  position: number;
  entries: number;
  cdBytes: number;
  cdOffset: number;
  zip64: boolean;
}

interface Entry {
  name: string;
  compressedBytes: number;
  localOffset: number;
  /** Compression method: torch.save stores every record uncompressed (0). */
  method: number;
}

const fail = (problems: string[], zip64 = false): ZipCheck => ({
  ok: false,
  problems: cap(problems),
  entryCount: 0,
  entryNames: [],
  zip64,
});

/** Checks a zip archive on disk by reading its headers only; never throws. */
export async function checkZip(file: string, opts: { label?: string; readPickle?: boolean } = {}): Promise<ZipCheck> {
  return withFileSource(file, opts.label ?? file, (src, label) => inspectZip(src, label, opts.readPickle ?? false), (p) => fail([p]));
}

/** Checks zip bytes held in memory (tests, fuzzing); never throws. */
export function checkZipBytes(buf: Uint8Array, label = "zip"): Promise<ZipCheck> {
  return inspectZip(bufferSource(buf), label);
}

/** Checks the zip archive behind `src`. */
export async function inspectZip(src: ByteSource, label: string, readPickle = false): Promise<ZipCheck> {
  const size = src.sizeBytes;
  if (size === 0) return fail([`${label}: empty file (0 bytes)`]);
  const problems: string[] = [];
  const eocd = await findEocd(src, label, problems);
  if (!eocd) {
    if (problems.length === 0) {
      const head = await src.read(0, 4);
      const legacy = head[0] === 0x80 ? " (looks like a pickle: legacy torch.save format, which cannot be verified)" : "";
      const local = head.length === 4 && u32(head, 0) === SIG_LOCAL ? " (zip data is there but its end is missing: truncated?)" : "";
      problems.push(`${label}: not a complete zip archive: no end-of-central-directory record${local || legacy}`);
    }
    return fail(problems);
  }
  const cdEnd = eocd.cdOffset + eocd.cdBytes;
  if (cdEnd > eocd.position) {
    problems.push(
      `${label}: central directory (offset ${eocd.cdOffset}, ${eocd.cdBytes} bytes) runs past its end record at ${eocd.position}`,
    );
    return fail(problems, eocd.zip64);
  }
  if (eocd.cdBytes > MAX_CD_BYTES) {
    problems.push(`${label}: central directory of ${eocd.cdBytes} bytes is implausibly large`);
    return fail(problems, eocd.zip64);
  }
  const cd = await src.read(eocd.cdOffset, eocd.cdBytes);
  const entries = parseCentralDirectory(cd, eocd, label, problems);
  await checkLocalHeaders(src, entries, eocd.cdOffset, label, problems);
  const out: ZipCheck = {
    ok: problems.length === 0,
    problems: cap(problems),
    entryCount: entries.length,
    entryNames: entries.map((e) => e.name),
    zip64: eocd.zip64,
  };
  if (readPickle && out.ok) {
    const rec = entries.find((e) => e.name === "data.pkl" || e.name.endsWith("/data.pkl"));
    out.pickle = rec ? await readStoredEntry(src, rec) : null;
  }
  return out;
}

/** Bytes of one uncompressed entry (headers already checked), or null when compressed or too big. */
async function readStoredEntry(src: ByteSource, e: Entry): Promise<Uint8Array | null> {
  if (e.method !== 0 || e.compressedBytes > MAX_PICKLE_BYTES) return null;
  const h = await src.read(e.localOffset, 30);
  if (h.length < 30) return null;
  const data = await src.read(e.localOffset + 30 + u16(h, 26) + u16(h, 28), e.compressedBytes);
  return data.length === e.compressedBytes ? data : null;
}

/** Finds and decodes the EOCD record (and the ZIP64 one when the archive needs it). */
async function findEocd(src: ByteSource, label: string, problems: string[]): Promise<Eocd | null> {
  const size = src.sizeBytes;
  if (size < EOCD_BYTES) return null;
  const tailStart = Math.max(0, size - EOCD_BYTES - MAX_COMMENT_BYTES);
  const tail = await src.read(tailStart, size - tailStart);
  let at = -1;
  // The last signature whose record (with its comment) fits the file; comments may hold anything.
  for (let i = tail.length - EOCD_BYTES; i >= 0; i--) {
    if (u32(tail, i) === SIG_EOCD && i + EOCD_BYTES + u16(tail, i + 20) <= tail.length) {
      at = i;
      break;
    }
  }
  if (at < 0) return null;
  const position = tailStart + at;
  const disk = u16(tail, at + 4);
  const cdDisk = u16(tail, at + 6);
  let diskEntries = u16(tail, at + 8);
  let entries = u16(tail, at + 10);
  let cdBytes = u32(tail, at + 12);
  let cdOffset = u32(tail, at + 16);
  const needs64 = entries === 0xffff || diskEntries === 0xffff || cdBytes === 0xffffffff || cdOffset === 0xffffffff;

  let zip64 = false;
  let recordStart = position;
  const locatorAt = position - 20;
  const locator = locatorAt >= 0 ? await src.read(locatorAt, 20) : new Uint8Array(0);
  if (locator.length === 20 && u32(locator, 0) === SIG_ZIP64_LOCATOR) {
    const recordAt = u64(locator, 8);
    const record = recordAt !== null && recordAt + 56 <= locatorAt ? await src.read(recordAt, 56) : new Uint8Array(0);
    if (record.length < 56 || u32(record, 0) !== SIG_ZIP64_EOCD) {
      problems.push(`${label}: ZIP64 locator points at offset ${recordAt ?? "(too large)"} but no ZIP64 end record is there`);
      return null;
    }
    const e64 = u64(record, 32);
    const de64 = u64(record, 24);
    const cd64 = u64(record, 40);
    const off64 = u64(record, 48);
    if (e64 === null || de64 === null || cd64 === null || off64 === null) {
      problems.push(`${label}: ZIP64 end record holds values too large to be real`);
      return null;
    }
    zip64 = true;
    recordStart = recordAt!;
    diskEntries = de64;
    entries = e64;
    cdBytes = cd64;
    cdOffset = off64;
  } else if (needs64) {
    problems.push(`${label}: end record needs ZIP64 values but the ZIP64 locator is missing (truncated or corrupt)`);
    return null;
  }
  if ((disk !== 0 && disk !== 0xffff) || (cdDisk !== 0 && cdDisk !== 0xffff)) {
    problems.push(`${label}: multi-disk (spanned) zip archives are not supported`);
    return null;
  }
  if (diskEntries !== entries) {
    problems.push(`${label}: end record disagrees with itself (${diskEntries} vs ${entries} entries)`);
  }
  return { position: recordStart, entries, cdBytes, cdOffset, zip64 };
}

/** Parses central-directory entries; a short or garbled directory becomes problems. */
function parseCentralDirectory(cd: Uint8Array, eocd: Eocd, label: string, problems: string[]): Entry[] {
  const entries: Entry[] = [];
  let p = 0;
  for (let i = 0; i < eocd.entries; i++) {
    if (p + 46 > cd.length) {
      problems.push(`${label}: central directory ends after ${i} of ${eocd.entries} entries`);
      break;
    }
    if (u32(cd, p) !== SIG_CENTRAL) {
      problems.push(`${label}: central directory entry ${i} has a bad signature at offset ${eocd.cdOffset + p}`);
      break;
    }
    const nameLen = u16(cd, p + 28);
    const extraLen = u16(cd, p + 30);
    const commentLen = u16(cd, p + 32);
    const next = p + 46 + nameLen + extraLen + commentLen;
    if (next > cd.length) {
      problems.push(`${label}: central directory entry ${i} runs past the directory's end`);
      break;
    }
    const name = Buffer.from(cd.subarray(p + 46, p + 46 + nameLen)).toString("utf8");
    let compressedBytes = u32(cd, p + 20);
    const uncompressed32 = u32(cd, p + 24);
    let localOffset = u32(cd, p + 42);
    const wide = readZip64Extra(cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen), {
      uncompressed: uncompressed32 === 0xffffffff,
      compressed: compressedBytes === 0xffffffff,
      offset: localOffset === 0xffffffff,
    });
    if (wide === null) {
      problems.push(`${label}: entry "${name}" needs a ZIP64 extra field that is missing or garbled`);
      p = next;
      continue;
    }
    compressedBytes = wide.compressed ?? compressedBytes;
    localOffset = wide.offset ?? localOffset;
    if (localOffset + compressedBytes > eocd.cdOffset) {
      problems.push(`${label}: entry "${name}" (offset ${localOffset}, ${compressedBytes} bytes) runs into the central directory`);
    }
    entries.push({ name, compressedBytes, localOffset, method: u16(cd, p + 10) });
    p = next;
  }
  return entries;
}

/** Reads the ZIP64 extended-information extra field: values appear only for fields that overflowed. */
function readZip64Extra(
  extra: Uint8Array,
  need: { uncompressed: boolean; compressed: boolean; offset: boolean },
): { compressed?: number; offset?: number } | null {
  if (!need.uncompressed && !need.compressed && !need.offset) return {};
  let p = 0;
  while (p + 4 <= extra.length) {
    const id = u16(extra, p);
    const len = u16(extra, p + 2);
    if (p + 4 + len > extra.length) return null;
    if (id === 0x0001) {
      const out: { compressed?: number; offset?: number } = {};
      let q = p + 4;
      const take = (): number | null => {
        if (q + 8 > p + 4 + len) return null;
        const v = u64(extra, q);
        q += 8;
        return v;
      };
      if (need.uncompressed && take() === null) return null;
      if (need.compressed) {
        const v = take();
        if (v === null) return null;
        out.compressed = v;
      }
      if (need.offset) {
        const v = take();
        if (v === null) return null;
        out.offset = v;
      }
      return out;
    }
    p += 4 + len;
  }
  return null;
}

/** Each entry's local header must be where the directory says, and its data must end before the directory. */
async function checkLocalHeaders(src: ByteSource, entries: Entry[], cdOffset: number, label: string, problems: string[]): Promise<void> {
  for (const e of entries.slice(0, MAX_LOCAL_HEADER_CHECKS)) {
    if (e.localOffset + 30 > cdOffset) continue; // already reported as running into the directory
    const h = await src.read(e.localOffset, 30);
    if (h.length < 30 || u32(h, 0) !== SIG_LOCAL) {
      problems.push(`${label}: entry "${e.name}": no local header at offset ${e.localOffset} (corrupt or zeroed)`);
      continue;
    }
    const dataEnd = e.localOffset + 30 + u16(h, 26) + u16(h, 28) + e.compressedBytes;
    if (dataEnd > cdOffset) {
      problems.push(`${label}: entry "${e.name}": data ends at ${dataEnd}, past the start of the central directory (${cdOffset})`);
    }
  }
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8)) >>> 0;
}

function u32(b: Uint8Array, at: number): number {
  if (at < 0 || at + 4 > b.length) return -1;
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

/** Little-endian u64 as a number, or null when it exceeds 2^53 (no real file is that big). */
function u64(b: Uint8Array, at: number): number | null {
  const lo = u32(b, at);
  const hi = u32(b, at + 4);
  if (lo < 0 || hi < 0 || hi > 0x1fffff) return null;
  return hi * 0x1_0000_0000 + lo;
}

function cap(problems: string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more problems`];
}
