#!/usr/bin/env bash
# lacquer benchmark: requests per proxy CPU-second, lacquer vs Varnish vs nginx, in one run:
#   hot      one 1 KiB URL (hits)
#   10k-urls 10,000 1 KiB URLs, uniformly (hits)
#   64k      1,000 64 KiB URLs, uniformly (hits)
#   all-miss every request a new 1 KiB URL (misses, all stored)
# The purge storm is bench/purge.sh; HTTP/2 (h2load) joins when lacquer speaks it.
#
#   bash bench/run.sh [--quick] [--rounds N] [--duration SECONDS] [--keep] [--with-purge]
#   (--with-purge: then bench/purge.sh, the purge latency and purge-storm benchmark)
#
# See bench/README.md. Environment: LACQUER_BIN (default <repo>/build/edge/lacquer),
# PROXY_CPU (default 0), WRK_CPU (default 1), CONNS (default 50), URLS (default 10000),
# BASELINE_BIN (another lacquer build, measured in the same run as "before").
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
PROXY_CPU=${PROXY_CPU:-0}
WRK_CPU=${WRK_CPU:-1}
CONNS=${CONNS:-50}
URLS=${URLS:-10000}
ROUNDS=3
DURATION=10
KEEP=0
WITH_PURGE=0

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) ROUNDS=1; DURATION=5 ;;
    --rounds) ROUNDS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --keep) KEEP=1 ;;
    --with-purge) WITH_PURGE=1 ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

# Proxies (and every process and thread they start) on one CPU, wrk on another.
ON_PROXY_CPU=(taskset -c "$PROXY_CPU")
ON_WRK_CPU=(taskset -c "$WRK_CPU")

# tool, log, cleanup, wait_http, start_origin
source "$BENCH/lib.sh"

for cmd in wrk varnishd nginx taskset g++ curl; do
  command -v "$cmd" >/dev/null || { echo "missing: $cmd" >&2; exit 1; }
done

TMP=$(mktemp -d /tmp/lacquer-bench.XXXXXX)
PIDS=()   # every process we start, by id; killed on exit

trap cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------- origin
start_origin

declare -A PORT PID
PROXIES=()

# ---------------------------------------------------------------- lacquer
start_lacquer() {   # start_lacquer NAME BINARY: one lacquer, measured under NAME
  local name=$1 bin=$2
  PORT[$name]=$(tool freeport)
  local admin
  admin=$(tool freeport)
  [ "$name" = lacquer ] && ADMIN_PORT=$admin
  mkdir -p "$TMP/$name-state"
  # Run a copy: the build may relink the binary meanwhile (and must not hit "text file busy").
  cp "$bin" "$TMP/$name-bin"
  "${ON_PROXY_CPU[@]}" "$TMP/$name-bin" --listen "127.0.0.1:${PORT[$name]}" \
    --admin "127.0.0.1:$admin" --origin "$ORIGIN" --threads 1 \
    --state-dir "$TMP/$name-state" --memory 512M >"$TMP/$name.log" 2>&1 &
  PID[$name]=$!
  PIDS+=($!)
  if wait_http "http://127.0.0.1:${PORT[$name]}/bytes/1/__ready" 20 "${PID[$name]}"; then
    PROXIES+=("$name")
    log "$name ($bin) on 127.0.0.1:${PORT[$name]} (pid ${PID[$name]})"
    return 0
  fi
  log "$name at $bin did not start; its log ends with:"$'\n'"$(tail -5 "$TMP/$name.log")"
  return 1
}
if [ -x "$LACQUER_BIN" ]; then
  start_lacquer lacquer "$LACQUER_BIN" || LACQUER_NOTE="lacquer at $LACQUER_BIN did not start"
else
  LACQUER_NOTE="lacquer binary not found at $LACQUER_BIN: measuring Varnish and nginx only"
  log "$LACQUER_NOTE"
fi
# A second lacquer (another build) in the same run, for before/after comparisons of a change.
if [ -n "${BASELINE_BIN:-}" ]; then
  [ -x "$BASELINE_BIN" ] || { log "BASELINE_BIN=$BASELINE_BIN is not executable"; exit 1; }
  start_lacquer before "$BASELINE_BIN" || exit 1
fi

