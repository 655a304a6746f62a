#!/usr/bin/env bash
# Measures how soon a dead store's ticket appears at scale (issue 16, "health never waits for planning"): a
# simulator with 100 stores and 1,000,000 regions in its own process, `operator run` (observe mode, balance by
# explicit moves so that the balance planner downloads regions every pass), then store 50 killed. Reports the
# seconds from the kill to the first `storeDown` ticket for store 50 — a store reads Disconnected 20 s after its
# last heartbeat, which came up to 10 s before the kill, so 10–20 s is the floor — and the controller's RSS then. Writes
# Benchmarks/results/ticket-latency.json.
#
#   STORES=100 REGIONS=1000000 WARMUP=90 hack/bench-ticket-latency.sh
set -euo pipefail
cd "$(dirname "$0")/.."

STORES="${STORES:-100}"
REGIONS="${REGIONS:-1000000}"
WARMUP="${WARMUP:-90}"
OUT="${OUT:-Benchmarks/results/ticket-latency.json}"
mkdir -p "$(dirname "$OUT")"

swift build -c release --product operator
BIN="$(swift build -c release --show-bin-path)/operator"
WORK="$(mktemp -d)"
mkdir -p "$WORK/specs"
SIM_PID=""
RUN_PID=""
cleanup() {
    for p in $RUN_PID $SIM_PID; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
    rm -rf "$WORK"
}
trap cleanup EXIT

# Real time (speed 1): the controller measures heartbeat ages against its own clock.
"$BIN" simulate --listen 127.0.0.1:0 --stores "$STORES" --regions "$REGIONS" >"$WORK/sim.log" 2>&1 &
SIM_PID=$!
PD=""
for _ in $(seq 1 600); do
    PD="$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/sim.log" | head -1 || true)"
    [ -n "$PD" ] && curl -sf "$PD/pd/api/v1/stores" >/dev/null && break
    sleep 0.5
done
[ -n "$PD" ] || { echo "the simulator did not start" >&2; cat "$WORK/sim.log" >&2; exit 1; }

cat >"$WORK/specs/cluster.yaml" <<YAML
apiVersion: operator.tikv/v1alpha1
kind: TiKVCluster
metadata:
  name: big
spec:
  pd:
    urls: [$PD]
    timeout: 60s
  resyncPeriod: 5s
  balance:
    strategy: moves
YAML
"$BIN" run --specs "$WORK/specs" --db "$WORK/operator.db" --metrics-bind-address 0 --health-probe-bind-address 0 \
    --log-format text >"$WORK/run.log" 2>&1 &
RUN_PID=$!
sleep "$WARMUP"

KILLED="$(date +%s.%N)"
"$BIN" simulate fault --sim "$PD" kill --store 50 >/dev/null
LATENCY=""
for _ in $(seq 1 1200); do
    if "$BIN" get tickets --db "$WORK/operator.db" -o json 2>/dev/null | grep -qE '"subject" ?: ?"store/50"'; then
        LATENCY="$(echo "$(date +%s.%N) - $KILLED" | bc)"
        break
    fi
    sleep 0.25
done
[ -n "$LATENCY" ] || { echo "no ticket for store 50 within 300 s" >&2; tail -20 "$WORK/run.log" >&2; exit 1; }
RSS_KIB="$(ps -o rss= -p "$RUN_PID" | tr -d ' ')"
REGION_ASKS="$(grep -c 'a planner needs regions' "$WORK/run.log" || true)"

cat >"$OUT" <<JSON
{
  "benchmark": "ticket latency after a store kill",
  "stores": $STORES,
  "regions": $REGIONS,
  "warmupSeconds": $WARMUP,
  "secondsFromKillToFirstTicket": $(printf '%.1f' "$LATENCY"),
  "floor": "20 s after the store's last heartbeat (10-20 s after the kill)",
  "controllerRSSMiB": $((RSS_KIB / 1024)),
  "passesThatAskedForRegions": $REGION_ASKS,
  "machine": "$(nproc) cores, $(uname -m)"
}
JSON
cat "$OUT"
