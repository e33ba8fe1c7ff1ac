#!/usr/bin/env bash
# Probabilistic early refresh (XFetch) under load: one hot object with a short lifetime, requested
# by wrk for several lifetimes, once with [cache] early_refresh off and once on (and once more with
# stale-while-revalidate as the grace, the usual alternative). Prints, per run, what clients got
# (fresh hits, stale copies, requests that waited on the origin) and the origin fetches per
# lifetime.
#
#   bash bench/xfetch.sh [--ttl S] [--delay MS] [--beta B] [--seconds N] [--connections C] [--keep]
#   (defaults: --ttl 10, --delay 200 (the origin's answer time), --beta 1.0, --seconds 30, --connections 20)
#
# Needs wrk, curl, g++, libevent-dev, /usr/bin/python3 and a built lacquer (LACQUER_BIN).
# Bounded: each wrk run lasts --seconds; everything started is killed on exit.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
TTL=10
DELAY=200
BETA=1.0
SECONDS_RUN=30
CONNS=20
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --ttl) TTL=$2; shift ;;
    --seconds) SECONDS_RUN=$2; shift ;;
    --delay) DELAY=$2; shift ;;
    --beta) BETA=$2; shift ;;
    --connections) CONNS=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
LOG_TAG=xfetch
source "$BENCH/lib.sh"
TMP=$(mktemp -d /tmp/lacquer-xfetch.XXXXXX)
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM

start_origin
origin_count() { curl -s "http://$ORIGIN/__count"; }

# run NAME CONFIG_TEXT: one lacquer with that [cache] config, wrk on one hot URL.
run() {
  local name=$1 config=$2 port admin lpid before after
  port=$(tool freeport)
  admin=$(tool freeport)
  printf '%s\n' "$config" >"$TMP/$name.toml"
  "$LACQUER_BIN" --config "$TMP/$name.toml" --listen "127.0.0.1:$port" --admin "127.0.0.1:$admin" \
    --origin "$ORIGIN" --threads 2 --state-dir "$TMP/state-$name" --disk 0 2>"$TMP/$name.err" &
  lpid=$!
  PIDS+=($lpid)
  wait_http "http://127.0.0.1:$admin/healthz" 10 $lpid || { cat "$TMP/$name.err" >&2; exit 1; }
  local path="/ttl/$TTL/$name?delay=$DELAY"
  curl -s -o /dev/null "http://127.0.0.1:$port$path"  # stored before the load starts
  before=$(origin_count)
  BENCH_PATH=$path BENCH_OUT="$TMP/$name.out" timeout $((SECONDS_RUN + 30)) \
    wrk -t2 -c"$CONNS" -d"${SECONDS_RUN}s" -s "$BENCH/xfetch.lua" "http://127.0.0.1:$port/" >"$TMP/$name.wrk" 2>&1
  after=$(origin_count)
  local early
  early=$(curl -s "http://127.0.0.1:$admin/metrics" | awk '/^lacquer_cache_early_refreshes_total /{print $2}')
  kill -TERM $lpid
  wait $lpid 2>/dev/null || true
  # answered=.. fresh=.. stale=.. waited=.. bad=..
  eval "$(sed 's/ /;/g' "$TMP/$name.out")"
  local fetches=$((after - before))
  printf '%-22s %9d %9d %7d %7d %8d %8s %12s\n' "$name" "$answered" "$fresh" "$stale" "$waited" "$fetches" \
    "${early:-0}" "$(awk -v f="$fetches" -v s="$SECONDS_RUN" -v t="$TTL" 'BEGIN{printf "%.2f", f / (s / t)}')"
}

log "one hot 1 KiB object, max-age=$TTL, origin answers in ${DELAY}ms, $CONNS connections for ${SECONDS_RUN}s per run"
printf '%-22s %9s %9s %7s %7s %8s %8s %12s\n' run answered fresh stale waited fetches early fetches/ttl
run off '[cache]'
run swr-grace "$(printf '[cache]\ndefault_grace = "%ss"' "$TTL")"
run early-refresh "$(printf '[cache]\nearly_refresh = true\nearly_refresh_beta = %s' "$BETA")"