# ---------------------------------------------------------------- varnish
PORT[varnish]=$(tool freeport)
sed "s/@ORIGIN_PORT@/$ORIGIN_PORT/g" "$BENCH/varnish.vcl" >"$TMP/varnish.vcl"
VARNISH_JAIL=()
[ "$(id -u)" = 0 ] && VARNISH_JAIL=(-j none)   # root without a 'varnish' user: no privilege jail
# One thread pool; enough idle workers for every client connection (HTTP/1 takes a worker per
# active connection) so that no threads are created during the measurement.
"${ON_PROXY_CPU[@]}" varnishd -F "${VARNISH_JAIL[@]}" -n "$TMP/varnish" \
  -a "127.0.0.1:${PORT[varnish]}" -T 127.0.0.1:0 -f "$TMP/varnish.vcl" -s malloc,512M \
  -p thread_pools=1 -p thread_pool_min=$((CONNS + 50)) -p thread_pool_max=1000 \
  >"$TMP/varnish.log" 2>&1 &
PID[varnish]=$!
PIDS+=($!)
wait_http "http://127.0.0.1:${PORT[varnish]}/bytes/1/__ready" 30 "${PID[varnish]}" \
  || { log "varnish did not start:"; tail -20 "$TMP/varnish.log" >&2; exit 1; }
PROXIES+=(varnish)
log "varnish on 127.0.0.1:${PORT[varnish]} (pid ${PID[varnish]})"

# ---------------------------------------------------------------- nginx
PORT[nginx]=$(tool freeport)
mkdir -p "$TMP/nginx" "$TMP/nginx-cache"
sed -e "s|@TMP@|$TMP|g" -e "s/@PORT@/${PORT[nginx]}/g" -e "s/@ORIGIN_PORT@/$ORIGIN_PORT/g" \
  "$BENCH/nginx.conf" >"$TMP/nginx.conf"
NGINX_GLOBAL='daemon off; master_process on;'
[ "$(id -u)" = 0 ] && NGINX_GLOBAL+=' user root;'   # the worker must write the cache under $TMP
"${ON_PROXY_CPU[@]}" nginx -p "$TMP/nginx/" -e "$TMP/nginx-error.log" -c "$TMP/nginx.conf" \
  -g "$NGINX_GLOBAL" >"$TMP/nginx.log" 2>&1 &
PID[nginx]=$!
PIDS+=($!)
wait_http "http://127.0.0.1:${PORT[nginx]}/bytes/1/__ready" 20 "${PID[nginx]}" \
  || { log "nginx did not start:"; cat "$TMP/nginx.log" "$TMP/nginx-error.log" >&2; exit 1; }
PROXIES+=(nginx)
log "nginx on 127.0.0.1:${PORT[nginx]} (pid ${PID[nginx]})"

# ---------------------------------------------------------------- warm-up and checks
# The hot URL of scenario (a) is one of the 10,000 of scenario (b); one warm-up covers both.
HOT=/bytes/1024/0
BIG_URLS=${BIG_URLS:-1000}
for px in "${PROXIES[@]}"; do
  log "warming $px: $(tool warm "127.0.0.1:${PORT[$px]}" /bytes/1024/ "$URLS" "$ORIGIN")" \
    || { log "warm-up of $px failed (non-200, wrong length or still missing)"; exit 1; }
  log "warming $px (64 KiB): $(tool warm "127.0.0.1:${PORT[$px]}" /bytes/65536/ "$BIG_URLS" "$ORIGIN")" \
    || { log "warm-up of $px failed (non-200, wrong length or still missing)"; exit 1; }
  hdrs=$(curl -s -D - -o /dev/null "http://127.0.0.1:${PORT[$px]}$HOT" | tr -d '\r' \
         | grep -i -E '^(cache-status|x-cache|age|via):' | tr '\n' ' ')
  log "  $px answers $HOT with: $hdrs"
  log "  $px pinning: $(tool affinity "${PID[$px]}")"
done

