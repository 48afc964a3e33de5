/** Typed errors: the CLI maps `kind` to an exit code in one place (cli/main.ts). */
export type ErrorKind = "usage" | "config" | "input" | "unreachable" | "internal";

export const EXIT_CODE: Readonly<Record<ErrorKind, number>> = Object.freeze({
  usage: 2,
  config: 2,
  input: 2,
  unreachable: 3,
  internal: 70,
});

export class TrainsafeError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    /** File the problem is in, when there is one. */
    readonly file?: string,
    /** Field (dotted path) inside that file, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = "TrainsafeError";
  }
}

/** Bad usage of a command (exit 2). */
export const usageError = (message: string) => new TrainsafeError("usage", message);

/** A file that cannot be used as it is: the message names the file and, if known, the field. */
export function inputError(file: string, message: string, field?: string): TrainsafeError {
  const where = field ? `${file}: ${field}` : file;
  return new TrainsafeError("input", `${where}: ${message}`, file, field);
}

/** Bad trainsafe settings (exit 2). */
export function configError(file: string, message: string, field?: string): TrainsafeError {
  const where = field ? `${file}: ${field}` : file;
  return new TrainsafeError("config", `${where}: ${message}`, file, field);
}

/** Short description of any thrown value, for findings and logs. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}
