/**
 * `trainsafe fleet ...`: fleet queries and commands through the controller (--controller ADDR or
 * $TRAINSAFE_CONTROLLER). Each subcommand parses its options, calls the FleetClient (deadline on
 * every call, retries only on UNAVAILABLE), and prints a table or --json. An unreachable controller
 * is exit code 3; refused credentials, a role without the permission (a read-only token asking to
 * kill) or a failed TLS handshake are exit code 2. Credentials: --token / $TRAINSAFE_TOKEN, and TLS
 * with --ca / --cert / --key ($TRAINSAFE_CA, $TRAINSAFE_CERT, $TRAINSAFE_KEY); docs/security.md.
 */
import type { Command } from "commander";
import { usageError } from "../../agent/lib/errors.js";
import { parseDurationMs } from "../../agent/lib/units.js";
import { parseListenAddress } from "../../controller/config.js";
import { EVENT_KINDS, type CommandKind, type CommandOutcome, type EventKind } from "../../controller/domain.js";
import { FleetClient, loadFleetTls, type FleetTls } from "../../controller/rpc/fleet-client.js";
import { collect, intOption, printJson } from "../common.js";
import { createProgress } from "../fleet/progress.js";
import {
  outcomeJson,
  outcomeWord,
  renderBudget,
  renderCrashes,
  renderEvents,
  renderHostDetail,
  renderHosts,
  renderIncidents,
  printableText,
  renderOutcomes,
} from "../fleet/render.js";
import { runTop } from "../fleet/top.js";

export const DEFAULT_CONTROLLER = "127.0.0.1:7700";

interface FleetOptions {
  controller?: string;
  timeout?: string;
  json?: boolean;
  token?: string;
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  tls?: boolean;
  insecure?: boolean;
}

/** Adds --controller, --timeout, --json and the credential options to a fleet subcommand. */
function fleetOptions(cmd: Command): Command {
  return cmd
    .option("--controller <host:port>", `controller address (default: $TRAINSAFE_CONTROLLER, else ${DEFAULT_CONTROLLER})`)
    .option("--timeout <duration>", "deadline of each call to the controller, e.g. 5s (default 10s)")
    .option("--token <token>", "bearer token (default: $TRAINSAFE_TOKEN; the variable keeps it out of `ps`)")
    .option("--ca <file>", "CA certificate that signed the controller's (default: $TRAINSAFE_CA); turns TLS on")
    .option("--cert <file>", "client certificate for mutual TLS (default: $TRAINSAFE_CERT)")
    .option("--key <file>", "key of --cert (default: $TRAINSAFE_KEY)")
    .option("--server-name <name>", "name to verify in the controller's certificate (default: the --controller host)")
    .option("--tls", "use TLS with the system's CA roots (implied by --ca, --cert)")
    .option("--insecure", "allow plain text to a controller that is not on loopback")
    .option("--json", "print the result as JSON on stdout");
}

/** Token and TLS material from the options, else the environment. */
export function fleetCredentials(opts: FleetOptions, env: NodeJS.ProcessEnv = process.env): { token?: string; tls?: FleetTls; insecure: boolean } {
  const pick = (v: string | undefined, name: string) => (v !== undefined ? v : env[name] || undefined);
  const token = pick(opts.token, "TRAINSAFE_TOKEN");
  const files = { ca: pick(opts.ca, "TRAINSAFE_CA"), cert: pick(opts.cert, "TRAINSAFE_CERT"), key: pick(opts.key, "TRAINSAFE_KEY") };
  const wantTls = opts.tls === true || files.ca !== undefined || files.cert !== undefined || files.key !== undefined || opts.serverName !== undefined;
  const out: { token?: string; tls?: FleetTls; insecure: boolean } = { insecure: opts.insecure === true };
  if (token !== undefined) out.token = token;
  if (wantTls) out.tls = loadFleetTls({ ...files, ...(opts.serverName ? { serverName: opts.serverName } : {}) });
  return out;
}

function durationOption(name: string, text: string): number {
  try {
    return parseDurationMs(text);
  } catch (err) {
    throw usageError(`${name}: ${(err as Error).message}`);
  }
}

/** Address from --controller, $TRAINSAFE_CONTROLLER or the default; a usage error when malformed. */
export function controllerAddress(opts: FleetOptions): string {
  const text = opts.controller ?? process.env.TRAINSAFE_CONTROLLER ?? DEFAULT_CONTROLLER;
  try {
    return parseListenAddress(text).address;
  } catch (err) {
    throw usageError(`--controller: ${(err as Error).message}`);
  }
}

