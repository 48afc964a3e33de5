/**
 * The controller's TLS files (certificate, key, client CA), re-read while it runs so certificates
 * can be rotated without a restart: on `reload()` (SIGHUP, and every `tls.reloadInterval`) the files
 * are read again and, when they changed and are sound (the key matches the certificate, the
 * certificate is not expired, every PEM parses), handed to grpc-js through certificate providers:
 * new connections get them, open ones keep theirs. Files that are unsound (half-copied, a key from
 * another pair) are refused with an error naming the file, and the previous ones stay in use: a
 * rotation mistake never takes the controller off the network.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import { experimental, type ServerCredentials } from "@grpc/grpc-js";
import { configError, describeError } from "../../agent/lib/errors.js";
import type { TlsConfig } from "../config.js";

type IdentityUpdate = { certificate: Buffer; privateKey: Buffer };
type CaUpdate = { caCertificate: Buffer };

interface Loaded {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | null;
  /** For logs: subject, serial and expiry of the served certificate. */
  readonly summary: { subject: string; serial: string; validTo: string };
}

/** A file that cannot be used: which setting, and why (`detail` names the file). */
export class TlsFileError extends Error {
  constructor(
    readonly field: "tls.cert" | "tls.key" | "tls.ca",
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

/** Reads and checks the three files; throws TlsFileError. */
export function loadTlsFiles(cfg: TlsConfig, nowMs = Date.now()): Loaded {
  const read = (field: TlsFileError["field"], file: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new TlsFileError(field, `cannot read ${file} (${describeError(err)})`);
    }
  };
  const cert = read("tls.cert", cfg.certFile);
  const key = read("tls.key", cfg.keyFile);
  const ca = cfg.caFile === undefined ? null : read("tls.ca", cfg.caFile);
  let leaf: X509Certificate;
  try {
    leaf = new X509Certificate(cert);
  } catch (err) {
    throw new TlsFileError("tls.cert", `${cfg.certFile} is not a PEM certificate (${describeError(err)})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (err) {
    throw new TlsFileError("tls.key", `${cfg.keyFile} is not a PEM private key (${describeError(err)})`);
  }
  if (!leaf.checkPrivateKey(privateKey)) throw new TlsFileError("tls.key", `${cfg.keyFile} does not match the certificate in ${cfg.certFile}`);
  if (Date.parse(leaf.validTo) <= nowMs) throw new TlsFileError("tls.cert", `${cfg.certFile} expired on ${leaf.validTo}`);
  if (ca) {
    try {
      new X509Certificate(ca);
    } catch (err) {
      throw new TlsFileError("tls.ca", `${cfg.caFile!} is not a PEM certificate (${describeError(err)})`);
    }
  }
  return { cert, key, ca, summary: { subject: leaf.subject.replace(/\n/g, ", "), serial: leaf.serialNumber, validTo: leaf.validTo } };
}

export type ReloadOutcome = "unchanged" | "reloaded" | "refused";

export class TlsFiles {
  private current: Loaded;
  private readonly identityListeners = new Set<(u: IdentityUpdate) => void>();
  private readonly caListeners = new Set<(u: CaUpdate) => void>();

  /** Loads the files; a config error naming the setting (from `source`) when one cannot be used. */
  constructor(
    private readonly cfg: TlsConfig,
    source: string,
  ) {
    try {
      this.current = loadTlsFiles(cfg);
    } catch (err) {
      if (err instanceof TlsFileError) throw configError(source, err.detail, err.field);
      throw err;
    }
  }

  get summary(): Loaded["summary"] {
    return this.current.summary;
  }

  /**
   * Server credentials fed by these files. grpc-js reads certificates only through providers when
   * they may change; its listeners are called on the next microtask, because grpc-js registers its
   * watcher after subscribing and a synchronous update would be lost.
   */
  credentials(): ServerCredentials {
    const identity: experimental.CertificateProvider = {
      addIdentityCertificateListener: (l) => {
        this.identityListeners.add(l);
        queueMicrotask(() => l({ certificate: this.current.cert, privateKey: this.current.key }));
      },
      removeIdentityCertificateListener: (l) => void this.identityListeners.delete(l),
      addCaCertificateListener: () => {},
      removeCaCertificateListener: () => {},
    };
    const ca: experimental.CertificateProvider | null = this.current.ca
      ? {
          addCaCertificateListener: (l) => {
            this.caListeners.add(l);
            queueMicrotask(() => l({ caCertificate: this.current.ca! }));
          },
          removeCaCertificateListener: (l) => void this.caListeners.delete(l),
          addIdentityCertificateListener: () => {},
          removeIdentityCertificateListener: () => {},
        }
      : null;
    // A CA without requireClientCert asks for a certificate and verifies one that is presented, but
    // lets callers without one through (token clients). grpc-js names the first parameter
    // caCertificateProvider, but it is the identity provider.
    return experimental.createCertificateProviderServerCredentials(identity, ca, this.cfg.requireClientCert);
  }

  /** Reads the files again; new, sound files are served to new connections. Throws TlsFileError when refused. */
  reload(): ReloadOutcome {
    const next = loadTlsFiles(this.cfg);
    const prev = this.current;
    const same = (a: Buffer | null, b: Buffer | null) => (a === null || b === null ? a === b : a.equals(b));
    if (same(next.cert, prev.cert) && same(next.key, prev.key) && same(next.ca, prev.ca)) return "unchanged";
    this.current = next;
    const identity = { certificate: next.cert, privateKey: next.key };
    for (const l of this.identityListeners) l(identity);
    if (next.ca) {
      const ca = { caCertificate: next.ca };
      for (const l of this.caListeners) l(ca);
    }
    return "reloaded";
  }
}
