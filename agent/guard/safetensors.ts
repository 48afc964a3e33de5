/**
 * Integrity of a .safetensors file without loading tensors: the 8-byte little-endian header length,
 * the JSON header, and each tensor's data_offsets against its dtype, its shape and the data section.
 * Only the header is read (the data section is measured by the file size), so a 16 GB shard costs
 * the same as a 1 KB one.
 */
import { bufferSource, withFileSource, type ByteSource } from "./bytes.js";

/** The safetensors reference implementation refuses headers over 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;
/** More problems than this are summarised: a header with 10 000 bad tensors is one finding, not a wall. */
const MAX_PROBLEMS = 12;

/** Bits per element of each dtype the format defines (F4/F6 are packed). */
const DTYPE_BITS: Readonly<Record<string, number>> = Object.freeze({
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8,
  I16: 16, U16: 16, F16: 16, BF16: 16,
  I32: 32, U32: 32, F32: 32,
  I64: 64, U64: 64, F64: 64, C64: 64,
  F4: 4, F6_E2M3: 6, F6_E3M2: 6,
});

export interface SafetensorsCheck {
  ok: boolean;
  problems: string[];
  /** Tensors described by the header (0 when the header could not be read). */
  tensorCount: number;
  /** Length of the JSON header, when the length prefix could be read. */
  headerBytes: number | null;
}

interface Span {
  name: string;
  begin: number;
  end: number;
}

const fail = (problem: string): SafetensorsCheck => ({ ok: false, problems: [problem], tensorCount: 0, headerBytes: null });

/** Checks a .safetensors file by reading its header only; never throws. */
export async function checkSafetensors(file: string, opts: { label?: string } = {}): Promise<SafetensorsCheck> {
  return withFileSource(file, opts.label ?? file, inspectSafetensors, fail);
}

/** Checks safetensors bytes held in memory (tests, fuzzing); never throws. */
export function checkSafetensorsBytes(buf: Uint8Array, label = "safetensors"): Promise<SafetensorsCheck> {
  return inspectSafetensors(bufferSource(buf), label);
}

/** Checks the safetensors file behind `src`, reading only the length prefix and the header. */
export async function inspectSafetensors(src: ByteSource, label: string): Promise<SafetensorsCheck> {
  const size = src.sizeBytes;
  if (size === 0) return fail(`${label}: empty file (0 bytes)`);
  if (size < 8) return fail(`${label}: ${size} bytes is too short for a safetensors header length (truncated?)`);
  const prefix = await src.read(0, 8);
  if (prefix.length < 8) return fail(`${label}: could not read the 8-byte header length`);
  const declared = new DataView(prefix.buffer, prefix.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER_BYTES)) {
    return fail(`${label}: header length ${declared} is not sane (over ${MAX_HEADER_BYTES} bytes); not a safetensors file or corrupt`);
  }
  const headerBytes = Number(declared);
  if (8 + headerBytes > size) {
    return {
      ...fail(`${label}: header length ${headerBytes} runs past the end of the ${size}-byte file (truncated?)`),
      headerBytes,
    };
  }
  const raw = await src.read(8, headerBytes);
  if (raw.length < headerBytes) return { ...fail(`${label}: could not read the ${headerBytes}-byte header`), headerBytes };
  const result = checkHeader(raw, size - 8 - headerBytes, label);
  return { ...result, headerBytes };
}

/** Validates the JSON header against a data section of `dataBytes` bytes. */
function checkHeader(raw: Uint8Array, dataBytes: number, label: string): Omit<SafetensorsCheck, "headerBytes"> {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
  } catch {
    return { ok: false, problems: [`${label}: header is not UTF-8 text (corrupt or not a safetensors file)`], tensorCount: 0 };
  }
  if (!text.startsWith("{")) {
    return { ok: false, problems: [`${label}: header does not start with "{" (corrupt or not a safetensors file)`], tensorCount: 0 };
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    return { ok: false, problems: [`${label}: header is not valid JSON (${(err as Error).message})`], tensorCount: 0 };
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) {
    return { ok: false, problems: [`${label}: header is not a JSON object`], tensorCount: 0 };
  }

  const problems: string[] = [];
  const spans: Span[] = [];
  let tensorCount = 0;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      const metaOk =
        entry !== null && typeof entry === "object" && !Array.isArray(entry) &&
        Object.values(entry as Record<string, unknown>).every((v) => typeof v === "string");
      if (!metaOk) problems.push(`${label}: __metadata__ must be an object of strings`);
      continue;
    }
    tensorCount++;
    const span = checkTensorEntry(name, entry, label, problems);
    if (span) spans.push(span);
  }
  checkLayout(spans, dataBytes, label, problems);
  return { ok: problems.length === 0, problems: capProblems(problems), tensorCount };
}

