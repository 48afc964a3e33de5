/**
 * `trainsafe fleet ...`: fleet queries and commands through the controller (--controller ADDR or
 * $TRAINSAFE_CONTROLLER). Each subcommand parses its options, calls the FleetClient (deadline on
 * every call, retries only on UNAVAILABLE), and prints a table or --json. An unreachable controller
 * is exit code 3; refused credentials, a role without the permission (a read-only token asking to
 * kill) or a failed TLS handshake are exit code 2. Credentials: --token / $TRAINSAFE_TOKEN, and TLS
 * with --ca / --cert / --key ($TRAINSAFE_CA, $TRAINSAFE_CERT, $TRAINSAFE_KEY); docs/security.md.
 */
import type { Command } from "commander";
import { TrainsafeError, usageError } from "../../agent/lib/errors.js";
import { parseDurationMs } from "../../agent/lib/units.js";
import { parseListenAddress } from "../../controller/config.js";
import { EVENT_KINDS, type CommandKind, type CommandOutcome, type EventKind, type HostSummary } from "../../controller/domain.js";
import { FleetClient, loadFleetTls, type FleetTls } from "../../controller/rpc/fleet-client.js";
import { collect, intOption, printJson } from "../common.js";
import { answered, askEach, failureExitCode, failureLines, mergeEvents, mergeHosts, splitJobLine, splitJobs, type ControllerAnswer } from "../fleet/multi.js";
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
    .option(
      "--controller <host:port,...>",
      `controller address, or several separated by commas to ask them all and merge the answers (default: $TRAINSAFE_CONTROLLER, else ${DEFAULT_CONTROLLER})`,
    )
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

/** Addresses from --controller, $TRAINSAFE_CONTROLLER or the default (comma-separated: several); a usage error when malformed. */
export function controllerAddresses(opts: FleetOptions): string[] {
  const text = opts.controller ?? process.env.TRAINSAFE_CONTROLLER ?? DEFAULT_CONTROLLER;
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) throw usageError(`--controller: empty address in "${text}"`);
  const out: string[] = [];
  for (const part of parts) {
    let address: string;
    try {
      address = parseListenAddress(part).address;
    } catch (err) {
      throw usageError(`--controller: ${(err as Error).message}`);
    }
    if (!out.includes(address)) out.push(address);
  }
  return out;
}

/** The one controller of a command that talks to one (a usage error when several are given). */
export function controllerAddress(opts: FleetOptions, command = "this command"): string {
  const all = controllerAddresses(opts);
  if (all.length > 1) throw usageError(`--controller: ${command} talks to one controller; give one address, not ${all.length}`);
  return all[0]!;
}

function callTimeout(opts: FleetOptions): number {
  const callTimeoutMs = opts.timeout !== undefined ? durationOption("--timeout", opts.timeout) : 10_000;
  if (callTimeoutMs <= 0) throw usageError("--timeout must be positive");
  return callTimeoutMs;
}

