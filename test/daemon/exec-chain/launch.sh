#!/bin/sh
# First level of a real launcher chain (like a pyenv shim or `accelerate launch`): wait, then exec on.
sleep "${CHAIN_DELAY_S:-0.3}"
exec sh "$(dirname "$0")/wrapper.sh" "$@"