/** Checks one tensor's dtype, shape and offsets; returns its byte span when usable. */
function checkTensorEntry(name: string, entry: unknown, label: string, problems: string[]): Span | null {
  const where = `${label}: tensor "${name}"`;
  if (!entry || typeof entry !== "object" || Array.isArray(entry)) {
    problems.push(`${where}: entry is not an object`);
    return null;
  }
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  const bits = typeof dtype === "string" ? DTYPE_BITS[dtype] : undefined;
  if (bits === undefined) {
    // Never stringify arbitrary header values: a hostile header can nest deep enough to overflow the stack.
    const shown = typeof dtype === "string" ? JSON.stringify(dtype.slice(0, 40)) : Array.isArray(dtype) ? "(an array)" : `(${typeof dtype})`;
    problems.push(`${where}: unknown dtype ${shown}`);
  }
  let elements: number | null = 1;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
    problems.push(`${where}: shape must be an array of non-negative integers`);
    elements = null;
  } else {
    for (const d of shape as number[]) elements *= d;
    if (!Number.isSafeInteger(elements)) {
      problems.push(`${where}: shape [${(shape as number[]).join(", ")}] is too large`);
      elements = null;
    }
  }
  if (
    !Array.isArray(offsets) || offsets.length !== 2 ||
    !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0)
  ) {
    problems.push(`${where}: data_offsets must be [begin, end] non-negative integers`);
    return null;
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) {
    problems.push(`${where}: data_offsets [${begin}, ${end}] end before they begin`);
    return null;
  }
  if (bits !== undefined && elements !== null) {
    const totalBits = elements * bits;
    if (totalBits % 8 !== 0) problems.push(`${where}: ${elements} x ${dtype} does not fill whole bytes`);
    else if (totalBits / 8 !== end - begin) {
      problems.push(`${where}: ${dtype}[${(shape as number[]).join(", ")}] needs ${totalBits / 8} bytes but data_offsets span ${end - begin}`);
    }
  }
  return { name, begin, end };
}

/** Spans must lie inside the data section, not overlap, and (as the format requires) cover it without gaps. */
function checkLayout(spans: Span[], dataBytes: number, label: string, problems: string[]): void {
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let last: Span | null = null;
  const beyond = spans.filter((s) => s.end > dataBytes);
  if (beyond.length > 0) {
    const needed = Math.max(...beyond.map((s) => s.end));
    problems.push(
      `${label}: truncated: tensor data needs ${needed} bytes but only ${dataBytes} are present ` +
        `(${beyond.length} tensor(s) cut off, first "${beyond[0]!.name}")`,
    );
  }
  for (const s of spans) {
    if (s.begin === s.end) continue;
    if (s.begin < covered && last) {
      problems.push(`${label}: tensors "${last.name}" and "${s.name}" overlap at data bytes ${s.begin}..${Math.min(covered, s.end)}`);
    } else if (s.begin > covered) {
      problems.push(`${label}: data bytes ${covered}..${s.begin} belong to no tensor`);
    }
    if (s.end > covered) {
      covered = s.end;
      last = s;
    }
  }
  if (covered < dataBytes) {
    problems.push(`${label}: ${dataBytes - covered} bytes after the last tensor belong to no tensor`);
  }
}

function capProblems(problems: string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_PROBLEMS), `... and ${problems.length - MAX_PROBLEMS} more problems`];
}
