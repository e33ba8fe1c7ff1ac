#!/usr/bin/env bash
# Installs what lacquer needs to build, test and benchmark on Debian 12. Idempotent: packages
# already present are not touched, and apt is only asked when something is missing.
set -euo pipefail

PACKAGES=(
  cmake g++ make pkg-config git
  libevent-dev libnghttp2-dev libxxhash-dev librocksdb-dev libtomlplusplus-dev catch2
  libssl-dev libhiredis-dev
  python3 python3-pytest python3-h2 curl
  clang-14 libclang-rt-14-dev
  wrk nghttp2-client varnish nginx redis-server linux-perf
  systemd
  chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
else
  echo "setup: all packages present"
fi
