/**
 * TLS files (certificate, key, CA) re-read while the process runs, so certificates can be rotated
 * without a restart; the controller serves with them and the agent dials with them. On `reload()`
 * the files are read again and, when they changed and are sound (every PEM parses, the key matches
 * the certificate, the certificate is not expired), handed to grpc-js through certificate
 * providers: new connections get them, open ones keep theirs. Unsound files (half-copied, a key
 * from another pair) are refused with an error naming the file, and the previous ones stay in use:
 * a rotation mistake never cuts the link.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import type { experimental } from "@grpc/grpc-js";
import { configError, describeError } from "./errors.js";

type IdentityUpdate = { certificate: Buffer; privateKey: Buffer };
type CaUpdate = { caCertificate: Buffer };

/** Absolute paths; cert and key go together. */
export interface TlsPaths {
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly caFile?: string | undefined;
}

interface Loaded {
  readonly cert: Buffer | null;
  readonly key: Buffer | null;
  readonly ca: Buffer | null;
  /** For logs: subject, serial and expiry of this side's certificate (null without one). */
  readonly summary: { subject: string; serial: string; validTo: string } | null;
}

/** A file that cannot be used: which setting ("tls.key", "agent.tls.cert", ...), and why (`detail` names the file). */
export class TlsFileError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** Reads and checks the files; `prefix` names the settings ("tls", "agent.tls"). Throws TlsFileError. */
export function loadTlsFiles(paths: TlsPaths, prefix: string, nowMs = Date.now()): Loaded {
  const read = (name: string, file: string | undefined) => {
    if (file === undefined) return null;
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new TlsFileError(`${prefix}.${name}`, `cannot read ${file} (${describeError(err)})`);
    }
  };
  const certificate = (name: string, file: string, pem: Buffer) => {
    try {
      return new X509Certificate(pem);
    } catch (err) {
      throw new TlsFileError(`${prefix}.${name}`, `${file} is not a PEM certificate (${describeError(err)})`);
    }
  };
  const cert = read("cert", paths.certFile);
  const key = read("key", paths.keyFile);
  const ca = read("ca", paths.caFile);
  if (ca) certificate("ca", paths.caFile!, ca);
  if (!cert || !key) return { cert: null, key: null, ca, summary: null };
  const leaf = certificate("cert", paths.certFile!, cert);
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsFileError(`${prefix}.key`, `${paths.keyFile} is not a PEM private key (${describeError(err)})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new TlsFileError(`${prefix}.key`, `${paths.keyFile} does not match the certificate in ${paths.certFile}`);
  if (Date.parse(leaf.validTo) <= nowMs) throw new TlsFileError(`${prefix}.cert`, `${paths.certFile} expired on ${leaf.validTo}`);
  return { cert, key, ca, summary: { subject: leaf.subject.replace(/\n/g, ", "), serial: leaf.serialNumber, validTo: leaf.validTo } };
}

export type ReloadOutcome = "unchanged" | "reloaded";

export class TlsFiles {
  private current: Loaded;
  private readonly identityListeners = new Set<(u: IdentityUpdate) => void>();
  private readonly caListeners = new Set<(u: CaUpdate) => void>();

  /** Loads the files; a config error naming the setting (in `source`) when one cannot be used. */
  constructor(
    private readonly paths: TlsPaths,
    private readonly prefix: string,
    source: string,
  ) {
    try {
      this.current = loadTlsFiles(paths, prefix);
    } catch (err) {
      if (err instanceof TlsFileError) throw configError(source, err.detail, err.field);
      throw err;
    }
  }

  get summary(): Loaded["summary"] {
    return this.current.summary;
  }

  /**
   * Provider of this side's certificate and key (null without them). grpc-js's listeners are called
   * on the next microtask: it registers its watcher after subscribing, and a synchronous update
   * would be lost.
   */
  identityProvider(): experimental.CertificateProvider | null {
    if (!this.current.cert) return null;
    return {
      addIdentityCertificateListener: (l) => {
        this.identityListeners.add(l);
        queueMicrotask(() => l({ certificate: this.current.cert!, privateKey: this.current.key! }));
      },
      removeIdentityCertificateListener: (l) => void this.identityListeners.delete(l),
      addCaCertificateListener: () => {},
      removeCaCertificateListener: () => {},
    };
  }

  /** Provider of the CA certificate (null without one). */
  caProvider(): experimental.CertificateProvider | null {
    if (!this.current.ca) return null;
    return {
      addCaCertificateListener: (l) => {
        this.caListeners.add(l);
        queueMicrotask(() => l({ caCertificate: this.current.ca! }));
      },
      removeCaCertificateListener: (l) => void this.caListeners.delete(l),
      addIdentityCertificateListener: () => {},
      removeIdentityCertificateListener: () => {},
    };
  }

  /** Reads the files again; new, sound files go to the listeners. Throws TlsFileError when refused. */
  reload(): ReloadOutcome {
    const next = loadTlsFiles(this.paths, this.prefix);
    const prev = this.current;
    const same = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
    if (same(next.cert, prev.cert) && same(next.key, prev.key) && same(next.ca, prev.ca)) return "unchanged";
    this.current = next;
    if (next.cert && next.key) {
      const identity = { certificate: next.cert, privateKey: next.key };
      for (const l of this.identityListeners) l(identity);
    }
    if (next.ca) {
      const ca = { caCertificate: next.ca };
      for (const l of this.caListeners) l(ca);
    }
    return "reloaded";
  }
}
