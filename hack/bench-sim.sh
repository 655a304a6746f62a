#!/usr/bin/env bash
# Measures the simulator at scale in release mode: 1M regions / 100 stores by default.
# Writes Benchmarks/results/simulator.json.
#
#   REGIONS=1000000 STORES=100 hack/bench-sim.sh
set -euo pipefail
cd "$(dirname "$0")/.."
command -v curl >/dev/null || { echo "bench-sim needs curl" >&2; exit 1; }
mkdir -p Benchmarks/results
swift build -c release --product SimBench
"$(swift build -c release --show-bin-path)/SimBench" --regions "${REGIONS:-1000000}" --stores "${STORES:-100}" \
    --pages "${PAGES:-50}" > Benchmarks/results/simulator.json
cat Benchmarks/results/simulator.json