async function withClientAt<T>(address: string, opts: FleetOptions, fn: (c: FleetClient) => Promise<T>): Promise<T> {
  const client = new FleetClient({ address, callTimeoutMs: callTimeout(opts), ...fleetCredentials(opts) });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

async function withClient<T>(opts: FleetOptions, fn: (c: FleetClient) => Promise<T>, command?: string): Promise<T> {
  return withClientAt(controllerAddress(opts, command), opts, fn);
}

/**
 * What several controllers answered. Each controller that did not answer gets a line on stderr and
 * raises the exit code (3 unreachable, 2 refused); when none answered, the first failure is thrown.
 */
interface Merged<T> {
  readonly values: Array<{ controller: string; value: T }>;
  /** The exit code the failures call for, or null. */
  readonly failureCode: number | null;
}

async function askControllers<T>(addresses: readonly string[], opts: FleetOptions, fn: (c: FleetClient) => Promise<T>): Promise<Merged<T>> {
  callTimeout(opts); // a bad --timeout is a usage error before any call
  const answers: ControllerAnswer<T>[] = await askEach(addresses, (a) => withClientAt(a, opts, fn));
  const values = answered(answers);
  for (const line of failureLines(answers)) process.stderr.write(`trainsafe: ${line}\n`);
  return { values, failureCode: failureExitCode(answers) };
}

/**
 * Jobs whose hosts report to more than one controller, warned on stderr: each controller budgets its
 * part alone, so such a job's restart budget and breaker do not hold. True when there was one.
 */
function warnSplitJobs(hosts: ReadonlyArray<{ controller: string; value: readonly HostSummary[] }>): boolean {
  const split = splitJobs(hosts.map((h) => ({ controller: h.controller, jobIds: h.value.map((x) => ({ jobId: x.jobId, hostId: x.hostId })) })));
  for (const s of split) process.stderr.write(`trainsafe: warning: ${splitJobLine(s)}\n`);
  return split.length > 0;
}

/** Exit code of a merged answer: the failures' code first, then 1 for problems (a split job included). */
function setMergedExit(failureCode: number | null, problems: boolean): void {
  process.exitCode = failureCode ?? (problems ? 1 : 0);
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
  const args = { fix: opts.fix === true, names: (opts.only ?? []).flatMap((s) => s.split(",")).filter(Boolean), reason: opts.reason ?? "" };
  const addresses = controllerAddresses(opts);
  const multi = addresses.length > 1;
  // One controller: it answers for every host, unknown ones included. Several: --all goes to each,
  // a named host to the one controller that knows it (none knows it: "unknown host"; two: ambiguous).
  let plan = new Map<string, string[]>(addresses.map((a) => [a, hosts]));
  let failureCode: number | null = null;
  const outcomes: Array<CommandOutcome & { controller?: string }> = [];
  if (multi) {
    const known = await askControllers(addresses, opts, (c) => c.listHosts());
    failureCode = known.failureCode;
    plan = new Map(all ? known.values.map((k) => [k.controller, []]) : []);
    for (const hostId of hosts) {
      const owners = known.values.filter((k) => k.value.some((h) => h.hostId === hostId)).map((k) => k.controller);
      if (owners.length > 1) throw usageError(`host "${hostId}" is known to ${owners.length} controllers (${owners.join(", ")}): give --controller with the one its agent reports to`);
      if (owners.length === 0) {
        outcomes.push({ hostId, controller: "-", connected: false, durationMs: 0, ok: false, outputJson: "", error: `unknown host (none of ${known.values.map((k) => k.controller).join(", ")} knows it)`, summary: "unknown host", problems: 0 });
        continue;
      }
      plan.set(owners[0]!, [...(plan.get(owners[0]!) ?? []), hostId]);
    }
  }
  let total = 0;
  let progress = createProgress(0);
  const runs = await askEach([...plan.keys()], (address) =>
    withClientAt(address, opts, (client) =>
      client.runCommand(
        { hostIds: plan.get(address)!, all, kind, args, timeoutMs },
        {
          onTargets: (ids) => {
            total += ids.length;
            progress = createProgress(total);
          },
          onOutcome: (o) => progress.tick(o.hostId),
        },
      ),
    ),
  );
  progress.done();
  if (!multi && runs[0] && !runs[0].ok) throw runs[0].error;
  for (const line of failureLines(runs)) process.stderr.write(`trainsafe: ${line}\n`);
  failureCode ??= failureExitCode(runs);
  for (const r of runs) if (r.ok) outcomes.push(...r.value.map((o) => (multi ? { ...o, controller: r.controller } : o)));
  if (opts.json) printJson(outcomes.map(outcomeJson).sort((a, b) => String(a.hostId).localeCompare(String(b.hostId))));
  else process.stdout.write(renderOutcomes(outcomes));
  setMergedExit(failureCode, outcomes.some((o) => outcomeWord(o) !== "ok"));
  return outcomes;
}

/**
 * One host's detail. With several controllers, from the one that knows the host: a host known to none
 * is "unknown host", one known to two is ambiguous (a usage error naming them).
 */
async function hostDetail(host: string, opts: FleetOptions) {
  const addresses = controllerAddresses(opts);
  if (addresses.length === 1) return withClientAt(addresses[0]!, opts, (c) => c.getHost(host));
  const { values, failureCode } = await askControllers(addresses, opts, (c) => c.listHosts());
  const owners = values.filter((v) => v.value.some((h) => h.hostId === host)).map((v) => v.controller);
  if (owners.length > 1) throw usageError(`host "${host}" is known to ${owners.length} controllers (${owners.join(", ")}): give --controller with the one its agent reports to`);
  if (owners.length === 0) {
    if (failureCode !== null) throw new TrainsafeError("unreachable", `host "${host}" is known to none of the controllers that answered (${values.map((v) => v.controller).join(", ")})`);
    throw usageError(`unknown host "${host}" (none of ${values.map((v) => v.controller).join(", ")} knows it)`);
  }
  return { ...(await withClientAt(owners[0]!, opts, (c) => c.getHost(host))), controller: owners[0]! };
}

/** Registers `fleet` and its subcommands. */
export function register(program: Command): void {
  const fleet = program.command("fleet").description("query and command the fleet through the controller");

  fleetOptions(fleet.command("hosts").description("list hosts: job, connected, last seen, daemon state, step, step rate, GPUs")).action(
    async (opts: FleetOptions) => {
      const addresses = controllerAddresses(opts);
      if (addresses.length === 1) {
        const hosts = await withClientAt(addresses[0]!, opts, (c) => c.listHosts());
        if (opts.json) printJson(hosts);
        else process.stdout.write(renderHosts(hosts, Date.now()));
        setExit(false);
        return;
      }
      const { values, failureCode } = await askControllers(addresses, opts, (c) => c.listHosts());
      const hosts = mergeHosts(values);
      if (opts.json) printJson(hosts);
      else process.stdout.write(renderHosts(hosts, Date.now()));
      setMergedExit(failureCode, warnSplitJobs(values));
    },
  );

  fleetOptions(fleet.command("status").argument("<host>", "host id").description("one host: telemetry, crashes, restart decisions, health checks, events")).action(
    async (host: string, opts: FleetOptions) => {
      const detail = await hostDetail(host, opts);
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
    const addresses = controllerAddresses(opts);
    const { values, failureCode } = await askControllers(addresses, opts, async (c) => ({
      incidents: await c.listIncidents(q),
      crashes: await c.listCrashes(q),
      hosts: addresses.length > 1 ? await c.listHosts() : [],
    }));
    const multi = addresses.length > 1;
    const incidents = values
      .flatMap((v) => v.value.incidents.map((i) => (multi ? { ...i, controller: v.controller } : i)))
      .sort((a, b) => b.startMs - a.startMs || a.incidentId.localeCompare(b.incidentId));
    const crashes = multi ? mergeEvents(values.map((v) => ({ controller: v.controller, value: v.value.crashes })), opts.limit ?? 100) : (values[0]?.value.crashes ?? []);
    if (opts.json) printJson({ incidents, crashes });
    else process.stdout.write(`${incidents.length ? `Incidents (origin first):\n\n${renderIncidents(incidents)}\n` : ""}${renderCrashes(crashes)}`);
    const split = multi && warnSplitJobs(values.map((v) => ({ controller: v.controller, value: v.value.hosts })));
    setMergedExit(failureCode, crashes.length > 0 || split);
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
    const addresses = controllerAddresses(opts);
    const multi = addresses.length > 1;
    const { values, failureCode } = await askControllers(addresses, opts, async (c) => ({ events: await c.listEvents(q), hosts: multi ? await c.listHosts() : [] }));
    const events = multi ? mergeEvents(values.map((v) => ({ controller: v.controller, value: v.value.events })), opts.limit ?? 100) : (values[0]?.value.events ?? []);
    if (opts.json) printJson(events);
    else process.stdout.write(renderEvents(events));
    const split = multi && warnSplitJobs(values.map((v) => ({ controller: v.controller, value: v.value.hosts })));
    setMergedExit(failureCode, split);
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
    const addresses = controllerAddresses(opts);
    if (addresses.length === 1) {
      const status = await withClientAt(addresses[0]!, opts, (c) => c.budget());
      if (opts.json) printJson(status);
      else process.stdout.write(renderBudget(status));
      setExit(status.breakers.some((b) => b.open));
      return;
    }
    // Each controller budgets its own jobs: one section (one JSON object) per controller.
    const { values, failureCode } = await askControllers(addresses, opts, async (c) => ({ budget: await c.budget(), hosts: await c.listHosts() }));
    if (opts.json) printJson(values.map((v) => ({ controller: v.controller, ...v.value.budget })));
    else process.stdout.write(values.map((v) => `controller ${v.controller}\n\n${renderBudget(v.value.budget)}`).join("\n"));
    const split = warnSplitJobs(values.map((v) => ({ controller: v.controller, value: v.value.hosts })));
    setMergedExit(failureCode, split || values.some((v) => v.value.budget.breakers.some((b) => b.open)));
  });
  fleetOptions(
    budget
      .command("reset")
      .description("close the open correlated-failure breaker of a signature (default: all open breakers)")
      .option("--signature <sig>", "only this crash signature"),
  ).action(async (_opts: unknown, cmd: Command) => {
    // --controller/--json/--timeout written after `reset` are taken by `budget` too: merge both.
    const opts = cmd.optsWithGlobals<FleetOptions & { signature?: string }>();
    const reset = await withClient(opts, (c) => c.resetBudget(opts.signature), "fleet budget reset");
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
    await withClient(opts, (c) => runTop(c, { intervalMs, once: opts.once === true, json: opts.json === true }), "fleet top");
    setExit(false);
  });
}
