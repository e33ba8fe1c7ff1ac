#!/usr/bin/env bash
# Per-object memory of a running lacquer, end to end: RSS growth per stored object beyond the
# bytes charged to the memory budget (lacquer_cache_bytes), for 1 KiB objects filled through HTTP.
#
#   bash bench/memory.sh [--objects N] [--disk SIZE] [--keep]
#   (defaults: 1,000,000 objects, --disk 0 = memory only; --disk 1G shows what the disk tier adds)
#
# Needs wrk, curl, g++, libevent-dev, /usr/bin/python3 and a built lacquer (LACQUER_BIN).
# Bounded (wrk stops after 10 minutes at most); everything started is killed on exit.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH")
LACQUER_BIN=${LACQUER_BIN:-$REPO/build/edge/lacquer}
OBJECTS=1000000
DISK=0
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --objects) OBJECTS=$2; shift ;;
    --disk) DISK=$2; shift ;;
    --keep) KEEP=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done
LOG_TAG=memory
source "$BENCH/lib.sh"
TMP=$(mktemp -d /tmp/lacquer-memory.XXXXXX)
PIDS=()
trap cleanup EXIT
trap 'exit 130' INT TERM

start_origin
PORT=$(tool freeport)
ADMIN=$(tool freeport)
# The budget holds every object: nothing is evicted, so RSS follows what is stored.
"$LACQUER_BIN" --listen "127.0.0.1:$PORT" --admin "127.0.0.1:$ADMIN" --origin "$ORIGIN" --threads 1 \
  --state-dir "$TMP/state" --memory $(((OBJECTS / 1000 + 64) * 2))M --disk "$DISK" 2>"$TMP/lacquer.err" &
LPID=$!
PIDS+=($LPID)
wait_http "http://127.0.0.1:$ADMIN/healthz" 10 $LPID || { cat "$TMP/lacquer.err" >&2; exit 1; }

# fill START COUNT: wrk walks /bytes/1024/<START..START+COUNT-1> once (fill.lua).
fill() {
  local done="$TMP/fill-$1.done"
  BENCH_PREFIX=/bytes/1024/ BENCH_START=$1 BENCH_URLS=$2 BENCH_DONE_AT=$2 BENCH_DONE_FILE=$done \
    timeout 600 wrk -t1 -c20 -d600s -s "$BENCH/fill.lua" "http://127.0.0.1:$PORT/" >"$TMP/wrk-$1.txt" 2>&1 &
  local wpid=$!
  while [ ! -s "$done" ] && kill -0 $wpid 2>/dev/null; do sleep 0.2; done
  kill -INT $wpid 2>/dev/null || true
  wait $wpid 2>/dev/null || true
  [ -s "$done" ] || { log "fill $1 did not finish"; exit 1; }
}
# sample: "<rss bytes> <charged bytes> <objects>"
sample() {
  /usr/bin/python3 - "$LPID" "$ADMIN" <<'PY'
import sys, urllib.request
pid, admin = sys.argv[1], sys.argv[2]
rss = next(int(l.split()[1]) * 1024 for l in open(f"/proc/{pid}/status") if l.startswith("VmRSS:"))
m = {}
for line in urllib.request.urlopen(f"http://127.0.0.1:{admin}/metrics").read().decode().splitlines():
    if line and not line.startswith("#"):
        k, v = line.rsplit(" ", 1)
        m[k] = float(v)
print(rss, int(m["lacquer_cache_bytes"]), int(m["lacquer_cache_objects"]), int(m.get("lacquer_state_memtable_bytes", 0)))
PY
}
fill 0 10000   # warm-up: connections, buffers, allocator arenas
read -r rss0 charged0 objs0 mem0 <<<"$(sample)"
t0=$(date +%s)
fill 10000 "$OBJECTS"
read -r rss1 charged1 objs1 mem1 <<<"$(sample)"
t1=$(date +%s)
/usr/bin/python3 - "$rss0" "$charged0" "$objs0" "$rss1" "$charged1" "$objs1" "$mem1" "$DISK" "$((t1 - t0))" <<'PY'
import sys
rss0, c0, o0, rss1, c1, o1, mem1 = map(int, sys.argv[1:8])
n = o1 - o0
print(f"disk {sys.argv[8]}: {n} objects of 1 KiB stored in {sys.argv[9]} s")
print(f"  RSS growth per object     {(rss1 - rss0) / n:8.1f} bytes")
print(f"  charged per object        {(c1 - c0) / n:8.1f} bytes (lacquer_cache_bytes)")
print(f"  beyond the charge         {((rss1 - rss0) - (c1 - c0)) / n:8.1f} bytes per object (target <= 100)")
print(f"  RocksDB memtables at end  {mem1 / 1048576:8.1f} MiB")
PY
