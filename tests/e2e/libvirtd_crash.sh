#!/usr/bin/env bash
# libvirtd dying under a running lab (issue 10, fault probe item 5), on libvirt LXC inside a
# network namespace this script creates and removes. libvirtd killed -9 while a NAT network
# runs, with the network's runtime status file removed, is exactly what a death in the middle
# of starting the network leaves: the restarted libvirtd believes the network inactive while
# its bridge (virbrN, with the gateway address) and its dnsmasq live on, and every start fails
# with "error creating bridge interface virbrN: File exists".
#   1. Ctrl-C during `up`: exit 130 and one line naming the step; `up` again resumes.
#   2. crash: libvirt alone cannot start the network (the bug's symptom); `labctl down` removes
#      the bridge and the dnsmasq; `up` then works.
#   3. crash with the node stopped: `labctl up` itself clears the leftovers and comes up.
# Throughout, a bridge that is not labctl's (in the same namespace) survives.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-crash-$$
netns_up "$ns"
state=$(e2e_state "$ns")
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc "$@"; }

lab=$E2E_TMP/lab.toml
cat >"$lab" <<'EOF'
[lab]
name = "crash"
driver = "lxc"

[networks.nat]
mode = "nat"
subnet = "10.231.7.0/24"

[nodes.n1]
networks = { nat = "10.231.7.11" }
EOF
net=crash-nat

# Not labctl's: must survive every `down` and `up` below.
in_ns "$ns" ip link add unrelated0 type bridge
in_ns "$ns" ip address add 10.231.8.1/24 dev unrelated0
in_ns "$ns" ip link set unrelated0 up
unrelated_alive() { in_ns "$ns" ip link show dev unrelated0 >/dev/null 2>&1 || e2e_die "unrelated0 was removed: $1"; }

bridge_of() { virsh -q -c "$E2E_URI_LXC" net-dumpxml --inactive "$net" | sed -n "s/.*<bridge name='\([^']*\)'.*/\1/p"; }
dnsmasq_pid() { cat "$state/run/network/$net.pid" 2>/dev/null || true; }
# Alive and not a zombie: a dnsmasq orphaned by libvirtd's death is reaped by whoever adopted
# it, maybe later than it exits, and kill -0 succeeds on a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! awk '{exit ($3 == "Z") ? 0 : 1}' "/proc/$1/stat"; }

# Kills libvirtd -9, forgets that NET runs, starts libvirtd again in the mount namespace it had
# (virtlogd still holds it: the cgroup and private-state mounts live there).
crash_libvirtd() {
    local pid started delay=0.05
    pid=$(cat "$state/libvirtd.pid")
    kill -9 "$pid"
    while alive "$pid"; do sleep 0.05; done
    rm -f "$state/run/network/$net.xml" "$state/libvirtd.pid"
    started=$(e2e_now)
    nsenter --target "$(cat "$state/virtlogd.pid")" --mount --net -- libvirtd -d -p "$state/libvirtd.pid"
    until virsh -q -c "$E2E_URI_LXC" version >/dev/null 2>&1; do
        [ "$(awk -v s="$started" -v n="$(e2e_now)" 'BEGIN {print (n - s > 60)}')" = 1 ] && e2e_die "libvirtd did not come back"
        sleep "$delay"
        delay=$(awk -v d="$delay" 'BEGIN {d *= 2; print (d > 1 ? 1 : d)}')
    done
    e2e_log "libvirtd killed -9 and restarted in $(e2e_since "$started") s"
}

# The state a death mid-start leaves: inactive for libvirt, bridge and dnsmasq still there.
assert_stuck() {
    local bridge=$1 dnsmasq=$2
    local info
    info=$(virsh -q -c "$E2E_URI_LXC" net-info "$net")  # not piped into grep -q: pipefail + SIGPIPE
    echo "$info" | grep -Eq '^Active: +no' || e2e_die "libvirt still calls $net active: $info"
    in_ns "$ns" ip link show dev "$bridge" >/dev/null || e2e_die "bridge $bridge is gone already"
    alive "$dnsmasq" || e2e_die "dnsmasq $dnsmasq is gone already"
}

