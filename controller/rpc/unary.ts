/** Unary handlers as plain (async) functions: errors become gRPC statuses in one place. */
import type { handleUnaryCall, ServerUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "../log.js";
import { decoded, toServiceError, type Undecodable } from "./status.js";

/**
 * Wraps `fn` as a grpc-js unary handler (undecodable requests answer INVALID_ARGUMENT). `before`
 * runs ahead of decoding (authentication: a caller without credentials learns nothing about the
 * request it sent).
 */
export function unary<Req, Res>(
  log: Logger,
  method: string,
  fn: (req: Req, call: ServerUnaryCall<Req, Res>) => Res | Promise<Res>,
  before?: (call: ServerUnaryCall<Req, Res>) => void,
): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => {
        before?.(call);
        return fn(decoded(call.request as Req | Undecodable, method), call);
      })
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err, log, method)),
      );
  };
}
