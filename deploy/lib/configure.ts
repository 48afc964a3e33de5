/**
 * Writes an installer's per-host settings into an agent settings file and validates the result with
 * the agent's own schema, so install.sh never leaves a file the agent would refuse. Only the named
 * fields change; everything else in the file (and its key order) stays as the operator left it.
 *
 *   node --import tsx deploy/lib/configure.ts agent FILE [--base-dir DIR] [--host-id ID] [--job-id ID]
 *        [--controller HOST:PORT] [--state-dir DIR] [--init]
 *        sets fields; prints the resolved baseDir and, on a second line, agent.stateDir
 *   node --import tsx deploy/lib/configure.ts controller FILE   validates, prints the resolved stateDir
 */
import { promises as fsp } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { z } from "zod";
import { describeError, TrainsafeError, usageError } from "../../agent/lib/errors.js";
import { loadJsonFile, writeFileAtomic } from "../../agent/lib/files.js";
import { resolveSettings, type Settings } from "../../agent/config/settings.js";

/** Per-host values an installer writes into agent.json; absent fields are left as they are. */
export interface AgentInstallOptions {
  readonly baseDir?: string;
  readonly hostId?: string;
  readonly jobId?: string;
  readonly controller?: string;
  readonly stateDir?: string;
  /**
   * Start over from an example file: drop its per-host placeholders (baseDir, hostId, jobId,
   * agent.controller) before setting the given values, so none of them survives into a real host.
   */
  readonly init?: boolean;
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ADDRESS = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):(\d{1,5})$/;

/** Checks installer options before anything is written; errors name the option. */
export function checkAgentInstallOptions(opts: AgentInstallOptions): void {
  for (const [name, value] of [["--host-id", opts.hostId], ["--job-id", opts.jobId]] as const) {
    if (value !== undefined && !ID.test(value)) {
      throw usageError(`${name} "${value}": use letters, digits, '.', '_' and '-' (at most 63, starting with a letter or digit)`);
    }
  }
  if (opts.controller !== undefined) {
    const m = ADDRESS.exec(opts.controller);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65_535) {
      throw usageError(`--controller "${opts.controller}": use host:port, e.g. trainsafe-ctl:7700`);
    }
  }
  for (const [name, value] of [["--base-dir", opts.baseDir], ["--state-dir", opts.stateDir]] as const) {
    if (value !== undefined && (!path.isAbsolute(value) || /[\s"\\%]/.test(value))) {
      throw usageError(`${name} "${value}": use an absolute path without spaces, quotes, backslashes or '%'`);
    }
  }
}

/** Returns `raw` with the given options set, keys in their original order (a new object). */
export function applyAgentOptions(raw: Readonly<Record<string, unknown>>, opts: AgentInstallOptions): Record<string, unknown> {
  const top = withFields(raw, { baseDir: opts.baseDir, hostId: opts.hostId, jobId: opts.jobId }, opts.init === true);
  const agentRaw = top.agent && typeof top.agent === "object" && !Array.isArray(top.agent) ? (top.agent as Record<string, unknown>) : {};
  const agent = withFields(agentRaw, { controller: opts.controller, stateDir: opts.stateDir }, opts.init === true, ["controller"]);
  if (Object.keys(agent).length > 0 || "agent" in top) top.agent = agent;
  return top;
}

/**
 * Copy of `obj` with `values` set in place (new keys appended); with `init`, the placeholder keys
 * (all of `values`' keys, or `placeholders`) that get no value are dropped.
 */
function withFields(
  obj: Readonly<Record<string, unknown>>,
  values: Record<string, string | undefined>,
  init: boolean,
  placeholders: string[] = Object.keys(values),
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (values[key] !== undefined) out[key] = values[key];
    else if (!(init && placeholders.includes(key))) out[key] = structuredClone(value);
  }
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && !(key in out)) out[key] = value;
  }
  return out;
}

/**
 * Applies `opts` to the agent settings `file`, validates the result and, only if something changed,
 * replaces the file atomically keeping its mode. Returns the resolved settings.
 */
export async function configureAgentFile(file: string, opts: AgentInstallOptions): Promise<Settings> {
  checkAgentInstallOptions(opts);
  const raw = await loadJsonFile(file, z.record(z.string(), z.unknown()));
  const next = applyAgentOptions(raw, opts);
  const settings = resolveSettings(next, { source: file });
  if (JSON.stringify(next) !== JSON.stringify(raw)) {
    const mode = (await fsp.stat(file)).mode & 0o7777;
    await writeFileAtomic(file, JSON.stringify(next, null, 2) + "\n", mode);
    await fsp.chmod(file, mode);
  }
  return settings;
}

/** Validates a controller settings file with the controller's schema; returns its resolved stateDir. */
export async function checkControllerFile(file: string): Promise<string> {
  const { loadControllerConfig } = await import("../../controller/config.js");
  return (await loadControllerConfig(file)).stateDir;
}

async function main(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      "base-dir": { type: "string" },
      "host-id": { type: "string" },
      "job-id": { type: "string" },
      controller: { type: "string" },
      "state-dir": { type: "string" },
      init: { type: "boolean" },
    },
  });
  const [what, file, ...rest] = positionals;
  if (!file || rest.length > 0) throw usageError("usage: configure.ts agent|controller FILE [options]");
  if (what === "agent") {
    const settings = await configureAgentFile(file, {
      baseDir: values["base-dir"],
      hostId: values["host-id"],
      jobId: values["job-id"],
      controller: values.controller,
      stateDir: values["state-dir"],
      init: values.init,
    });
    // Line 1: the training directory; line 2: the agent's state folder as written (may be empty).
    process.stdout.write(`${settings.layout.baseDir}\n${settings.agent.stateDir ?? ""}\n`);
  } else if (what === "controller") {
    process.stdout.write(`${await checkControllerFile(file)}\n`);
  } else {
    throw usageError(`unknown target "${what ?? ""}" (agent or controller)`);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`${describeError(err)}\n`);
    const badArgs = String((err as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS");
    process.exitCode = badArgs || (err instanceof TrainsafeError && err.kind !== "internal") ? 2 : 1;
  });
}
