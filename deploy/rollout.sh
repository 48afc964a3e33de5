#!/usr/bin/env bash
# Installs the trainsafe agent on many hosts over ssh: builds one bundle of the program (what
# install.sh would copy), then per host streams it over ssh, unpacks it in a temporary folder and runs
# deploy/install.sh there with that host's settings (host id, job id, training directory, controller).
# Prints a per-host result table; exits 1 if any host failed. docs/operations.md ("Installing").
#
# The ssh command comes from --ssh or $TRAINSAFE_SSH (word-split; no quoting inside), default
# ssh in batch mode with connect and keep-alive timeouts. The hosts need bash, tar, gzip, Node >= 20
# and a POSIX login shell; the bundle's native module (better-sqlite3, used by the controller) is built for
# the machine that builds the bundle, so build it on the same OS and architecture as the fleet.
set -euo pipefail
umask 022

usage() {
  cat <<'EOF'
Usage: rollout.sh --hosts FILE [options]

  --hosts FILE            inventory: one host a line, "ssh-target host-id job-id [base-dir]", # comments
  --controller HOST:PORT  controller address written into every host's agent.json
  --base-dir DIR          training directory for hosts whose line names none
  --agent-user USER       account the agents run as (default: install.sh's: owner of the training directory)
  --parallel N            hosts installed at the same time (default: 4)
  --dry-run               print the commands it would run, per host, and run nothing
  --sudo                  run install.sh with `sudo -n` (when the ssh user is not root)
  --update-config         re-apply the per-host settings to an existing agent.json
  --no-start              enable the agent units without (re)starting them
  --remote-tmp DIR        folder on the hosts where the bundle is unpacked (default: /tmp)
  --ssh CMD               ssh command (default: $TRAINSAFE_SSH, else ssh -o BatchMode=yes
                          -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=4)
  --log-dir DIR           where per-host logs go (default: a new folder under $TMPDIR)
  -h, --help              this text
Exit status: 0 every host installed, 1 some host failed, 2 bad options or inventory.
EOF
}

log() { printf 'rollout.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOSTS_FILE=""
CONTROLLER=""
DEFAULT_BASE=""
AGENT_USER=""
PARALLEL=4
DRY_RUN=0
SUDO=0
UPDATE_CONFIG=0
NO_START=0
REMOTE_TMP=/tmp
# Keep-alives end a connection to a host that stops answering mid-install instead of waiting forever.
SSH_TEXT=${TRAINSAFE_SSH:-ssh -o BatchMode=yes -o ConnectTimeout=15 -o ServerAliveInterval=15 -o ServerAliveCountMax=4}
LOG_DIR=""

need_value() { [[ $# -ge 2 && -n $2 ]] || die "$1 needs a value"; }
while [[ $# -gt 0 ]]; do
  opt=$1
  if [[ $opt == --*=* ]]; then
    set -- "${opt%%=*}" "${opt#*=}" "${@:2}"
    opt=$1
  fi
  case $opt in
    --hosts) need_value "$@"; HOSTS_FILE=$2; shift 2 ;;
    --controller) need_value "$@"; CONTROLLER=$2; shift 2 ;;
    --base-dir) need_value "$@"; DEFAULT_BASE=$2; shift 2 ;;
    --agent-user) need_value "$@"; AGENT_USER=$2; shift 2 ;;
    --parallel) need_value "$@"; PARALLEL=$2; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --sudo) SUDO=1; shift ;;
    --update-config) UPDATE_CONFIG=1; shift ;;
    --no-start) NO_START=1; shift ;;
    --remote-tmp) need_value "$@"; REMOTE_TMP=$2; shift 2 ;;
    --ssh) need_value "$@"; SSH_TEXT=$2; shift 2 ;;
    --log-dir) need_value "$@"; LOG_DIR=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $opt" ;;
  esac
done

