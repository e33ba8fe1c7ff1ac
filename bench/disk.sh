#!/usr/bin/env bash
# lacquer disk-tier benchmark: (a) disk-tier hits vs memory-tier hits in requests per lacquer
# CPU-second, 1 KiB bodies over 100,000 URLs; (b) time to the first hit after a restart (SIGTERM,
# kill -9) with 100,000 objects on disk.
#
#   bash bench/disk.sh [--quick] [--duration SECONDS] [--urls N] [--keep]
#
# See bench/README.md ("Disk benchmark"). Environment: LACQUER_BIN (default
# <repo>/build/edge/lacquer), PROXY_CPU (default 0), WRK_CPU (default 1), CONNS (default 50).
# Bounded: about a minute and a half with the defaults, killed after 5 minutes whatever happens.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
PROXY_CPU=${PROXY_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
CONNS=${CONNS:-50}
DURATION=10
URLS=100000
KEEP=0
LOG_TAG=disk

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) DURATION=4 ;;
    --duration) DURATION=$2; shift ;;
    --urls) URLS=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# tool, log, cleanup, wait_http, start_origin
source "$BENCH/lib.sh"

for cmd in wrk taskset g++ curl; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
done
[ -x "$LACQUER_BIN" ] || { echo "lacquer binary not found at $LACQUER_BIN (build it first)" >&2; exit 1; }

TMP=$(mktemp -d /tmp/lacquer-disk.XXXXXX)
PIDS=()   # every process we start, by id; killed on exit
trap cleanup EXIT
trap 'exit 130' INT TERM

start_origin
cp "$LACQUER_BIN" "$TMP/lacquer"   # a copy: the build may relink the binary meanwhile

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
set +e
# The driver starts (and restarts) lacquer itself, and kills what it started; the timeout is the
# backstop for a hang.
timeout --foreground -s INT -k 10 300 taskset -c "$WRK_CPU" /usr/bin/python3 "$BENCH/diskbench.py" \
  --bin "$TMP/lacquer" --origin "$ORIGIN" --tmp "$TMP" --duration "$DURATION" --urls "$URLS" \
  --conns "$CONNS" --lacquer-cpu "$PROXY_CPU" --wrk-cpu "$WRK_CPU" >"$TMP/report.txt"
STATUS=$?
set -e

mkdir -p "$BENCH/results"
OUT=$BENCH/results/disk-$(date +%Y%m%d-%H%M%S).txt
{
  echo "lacquer disk-tier bench, $(date -Is), $(nproc) CPUs; $(uname -r)"
  echo "  lacquer: $LACQUER_BIN, built $(date -r "$LACQUER_BIN" +%FT%T); state dirs on $(df -T "$TMP" | awk 'NR == 2 { print $2 }')"
  echo "  load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { if (l > 1) print "  WARNING: the machine was busy before the run; other work skews the numbers" }'
  cat "$TMP/report.txt"
} | tee "$OUT"
log "written to $OUT"
[ "$STATUS" = 0 ] || log "the run reported problems or failed (exit $STATUS); see the report"
exit "$STATUS"
