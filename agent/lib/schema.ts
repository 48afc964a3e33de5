/** zod pieces shared by every settings file (agent settings, controller config). */
import { z } from "zod";
import { configError, type TrainsafeError } from "./errors.js";
import { issuePath } from "./files.js";
import { parseDurationMs, parseSizeBytes } from "./units.js";

/** "15m", "500ms" or a number of seconds, to milliseconds. */
export const durationMs = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  try {
    return parseDurationMs(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

/** "50GB", "4MiB" or a number of bytes, to bytes. */
export const sizeBytes = z.union([z.string(), z.number().nonnegative()]).transform((v, ctx) => {
  try {
    return parseSizeBytes(v);
  } catch (err) {
    ctx.addIssue({ code: "custom", message: (err as Error).message });
    return z.NEVER;
  }
});

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