# Every value below ends up inside the remote shell command, so each is held to characters that
# need no quoting there (install.sh checks them again on the host).
ID_RE='^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$'
TARGET_RE='^[A-Za-z0-9_][A-Za-z0-9_.@:-]*$'
PATH_RE='^/[A-Za-z0-9_./@+:-]*$'
ADDR_RE='^([A-Za-z0-9._-]+|\[[0-9A-Fa-f:.]+\]):[0-9]{1,5}$'
[[ -n $HOSTS_FILE ]] || { usage >&2; die "--hosts FILE is required"; }
[[ -f $HOSTS_FILE && -r $HOSTS_FILE ]] || die "--hosts $HOSTS_FILE: not a readable file"
[[ $PARALLEL =~ ^[1-9][0-9]{0,2}$ ]] || die "--parallel must be a number from 1 to 999 (got: $PARALLEL)"
[[ -z $CONTROLLER || $CONTROLLER =~ $ADDR_RE ]] || die "--controller \"$CONTROLLER\": use host:port"
[[ -z $DEFAULT_BASE || $DEFAULT_BASE =~ $PATH_RE ]] || die "--base-dir \"$DEFAULT_BASE\": use an absolute path of letters, digits and ._/@+:-"
[[ -z $AGENT_USER || $AGENT_USER =~ ^[a-z_][a-z0-9_-]{0,31}$ ]] || die "--agent-user \"$AGENT_USER\" is not a user name"
[[ $REMOTE_TMP =~ $PATH_RE ]] || die "--remote-tmp \"$REMOTE_TMP\": use an absolute path of letters, digits and ._/@+:-"
read -r -a SSH_CMD <<<"$SSH_TEXT"
[[ ${#SSH_CMD[@]} -gt 0 ]] || die "the ssh command is empty"

# ---------------------------------------------------------------- inventory (all checked before any host)

TARGETS=()
IDS=()
JOBS=()
BASES=()
lineno=0
while IFS= read -r line || [[ -n $line ]]; do
  lineno=$((lineno + 1))
  line=${line%%#*}
  read -r -a f <<<"$line" || true
  [[ ${#f[@]} -gt 0 ]] || continue
  where="$HOSTS_FILE:$lineno"
  [[ ${#f[@]} -ge 3 && ${#f[@]} -le 4 ]] || die "$where: expected \"ssh-target host-id job-id [base-dir]\", got ${#f[@]} fields"
  [[ ${f[0]} =~ $TARGET_RE ]] || die "$where: ssh target \"${f[0]}\" has characters other than letters, digits and _.@:-"
  [[ ${f[1]} =~ $ID_RE ]] || die "$where: host id \"${f[1]}\": use letters, digits, '.', '_' and '-'"
  [[ ${f[2]} =~ $ID_RE ]] || die "$where: job id \"${f[2]}\": use letters, digits, '.', '_' and '-'"
  base=${f[3]:-$DEFAULT_BASE}
  [[ -n $base ]] || die "$where: no base-dir on the line and no --base-dir"
  [[ $base =~ $PATH_RE ]] || die "$where: base dir \"$base\": use an absolute path of letters, digits and ._/@+:-"
  for i in "${!IDS[@]}"; do
    [[ ${IDS[$i]} != "${f[1]}" ]] || die "$where: host id ${f[1]} appears twice"
    [[ ${TARGETS[$i]} != "${f[0]}" ]] || die "$where: ssh target ${f[0]} appears twice (one agent per host)"
  done
  TARGETS+=("${f[0]}")
  IDS+=("${f[1]}")
  JOBS+=("${f[2]}")
  BASES+=("$base")
done <"$HOSTS_FILE"
[[ ${#IDS[@]} -gt 0 ]] || die "$HOSTS_FILE names no hosts"

# ---------------------------------------------------------------- commands

# A new folder per run for the bundle (removed at the end) and the logs (kept).
if [[ $DRY_RUN -eq 1 ]]; then
  WORK=${TMPDIR:-/tmp}/trainsafe-rollout.XXXXXX
else
  WORK=$(mktemp -d "${TMPDIR:-/tmp}/trainsafe-rollout.XXXXXX")
fi
BUNDLE=$WORK/trainsafe.tar.gz
LOG_DIR=${LOG_DIR:-$WORK/logs}

# The command run on host $1 (index): unpack the bundle from stdin, install, always remove the folder.
remote_command() {
  local i=$1 install
  install="bash \"\$d/deploy/install.sh\" --role agent --host-id ${IDS[$i]} --job-id ${JOBS[$i]} --base-dir ${BASES[$i]}"
  if [[ -n $CONTROLLER ]]; then install+=" --controller $CONTROLLER"; fi
  if [[ -n $AGENT_USER ]]; then install+=" --agent-user $AGENT_USER"; fi
  if [[ $UPDATE_CONFIG -eq 1 ]]; then install+=" --update-config"; fi
  if [[ $NO_START -eq 1 ]]; then install+=" --no-start"; fi
  if [[ $SUDO -eq 1 ]]; then install="sudo -n $install"; fi
  printf '%s' "d=\$(mktemp -d $REMOTE_TMP/trainsafe-rollout.XXXXXX) || exit 1; rc=0; tar -xzf - -C \"\$d\" && $install || rc=\$?; rm -rf \"\$d\"; exit \$rc"
}

# A command as a shell line: the remote command in single quotes (it holds none), the rest %q-quoted.
show_command() {
  local i=$1 word out=""
  for word in "${SSH_CMD[@]}" "${TARGETS[$i]}"; do out+="$(printf '%q' "$word") "; done
  printf "%s'%s' < %q\n" "$out" "$(remote_command "$i")" "$BUNDLE"
}

if [[ $DRY_RUN -eq 1 ]]; then
  printf '# bundle: tar -C %q -cf - <the files deploy/lib/manifest.ts lists> | gzip -1 > %q\n' "$SRC" "$BUNDLE"
  for i in "${!IDS[@]}"; do
    printf '# %s (%s)\n' "${IDS[$i]}" "${TARGETS[$i]}"
    show_command "$i"
  done
  exit 0
fi

if [[ ! -d $SRC/node_modules ]]; then
  rm -rf "$WORK"
  die "$SRC has no node_modules: run 'npm ci --omit=dev' there first"
fi
mkdir -p "$LOG_DIR"
PIDS=()
stop_all() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  log "interrupted"
  exit 130
}
trap stop_all INT TERM
(cd "$SRC" && node --import tsx deploy/lib/manifest.ts "$SRC") >"$WORK/files"
tar -C "$SRC" -cf - -T "$WORK/files" | gzip -1 >"$BUNDLE"
log "bundle $BUNDLE ($(du -h "$BUNDLE" | cut -f1)); ${#IDS[@]} hosts, $PARALLEL at a time; logs in $LOG_DIR"

install_host() {
  local i=$1 started=$SECONDS rc=0
  {
    printf '$ '
    show_command "$i"
    "${SSH_CMD[@]}" "${TARGETS[$i]}" "$(remote_command "$i")" <"$BUNDLE" || rc=$?
  } >"$LOG_DIR/${IDS[$i]}.log" 2>&1
  echo "$rc" >"$LOG_DIR/${IDS[$i]}.rc"
  if [[ $rc -eq 0 ]]; then
    log "${IDS[$i]}: ok ($((SECONDS - started))s)"
  else
    log "${IDS[$i]}: FAILED with exit $rc ($((SECONDS - started))s), log: $LOG_DIR/${IDS[$i]}.log"
  fi
}

running=0
for i in "${!IDS[@]}"; do
  if [[ $running -ge $PARALLEL ]]; then
    wait -n || true
    running=$((running - 1))
  fi
  install_host "$i" &
  PIDS+=($!)
  running=$((running + 1))
done
wait || true
trap - INT TERM

failed=0
printf '%-20s %-30s %s\n' HOST TARGET RESULT
for i in "${!IDS[@]}"; do
  rc=$(cat "$LOG_DIR/${IDS[$i]}.rc" 2>/dev/null || echo "?")
  if [[ $rc == 0 ]]; then
    result=ok
  else
    failed=$((failed + 1))
    last=$(grep -v '^\$ ' "$LOG_DIR/${IDS[$i]}.log" | grep -v '^[[:space:]]*$' | tail -n 1 || true)
    result="FAILED (exit $rc): ${last:-no output}"
  fi
  printf '%-20s %-30s %s\n' "${IDS[$i]}" "${TARGETS[$i]}" "$result"
done
rm -f "$BUNDLE" "$WORK/files"
echo "$((${#IDS[@]} - failed)) of ${#IDS[@]} hosts installed, $failed failed; logs in $LOG_DIR"
[[ $failed -eq 0 ]] || exit 1
