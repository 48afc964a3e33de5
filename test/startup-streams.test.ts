/**
 * The local commands' output and checksums without node:stream (issue 13 item 2): zlib's CRC-32 from its
 * binding (agent/lib/crc32.ts) for the launcher's code caches and the crash rules' file check, and the
 * commands' output written straight to a file or device (cli/common.ts writeOut), so that neither
 * node:zlib's module nor process.stdout's stream loads node:stream's modules (~1.4 ms of a start).
 */
import { spawnSync } from "node:child_process";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import { crc32Function } from "../agent/lib/crc32.js";
import { buildCopy } from "./helpers/build-copy.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let tmp = "";
let dist = "";
let base = "";

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-startup-streams-"));
  dist = path.join(buildCopy(tmp), "dist");
  base = path.join(tmp, "training");
  fs.cpSync(path.join(ROOT, "examples", "training"), base, { recursive: true });
});

after(() => fs.rmSync(tmp, { recursive: true, force: true }));

test("crc32Function gives zlib.crc32's values for text and bytes", () => {
  const crc32 = crc32Function();
  assert.ok(crc32, "Node 20.15+ has a CRC-32");
  const samples: Array<string | Uint8Array> = ["", "a", "trainsafe-v8-cache 2", "größe ✓ 日本語", Buffer.alloc(0), Buffer.from([0, 255, 1, 254])];
  let x = 12345;
  for (let n = 0; n < 50; n++) {
    const b = Buffer.alloc((n * 977) % 70_001);
    for (let i = 0; i < b.length; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
    samples.push(b, b.subarray(n % 7));
  }
  for (const s of samples) assert.equal(crc32(s), zlib.crc32(s));
  assert.throws(() => crc32(42 as unknown as string), TypeError);
});

test("with --pending-deprecation (option, NODE_OPTIONS or NODE_PENDING_DEPRECATION) the CRC-32 comes from node:zlib, and nothing is printed", () => {
  const script = `import { crc32Function } from ${JSON.stringify(path.join(ROOT, "agent", "lib", "crc32.ts"))}; const f = crc32Function(); process.stdout.write(String(f("abc")) + " " + process.moduleLoadList.includes("NativeModule zlib"));`;
  const cases: Array<[string[], Record<string, string>, string]> = [
    [[], {}, "false"],
    [["--pending-deprecation"], {}, "true"],
    [["--throw-deprecation"], {}, "true"],
    [[], { NODE_PENDING_DEPRECATION: "1" }, "true"],
    [[], { NODE_OPTIONS: "--pending-deprecation" }, "true"],
  ];
  for (const [flags, env, zlibLoaded] of cases) {
    const r = spawnSync(process.execPath, [...flags, "--import", "tsx", "--input-type=module", "-e", script], { encoding: "utf8", cwd: ROOT, env: { ...process.env, ...env } });
    assert.equal(r.status, 0, r.stderr);
    const what = `${flags.join(" ")} ${JSON.stringify(env)}`;
    assert.equal(r.stdout, `${zlib.crc32("abc")} ${zlibLoaded}`, what);
    assert.doesNotMatch(r.stderr, /Deprecation|DEP0111/, what);
  }
});

/** Runs the shipped command with stdout to `out` (a file, /dev/null or a pipe) and returns stdout's text, the exit code and whether stream/zlib were loaded. */
function run(args: string[], out: "file" | "null" | "pipe"): { text: string; status: number | null; loaded: string[] } {
  const probe = path.join(tmp, "streams-probe.cjs");
  fs.writeFileSync(probe, 'process.on("exit", () => require("fs").writeSync(2, `\\nloaded: ${JSON.stringify(["stream", "zlib"].filter((m) => process.moduleLoadList.includes(`NativeModule ${m}`)))}\\n`));\n');
  const outFile = path.join(tmp, "out.txt");
  fs.rmSync(outFile, { force: true });
  const fd = out === "file" ? fs.openSync(outFile, "w") : out === "null" ? fs.openSync("/dev/null", "w") : "pipe";
  try {
    const r = spawnSync(process.execPath, ["-r", probe, path.join(dist, "trainsafe.cjs"), ...args], { encoding: "utf8", cwd: tmp, stdio: ["ignore", fd, "pipe"] });
    const m = /loaded: (\[.*\])/.exec(r.stderr);
    assert.ok(m, r.stderr);
    // Durations differ from run to run.
    const text = (out === "file" ? fs.readFileSync(outFile, "utf8") : out === "pipe" ? r.stdout : "").replace(/"durationMs": \d+/g, "").replace(/ in \d+ms/g, "");
    return { text, status: r.status, loaded: JSON.parse(m[1]!) as string[] };
  } finally {
    if (typeof fd === "number") fs.closeSync(fd);
  }
}

test("check, crash scan, resume verify and config validate write the same output to a file as to a pipe, and load neither node:stream nor node:zlib then", () => {
  const log = path.join(base, "logs", "train.log");
  const commands = [
    ["check", "--base-dir", base, "--only", "crashes,config,checkpoint,xid"],
    ["check", "--base-dir", base, "--only", "crashes", "--json"],
    ["crash", "scan", "--file", log, "--no-history"],
    ["crash", "scan", "--file", log, "--no-history", "--json"],
    ["resume", "verify", "--base-dir", base],
    ["config", "validate", "--base-dir", base, "--json"],
  ];
  for (const args of commands) {
    // The first run writes the code cache (and loads what a miss loads); the runs measured come after.
    run(args, "null");
    const toFile = run(args, "file");
    const toPipe = run(args, "pipe");
    const toNull = run(args, "null");
    assert.ok(toFile.text.length > 0, args.join(" "));
    assert.equal(toFile.text, toPipe.text, args.join(" "));
    assert.equal(toFile.status, toPipe.status, args.join(" "));
    assert.equal(toNull.status, toPipe.status, args.join(" "));
    assert.deepEqual(toFile.loaded, [], `${args.join(" ")} to a file loaded ${toFile.loaded.join(", ")}`);
    assert.deepEqual(toNull.loaded, [], `${args.join(" ")} to /dev/null loaded ${toNull.loaded.join(", ")}`);
    // The probe sees them where they are used: a pipe is process.stdout's stream, as before.
    assert.ok(toPipe.loaded.includes("stream"), args.join(" "));
  }
});
