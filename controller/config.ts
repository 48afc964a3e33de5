/**
 * Controller settings: the user-facing JSON file (durations and sizes with units) is parsed once with
 * zod, defaults filled, units converted, and the frozen result passed down.
 */
import path from "node:path";
import { z } from "zod";
import { configError } from "../agent/lib/errors.js";
import { readJsonFile } from "../agent/lib/files.js";
import { deepFreeze, durationMs, settingsError, sizeBytes } from "../agent/lib/schema.js";
import type { FleetPolicy } from "./budget.js";



// Built on first use in agent/lib/schema.ts (the local commands load zod only when they need it).
const duration = durationMs();
const size = sizeBytes();
const count = z.number().int().nonnegative();

const budgetSchema = z.strictObject({
  /** Per host: most restarts in any sliding window (the seed's rule: 3 in 5 minutes). */
  hostMaxRestarts: count.default(3),
  hostWindow: duration.default(5 * 60_000),
  backoffInitial: duration.default(10_000),
  backoffMax: duration.default(5 * 60_000),
  /** A daemon that ran this long after its restart ends the back-off streak. */
  healthyReset: duration.default(10 * 60_000),
  /** Requests from other hosts of a job within this long of its grant share that grant. */
  jobCoalesceWindow: duration.default(2 * 60_000),
  /** Fleet: most (non-coalesced) grants in any sliding window across all hosts. */
  fleetMaxRestarts: count.default(50),
  fleetWindow: duration.default(10 * 60_000),
  /** Breaker: this many distinct failing hosts (a job counts once) with one signature trip it; 0 disables. */
  breakerThreshold: count.default(5),
  breakerWindow: duration.default(10 * 60_000),
});

const telemetrySchema = z.strictObject({
  /** Samples younger than this are kept as they came. */
  keepRawFor: duration.default(3_600_000),
  /** Older samples are thinned to one per host per this interval. */
  downsampleTo: duration.default(60_000),
  /** Samples older than this are deleted. */
  retention: duration.default(7 * 86_400_000),
  pruneInterval: duration.default(5 * 60_000),
});

const commandsSchema = z.strictObject({
  /** How long the controller waits for an agent's answer when the caller gives no timeout. */
  defaultTimeout: duration.default(60_000),
  maxTimeout: duration.default(10 * 60_000),
});

const incidentsSchema = z.strictObject({
  /**
   * Crashes and hangs of the hosts of one job that began within this long of the first one are one
   * incident (a timeout that states how long it waited began that long before it was reported).
   */
  window: duration.default(5 * 60_000),
});

const storeSchema = z.strictObject({
  /**
   * "normal" (default): with WAL, a commit survives any crash of the controller process (SIGKILL,
   * OOM) and the database is never corrupted; only an OS crash or power loss can roll back the
   * last commits, in exchange for no fsync per commit. "full": fsync every commit (events acked to
   * agents then survive power loss too, at the cost of throughput).
   */
  synchronous: z.enum(["normal", "full"]).default("normal"),
  busyTimeout: duration.default(5_000),
});

const roleSchema = z.enum(["read-only", "operator"]);

const tlsSchema = z.strictObject({
  /** Server certificate (PEM, chain allowed) and its key; relative paths are relative to the config file's folder. */
  cert: z.string().min(1),
  key: z.string().min(1),
  /** CA that signs client certificates (hosts, operators). Set: agents must present a host certificate. */
  ca: z.string().min(1).optional(),
  /** Refuse, during the TLS handshake, every connection without a certificate signed by `ca`. */
  requireClientCert: z.boolean().default(false),
  /** How often the three files are read again (rotation without a restart; SIGHUP also does it); 0: only on SIGHUP. */
  reloadInterval: duration.default(60_000),
});

const authSchema = z.strictObject({
  /**
   * Bearer tokens of fleet clients: only the SHA-256 (hex) of each token is stored here
   * (deploy/pki/make-token.sh makes a token and its entry).
   */
  tokens: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, "1-64 letters, digits and . _ @ -"),
        sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, "must be 64 hex digits (the SHA-256 of the token)"),
        role: roleSchema,
      }),
    )
    .default([]),
  /** Roles of client certificates (signed by tls.ca): a rule matches when every field it gives equals the subject's. */
  certRoles: z
    .array(
      z
        .strictObject({ cn: z.string().min(1).optional(), ou: z.string().min(1).optional(), role: roleSchema })
        .refine((r) => r.cn !== undefined || r.ou !== undefined, "give cn, ou or both"),
    )
    .default([]),
  /**
   * The job ids each host may use (hello, restart requests): host id -> job ids. A host listed here
   * may use only those; a host not listed is bound to the job of its first hello when host
   * certificates are required (tls.ca). Reloaded on SIGHUP: moving a host to another job is an edit here.
   */
  hostJobs: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "a host id"), z.array(z.string().max(128)).min(1)).default({}),
});