async function withClient<T>(opts: FleetOptions, fn: (c: FleetClient) => Promise<T>): Promise<T> {
  const callTimeoutMs = opts.timeout !== undefined ? durationOption("--timeout", opts.timeout) : 10_000;
  if (callTimeoutMs <= 0) throw usageError("--timeout must be positive");
  const client = new FleetClient({ address: controllerAddress(opts), callTimeoutMs, ...fleetCredentials(opts) });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** "--since 2h" (that long ago) or an ISO date/time, to epoch ms. */
export function parseSince(text: string, nowMs: number): number {
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
    const t = Date.parse(text);
    if (Number.isNaN(t)) throw usageError(`--since: invalid date "${text}"`);
    return t;
  }
  return Math.max(0, nowMs - durationOption("--since", text));
}

const setExit = (problems: boolean) => {
  process.exitCode = problems ? 1 : 0;
};

interface FanOutOptions extends FleetOptions {
  host?: string[];
  all?: boolean;
  fix?: boolean;
  only?: string[];
  reason?: string;
  agentTimeout?: string;
}

/** Relays one command kind to hosts with a progress bar; prints the table or JSON; exit 1 on any failure. */
async function fanOut(kind: CommandKind, hosts: string[], all: boolean, opts: FanOutOptions): Promise<CommandOutcome[]> {
  const timeoutMs = opts.agentTimeout !== undefined ? durationOption("--agent-timeout", opts.agentTimeout) : 0;
  const outcomes = await withClient(opts, async (client) => {
    let progress = createProgress(0);
    const result = await client.runCommand(
      {
        hostIds: hosts,
        all,
        kind,
        args: { fix: opts.fix === true, names: (opts.only ?? []).flatMap((s) => s.split(",")).filter(Boolean), reason: opts.reason ?? "" },
        timeoutMs,
      },
      {
        onTargets: (ids) => {
          progress = createProgress(ids.length);
        },
        onOutcome: (o) => progress.tick(o.hostId),
      },
    );
    progress.done();
    return result;
  });
  if (opts.json) printJson(outcomes.map(outcomeJson).sort((a, b) => String(a.hostId).localeCompare(String(b.hostId))));
  else process.stdout.write(renderOutcomes(outcomes));
  setExit(outcomes.some((o) => outcomeWord(o) !== "ok"));
  return outcomes;
}

