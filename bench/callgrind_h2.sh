#!/usr/bin/env bash
# Instructions per request under callgrind for the rows of bench/h2.sh, stable on a busy machine
# where its CPU ratios are not: one lacquer (--threads 1) with a TLS [[listen]] table in front
# of bench/origin.cc, then h2load runs of N hits on /bytes/1024/0, each counted on its own after
# a warm-up: h2c with 1 and 10 streams per connection, TLS h2 with 1 stream, TLS HTTP/1.1, and
# N/10 new TLS handshakes (Ir per handshake).
#
#   bash bench/callgrind_h2.sh NAME [BINARY] [N]     (default build/edge/lacquer, N 4000)
#
# Writes /tmp/lacquer-callgrind-h2/NAME/cg.<pid>.<k> and prints Ir per request for each row.
# Compare two builds by function:  callgrind_annotate --auto=no A/cg.*.3 ; ... B/cg.*.3
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=$1 bin=${2:-$(dirname "$BENCH")/build/edge/lacquer} n=${3:-4000}
D=/tmp/lacquer-callgrind-h2/$name
rm -rf "$D"; mkdir -p "$D/state"
g++ -O2 -std=c++20 -o "$D/origin" "$BENCH/origin.cc" -levent
fp() { /usr/bin/python3 "$BENCH/benchtool.py" freeport; }
OP=$(fp); LP=$(fp); TP=$(fp); AP=$(fp)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$D/bench.key" -out "$D/bench.pem" \
  -days 2 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null
cat >"$D/lacquer.toml" <<EOF
[[listen]]
address = "127.0.0.1:$TP"
tls = true
certificates = [ { cert = "$D/bench.pem", key = "$D/bench.key" } ]
EOF
"$D/origin" "$OP" >"$D/origin.out" 2>&1 & OPID=$!
cp "$bin" "$D/bin"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$D/cg.%p" \
  "$D/bin" --config "$D/lacquer.toml" --listen 127.0.0.1:$LP --admin 127.0.0.1:$AP --origin 127.0.0.1:$OP \
  --threads 1 --state-dir "$D/state" --memory 512M >"$D/lacquer.log" 2>&1 & LPID=$!
trap 'kill $LPID $OPID 2>/dev/null || true' EXIT
HOT=/bytes/1024/0
for _ in $(seq 600); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$LP$HOT" && break; sleep 0.2; done
declare -a LABELS=() COUNTS=()
measure() {   # measure LABEL COUNT COMMAND...: the command runs once to warm up, once counted
  local label=$1 count=$2
  shift 2
  "$@" >/dev/null 2>&1 || true
  callgrind_control -z $LPID >/dev/null 2>&1; callgrind_control -i on $LPID >/dev/null 2>&1
  "$@" >"$D/$label.txt" 2>&1 || true
  callgrind_control -i off $LPID >/dev/null 2>&1; callgrind_control -d "$label" $LPID >/dev/null 2>&1
  LABELS+=("$label"); COUNTS+=("$count")
}
measure h2c-m1 "$n" h2load -n "$n" -c 4 -m 1 "http://127.0.0.1:$LP$HOT"
measure h2c-m10 "$n" h2load -n "$n" -c 4 -m 10 "http://127.0.0.1:$LP$HOT"
measure tls-h2-m1 "$n" h2load -n "$n" -c 4 -m 1 "https://127.0.0.1:$TP$HOT"
measure tls-h1 "$n" h2load --h1 -n "$n" -c 4 "https://127.0.0.1:$TP$HOT"
hs=$((n / 10))
measure tls-handshake "$hs" bash -c "for i in \$(seq $hs); do echo | openssl s_client -connect 127.0.0.1:$TP -tls1_3 -quiet -no_ign_eof >/dev/null 2>&1 || true; done"
kill $LPID; wait $LPID || true
for i in "${!LABELS[@]}"; do
  f=$(ls "$D"/cg.*."$((i + 1))")
  awk -v n="${COUNTS[$i]}" -v l="${LABELS[$i]}" -v f="$f" \
    '/^totals:/ {printf "%-14s %8.0f Ir per request (%s)\n", l, $2 / n, f}' "$f"
done
