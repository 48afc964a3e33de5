#!/bin/sh
# Second level: wait again, then exec the real interpreter (python3 may itself be a shim that execs).
sleep "${CHAIN_DELAY_S:-0.3}"
exec python3 "$(dirname "$0")/trainer.py" "$@"
