/**
 * zod pieces shared by every settings file (agent settings, controller config), and the lazy schemas
 * of the local commands: a hand-written check of the common case, with zod loaded and the full schema
 * built only when the check meets something unusual (then zod decides and words the error). The
 * shipped local commands load zod on first use (deploy/build.mjs), so a run whose input is all of the
 * expected types never evaluates it (docs/benchmarks.md, start-up of the local commands).
 */
import { z } from "zod";
import { configError, type TrainsafeError } from "./errors.js";
import { issuePath } from "./files.js";
import { parseDurationMs, parseSizeBytes } from "./units.js";

const unitSchemaOf = (parse: (v: string | number) => number) =>
  z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
    try {
      return parse(v);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
  });
let durationBuilt: ReturnType<typeof unitSchemaOf> | undefined;
let sizeBuilt: ReturnType<typeof unitSchemaOf> | undefined;

/** Schema of "15m", "500ms" or a number of seconds, to milliseconds (built on first use). */
export function durationMs(): ReturnType<typeof unitSchemaOf> {
  return (durationBuilt ??= unitSchemaOf(parseDurationMs));
}

/** Schema of "50GB", "4MiB" or a number of bytes, to bytes (built on first use). */
export function sizeBytes(): ReturnType<typeof unitSchemaOf> {
  return (sizeBuilt ??= unitSchemaOf(parseSizeBytes));
}

/** The first problem of a failed parse as a config error naming the file and the field (an unknown key included). */
export function settingsError(source: string, error: z.ZodError): TrainsafeError {
  const issue = error.issues[0]!;
  const keys = issue.code === "unrecognized_keys" ? issue.keys : [];
  return configError(source, issue.message, issuePath([...issue.path, ...keys.slice(0, 1)]));
}

/** Freezes an object and everything in it: resolved settings are passed down read-only. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object") {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

// ---------- lazy schemas: the common case by hand, zod for the rest ----------

/** What a hand-written check returns for input it cannot vouch for: the full schema decides. */
export const UNUSUAL: unique symbol = Symbol("unusual");
export type Unusual = typeof UNUSUAL;

/** The part of a zod schema that readJsonFile and the settings use; a lazy schema has it too. */
export interface Validator<T> {
  safeParse(raw: unknown): { success: true; data: T } | { success: false; error: z.ZodError };
}

/** A lazy schema: its check of the common case, its zod schema (built on first use), and both in turn. */
export interface LazySchema<T> extends Validator<T> {
  /** The check, then zod only for what the check does not vouch for (`data` read on failure is undefined, as zod's). */
  safeParse(raw: unknown): { success: true; data: T; error?: never } | { success: false; data?: never; error: z.ZodError };
  /** The hand-written check alone: what the schema would give, or UNUSUAL. */
  fast(raw: unknown): T | Unusual;
  /** The zod schema, built on first call. */
  schema(): z.ZodType<T>;
}

/**
 * A schema whose common case is checked by `fast` (returning exactly what the zod schema would, or
 * UNUSUAL), and whose zod schema is built by `build` only for input `fast` does not vouch for.
 */
export function lazySchema<T>(fast: (raw: unknown) => T | Unusual, build: () => z.ZodType<T>): LazySchema<T> {
  let built: z.ZodType<T> | undefined;
  const schema = () => (built ??= build());
  return {
    schema,
    fast,
    safeParse(raw) {
      const v = fast(raw);
      if (v !== UNUSUAL) return { success: true, data: v };
      const r = schema().safeParse(raw);
      return r.success ? { success: true, data: r.data } : { success: false, error: r.error };
    },
  };
}

/** A plain JSON object: not null, not an array, own keys only (zod's record and object copy it). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  // "__proto__" as an own key (JSON.parse makes one) is copied differently by zod: left to it.
  return proto === Object.prototype && !Object.hasOwn(v, "__proto__");
}

/** `z.record(z.string(), z.unknown())`, lazily: any plain object, copied (as zod copies it). */
export const jsonObject: LazySchema<Record<string, unknown>> = lazySchema(
  (raw) => recordCopy(raw),
  () => z.record(z.string(), z.unknown()),
);

function recordCopy(v: unknown): Record<string, unknown> | Unusual {
  return isPlainObject(v) && Object.values(v).every((x) => x !== undefined) ? { ...v } : UNUSUAL;
}

/** A field check of the common case: the parsed value, or UNUSUAL. */
export type FieldCheck = (v: unknown) => unknown;

