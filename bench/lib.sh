# Shell helpers shared by bench/run.sh and bench/purge.sh; source it after setting BENCH (this
# folder). Uses the caller's globals: TMP (private temp dir), PIDS (every process started, by id),
# KEEP (1 = keep TMP on exit), LOG_TAG (log prefix, default "bench").
# shellcheck shell=bash

tool() { /usr/bin/python3 "$BENCH/benchtool.py" "$@"; }
log() { echo "[${LOG_TAG:-bench}] $*" >&2; }

# Kills every process in PIDS (TERM, then KILL after 5 s) and removes TMP unless KEEP=1.
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$KEEP" = 1 ]; then log "kept $TMP"; else rm -rf "$TMP"; fi
}

# wait_http URL SECONDS PID: wait until URL answers; fail early if PID died.
wait_http() {
  local url=$1 secs=$2 pid=$3 i
  for i in $(seq $((secs * 10))); do
    curl -s -o /dev/null --max-time 1 "$url" && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# start_origin: builds origin.cc into TMP, starts it on a free port; sets ORIGIN_PORT and ORIGIN
# (host:port) and adds it to PIDS. Exits when it does not come up.
start_origin() {
  log "building the origin"
  g++ -O2 -std=c++20 -o "$TMP/origin" "$BENCH/origin.cc" -levent
  ORIGIN_PORT=$(tool freeport)
  "$TMP/origin" "$ORIGIN_PORT" >"$TMP/origin.out" 2>"$TMP/origin.err" &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$ORIGIN_PORT/__count" 10 $! || { cat "$TMP/origin.err" >&2; exit 1; }
  ORIGIN=127.0.0.1:$ORIGIN_PORT
  log "origin on $ORIGIN"
}
