#!/usr/bin/env bash
# HTTP/2 and TLS hits: h2load against lacquer and nginx, one hot 1 KiB URL: h2c (prior
# knowledge) and h2 over TLS with 1 and 10 streams per connection, HTTP/1.1 over TLS, and new
# TLS handshakes (openssl s_time -new, full handshakes, no resumption); prints req/s, proxy CPU
# seconds, requests (or handshakes) per proxy CPU-second and lacquer/nginx ratios. Both proxies
# get the same P-256 certificate made here with openssl. Varnish (-p feature=+http2, which
# answers h2c with prior knowledge) is in the h2c rows only: Debian's varnish has no TLS.
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
    -h|--help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
ON_PROXY_CPU=(taskset -c "$PROXY_CPU")
ON_LOAD_CPU=(taskset -c "$LOAD_CPU")
source "$BENCH/lib.sh"
for cmd in h2load nginx varnishd taskset g++ curl openssl; do
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

# One certificate for both proxies (ECDSA P-256, as most sites serve now).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/bench.key" -out "$TMP/bench.pem" \
  -days 2 -subj /CN=bench.test -addext subjectAltName=DNS:bench.test 2>/dev/null
declare -A TLS_PORT
TLS_PORT[lacquer]=$(tool freeport)
TLS_PORT[nginx]=$(tool freeport)
cat >"$TMP/lacquer.toml" <<EOF
[[listen]]
address = "127.0.0.1:${TLS_PORT[lacquer]}"
tls = true
certificates = [ { cert = "$TMP/bench.pem", key = "$TMP/bench.key" } ]
EOF

PORT[lacquer]=$(tool freeport)
mkdir -p "$TMP/state"
cp "$LACQUER_BIN" "$TMP/lacquer-bin"
"${ON_PROXY_CPU[@]}" "$TMP/lacquer-bin" --config "$TMP/lacquer.toml" --listen "127.0.0.1:${PORT[lacquer]}" \
  --admin "127.0.0.1:$(tool freeport)" \
  --origin "$ORIGIN" --threads 1 --state-dir "$TMP/state" --memory 512M >"$TMP/lacquer.log" 2>&1 &
PID[lacquer]=$!
PIDS+=($!)
wait_http "http://127.0.0.1:${PORT[lacquer]}/bytes/1/__ready" 20 "${PID[lacquer]}" \
  || { log "lacquer did not start"; cat "$TMP/lacquer.log" >&2; exit 1; }

# nginx from bench/nginx.conf, its listener switched to h2c (prior knowledge), plus a TLS
# listener (h2 and http/1.1 by ALPN) with the same protocols and a session cache.
PORT[nginx]=$(tool freeport)
mkdir -p "$TMP/nginx" "$TMP/nginx-cache"
TLS_LISTEN="listen 127.0.0.1:${TLS_PORT[nginx]} ssl http2 backlog=4096; ssl_certificate $TMP/bench.pem; \
ssl_certificate_key $TMP/bench.key; ssl_protocols TLSv1.2 TLSv1.3; ssl_session_cache shared:SSL:10m;"
sed -e "s|@TMP@|$TMP|g" -e "s/@PORT@/${PORT[nginx]}/g" -e "s/@ORIGIN_PORT@/$ORIGIN_PORT/g" \
  -e "s|listen 127.0.0.1:\([0-9]*\) backlog=4096;|listen 127.0.0.1:\1 http2 backlog=4096; $TLS_LISTEN|" \
  "$BENCH/nginx.conf" >"$TMP/nginx.conf"
"${ON_PROXY_CPU[@]}" nginx -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
  -g "daemon off; master_process off;" >"$TMP/nginx.log" 2>&1 &
PID[nginx]=$!
PIDS+=($!)
for _ in $(seq 100); do
  curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:${PORT[nginx]}/bytes/1/__ready" && break
  sleep 0.1
done

# Varnish from bench/varnish.vcl as bench/run.sh starts it, with HTTP/2 switched on.
PORT[varnish]=$(tool freeport)
sed "s/@ORIGIN_PORT@/$ORIGIN_PORT/g" "$BENCH/varnish.vcl" >"$TMP/varnish.vcl"
VARNISH_JAIL=()
[ "$(id -u)" = 0 ] && VARNISH_JAIL=(-j none)   # root without a 'varnish' user: no privilege jail
"${ON_PROXY_CPU[@]}" varnishd -F "${VARNISH_JAIL[@]}" -n "$TMP/varnish" \
  -a "127.0.0.1:${PORT[varnish]}" -T 127.0.0.1:0 -f "$TMP/varnish.vcl" -s malloc,512M \
  -p feature=+http2 -p thread_pools=1 -p thread_pool_min=$((CONNS + 50)) -p thread_pool_max=1000 \
  >"$TMP/varnish.log" 2>&1 &
