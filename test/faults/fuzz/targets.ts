/**
 * Fuzz targets of the garbage fault: each feeds thousands of generated inputs (fast-check, seeded) to
 * one real reader or parser and fails on anything but a result or the reader's own typed error: an
 * unexpected exception, a call slower than PER_CALL_MS, or a result that breaks the reader's contract.
 * Inputs are mostly mutations of valid files (bit flips, cuts, splices, values swapped for junk), so
 * the fuzzing reaches past the first sanity check. Run through child.ts, one process per target, so a
 * runaway parser is killed by the parent's wall-clock limit instead of hanging the suite.
 */
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { resolveLayout, type Layout } from "../../../agent/config/layout.js";
import { loadSettings, resolveSettings } from "../../../agent/config/settings.js";
import { compileRulesData, classifyLine, loadRules, type CompiledRules } from "../../../agent/crash/rules.js";
import { scanFiles } from "../../../agent/crash/scanner.js";
import { checkCheckpoint, listCheckpointEntries } from "../../../agent/guard/checkpoint.js";
import { checkConfigObject, readConfigFile, validateConfig } from "../../../agent/guard/config.js";
import { verifyResume } from "../../../agent/guard/resume.js";
import { checkSafetensorsBytes } from "../../../agent/guard/safetensors.js";
import { checkZipBytes } from "../../../agent/guard/zip.js";
import { TrainsafeError } from "../../../agent/lib/errors.js";
import { readStatus } from "../../../agent/watchdog/progress.js";
import { loadControllerConfig, resolveControllerConfig } from "../../../controller/config.js";
import { checkpointFiles, exampleConfig, safetensorsBytes, torchSaveBytes, zipBytes } from "../../helpers/checkpoints.js";

/** Longest a single call may take. The slowest readers here take a few ms on the 2-core CI machine. */
export const PER_CALL_MS = 2_000;

export interface TargetResult {
  target: string;
  runs: number;
  /** Inputs the reader accepted / refused with its own error or finding. */
  accepted: number;
  refused: number;
  maxCallMs: number;
  durationMs: number;
  failure?: string;
}

interface Ctx {
  readonly dir: string;
  readonly seed: number;
  readonly scale: number;
}

type Target = (ctx: Ctx, tally: Tally) => Promise<void>;

class Tally {
  runs = 0;
  accepted = 0;
  refused = 0;
  maxCallMs = 0;