/** Registers `fleet` and its subcommands. */
export function register(program: Command): void {
  const fleet = program.command("fleet").description("query and command the fleet through the controller");

  fleetOptions(fleet.command("hosts").description("list hosts: job, connected, last seen, daemon state, step, step rate, GPUs")).action(
    async (opts: FleetOptions) => {
      const hosts = await withClient(opts, (c) => c.listHosts());
      if (opts.json) printJson(hosts);
      else process.stdout.write(renderHosts(hosts, Date.now()));
      setExit(false);
    },
  );

  fleetOptions(fleet.command("status").argument("<host>", "host id").description("one host: telemetry, crashes, restart decisions, health checks, events")).action(
    async (host: string, opts: FleetOptions) => {
      const detail = await withClient(opts, (c) => c.getHost(host));
      if (opts.json) printJson(detail);
      else process.stdout.write(renderHostDetail(detail, Date.now()));
      // A host without an open stream cannot be helped by the controller: a problem.
      setExit(!detail.host.connected);
    },
  );

  fleetOptions(
    fleet
      .command("check")
      .description("run the health checks on hosts through their agents, in parallel")
      .option("--host <id>", "a host to check (repeatable)", collect)
      .option("--all", "every known host")
      .option("--fix", "let the agents apply safe repairs")
      .option("--only <ids>", "only these checks (comma-separated, repeatable)", collect)
      .option("--agent-timeout <duration>", "how long the controller waits for each agent (default: the controller's)"),
  ).action(async (opts: FanOutOptions) => {
    const hosts = opts.host ?? [];
    if (!opts.all && hosts.length === 0) throw usageError("fleet check: give --host HOST (repeatable) or --all");
    if (opts.all && hosts.length > 0) throw usageError("fleet check: give --host or --all, not both");
    await fanOut("run_checks", hosts, opts.all === true, opts);
  });

  fleetOptions(
    fleet
      .command("crashes")
      .description("incidents (the crashes of one job's hosts grouped, origin host and cause first), then crash and hang records, newest first")
      .option("--host <id>", "only this host")
      .option("--job <id>", "only this job")
      .option("--category <name>", "only this category (cuda_oom, nccl_timeout, ...)")
      .option("--since <when>", "only newer: a duration ago (2h, 30m) or an ISO date")
      .option("--limit <n>", "at most this many (default 100)", intOption("--limit")),
  ).action(async (opts: FleetOptions & { host?: string; job?: string; category?: string; since?: string; limit?: number }) => {
    const q = {
      hostId: opts.host,
      jobId: opts.job,
      category: opts.category,
      sinceMs: opts.since ? parseSince(opts.since, Date.now()) : 0,
      limit: opts.limit,
    };
    const { incidents, crashes } = await withClient(opts, async (c) => ({ incidents: await c.listIncidents(q), crashes: await c.listCrashes(q) }));
    if (opts.json) printJson({ incidents, crashes });
    else process.stdout.write(`${incidents.length ? `Incidents (origin first):\n\n${renderIncidents(incidents)}\n` : ""}${renderCrashes(crashes)}`);
    setExit(crashes.length > 0);
  });

  fleetOptions(
    fleet
      .command("events")
      .description("events reported by agents, newest first")
      .option("--host <id>", "only this host")
      .option("--job <id>", "only this job")
      .option("--kind <kind>", `only this kind (${EVENT_KINDS.join(", ")})`)
      .option("--since <when>", "only newer: a duration ago (2h, 30m) or an ISO date")
      .option("--limit <n>", "at most this many (default 100)", intOption("--limit")),
  ).action(async (opts: FleetOptions & { host?: string; job?: string; kind?: string; since?: string; limit?: number }) => {
    if (opts.kind !== undefined && !(EVENT_KINDS as readonly string[]).includes(opts.kind)) {
      throw usageError(`--kind: unknown kind "${opts.kind}" (one of ${EVENT_KINDS.join(", ")})`);
    }
    const q = {
      hostId: opts.host,
      jobId: opts.job,
      kind: opts.kind as EventKind | undefined,
      sinceMs: opts.since ? parseSince(opts.since, Date.now()) : 0,
      limit: opts.limit,
    };
    const events = await withClient(opts, (c) => c.listEvents(q));
    if (opts.json) printJson(events);
    else process.stdout.write(renderEvents(events));
    setExit(false);
  });

  for (const [name, kind, what] of [
    ["restart", "restart_daemon", "restart the training daemon on a host (through its agent, which checks before starting)"],
    ["kill", "kill_daemon", "kill the training daemon on a host (through its agent, identity-checked)"],
  ] as const) {
    fleetOptions(
      fleet
        .command(name)
        .argument("<host>", "host id")
        .description(what)
        .option("--reason <text>", "why (logged by the agent)")
        .option("--agent-timeout <duration>", "how long to wait for the agent (default: the controller's)"),
    ).action(async (host: string, opts: FanOutOptions) => {
      await fanOut(kind, [host], false, { ...opts, reason: opts.reason ?? `fleet ${name} by ${process.env.USER ?? "operator"}` });
    });
  }

  const budget = fleetOptions(
    fleet.command("budget").description("restart budget: per-host windows, fleet usage, open breakers, recent decisions"),
  ).action(async (opts: FleetOptions) => {
    const status = await withClient(opts, (c) => c.budget());
    if (opts.json) printJson(status);
    else process.stdout.write(renderBudget(status));
    setExit(status.breakers.some((b) => b.open));
  });
  fleetOptions(
    budget
      .command("reset")
      .description("close the open correlated-failure breaker of a signature (default: all open breakers)")
      .option("--signature <sig>", "only this crash signature"),
  ).action(async (_opts: unknown, cmd: Command) => {
    // --controller/--json/--timeout written after `reset` are taken by `budget` too: merge both.
    const opts = cmd.optsWithGlobals<FleetOptions & { signature?: string }>();
    const reset = await withClient(opts, (c) => c.resetBudget(opts.signature));
    if (opts.json) printJson({ reset });
    else if (reset.length === 0) process.stdout.write(opts.signature ? `no open breaker for "${opts.signature}"\n` : "no open breakers\n");
    else process.stdout.write(`reset ${reset.length} breaker(s): ${reset.map(printableText).join(", ")}\n`);
    setExit(false);
  });

  fleetOptions(
    fleet
      .command("top")
      .description("live view of the fleet, refreshed until Ctrl-C")
      .option("--once", "print one frame and exit")
      .option("--interval <duration>", "time between frames (default 2s)"),
  ).action(async (opts: FleetOptions & { once?: boolean; interval?: string }) => {
    const intervalMs = opts.interval !== undefined ? durationOption("--interval", opts.interval) : 2_000;
    if (intervalMs < 100) throw usageError("--interval must be at least 100ms");
    await withClient(opts, (c) => runTop(c, { intervalMs, once: opts.once === true, json: opts.json === true }));
    setExit(false);
  });
}