# ---------------------------------------------------------------- measurement
RUNS=$TMP/runs.tsv
: >"$RUNS"
children_cpu() {   # children_cpu AFTER BEFORE: difference of the children's user+sys of `times`
  awk 'function sec(t) { split(t, a, "m"); return a[1] * 60 + a[2] + 0 }
       FNR == 2 { v = sec($1) + sec($2); if (FILENAME == ARGV[1]) after = v; else before = v }
       END { printf "%.2f", after - before }' "$1" "$2"
}
run_one() {   # run_one PROXY SCENARIO ROUND
  local px=$1 sc=$2 rnd=$3 url="http://127.0.0.1:${PORT[$1]}" script=() cpu0 cpu1 o0 o1 parsed
  local env=(BENCH_URLS="$URLS")
  case "$sc" in
    hot) url+=$HOT ;;
    10k-urls) url+=/; script=(-s "$BENCH/urls.lua") ;;
    64k) url+=/; script=(-s "$BENCH/urls.lua"); env=(BENCH_URLS="$BIG_URLS" BENCH_PREFIX=/bytes/65536/) ;;
    all-miss) url+=/; script=(-s "$BENCH/miss.lua"); env=(BENCH_RUN="$px$rnd$$") ;;
  esac
  o0=$(curl -s "http://$ORIGIN/__count")
  cpu0=$(tool cpu "${PID[$px]}")
  times >"$TMP/times0"   # the builtin, in this shell: its 2nd line is the CPU time of waited children
  env "${env[@]}" timeout $((DURATION + 30)) "${ON_WRK_CPU[@]}" \
    wrk -t1 -c"$CONNS" -d"${DURATION}s" --timeout 5s --latency "${script[@]}" "$url" \
    >"$TMP/wrk-$px-$sc-$rnd.txt" 2>&1
  times >"$TMP/times1"
  cpu1=$(tool cpu "${PID[$px]}")
  o1=$(curl -s "http://$ORIGIN/__count")
  parsed=$(tool wrk "$TMP/wrk-$px-$sc-$rnd.txt")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$sc" "$px" "$rnd" "$parsed" \
    "$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')" "$((o1 - o0))" \
    "$(children_cpu "$TMP/times1" "$TMP/times0")" >>"$RUNS"
  log "  $(tail -1 "$RUNS")"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
SCENARIOS=(${SCENARIOS:-hot 10k-urls 64k all-miss})
log "measuring: ${#PROXIES[@]} proxies x ${#SCENARIOS[@]} scenarios x $ROUNDS round(s) x ${DURATION}s"
log "  (columns: scenario proxy round req/s p50ms p99ms requests errors cpu_s origin wrk_cpu_s)"
for rnd in $(seq "$ROUNDS"); do
  # Rotate the order every round so no proxy always runs first or last.
  order=("${PROXIES[@]:$(( (rnd - 1) % ${#PROXIES[@]} ))}" "${PROXIES[@]:0:$(( (rnd - 1) % ${#PROXIES[@]} ))}")
  for sc in "${SCENARIOS[@]}"; do
    for px in "${order[@]}"; do
      run_one "$px" "$sc" "$rnd"
    done
  done
done

# ---------------------------------------------------------------- report
mkdir -p "$BENCH/results"
OUT=$BENCH/results/$(date +%Y%m%d-%H%M%S).txt
{
  echo "lacquer bench, $(date -Is), $(nproc) CPUs, proxies on CPU $PROXY_CPU, wrk on CPU $WRK_CPU"
  echo "  load average before/after: $LOAD_BEFORE / $(cut -d' ' -f1-3 /proc/loadavg)"
  awk -v l="${LOAD_BEFORE%% *}" 'BEGIN { if (l > 1) print "  WARNING: the machine was busy before the run; other work skews the numbers" }'
  echo "  $(uname -r); $(varnishd -V 2>&1 | head -1); $(nginx -v 2>&1)"
  if [[ " ${PROXIES[*]} " == *" lacquer "* ]]; then
    echo "  lacquer: $LACQUER_BIN ($(curl -s "http://127.0.0.1:$ADMIN_PORT/version" | head -c 200 || true))"
    [ -n "${BASELINE_BIN:-}" ] && echo "  before: $BASELINE_BIN"
  else
    echo "  NOTE: $LACQUER_NOTE"
  fi
  echo "  scenarios: hot = one 1 KiB URL; 10k-urls = $URLS distinct 1 KiB URLs, uniform random;"
  echo "             64k = $BIG_URLS distinct 64 KiB URLs; all-miss = a new 1 KiB URL per request"
  echo
  tool report "$RUNS" "$DURATION" "$ROUNDS"
} | tee "$OUT"
log "written to $OUT"

if [ "$WITH_PURGE" = 1 ]; then
  purge_args=(--rounds "$ROUNDS" --duration "$DURATION")
  bash "$BENCH/purge.sh" "${purge_args[@]}"
fi
