/**
 * Issue 12, defect 3: log text with terminal escape sequences (CSI, OSC window title and clipboard,
 * DCS, bare C1 controls) travels from a real agent's training log through a real controller, and
 * no fleet output (tables, status, crashes, events, top, --json) prints a live control character.
 */
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { Fleet, fleetJson, runCli, waitFor } from "./helpers/fleet.js";

const fleet = new Fleet();
after(() => fleet.cleanup());

const ESC = "\u001b";
const PAYLOAD =
  `${ESC}[31mRED${ESC}[0m ${ESC}]0;PWNED-TITLE\u0007 ${ESC}]52;c;ZXZpbA==\u0007 ${ESC}]8;;http://evil.example/${ESC}\\link${ESC}]8;;${ESC}\\ ` +
  `${ESC}P+q544e${ESC}\\ \u009b2J C1-CSI \u009d0;C1-OSC\u009c \u0090C1-DCS\u009c \u0085NEL \u007fDEL ${ESC}[2K${ESC}[1A`;
/** Any C0 control but the newline, DEL, or C1 control: a terminal could act on it. */
const LIVE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

function assertInert(what: string, text: string): void {
  const m = LIVE.exec(text);
  assert.equal(m, null, `${what} prints a control character U+${m?.[0].charCodeAt(0).toString(16).padStart(4, "0")} at ${m?.index}:\n${JSON.stringify(text.slice(Math.max(0, (m?.index ?? 0) - 40), (m?.index ?? 0) + 40))}`);
}

test("escape sequences in a crash line reach no terminal through fleet output", { timeout: 120_000 }, async () => {
  const ctl = await fleet.controller({ budget: { hostMaxRestarts: 20 } });
  const addr = ctl.address;
  const { baseDir, configFile } = fleet.prepareAgent("esc1", "job-esc", addr);
  fleet.startAgent("esc1", baseDir, configFile);
  await waitFor("esc1 running", async () => (await fleetJson<Array<{ hostId: string; daemonState: string }>>(addr, ["hosts"])).some((h) => h.daemonState === "running"), 30_000, 200);

  const crashText = `Traceback (most recent call last):\n  File "train.py", line 3, in <module>\ntorch.OutOfMemoryError: CUDA out of memory. ${PAYLOAD}`;
  fleet.control(baseDir, { crashAtStep: 0, crashText, once: true });
  const crashes = await waitFor("the crash stored", async () => {
    const c = (await fleetJson<{ crashes: Array<{ crash?: { firstFatalLine: string } }> }>(addr, ["crashes"])).crashes;
    return c.find((x) => x.crash?.firstFatalLine.includes("C1-CSI")) ? c : null;
  }, 30_000, 300);
  // The agent's crash engine reads a line as a terminal shows it: the ESC-introduced sequences (ECMA-48's CSI,
  // OSC with its window title, DCS, charset selections) are taken out of a finding's text, as colours always were
  // (agent/crash/capture-prefix.ts ESCAPE_SEQUENCES). The C1 controls and DEL it keeps reach the controller as read: the
  // data is kept, only printing is made safe.
  const stored = crashes.find((x) => x.crash?.firstFatalLine.includes("C1-CSI"))!.crash!.firstFatalLine;
  assert.ok(stored.includes("\u009b2J C1-CSI") && stored.includes("\u007fDEL"), `the raw line reached the controller: ${JSON.stringify(stored)}`);
  assert.ok(!stored.includes(ESC) && !stored.includes("PWNED-TITLE"), "no ESC sequence, no window title, in the finding's text");

  const outputs: Array<[string, string[]]> = [
    ["fleet crashes", ["crashes"]],
    ["fleet status", ["status", "esc1"]],
    ["fleet events", ["events", "--host", "esc1"]],
    ["fleet hosts", ["hosts"]],
    ["fleet budget", ["budget"]],
    ["fleet top --once", ["top", "--once"]],
  ];
  for (const [what, args] of outputs) {
    const r = await runCli(["fleet", ...args, "--controller", addr]);
    assert.ok(r.code === 0 || r.code === 1, `${what} exited ${r.code}: ${r.stderr}`);
    assertInert(what, r.stdout);
    assertInert(`${what} (stderr)`, r.stderr);
    const j = await runCli(["fleet", ...args, "--controller", addr, "--json"]);
    assertInert(`${what} --json`, j.stdout);
    JSON.parse(j.stdout.split("\n").filter(Boolean).join("\n")); // still valid JSON
  }
  // The text is still there, visibly escaped.
  const crashesOut = (await runCli(["fleet", "crashes", "--controller", addr])).stdout;
  assert.match(crashesOut, /\\x9b2J C1-CSI/);
  const statusOut = (await runCli(["fleet", "status", "esc1", "--controller", addr])).stdout;
  assert.match(statusOut, /C1-CSI/);
});
