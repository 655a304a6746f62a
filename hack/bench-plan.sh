#!/usr/bin/env bash
# Measures the planners (release build): a full leader rebalance of 1M regions over 100 stores
# (goal < 1 s), a full pure planning pass on the same cluster, and the store writes of an idle pass
# (goal 0). Writes Benchmarks/results/plan.json.
#
#   REGIONS=1000000 STORES=100 RUNS=3 hack/bench-plan.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p Benchmarks/results
swift build -c release --product PlanBench
"$(swift build -c release --show-bin-path)/PlanBench" \
    --regions "${REGIONS:-1000000}" --stores "${STORES:-100}" --runs "${RUNS:-3}" --out Benchmarks/results/plan.json
