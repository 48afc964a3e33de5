/**
 * Progress without glue: step lines recorded from real HF Trainer, Lightning and tqdm runs
 * (test/fixtures/progress/record_*.py made them), framework lines built from their format strings,
 * and the sources read in order from real files of a training directory.
 */
import { afterEach, test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { resolveLayout } from "../agent/config/layout.js";
import { parseStepLine, ProgressSources, scanStepText, type ProgressReading, type SourcesRead } from "../agent/watchdog/sources.js";

const FIX = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "progress");
const recorded = (name: string) => fs.readFileSync(path.join(FIX, name), "latin1");

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function baseDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ts-src-"));
  dirs.push(d);
  fs.mkdirSync(path.join(d, "logs"));
  return d;
}

/** The step after each progress piece of a recording, as the file grew piece by piece. */
function stepsAsWritten(text: string): Array<number | null> {
  const out: Array<number | null> = [];
  const re = /[^\r\n]+/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (!parseStepLine(m[0])) continue;
    out.push(scanStepText(text.slice(0, m.index + m[0].length)).lastStep?.step ?? null);
  }
  return out;
}

function assertNeverBack(steps: Array<number | null>, what: string): void {
  let prev = -1;
  for (const s of steps) {
    if (s === null) continue;
    assert.ok(s >= prev, `${what}: step went back from ${prev} to ${s} (${steps.join(" ")})`);
    prev = s;
  }
}

