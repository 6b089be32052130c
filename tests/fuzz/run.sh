#!/usr/bin/env bash
# Builds the libFuzzer target with clang + ASan + UBSan and fuzzes load+validate+render for
# SECONDS (default 60), seeded with every example lab and bad file. Exits non-zero on any finding.
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
build="$root/build-fuzz"
# -O1 with line tables only: what libFuzzer and the sanitizers need for speed and symbolised
# stacks, at a fraction of the compile time of full debug info; precompiled headers (clang)
# and unity files.
cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=None \
      -DCMAKE_CXX_FLAGS="-O1 -gline-tables-only" -DLABCTL_FUZZ=ON -DLABCTL_TESTS=OFF -DLABCTL_PCH=ON \
      -DCMAKE_UNITY_BUILD=ON >/dev/null
cmake --build "$build" -j2 --target fuzz_lab >/dev/null
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cp "$root"/examples/*/lab.toml "$corpus"/ 2>/dev/null || true
for f in "$root"/examples/*/lab.toml; do cp "$f" "$corpus/example-$(basename "$(dirname "$f")").toml"; done
cp "$root"/tests/data/bad/*.toml "$corpus"/
cp "$root"/tests/fuzz/regressions/* "$corpus"/ 2>/dev/null || true
cd "$build"
rm -f crash-* leak-* timeout-* oom-* fuzz.log
# UBSan findings abort so libFuzzer reports them as crashes.
export UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
status=0
./tests/fuzz/fuzz_lab -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$corpus" >fuzz.log 2>&1 || status=$?
if [ "$status" -ne 0 ]; then
    # The report's head (the error and the innermost frames) names the bug; the input
    # reproduces it. Both go to the log, since CI keeps no files.
    grep -n -m1 -A45 -E '^==[0-9]+== ?ERROR|runtime error:|terminate called' fuzz.log \
        || tail -n 60 fuzz.log
    for f in crash-* leak-* timeout-* oom-*; do
        [ -e "$f" ] || continue
        echo "== $f (base64; save it as tests/fuzz/regressions/NAME.toml to keep it):"
        base64 -w 100 "$f"
    done
    echo "fuzz: FAILED (exit $status); the whole log is $build/fuzz.log" >&2
    exit 1
fi
tail -n 8 fuzz.log
echo "fuzz: ${seconds}s without a finding"
