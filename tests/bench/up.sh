#!/usr/bin/env bash
# Benchmark of `labctl up` (run on request; prints a table, asserts nothing): bring-up of 2,
# 4 and 8 bare nodes on LXC with the ratio t(8)/t(2) (parallel boot should keep it well under
# 4), and the full failover lab (boot + provisioning + verify) on LXC and on QEMU/TCG, inside
# a network namespace with a private libvirtd that the benchmark creates and removes.
#   tests/bench/up.sh            # needs root, scripts/setup.sh, a built labctl
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}

e2e_init
e2e_private_home "$labctl"
ns=labctl-bench-$$
netns_up "$ns"

bare_lab() {  # N nodes on one host-only network, no services: pure bring-up
    local n=$1 file=$E2E_TMP/bare-$1.toml
    printf '[lab]\nname = "bench%s"\n[networks.lan]\nmode = "host-only"\nsubnet = "10.201.%s.0/24"\n' "$n" "$n" >"$file"
    for i in $(seq 1 "$n"); do printf '[nodes.n%s]\nnetworks = { lan = "10.201.%s.%s" }\n' "$i" "$n" "$((i + 10))" >>"$file"; done
    echo "$file"
}

# Seconds of one `labctl up` (then down), and its per-step lines kept for the report.
time_up() {
    local driver=$1 uri=$2 file=$3 started seconds
    started=$(e2e_now)
    in_ns "$ns" "$labctl" --no-color --connect "$uri" --driver "$driver" -f "$file" up >"$E2E_TMP/up.log" 2>&1 ||
        { cat "$E2E_TMP/up.log" >&2; e2e_die "up failed: $file"; }
    seconds=$(e2e_since "$started")
    # A warm `status` (domain state, SSH, every instance's health), while the lab is up.
    started=$(e2e_now)
    in_ns "$ns" "$labctl" --no-color --connect "$uri" --driver "$driver" -f "$file" status --json >/dev/null
    echo "$(e2e_since "$started")" >"$E2E_TMP/status-$(basename "$file").s"
    in_ns "$ns" "$labctl" --no-color --connect "$uri" --driver "$driver" -f "$file" down >/dev/null 2>&1
    echo "$seconds"
}

declare -A t
for n in 2 4 8; do t[$n]=$(time_up lxc "$E2E_URI_LXC" "$(bare_lab "$n")"); done
full_lxc=$(time_up lxc "$E2E_URI_LXC" "$root/examples/activemq-failover/lab.toml")
grep -E "ssh up|changed |ok  " "$E2E_TMP/up.log" >"$E2E_TMP/lxc-steps.log" || true
full_qemu=$(LABCTL_BOOT_TIMEOUT=300 time_up qemu "$E2E_URI_QEMU" "$root/tests/e2e/labs/qemu-two-nodes.toml")
grep -E "cloned|ssh up|changed |ok  " "$E2E_TMP/up.log" >"$E2E_TMP/qemu-steps.log" || true

printf '\n%-44s %10s\n' "labctl up" "seconds"
printf '%-44s %10s\n' "2 bare nodes, lxc" "${t[2]}"
printf '%-44s %10s\n' "4 bare nodes, lxc" "${t[4]}"
printf '%-44s %10s\n' "8 bare nodes, lxc" "${t[8]}"
printf '%-44s %10s\n' "ratio t(8)/t(2) (4.0 = no parallelism)" "$(awk -v a="${t[8]}" -v b="${t[2]}" 'BEGIN {printf "%.2f", a / b}')"
printf '%-44s %10s\n' "failover lab, lxc (boot+provision+verify)" "$full_lxc"
printf '%-44s %10s\n' "2-node lab, qemu/TCG (boot+provision+verify)" "$full_qemu"
printf '%-44s %10s\n' "ratio qemu/lxc" "$(awk -v a="$full_qemu" -v b="$full_lxc" 'BEGIN {printf "%.1f", a / b}')"
printf '%-44s %10s\n' "labctl status, 8 warm bare nodes, lxc" "$(cat "$E2E_TMP/status-bare-8.toml.s")"
printf '%-44s %10s\n' "labctl status, failover lab warm, lxc" "$(cat "$E2E_TMP/status-lab.toml.s")"
printf '\nsteps, failover lab on lxc:\n'; cat "$E2E_TMP/lxc-steps.log"
printf '\nsteps, 2-node lab on qemu:\n'; cat "$E2E_TMP/qemu-steps.log"
printf '\nvagrant comparison: not measured yet (needs the base image packaged as a vagrant-libvirt box;\nshared/notes/vagrant-baseline.md has Vagrant'"'"'s own figures: 80 s for 2 VMs, parallel)\n'
