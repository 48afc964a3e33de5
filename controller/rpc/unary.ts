/** Unary handlers as plain (async) functions: errors become gRPC statuses in one place. */
import type { handleUnaryCall } from "@grpc/grpc-js";
import type { Logger } from "../log.js";
import { decoded, toServiceError, type Undecodable } from "./status.js";

/** Wraps `fn` as a grpc-js unary handler (undecodable requests answer INVALID_ARGUMENT). */
export function unary<Req, Res>(log: Logger, method: string, fn: (req: Req) => Res | Promise<Res>): handleUnaryCall<Req, Res> {
  return (call, callback) => {
    Promise.resolve()
      .then(() => fn(decoded(call.request as Req | Undecodable, method)))
      .then(
        (res) => callback(null, res),
        (err: unknown) => callback(toServiceError(err, log, method)),
      );
  };
}
