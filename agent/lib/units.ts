/** Parsing of human durations and sizes ("5m", "500ms", "50GB") into milliseconds and bytes. */

const DURATION_MS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** "1h30m", "250ms", "10s", "5m" or a bare number of seconds, to milliseconds. Throws on junk. */
export function parseDurationMs(text: string | number): number {
  const ms = parseDurationText(text);
  // "9999...9s" overflows to Infinity, which timers and comparisons would misread.
  if (!Number.isFinite(ms)) throw new Error(`invalid duration ${typeof text === "number" ? text : `"${text.slice(0, 40)}"`} (too large)`);
  return ms;
}

function parseDurationText(text: string | number): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0) throw new Error(`invalid duration ${text}`);
    return text * 1000;
  }
  const s = text.trim().toLowerCase();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const re = /(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(s); m; m = re.exec(s)) {
    total += Number(m[1]) * DURATION_MS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== s.length) {
    throw new Error(`invalid duration "${text}" (use e.g. 500ms, 30s, 15m, 1h30m)`);
  }
  return total;
}

const SIZE_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** "50GB", "4GiB", "512MB" or a bare number of bytes, to bytes. Throws on junk. */
export function parseSizeBytes(text: string | number): number {
  if (typeof text === "number") {
    if (!Number.isFinite(text) || text < 0) throw new Error(`invalid size ${text}`);
    return text;
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!m) throw new Error(`invalid size "${text}" (use e.g. 50GB, 4GiB, 512MB)`);
  const bytes = Math.round(Number(m[1]) * SIZE_BYTES[(m[2] ?? "b").toLowerCase()]!);
  if (!Number.isFinite(bytes)) throw new Error(`invalid size "${text.slice(0, 40)}" (too large)`);
  return bytes;
}

/** Longest delay Node's timers honour (2^31-1 ms, about 24.8 days); a longer one fires after 1 ms. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A configured duration as a setTimeout/setInterval delay: "30d" then waits 24.8 days, not 1 ms. */
export function timerDelayMs(ms: number): number {
  return Math.min(Math.max(0, ms), MAX_TIMER_MS);
}

/** Milliseconds as a short human string: 950ms, 12.5s, 15m, 2h05m. */
export function formatDurationMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${+(ms / 1000).toFixed(1)}s`;
  if (ms < 3_600_000) return `${+(ms / 60_000).toFixed(1)}m`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.round((ms % 3_600_000) / 60_000);
  return `${h}h${String(m).padStart(2, "0")}m`;
}

/** Bytes as a short human string in decimal units: 51.2 GB. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}
