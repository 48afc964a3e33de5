#!/usr/bin/env bash
# Makes a small private CA for one trainsafe fleet and the certificates its parts present:
#   ca.crt / ca.key                 the CA (keep ca.key offline; only ca.crt is deployed)
#   controller.crt / controller.key server certificate, SANs from --controller
#   hosts/<host-id>.crt / .key      one per --host: URI SAN trainsafe://host/<host-id>, OU=host
#   clients/<name>.crt / .key       --operator NAME (OU=operator), --read-only NAME (OU=read-only)
#
# Re-running with the same --out reuses the CA and keeps existing certificates, so hosts can be
# added later; delete a file to remake it. Keys are EC P-256, written 0600. See docs/security.md.
#
# Usage: make-certs.sh --out DIR [--controller NAME|IP]... [--host ID]... [--operator NAME]...
#                      [--read-only NAME]... [--days N] [--ca-name TEXT]
set -euo pipefail

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

out=""
days=825
ca_name="trainsafe fleet CA"
controllers=()
hosts=()
operators=()
readers=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a folder}"; shift 2 ;;
    --controller) controllers+=("${2:?--controller needs a DNS name or an IP}"); shift 2 ;;
    --host) hosts+=("${2:?--host needs a host id}"); shift 2 ;;
    --operator) operators+=("${2:?--operator needs a name}"); shift 2 ;;
    --read-only) readers+=("${2:?--read-only needs a name}"); shift 2 ;;
    --days) days="${2:?--days needs a number}"; shift 2 ;;
    --ca-name) ca_name="${2:?--ca-name needs a name}"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "make-certs.sh: unknown option $1" >&2; usage ;;
  esac
done
[[ -n "$out" ]] || { echo "make-certs.sh: --out DIR is required" >&2; usage; }
[[ "$days" =~ ^[0-9]+$ && "$days" -gt 0 ]] || { echo "make-certs.sh: --days must be a positive number" >&2; exit 2; }
command -v openssl >/dev/null || { echo "make-certs.sh: openssl is not installed" >&2; exit 2; }
[[ ${#controllers[@]} -gt 0 ]] || controllers=(localhost 127.0.0.1 ::1)

# Same rule as the wire contract's host ids: the id goes verbatim into a URI and a file name.
ID_RE='^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$'
NAME_RE='^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'
for h in "${hosts[@]+"${hosts[@]}"}"; do
  [[ "$h" =~ $ID_RE ]] || { echo "make-certs.sh: host id \"$h\" may hold only letters, digits and . _ : - (1-128)" >&2; exit 2; }
done
for n in "${operators[@]+"${operators[@]}"}" "${readers[@]+"${readers[@]}"}"; do
  [[ "$n" =~ $NAME_RE ]] || { echo "make-certs.sh: client name \"$n\" may hold only letters, digits and . _ @ - (1-64)" >&2; exit 2; }
done
for c in "${controllers[@]}"; do
  [[ "$c" =~ ^[A-Za-z0-9.:-]+$ ]] || { echo "make-certs.sh: --controller \"$c\" is not a DNS name or an IP" >&2; exit 2; }
done

umask 077
mkdir -p "$out/hosts" "$out/clients"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

newkey() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
serial() { echo "0x$(openssl rand -hex 16)"; }

if [[ ! -f "$out/ca.key" || ! -f "$out/ca.crt" ]]; then
  newkey "$out/ca.key"
  openssl req -x509 -new -key "$out/ca.key" -subj "/CN=$ca_name" -days "$days" -sha256 \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -set_serial "$(serial)" -out "$out/ca.crt"
  echo "made CA $out/ca.crt" >&2
fi

# sign NAME SUBJECT EXTENSIONS: NAME.key + NAME.crt signed by the CA, unless NAME.crt exists.
sign() {
  local base="$1" subject="$2" ext="$3"
  if [[ -f "$base.crt" && -f "$base.key" ]]; then
    echo "kept $base.crt" >&2
    return
  fi
  newkey "$base.key"
  openssl req -new -key "$base.key" -subj "$subject" -out "$tmp/req.csr"
  printf '%s\n' "[v3]" "basicConstraints=critical,CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
    "authorityKeyIdentifier=keyid" "$ext" >"$tmp/ext.cnf"
  openssl x509 -req -in "$tmp/req.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" -set_serial "$(serial)" \
    -days "$days" -sha256 -extfile "$tmp/ext.cnf" -extensions v3 -out "$base.crt" 2>/dev/null
  chmod 0644 "$base.crt"
  echo "made $base.crt" >&2
}

sans=()
for c in "${controllers[@]}"; do
  if [[ "$c" =~ ^[0-9.]+$ || "$c" == *:* ]]; then sans+=("IP:$c"); else sans+=("DNS:$c"); fi
done
san_list="$(IFS=,; echo "${sans[*]}")"
sign "$out/controller" "/CN=${controllers[0]}/OU=controller" "extendedKeyUsage=serverAuth
subjectAltName=$san_list"

for h in "${hosts[@]+"${hosts[@]}"}"; do
  sign "$out/hosts/$h" "/CN=$h/OU=host" "extendedKeyUsage=clientAuth
subjectAltName=URI:trainsafe://host/$h"
done
for n in "${operators[@]+"${operators[@]}"}"; do
  sign "$out/clients/$n" "/CN=$n/OU=operator" "extendedKeyUsage=clientAuth"
done
for n in "${readers[@]+"${readers[@]}"}"; do
  sign "$out/clients/$n" "/CN=$n/OU=read-only" "extendedKeyUsage=clientAuth"
done
chmod 0644 "$out/ca.crt"
echo "done: $out (keep $out/ca.key off the hosts)" >&2
