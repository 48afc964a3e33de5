#!/usr/bin/env bash
# Makes a bearer token for `trainsafe fleet` and the entry that lists it in the controller's config.
# The token goes to stdout (give it to the user; it is not stored anywhere); the auth.tokens entry,
# which holds only the token's SHA-256, goes to stderr. See docs/security.md.
#
# Usage: make-token.sh NAME read-only|operator
set -euo pipefail
name="${1:-}"
role="${2:-}"
if [[ ! "$name" =~ ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$ || ( "$role" != "read-only" && "$role" != "operator" ) ]]; then
  echo "usage: make-token.sh NAME read-only|operator   (NAME: 1-64 letters, digits and . _ @ -)" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "make-token.sh: openssl is not installed" >&2; exit 2; }
token="ts_$(openssl rand -hex 32)"
hash="$(printf '%s' "$token" | openssl dgst -sha256 -r | cut -d' ' -f1)"
printf '%s\n' "$token"
printf 'add to the controller config, auth.tokens:\n  { "name": "%s", "sha256": "%s", "role": "%s" }\n' "$name" "$hash" "$role" >&2
