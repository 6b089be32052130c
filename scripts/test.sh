#!/usr/bin/env bash
# Builds labctl and runs every test: unit and integration tests, nginx -t on every rendered
# config, the fuzzer, and the end-to-end suites on real guests (inside network namespaces
# the tests create and remove). Needs root and scripts/setup.sh done first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
cd "$root/build"
# The suites run side by side: most of an e2e suite's time is spent waiting on guests, and
# tests/CMakeLists.txt serialises what they share (the base image, the CPU-bound QEMU and fuzz
# runs, a lab name). LABCTL_TEST_JOBS=1 runs them one at a time.
status=0
rm -f bench-failover.txt
ctest --output-on-failure --timeout 1800 -j"${LABCTL_TEST_JOBS:-4}" "$@" || status=$?
# The failover figures on real guests (tests/bench/failover.sh, never asserted on time), so
# every run has them on record.
if [ -s bench-failover.txt ]; then
    echo "== failover figures (tests/bench/failover.sh)"
    cat bench-failover.txt
fi
exit "$status"