# 1. Ctrl-C during `up` (here: while it waits for the node's SSH).
out=$E2E_TMP/up.out
# Job control on: a background job of a script would otherwise start with SIGINT ignored (and
# labctl leaves an ignored signal ignored). nsenter execs labctl, so $! is labctl.
set -m
nsenter --net="/var/run/netns/$ns" -- "$labctl" --no-color --connect "$E2E_URI_LXC" --driver lxc \
    -f "$lab" up --no-verify >"$out" 2>"$E2E_TMP/up.err" &
up_pid=$!
set +m
for _ in $(seq 1 600); do grep -q "domain crash-n1  started" "$out" && break; sleep 0.1; done
grep -q "domain crash-n1  started" "$out" || e2e_die "up never started the node: $(cat "$out" "$E2E_TMP/up.err")"
kill -INT "$up_pid"
rc=0
wait "$up_pid" || rc=$?
[ "$rc" = 130 ] || e2e_die "up after SIGINT exited $rc, not 130: $(cat "$E2E_TMP/up.err")"
grep -q '^labctl: interrupted by SIGINT during up (step: .*); run `labctl up` again to resume$' "$E2E_TMP/up.err" ||
    e2e_die "no interrupt line: $(cat "$E2E_TMP/up.err")"
e2e_log "SIGINT during up: $(cat "$E2E_TMP/up.err")"
lab_cmd -f "$lab" up --no-verify >&2 || e2e_die "up after an interrupted up"
unrelated_alive "after up"

# 2. crash; libvirt cannot start the network; `down` clears it; `up` works.
bridge=$(bridge_of)
dnsmasq=$(dnsmasq_pid)
[ -n "$bridge" ] && [ -n "$dnsmasq" ] || e2e_die "no bridge ($bridge) or dnsmasq ($dnsmasq) for $net"
crash_libvirtd
assert_stuck "$bridge" "$dnsmasq"
if err=$(virsh -q -c "$E2E_URI_LXC" net-start "$net" 2>&1); then e2e_die "net-start worked: the leftovers were not reproduced"; fi
echo "$err" | grep -Eq "File exists|already in use" || e2e_die "unexpected net-start failure: $err"
e2e_log "reproduced: $err"
lab_cmd -f "$lab" down >&2
in_ns "$ns" ip link show dev "$bridge" >/dev/null 2>&1 && e2e_die "down left bridge $bridge"
alive "$dnsmasq" && e2e_die "down left dnsmasq $dnsmasq"
unrelated_alive "after down"
lab_cmd -f "$lab" up --no-verify >&2 || e2e_die "up after down"
e2e_log "crash, down, up: passed"

# 3. crash with the node stopped, as when libvirtd dies while `up` starts the network:
# `up` clears what is provably its own and comes up.
virsh -q -c "$E2E_URI_LXC" destroy crash-n1 >/dev/null
e2e_remove_container_cgroups crash-n1
bridge=$(bridge_of)
dnsmasq=$(dnsmasq_pid)
crash_libvirtd
assert_stuck "$bridge" "$dnsmasq"
up_out=$(lab_cmd -f "$lab" up --no-verify) || e2e_die "up did not clear the leftovers"
echo "$up_out" >&2
echo "$up_out" | grep -q "removing what a stopped libvirtd left of it" || e2e_die "up did not say what it removed"
alive "$dnsmasq" && e2e_die "up left the old dnsmasq $dnsmasq"
unrelated_alive "after up"

lab_cmd -f "$lab" down >&2
left=$(e2e_leftovers "$ns" crash-)
[ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "down left libvirt objects: $left"
unrelated_alive "at the end"
echo "e2e libvirtd crash: passed"