  /** Times one call; fails it past PER_CALL_MS (an async call is abandoned at the deadline). */
  async time<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
    this.runs++;
    const t0 = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PER_CALL_MS} ms (hang)`)), PER_CALL_MS);
      });
      return await Promise.race([Promise.resolve().then(fn), deadline]);
    } finally {
      clearTimeout(timer);
      const ms = performance.now() - t0;
      this.maxCallMs = Math.max(this.maxCallMs, ms);
      if (ms > PER_CALL_MS) throw new Error(`${what}: took ${Math.round(ms)} ms (limit ${PER_CALL_MS})`);
    }
  }
}

// ---------- generators ----------

/** Values that break naive parsers: wrong types, unit junk, huge and negative numbers, deep nesting. */
const nasty = fc.constantFrom<unknown>(
  -1, 0, -0, 1e308, -1e308, 2 ** 53 + 1, 0.5, 1e-300, 4294967296,
  "", " ", "5m", "-5m", "5 m", "5mm", "1h30", "0x10", "1e3", "NaN", "Infinity", "\u0000", "ms", "\uFFFD\uD800",
  "9".repeat(400), "99999999999999999999999d", `${"9".repeat(400)}ms`, "1.5.5GB", "4GiB", "-4GiB", "50 GB", "1e400GB",
  "127.0.0.1:99999", "[::1]:7700", "host:", ":7700", "a".repeat(70_000),
  true, false, null, [], {}, [[[[[]]]]], { __proto__: { polluted: 1 } }, JSON.parse('{"__proto__":{"polluted":1}}'),
  { constructor: { prototype: { polluted: 1 } } },
);

const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: nasty },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
);

/** Every path (list of keys) into a JSON value, the root included. */
function paths(v: unknown, prefix: string[] = [], out: string[][] = []): string[][] {
  out.push(prefix);
  if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) paths(c, [...prefix, k], out);
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** A valid object with 1-4 edits: a value swapped for junk, a key removed, an unknown key added. */
function mutatedObject(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const all = paths(valid).filter((p) => p.length > 0);
  const edit = fc.record({
    op: fc.constantFrom("set", "set", "set", "delete", "add"),
    at: fc.nat({ max: all.length - 1 }),
    key: fc.oneof(fc.constantFrom("__proto__", "constructor", "unknownKey", "", " "), fc.string({ maxLength: 12 })),
    value: junkValue,
  });
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let root: unknown = clone(valid);
    for (const e of edits) {
      const p = all[e.at]!;
      if (p.length === 0) continue;
      let parent: unknown = root;
      for (const k of p.slice(0, -1)) parent = parent && typeof parent === "object" ? (parent as Record<string, unknown>)[k] : undefined;
      if (!parent || typeof parent !== "object") continue;
      const obj = parent as Record<string, unknown>;
      const last = p[p.length - 1]!;
      // A copy per edit: the generators hand out shared instances ({} and [] constants), and a later
      // edit writing into one would otherwise make the object contain itself.
      const value = structuredClone(e.value);
      if (e.op === "set") obj[last] = value;
      else if (e.op === "delete") delete obj[last];
      else Object.defineProperty(obj, e.key, { value, enumerable: true, writable: true, configurable: true });
    }
    if (edits.length === 4 && edits[0]!.op === "add") root = structuredClone(edits[0]!.value); // sometimes not an object at all
    return root;
  });
}

/** Bytes of a valid file with 1-4 byte-level mutations (flip, set, cut, insert, delete, duplicate). */
function mutatedBytes(valid: Uint8Array): fc.Arbitrary<Uint8Array> {
  const op = fc.record({
    kind: fc.constantFrom("flip", "set", "cut", "insert", "delete", "dup", "len"),
    at: fc.nat(),
    bit: fc.integer({ min: 0, max: 7 }),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
    len: fc.nat({ max: 64 }),
  });
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => {
    let b = Buffer.from(valid);
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length;
      switch (o.kind) {
        case "flip":
          if (b.length) b[at] = b[at]! ^ (1 << o.bit);
          break;
        case "set":
          if (b.length) b[at] = o.bytes[0]!;
          break;
        case "cut":
          b = b.subarray(0, at);
          break;
        case "insert":
          b = Buffer.concat([b.subarray(0, at), o.bytes, b.subarray(at)]);
          break;
        case "delete":
          b = Buffer.concat([b.subarray(0, at), b.subarray(at + o.len)]);
          break;
        case "dup":
          b = Buffer.concat([b.subarray(0, at + o.len), b.subarray(at)]);
          break;
        case "len":
          // Overwrite 8 bytes with a little-endian length: the fields that size everything else.
          if (b.length >= 8) {
            const v = [0n, 1n, 0xffffffffn, 0xffffffffffffffffn, BigInt(b.length), BigInt(o.len)][o.bit % 6]!;
            b.writeBigUInt64LE(v, Math.min(at, b.length - 8));
          }
          break;
      }
    }
    return new Uint8Array(b);
  });
}

/** Text of a JSON value, or bytes: what a file would hold. */
function fileContent(valid: Record<string, unknown>): fc.Arbitrary<string | Uint8Array> {
  const text = Buffer.from(JSON.stringify(valid, null, 2));
  return fc.oneof(
    { weight: 4, arbitrary: mutatedObject(valid).map((v) => (v === undefined ? "" : JSON.stringify(v) ?? "")) },
    { weight: 3, arbitrary: mutatedBytes(text) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 2000 }) },
    { weight: 1, arbitrary: fc.constantFrom<string | Uint8Array>("", "{", "[".repeat(100_000) + "]".repeat(100_000), '{"a":' + "[".repeat(5_000), "\uFEFF{}", "null", "[]", "0", '"x"', "{}{}") },
  );
}

const runs = (ctx: Ctx, n: number) => ({ seed: ctx.seed, numRuns: Math.max(1, Math.round(n * ctx.scale)), endOnFailure: true });

function isTyped(err: unknown, kinds: string[]): boolean {
  return err instanceof TrainsafeError && kinds.includes(err.kind);
}

/** Every duration/size a resolved object holds (fields named ...Ms / ...Bytes, or known ones) is a finite non-negative number. */
function assertFiniteNumbers(v: unknown, where: string): void {
  if (typeof v === "number") {
    assert.ok(Number.isFinite(v), `${where} is ${v}`);
    return;
  }
  if (v && typeof v === "object") for (const [k, c] of Object.entries(v)) assertFiniteNumbers(c, `${where}.${k}`);
}

// ---------- targets ----------

const validSettings = {
  baseDir: "/srv/training",
  hostId: "gpu-01",
  jobId: "job-1",
  paths: { statusFile: "status/training_status.json", logsDir: "logs" },
  checks: { minDiskFree: "50GB", minMemoryAvailable: "4GiB", maxCheckpointAge: "24h", checkTimeout: "10s", expectGpus: true, expectedGpuCount: 8, maxGpuTemperatureC: 85, nvidiaSmi: "nvidia-smi" },
  crash: { lastNLines: 1000, maxHistoryEntries: 500 },
  watchdog: {
    livenessPoll: "250ms", checkInterval: "30s", trainingTimeout: "15m", evalTimeout: "30m", checkpointTimeout: "30m",
    evalPhaseWords: ["eval"], adaptive: { enabled: true, minSteps: 20, multiplier: 10, floor: "2m" },
    killGrace: "10s", maxKillAttempts: 3, maxRestarts: 3, restartWindow: "5m", backoffInitial: "10s", backoffMax: "5m", healthyReset: "10m",
    daemonCommand: ["python3", "core/training_daemon.py"], daemonPattern: "training_daemon", hangReportTimeout: "10s", cpuSample: "500ms", minDiskFreeForRestart: "10GB",
  },
  agent: { controller: "127.0.0.1:7700", telemetryInterval: "10s", healthCheckInterval: "5m", grantDeadline: "2s", reconnectInitial: "500ms", reconnectMax: "30s" },
};

const validControllerConfig = {
  listen: "127.0.0.1:7700",
  stateDir: "state",
  maxMessageSize: "4MB",
  httpPort: 9464,
  shutdownGrace: "5s",
  budget: { hostMaxRestarts: 3, hostWindow: "5m", backoffInitial: "10s", backoffMax: "5m", healthyReset: "10m", jobCoalesceWindow: "2m", fleetMaxRestarts: 50, fleetWindow: "10m", breakerThreshold: 5, breakerWindow: "10m" },
  telemetry: { keepRawFor: "1h", downsampleTo: "1m", retention: "7d", pruneInterval: "5m" },
  commands: { defaultTimeout: "1m", maxTimeout: "10m" },
  store: { synchronous: "normal", busyTimeout: "5s" },
};

const validStatus = { current_step: 1200, total_steps: 100000, phase: "training", loss: 1.25, updated_at: "2026-01-01T00:00:00Z" };

function freshBaseDir(ctx: Ctx, name: string): Layout {
  const base = path.join(ctx.dir, name);
  fs.rmSync(base, { recursive: true, force: true });
  for (const d of ["current_model", "status", "logs"]) fs.mkdirSync(path.join(base, d), { recursive: true });
  return resolveLayout(base);
}

export const TARGETS: Record<string, Target> = {
  /** Agent settings: resolveSettings on mutated objects, loadSettings on mutated files. */
  "agent-settings": async (ctx, tally) => {
    await fc.assert(
      fc.asyncProperty(mutatedObject(validSettings), async (raw) => {
        try {
          const s = await tally.time("resolveSettings", () => resolveSettings(raw, { source: "fuzz.json" }));
          assertFiniteNumbers({ checks: s.checks, watchdog: s.watchdog, agent: s.agent }, "settings");
          tally.accepted++;
        } catch (err) {
          if (!isTyped(err, ["config"])) throw err;
          assert.match((err as Error).message, /^fuzz\.json/, "the error names the file");
          tally.refused++;
        }
      }),
      runs(ctx, 3000),
    );
    const file = path.join(ctx.dir, "agent.json");
    await fc.assert(
      fc.asyncProperty(fileContent(validSettings), async (content) => {
        fs.writeFileSync(file, content);
        try {
          await tally.time("loadSettings", () => loadSettings({ file }));
          tally.accepted++;
        } catch (err) {
          if (!isTyped(err, ["config"])) throw err;
          assert.ok((err as Error).message.startsWith(file), `the error names the file: ${(err as Error).message.slice(0, 200)}`);
          tally.refused++;
        }
      }),
      runs(ctx, 1000),
    );
  },

  /** Controller config: resolveControllerConfig on mutated objects, loadControllerConfig on mutated files. */
  "controller-config": async (ctx, tally) => {
    await fc.assert(
      fc.asyncProperty(mutatedObject(validControllerConfig), async (raw) => {
        try {
          const c = await tally.time("resolveControllerConfig", () => resolveControllerConfig(raw, { source: "controller.json", baseDir: ctx.dir }));
          assertFiniteNumbers({ budget: c.budget, telemetry: c.telemetry, commands: c.commands, port: c.listen.port, max: c.maxMessageBytes }, "controller");
          tally.accepted++;
        } catch (err) {
          if (!isTyped(err, ["config"])) throw err;
          tally.refused++;
        }
      }),
      runs(ctx, 3000),
    );
    const file = path.join(ctx.dir, "controller.json");
    await fc.assert(
      fc.asyncProperty(fileContent(validControllerConfig), async (content) => {
        fs.writeFileSync(file, content);
        try {
          await tally.time("loadControllerConfig", () => loadControllerConfig(file));
          tally.accepted++;
        } catch (err) {
          if (!isTyped(err, ["config"])) throw err;
          assert.ok((err as Error).message.startsWith(file), "the error names the file");
          tally.refused++;
        }
      }),
      runs(ctx, 1000),
    );
  },

  /** Training config.json: checkConfigObject (pure), then readConfigFile and validateConfig on files. */
  "training-config": async (ctx, tally) => {
    const valid = exampleConfig({ lora: { enabled: false, r: 8 } });
    const layout = freshBaseDir(ctx, "training-config");
    await fc.assert(
      fc.asyncProperty(mutatedObject(valid), async (raw) => {
        const r = await tally.time("checkConfigObject", () => checkConfigObject(raw, { baseDir: layout.baseDir, modelDir: layout.modelDir }));
        for (const p of [...r.errors, ...r.warnings]) assert.equal(typeof p.message, "string");
        if (r.errors.length) tally.refused++;
        else tally.accepted++;
      }),
      runs(ctx, 3000),
    );
    await fc.assert(
      fc.asyncProperty(fileContent(valid), async (content) => {
        fs.writeFileSync(layout.configFile, content);
        const read = await tally.time("readConfigFile", () => readConfigFile(layout.configFile));
        const report = await tally.time("validateConfig", () => validateConfig(layout));
        assert.equal(typeof report.ok, "boolean");
        if (!read.ok) assert.equal(report.ok, false, "an unreadable config never validates");
        if (report.ok) tally.accepted++;
        else tally.refused++;
      }),
      runs(ctx, 800),
    );
  },

  /** status/training_status.json: readStatus on mutated files. */
  status: async (ctx, tally) => {
    const file = path.join(ctx.dir, "training_status.json");
    await fc.assert(
      fc.asyncProperty(fileContent(validStatus), fc.constantFrom("phase", "status", "__proto__", ""), async (content, field) => {
        fs.writeFileSync(file, content);
        const r = await tally.time("readStatus", () => readStatus(file, field));
        if (r.ok) {
          assert.ok(r.sample.step === null || (Number.isFinite(r.sample.step) && r.sample.step >= 0), `step ${r.sample.step}`);
          assert.ok(r.sample.phaseText === null || typeof r.sample.phaseText === "string");
          tally.accepted++;
        } else {
          assert.ok(r.message.startsWith(file), "the failure names the file");
          tally.refused++;
        }
      }),
      runs(ctx, 3000),
    );
  },

  /**
   * Checkpoints: trainer_state.json mutated inside an otherwise valid checkpoint (checkCheckpoint), then
   * whole checkpoint folders with every file mutated (verifyResume).
   */
  checkpoints: async (ctx, tally) => {
    const layout = freshBaseDir(ctx, "checkpoints");
    fs.writeFileSync(layout.configFile, JSON.stringify(exampleConfig()));
    const files = checkpointFiles({ step: 500 });
    const dir = path.join(layout.modelDir, "checkpoint-500");
    fs.mkdirSync(dir, { recursive: true });
    for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), d);
    const state = JSON.parse(String(files["trainer_state.json"])) as Record<string, unknown>;
    const [entry] = (await listCheckpointEntries(layout.modelDir)).entries;
    assert.ok(entry);
    const good = await checkCheckpoint(entry, "full");
    assert.equal(good.complete, true, `the unmutated checkpoint is complete: ${good.problems.join("; ")}`);
    await fc.assert(
      fc.asyncProperty(fileContent(state), async (content) => {
        fs.writeFileSync(path.join(dir, "trainer_state.json"), content);
        const c = await tally.time("checkCheckpoint", () => checkCheckpoint(entry, "full"));
        assert.equal(c.complete, c.problems.length === 0);
        for (const p of c.problems) assert.ok(p.startsWith("checkpoint-500"), `problem names the checkpoint: ${p.slice(0, 120)}`);
        if (c.complete) tally.accepted++;
        else tally.refused++;
      }),
      runs(ctx, 2000),
    );
    const names = Object.keys(files);
    const fileArb = fc.constantFrom(...names);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ name: fileArb, content: fc.uint8Array({ maxLength: 64 }), seed: fc.nat() }), { maxLength: 4 }),
        fc.array(fc.constantFrom("checkpoint-0", "checkpoint-10", "checkpoint-99999999999999999999", "checkpoint-x", "checkpoint-", "checkpoint-500"), { maxLength: 3 }),
        async (edits, extra) => {
          for (const [n, d] of Object.entries(files)) fs.writeFileSync(path.join(dir, n), d);
          for (const e of edits) {
            const orig = Buffer.from(files[e.name]!);
            // Half the edits splice junk into the real file, half replace it.
            const at = orig.length ? e.seed % orig.length : 0;
            fs.writeFileSync(path.join(dir, e.name), e.seed % 2 ? Buffer.concat([orig.subarray(0, at), e.content]) : e.content);
          }
          for (const x of extra) if (x !== "checkpoint-500") fs.mkdirSync(path.join(layout.modelDir, x), { recursive: true });
          const r = await tally.time("verifyResume", () => verifyResume(layout));
          assert.equal(typeof r.ok, "boolean");
          assert.ok(Array.isArray(r.problems));
          for (const x of extra) if (x !== "checkpoint-500") fs.rmSync(path.join(layout.modelDir, x), { recursive: true, force: true });
          if (r.ok) tally.accepted++;
          else tally.refused++;
        },
      ),
      runs(ctx, 400),
    );
  },

  /** Safetensors headers: random bytes, mutated valid files, and structured junk headers. */
  safetensors: async (ctx, tally) => {
    const valid = safetensorsBytes([
      { name: "a", dtype: "BF16", shape: [4, 8] },
      { name: "b", dtype: "F32", shape: [3] },
      { name: "c", dtype: "I64", shape: [] },
    ]);
    assert.equal((await checkSafetensorsBytes(valid)).ok, true, "the unmutated file passes");
    const header = fc.dictionary(
      fc.oneof(fc.constantFrom("__metadata__", "a", ""), fc.string({ maxLength: 8 })),
      fc.oneof(
        fc.record({ dtype: fc.oneof(fc.constantFrom("F32", "BF16", "F4", "F6_E2M3", "X"), junkValue), shape: fc.oneof(fc.array(fc.oneof(fc.nat(), fc.integer(), fc.constant(2 ** 60)), { maxLength: 4 }), junkValue), data_offsets: fc.oneof(fc.tuple(fc.nat(), fc.nat()), fc.array(fc.oneof(fc.integer(), fc.double()), { maxLength: 3 }), junkValue) }),
        junkValue,
      ),
      { maxKeys: 6 },
    );
    const structured = fc.tuple(header, fc.nat({ max: 512 })).map(([h, data]) => {
      const json = Buffer.from(JSON.stringify(h));
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      return new Uint8Array(Buffer.concat([len, json, Buffer.alloc(data)]));
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutatedBytes(valid), mutatedBytes(valid), structured), async (bytes) => {
        const r = await tally.time("checkSafetensorsBytes", () => checkSafetensorsBytes(bytes));
        assert.equal(r.ok, r.problems.length === 0);
        assert.ok(r.problems.length <= 13, "problems are capped");
        if (r.ok) tally.accepted++;
        else tally.refused++;
      }),
      runs(ctx, 5000),
    );
  },

  /** Zip archives (optimizer.pt and friends): random bytes and mutated valid archives, zip64 included. */
  zip: async (ctx, tally) => {
    const torch = torchSaveBytes({ state: { "0": { step: 1 } }, param_groups: [{ lr: 1e-5 }] }, [new Uint8Array(64)]);
    const stored = zipBytes([{ name: "a/data.pkl", data: new Uint8Array(40) }, { name: "a/version", data: Buffer.from("3\n") }]);
    const z64 = zipBytes([{ name: "a/data.pkl", data: new Uint8Array(10) }], { zip64: true });
    for (const v of [torch, stored]) assert.equal((await checkZipBytes(v)).ok, true, "the unmutated archive passes");
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 600 }), mutatedBytes(torch), mutatedBytes(stored), mutatedBytes(z64)), async (bytes) => {
        const r = await tally.time("checkZipBytes", () => checkZipBytes(bytes));
        assert.equal(r.ok, r.problems.length === 0);
        assert.equal(r.entryNames.length, r.ok ? r.entryCount : r.entryNames.length);
        if (r.ok) tally.accepted++;
        else tally.refused++;
      }),
      runs(ctx, 5000),
    );
  },

  /** Log lines through the shipped rules (classifyLine), and whole junk log files through scanFiles. */
  "log-lines": async (ctx, tally) => {
    const rules: CompiledRules = await loadRules();
    // Lines of the real crash logs kept as rule fixtures: mutations of these reach the rules' patterns.
    const fixturesDir = path.join(import.meta.dirname, "..", "..", "fixtures", "crash");
    const real: string[] = [];
    for (const f of fs.readdirSync(fixturesDir, { recursive: true }) as string[]) {
      if (!f.endsWith(".log")) continue;
      for (const l of fs.readFileSync(path.join(fixturesDir, f), "latin1").split("\n")) if (l.trim().length > 10 && l.length < 2000) real.push(l);
    }
    real.push("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB", "RuntimeError: NCCL error in: ../torch/csrc/distributed/c10d/ProcessGroupNCCL.cpp:1970, unhandled system error");
    const realLine = fc.constantFrom(...real);
    const line = fc.oneof(
      { weight: 3, arbitrary: realLine.chain((l) => mutatedBytes(Buffer.from(l)).map((b) => Buffer.from(b).toString("latin1"))) },
      { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 300 }) },
      { weight: 1, arbitrary: fc.tuple(realLine, fc.nat({ max: 60_000 })).map(([l, n]) => `${"A".repeat(n)}${l}${" ".repeat(n % 5000)}`) },
      { weight: 1, arbitrary: fc.tuple(realLine, fc.nat({ max: 20 })).map(([l, n]) => `${"\r".repeat(n)}${l}\x1b[31m\u0000${l}`.repeat(n + 1)) },
      { weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => "(".repeat(n) + "a".repeat(n) + "error: ".repeat(n % 100)) },
    );
    await fc.assert(
      fc.asyncProperty(line, async (l) => {
        const m = await tally.time("classifyLine", () => classifyLine(rules, l));
        if (m) {
          assert.equal(typeof m.rule.category, "string");
          tally.accepted++;
        } else tally.refused++;
      }),
      runs(ctx, 5000),
    );
    // Junk rules files must be refused with a config error, never crash the compiler.
    const rulesFile = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, "..", "..", "..", "agent", "crash", "rules.json"), "utf8")) as Record<string, unknown>;
    await fc.assert(
      fc.asyncProperty(mutatedObject(rulesFile), async (raw) => {
        try {
          await tally.time("compileRulesData", () => compileRulesData(raw, "rules.json"));
          tally.accepted++;
        } catch (err) {
          if (!isTyped(err, ["config"])) throw err;
          tally.refused++;
        }
      }),
      runs(ctx, 500),
    );
    const logFile = path.join(ctx.dir, "train.log");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(line, fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString("latin1"))), { maxLength: 40 }), fc.boolean(), async (lines, all) => {
        fs.writeFileSync(logFile, Buffer.from(lines.join("\n"), "latin1"));
        const r = await tally.time("scanFiles", () => scanFiles([logFile], { rules, ...(all ? { all: true } : { lastNLines: 20 }) }));
        assert.ok(Array.isArray(r.findings));
        if (r.findings.length) tally.accepted++;
        else tally.refused++;
      }),
      runs(ctx, 500),
    );
  },
};

/** Runs one target; never throws (a failure is reported in the result). */
export async function runTarget(name: string, ctx: Ctx): Promise<TargetResult> {
  const t0 = Date.now();
  const tally = new Tally();
  const target = TARGETS[name];
  let failure: string | undefined;
  if (!target) failure = `unknown target ${name}`;
  else {
    try {
      await target(ctx, tally);
    } catch (err) {
      // fast-check puts the counterexample (which may be a whole rules file) before the error it raised:
      // keep the head and the tail so both the input's start and the error reach the report.
      const cause = err instanceof Error && err.cause instanceof Error ? `\nCaused by: ${err.cause.stack ?? err.cause.message}` : "";
      const text = (err instanceof Error ? err.stack ?? err.message : String(err)) + cause;
      failure = text.length <= 4000 ? text : `${text.slice(0, 1500)}\n[... ${text.length - 4000} characters left out ...]\n${text.slice(-2500)}`;
    }
  }
  return { target: name, runs: tally.runs, accepted: tally.accepted, refused: tally.refused, maxCallMs: Math.round(tally.maxCallMs), durationMs: Date.now() - t0, ...(failure ? { failure } : {}) };
}
