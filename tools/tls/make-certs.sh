#!/usr/bin/env bash
# Head office's own certificate authority and a server certificate signed by it, for a
# self-signed deployment (docs/security.md). Usage: make-certs.sh DIR HOST [HOST...]
# Creates DIR/ca.key and DIR/ca.pem once (reused when present: tablets keep trusting the same CA),
# then DIR/server.key and DIR/server.pem valid for every HOST (IP addresses or DNS names).
# Give tablets ca.pem (fieldcrm sync --ca-file ca.pem); keep ca.key offline.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR HOST [HOST...]   e.g. $0 hq-tls 192.168.1.10 crm.example.cn" >&2
  exit 2
fi
dir=$1
shift
mkdir -p "$dir"
umask 077
names=()
for host in "$@"; do
  if [[ $host =~ ^[0-9.]+$ || $host == *:* ]]; then names+=("IP:$host"); else names+=("DNS:$host"); fi
done
san=$(IFS=,; echo "${names[*]}")
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=fieldcrm head office CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
fi
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -subj "/CN=$1" -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 825 -out "$dir/server.pem" \
  -extfile <(printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san") \
  2>/dev/null
rm -f "$dir/server.csr"
chmod 644 "$dir/ca.pem" "$dir/server.pem"
echo "CA certificate (give it to tablets): $dir/ca.pem"
echo "server certificate for $san: $dir/server.pem, key: $dir/server.key"
