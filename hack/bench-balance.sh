#!/usr/bin/env bash
# Balancing through PD's store weights (strategy auto, PD's balancers running) vs explicit moves, on the
# in-process simulator with a leader skew injected and store 1 weighted 2 for leaders: leader moves (PD's and
# the controller's) against the lower bound Σ excess, churn (regions whose leader moved twice within 10 min),
# convergence to the weighted target. Goal for auto: moves ≤ 1.2 × lower bound, churn 0, converged.
# Debug build: a few seconds per scenario. Writes Benchmarks/results/balance.json.
#
#   STORES=6 REGIONS=3000 MINUTES=60 hack/bench-balance.sh
set -euo pipefail
cd "$(dirname "$0")/.."

mkdir -p Benchmarks/results
swift build --product BalanceBench
"$(swift build --show-bin-path)/BalanceBench" \
    --stores "${STORES:-6}" --regions "${REGIONS:-3000}" --minutes "${MINUTES:-60}" --seed "${SEED:-1}" \
    --out Benchmarks/results/balance.json
