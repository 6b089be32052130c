#!/usr/bin/env bash
# Failover figures (printed, never asserted beyond "the commands worked"): the ActiveMQ
# failover lab on LXC guests in a private network namespace; for each fault mode, steady
# traffic through nginx, the fault on server2's chat instance, then failed requests, time to
# fail over, the slowest answer after the fault (bounded by nginx's proxy_connect_timeout) and
# the split before/after; then revive and the time to rejoin the pool.
#   tests/bench/failover.sh [LAB]     # needs root, scripts/setup.sh, a built labctl
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
lab=${1:-$root/examples/activemq-failover/lab.toml}
target=${BENCH_TARGET:-server2/chat}

e2e_init
e2e_private_home "$labctl"
ns=labctl-bench-failover-$$
netns_up "$ns"
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc -f "$lab" "$@"; }
lab_cmd up --no-verify >&2

printf '%-10s %8s %7s %12s %14s %9s %s\n' mode requests failed "failover s" "slowest s" "rejoin s" "split after"
for mode in process poweroff link-down; do
    json=$(lab_cmd kill "$target" --mode "$mode" --requests 600 --rate 100 --json)
    started=$(e2e_now)
    lab_cmd revive "$target" >&2
    rejoin=$(e2e_since "$started")
    echo "$json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
split = ", ".join("%s %d" % kv for kv in r["split_after"].items())
print("%-10s %8d %7d %12.2f %14.2f %9s %s" % (r["mode"], r["requests"], r["failed"], r["failover_seconds"],
      r["worst_latency_after_fault_seconds"], sys.argv[1], split))' "$rejoin"
done
lab_cmd down >&2
