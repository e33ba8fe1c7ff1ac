#!/usr/bin/env bash
# Sets up, builds and runs lacquer on 127.0.0.1:8080 (admin on 127.0.0.1:8081) in front of a
# demo origin on 127.0.0.1:8000. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release

/usr/bin/python3 tests/origin/origin.py --port 8000 --control-port 0 >/tmp/lacquer-demo-origin.log 2>&1 &
origin_pid=$!
trap 'kill $origin_pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do
  grep -q "origin ready" /tmp/lacquer-demo-origin.log 2>/dev/null && break
  kill -0 $origin_pid 2>/dev/null || { cat /tmp/lacquer-demo-origin.log; exit 1; }
  sleep 0.1
done

cat <<'MSG'

lacquer is starting on http://127.0.0.1:8080 in front of the demo origin on 127.0.0.1:8000.
Try, in another shell:

  curl -si http://127.0.0.1:8080/hello     # first time:  Cache-Status: lacquer; fwd=miss; stored
  curl -si http://127.0.0.1:8080/hello     # second time: Cache-Status: lacquer; hit; ttl=...
  curl -si http://127.0.0.1:8080/bytes/1024/a
  curl -s  http://127.0.0.1:8081/metrics   # Prometheus metrics

Ctrl-C stops lacquer and the demo origin.

MSG
./build/edge/lacquer --origin 127.0.0.1:8000
