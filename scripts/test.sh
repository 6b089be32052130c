#!/usr/bin/env bash
# Builds labctl and runs every test: unit and integration tests, nginx -t on every rendered
# config, the fuzzer, and the end-to-end suites on real guests (inside network namespaces
# the tests create and remove). Needs root and scripts/setup.sh done first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
# The failover figures on real guests (printed, never asserted on time), so every run has them
# on record; then every test.
[ -n "${LABCTL_SKIP_BENCH:-}" ] || "$root/tests/bench/failover.sh"
cd "$root/build"
ctest --output-on-failure --timeout 1800 "$@"
