#!/usr/bin/env bash
# Hit ratio at equal memory budgets: the same request stream (Zipf 0.9 over 20,000 objects of
# 64 KiB, and the same with every fourth request a one-off URL, a scan) against lacquer memory-only
# (--disk 0), lacquer with a 256M disk tier (admission on, and admitting everything), Varnish
# (-s malloc) and nginx (proxy_cache max_size), each given 128M and started fresh per stream.
# Prints hit ratio, origin MiB, requests per proxy CPU-second and p99 for each.
#
#   bash bench/hitratio.sh [--quick] [--requests N] [--keep] [-- extra driver options]
#   (40,000 warm-up requests, then 60,000 measured; --quick: 10,000 and 10,000)
#
# Environment: LACQUER_BIN, PROXY_CPU (0), WRK_CPU (1). Needs wrk, varnishd, nginx, taskset, curl,
# g++, libevent-dev, /usr/bin/python3. Not in CI. See bench/README.md.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
REQUESTS=60000
WARMUP=40000
KEEP=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) REQUESTS=10000; WARMUP=10000 ;;
    --requests) REQUESTS=$2; shift ;;
    --keep) KEEP=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
LOG_TAG=hitratio
source "$BENCH/lib.sh"
for cmd in wrk varnishd nginx taskset g++ curl; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
done
[ -x "$LACQUER_BIN" ] || { echo "no lacquer at $LACQUER_BIN" >&2; exit 1; }
TMP=$(mktemp -d /tmp/lacquer-hitratio.XXXXXX)
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM
start_origin
cp "$LACQUER_BIN" "$TMP/lacquer"
mkdir -p "$BENCH/results"
OUT="$BENCH/results/hitratio-$(date +%Y%m%d-%H%M%S).txt"
timeout 3600 /usr/bin/python3 "$BENCH/hitratiobench.py" --lacquer "$TMP/lacquer" --origin "$ORIGIN" --tmp "$TMP" \
  --requests "$REQUESTS" --warmup "$WARMUP" --proxy-cpu "${PROXY_CPU:-0}" --wrk-cpu "${WRK_CPU:-1}" "${EXTRA[@]}" | tee "$OUT"
