/**
 * The local commands check the common case of their input by hand and leave the rest to zod (issue 13
 * item 2: zod off the start path). A hand-written check may only ever vouch for input the zod schema
 * passes, and must then give exactly what zod gives (values, keys and their order): random inputs,
 * valid and not, are run through both. Each property also counts the inputs the check vouched for, so
 * that a check that vouches for nothing (and would pass trivially) fails.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fastSettings, resolveSettings, settingsSchema } from "../agent/config/settings.js";
import { entrySchema } from "../agent/crash/history.js";
import { trainerStateSchema } from "../agent/guard/checkpoint.js";
import { checkConfigObject, configFieldsOk, configSchema, lockSchema } from "../agent/guard/config.js";
import { identitySchema, launchSchema } from "../agent/lib/daemon.js";
import { jsonObject, UNUSUAL, type LazySchema } from "../agent/lib/schema.js";

const RUNS = 600;
/** What the value reads back as from a JSON file (files are what these checks see). */
const asJson = (v: unknown): unknown => JSON.parse(JSON.stringify(v) ?? "null");

/** Values of every JSON type, biased towards what settings and state files hold (and the edges of their checks). */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(0, -0, 1, -1, 0.5, 2, 3.7, 42, 1000, 1e21, -5, 2 ** 53, 85, 100),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -10, max: 100_000 }),
  fc.constantFrom("", "x", "5m", "500ms", "1h30m", "10", "junk", "50GB", "4GiB", "auto", "hf", "seed", "scan", "legacy", "   ", "eval"),
  fc.string({ maxLength: 8 }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  fc.dictionary(fc.constantFrom("a", "b", "enabled", "r", "x"), fc.oneof(fc.string({ maxLength: 3 }), fc.integer(), fc.boolean()), { maxKeys: 3 }),
);

/**
 * An object with some of `keys`: either all of `valueFor`'s values (the check should vouch for most of
 * these), or mixed with values of any type and sometimes an unknown key (zod should refuse most of these).
 */
function objectOf(keys: readonly string[], valueFor: (key: string) => fc.Arbitrary<unknown> = () => anyValue): fc.Arbitrary<Record<string, unknown>> {
  const build = (noisy: boolean) => {
    const entries = keys.map((k) => fc.option(fc.tuple(fc.constant(k), noisy ? fc.oneof({ weight: 4, arbitrary: valueFor(k) }, { weight: 1, arbitrary: anyValue }) : valueFor(k)), { freq: 2 }));
    return fc
      .tuple(fc.tuple(...entries), noisy ? fc.option(fc.tuple(fc.constantFrom("unknownKey", "_note", "lr"), anyValue), { freq: 5 }) : fc.constant(null))
      .map(([picked, extra]) => Object.fromEntries([...picked.filter((e): e is [string, unknown] => e !== null), ...(extra ? [extra] : [])]));
  };
  return fc.oneof(build(false), build(true));
}

/** Runs `check` (UNUSUAL or the parsed value) against zod on `arb`; returns how many inputs it vouched for. */
function agrees(arb: fc.Arbitrary<unknown>, check: (raw: unknown) => unknown, schema: { safeParse(raw: unknown): { success: boolean; data?: unknown } }): number {
  let vouched = 0;
  fc.assert(
    fc.property(arb, (raw) => {
      const mine = check(raw);
      if (mine === UNUSUAL) return;
      vouched++;
      const ref = schema.safeParse(raw);
      assert.ok(ref.success, `vouched for ${JSON.stringify(raw)}, which zod refuses`);
      assert.deepStrictEqual(mine, ref.data);
      assert.equal(JSON.stringify(mine), JSON.stringify(ref.data), "key order");
    }),
    { numRuns: RUNS },
  );
  return vouched;
}

function lazyAgrees<T>(arb: fc.Arbitrary<unknown>, v: LazySchema<T>): number {
  return agrees(arb, (raw) => v.fast(raw), v.schema());
}

