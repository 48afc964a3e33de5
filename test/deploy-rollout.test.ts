/**
 * deploy/rollout.sh without remote hosts: --dry-run output checked line by line, and a real run
 * through a fake `ssh` that runs the remote command on this machine with each target's own
 * filesystem root (DESTDIR), so bundling, streaming, unpacking, install.sh and the per-host settings
 * all run for real.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadSettings } from "../agent/config/settings.js";
import { PROGRAM_ENTRIES } from "../deploy/lib/manifest.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// A release-like copy to roll out from (the repository is a shared tree that changes while tests run).
let SOURCE = "";
before(() => {
  SOURCE = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-source-"));
  for (const entry of PROGRAM_ENTRIES) {
    if (fs.existsSync(path.join(REPO, entry))) fs.cpSync(path.join(REPO, entry), path.join(SOURCE, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(SOURCE, "node_modules"));
});
after(() => fs.rmSync(SOURCE, { recursive: true, force: true }));

// Stands in for ssh: skips options, fails like ssh for targets named unreachable*, and otherwise
// runs the remote command with bash on this machine, "/" of each target being $FAKE_SSH_ROOTS/<target>.
const FAKE_SSH = `#!/usr/bin/env bash
set -euo pipefail
while [[ $# -gt 0 && $1 == -* ]]; do
  case $1 in -o | -p | -i | -l | -F | -J) shift 2 ;; *) shift ;; esac
done
target=$1
shift
printf '%s\\n' "$target" >>"$FAKE_SSH_ROOTS/calls"
if [[ $target == unreachable* ]]; then
  echo "ssh: connect to host $target port 22: Connection refused" >&2
  exit 255
fi
mkdir -p "$FAKE_SSH_ROOTS/$target"
DESTDIR="$FAKE_SSH_ROOTS/$target" exec bash -c "$*"
`;

interface Fixture {
  dir: string;
  roots: string;
  remoteTmp: string;
  ssh: string;
  hosts: string;
}

function fixture(t: { after: (fn: () => void) => void }, inventory: string): Fixture {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-rollout-test-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const f = { dir, roots: path.join(dir, "roots"), remoteTmp: path.join(dir, "remote-tmp"), ssh: path.join(dir, "fake-ssh"), hosts: path.join(dir, "hosts.txt") };
  fs.mkdirSync(f.roots);
  fs.mkdirSync(f.remoteTmp);
  fs.writeFileSync(f.ssh, FAKE_SSH, { mode: 0o755 });
  fs.writeFileSync(f.hosts, inventory);
  return f;
}

function rollout(f: Fixture, args: string[]) {
  const r = spawnSync("bash", [path.join(SOURCE, "deploy/rollout.sh"), "--hosts", f.hosts, ...args], {
    encoding: "utf8",
    env: { ...process.env, TRAINSAFE_SSH: f.ssh, FAKE_SSH_ROOTS: f.roots, TMPDIR: f.dir, DESTDIR: "" },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const INVENTORY = `# test fleet
root@node-a   gpu-a   job-1   /srv/training/run-a
root@node-b   gpu-b   job-2        # base dir from --base-dir

root@node-c   gpu-c   job-1   /srv/training/run-c
`;

test("--dry-run prints, per host, exactly the ssh command it would run, and runs nothing", (t) => {
  const f = fixture(t, INVENTORY);
  const r = rollout(f, ["--dry-run", "--controller", "ctl.internal:7700", "--base-dir", "/srv/training/default",
    "--agent-user", "trainer", "--remote-tmp", "/var/tmp", "--sudo"]);
  assert.equal(r.status, 0, r.stderr);
  const bundle = path.join(f.dir, "trainsafe-rollout.XXXXXX", "trainsafe.tar.gz");
  const expected = [`# bundle: tar -C ${SOURCE} -cf - <the files deploy/lib/manifest.ts lists> | gzip -1 > ${bundle}`];
  for (const [target, host, job, base] of [
    ["root@node-a", "gpu-a", "job-1", "/srv/training/run-a"],
    ["root@node-b", "gpu-b", "job-2", "/srv/training/default"],
    ["root@node-c", "gpu-c", "job-1", "/srv/training/run-c"],
  ]) {
    expected.push(`# ${host} (${target})`);
    expected.push(
      `${f.ssh} ${target} 'd=$(mktemp -d /var/tmp/trainsafe-rollout.XXXXXX) || exit 1; rc=0; tar -xzf - -C "$d" && ` +
        `sudo -n bash "$d/deploy/install.sh" --role agent --host-id ${host} --job-id ${job} --base-dir ${base} ` +
        `--controller ctl.internal:7700 --agent-user trainer || rc=$?; rm -rf "$d"; exit $rc' < ${bundle}`,
    );
  }
  assert.deepEqual(r.stdout.trimEnd().split("\n"), expected);
  assert.ok(!fs.existsSync(path.join(f.roots, "calls")), "ssh never called");
  assert.deepEqual(fs.readdirSync(f.dir).sort(), ["fake-ssh", "hosts.txt", "remote-tmp", "roots"], "nothing created");
});

// Two hosts that work (one with its own training directory, one with --base-dir's) and one that does not.
const RUN_INVENTORY = `root@node-a   gpu-a   job-1   /srv/training/run-a
root@node-b   gpu-b   job-2
`;

test("real run through a fake ssh: every host installed with its own settings; a failed host fails the run", async (t) => {
  const f = fixture(t, `${RUN_INVENTORY}unreachable-d gpu-d job-3\n`);
  const r = rollout(f, ["--controller", "ctl.internal:7700", "--base-dir", "/srv/training/default", "--agent-user", "trainer",
    "--parallel", "2", "--remote-tmp", f.remoteTmp, "--no-start"]);
  assert.equal(r.status, 1, r.stderr);

  const table = r.stdout.trimEnd().split("\n");
  assert.match(table[0]!, /^HOST\s+TARGET\s+RESULT$/);
  assert.match(table[1]!, /^gpu-a\s+root@node-a\s+ok$/);
  assert.match(table[2]!, /^gpu-b\s+root@node-b\s+ok$/);
  assert.match(table[3]!, /^gpu-d\s+unreachable-d\s+FAILED \(exit 255\): ssh: connect to host unreachable-d port 22: Connection refused$/);
  assert.match(table[4]!, /^2 of 3 hosts installed, 1 failed; logs in \S+$/);
  assert.equal(table.length, 5);
  const logDir = /logs in (\S+)$/.exec(table[4]!)![1]!;
  assert.match(fs.readFileSync(path.join(logDir, "gpu-d.log"), "utf8"), /Connection refused/);

  const expected: Record<string, [string, string, string]> = {
    "root@node-a": ["gpu-a", "job-1", "/srv/training/run-a"],
    "root@node-b": ["gpu-b", "job-2", "/srv/training/default"],
  };
  for (const [target, [host, job, base]] of Object.entries(expected)) {
    const root = path.join(f.roots, target);
    const json = JSON.parse(fs.readFileSync(path.join(root, "etc/trainsafe/agent.json"), "utf8"));
    assert.equal(json.hostId, host, target);
    assert.equal(json.jobId, job, target);
    assert.equal(json.baseDir, base, target);
    assert.equal(json.agent.controller, "ctl.internal:7700", target);
    assert.ok(fs.statSync(path.join(root, "opt/trainsafe/bin/trainsafe.js")).isFile(), target);
    assert.ok(!fs.existsSync(path.join(root, "opt/trainsafe/node_modules/typescript")), `${target}: production packages only`);
    const dropin = fs.readFileSync(path.join(root, "etc/systemd/system/trainsafe-agent.service.d/10-install.conf"), "utf8");
    assert.match(dropin, /^User=trainer$/m);
    assert.match(dropin, new RegExp(`^ReadWritePaths=${base}$`, "m"));
    assert.ok(fs.existsSync(path.join(root, "etc/systemd/system/trainsafe-agent.service")), target);
  }
  const calls = fs.readFileSync(path.join(f.roots, "calls"), "utf8").trim().split("\n").sort();
  assert.deepEqual(calls, ["root@node-a", "root@node-b", "unreachable-d"], "one ssh connection per host");
  assert.deepEqual(fs.readdirSync(f.remoteTmp), [], "unpacked bundles removed on the hosts");
  const work = fs.readdirSync(f.dir).filter((n) => n.startsWith("trainsafe-rollout."));
  assert.equal(work.length, 1);
  assert.deepEqual(fs.readdirSync(path.join(f.dir, work[0]!)), ["logs"], "bundle removed, logs kept");

  // A second rollout re-applies per-host settings with --update-config (without it install.sh keeps
  // an existing agent.json, tested in deploy.test.ts); hosts remember their agent user.
  fs.writeFileSync(f.hosts, RUN_INVENTORY);
  const update = rollout(f, ["--controller", "ctl2.internal:7700", "--base-dir", "/srv/training/default", "--remote-tmp", f.remoteTmp,
    "--no-start", "--update-config"]);
  assert.equal(update.status, 0, update.stderr);
  assert.match(update.stdout, /^2 of 2 hosts installed, 0 failed/m);
  const a = path.join(f.roots, "root@node-a", "etc/trainsafe/agent.json");
  for (const target of Object.keys(expected)) {
    const s = JSON.parse(fs.readFileSync(path.join(f.roots, target, "etc/trainsafe/agent.json"), "utf8"));
    assert.equal(s.agent.controller, "ctl2.internal:7700", target);
    assert.equal(s.hostId, expected[target]![0], target);
  }
  // What rollout wrote is what the agent loads.
  const loaded = await loadSettings({ file: a });
  assert.equal(loaded.hostId, "gpu-a");
  assert.equal(loaded.agent.controller, "ctl2.internal:7700");
});

test("inventory errors stop the rollout before any host is touched", (t) => {
  const cases: Array<[string, RegExp]> = [
    ["root@a gpu-a\n", /hosts\.txt:1: expected "ssh-target host-id job-id \[base-dir\]", got 2 fields/],
    ["root@a gpu-a job-1 /srv/t\nroot@b gpu-a job-1 /srv/t\n", /hosts\.txt:2: host id gpu-a appears twice/],
    ["root@a gpu-a job-1 /srv/t\nroot@a gpu-b job-1 /srv/t\n", /hosts\.txt:2: ssh target root@a appears twice/],
    ["root@a gpu-a job-1 relative/dir\n", /hosts\.txt:1: base dir "relative\/dir"/],
    ["root@a gpu-a job-1\n", /hosts\.txt:1: no base-dir on the line and no --base-dir/],
    ["root@a 'gpu;rm' job-1 /srv/t\n", /hosts\.txt:1: host id "'gpu;rm'"/],
    ["# nothing here\n\n", /names no hosts/],
  ];
  for (const [inventory, message] of cases) {
    const f = fixture(t, inventory);
    const r = rollout(f, ["--remote-tmp", f.remoteTmp]);
    assert.equal(r.status, 2, `${inventory}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.ok(!fs.existsSync(path.join(f.roots, "calls")), `${inventory}: no host contacted`);
  }
  const f = fixture(t, "root@a gpu-a job-1 /srv/t\n");
  for (const [args, message] of [
    [["--parallel", "0"], /--parallel must be a number/],
    [["--controller", "no-port"], /--controller "no-port"/],
    [["--agent-user", "Bad User"], /--agent-user "Bad User"/],
  ] as const) {
    const r = rollout(f, [...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, message);
  }
});