const limitsSchema = z.strictObject({
  /** Sustained events + telemetry samples per second accepted from one agent stream. */
  agentMessagesPerSecond: z.number().positive().default(500),
  /** Messages one agent may send at once above that rate (a spool replay after an outage). */
  agentMessageBurst: z.number().int().positive().default(5_000),
  /** Sustained RequestRestart calls per minute accepted from one host (retries included). */
  grantRequestsPerMinute: z.number().positive().default(30),
  /** RequestRestart calls one host may make at once above that rate. */
  grantRequestBurst: z.number().int().positive().default(10),
  /** Sustained fleet calls per second accepted from one caller (a token, a certificate subject). */
  fleetCallsPerSecond: z.number().positive().default(20),
  /** Fleet calls one caller may make at once above that rate. */
  fleetCallBurst: z.number().int().positive().default(100),
});

export const controllerConfigSchema = z.strictObject({
  /** host:port to listen on; port 0 picks a free port (reported once bound). */
  listen: z.string().default("127.0.0.1:7700"),
  /** Folder of the SQLite database; relative paths are relative to the config file's folder. */
  stateDir: z.string().default("state"),
  /** Largest message accepted or sent; larger ones are refused by gRPC with RESOURCE_EXHAUSTED. */
  maxMessageSize: size.default(4 * 1024 * 1024),
  /** Port of the HTTP server (/metrics, the fleet page); absent: no HTTP server. 0 picks a free port. */
  httpPort: z.number().int().min(0).max(65_535).optional(),
  /** Address the HTTP server binds. Loopback by default: the page and /metrics have no authentication. */
  httpHost: z.string().min(1).default("127.0.0.1"),
  shutdownGrace: duration.default(5_000),
  /** TLS for the gRPC port; absent: plain text, which is allowed only on loopback or with `insecure`. */
  tls: tlsSchema.optional(),
  /** Allow plain-text gRPC on a non-loopback address (logged as a warning at start). */
  insecure: z.boolean().default(false),
  auth: authSchema.prefault({}),
  limits: limitsSchema.prefault({}),
  budget: budgetSchema.prefault({}),
  telemetry: telemetrySchema.prefault({}),
  commands: commandsSchema.prefault({}),
  store: storeSchema.prefault({}),
  incidents: incidentsSchema.prefault({}),
});

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
  /** As given to gRPC's bind: "127.0.0.1:7700", "[::1]:7700". */
  readonly address: string;
}

export type Role = z.output<typeof roleSchema>;

/** Resolved TLS settings: absolute file paths. */
export interface TlsConfig {
  readonly certFile: string;
  readonly keyFile: string;
  readonly caFile: string | undefined;
  readonly requireClientCert: boolean;
  /** 0: only on SIGHUP. */
  readonly reloadIntervalMs: number;
}

export interface AuthConfig {
  readonly tokens: ReadonlyArray<{ readonly name: string; readonly sha256Hex: string; readonly role: Role }>;
  readonly certRoles: ReadonlyArray<{ readonly cn?: string; readonly ou?: string; readonly role: Role }>;
  /** Host id -> the job ids it may use (absent: bound by its first hello under host certificates). */
  readonly hostJobs?: Readonly<Record<string, readonly string[]>>;
}

/** Resolved controller settings: durations in ms, sizes in bytes, paths absolute. */
export interface ControllerConfig {
  readonly listen: ListenAddress;
  readonly stateDir: string;
  readonly dbFile: string;
  readonly maxMessageBytes: number;
  readonly httpPort: number | undefined;
  readonly httpHost: string;
  readonly shutdownGraceMs: number;
  /** null: plain text. */
  readonly tls: TlsConfig | null;
  readonly insecure: boolean;
  readonly auth: AuthConfig;
  readonly limits: {
    readonly agentMessagesPerSecond: number;
    readonly agentMessageBurst: number;
    readonly grantRequestsPerMinute: number;
    readonly grantRequestBurst: number;
    readonly fleetCallsPerSecond: number;
    readonly fleetCallBurst: number;
  };
  readonly budget: FleetPolicy;
  readonly telemetry: {
    readonly keepRawMs: number;
    readonly downsampleMs: number;
    readonly retentionMs: number;
    readonly pruneIntervalMs: number;
  };
  readonly commands: { readonly defaultTimeoutMs: number; readonly maxTimeoutMs: number };
  readonly store: { readonly synchronous: "normal" | "full"; readonly busyTimeoutMs: number };
  readonly incidents: { readonly windowMs: number };
  readonly source: string | undefined;
}

