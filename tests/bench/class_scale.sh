#!/usr/bin/env bash
# Benchmark of class mode (run on request; prints a table, asserts nothing beyond success):
# `class up` of N students x 2 nodes (tests/e2e/labs/class-course.toml: an app and an nginx
# left to the students) on LXC, then `class check` and `class down`, inside a network namespace
# with a private libvirtd that the benchmark creates and removes. Reports the time of each
# verb, labctl's own peak RSS, and the memory the running copies hold: the sum over their
# containers' memory cgroups (RSS, and usage with page cache), and for comparison the drop of
# the host's MemAvailable (noisy on a shared machine).
#   tests/bench/class_scale.sh [N] [JOBS]     # default 5 students, 4 copies at once
# Measured (2 cores, 24 GiB, shared machine at load 10-18), up / check / down, containers' RSS:
#   5 x 2, --jobs 4:   38.7 s / 0.1 s /  6.3 s, 119 MiB
#   10 x 2, --jobs 5:  57.2 s / 0.1 s / 13.8 s, 239 MiB
#   30 x 2, --jobs 6: 164.3 s / 0.2 s / 30.5 s, 716 MiB (1.9 GiB with page cache)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
students=${1:-5}
jobs=${2:-4}

e2e_init
e2e_private_home "$labctl"
ns=labctl-bench-class-$$
netns_up "$ns"
lab=$root/tests/e2e/labs/class-course.toml

# Sum over the copies' containers (cgroup v1 memory controller): "RSS_MIB USAGE_MIB".
containers_mib() {
    local rss=0 usage=0 dir
    for dir in /sys/fs/cgroup/memory/machine/lxc-*-course-s*.libvirt-lxc; do
        [ -d "$dir" ] || continue
        rss=$((rss + $(awk '$1 == "total_rss" {print $2}' "$dir/memory.stat")))
        usage=$((usage + $(cat "$dir/memory.usage_in_bytes")))
    done
    echo "$((rss / 1048576)) $((usage / 1048576))"
}
available_mib() { awk '/^MemAvailable:/ {printf "%d", $2 / 1024}' /proc/meminfo; }
# Runs labctl VERB... in the namespace under /usr/bin/time: seconds to $E2E_TMP/s, peak RSS
# (KiB) to $E2E_TMP/rss.
timed() {
    local started
    started=$(e2e_now)
    in_ns "$ns" /usr/bin/time -f %M -o "$E2E_TMP/rss" "$labctl" --no-color --connect "$E2E_URI_LXC" \
        --driver lxc -f "$lab" "$@" >"$E2E_TMP/out" 2>&1 || { cat "$E2E_TMP/out" >&2; e2e_die "labctl $* failed"; }
    e2e_since "$started" >"$E2E_TMP/s"
}
figure() { printf '%-52s %12s\n' "$1" "$2" | tee -a "$E2E_TMP/figures"; }
printf '\n%-52s %12s\n' "class mode, $students students x 2 nodes, lxc, --jobs $jobs" "" | tee "$E2E_TMP/figures"

before=$(available_mib)
timed class up --students "$students" --jobs "$jobs"
figure "class up (boot + provision + verify), s" "$(cat "$E2E_TMP/s")"
figure "  per student, s" "$(awk -v t="$(cat "$E2E_TMP/s")" -v n="$students" 'BEGIN {printf "%.1f", t / n}')"
figure "  labctl peak RSS, MiB" "$(awk '{printf "%.0f", $1 / 1024}' "$E2E_TMP/rss")"
after=$(available_mib)
read -r rss usage < <(containers_mib)
figure "containers' RSS, all copies, MiB" "$rss"
figure "  per student (2 containers), MiB" "$((rss / students))"
figure "containers' usage with page cache, all copies, MiB" "$usage"
figure "  per student, MiB" "$((usage / students))"
figure "host MemAvailable drop, MiB (noisy)" "$((before - after))"

timed class check --jobs "$jobs" -o "$E2E_TMP/grades.csv"
figure "class check (2 declared checks per copy), s" "$(cat "$E2E_TMP/s")"
figure "  labctl peak RSS, MiB" "$(awk '{printf "%.0f", $1 / 1024}' "$E2E_TMP/rss")"
cat "$E2E_TMP/out" >&2

timed class down --jobs "$jobs"
figure "class down, s" "$(cat "$E2E_TMP/s")"
left=$(e2e_leftovers "$ns" course-s)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "class down left: $left"
echo
cat "$E2E_TMP/figures"
