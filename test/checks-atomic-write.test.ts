/**
 * lib/files.ts writeFileAtomic names its temporary file without node:crypto (loading crypto cost
 * `trainsafe check` ~4 ms: the progress check saves its state at every run). What made a random name
 * matter is kept by opening it with O_EXCL: a file or symlink already at that name is never followed or
 * truncated, another name is tried.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeFileAtomic } from "../agent/lib/files.js";

function tmpDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-atomic-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("concurrent atomic writes in one process each land whole and leave no temporary file", async (t) => {
  const dir = tmpDir(t);
  await Promise.all(Array.from({ length: 50 }, (_, i) => writeFileAtomic(path.join(dir, `f${i % 5}.json`), JSON.stringify({ i, pad: "x".repeat(10_000) }))));
  const files = fs.readdirSync(dir).sort();
  assert.deepEqual(files, ["f0.json", "f1.json", "f2.json", "f3.json", "f4.json"]);
  for (const f of files) assert.equal(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")).pad.length, 10_000);
  await writeFileAtomic(path.join(dir, "mode.json"), "{}", 0o600);
  assert.equal(fs.statSync(path.join(dir, "mode.json")).mode & 0o777, 0o600);
});

test("a symlink planted at the temporary name is never followed: its target stays as it was", async (t) => {
  const dir = tmpDir(t);
  const victim = path.join(dir, "victim.txt");
  fs.writeFileSync(victim, "untouched");
  // With Math.random fixed, the names the next writes would try are known: plant a symlink at each.
  const random = Math.random;
  Math.random = () => 0;
  t.after(() => {
    Math.random = random;
  });
  const planted = (seq: number) => path.join(dir, `.state.json.${process.pid}.${seq.toString(36)}00000000.tmp`);
  for (let seq = 1; seq <= 5000; seq++) fs.symlinkSync(victim, planted(seq));
  let outcome: string;
  try {
    await writeFileAtomic(path.join(dir, "state.json"), "new content");
    outcome = "written";
  } catch (err) {
    outcome = (err as NodeJS.ErrnoException).code ?? String(err);
  }
  // Every name tried was taken: the write fails (EEXIST) rather than write through a link.
  assert.equal(outcome, "EEXIST");
  assert.equal(fs.readFileSync(victim, "utf8"), "untouched");
  assert.equal(fs.existsSync(path.join(dir, "state.json")), false);

  // With free names it writes, through no link.
  Math.random = random;
  await writeFileAtomic(path.join(dir, "state.json"), "new content");
  assert.equal(fs.readFileSync(path.join(dir, "state.json"), "utf8"), "new content");
  assert.equal(fs.lstatSync(path.join(dir, "state.json")).isSymbolicLink(), false);
  assert.equal(fs.readFileSync(victim, "utf8"), "untouched");
});
