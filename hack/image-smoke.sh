#!/usr/bin/env bash
# Builds the image from the Containerfile with Podman and runs it the way the Deployment does, on a
# machine with no registry access (like our development machines): the two base images are made with
# debootstrap from Debian's mirror instead of pulled, and the build stage gets this machine's Swift
# toolchain (/opt/swift) and package mirrors (/opt/swift-packages) as read-only mounts. Where a
# registry is reachable, `podman build -f Containerfile .` needs none of this.
#
# Checks: the build succeeds; the container runs as uid 65532 on a read-only root filesystem with
# every capability dropped; /readyz answers 200 after the first observation of a simulated cluster
# (the image's own `operator simulate`, in a second container); the CLI works through `exec`; SIGTERM
# (`podman stop`) exits 0 within the grace period. Not part of hack/test.sh: it needs root, installs
# Podman, and a cold build takes minutes.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for p in podman runc debootstrap; do
  command -v "$p" >/dev/null || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# crun refuses cgroup v1 hybrid hosts and both runtimes refuse limits above the sandbox's own hard ones.
podman=(podman --runtime runc)
limits=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=4096:4096)
base=localhost/debian:bookworm-minbase
builder=localhost/swift-local:bookworm
image=localhost/operator:dev
sim_port=23790 metrics_port=18080 probe_port=18081

if ! "${podman[@]}" image exists "$base"; then
  echo "==> $base from debootstrap"
  root=$(mktemp -d)
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >/dev/null
  tar -C "$root" -c . | "${podman[@]}" import - "$base" >/dev/null
  rm -rf "$root"
fi
if ! "${podman[@]}" image exists "$builder"; then
  echo "==> $builder: $base with what the Swift toolchain links against"
  "${podman[@]}" rm -f swift-builder >/dev/null 2>&1 || true
  "${podman[@]}" run "${limits[@]}" --network host --name swift-builder "$base" sh -c '
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      binutils gcc libc6-dev libcurl4-openssl-dev libedit2 libgcc-12-dev libpython3.11 libsqlite3-dev \
      libstdc++-12-dev libxml2-dev libncurses6 libz3-4 pkg-config tzdata zlib1g-dev git ca-certificates >/dev/null
    printf "[url \"/opt/swift-packages/\"]\n\tinsteadOf = https://github.com/\n[safe]\n\tdirectory = *\n" > /etc/gitconfig'
  "${podman[@]}" commit -q --change 'ENV PATH=/opt/swift/usr/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    swift-builder "$builder" >/dev/null
  "${podman[@]}" rm swift-builder >/dev/null
fi

echo "==> podman build -f Containerfile"
"${podman[@]}" build "${limits[@]}" --network host -v /opt/swift:/opt/swift:ro -v /opt/swift-packages:/opt/swift-packages:ro \
  --build-arg SWIFT_IMAGE="$builder" --build-arg RUNTIME_IMAGE="$base" -t "$image" -f Containerfile . >/tmp/operator-image-build.log 2>&1 \
  || { tail -30 /tmp/operator-image-build.log; exit 1; }
"${podman[@]}" history --format '{{.Size}}\t{{.CreatedBy}}' "$image" | grep -E 'COPY|apt-get' | cut -c1-90
echo "image: $("${podman[@]}" image inspect --format '{{.Size}}' "$image" | numfmt --to=iec) in all, base $("${podman[@]}" image inspect --format '{{.Size}}' "$base" | numfmt --to=iec)"

remove_containers() {
  "${podman[@]}" rm -f -t 0 operator-smoke operator-smoke-sim >/dev/null 2>&1 || true
  "${podman[@]}" volume rm -f operator-smoke-data >/dev/null 2>&1 || true
}
remove_containers
specs=$(mktemp -d)
trap 'remove_containers; rm -rf "$specs"' EXIT
cat >"$specs/cluster.yaml" <<EOF
apiVersion: operator.tikv/v1alpha1
kind: TiKVCluster
metadata:
  name: smoke
spec:
  pd:
    urls: [http://127.0.0.1:$sim_port]
  resyncPeriod: 10s
EOF
chmod 0755 "$specs" && chmod 0644 "$specs/cluster.yaml"

echo "==> a simulated cluster and the controller, restricted as in Manifests/base/deployment.yaml"
"${podman[@]}" run -d "${limits[@]}" --name operator-smoke-sim --network host "$image" \
  simulate --listen "127.0.0.1:$sim_port" --stores 6 --regions 3000 >/dev/null
"${podman[@]}" run -d "${limits[@]}" --name operator-smoke --network host --read-only --tmpfs /tmp --cap-drop ALL \
  --security-opt no-new-privileges -e OPERATOR_DB=/var/lib/operator/operator.db \
  -v "$specs:/etc/operator/specs:ro" -v operator-smoke-data:/var/lib/operator "$image" \
  run --specs /etc/operator/specs --db /var/lib/operator/operator.db --log-format json \
  --metrics-bind-address ":$metrics_port" --health-probe-bind-address ":$probe_port" --shutdown-timeout 25s >/dev/null

ready=""
for _ in $(seq 60); do
  ready=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$probe_port/readyz" || true)
  [ "$ready" = 200 ] && break
  sleep 1
done
[ "$ready" = 200 ] || { "${podman[@]}" logs operator-smoke | tail -20; echo "/readyz never answered 200" >&2; exit 1; }
echo "/readyz 200"
[ "$("${podman[@]}" exec operator-smoke id -u)" = 65532 ] || { echo "not running as 65532" >&2; exit 1; }
if "${podman[@]}" exec operator-smoke sh -c 'echo x > /probe' 2>/dev/null; then echo "root filesystem is writable" >&2; exit 1; fi
echo "uid 65532, read-only root filesystem"
metrics=$(curl -sf "http://127.0.0.1:$metrics_port/metrics")
grep -q '^controller_runtime_reconcile_total{' <<<"$metrics" || { echo "no reconcile counter in /metrics" >&2; exit 1; }
echo "/metrics counts reconciles"
"${podman[@]}" exec operator-smoke operator get tikvclusters
start=$(date +%s)
"${podman[@]}" stop -t 30 operator-smoke >/dev/null
code=$("${podman[@]}" inspect --format '{{.State.ExitCode}}' operator-smoke)
echo "SIGTERM: exit $code after $(($(date +%s) - start)) s"
[ "$code" = 0 ] || { "${podman[@]}" logs operator-smoke | tail -20; exit 1; }
echo "image smoke test passed"
