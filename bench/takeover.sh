#!/usr/bin/env bash
# Zero-downtime upgrade under load: lacquer warmed with 1,000 URLs of 1 KiB, wrk on 50 keep-alive
# connections for 30 s, and 12 s in a second lacquer started with --takeover (same flags, same
# state dir) takes the listening sockets and the state over. Prints the failed requests (target
# 0), the hit ratio in the 10 s before and in the 10 s after the takeover (target: after >= 0.99 x
# before), the handover time and wrk's worst latency. Exits 1 when a target is missed.
#
#   bash bench/takeover.sh [--keep] [-- driver options: --urls N --connections N --window S]
#
# Environment: LACQUER_BIN. Needs wrk, curl, g++, libevent-dev, /usr/bin/python3. Not in CI.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
KEEP=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) KEEP=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
LOG_TAG=takeover
source "$BENCH/lib.sh"
for cmd in wrk g++ curl; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
done
[ -x "$LACQUER_BIN" ] || { echo "no lacquer at $LACQUER_BIN" >&2; exit 1; }
TMP=$(mktemp -d /tmp/lacquer-takeover.XXXXXX)
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM
start_origin
cp "$LACQUER_BIN" "$TMP/lacquer"
mkdir -p "$BENCH/results"
OUT="$BENCH/results/takeover-$(date +%Y%m%d-%H%M%S).txt"
timeout 300 /usr/bin/python3 "$BENCH/takeoverbench.py" --lacquer "$TMP/lacquer" --origin "$ORIGIN" --tmp "$TMP" \
  "${EXTRA[@]}" | tee "$OUT"
exit "${PIPESTATUS[0]}"
