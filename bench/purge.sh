#!/usr/bin/env bash
# lacquer purge benchmark: purge latency per scope, hit throughput during purge storms, and the
# cost of many tags per object.
#
#   bash bench/purge.sh [--quick] [--rounds N] [--duration SECONDS] [--reps N] [--keep] [--storm-only]
#
# See bench/README.md ("Purge benchmark"). Environment: LACQUER_BIN (default
# <repo>/build/edge/lacquer), PROXY_CPU (default 0), WRK_CPU (default 1), CONNS (default 50).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
PROXY_CPU=${PROXY_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
CONNS=${CONNS:-50}
ROUNDS=3
DURATION=10
REPS=10
KEEP=0
STORM_ONLY=()
LOG_TAG=purge

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; DURATION=5; REPS=5 ;;
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --reps) REPS=$2; shift ;;
    --keep) KEEP=1 ;;
    --storm-only) STORM_ONLY=(--storm-only) ;;  # only step 5: hits with and without a group storm
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
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

TMP=$(mktemp -d /tmp/lacquer-purge.XXXXXX)
PIDS=()   # every process we start, by id; killed on exit
trap cleanup EXIT
trap 'exit 130' INT TERM

start_origin

# ---------------------------------------------------------------- lacquer
PORT=$(tool freeport)
ADMIN_PORT=$(tool freeport)
mkdir -p "$TMP/lacquer-state"
cp "$LACQUER_BIN" "$TMP/lacquer"   # a copy: the build may relink the binary meanwhile
taskset -c "$PROXY_CPU" "$TMP/lacquer" --listen "127.0.0.1:$PORT" --admin "127.0.0.1:$ADMIN_PORT" \
  --origin "$ORIGIN" --threads 1 --memory 1G --state-dir "$TMP/lacquer-state" >"$TMP/lacquer.log" 2>&1 &
LACQUER_PID=$!
PIDS+=($!)
wait_http "http://127.0.0.1:$ADMIN_PORT/healthz" 20 "$LACQUER_PID" \
  || { log "lacquer did not start:"; tail -20 "$TMP/lacquer.log" >&2; exit 1; }
log "lacquer on 127.0.0.1:$PORT, admin 127.0.0.1:$ADMIN_PORT (pid $LACQUER_PID)"

# ---------------------------------------------------------------- measurement
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
# The driver (fills, purge clients, wrk) runs on the client CPU. Bounded: the longest full run
# takes a few minutes; anything past this limit is a hang.
LIMIT=$((900 + ROUNDS * DURATION * 8))
set +e
timeout --foreground -s INT -k 10 "$LIMIT" taskset -c "$WRK_CPU" /usr/bin/python3 "$BENCH/purgebench.py" \
  --listen "127.0.0.1:$PORT" --admin "127.0.0.1:$ADMIN_PORT" --origin "$ORIGIN" --pid "$LACQUER_PID" \
  --tmp "$TMP" --duration "$DURATION" --reps "$REPS" --rounds "$ROUNDS" --conns "$CONNS" \
  --wrk-cpu "$WRK_CPU" --lacquer-cpu "$PROXY_CPU" "${STORM_ONLY[@]}" \
  --note "$(uname -r); lacquer: $LACQUER_BIN, built $(date -r "$LACQUER_BIN" +%FT%T) ($(curl -s "http://127.0.0.1:$ADMIN_PORT/version" | head -c 200 || true))" \
  --note "state dir on $(df -T "$TMP" | awk 'NR == 2 { print $2 " (" $1 ")" }'): a purge is answered after a synced RocksDB write" \
  >"$TMP/report.txt"
STATUS=$?
set -e
kill -0 "$LACQUER_PID" 2>/dev/null || { log "lacquer exited during the run; its log ends with:"; tail -20 "$TMP/lacquer.log" >&2; STATUS=1; }

mkdir -p "$BENCH/results"
OUT=$BENCH/results/purge-$(date +%Y%m%d-%H%M%S).txt
{
  head -1 "$TMP/report.txt"
  echo "  load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { if (l > 1) print "  WARNING: the machine was busy before the run; other work skews the numbers" }'
  echo "  run: $([ "$DURATION" = 10 ] && [ "$ROUNDS" = 3 ] && [ "$REPS" = 10 ] || echo "non-default ")rounds=$ROUNDS duration=${DURATION}s reps=$REPS conns=$CONNS"
  tail -n +2 "$TMP/report.txt"
} | tee "$OUT"
log "written to $OUT"
[ "$STATUS" = 0 ] || log "the run reported problems or failed (exit $STATUS); see the end of the report"
exit "$STATUS"
