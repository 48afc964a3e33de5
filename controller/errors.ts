/**
 * The one error type that crosses the wire. Domain code throws RpcError with a code; the service
 * layer (controller/rpc/status.ts) maps it to a gRPC status. Anything else thrown becomes INTERNAL
 * and is logged with its stack.
 */
export type RpcCode =
  | "invalid_argument"
  | "not_found"
  | "failed_precondition"
  | "unauthenticated"
  | "permission_denied"
  | "resource_exhausted"
  | "deadline_exceeded"
  | "unavailable"
  | "internal";

export class RpcError extends Error {
  constructor(
    readonly code: RpcCode,
    message: string,
    /** Field of the message at fault, when there is one ("event.details_json"). */
    readonly field?: string,
  ) {
    super(field ? `${field}: ${message}` : message);
    this.name = "RpcError";
  }
}

/** A message field that fails validation. */
export const invalidArgument = (field: string, message: string) => new RpcError("invalid_argument", message, field);
