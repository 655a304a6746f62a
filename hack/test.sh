#!/usr/bin/env bash
# Installs what the tests need when it is missing, then builds everything and runs every test.
# This is the README's test command, and .ci/run calls exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

# Native libraries for the build (SQLite; libcurl with OpenSSL for the HTTP transport; libcrypto for SSH
# signatures), the openssl command for the TLS tests' certificates and server, OpenSSH's ssh-keygen, ssh-agent
# and ssh-add for the signature interop tests, a real Prometheus for the integration tests, and tmux to drive
# the terminal dashboard; curl for the README tour, which the tests run.
packages=(libsqlite3-dev libcurl4-openssl-dev libssl-dev openssl openssh-client curl prometheus tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "==> installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

echo "==> building"
# Warnings are work to do: fail the run if the build prints any from our own sources.
swift build --build-tests 2>&1 | tee /tmp/operator-build.log
if grep -E "^$(pwd)/(Sources|Tests|Benchmarks)/.*: warning:" /tmp/operator-build.log; then
  echo "build warnings in our sources (listed above)" >&2
  exit 1
fi

hack/validate-manifests.sh
# Swift Testing runs a target's tests side by side on a pool as wide as the machine: the simulator's
# CPU-bound tests would starve the controller's in-process loopback servers of threads for half a
# minute and turn their real-time timeouts into failures, so each kind runs on its own.
echo "==> testing the decoders, reconcilers, simulator and SSH signatures"
swift test --skip-build --filter '^(PDWireTests|ReconcilersTests|TiKVSimulatorTests|SSHSignaturesTests)\.'
echo "==> testing the controller"
swift test --skip-build --filter '^ControllerTests\.' --skip 'CrashLoopTests|HostileInputsProcessTests|FullDiskProcessTests'
# The fault suite runs real controllers against hostile servers and measures their peak memory, and lowers a
# controller's file-size limit: run alone, so neither shares the cores with the tests above.
echo "==> fault suite"
swift test --skip-build --filter 'HostileInputsProcessTests|FullDiskProcessTests'
# The crash loop spawns and SIGKILLs a controller 200 times: run alone so its timing is not shared.
echo "==> crash loop"
swift test --skip-build --filter CrashLoopTests

echo "==> headless demo"
# The README's first command, end to end: every chapter's outcome must be observed or this fails.
.build/debug/operator demo --headless
