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
# tests/resources.json: the two `tcg` slots the QEMU suites share (tests/CMakeLists.txt).
ctest --output-on-failure --timeout 1800 -j"${LABCTL_TEST_JOBS:-4}" \
      --resource-spec-file "$root/tests/resources.json" "$@" || status=$?
# A failed suite's output sits in the middle of a long log: its last lines again, at the end,
# where a reader of the log (or of CI's tail of it) looks first.
if [ "$status" -ne 0 ] && [ -s Testing/Temporary/LastTestsFailed.log ]; then
    python3 - Testing/Temporary/LastTest.log Testing/Temporary/LastTestsFailed.log <<'PY'
import re, sys
log = open(sys.argv[1], errors="replace").read()
for line in open(sys.argv[2]):
    name = line.strip().split(":", 1)[-1]
    found = re.search(r"Test: %s\n.*?Output:\n-+\n(.*?)<end of output>" % re.escape(name), log, re.S)
    tail = found.group(1).rstrip().splitlines()[-60:] if found else ["(no output recorded)"]
    print(f"== {name} failed; the last {len(tail)} lines of its output:")
    print("\n".join(tail))
PY
fi
# The failover figures on real guests (tests/bench/failover.sh, never asserted on time), so
# every run has them on record.
if [ -s bench-failover.txt ]; then
    echo "== failover figures (tests/bench/failover.sh)"
    cat bench-failover.txt
fi
exit "$status"