/** Field checks of the common case, each accepting only what the zod schema named beside it accepts. */
export const fast = {
  string: (v: unknown) => (typeof v === "string" ? v : UNUSUAL),
  nonEmptyString: (v: unknown) => (typeof v === "string" && v.length > 0 ? v : UNUSUAL),
  boolean: (v: unknown) => (typeof v === "boolean" ? v : UNUSUAL),
  /** z.number() (finite) */
  number: (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : UNUSUAL),
  /** z.number().positive() */
  positive: (v: unknown) => (typeof v === "number" && Number.isFinite(v) && v > 0 ? v : UNUSUAL),
  /** z.number().int().positive() */
  positiveInt: (v: unknown) => (Number.isSafeInteger(v) && (v as number) > 0 ? v : UNUSUAL),
  /** z.number().int().nonnegative() */
  nonNegativeInt: (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? v : UNUSUAL),
  /** z.array(z.string()), copied */
  strings: (v: unknown) => (Array.isArray(v) && v.every((s) => typeof s === "string") ? [...(v as string[])] : UNUSUAL),
  /** z.array(z.string()).min(1), copied */
  nonEmptyStrings: (v: unknown) => (Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === "string") ? [...(v as string[])] : UNUSUAL),
  /** z.enum(values) */
  oneOf:
    (values: readonly string[]) =>
    (v: unknown): unknown =>
      typeof v === "string" && values.includes(v) ? v : UNUSUAL,
  /** durationMs(): a non-negative number of seconds or a duration text, to milliseconds */
  duration: (v: unknown) => unitValue(v, parseDurationMs),
  /** sizeBytes(): a non-negative number of bytes or a size text, to bytes */
  size: (v: unknown) => unitValue(v, parseSizeBytes),
  /** `.nullable()` of a check */
  nullable:
    (check: FieldCheck): FieldCheck =>
    (v) =>
      v === null ? null : check(v),
  /** z.record(z.string(), z.unknown()), copied */
  record: recordCopy,
  /** z.record(z.string(), z.string()), copied */
  stringRecord: (v: unknown) => (isPlainObject(v) && Object.values(v).every((x) => typeof x === "string") ? { ...v } : UNUSUAL),
  /** z.unknown() */
  unknown: (v: unknown) => v,
  /** z.string().uuid(), for the lower-case version-4 form that crypto.randomUUID writes (other forms: zod decides) */
  uuidV4: (v: unknown) => (typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(v) ? v : UNUSUAL),
} satisfies Record<string, unknown>;

function unitValue(v: unknown, parse: (v: string | number) => number): unknown {
  if (typeof v !== "string" && !(typeof v === "number" && Number.isFinite(v) && v >= 0)) return UNUSUAL;
  try {
    return parse(v);
  } catch {
    return UNUSUAL;
  }
}

/**
 * `z.looseObject(shape)` in the common case: every field of `checks` present in `raw` passes its check
 * (`required` ones must be present); the copy has the shape's fields first, in the shape's order, then
 * the others as they came, as zod's output has. Any other input is UNUSUAL.
 */
export function looseObject(raw: unknown, checks: Readonly<Record<string, FieldCheck>>, required: readonly string[] = []): Record<string, unknown> | Unusual {
  const out = strippedObject(raw, checks, required);
  if (out === UNUSUAL) return UNUSUAL;
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (Object.hasOwn(checks, key)) continue;
    if (obj[key] === undefined) return UNUSUAL;
    out[key] = obj[key];
  }
  return out;
}

/**
 * `z.object(shape)` in the common case: every field of `checks` present in `raw` passes its check
 * (`required` ones must be present); the copy has only the shape's fields, in the shape's order (zod
 * drops the others). Any other input is UNUSUAL.
 */
export function strippedObject(raw: unknown, checks: Readonly<Record<string, FieldCheck>>, required: readonly string[] = []): Record<string, unknown> | Unusual {
  if (!isPlainObject(raw)) return UNUSUAL;
  const out: Record<string, unknown> = {};
  for (const key in checks) {
    if (!Object.hasOwn(raw, key)) {
      if (required.includes(key)) return UNUSUAL;
      continue;
    }
    const v = raw[key];
    if (v === undefined) return UNUSUAL;
    const parsed = checks[key]!(v);
    if (parsed === UNUSUAL) return UNUSUAL;
    out[key] = parsed;
  }
  return out;
}

/** A lazy `z.looseObject(...)` (what `build` gives) whose common case `looseObject(raw, checks, required)` checks. */
export function lazyLooseObject<T>(checks: Readonly<Record<string, FieldCheck>>, required: readonly string[], build: () => z.ZodType<T>): LazySchema<T> {
  return lazySchema((raw) => looseObject(raw, checks, required) as T | Unusual, build);
}
