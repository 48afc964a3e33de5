/**
 * Who is calling. Agents prove their host with a client certificate signed by the controller's
 * tls.ca whose SAN is the URI trainsafe://host/<host-id>; fleet clients get a role from a bearer
 * token (`authorization: Bearer ...`, stored as SHA-256 in the config) or from a client
 * certificate's CN/OU (auth.certRoles). With no credentials configured on a loopback address the
 * fleet service stays open (the controller refuses to start that way on any other address).
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { PeerCertificate } from "node:tls";
import type { Metadata } from "@grpc/grpc-js";
import type { AuthConfig, Role } from "../config.js";
import { RpcError } from "../errors.js";

/** What the checks need from a server call (unary, streaming or duplex). */
export interface CallIdentity {
  readonly metadata: Metadata;
  getAuthContext(): { transportSecurityType?: string; sslPeerCertificate?: PeerCertificate } | null;
}

export interface Principal {
  /** For logs and refusals: the token's name or the certificate's subject. */
  readonly name: string;
  readonly role: Role;
  readonly via: "token" | "certificate" | "open";
}

export interface AuthPolicy {
  readonly auth: AuthConfig;
  /** No credentials configured and loopback only: every fleet caller is an operator. */
  readonly open: boolean;
  /** tls.ca is set: agents must present a host certificate. */
  readonly hostCertificates: boolean;
}

const HOST_URI_RE = /^trainsafe:\/\/host\/([A-Za-z0-9][A-Za-z0-9._:-]{0,127})$/;
const BEARER_RE = /^Bearer ([\x21-\x7e]{1,1024})$/;
const ROLE_RANK: Readonly<Record<Role, number>> = { "read-only": 0, operator: 1 };

/** The verified peer certificate of a call; null on plain text or without a certificate the CA signed. */
export function peerCertificate(call: CallIdentity): PeerCertificate | null {
  // grpc-js reports a certificate only when the TLS layer verified it against the CA.
  const ctx = call.getAuthContext();
  const cert = ctx?.transportSecurityType === "ssl" ? ctx.sslPeerCertificate : undefined;
  return cert?.raw ? cert : null;
}

