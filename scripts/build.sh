#!/usr/bin/env bash
# Builds lacquer. Usage: scripts/build.sh [release|asan] (default release).
#   release -> build/        (RelWithDebInfo)
#   asan    -> build-asan/   (AddressSanitizer + UndefinedBehaviorSanitizer)
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
jobs=$(nproc)
case "$kind" in
  release) dir=build; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
  asan)    dir=build-asan; flags=(-DCMAKE_BUILD_TYPE=Debug -DLACQUER_SANITIZE=ON) ;;
  *) echo "usage: $0 [release|asan]" >&2; exit 2 ;;
esac
cmake -S . -B "$dir" -DLACQUER_WERROR=ON "${flags[@]}" >/dev/null
cmake --build "$dir" -j"$jobs"
echo "build: $dir/edge/lacquer"
