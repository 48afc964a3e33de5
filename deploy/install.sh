#!/usr/bin/env bash
# Installs trainsafe on this host, or into a folder with --root: the program in /opt/trainsafe, the
# launcher /usr/local/bin/trainsafe, settings in /etc/trainsafe (never overwritten), state in
# /var/lib/trainsafe and the systemd units. Running it again gives the same result; it is also how to
# upgrade. docs/operations.md ("Installing") explains the choices.
#
# The source is the folder this script sits in (deploy/..), prepared with `npm ci --omit=dev` (or
# `npm ci`): only production packages are copied. Needs bash, tar and Node >= 20.
set -euo pipefail
umask 022

usage() {
  cat <<'EOF'
Usage: install.sh [options]            install or upgrade (run as root unless --root)
       install.sh --uninstall [--purge] remove program, launcher and units

  --role agent|controller|both  what this host runs (default: agent)
  --base-dir DIR                training directory the agent guards (needed on the first agent install)
  --agent-user USER             account the agent (and so the training daemon) runs as
                                (default: as installed before, else the owner of --base-dir)
  --host-id ID                  host id for agent.json (default on the first install: hostname -s)
  --job-id ID                   job id for agent.json
  --controller HOST:PORT        controller address for agent.json (none: the agent runs alone)
  --rw-path DIR                 another folder training writes to (repeatable; replaces the previous list)
  --update-config               apply the options above to an existing agent.json (default: keep it as is)
  --no-start                    enable the units but do not (re)start them
  --root DIR                    install into DIR (every path prefixed; no systemctl). Default: $DESTDIR
  --node PATH                   node binary the launcher runs (default: node on PATH)
  --uninstall                   remove /opt/trainsafe, the launcher and the units; keep settings and state
  --purge                       with --uninstall: also remove /etc/trainsafe and /var/lib/trainsafe
  -h, --help                    this text
Exit status: 0 done, 2 bad options or settings, 1 anything else.
EOF
}

log() { printf 'install.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

PREFIX=/opt/trainsafe
LAUNCHER=/usr/local/bin/trainsafe
ETC=/etc/trainsafe
STATE=/var/lib/trainsafe
AGENT_STATE=$STATE/agent
UNIT_DIR=/etc/systemd/system
DROPIN=$UNIT_DIR/trainsafe-agent.service.d/10-install.conf
MARKER="written by trainsafe deploy/install.sh"
SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

ROLE=agent
ROOT=${DESTDIR:-}
UNINSTALL=0
PURGE=0
AGENT_USER=""
HOST_ID=""
JOB_ID=""
CONTROLLER=""
BASE_DIR=""
RW_PATHS=()
UPDATE_CONFIG=0
NO_START=0
NODE_BIN=""

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then
    set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
    opt=$1
  fi
  case $opt in
    --role) need_value "$@"; ROLE=$2; shift 2 ;;
    --base-dir) need_value "$@"; BASE_DIR=$2; shift 2 ;;
    --agent-user) need_value "$@"; AGENT_USER=$2; shift 2 ;;
    --host-id) need_value "$@"; HOST_ID=$2; shift 2 ;;
    --job-id) need_value "$@"; JOB_ID=$2; shift 2 ;;
    --controller) need_value "$@"; CONTROLLER=$2; shift 2 ;;
    --rw-path) need_value "$@"; RW_PATHS+=("$2"); shift 2 ;;
    --update-config) UPDATE_CONFIG=1; shift ;;
    --no-start) NO_START=1; shift ;;
    --root) need_value "$@"; ROOT=$2; shift 2 ;;
    --node) need_value "$@"; NODE_BIN=$2; shift 2 ;;
    --uninstall) UNINSTALL=1; shift ;;
    --purge) PURGE=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $opt" ;;
  esac
done

