#!/usr/bin/env bash
# HTTP/2 hits: h2load against lacquer and nginx over h2c (prior knowledge), one hot 1 KiB URL,
# with 1 and 10 streams per connection; prints req/s, proxy CPU seconds, requests per proxy
# CPU-second and lacquer/nginx ratios. TLS rows (and Varnish, which needs feature=+http2 and
# speaks h2c only after an Upgrade) join when lacquer has TLS listeners.
#
#   bash bench/h2.sh [--duration SECONDS] [--keep]
#
# Environment: LACQUER_BIN (default <repo>/build/edge/lacquer), PROXY_CPU (0), LOAD_CPU (1),
# CONNS (default 10).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
PROXY_CPU=${PROXY_CPU:-0}
LOAD_CPU=${LOAD_CPU:-1}
CONNS=${CONNS:-10}
DURATION=10
KEEP=0
LOG_TAG=h2bench
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) DURATION=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
ON_PROXY_CPU=(taskset -c "$PROXY_CPU")
ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
source "$BENCH/lib.sh"
for cmd in h2load nginx taskset g++ curl; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
done
[ -x "$LACQUER_BIN" ] || { echo "no lacquer binary at $LACQUER_BIN" >&2; exit 1; }

TMP=$(mktemp -d /tmp/lacquer-h2bench.XXXXXX)
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM

start_origin
declare -A PORT PID
HOT=/bytes/1024/0

PORT[lacquer]=$(tool freeport)
mkdir -p "$TMP/state"
cp "$LACQUER_BIN" "$TMP/lacquer-bin"
"${ON_PROXY_CPU[@]}" "$TMP/lacquer-bin" --listen "127.0.0.1:${PORT[lacquer]}" --admin "127.0.0.1:$(tool freeport)" \
  --origin "$ORIGIN" --threads 1 --state-dir "$TMP/state" --memory 512M >"$TMP/lacquer.log" 2>&1 &
PID[lacquer]=$!
PIDS+=($!)
wait_http "http://127.0.0.1:${PORT[lacquer]}/bytes/1/__ready" 20 "${PID[lacquer]}" \
  || { log "lacquer did not start"; cat "$TMP/lacquer.log" >&2; exit 1; }

# nginx from bench/nginx.conf, its listener switched to h2c (prior knowledge).
PORT[nginx]=$(tool freeport)
mkdir -p "$TMP/nginx" "$TMP/nginx-cache"
sed -e "s|@TMP@|$TMP|g" -e "s/@PORT@/${PORT[nginx]}/g" -e "s/@ORIGIN_PORT@/$ORIGIN_PORT/g" \
  -e "s/listen 127.0.0.1:\([0-9]*\) backlog/listen 127.0.0.1:\1 http2 backlog/" \
  "$BENCH/nginx.conf" >"$TMP/nginx.conf"
"${ON_PROXY_CPU[@]}" nginx -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
  -g "daemon off; master_process off;" >"$TMP/nginx.log" 2>&1 &
PID[nginx]=$!
PIDS+=($!)
for _ in $(seq 100); do
  curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:${PORT[nginx]}/bytes/1/__ready" && break
  sleep 0.1
done

for px in lacquer nginx; do
  for _ in 1 2 3; do curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:${PORT[$px]}$HOT"; done
  hdrs=$(curl -s --http2-prior-knowledge -D - -o /dev/null "http://127.0.0.1:${PORT[$px]}$HOT" | tr -d '\r' \
         | grep -i -E '^(HTTP|cache-status|x-cache):' | tr '\n' ' ')
  log "$px answers $HOT over h2c with: $hdrs"
done

printf '%-22s %-8s %10s %8s %14s\n' scenario proxy req/s cpu_s req/cpu_s
declare -A RATE
for streams in 1 10; do
  for px in lacquer nginx; do
    o0=$(tool cpu "${PID[$px]}")
    "${ON_LOAD_CPU[@]}" h2load -c "$CONNS" -m "$streams" -D "$DURATION" "http://127.0.0.1:${PORT[$px]}$HOT" \
      >"$TMP/h2load-$px-$streams.txt" 2>&1 || true
    o1=$(tool cpu "${PID[$px]}")
    rps=$(awk '/^finished in/ { gsub(",", ""); print $4 }' "$TMP/h2load-$px-$streams.txt")
    ok=$(awk '/^requests:/ { print $8 }' "$TMP/h2load-$px-$streams.txt")
    cpu=$(awk -v a="$o0" -v b="$o1" 'BEGIN { printf "%.2f", b - a }')
    per=$(awk -v n="$ok" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
    RATE[$px-$streams]=$per
    printf '%-22s %-8s %10s %8s %14s\n' "h2c-hot-1k-m$streams" "$px" "$rps" "$cpu" "$per"
  done
  awk -v l="${RATE[lacquer-$streams]}" -v n="${RATE[nginx-$streams]}" -v s="$streams" \
    'BEGIN { printf "%-22s lacquer/nginx per CPU-second: %.2f\n", "h2c-hot-1k-m" s, (n > 0 ? l / n : 0) }'
done
