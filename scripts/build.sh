#!/usr/bin/env bash
# Builds lacquer. Usage: scripts/build.sh [release|asan|tsan] (default release).
#   release -> build/        (RelWithDebInfo)
#   asan    -> build-asan/   (AddressSanitizer + UndefinedBehaviorSanitizer)
#   tsan    -> build-tsan/   (ThreadSanitizer; only the unit tests of the threaded parts:
#                             memory tier, disk tier, version table, purge store, sweeper)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
jobs=$(nproc)
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DLACQUER_SANITIZE=ON) ;;
  tsan)    dir=build-tsan; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DLACQUER_TSAN=ON) ;;
  *) echo "usage: $0 [release|asan|tsan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -DLACQUER_WERROR=ON "${flags[@]}" >/dev/null
if [[ $kind == tsan ]]; then
  cmake --build "$dir" -j"$jobs" --target storage_test purge_test cluster_test
  echo "build: $dir/tests/unit/{storage,purge,cluster}/*_test"
  exit 0
fi
cmake --build "$dir" -j"$jobs"
echo "build: $dir/edge/lacquer"
