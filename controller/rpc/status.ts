/**
 * Errors across the wire: RpcError codes map to gRPC status codes; anything else is INTERNAL and
 * logged with its stack (the caller sees only "internal error"). Also makes undecodable bytes an
 * INVALID_ARGUMENT instead of grpc-js's INTERNAL, by decoding inside the handler's reach.
 */
import { status, type ServerErrorResponse, type ServiceDefinition } from "@grpc/grpc-js";
import { RpcError, type RpcCode } from "../errors.js";
import type { Logger } from "../log.js";

const CODE: Readonly<Record<RpcCode, status>> = {
  invalid_argument: status.INVALID_ARGUMENT,
  not_found: status.NOT_FOUND,
  failed_precondition: status.FAILED_PRECONDITION,
  unauthenticated: status.UNAUTHENTICATED,
  permission_denied: status.PERMISSION_DENIED,
  resource_exhausted: status.RESOURCE_EXHAUSTED,
  deadline_exceeded: status.DEADLINE_EXCEEDED,
  unavailable: status.UNAVAILABLE,
  internal: status.INTERNAL,
};

const STORAGE_LOG_INTERVAL_MS = 10_000;
const lastStorageLog = new Map<string, number>();

/** SQLite's code when `err` says the database cannot be written or read right now, else null. */
function storageCode(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  return /^SQLITE_(FULL|IOERR|BUSY|LOCKED|READONLY|CANTOPEN)/.test(code) ? code : null;
}

/** The gRPC error for anything thrown by a handler; unexpected errors are logged with the stack. */
export function toServiceError(err: unknown, log: Logger, method: string): ServerErrorResponse {
  if (err instanceof RpcError) {
    const e = new Error(err.message) as ServerErrorResponse;
    e.code = CODE[err.code];
    e.details = err.message;
    return e;
  }
  const sqlite = storageCode(err);
  if (sqlite) {
    // The store cannot write now (full disk, I/O error, locked): the caller should retry later, and
    // a reconnecting fleet must not flood the log with one stack trace per attempt.
    const now = Date.now();
    if (now - (lastStorageLog.get(sqlite) ?? -Infinity) >= STORAGE_LOG_INTERVAL_MS) {
      lastStorageLog.set(sqlite, now);
      log.error(`${method}: storage unavailable (${sqlite}); answering UNAVAILABLE, logged at most every ${STORAGE_LOG_INTERVAL_MS / 1000}s`, err);
    }
    const e = new Error(`storage unavailable: ${sqlite}`) as ServerErrorResponse;
    e.code = status.UNAVAILABLE;
    e.details = `controller storage unavailable (${sqlite}); retry later`;
    return e;
  }
  log.error(`${method}: unexpected error`, err);
  const e = new Error("internal error") as ServerErrorResponse;
  e.code = status.INTERNAL;
  e.details = "internal error (logged by the controller)";
  return e;
}

/** Stands in for a message whose bytes could not be decoded. */
export class Undecodable {
  constructor(readonly reason: string) {}
}

/** Throws INVALID_ARGUMENT when `msg` could not be decoded; narrows it otherwise. */
export function decoded<T>(msg: T | Undecodable, what: string): T {
  if (msg instanceof Undecodable) throw new RpcError("invalid_argument", `${what}: cannot decode the message (${msg.reason})`);
  return msg;
}

/**
 * A copy of a generated service definition whose request decoders return Undecodable instead of
 * throwing, so the handler can answer INVALID_ARGUMENT (grpc-js would answer INTERNAL).
 */
export function tolerantDecoding<D extends ServiceDefinition>(def: D): D {
  const out: Record<string, unknown> = {};
  for (const [name, m] of Object.entries(def)) {
    out[name] = {
      ...m,
      requestDeserialize: (buf: Buffer) => {
        try {
          return m.requestDeserialize(buf);
        } catch (err) {
          return new Undecodable(err instanceof Error ? err.message : String(err));
        }
      },
    };
  }
  return out as D;
}
