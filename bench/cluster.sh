#!/usr/bin/env bash
# lacquer cluster benchmark: purge fan-out latency through a real redis-server between three
# nodes, and a node's hit throughput while it applies a purge storm. See bench/README.md.
#   bash bench/cluster.sh [--rate 100] [--duration 10] [--wrk-seconds 5] [--keep]
set -euo pipefail
exec /usr/bin/python3 "$(dirname "$0")/clusterbench.py" "$@"