// Valid values per settings field, by the kind of its check: most generated fields are valid, so the
// check vouches for a good share of whole settings objects.
const durations = fc.oneof(fc.constantFrom("5m", "500ms", "1h30m", "10", 0, 2.5), fc.nat({ max: 10_000 }));
const sizes = fc.oneof(fc.constantFrom("50GB", "4GiB", "512", 0), fc.nat());
const posInt = fc.integer({ min: 1, max: 10_000 });
const strings = fc.array(fc.string({ maxLength: 5 }), { minLength: 1, maxLength: 3 });
const SETTING_VALUES: Record<string, fc.Arbitrary<unknown>> = {
  layout: fc.constantFrom("seed", "hf", "auto"),
  trainingConfig: fc.string({ minLength: 1, maxLength: 6 }),
  minDiskFree: sizes,
  minMemoryAvailable: sizes,
  maxLogDirSize: sizes,
  minDiskFreeForRestart: sizes,
  expectGpus: fc.boolean(),
  expectedGpuCount: fc.nat({ max: 16 }),
  maxGpuTemperatureC: fc.double({ min: 1, max: 120, noNaN: true }),
  nvidiaSmi: fc.string({ minLength: 1, maxLength: 6 }),
  kernelLog: fc.string({ minLength: 1, maxLength: 6 }),
  lspci: fc.string({ minLength: 1, maxLength: 6 }),
  lastNLines: posInt,
  maxHistoryEntries: posInt,
  maxKillAttempts: posInt,
  maxRestarts: fc.nat({ max: 10 }),
  evalPhaseWords: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  checkpointPhaseWords: fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  daemonCommand: strings,
  insecure: fc.boolean(),
  enabled: fc.boolean(),
  minSteps: posInt,
  multiplier: fc.double({ min: 0.5, max: 50, noNaN: true }),
};
const isStringField = (k: string) => /^(baseDir|hostId|jobId|rulesFile|phaseField|daemonPattern|controller|stateDir)$/.test(k) || k.endsWith("File") || k.endsWith("Dir") || k.endsWith("Log") || k.endsWith("Script");
const settingValue = (k: string): fc.Arbitrary<unknown> => SETTING_VALUES[k] ?? (isStringField(k) ? fc.string({ maxLength: 6 }) : durations);

/** The keys of a zod object schema's shape (through .prefault / .optional wrappers). */
function shapeKeys(schema: unknown): Record<string, unknown> {
  let s = schema as { shape?: Record<string, unknown>; _zod?: { def: { innerType?: unknown } } };
  while (!s.shape && s._zod?.def.innerType) s = s._zod.def.innerType as typeof s;
  return s.shape ?? {};
}

const settingsArb: fc.Arbitrary<unknown> = fc.constant(null).chain(() => {
  const top = shapeKeys(settingsSchema());
  const section = (name: string) => {
    const keys = Object.keys(shapeKeys(top[name]));
    const adaptive = objectOf(Object.keys(shapeKeys(shapeKeys(top.watchdog).adaptive)), settingValue);
    return objectOf(keys, (k) => (k === "adaptive" ? adaptive : k === "tls" ? fc.record({ ca: fc.constantFrom("ca.pem", ""), cert: fc.constant("c.pem"), key: fc.constant("k.pem"), serverName: fc.constant("ctl"), reloadInterval: durations }, { requiredKeys: ["ca"] }) : settingValue(k)));
  };
  return objectOf(Object.keys(top), (k) => (["paths", "checks", "crash", "watchdog", "agent"].includes(k) ? section(k) : settingValue(k)));
});

test("settings: the check without zod gives zod's result for every settings object it vouches for", () => {
  assert.deepStrictEqual(fastSettings({}), settingsSchema().parse({}));
  assert.equal(JSON.stringify(fastSettings({})), JSON.stringify(settingsSchema().parse({})));
  const vouched = agrees(settingsArb, fastSettings, settingsSchema());
  assert.ok(vouched > RUNS / 20, `vouched for only ${vouched} of ${RUNS}`);
});

test("settings: a file with every field set, durations and sizes in units, is read without zod, as zod reads it", () => {
  const raw = {
    baseDir: "/srv/run",
    hostId: "gpu-7",
    jobId: "job-1",
    layout: "seed",
    trainingConfig: "args.json",
    paths: { logsDir: "logs", outputLog: "out.log", modelDir: "current_model" },
    checks: { minDiskFree: "100GB", maxCheckpointAge: "12h", expectGpus: true, expectedGpuCount: 8, maxGpuTemperatureC: 90, nvidiaSmi: "/usr/bin/nvidia-smi", kernelLog: "/var/log/kern.log" },
    crash: { lastNLines: 2000, rulesFile: "rules.json", maxHistoryEntries: 100 },
    watchdog: { livenessPoll: "500ms", trainingTimeout: "20m", adaptive: { enabled: true, minSteps: 10 }, daemonCommand: ["bash", "run.sh"], evalPhaseWords: ["eval"], maxRestarts: 0 },
    agent: { controller: "ctl:7070", telemetryInterval: 5, insecure: true },
  };
  const mine = fastSettings(raw);
  assert.notEqual(mine, UNUSUAL);
  assert.equal(JSON.stringify(mine), JSON.stringify(settingsSchema().parse(raw)));
});