case $ROLE in agent | controller | both) ;; *) die "--role must be agent, controller or both (got: $ROLE)" ;; esac
[[ $PURGE -eq 0 || $UNINSTALL -eq 1 ]] || die "--purge goes with --uninstall"
if [[ -n $ROOT ]]; then
  [[ $ROOT == /* ]] || ROOT=$PWD/$ROOT
  ROOT=${ROOT%/}
  [[ -n $ROOT ]] || die "--root / is the live system: leave --root out"
elif [[ $EUID -ne 0 ]]; then
  die "run as root (or give --root DIR to install into a folder)"
fi
# Paths on the target system: the same path under --root.
r() { printf '%s%s' "$ROOT" "$1"; }
# systemctl only for the live system, and only where systemd runs (not in a container or chroot).
use_systemctl() { [[ -z $ROOT && -d /run/systemd/system ]]; }
has_role() { [[ $ROLE == "$1" || $ROLE == both ]]; }
# Paths go into unit files unquoted: keep them to characters that need no escaping there.
check_path() {
  [[ $2 == /* && $2 != *[[:space:]\"\'\\%]* ]] || die "$1 \"$2\": use an absolute path without spaces, quotes, backslashes or '%'"
}

# Puts file $2 at $3 with mode $1 unless it is there already; remembers that something changed.
CHANGED=0
put() {
  if [[ -f $3 && $(stat -c %a "$3") == "${1#0}" ]] && cmp -s "$2" "$3"; then return 0; fi
  install -m "$1" "$2" "$3"
  CHANGED=1
}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/trainsafe-install.XXXXXX")
STAGE=""
cleanup() {
  rm -rf "$WORK"
  if [[ -n $STAGE ]]; then rm -rf "$STAGE"; fi
}
trap cleanup EXIT

# ---------------------------------------------------------------- uninstall

if [[ $UNINSTALL -eq 1 ]]; then
  units=()
  for unit in trainsafe-agent.service trainsafe-controller.service; do
    if [[ -e $(r "$UNIT_DIR/$unit") ]]; then units+=("$unit"); fi
  done
  if use_systemctl && [[ ${#units[@]} -gt 0 ]]; then
    # With KillMode=process, stopping the agent leaves a running training daemon running.
    systemctl disable --now "${units[@]}" || log "warning: systemctl disable --now ${units[*]} failed"
  fi
  for unit in "${units[@]}"; do rm -f "$(r "$UNIT_DIR/$unit")"; done
  rm -f "$(r "$DROPIN")"
  rmdir "$(r "$UNIT_DIR/trainsafe-agent.service.d")" 2>/dev/null || true
  if use_systemctl; then systemctl daemon-reload || true; fi
  if [[ -f $(r "$LAUNCHER") ]] && grep -qF "$MARKER" "$(r "$LAUNCHER")"; then rm -f "$(r "$LAUNCHER")"; fi
  rm -rf "$(r "$PREFIX")" "$(r /opt)"/.trainsafe.new.* "$(r /opt)"/.trainsafe.old.*
  if [[ $PURGE -eq 1 ]]; then
    rm -rf "$(r "$ETC")" "$(r "$STATE")" "$(r /var/lib/private/trainsafe)"
    log "removed trainsafe, its settings ($ETC) and state ($STATE)"
  else
    log "removed trainsafe; kept settings in $ETC and state in $STATE (--purge removes them)"
  fi
  if [[ " ${units[*]} " == *" trainsafe-agent.service "* ]]; then
    log "a training daemon started by the agent keeps running: stop it yourself if you mean to"
  fi
  exit 0
fi

# ---------------------------------------------------------------- checks (nothing changed yet)

[[ -d $SRC/node_modules ]] || die "$SRC has no node_modules: run 'npm ci --omit=dev' there first"
NODE_BIN=${NODE_BIN:-$(command -v node || true)}
[[ -n $NODE_BIN && -x $NODE_BIN ]] || die "Node.js >= 20 is needed (no node on PATH; give --node PATH)"
[[ $NODE_BIN == /* ]] || NODE_BIN=$(cd "$(dirname "$NODE_BIN")" && pwd)/$(basename "$NODE_BIN")
[[ $NODE_BIN != *\'* ]] || die "--node $NODE_BIN: a path with a single quote cannot go into the launcher"
node_major=$("$NODE_BIN" -p 'process.versions.node.split(".")[0]')
[[ $node_major -ge 20 ]] || die "$NODE_BIN is Node $node_major; trainsafe needs Node >= 20"
if [[ -n $BASE_DIR ]]; then check_path --base-dir "$BASE_DIR"; fi
for p in "${RW_PATHS[@]}"; do check_path --rw-path "$p"; done
if [[ -n $AGENT_USER && ! $AGENT_USER =~ ^[a-z_][a-z0-9_-]{0,31}$ ]]; then die "--agent-user \"$AGENT_USER\" is not a user name"; fi

# Runs a deploy/lib script with the source's tsx (the new version of the code validates its settings).
run_ts() { (cd "$SRC" && "$NODE_BIN" --import tsx "$@"); }

agent_json=$(r "$ETC/agent.json")
agent_new=""      # the agent.json to put in place, when it is new or changed
agent_base=""     # training directory, as resolved from agent.json
agent_statedir="" # agent.stateDir as written in agent.json
if has_role agent; then
  cfg_args=()
  if [[ -n $BASE_DIR ]]; then cfg_args+=(--base-dir "$BASE_DIR"); fi
  if [[ -n $HOST_ID ]]; then cfg_args+=(--host-id "$HOST_ID"); fi
  if [[ -n $JOB_ID ]]; then cfg_args+=(--job-id "$JOB_ID"); fi
  if [[ -n $CONTROLLER ]]; then cfg_args+=(--controller "$CONTROLLER"); fi
  if [[ ! -e $agent_json ]]; then
    [[ -n $BASE_DIR ]] || die "first agent install: give --base-dir (the training directory the agent guards)"
    if [[ -z $HOST_ID && -z $ROOT ]]; then cfg_args+=(--host-id "$(hostname -s)"); fi
    agent_new=$WORK/agent.json
    cp "$SRC/deploy/examples/agent.json" "$agent_new"
    out=$(run_ts deploy/lib/configure.ts agent "$agent_new" --init --state-dir "$AGENT_STATE" "${cfg_args[@]}") || exit 2
  elif [[ $UPDATE_CONFIG -eq 1 ]]; then
    agent_new=$WORK/agent.json
    cp "$agent_json" "$agent_new"
    out=$(run_ts deploy/lib/configure.ts agent "$agent_new" "${cfg_args[@]}") || exit 2
    if cmp -s "$agent_new" "$agent_json"; then agent_new=""; fi
  else
    if [[ ${#cfg_args[@]} -gt 0 ]]; then
      log "keeping $ETC/agent.json as it is: --base-dir/--host-id/--job-id/--controller are applied with --update-config"
    fi
    out=$(run_ts deploy/lib/configure.ts agent "$agent_json") || exit 2
  fi
  agent_base=$(sed -n 1p <<<"$out")
  agent_statedir=$(sed -n 2p <<<"$out")
  check_path "baseDir in $ETC/agent.json" "$agent_base"

  dropin=$(r "$DROPIN")
  if [[ -z $AGENT_USER && -f $dropin ]]; then AGENT_USER=$(sed -n 's/^User=//p' "$dropin" | tail -n 1); fi
  if [[ -z $AGENT_USER && -d $(r "$agent_base") ]]; then
    AGENT_USER=$(stat -c %U "$(r "$agent_base")")
    [[ $AGENT_USER != root && $AGENT_USER != UNKNOWN ]] ||
      die "$agent_base is owned by ${AGENT_USER}: give --agent-user (the training daemon runs as the agent's user)"
  fi
  [[ -n $AGENT_USER ]] || die "give --agent-user (the account that owns the training; $agent_base does not exist yet)"
  if [[ -z $ROOT ]]; then
    id -u "$AGENT_USER" >/dev/null 2>&1 || die "--agent-user $AGENT_USER: no such user on this host"
    [[ -d $agent_base ]] || log "warning: $agent_base does not exist: the agent unit will not start until it does"
  fi
  if [[ $AGENT_USER == root ]]; then log "warning: the agent runs as root, and so does the training it starts"; fi
  if [[ ${#RW_PATHS[@]} -eq 0 && -f $dropin ]]; then
    read -r -a RW_PATHS <<<"$(sed -n '/^# --rw-path/{n;s/^ReadWritePaths=//p}' "$dropin")"
  fi
fi

controller_new=""
if has_role controller; then
  controller_json=$(r "$ETC/controller.json")
  if [[ ! -e $controller_json ]]; then controller_new=$SRC/deploy/examples/controller.json; fi
  run_ts deploy/lib/configure.ts controller "${controller_new:-$controller_json}" >/dev/null || exit 2
fi

# ---------------------------------------------------------------- program and launcher

# Copied only when the installed files differ from the source's (tar keeps modification times, so an
# untouched install compares equal); staged next to the old copy and swapped in by rename, so a failed
# copy leaves the old one whole.
same=0
run_ts deploy/lib/manifest.ts "$SRC" --compare "$(r "$PREFIX")" >"$WORK/files" || same=$?
case $same in
  0) log "$PREFIX is up to date" ;;
  1)
    mkdir -p "$(r /opt)"
    STAGE=$(r /opt)/.trainsafe.new.$$
    rm -rf "$STAGE"
    mkdir "$STAGE"
    tar -C "$SRC" -cf - -T "$WORK/files" | tar -C "$STAGE" -xf - --no-same-owner
    # The shipped form: the CLI bundled into dist/ and run by plain node (no TypeScript loader at
    # run time: the agent stays small). Without it the launcher falls back to the sources via tsx.
    if ! "$NODE_BIN" "$STAGE/deploy/build.mjs" "$STAGE" >"$WORK/build.log" 2>&1; then
      log "warning: could not build $PREFIX/dist ($(tail -n 1 "$WORK/build.log")); running the sources through tsx"
    fi
    chmod -R go-w,a+rX "$STAGE"
    old=$(r /opt)/.trainsafe.old.$$
    if [[ -e $(r "$PREFIX") ]]; then mv "$(r "$PREFIX")" "$old"; fi
    mv "$STAGE" "$(r "$PREFIX")"
    STAGE=""
    rm -rf "$old"
    CHANGED=1
    log "installed the program in $PREFIX"
    ;;
  *) exit 1 ;;
esac

launcher=$(r "$LAUNCHER")
mkdir -p "$(dirname "$launcher")"
if [[ -e $launcher ]] && ! grep -qF "$MARKER" "$launcher"; then
  die "$LAUNCHER exists and was not $MARKER: remove it and run again"
fi
# `check` and `crash scan` run with V8's regexp tier-up off: each regexp is compiled to machine code
# on its first run instead of to bytecode first (whose optimising pass costs more than the machine
# code) and to machine code again on its second run; ~2-3 ms of their start. `check`, whose work is
# cold code run a few times, also runs without V8's baseline compiler (Sparkplug): ~2 ms
# (docs/benchmarks.md, start-up, 2026-12-07 05:51), and gives a function its feedback vector (the
# inline caches' memory) once it has run 1000 times its bytecode's size, not 8 times: most of its
# functions run once or a few times, where filling the caches costs more than they save; ~1-1.5 ms
# (2026-12-07 09:10). Other commands run few regexps, and any V8 option
# makes node compile the built-in modules it loads without their code cache (+1-2 ms; the ES module
# commands +9 ms). bench/startup.bench.ts (launcherOptions) measures the commands as run here.
# `crash scan` also runs without V8's on-stack replacement (OSR): a whole-file scan's loop over its first
# 4 MiB read is compiled by TurboFan while it runs, then again as a whole function on the next read, and
# each deoptimization of that first, thin-feedback code costs both once more (TurboFan ~170 ms of CPU in a
# one-scan command); without OSR the loop is compiled when it is next called, twice in all: -74 to -104 ms
# (medians of paired runs) of the shipped `crash scan --all`'s CPU on the bench's 0.30 GB log pinned to one
# CPU, -105 to -134 ms in two threads (each thread's isolate compiles its own; docs/benchmarks.md,
# 2026-12-07, "the first scan's warm-up"). A small log's scan: no difference seen.
# V8's options are no stable interface: a node whose V8 lacks one (renamed or removed in a later V8,
# or a build without that compiler) refuses to start with it ("bad option", exit 9), which would break
# the command for a few milliseconds' gain. So each option is tried here, once, with the node the
# launcher runs, and the launcher gets only those it accepted.
accepted_v8_options() {
  local kept="" option
  for option in "$@"; do
    if "$NODE_BIN" "$option" -e 0 >/dev/null 2>&1; then kept+=" $option"; fi
  done
  printf '%s' "$kept"
}
regexp_options=$(accepted_v8_options --no-regexp-tier-up)
scan_options=$regexp_options$(accepted_v8_options --no-use-osr)
check_options=$regexp_options$(accepted_v8_options --no-sparkplug --interrupt-budget-factor-for-feedback-allocation=1000)
option_cases=""
if [[ -n $check_options ]]; then
  option_cases+="    \"check \"*) exec '$NODE_BIN'$check_options $PREFIX/dist/trainsafe.cjs \"\$@\" ;;"$'\n'
fi
if [[ -n $scan_options ]]; then
  option_cases+="    \"crash scan\") exec '$NODE_BIN'$scan_options $PREFIX/dist/trainsafe.cjs \"\$@\" ;;"$'\n'
fi
if [[ -n $option_cases ]]; then option_cases="  case \"\$1 \$2\" in"$'\n'"$option_cases  esac"$'\n'; fi
cat >"$WORK/launcher" <<EOF
#!/bin/sh
# trainsafe launcher, $MARKER
if [ -f $PREFIX/dist/trainsafe.cjs ]; then
${option_cases}  exec '$NODE_BIN' $PREFIX/dist/trainsafe.cjs "\$@"
fi
exec '$NODE_BIN' $PREFIX/bin/trainsafe.js "\$@"
EOF
put 0755 "$WORK/launcher" "$launcher"

# ---------------------------------------------------------------- settings and state

mkdir -p "$(r "$ETC")"
chmod 0755 "$(r "$ETC")"
if has_role agent; then
  if [[ -n $agent_new ]]; then
    # Readable by everyone: the agent runs as the training user; it holds no secrets.
    put 0644 "$agent_new" "$agent_json"
    log "wrote $ETC/agent.json (training directory $agent_base)"
  else
    log "kept $ETC/agent.json"
  fi
  if [[ ! -e $(r "$ETC/agent.env") ]]; then put 0644 "$SRC/deploy/examples/agent.env" "$(r "$ETC/agent.env")"; fi
  mkdir -p "$(r "$AGENT_STATE")"
  chmod 0750 "$(r "$AGENT_STATE")"
  if [[ -z $ROOT ]]; then chown "$AGENT_USER:" "$(r "$AGENT_STATE")"; fi
fi
if has_role controller; then
  if [[ -n $controller_new ]]; then
    # World-readable: the controller runs with a dynamic UID (see trainsafe-controller.service).
    put 0644 "$controller_new" "$controller_json"
    log "wrote $ETC/controller.json"
  else
    log "kept $ETC/controller.json"
  fi
  # No state folder here: systemd creates it under /var/lib/private for the dynamic user, and moves a
  # plain folder found in its place.
fi

# ---------------------------------------------------------------- units

mkdir -p "$(r "$UNIT_DIR")"
units=()
if has_role agent; then units+=(trainsafe-agent.service); fi
if has_role controller; then units+=(trainsafe-controller.service); fi
for unit in "${units[@]}"; do put 0644 "$SRC/deploy/systemd/$unit" "$(r "$UNIT_DIR/$unit")"; done
if has_role agent; then
  extra_rw=()
  # A state folder elsewhere than the unit's StateDirectory= must be writable too (a relative one is
  # inside the training directory).
  if [[ $agent_statedir == /* && $agent_statedir != "$AGENT_STATE" && $agent_statedir != "$agent_base"/* ]]; then
    check_path "agent.stateDir in $ETC/agent.json" "$agent_statedir"
    extra_rw+=("$agent_statedir")
  fi
  {
    echo "# $MARKER, which rewrites it on every run."
    echo "# Your own changes go in another drop-in (systemctl edit trainsafe-agent), read after this one."
    echo "[Service]"
    echo "User=$AGENT_USER"
    echo "# training directory: baseDir of $ETC/agent.json"
    echo "ReadWritePaths=$agent_base"
    if [[ ${#extra_rw[@]} -gt 0 ]]; then
      echo "# agent.stateDir of $ETC/agent.json"
      echo "ReadWritePaths=${extra_rw[*]}"
    fi
    if [[ ${#RW_PATHS[@]} -gt 0 ]]; then
      echo "# --rw-path"
      echo "ReadWritePaths=${RW_PATHS[*]}"
    fi
  } >"$WORK/dropin"
  mkdir -p "$(dirname "$(r "$DROPIN")")"
  put 0644 "$WORK/dropin" "$(r "$DROPIN")"
fi

if use_systemctl; then
  systemctl daemon-reload
  systemctl enable "${units[@]}"
  if [[ $NO_START -eq 0 && $CHANGED -eq 1 ]]; then
    # Restarting the agent never stops training (KillMode=process in the unit).
    systemctl restart "${units[@]}"
    log "enabled and (re)started ${units[*]}"
  elif [[ $NO_START -eq 0 ]]; then
    # Nothing changed: start what is not running, leave running services alone.
    systemctl start "${units[@]}"
    log "enabled ${units[*]}; nothing changed, running services left alone"
  else
    log "enabled ${units[*]} (not started: --no-start)"
  fi
else
  log "installed ${units[*]} without enabling them (${ROOT:+--root }${ROOT:-systemd is not running}); on the target: systemctl enable --now ${units[*]}"
fi
log "done: $PREFIX, $LAUNCHER, $ETC, units ${units[*]}"
