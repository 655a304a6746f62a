#!/usr/bin/env bash
# Measures steady-state observations against a simulator in its own process (100 stores, 1,000,000
# regions by default): bytes, requests, CPU time and peak RSS growth per pass of the bench process.
# Writes Benchmarks/results/observe.json.
#
#   STORES=100 REGIONS=1000000 PASSES=20 hack/bench-observe.sh
#   BASELINE_BENCH=/path/to/older/ObserveBench hack/bench-observe.sh   # before/after against one simulator
#
# With BASELINE_BENCH, that binary (an ObserveBench built from an older tree) is measured first against the
# same simulator, into ${OUT%.json}-baseline.json, and both summaries go into ${OUT%.json}-compare.json.
set -euo pipefail
cd "$(dirname "$0")/.."

STORES="${STORES:-100}"
REGIONS="${REGIONS:-1000000}"
PASSES="${PASSES:-20}"
OUT="${OUT:-Benchmarks/results/observe.json}"
mkdir -p "$(dirname "$OUT")"

swift build -c release --product operator
swift build -c release --product ObserveBench
BIN="$(swift build -c release --show-bin-path)"

LOG="$(mktemp)"
# The virtual clock keeps the simulator from ticking a million regions in the background while
# the bench measures; a steady-state observation does not depend on time moving.
"$BIN/operator" simulate --listen 127.0.0.1:0 --stores "$STORES" --regions "$REGIONS" --virtual-clock >"$LOG" 2>&1 &
SIM_PID=$!
trap 'kill "$SIM_PID" 2>/dev/null || true; wait "$SIM_PID" 2>/dev/null || true; rm -f "$LOG"' EXIT

URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's/^Simulated PD listening on \(http:[^ ]*\)$/\1/p' "$LOG" | head -n1)"
  [ -n "$URL" ] && break
  kill -0 "$SIM_PID" 2>/dev/null || { cat "$LOG" >&2; echo "simulator exited" >&2; exit 1; }
  sleep 0.5
done
[ -n "$URL" ] || { echo "simulator did not print its address within 300 s" >&2; exit 1; }
echo "==> simulator at $URL ($STORES stores, $REGIONS regions)"

if [ -n "${BASELINE_BENCH:-}" ]; then
  # shellcheck disable=SC2086  # BENCH_ARGS is a list of flags
  "$BASELINE_BENCH" --pd "$URL" --passes "$PASSES" --out "${OUT%.json}-baseline.json" ${BENCH_ARGS:-} >/dev/null
fi
# shellcheck disable=SC2086  # BENCH_ARGS is a list of flags
"$BIN/ObserveBench" --pd "$URL" --passes "$PASSES" --out "$OUT" ${BENCH_ARGS:-} >/dev/null
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d.pop("perPass"); print(json.dumps(d, indent=2))' "$OUT"
if [ -n "${BASELINE_BENCH:-}" ]; then
  python3 - "${OUT%.json}-baseline.json" "$OUT" "${OUT%.json}-compare.json" <<'PY'
import json, sys
before, after = (json.load(open(p)) for p in sys.argv[1:3])
for d in (before, after):
    d.pop("perPass", None)
json.dump({"run": "one simulator, baseline then current", "before": before, "after": after}, open(sys.argv[3], "w"), indent=2, sort_keys=True)
print(json.dumps({"before": before, "after": after}, indent=2, sort_keys=True))
PY
fi