test("settings: anything unusual still gets zod's error, naming the file and field", () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ crash: { lastNLines: 0 } }, /^x\.json: crash\.lastNLines: Too small: expected number to be >0$/],
    [{ watchdog: { killGrace: "soon" } }, /^x\.json: watchdog\.killGrace: invalid duration "soon"/],
    [{ chekcs: {} }, /^x\.json: chekcs: Unrecognized key: "chekcs"$/],
    [{ agent: { tls: { ca: "ca.pem", cert: "c.pem" } } }, /^x\.json: agent\.tls\.key: cert and key go together$/],
  ];
  for (const [raw, message] of cases) {
    assert.equal(fastSettings(raw), UNUSUAL);
    assert.throws(() => resolveSettings(raw, { baseDir: "/b", source: "x.json" }), (err: Error) => (assert.match(err.message, message), true));
  }
  // A valid TLS block is read without zod, as zod reads it (its paths then made absolute).
  const tls = { agent: { tls: { ca: "ca.pem", cert: "c.pem", key: "k.pem" } } };
  assert.equal(JSON.stringify(fastSettings(tls)), JSON.stringify(settingsSchema().parse(tls)));
  assert.equal(resolveSettings(tls, { baseDir: "/b", source: "/etc/t/x.json" }).agent.tls?.ca, "/etc/t/ca.pem");
});

test("crash history entries, trainer_state.json, the config lock and JSON objects: the check gives zod's result", () => {
  const entry = objectOf(["id", "recordedAt", "source", "category", "signature", "file", "line", "text", "suggestion", "exitCode", "signal", "hangKind", "details", "fingerprint", "legacy"], (k) =>
    k === "source"
      ? fc.constantFrom("scan", "watchdog", "hang", "legacy", "other")
      : k === "line" || k === "exitCode"
        ? fc.oneof(fc.integer(), fc.constant(null))
        : k === "details" || k === "legacy"
          ? fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 })
          : k === "signal"
            ? fc.oneof(fc.string({ minLength: 1, maxLength: 5 }), fc.constant(null))
            : fc.string({ minLength: 1, maxLength: 5 }),
  );
  const complete = entry.map((e) => ({ id: "i", recordedAt: "t", source: "scan", category: "c", signature: "s", fingerprint: "f", ...e }));
  const counts = {
    entry: lazyAgrees(fc.oneof(entry, complete), entrySchema),
    trainerState: lazyAgrees(objectOf(["global_step"], () => fc.oneof(fc.nat(), fc.integer())), trainerStateSchema),
    lock: lazyAgrees(objectOf(["lockedAt", "config", "configHash"], (k) => (k === "config" ? fc.dictionary(fc.string({ maxLength: 3 }), anyValue, { maxKeys: 3 }) : fc.string({ maxLength: 5 }))), lockSchema),
    jsonObject: lazyAgrees(fc.oneof(anyValue, fc.dictionary(fc.string({ maxLength: 4 }), anyValue)).map(asJson), jsonObject),
  };
  for (const [what, n] of Object.entries(counts)) assert.ok(n > RUNS / 20, `${what}: vouched for only ${n} of ${RUNS}`);
});

