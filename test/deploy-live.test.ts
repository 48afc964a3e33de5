/**
 * install.sh on the live file system (no --root): the code paths that only run there (the agent
 * user taken from the training directory's owner and checked with `id`, chown of the state folder,
 * host id from `hostname -s`, the launcher on its real path, the systemctl calls). It runs inside a
 * private mount namespace where /opt, /usr/local/bin, /var/lib and /run/systemd are empty tmpfs and
 * /etc is an overlay, with a fake systemctl (recording its arguments) first on PATH, so nothing
 * reaches this machine's real folders or its service manager. Needs root and unshare; else skipped.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PROGRAM_ENTRIES } from "../deploy/lib/manifest.js";

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function canIsolate(): string | null {
  if (process.getuid?.() !== 0) return "needs root (it mounts a private namespace)";
  const probe = spawnSync("unshare", ["--mount", "--propagation", "private", "sh", "-c",
    "d=$(mktemp -d) && mkdir $d/u $d/w && mount -t overlay overlay -o lowerdir=/etc,upperdir=$d/u,workdir=$d/w /etc && mount -t tmpfs tmpfs /opt"], { encoding: "utf8" });
  if (probe.error || probe.status !== 0) return `no private mount namespace with overlay here: ${(probe.stderr || String(probe.error)).trim()}`;
  if (spawnSync("sh", ["-c", "command -v useradd"]).status !== 0) return "useradd is not installed";
  return null;
}

test("install.sh on the live system (isolated): user from the training directory, state chowned, twice = same, uninstall", (t) => {
  const why = canIsolate();
  if (why) {
    t.skip(why);
    return;
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "trainsafe-live-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const source = path.join(dir, "source");
  for (const entry of PROGRAM_ENTRIES) {
    if (fs.existsSync(path.join(REPO, entry))) fs.cpSync(path.join(REPO, entry), path.join(source, entry), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, "node_modules"), path.join(source, "node_modules"));
  const out = path.join(dir, "out");
  fs.mkdirSync(out);
  const etcHadTrainsafe = fs.existsSync("/etc/trainsafe");

  // Inside the namespace: a training user that exists only in the overlay /etc, its training folder,
  // then install, install again, uninstall; results go to $OUT (under /tmp, which is not covered).
  const script = `set -euo pipefail
mount -t tmpfs tmpfs /opt
mount -t tmpfs tmpfs /usr/local/bin
mount -t tmpfs tmpfs /var/lib
# This machine's service manager stays out of reach: /run/systemd is replaced by a tmpfs saying
# "systemd runs" and systemctl by a fake on PATH that records its arguments.
if [[ -d /run/systemd ]]; then mount -t tmpfs tmpfs /run/systemd; else mount -t tmpfs tmpfs /run; fi
mkdir -p /run/systemd/system "$DIR/bin"
printf '#!/bin/sh\necho "$*" >>"$OUT/systemctl"\n' >"$DIR/bin/systemctl"
chmod +x "$DIR/bin/systemctl"
export PATH="$DIR/bin:$PATH"
echo "# first" >>"$OUT/systemctl"
mkdir -p "$DIR/upper" "$DIR/work"
mount -t overlay overlay -o "lowerdir=/etc,upperdir=$DIR/upper,workdir=$DIR/work" /etc
useradd --no-create-home --shell /usr/sbin/nologin tstrainer
mkdir -p "$DIR/train"
chown tstrainer: "$DIR/train"
snap() { find /opt/trainsafe /usr/local/bin /etc/trainsafe /etc/systemd/system /var/lib/trainsafe -printf '%p %y %m %u %s\\n' | sort; }
bash "$SRC/deploy/install.sh" --base-dir "$DIR/train" --controller ctl.internal:7700 2>"$OUT/first.err"
snap >"$OUT/first.snap"
stat -c %U /var/lib/trainsafe/agent >"$OUT/state.owner"
hostname -s >"$OUT/hostname"
cp /etc/trainsafe/agent.json "$OUT/agent.json"
cp /etc/systemd/system/trainsafe-agent.service.d/10-install.conf "$OUT/dropin"
/usr/local/bin/trainsafe --version >"$OUT/version" 2>&1 || echo "exit $?" >>"$OUT/version"
echo "# second" >>"$OUT/systemctl"
bash "$SRC/deploy/install.sh" --base-dir "$DIR/train" 2>"$OUT/second.err"
snap >"$OUT/second.snap"
echo "# uninstall" >>"$OUT/systemctl"
bash /opt/trainsafe/deploy/install.sh --uninstall 2>"$OUT/uninstall.err"
ls -A /opt /usr/local/bin /etc/systemd/system | grep trainsafe >"$OUT/left" || true
ls -A /etc/trainsafe >"$OUT/kept"
`;
  const r = spawnSync("unshare", ["--mount", "--propagation", "private", "bash", "-c", script], {
    encoding: "utf8",
    env: { ...process.env, DESTDIR: "", DIR: dir, SRC: source, OUT: out },
  });
  const read = (name: string) => fs.readFileSync(path.join(out, name), "utf8");
  assert.equal(r.status, 0, `${r.stderr}\n${fs.readdirSync(out).map((n) => `${n}: ${read(n)}`).join("\n")}`);

  assert.match(read("dropin"), /^User=tstrainer$/m, "agent user = owner of the training directory");
  assert.match(read("dropin"), new RegExp(`^ReadWritePaths=${path.join(dir, "train")}$`, "m"));
  assert.equal(read("state.owner").trim(), "tstrainer", "state folder chowned to the agent user");
  const agent = JSON.parse(read("agent.json"));
  assert.equal(agent.hostId, read("hostname").trim(), "host id from hostname -s");
  assert.equal(agent.agent.controller, "ctl.internal:7700");
  const version = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")).version as string;
  assert.equal(read("version").trim(), version, "the launcher runs the installed program");
  // Restart when something changed, only start (a no-op for a running service) when nothing did.
  assert.deepEqual(read("systemctl").trim().split("\n"), [
    "# first",
    "daemon-reload",
    "enable trainsafe-agent.service",
    "restart trainsafe-agent.service",
    "# second",
    "daemon-reload",
    "enable trainsafe-agent.service",
    "start trainsafe-agent.service",
    "# uninstall",
    "disable --now trainsafe-agent.service",
    "daemon-reload",
  ]);

  assert.equal(read("second.snap"), read("first.snap"), "second run: same files, modes, owners, sizes");
  assert.match(read("second.err"), /\/opt\/trainsafe is up to date/);
  assert.equal(read("left"), "", "uninstall removed program, launcher and units");
  assert.deepEqual(read("kept").trim().split("\n").sort(), ["agent.env", "agent.json"]);
  assert.equal(fs.existsSync("/etc/trainsafe"), etcHadTrainsafe, "the real /etc was not touched");
});