test("HF Trainer (recorded): tqdm updates on one \\r line, log dicts, eval and shard bars never count as steps", () => {
  const text = recorded("hf_trainer.log");
  const scan = scanStepText(text);
  assert.equal(scan.lastStep?.step, 12);
  assert.equal(scan.lastStep?.total, 12);
  assert.equal(scan.lastStep?.format, "tqdm");
  const steps = stepsAsWritten(text);
  assertNeverBack(steps, "hf_trainer.log");
  // Every training step of the run was seen as it was written.
  assert.deepEqual([...new Set(steps.filter((s): s is number => s !== null))], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  // The bar drawn at 0 when train() begins is no progress yet: the first step may still take long.
  const beforeFirstStep = text.slice(0, text.indexOf("| 1/12 ["));
  assert.match(beforeFirstStep, /\| 0\/12 \[/);
  assert.equal(scanStepText(beforeFirstStep).last, null);
  assert.equal(parseStepLine("  0%|          | 0/12 [00:00<?, ?it/s]")?.idle, true);
  // The logged dicts are progress lines of their own (no step).
  const dict = text.split(/[\r\n]/).find((l) => l.startsWith("{'loss'"))!;
  assert.deepEqual(parseStepLine(dict), { format: "hf_log", step: null, total: null });
  const evalDict = text.split(/[\r\n]/).find((l) => l.includes("{'eval_loss'"))!;
  assert.equal(parseStepLine(evalDict)?.format, "hf_log");
  // The nested eval bar ("ESC[A") names no step.
  const evalBar = text.split(/[\r\n]/).find((l) => l.includes("/8 [") && l.includes("\x1b[A"))!;
  assert.equal(parseStepLine(evalBar)?.step, null);
});

test("Lightning (recorded): epoch bars give epoch x batches + batch; validation and sanity bars are not steps", () => {
  const text = recorded("lightning_tqdm.log");
  const scan = scanStepText(text);
  assert.equal(scan.lastStep?.format, "lightning");
  assert.equal(scan.lastStep?.step, 20, "2 epochs of 10 batches");
  const steps = stepsAsWritten(text);
  assertNeverBack(steps, "lightning_tqdm.log");
  assert.deepEqual([...new Set(steps.filter((s): s is number => s !== null))], Array.from({ length: 20 }, (_, i) => i + 1));
  const rich = scanStepText(recorded("lightning_rich.log"));
  assert.equal(rich.lastStep?.format, "lightning_rich");
  assert.equal(rich.lastStep?.step, 20);
});

test("plain tqdm loop and `step N` prints (recorded)", () => {
  const text = recorded("tqdm_loop.log");
  const steps = stepsAsWritten(text);
  assertNeverBack(steps, "tqdm_loop.log");
  assert.equal(scanStepText(text).lastStep?.step, 30);
  const printed = text.split(/[\r\n]/).map((l) => /step \d+ loss/.exec(l)?.[0]).filter(Boolean);
  assert.deepEqual(printed.map((l) => parseStepLine(l!)?.step), [10, 20, 30]);
});

test("Megatron, DeepSpeed and plain step lines (from the frameworks' format strings)", () => {
  const cases = fs
    .readFileSync(path.join(FIX, "framework_lines.txt"), "utf8")
    .split("\n")
    .filter((l) => l.includes(" => ") && !l.startsWith("#"));
  assert.ok(cases.length >= 9);
  for (const c of cases) {
    const [line, want] = c.split(" => ") as [string, string];
    const got = parseStepLine(line);
    if (want === "none") assert.equal(got, null, line);
    else if (want === "progress") assert.equal(got?.step, null, line);
    else assert.equal(got?.step, Number(want), line);
  }
  assert.equal(parseStepLine(" iteration      100/    1000 |")?.format, "megatron");
  assert.equal(parseStepLine("[Rank 0] step=250, skipped=0, lr=[0.0001]")?.format, "deepspeed");
});

test("Megatron and DeepSpeed lines users posted (test/fixtures/crash-corpus/none, from GitHub issues)", () => {
  const corpus = path.join(FIX, "..", "crash-corpus", "none");
  const last = (name: string) => scanStepText(fs.readFileSync(path.join(corpus, name), "latin1")).lastStep;
  assert.deepEqual(
    [last("megatron-lm-756-mixtral-healthy-iterations.log")].map((l) => [l?.format, l?.step, l?.total]),
    [["megatron", 73, 100]],
  );
  assert.deepEqual([last("deepspeed-1825-step-logs-notebook.log")].map((l) => [l?.format, l?.step]), [["deepspeed", 50]]);
  assert.deepEqual([last("deepspeed-255-samples-per-sec-slow.log")].map((l) => [l?.format, l?.step]), [["deepspeed", 2700]]);
});

async function read(src: ProgressSources): Promise<ProgressReading> {
  const r: SourcesRead = await src.read();
  assert.ok(r.ok, JSON.stringify(r));
  return r.reading;
}

test("sources in order: the status file when present; trainer_state.json with the log; the log; its growth", async () => {
  const dir = baseDir();
  const layout = resolveLayout(dir);
  const since = Date.now() - 60_000;
  // Nothing yet.
  let r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "none");
  assert.match(r.tried.join("; "), /status file status\/training_status\.json: missing/);

  // A log without step lines: its growth only.
  fs.writeFileSync(path.join(dir, "training_output.log"), "loading model...\n");
  r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "log_growth");
  assert.equal(r.step, null);
  assert.match(r.tried.join("; "), /step lines in the logs \(training_output\.log\): none recognised/);

  // The recorded HF log: its last step line. trainer_state.json of checkpoint-6 is behind it.
  fs.copyFileSync(path.join(FIX, "hf_trainer.log"), path.join(dir, "training_output.log"));
  fs.cpSync(path.join(FIX, "hf_run", "output", "checkpoint-6"), path.join(dir, "output", "checkpoint-6"), { recursive: true });
  r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "log_step");
  assert.equal(r.step, 12);
  assert.equal(r.file, path.join(dir, "training_output.log"));
  assert.match(r.text!, /12\/12 \[/);
  assert.match(r.tried.join("; "), /output\/checkpoint-6\/trainer_state\.json: step 6/);

  // The log cut before step 6 (an earlier moment): the checkpoint's global_step is ahead.
  const full = fs.readFileSync(path.join(FIX, "hf_trainer.log"));
  fs.writeFileSync(path.join(dir, "training_output.log"), full.subarray(0, full.indexOf(Buffer.from(" 5/12 ["))));
  r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "trainer_state");
  assert.equal(r.step, 6);
  assert.equal(r.file, path.join(dir, "output", "checkpoint-6", "trainer_state.json"));

  // The newest checkpoint wins (checkpoint-12 in the model folder).
  fs.cpSync(path.join(FIX, "hf_run", "output", "checkpoint-12"), path.join(dir, "current_model", "checkpoint-12"), { recursive: true });
  r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "trainer_state");
  assert.equal(r.step, 12);

  // A status file overrides everything.
  fs.mkdirSync(path.join(dir, "status"));
  fs.writeFileSync(layout.statusFile, JSON.stringify({ current_step: 40, phase: "eval" }));
  r = await read(new ProgressSources(layout, "phase", since));
  assert.equal(r.source, "status_file");
  assert.equal(r.step, 40);
  assert.equal(r.phaseText, "eval");
  assert.equal(r.fresh, true);
  // ...and a torn one is a failed read, as before (neither progress nor a hang).
  fs.writeFileSync(layout.statusFile, '{"current_step": 4');
  const torn = await new ProgressSources(layout, "phase", since).read();
  assert.equal(torn.ok, false);
});

