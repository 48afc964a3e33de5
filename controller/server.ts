/**
 * The controller: store, restart grants, agent sessions and the gRPC server, with start()/stop().
 * Stop order is the reverse of start: close the HTTP server (/metrics, fleet page), stop pruning,
 * end agent streams, drain and shut the server, commit what is queued, close the database.
 *
 * Security at start (docs/security.md): TLS from `tls`; plain text only on loopback or with
 * `insecure: true` (a warning); the fleet service open to every caller only on loopback with no
 * credentials configured. Anything else is refused with a config error naming the field.
 *
 * A damaged store is fatal: at start it is refused before anything listens (store/db.ts); at run
 * time the first error saying the file is damaged (SQLITE_CORRUPT, SQLITE_NOTADB, wherever it is
 * logged) is reported in one line with what to do and handed to `onFatal`, so the process exits and
 * systemd restarts it (which then refuses the file) instead of answering INTERNAL for ever.
 */
import { experimental, Server, ServerCredentials } from "@grpc/grpc-js";
import { AgentServiceService } from "../proto/gen/trainsafe/v1/agent.js";
import { FleetServiceService } from "../proto/gen/trainsafe/v1/fleet.js";
import { configError } from "../agent/lib/errors.js";
import { isLoopbackHost, type ControllerConfig } from "./config.js";
import { grantsFirst, RestartGrants } from "./grants.js";
import { Ingest } from "./ingest.js";
import { HttpServer } from "./http/server.js";
import { createLogger, type Logger } from "./log.js";
import { TelemetryPruner } from "./pruner.js";
import { agentService } from "./rpc/agent-service.js";
import { Authenticator } from "./rpc/auth.js";
import { fleetService } from "./rpc/fleet-service.js";
import { tolerantDecoding } from "./rpc/status.js";
import { TlsFileError, TlsFiles, type ReloadOutcome } from "../agent/lib/tls-files.js";
import { SessionRegistry } from "./sessions.js";
import { damagedDbAdvice, isDamagedDbError } from "./store/db.js";
import { Store } from "./store/index.js";

export const CONTROLLER_VERSION = "0.1.0";

export interface ControllerOptions {
  readonly log?: Logger;
  readonly clock?: () => number;
  /** Called once when the store turns out to be damaged while running (the CLI stops and exits 1). */
  readonly onFatal?: (err: Error) => void;
}

export interface Running {
  readonly store: Store;
  readonly server: Server;
  readonly sessions: SessionRegistry;
  readonly ingest: Ingest;
  readonly grants: RestartGrants;
  readonly pruner: TelemetryPruner;
  /** /metrics and the fleet page; null when no httpPort is configured. */
  readonly http: HttpServer | null;
}

export class Controller {
  private running: Running | null = null;
  private boundPort = 0;
  private auth: Authenticator | null = null;
  private tlsFiles: TlsFiles | null = null;
  private tlsTimer: NodeJS.Timeout | null = null;
  private readonly log: Logger;
  private readonly clock: () => number;

  constructor(
    readonly config: ControllerConfig,
    opts: ControllerOptions = {},
  ) {
    this.log = this.watchStore(opts.log ?? createLogger(), opts.onFatal);
    this.clock = opts.clock ?? Date.now;
  }

  /** Set once the store was found damaged while running. */
  fatal: Error | null = null;

  /**
   * The logger, watching what it is given: every unexpected error is logged (STYLE: handlers log
   * with the stack), so one that says the database file is damaged is seen wherever it happened.
   */
  private watchStore(log: Logger, onFatal: ((err: Error) => void) | undefined): Logger {
    return {
      info: (msg, fields) => log.info(msg, fields),
      warn: (msg, fields) => log.warn(msg, fields),
      error: (msg, err, fields) => {
        if (this.fatal || !isDamagedDbError(err)) return log.error(msg, err, fields);
        this.fatal = err as Error;
        const file = this.config.dbFile;
        log.error(`${file}: the database is damaged (${(err as Error).message}; seen by: ${msg}): the controller stops; ${damagedDbAdvice(file)}`);
        onFatal?.(this.fatal);
      },
    };
  }

