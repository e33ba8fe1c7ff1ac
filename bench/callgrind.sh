#!/usr/bin/env bash
# Instructions per request under callgrind, stable on a busy machine where bench/run.sh's CPU
# ratios are not: one lacquer (--threads 1, default disk tier, as bench/run.sh runs it) in front
# of bench/origin.cc, N all-miss requests (a new 1 KiB URL each) then N hot hits (/bytes/1024/0),
# each counted on its own after a warm-up.
#
#   bash bench/callgrind.sh NAME [BINARY] [N]     (default build/edge/lacquer, N 2000)
#
# Writes /tmp/lacquer-callgrind/NAME/cg.<pid>.1 (misses) and .2 (hits) and prints Ir per request.
# Compare two builds by function:  callgrind_annotate --auto=no A/cg.*.1 ; ... B/cg.*.1
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=$1 bin=${2:-$(dirname "$BENCH")/build/edge/lacquer} n=${3:-2000}
D=/tmp/lacquer-callgrind/$name
rm -rf "$D"; mkdir -p "$D/state"
g++ -O2 -std=c++20 -o "$D/origin" "$BENCH/origin.cc" -levent
fp() { /usr/bin/python3 "$BENCH/benchtool.py" freeport; }
OP=$(fp); LP=$(fp); AP=$(fp)
"$D/origin" "$OP" >"$D/origin.out" 2>&1 & OPID=$!
cp "$bin" "$D/bin"
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$D/cg.%p" \
  "$D/bin" --listen 127.0.0.1:$LP --admin 127.0.0.1:$AP --origin 127.0.0.1:$OP --threads 1 \
  --state-dir "$D/state" --memory 512M >"$D/lacquer.log" 2>&1 & LPID=$!
trap 'kill $LPID $OPID 2>/dev/null || true' EXIT
for _ in $(seq 600); do curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$LP/bytes/1024/0" && break; sleep 0.2; done
drive() { /usr/bin/python3 "$BENCH/cgdrive.py" "127.0.0.1:$LP" "$@" >/dev/null 2>&1; }
drive miss 200 4 warm   # connections, pools, first allocations
drive hot 200 4 warm
measure() {   # measure LABEL MODE
  callgrind_control -z $LPID >/dev/null 2>&1; callgrind_control -i on $LPID >/dev/null 2>&1
  drive "$2" "$n" 4 "$1"
  callgrind_control -i off $LPID >/dev/null 2>&1; callgrind_control -d "$1" $LPID >/dev/null 2>&1
}
measure miss miss
measure hot hot
kill $LPID; wait $LPID || true
for f in "$D"/cg.*.1 "$D"/cg.*.2; do
  awk -v n="$n" -v f="$f" '/^desc: Trigger/ {t=$4} /^totals:/ {printf "%s: %.0f Ir per request (%s)\n", t, $2 / n, f}' "$f"
done