/** Splits "host:port" / "[v6]:port"; throws with a message for the config error. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text) ?? /^([^:[\]]+):(\d{1,5})$/.exec(text);
  if (!m) throw new Error(`invalid address "${text}" (use host:port, e.g. 127.0.0.1:7700)`);
  const port = Number(m[2]);
  if (port > 65_535) throw new Error(`invalid port ${port} in "${text}"`);
  const host = m[1]!;
  return { host, port, address: host.includes(":") ? `[${host}]:${port}` : `${host}:${port}` };
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}


/** Parses raw controller settings; `baseDir` anchors a relative stateDir (default: cwd). */
export function resolveControllerConfig(raw: unknown, opts: { source?: string; baseDir?: string } = {}): ControllerConfig {
  const src = opts.source ?? "controller settings";
  const parsed = controllerConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw settingsError(src, parsed.error);
  }
  const c = parsed.data;
  let listen: ListenAddress;
  try {
    listen = parseListenAddress(c.listen);
  } catch (err) {
    throw configError(src, (err as Error).message, "listen");
  }
  const b = c.budget;
  if (b.backoffMax < b.backoffInitial) throw configError(src, "must be at least budget.backoffInitial", "budget.backoffMax");
  if (c.telemetry.downsampleTo <= 0) throw configError(src, "must be positive", "telemetry.downsampleTo");
  if (c.telemetry.pruneInterval <= 0) throw configError(src, "must be positive", "telemetry.pruneInterval");
  if (c.incidents.window <= 0) throw configError(src, "must be positive", "incidents.window");
  if (c.commands.defaultTimeout <= 0) throw configError(src, "must be positive", "commands.defaultTimeout");
  if (c.maxMessageSize < 64 * 1024) throw configError(src, "must be at least 64KiB", "maxMessageSize");
  if (c.tls?.requireClientCert && !c.tls.ca) throw configError(src, "needs tls.ca (the CA that signs client certificates)", "tls.requireClientCert");
  if (c.auth.certRoles.length > 0 && !c.tls?.ca) throw configError(src, "needs tls.ca: certificate roles apply to client certificates signed by it", "auth.certRoles");
  const names = new Set<string>();
  for (const [i, t] of c.auth.tokens.entries()) {
    if (names.has(t.name)) throw configError(src, `duplicate token name "${t.name}"`, `auth.tokens[${i}].name`);
    names.add(t.name);
  }
  const base = opts.baseDir ?? process.cwd();
  const stateDir = path.resolve(base, c.stateDir);
  return deepFreeze({
    listen,
    stateDir,
    dbFile: path.join(stateDir, "controller.db"),
    maxMessageBytes: c.maxMessageSize,
    httpPort: c.httpPort,
    httpHost: c.httpHost,
    shutdownGraceMs: c.shutdownGrace,
    tls: c.tls
      ? {
          certFile: path.resolve(base, c.tls.cert),
          keyFile: path.resolve(base, c.tls.key),
          caFile: c.tls.ca === undefined ? undefined : path.resolve(base, c.tls.ca),
          requireClientCert: c.tls.requireClientCert,
          reloadIntervalMs: c.tls.reloadInterval,
        }
      : null,
    insecure: c.insecure,
    auth: {
      tokens: c.auth.tokens.map((t) => ({ name: t.name, sha256Hex: t.sha256.toLowerCase(), role: t.role })),
      certRoles: c.auth.certRoles,
      hostJobs: c.auth.hostJobs,
    },
    limits: { ...c.limits },
    budget: {
      host: {
        maxRestarts: b.hostMaxRestarts,
        windowMs: b.hostWindow,
        backoffInitialMs: b.backoffInitial,
        backoffMaxMs: b.backoffMax,
        healthyResetMs: b.healthyReset,
      },
      jobCoalesceWindowMs: b.jobCoalesceWindow,
      fleetMaxRestarts: b.fleetMaxRestarts,
      fleetWindowMs: b.fleetWindow,
      breakerThreshold: b.breakerThreshold,
      breakerWindowMs: b.breakerWindow,
    },
    telemetry: {
      keepRawMs: c.telemetry.keepRawFor,
      downsampleMs: c.telemetry.downsampleTo,
      retentionMs: c.telemetry.retention,
      pruneIntervalMs: c.telemetry.pruneInterval,
    },
    commands: { defaultTimeoutMs: c.commands.defaultTimeout, maxTimeoutMs: Math.max(c.commands.maxTimeout, c.commands.defaultTimeout) },
    store: { synchronous: c.store.synchronous, busyTimeoutMs: c.store.busyTimeout },
    incidents: { windowMs: c.incidents.window },
    source: opts.source,
  });
}

/**
 * Loads and resolves the controller's settings file; top-level `overrides` (from the command line)
 * replace the file's values. Errors name the file and field.
 */
export async function loadControllerConfig(file: string, overrides: Record<string, unknown> = {}): Promise<ControllerConfig> {
  const r = await readJsonFile(file, z.record(z.string(), z.unknown()));
  if (!r.ok) throw configError(file, r.message.slice(file.length + 2), r.field);
  const raw = { ...r.value };
  for (const [k, v] of Object.entries(overrides)) if (v !== undefined) raw[k] = v;
  return resolveControllerConfig(raw, { source: file, baseDir: path.dirname(path.resolve(file)) });
}