test("only lines written after the first read are fresh: the previous run's last step is a baseline", async () => {
  const dir = baseDir();
  const layout = resolveLayout(dir);
  const log = path.join(dir, "training_output.log");
  fs.copyFileSync(path.join(FIX, "hf_trainer.log"), log);
  const src = new ProgressSources(layout, "phase", Date.now(), 0);
  const first = await read(src);
  assert.equal(first.step, 12);
  assert.equal(first.fresh, false);
  // Import warnings of the new run: growth, still not fresh progress.
  fs.appendFileSync(log, "[transformers] some warning while importing\n");
  const warned = await read(src);
  assert.equal(warned.fresh, false);
  assert.notEqual(warned.growth, first.growth);
  assert.equal(warned.mark, first.mark);
  // The new run's first bar update (at step 1: lower than the old run's 12) is fresh progress.
  fs.appendFileSync(log, "\r  8%|▊         | 1/12 [00:00<00:09,  1.18it/s]");
  const fresh = await read(src);
  assert.equal(fresh.fresh, true);
  assert.equal(fresh.step, 1);
  assert.notEqual(fresh.mark, first.mark);
  // An HF log dict is progress (a new mark) without a step.
  fs.appendFileSync(log, "\r                \r{'loss': 3.9, 'grad_norm': 1.2, 'learning_rate': 4.5e-05, 'epoch': 0.06}\n");
  const dict = await read(src);
  assert.equal(dict.step, 1);
  assert.equal(dict.format, "hf_log");
  assert.notEqual(dict.mark, fresh.mark);
});

test("a tqdm bar that never printed a newline, longer than the tail bound, still gives its last step", async () => {
  const dir = baseDir();
  const layout = resolveLayout(dir);
  let bar = "";
  for (let i = 1; i <= 6000; i++) bar += `\r ${Math.floor((i * 100) / 6000)}%|█████     | ${i}/6000 [00:10<00:10, 50.00it/s]`;
  assert.ok(Buffer.byteLength(bar) > 256 * 1024);
  fs.writeFileSync(path.join(dir, "training_output.log"), "starting\n" + bar);
  const r = await read(new ProgressSources(layout, "phase", 0));
  assert.equal(r.source, "log_step");
  assert.equal(r.step, 6000);
});

test("trainsafe's own logs and old logs of earlier runs do not count", async () => {
  const dir = baseDir();
  const layout = resolveLayout(dir);
  fs.writeFileSync(layout.watchdogLog, '{"type":"adopt","message":"step 999"}\n');
  fs.writeFileSync(layout.antiStuckLog, "step 998\n");
  let r = await read(new ProgressSources(layout, "phase", 0));
  assert.equal(r.source, "none", JSON.stringify(r));
  fs.writeFileSync(path.join(dir, "logs", "old_run.log"), "step 5000\n");
  const old = Date.now() / 1000 - 3600;
  fs.utimesSync(path.join(dir, "logs", "old_run.log"), old, old);
  fs.writeFileSync(path.join(dir, "logs", "train.log"), "step 7\n");
  r = await read(new ProgressSources(layout, "phase", 0));
  assert.equal(r.step, 7, "the log written last holds the current run");
});

test("of several folders of checkpoints, the one written last holds the current run", async () => {
  const dir = baseDir();
  const layout = resolveLayout(dir);
  const oldDir = path.join(dir, "old_run", "checkpoint-90000");
  fs.mkdirSync(oldDir, { recursive: true });
  fs.writeFileSync(path.join(oldDir, "trainer_state.json"), JSON.stringify({ global_step: 90000, log_history: [] }));
  const old = Date.now() / 1000 - 86_400;
  fs.utimesSync(oldDir, old, old);
  fs.cpSync(path.join(FIX, "hf_run", "output", "checkpoint-6"), path.join(dir, "output", "checkpoint-6"), { recursive: true });
  const r = await read(new ProgressSources(layout, "phase", 0));
  assert.equal(r.source, "trainer_state");
  assert.equal(r.step, 6);
  // A trainer_state.json being written (torn) is no step, and says so.
  fs.writeFileSync(path.join(dir, "output", "checkpoint-6", "trainer_state.json"), '{"global_step": 6, "log_hi');
  const torn = await read(new ProgressSources(layout, "phase", 0));
  assert.equal(torn.source, "none");
  assert.match(torn.tried.join("; "), /output\/checkpoint-6\/trainer_state\.json: .*JSON/);
});
