#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan+UBSan) and runs each for SECONDS (default 60)
# on its seed corpus, in a scratch copy so the corpus in the repo only changes when you copy
# findings back. Prints one line per target: executions, time, and whether it crashed.
#   bash scripts/fuzz.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CC=clang-14 CXX=clang++-14 cmake -S . -B build-fuzz -DLACQUER_FUZZ=ON -DBUILD_TESTING=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target http_fuzzers config_loader_fuzz host_pattern_fuzz cidr_fuzz surrogate_key_fuzz cluster_event_fuzz purge_request_fuzz >/dev/null

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
run() {  # run <name> <binary> <corpus> [extra args]
  local name=$1 bin=$2 corpus=$3
  shift 3
  mkdir -p "$work/$name"
  cp -r "$corpus"/. "$work/$name/"
  local log="$work/$name.log"
  if "$bin" -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="$work/$name-" \
      "$@" "$work/$name" >"$log" 2>&1; then
    local execs
    execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $name ok, $execs executions in ${seconds}s"
  else
    failed=$((failed + 1))
    echo "fuzz: $name FAILED; its log:"
    tail -40 "$log"
  fi
}
for t in request_parser response_parser chunked cache_control structured_field date range conditional vary h2_request server_names sitemap; do
  run "$t" "build-fuzz/http/fuzz/${t}_fuzz" "http/fuzz/corpus/$t" -dict=http/fuzz/http.dict
done
run config_loader build-fuzz/conf/fuzz/config_loader_fuzz conf/fuzz/corpus
run host_pattern build-fuzz/conf/fuzz/host_pattern_fuzz conf/fuzz/corpus_host_pattern
run cidr build-fuzz/conf/fuzz/cidr_fuzz conf/fuzz/corpus_cidr
run surrogate_key build-fuzz/purge/fuzz/surrogate_key_fuzz purge/fuzz/corpus/surrogate_key
run cluster_event build-fuzz/cluster/fuzz/cluster_event_fuzz cluster/fuzz/corpus/event
run purge_request build-fuzz/purge/fuzz/purge_request_fuzz purge/fuzz/corpus/purge_request
[[ $failed -eq 0 ]]