test("config.json: a config whose fields all pass the check by hand passes zod; one that does not gets zod's errors", () => {
  const keys = ["base_model", "training_type", "use_lora", "lora", "lora_r", "learning_rate", "per_device_train_batch_size", "max_steps", "warmup_steps", "warmup_ratio", "save_steps", "save_strategy", "report_to", "deepspeed", "resume_from_checkpoint", "bf16", "seed", "lr"];
  const VALID: Record<string, fc.Arbitrary<unknown>> = {
    base_model: fc.constantFrom("meta-llama/Llama-3.1-8B", " "),
    training_type: fc.constantFrom("full", "lora", "qlora", "half"),
    use_lora: fc.boolean(),
    lora: fc.oneof(fc.boolean(), fc.record({ r: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constant(0)), dropout: fc.constantFrom(0.05, 1), target_modules: fc.constantFrom("q_proj", ["q", "v"], [1]) }, { requiredKeys: [] })),
    lora_r: fc.integer({ min: 1, max: 64 }),
    learning_rate: fc.double({ min: 1e-6, max: 1, noNaN: true }),
    per_device_train_batch_size: fc.integer({ min: 1, max: 64 }),
    max_steps: fc.oneof(fc.constant(-1), fc.integer({ min: 1, max: 10_000 })),
    warmup_steps: fc.oneof(fc.nat(), fc.constant(0.1)),
    warmup_ratio: fc.double({ min: 0, max: 1, noNaN: true }),
    save_steps: fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.constant(0.5)),
    save_strategy: fc.constantFrom("no", "steps", "epoch", "best", "never"),
    report_to: fc.constantFrom("none", ["wandb", "tensorboard"]),
    deepspeed: fc.constantFrom("ds.json", { zero_optimization: { stage: 2 } }),
    resume_from_checkpoint: fc.constantFrom(true, false, "latest", null),
    bf16: fc.boolean(),
    seed: fc.nat(),
  };
  const value = (k: string): fc.Arbitrary<unknown> => VALID[k] ?? anyValue;
  const arb = objectOf(keys, value).map((c) => asJson({ base_model: "m", ...c }) as Record<string, unknown>);
  let vouched = 0;
  fc.assert(
    fc.property(arb, (config) => {
      if (!configFieldsOk(config)) {
        // zod words the problems: checkConfigObject reports each of its issues.
        const issues = configSchema().safeParse(config);
        assert.ok(!issues.success, `the check refused ${JSON.stringify(config)}, which zod passes: the config would be checked by zod for nothing`);
        const errors = checkConfigObject(config, { baseDir: "/nonexistent", modelDir: "/nonexistent/m" }).errors;
        for (const issue of issues.error.issues) assert.ok(errors.some((e) => e.message === issue.message), `${issue.message} not reported`);
        return;
      }
      vouched++;
      assert.ok(configSchema().safeParse(config).success, `vouched for ${JSON.stringify(config)}, which zod refuses`);
    }),
    { numRuns: RUNS },
  );
  assert.ok(vouched > RUNS / 20, `vouched for only ${vouched}`);
});

test("the daemon's identity and launch files: the check gives zod's result (a running daemon has an identity file)", () => {
  const uuids = fc.oneof(
    fc.uuid({ version: 4 }),
    fc.uuid(),
    fc.uuid({ version: 4 }).map((u) => u.toUpperCase()),
    // Any hex digits in the UUID's shape: wrong versions and variants, which zod refuses.
    fc
      .tuple(...[8, 4, 4, 4, 12].map((n) => fc.array(fc.constantFrom(..."0123456789abcdef"), { minLength: n, maxLength: n }).map((a) => a.join(""))))
      .map((parts) => parts.join("-")),
    fc.uuid({ version: 4 }).map((u) => `${u.slice(0, 19)}${"0c7f"[u.charCodeAt(20) % 4]}${u.slice(20)}`),
    fc.constantFrom("00000000-0000-0000-0000-000000000000", "not-a-uuid", "", "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6"),
  );
  const identity = objectOf(["pid", "startTicks", "cmdline", "launchId", "baseDir", "recordedAt"], (k) =>
    k === "pid" || k === "startTicks" ? fc.oneof(fc.nat({ max: 2 ** 22 }), fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** 53, 1.5)) : k === "launchId" ? uuids : fc.string({ maxLength: 6 }),
  );
  const fullIdentity = identity.map((o) => ({ pid: 4242, startTicks: 0, cmdline: "python3 train.py", ...o }));
  const launch = objectOf(["launchId", "atMs", "baseDir"], (k) => (k === "launchId" ? uuids : k === "atMs" ? fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.nat()) : fc.string({ maxLength: 6 })));
  const fullLaunch = launch.map((o) => ({ launchId: "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6", atMs: 1_700_000_000_000, ...o }));
  const counts = {
    identity: lazyAgrees(fc.oneof(identity, fullIdentity).map(asJson), identitySchema),
    launch: lazyAgrees(fc.oneof(launch, fullLaunch).map(asJson), launchSchema),
  };
  for (const [what, n] of Object.entries(counts)) assert.ok(n > RUNS / 20, `${what}: vouched for only ${n} of ${RUNS}`);
  // What trainsafe writes is read without zod.
  const written = { pid: 123, startTicks: 456, cmdline: "torchrun --nproc_per_node 8 train.py", launchId: crypto.randomUUID(), baseDir: "/data/run", recordedAt: new Date().toISOString() };
  assert.deepEqual(identitySchema.fast(asJson(written)), written);
  assert.notEqual(launchSchema.fast({ launchId: crypto.randomUUID(), atMs: Date.now(), baseDir: "/data/run" }), UNUSUAL);
});