  /** Opens the store and listens; resolves with the bound address (port 0 becomes the real port). */
  async start(): Promise<{ address: string; port: number }> {
    if (this.running) throw new Error("controller already started");
    const c = this.config;
    const { credentials, auth } = this.security();
    const store = Store.open(c.dbFile, { synchronous: c.store.synchronous, busyTimeoutMs: c.store.busyTimeoutMs });
    try {
      const sessions = new SessionRegistry(this.log, { clock: this.clock });
      const grants = new RestartGrants(store, c.budget, { clock: this.clock });
      // Restart requests are decided before the ingest commits, and the commit waits (up to 250 ms)
      // while requests keep coming: a burst's grants must not wait behind the commit (and incident
      // regrouping) of their own crash events; acks, which nobody waits on, come a little later.
      const ingest = new Ingest(store, this.log, {
        clock: this.clock,
        incidentWindowMs: c.incidents.windowMs,
        beforeCommit: grantsFirst(grants),
      });
      // Hosts waiting on a breaker ask again as soon as it closes, instead of polling for it.
      grants.onBudgetChanged((signatures) => {
        const told = sessions.budgetChanged(signatures, `breaker reset: ${signatures.join(", ")}`);
        this.log.info("breakers reset; connected agents told to ask again", { signatures, agents: told });
      });
      const pruner = new TelemetryPruner(store, c.telemetry, this.log, this.clock);
      const server = new Server({
        "grpc.max_receive_message_length": c.maxMessageBytes,
        "grpc.max_send_message_length": c.maxMessageBytes,
        // Agents hold streams for days; keepalive pings find dead peers behind NATs and firewalls.
        "grpc.keepalive_time_ms": 60_000,
        "grpc.keepalive_timeout_ms": 20_000,
        "grpc.keepalive_permit_without_calls": 1,
        "grpc.http2.min_ping_interval_without_data_ms": 10_000,
      });
      server.addService(
        tolerantDecoding(AgentServiceService),
        agentService({
          store,
          ingest,
          grants,
          sessions,
          log: this.log,
          clock: this.clock,
          controllerVersion: CONTROLLER_VERSION,
          maxMessageBytes: c.maxMessageBytes,
          auth,
          agentMessagesPerSecond: c.limits.agentMessagesPerSecond,
          agentMessageBurst: c.limits.agentMessageBurst,
          grantRequestsPerMinute: c.limits.grantRequestsPerMinute,
          grantRequestBurst: c.limits.grantRequestBurst,
        }),
      );
      server.addService(
        tolerantDecoding(FleetServiceService),
        fleetService({
          store,
          grants,
          sessions,
          log: this.log,
          clock: this.clock,
          commandDefaultTimeoutMs: c.commands.defaultTimeoutMs,
          commandMaxTimeoutMs: c.commands.maxTimeoutMs,
          auth,
          fleetCallsPerSecond: c.limits.fleetCallsPerSecond,
          fleetCallBurst: c.limits.fleetCallBurst,
        }),
      );
      this.boundPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(c.listen.address, credentials, (err, port) => (err ? reject(err) : resolve(port))),
      );
      let http: HttpServer | null = null;
      if (c.httpPort !== undefined) {
        http = new HttpServer(
          { store, sessions, ingest, log: this.log, clock: this.clock, controllerVersion: CONTROLLER_VERSION },
          { host: c.httpHost, port: c.httpPort },
        );
        try {
          await http.start();
        } catch (err) {
          server.forceShutdown();
          throw err;
        }
      }
      pruner.start();
      this.running = { store, server, sessions, ingest, grants, pruner, http };
      const every = c.tls?.reloadIntervalMs ?? 0;
      if (this.tlsFiles && every > 0) {
        this.tlsTimer = setInterval(() => this.reloadTls("interval"), every);
        this.tlsTimer.unref();
      }
    } catch (err) {
      store.close();
      throw err;
    }
    const address = this.address;
    this.log.info(`trainsafe controller listening on ${address}`, {
      db: c.dbFile,
      http: this.running.http?.url,
      tls: c.tls ? (c.tls.requireClientCert ? "mutual (client certificate required)" : c.tls.caFile ? "server + optional client certificates" : "server") : "off",
      fleetAuth: auth.policy.open ? "open (loopback, no credentials configured)" : `${c.auth.tokens.length} token(s), ${c.auth.certRoles.length} certificate rule(s)`,
    });
    return { address, port: this.boundPort };
  }

  /**
   * Checks the security settings against the listen address and loads the TLS files; throws a
   * config error naming the field. Runs before anything is opened.
   */
  private security(): { credentials: ServerCredentials; auth: Authenticator } {
    const c = this.config;
    const src = c.source ?? "controller settings";
    const loopback = isLoopbackHost(c.listen.host);
    if (!c.tls && !loopback) {
      if (!c.insecure) {
        throw configError(src, `plain-text gRPC on ${c.listen.address} would be reachable from the network: give tls {cert, key} (deploy/pki/make-certs.sh) or set insecure: true`, "tls");
      }
      this.log.warn("insecure: true: serving plain-text gRPC on a non-loopback address; anyone on the network can read and forge agent and fleet traffic", { listen: c.listen.address });
    }
    const credentialsConfigured = c.auth.tokens.length > 0 || c.auth.certRoles.length > 0;
    if (!credentialsConfigured && !loopback) {
      throw configError(src, `the fleet service (kill, restart) on ${c.listen.address} would be open to anyone who can connect: list tokens in auth.tokens or certificate roles in auth.certRoles`, "auth.tokens");
    }
    if (!c.tls && c.auth.tokens.length > 0 && !loopback) this.log.warn("bearer tokens travel in clear text (no tls)", { listen: c.listen.address });
    const auth = new Authenticator({ auth: c.auth, open: !credentialsConfigured && loopback, hostCertificates: c.tls?.caFile !== undefined });
    this.auth = auth;
    if (!c.tls) return { credentials: ServerCredentials.createInsecure(), auth };
    const files = new TlsFiles({ certFile: c.tls.certFile, keyFile: c.tls.keyFile, caFile: c.tls.caFile }, "tls", src);
    this.tlsFiles = files;
    // A CA without requireClientCert asks for a certificate and verifies one that is presented, but
    // lets callers without one through (token clients). grpc-js names the first parameter
    // caCertificateProvider, but it is the identity provider.
    const credentials = experimental.createCertificateProviderServerCredentials(files.identityProvider()!, files.caProvider(), c.tls.requireClientCert);
    return { credentials, auth };
  }

  /**
   * Reads the TLS files again (SIGHUP and every tls.reloadInterval): new, sound files are served to
   * new connections; unsound ones are refused with an error naming the file and the old ones stay.
   */
  reloadTls(why: string): ReloadOutcome | "refused" | null {
    const files = this.tlsFiles;
    if (!files) return null;
    try {
      const outcome = files.reload();
      if (outcome === "reloaded") this.log.info("TLS certificate reloaded: new connections get it", { why, ...files.summary });
      return outcome;
    } catch (err) {
      if (!(err instanceof TlsFileError)) throw err;
      this.log.error(`TLS files not reloaded, still serving the previous certificate: ${err.message}`, undefined, { why });
      return "refused";
    }
  }

  /**
   * Applies what can change while running from `next` (the settings file read again on SIGHUP):
   * fleet tokens and certificate roles, and the TLS files. Every other change is named in a warning
   * and waits for a restart. Returns what was applied.
   */
  reload(next: ControllerConfig): { auth: boolean; tls: ReloadOutcome | "refused" | null; needRestart: string[] } {
    // What runs is the settings of the start, but for the credentials of the last reload.
    const needRestart = changedKeys(this.config, next).filter((k) => k !== "auth" && k !== "source");
    const current = this.auth?.policy.auth ?? this.config.auth;
    // Credentials may change, not whether there are any: that decided at start whether the fleet service is open.
    const hadCredentials = current.tokens.length + current.certRoles.length > 0;
    const hasCredentials = next.auth.tokens.length + next.auth.certRoles.length > 0;
    let auth = false;
    if (hadCredentials !== hasCredentials) needRestart.push("auth");
    else if (JSON.stringify(current) !== JSON.stringify(next.auth) && this.auth) {
      this.auth.update(next.auth);
      auth = true;
      this.log.info("fleet credentials reloaded", { tokens: next.auth.tokens.length, certRoles: next.auth.certRoles.length });
    }
    const tls = this.reloadTls("reload");
    const restart = needRestart.sort();
    if (restart.length > 0) this.log.warn("changed settings apply at the next restart", { settings: restart });
    return { auth, tls, needRestart: restart };
  }

  /** host:port actually bound (valid after start). */
  get address(): string {
    const host = this.config.listen.host;
    return host.includes(":") ? `[${host}]:${this.boundPort}` : `${host}:${this.boundPort}`;
  }

  get port(): number {
    return this.boundPort;
  }

  /** Base URL of the HTTP server (/metrics, the fleet page), e.g. "http://127.0.0.1:9464"; null when not serving. */
  get httpUrl(): string | null {
    return this.running?.http?.url ?? null;
  }

  /** The live parts, for tests and benchmarks. */
  get parts(): Running | null {
    return this.running;
  }

  /** Stops serving and closes the store; safe to call twice. */
  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.running = null;
    if (this.tlsTimer) clearInterval(this.tlsTimer);
    this.tlsTimer = null;
    await r.http?.stop();
    r.pruner.stop();
    r.sessions.closeAll("controller is stopping");
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        r.server.forceShutdown();
        resolve();
      }, this.config.shutdownGraceMs);
      r.server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    r.ingest.flush();
    r.store.close();
    this.log.info("trainsafe controller stopped");
  }
}

/** Top-level settings whose values differ between `a` and `b`. */
function changedKeys(a: ControllerConfig, b: ControllerConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ControllerConfig>;
  return [...keys].filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
}