/** Host ids named by a certificate's URI SANs (trainsafe://host/<host-id>). */
export function certificateHostIds(cert: PeerCertificate): string[] {
  const out: string[] = [];
  // Node writes "URI:a, DNS:b"; values with separators or quotes come JSON-quoted.
  for (const m of (cert.subjectaltname ?? "").matchAll(/(?:^|, )([A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)/g)) {
    if (m[1] !== "URI") continue;
    let value = m[2] ?? "";
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    const host = HOST_URI_RE.exec(value)?.[1];
    if (host) out.push(host);
  }
  return out;
}

function subjectValues(cert: PeerCertificate, key: "CN" | "OU"): string[] {
  const v = (cert.subject as unknown as Record<string, string | string[] | undefined> | undefined)?.[key];
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

function describeSubject(cert: PeerCertificate): string {
  const cn = subjectValues(cert, "CN").join("+");
  const ou = subjectValues(cert, "OU").join("+");
  return `certificate CN=${cn || "(none)"}${ou ? ` OU=${ou}` : ""}`;
}

/** SHA-256 of a token, hex: what auth.tokens[].sha256 holds. */
export function tokenSha256Hex(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

const unauthenticated = (message: string) => new RpcError("unauthenticated", message);
const denied = (message: string) => new RpcError("permission_denied", message);

export class Authenticator {
  private tokens: ReadonlyArray<{ name: string; role: Role; digest: Buffer }> = [];
  private current: AuthPolicy;

  constructor(policy: AuthPolicy) {
    this.current = policy;
    this.useTokens(policy.auth);
  }

  get policy(): AuthPolicy {
    return this.current;
  }

  /**
   * Takes new tokens and certificate roles (a reload). Whether the controller is open and whether
   * agents need host certificates were settled at start and stay.
   */
  update(auth: AuthConfig): void {
    this.current = { ...this.current, auth };
    this.useTokens(auth);
  }

  private useTokens(auth: AuthConfig): void {
    this.tokens = auth.tokens.map((t) => ({ name: t.name, role: t.role, digest: Buffer.from(t.sha256Hex, "hex") }));
  }

  /** The fleet caller's identity; UNAUTHENTICATED when it has none the controller accepts. */
  fleetPrincipal(call: CallIdentity): Principal {
    const headers = call.metadata.get("authorization");
    if (headers.length > 1) throw unauthenticated("more than one authorization header");
    if (headers.length === 1) {
      const m = typeof headers[0] === "string" ? BEARER_RE.exec(headers[0]) : null;
      if (!m) throw unauthenticated('the authorization header must be "Bearer <token>"');
      if (this.policy.open) return { name: "open controller (token ignored)", role: "operator", via: "open" };
      const t = this.matchToken(m[1]!);
      if (!t) throw unauthenticated("unknown token");
      return { name: `token "${t.name}"`, role: t.role, via: "token" };
    }
    const cert = peerCertificate(call);
    if (cert) {
      const role = this.certificateRole(cert);
      if (role) return { name: describeSubject(cert), role, via: "certificate" };
    }
    if (this.policy.open) return { name: "open controller (loopback, no credentials configured)", role: "operator", via: "open" };
    if (cert) throw unauthenticated(`${describeSubject(cert)} has no role here (auth.certRoles); give a token instead`);
    throw unauthenticated("this controller needs credentials: a token (--token or TRAINSAFE_TOKEN) or a client certificate (--cert/--key)");
  }

  /** Throws PERMISSION_DENIED unless `p` holds `need`; `action` names what was refused. */
  authorize(p: Principal, need: Role, action: string): void {
    if (ROLE_RANK[p.role] < ROLE_RANK[need]) throw denied(`${action} needs the ${need} role; ${p.name} has ${p.role}`);
  }

  /**
   * With host certificates required, the call's certificate must name `hostId` (so no agent speaks
   * for another); `field` names the message field that carried the host id.
   */
  requireHost(call: CallIdentity, hostId: string, field: string): void {
    if (!this.policy.hostCertificates) return;
    const cert = peerCertificate(call);
    if (!cert) throw unauthenticated("agents must present a host certificate signed by the controller's CA (agent.tls.cert/key)");
    const ids = certificateHostIds(cert);
    if (ids.length === 0) throw denied(`${describeSubject(cert)} names no host (URI SAN trainsafe://host/<host-id>)`);
    if (!ids.includes(hostId)) throw denied(`${field} is "${hostId}" but the certificate is for ${ids.map((h) => `"${h}"`).join(", ")}`);
  }

  /**
   * The job a host may speak for: one listed for it in auth.hostJobs; otherwise, with host
   * certificates, the job it is bound to (`boundJob`: the job of its first hello, stored), so a host
   * certificate cannot spend another job's restart budget. Without host certificates host ids are
   * not proven and only auth.hostJobs applies. PERMISSION_DENIED names the field and the binding.
   */
  requireJob(hostId: string, jobId: string, boundJob: string | null, field: string): void {
    // Own keys only: a host id like "constructor" or "__proto__" must not find Object.prototype's members.
    const jobs = this.policy.auth.hostJobs;
    const listed = jobs && Object.hasOwn(jobs, hostId) ? jobs[hostId] : undefined;
    if (listed) {
      if (!listed.includes(jobId)) throw denied(`${field} is "${jobId}" but host "${hostId}" may use only ${listed.map((j) => `"${j}"`).join(", ")} (auth.hostJobs)`);
      return;
    }
    if (!this.policy.hostCertificates || boundJob === null || boundJob === "" || boundJob === jobId) return;
    throw denied(
      `${field} is "${jobId}" but host "${hostId}" is bound to job "${boundJob}" (its first hello); to move it, list it in auth.hostJobs and reload the controller`,
    );
  }

  /** The token entry whose hash equals the token's; every entry is compared, in constant time each. */
  private matchToken(token: string): { name: string; role: Role } | null {
    const digest = createHash("sha256").update(token, "utf8").digest();
    let found: { name: string; role: Role } | null = null;
    for (const t of this.tokens) {
      // No early exit: the time taken does not depend on which entry (if any) matched.
      if (timingSafeEqual(digest, t.digest) && !found) found = t;
    }
    return found;
  }

  /** First auth.certRoles rule whose given fields all equal the certificate subject's. */
  private certificateRole(cert: PeerCertificate): Role | null {
    const cns = subjectValues(cert, "CN");
    const ous = subjectValues(cert, "OU");
    for (const r of this.policy.auth.certRoles) {
      if (r.cn !== undefined && !cns.includes(r.cn)) continue;
      if (r.ou !== undefined && !ous.includes(r.ou)) continue;
      return r.role;
    }
    return null;
  }
}
