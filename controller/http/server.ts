/**
 * The controller's read-only HTTP server: /metrics for Prometheus, the fleet page (/ with its
 * script and style sheet) and its data (/api/fleet), /healthz. GET and HEAD only; nothing here
 * changes state. Bound to loopback unless configured otherwise: there is no authentication.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Ingest } from "../ingest.js";
import type { Logger } from "../log.js";
import type { SessionRegistry } from "../sessions.js";
import type { Store } from "../store/index.js";
import { FleetViewSource } from "./fleet-view.js";
import { ControllerMetrics } from "./metrics.js";

export interface HttpDeps {
  readonly store: Store;
  readonly sessions: SessionRegistry;
  readonly ingest: Ingest;
  readonly log: Logger;
  readonly clock: () => number;
  readonly controllerVersion: string;
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
}

const STATIC_DIR = new URL("./static/", import.meta.url);

function loadAsset(name: string, type: string): Asset {
  return { body: fs.readFileSync(new URL(name, STATIC_DIR)), type };
}

/**
 * Everything the page loads comes from this server; no inline script or style may run, so text an
 * agent sent can never become code even if the page had an escaping bug.
 */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

/**
 * How long one /api/fleet answer is reused. Every open page polls; with a large fleet one answer
 * costs tens of milliseconds of the event loop that also serves the agents, so however many pages
 * are open, it is computed at most once per this interval.
 */
export const FLEET_VIEW_MAX_AGE_MS = 1_000;

export class HttpServer {
  private server: http.Server | null = null;
  private fleetCache: { readonly atMs: number; readonly body: Buffer } | null = null;
  private boundPort = 0;
  private readonly metrics: ControllerMetrics;
  private readonly fleet: FleetViewSource;
  private readonly assets: ReadonlyMap<string, Asset>;

  constructor(
    private readonly deps: HttpDeps,
    private readonly listen: { readonly host: string; readonly port: number },
  ) {
    this.metrics = new ControllerMetrics(deps);
    this.fleet = new FleetViewSource(deps.store, deps.sessions, deps.clock, deps.controllerVersion);
    this.assets = new Map([
      ["/", loadAsset("index.html", "text/html; charset=utf-8")],
      ["/fleet.js", loadAsset("fleet.js", "text/javascript; charset=utf-8")],
      ["/fleet.css", loadAsset("fleet.css", "text/css; charset=utf-8")],
    ]);
  }

  /** Listens; resolves with the bound port (port 0 becomes a free one). */
  async start(): Promise<{ host: string; port: number; url: string }> {
    if (this.server) throw new Error("http server already started");
    const server = http.createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        this.deps.log.error("http: request failed", err, { path: req.url?.slice(0, 200) });
        if (!res.headersSent) send(res, 500, "text/plain; charset=utf-8", "internal error\n", req.method === "HEAD");
        else res.destroy();
      });
    });
    // A page left open polls forever; idle keep-alive sockets must not pin the server at stop.
    server.keepAliveTimeout = 5_000;
    server.headersTimeout = 10_000;
    server.requestTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.listen.port, this.listen.host, () => {
        server.off("error", reject);
        resolve();
      });
    });
    server.on("error", (err) => this.deps.log.error("http server error", err));
    this.server = server;
    this.boundPort = (server.address() as AddressInfo).port;
    return { host: this.listen.host, port: this.boundPort, url: this.url };
  }

  get port(): number {
    return this.boundPort;
  }

  /** Base URL of the server (valid after start). */
  get url(): string {
    const host = this.listen.host.includes(":") ? `[${this.listen.host}]` : this.listen.host;
    return `http://${host}:${this.boundPort}`;
  }

  /** Stops listening and closes open connections (a page polling keeps one open); safe to call twice. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private fleetJson(): Buffer {
    const nowMs = monotonicMs();
    if (this.fleetCache && nowMs - this.fleetCache.atMs < FLEET_VIEW_MAX_AGE_MS) return this.fleetCache.body;
    const body = Buffer.from(JSON.stringify(this.fleet.view()));
    this.fleetCache = { atMs: nowMs, body };
    return body;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const head = req.method === "HEAD";
    if (req.method !== "GET" && !head) {
      res.setHeader("allow", "GET, HEAD");
      send(res, 405, "text/plain; charset=utf-8", "read-only: only GET and HEAD\n", false);
      return;
    }
    const pathname = (req.url ?? "/").split("?", 1)[0]!;
    const asset = this.assets.get(pathname);
    if (asset) {
      send(res, 200, asset.type, asset.body, head, { "cache-control": "no-cache" });
      return;
    }
    switch (pathname) {
      case "/metrics": {
        const text = await this.metrics.render();
        send(res, 200, this.metrics.contentType, text, head, { "cache-control": "no-store" });
        return;
      }
      case "/api/fleet":
        send(res, 200, "application/json; charset=utf-8", this.fleetJson(), head, { "cache-control": "no-store" });
        return;
      case "/healthz":
        send(res, 200, "text/plain; charset=utf-8", "ok\n", head, { "cache-control": "no-store" });
        return;
      default:
        send(res, 404, "text/plain; charset=utf-8", "not found\n", head);
    }
  }
}

function monotonicMs(): number {
  return performance.now();
}

function send(
  res: http.ServerResponse,
  status: number,
  type: string,
  body: string | Buffer,
  head: boolean,
  extra: Record<string, string> = {},
): void {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  res.writeHead(status, { ...SECURITY_HEADERS, ...extra, "content-type": type, "content-length": bytes.length });
  res.end(head ? undefined : bytes);
}