PID[varnish]=$!
PIDS+=($!)
wait_http "http://127.0.0.1:${PORT[varnish]}/bytes/1/__ready" 30 "${PID[varnish]}" \
  || { log "varnish did not start:"; tail -20 "$TMP/varnish.log" >&2; exit 1; }

for px in lacquer nginx varnish; do
  for _ in 1 2 3; do curl -s -o /dev/null --http2-prior-knowledge "http://127.0.0.1:${PORT[$px]}$HOT"; done
  [ "$px" = varnish ] || curl -sk -o /dev/null --fail "https://127.0.0.1:${TLS_PORT[$px]}$HOT" \
    || { log "$px: no answer over TLS"; exit 1; }
  hdrs=$(curl -s --http2-prior-knowledge -D - -o /dev/null "http://127.0.0.1:${PORT[$px]}$HOT" | tr -d '\r' \
         | grep -i -E '^(HTTP|cache-status|x-cache):' | tr '\n' ' ')
  log "$px answers $HOT over h2c with: $hdrs"
done

printf '%-22s %-8s %10s %8s %14s\n' scenario proxy req/s cpu_s req/cpu_s
declare -A RATE
# row NAME SCHEME H2LOAD-ARGS...: one h2load run per proxy, then the ratios (Varnish: h2c only).
row() {
  local name=$1 scheme=$2 px o0 o1 rps ok cpu per port proxies=(lacquer nginx)
  shift 2
  [ "$scheme" = http ] && proxies+=(varnish)
  for px in "${proxies[@]}"; do
    port=${PORT[$px]}
    [ "$scheme" = https ] && port=${TLS_PORT[$px]}
    o0=$(tool cpu "${PID[$px]}")
    "${ON_LOAD_CPU[@]}" h2load -c "$CONNS" -D "$DURATION" "$@" "$scheme://127.0.0.1:$port$HOT" \
      >"$TMP/h2load-$px-$name.txt" 2>&1 || true
    o1=$(tool cpu "${PID[$px]}")
    rps=$(awk '/^finished in/ { gsub(",", ""); print $4 }' "$TMP/h2load-$px-$name.txt")
    ok=$(awk '/^requests:/ { print $8 }' "$TMP/h2load-$px-$name.txt")
    cpu=$(awk -v a="$o0" -v b="$o1" 'BEGIN { printf "%.2f", b - a }')
    per=$(awk -v n="$ok" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
    RATE[$px]=$per
    printf '%-22s %-8s %10s %8s %14s\n' "$name" "$px" "$rps" "$cpu" "$per"
  done
  awk -v l="${RATE[lacquer]}" -v n="${RATE[nginx]}" -v s="$name" \
    'BEGIN { printf "%-22s lacquer/nginx per CPU-second: %.2f\n", s, (n > 0 ? l / n : 0) }'
  [ "$scheme" = http ] && awk -v l="${RATE[lacquer]}" -v v="${RATE[varnish]}" -v s="$name" \
    'BEGIN { printf "%-22s lacquer/varnish per CPU-second: %.2f\n", s, (v > 0 ? l / v : 0) }'
  return 0
}

row h2c-hot-1k-m1 http -m 1
row h2c-hot-1k-m10 http -m 10
row tls-h2-hot-1k-m1 https -m 1
row tls-h2-hot-1k-m10 https -m 10
row tls-h1-hot-1k https --h1 -m 1

# New TLS handshakes: openssl s_time makes full handshakes back to back (no resumption, no
# request) for DURATION seconds; handshakes per proxy CPU-second.
for px in lacquer nginx; do
  o0=$(tool cpu "${PID[$px]}")
  "${ON_LOAD_CPU[@]}" openssl s_time -connect "127.0.0.1:${TLS_PORT[$px]}" -new -time "$DURATION" \
    >"$TMP/s_time-$px.txt" 2>&1 || true
  o1=$(tool cpu "${PID[$px]}")
  n=$(awk '/connections in .* real seconds/ { print $1 }' "$TMP/s_time-$px.txt" | head -1)
  cpu=$(awk -v a="$o0" -v b="$o1" 'BEGIN { printf "%.2f", b - a }')
  per=$(awk -v n="$n" -v c="$cpu" 'BEGIN { printf "%.0f", (c > 0 ? n / c : 0) }')
  RATE[$px]=$per
  printf '%-22s %-8s %10s %8s %14s\n' tls-new-handshakes "$px" \
    "$(awk -v n="$n" -v d="$DURATION" 'BEGIN { printf "%.0f", n / d }')" "$cpu" "$per"
done
awk -v l="${RATE[lacquer]}" -v n="${RATE[nginx]}" \
  'BEGIN { printf "%-22s lacquer/nginx per CPU-second: %.2f\n", "tls-new-handshakes", (n > 0 ? l / n : 0) }'
