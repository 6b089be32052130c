#!/usr/bin/env bash
# Benchmark of `labctl up` (run on request; prints a table, asserts nothing): bring-up of 2,
# 4 and 8 bare nodes on LXC with the ratio t(8)/t(2) (parallel boot should keep it well under
# 4), and the full failover lab (boot + provisioning + verify) on LXC and on QEMU/TCG, inside
# a network namespace with a private libvirtd that the benchmark creates and removes.
# Where vagrant and vagrant-libvirt are installed, the same 2-node QEMU lab also goes up with
# `vagrant up` on a box of the same base image (`labctl image box`), exported by
# `labctl export vagrant`, in the same namespace: the ratio labctl/vagrant.
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

# Each figure is printed the moment it is measured (and kept for the summary at the end), so
# a later failure (once: `labctl image box` dying on a busy mount) loses none of the earlier.
figure() {
    printf '%-44s %10s\n' "$1" "$2" | tee -a "$E2E_TMP/figures"
}
ratio() { awk -v a="$1" -v b="$2" -v f="$3" 'BEGIN {printf f, a / b}'; }
printf '\n%-44s %10s\n' "labctl up" "seconds" | tee "$E2E_TMP/figures"

declare -A t
for n in 2 4 8; do
    t[$n]=$(time_up lxc "$E2E_URI_LXC" "$(bare_lab "$n")")
    figure "$n bare nodes, lxc" "${t[$n]}"
done
figure "ratio t(8)/t(2) (4.0 = no parallelism)" "$(ratio "${t[8]}" "${t[2]}" %.2f)"
figure "labctl status, 8 warm bare nodes, lxc" "$(cat "$E2E_TMP/status-bare-8.toml.s")"
full_lxc=$(time_up lxc "$E2E_URI_LXC" "$root/examples/activemq-failover/lab.toml")
figure "failover lab, lxc (boot+provision+verify)" "$full_lxc"
figure "labctl status, failover lab warm, lxc" "$(cat "$E2E_TMP/status-lab.toml.s")"
grep -E "ssh up|changed |ok  " "$E2E_TMP/up.log" >"$E2E_TMP/lxc-steps.log" || true
qemu_lab=$root/tests/e2e/labs/qemu-two-nodes.toml
full_qemu=$(LABCTL_BOOT_TIMEOUT=300 time_up qemu "$E2E_URI_QEMU" "$qemu_lab")
figure "2-node lab, qemu/TCG (boot+provision+verify)" "$full_qemu"
figure "ratio qemu/lxc" "$(ratio "$full_qemu" "$full_lxc" %.1f)"
grep -E "cloned|ssh up|changed |ok  " "$E2E_TMP/up.log" >"$E2E_TMP/qemu-steps.log" || true

# Vagrant: its own (parallel) `vagrant up` of the exported lab on a box of the same image.
# The first `up` uploads box.img into libvirt's pool, a one-off like labctl's image build:
# it is reported apart, and the comparison uses the second (warm) `up`.
declare -A v
if command -v vagrant >/dev/null && vagrant plugin list 2>/dev/null | grep -q vagrant-libvirt; then
    export VAGRANT_HOME=$E2E_TMP/vagrant.d VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DEFAULT_PROVIDER=libvirt
    export LABCTL_BOX_DRIVER=qemu
    vlab=$E2E_TMP/vagrant-lab
    vagrant_timed() {  # KEY ARGS...: runs `vagrant ARGS` in the lab dir inside the namespace
        local key=$1 started
        shift
        started=$(e2e_now)
        in_ns "$ns" env -C "$vlab" vagrant "$@" >>"$E2E_TMP/vagrant.log" 2>&1 ||
            { tr '\r' '\n' <"$E2E_TMP/vagrant.log" | grep -v Progress | tail -30 >&2; e2e_die "vagrant $* failed"; }
        v[$key]=$(e2e_since "$started")
        figure "vagrant $* ($key)" "${v[$key]}"
    }
    started=$(e2e_now)
    "$labctl" image box -o "$E2E_TMP/labctl.box" --driver qemu >/dev/null || e2e_die "labctl image box failed"
    v[box]=$(e2e_since "$started")
    figure "labctl image box (one-off)" "${v[box]}"
    vagrant box add --name labctl/bench "$E2E_TMP/labctl.box" >>"$E2E_TMP/vagrant.log" 2>&1
    "$labctl" -f "$qemu_lab" export vagrant -o "$vlab" --box labctl/bench >/dev/null
    vagrant_timed cold up
    vagrant_timed destroy1 destroy -f
    vagrant_timed up up
    # The lab Vagrant made must work, not just exist: nginx on server1 answers from a chat instance.
    in_ns "$ns" env -C "$vlab" vagrant ssh server1 -c 'curl -fsS http://127.0.0.1:8090/' 2>/dev/null |
        grep -q "chat instance" || e2e_die "the lab vagrant brought up does not answer through nginx"
    vagrant_timed status status
    vagrant_timed destroy destroy -f
fi

# The summary: every figure again, in one table.
printf '\nsummary:'
cat "$E2E_TMP/figures"
printf '\nsteps, failover lab on lxc:\n'; cat "$E2E_TMP/lxc-steps.log"
printf '\nsteps, 2-node lab on qemu:\n'; cat "$E2E_TMP/qemu-steps.log"
if [ -n "${v[up]:-}" ]; then
    printf '\n%-44s %10s\n' "same 2-node qemu lab, vagrant + vagrant-libvirt" "seconds"
    printf '%-44s %10s\n' "labctl image box (one-off)" "${v[box]}"
    printf '%-44s %10s\n' "vagrant up, first (uploads the box volume)" "${v[cold]}"
    printf '%-44s %10s\n' "vagrant up (boot+provision, parallel)" "${v[up]}"
    printf '%-44s %10s\n' "vagrant status" "${v[status]}"
    printf '%-44s %10s\n' "vagrant destroy -f" "${v[destroy]}"
    printf '%-44s %10s\n' "ratio labctl up / vagrant up (<1: faster)" "$(ratio "$full_qemu" "${v[up]}" %.2f)"
    printf '%-44s %10s\n' "ratio labctl status / vagrant status" "$(ratio "$(cat "$E2E_TMP/status-qemu-two-nodes.toml.s")" "${v[status]}" %.2f)"
else
    printf '\nvagrant comparison: skipped (vagrant or vagrant-libvirt not installed: scripts/packages/vagrant.txt)\n'
fi
