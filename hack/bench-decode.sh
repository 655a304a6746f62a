#!/usr/bin/env bash
# Measures PDWire.RegionStreamDecoder on a large generated /regions body (PD's exact compact shape)
# and Python's orjson.loads on the very same bytes, in one run; writes Benchmarks/results/decode.json.
#
#   REGIONS=1000000 RUNS=3 hack/bench-decode.sh
set -euo pipefail
cd "$(dirname "$0")/.."

REGIONS="${REGIONS:-1000000}"
RUNS="${RUNS:-3}"
BODY="${BODY:-${TMPDIR:-/tmp}/pd-regions-${REGIONS}.json}"
OUT_DIR=Benchmarks/results
mkdir -p "$OUT_DIR"

swift build -c release --product DecodeBench
python3 -m pip install --quiet orjson >/dev/null 2>&1 || python3 -m pip install --quiet --user orjson

"$(swift build -c release --show-bin-path)/DecodeBench" \
    --regions "$REGIONS" --runs "$RUNS" --body "$BODY" --out "$OUT_DIR/decode-swift.json" >/dev/null

python3 - "$BODY" "$RUNS" "$OUT_DIR/decode-swift.json" "$OUT_DIR/decode.json" <<'PY'
import json, platform, sys, time, gc
import orjson

body_path, runs, swift_path, out_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
with open(body_path, "rb") as f:
    body = f.read()

times = []
for _ in range(max(1, runs)):
    gc.collect()
    # The cyclic GC would otherwise scan the growing tree many times; give orjson its best case.
    gc.disable()
    t0 = time.perf_counter()
    doc = orjson.loads(body)
    times.append(time.perf_counter() - t0)
    gc.enable()
    n = len(doc["regions"])
    del doc
times.sort()
mb = len(body) / 1e6
orjson_result = {
    "decoder": "orjson.loads",
    "orjson_version": orjson.__version__,
    "python": platform.python_version(),
    "regions": n,
    "body_bytes": len(body),
    "runs": len(times),
    "seconds_best": times[0],
    "seconds_median": times[len(times) // 2],
    "mb_per_s_best": mb / times[0],
    "mb_per_s_median": mb / times[len(times) // 2],
    "note": "builds the whole Python object tree; gc disabled while timing",
}
with open(swift_path) as f:
    swift = json.load(f)
assert swift["body_bytes"] == len(body) and swift["regions"] == n, "both decoders must read the same body"
result = {
    "benchmark": "regions body decode",
    "machine": {"platform": platform.platform(), "processor": platform.machine()},
    "swift": swift,
    "orjson": orjson_result,
    "swift_vs_orjson_throughput_ratio_best": swift["mb_per_s_best"] / orjson_result["mb_per_s_best"],
    "swift_vs_orjson_throughput_ratio_median": swift["mb_per_s_median"] / orjson_result["mb_per_s_median"],
    "target_mb_per_s": 200,
    "meets_target": swift["mb_per_s_median"] >= 200,
}
with open(out_path, "w") as f:
    json.dump(result, f, indent=2, sort_keys=True)
    f.write("\n")
print(json.dumps(result, indent=2, sort_keys=True))
PY

# The body is large; keep it only when asked (KEEP_BODY=1) for repeated runs.
if [ "${KEEP_BODY:-0}" != "1" ]; then rm -f "$BODY"; fi
