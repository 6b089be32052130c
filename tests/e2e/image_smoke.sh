#!/usr/bin/env bash
# Proves labctl's base image and node seed on real guests, without `labctl up`: inside a
# network namespace of its own, with plain virsh, it boots
#   - an LXC system container over an overlayfs of the image's rootfs, its seed written into
#     the overlay's upper dir (the overlay is mounted from the HOST mount namespace, so this
#     also proves the mount propagation labctl's lxc driver relies on), and
#   - a QEMU (TCG, or KVM with E2E_VIRT=kvm) VM from a linked clone of disk.qcow2 plus the
#     LABCTL-SEED disk, kernel and initrd booted directly,
# both on a NAT network with DHCP host reservations and a host-only network with static
# addresses, then checks from inside the namespace, with strict host key checking against
# the injected host keys: `ssh lab@ADDR hostname` on every address, passwordless sudo, and
# node-to-node ping over host-only. Prints the time to SSH of each guest.
#
# Usage (root): tests/e2e/image_smoke.sh [--only lxc|qemu]
# Env: LABCTL (default build/labctl), LABCTL_HOME (image cache, default /var/lib/labctl),
#      E2E_QEMU_TIMEOUT (default 600 s: QEMU runs under software emulation, beside other suites), E2E_LXC_TIMEOUT (default 60 s).
# Builds the image when it is missing or outdated (~1 min warm apt cache, a few min cold).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"

only=""
[ "${1:-}" = "--only" ] && only=${2:-}
labctl=${LABCTL:-$repo/build/labctl}
[ -x "$labctl" ] || e2e_die "labctl binary not found at $labctl (build first, or set LABCTL)"
for tool in ssh ssh-keygen qemu-img python3; do command -v "$tool" >/dev/null || e2e_die "$tool missing"; done

e2e_init
image=debian-12-lab
t0=$(e2e_now)
"$labctl" image build "$image" >&2
image_dir=$("$labctl" image list --json | python3 -c 'import json,sys; print(next(i["path"] for i in json.load(sys.stdin)["images"] if i["name"] == "'$image'"))')
e2e_log "image ready in $(e2e_since "$t0") s: $image_dir"

ns=labctl-smoke-$$
lab=smoke$$
work=$E2E_TMP/work
mkdir -p "$work/keys" "$work/mnt"
# Overlays live here: bind-mounted shared so libvirtd's namespace sees mounts made later.
export E2E_SHARED_DIRS=$work/mnt
netns_up "$ns"

# Attribute-safe XML values (all values are ours, but escape anyway).
x() { sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g' -e "s/'/\&apos;/g" <<<"$1"; }

cat >"$work/lab.toml" <<EOF
[lab]
name = "$lab"

[networks.nat]
mode = "nat"
subnet = "192.168.150.0/24"

[networks.hostonly]
mode = "host-only"
subnet = "192.168.151.0/24"

[nodes.lxc1]
networks = { nat = "dhcp", hostonly = "192.168.151.11" }

[nodes.vm1]
networks = { nat = "dhcp", hostonly = "192.168.151.12" }
EOF

ssh-keygen -q -t ed25519 -N '' -C "labctl-smoke" -f "$work/keys/lab"
: >"$work/known_hosts"
declare -A nic_json
nodes=()
[ "$only" != qemu ] && nodes+=(lxc1)
[ "$only" != lxc ] && nodes+=(vm1)
for node in "${nodes[@]}"; do
    ssh-keygen -q -t ed25519 -N '' -C "$node" -f "$work/keys/$node"
    args=("$node" --host-key "$work/keys/$node" --authorized-key "$work/keys/lab.pub" -o "$work/seed-$node" --json)
    if [ "$node" = lxc1 ]; then
        mkdir -p "$work/mnt/$node/upper" "$work/mnt/$node/work" "$work/mnt/$node/root"
        args+=(--root "$work/mnt/$node/upper")
    else
        args+=(--disk "$work/$node-seed.img")
    fi
    nic_json[$node]=$("$labctl" -f "$work/lab.toml" image seed "${args[@]}")
done
nic() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); n=[x for x in d["nics"] if x["network"]==sys.argv[2]][0]; print(n[sys.argv[3]])' "${nic_json[$1]}" "$2" "$3"; }

# Networks: NAT with a DHCP reservation per node (MAC -> planned address), host-only isolated.
hosts=""
for node in "${nodes[@]}"; do
    hosts+="<host mac='$(x "$(nic "$node" nat mac)")' name='$(x "$node")' ip='$(x "$(nic "$node" nat address)")'/>"
done
cat >"$work/net-nat.xml" <<EOF
<network><name>$(x "$lab-nat")</name><forward mode='nat'/><bridge name='$(x "s$$n")' stp='off'/>
  <ip address='192.168.150.1' netmask='255.255.255.0'><dhcp><range start='192.168.150.100' end='192.168.150.199'/>$hosts</dhcp></ip></network>
EOF
cat >"$work/net-ho.xml" <<EOF
<network><name>$(x "$lab-hostonly")</name><bridge name='$(x "s$$h")' stp='off'/>
  <ip address='192.168.151.1' netmask='255.255.255.0'/></network>
EOF
for net in nat ho; do
    virsh_ns "$ns" net-create "$work/net-$net.xml" >/dev/null
done
e2e_log "networks up"

interfaces() {
    local node=$1 model=$2
    for net in nat hostonly; do
        echo "<interface type='network'><source network='$(x "$lab-$net")'/><mac address='$(x "$(nic "$node" "$net" mac)")'/>$model</interface>"
    done
}

# Waits until `ssh lab@ADDR hostname` answers NODE with the pinned host key; prints seconds.
wait_ssh() {
    local node=$1 addr=$2 start=$3 timeout=$4 delay=0.2 out
    while :; do
        if out=$(in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
            -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -o ConnectTimeout=3 -i "$work/keys/lab" \
            "lab@$addr" hostname 2>"$work/ssh-$node.err"); then
            [ "$out" = "$node" ] || e2e_die "$node at $addr answered hostname '$out'"
            e2e_since "$start"
            return 0
        fi
        if grep -q 'REMOTE HOST IDENTIFICATION HAS CHANGED\|Host key verification failed' "$work/ssh-$node.err"; then
            e2e_die "$node: host key mismatch: $(cat "$work/ssh-$node.err")"
        fi
        [ "$(awk -v s="$start" -v n="$(e2e_now)" -v t="$timeout" 'BEGIN {print (n - s > t)}')" = 1 ] &&
            e2e_die "$node: no SSH at $addr within $timeout s: $(tail -1 "$work/ssh-$node.err")"
        sleep "$delay"
        delay=$(awk -v d="$delay" 'BEGIN {d *= 1.5; print (d > 2 ? 2 : d)}')
    done
}

declare -A started
for node in "${nodes[@]}"; do
    for net in nat hostonly; do
        echo "$(nic "$node" "$net" address) $(cat "$work/keys/$node.pub")" >>"$work/known_hosts"
    done
done

start_lxc1() {
    local node=lxc1
    # Mounted from the host mount namespace, as labctl does; libvirtd sees it by propagation.
    mount -t overlay overlay -o "lowerdir=$image_dir/rootfs,upperdir=$work/mnt/$node/upper,workdir=$work/mnt/$node/work" \
        "$work/mnt/$node/root"
    e2e_on_cleanup "umount '$work/mnt/$node/root'"
    libvirtd_pid=$(cat "$(e2e_state "$ns")/libvirtd.pid")
    nsenter --mount="/proc/$libvirtd_pid/ns/mnt" findmnt -n "$work/mnt/$node/root" >/dev/null ||
        e2e_die "the overlay mounted in the host namespace is not visible in libvirtd's mount namespace"
    e2e_log "propagation: overlay mounted on the host is visible in libvirtd's mount namespace"
    cat >"$work/$node.xml" <<EOF
<domain type='lxc'><name>$(x "$lab-$node")</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>
  <os><type>exe</type><init>/sbin/init</init></os>
  <devices>
    <filesystem type='mount' accessmode='passthrough'><source dir='$(x "$work/mnt/$node/root")'/><target dir='/'/></filesystem>
    $(interfaces "$node" "")
    <console type='pty'/>
  </devices></domain>
EOF
    started[$node]=$(e2e_now)
    virsh -q -c "$E2E_URI_LXC" create "$work/$node.xml" >/dev/null
}

start_vm1() {
    local node=vm1 virt
    qemu-img create -q -f qcow2 -F qcow2 -b "$image_dir/disk.qcow2" "$work/$node.qcow2"
    virt=${E2E_VIRT:-qemu}
    cat >"$work/$node.xml" <<EOF
<domain type='$(x "$virt")'><name>$(x "$lab-$node")</name><memory unit='MiB'>512</memory><vcpu>1</vcpu>
  <os><type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$(x "$image_dir/vmlinuz")</kernel><initrd>$(x "$image_dir/initrd.img")</initrd>
    <cmdline>root=/dev/vda rw console=ttyS0</cmdline></os>
  <features><acpi/>$([ "$virt" = qemu ] && echo "<tcg><tb-cache unit='MiB'>128</tb-cache></tcg>")</features>
  <devices>
    <disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='$(x "$work/$node.qcow2")'/><target dev='vda' bus='virtio'/></disk>
    <disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$(x "$work/$node-seed.img")'/><target dev='vdb' bus='virtio'/><readonly/></disk>
    $(interfaces "$node" "<model type='virtio'/>")
    <serial type='file'><source path='$(x "$work/$node-console.log")'/><target port='0'/></serial>
    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>
  </devices></domain>
EOF
    started[$node]=$(e2e_now)
    virsh_ns "$ns" create "$work/$node.xml" >/dev/null
    e2e_log "$node: virsh create returned after $(e2e_since "${started[$node]}") s"
    if [ -n "${E2E_KEEP_LOGS:-}" ]; then
        e2e_on_cleanup "cp -r '$work/$node-console.log' '$(e2e_state "$ns")/log' '$E2E_KEEP_LOGS/' 2>/dev/null"
    fi
}

declare -A took
fail=0
# One guest at a time, so each time to SSH is its own (a TCG guest takes both cores).
for node in "${nodes[@]}"; do
    "start_$node"
    timeout=${E2E_LXC_TIMEOUT:-60}
    [ "$node" = vm1 ] && timeout=${E2E_QEMU_TIMEOUT:-600}
    addr=$(nic "$node" nat address)
    if ! took[$node]=$(wait_ssh "$node" "$addr" "${started[$node]}" "$timeout"); then
        [ -f "$work/$node-console.log" ] && tail -30 "$work/$node-console.log" >&2
        exit 1
    fi
    e2e_log "$node: ssh lab@$addr (nat, DHCP reservation) answered after ${took[$node]} s"
    # The static host-only address, sudo without password, the seed's hostname.
    ho=$(nic "$node" hostonly address)
    wait_ssh "$node" "$ho" "$(e2e_now)" 20 >/dev/null
    in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" "lab@$ho" \
        'sudo -n true && test "$(cat /etc/hostname)" = "$(hostname)" && systemctl is-active --quiet labctl-seed.service &&
         test -s /etc/machine-id && ! systemctl is-active --quiet nginx mariadb rabbitmq-server activemq &&
         test "$(ls /etc/ssh/ssh_host_*_key)" = /etc/ssh/ssh_host_ed25519_key' ||
        { e2e_log "$node: sudo/hostname/seed unit/machine-id/disabled daemons/host key check failed"; fail=1; }
    e2e_log "$node: host-only $ho reachable, sudo -n works, own machine-id, daemons off, one host key"
    in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" "lab@$ho" \
        'systemd-analyze 2>/dev/null | head -1; cut -d" " -f1 /proc/uptime' >&2 || true
done

if [ ${#nodes[@]} = 2 ]; then
    in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" "lab@$(nic lxc1 hostonly address)" \
        "ping -c1 -W2 vm1 >/dev/null" || { e2e_log "lxc1 cannot ping vm1 over host-only"; fail=1; }
    e2e_log "lxc1 -> vm1 ping over host-only (name from the seed's /etc/hosts) works"
    ids=""
    for node in "${nodes[@]}"; do
        ids+="$(in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
            -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" \
            "lab@$(nic "$node" hostonly address)" cat /etc/machine-id) "
    done
    [ "$(tr ' ' '\n' <<<"$ids" | sort -u | grep -c .)" = 2 ] || { e2e_log "machine-ids not distinct: $ids"; fail=1; }
fi

# E2E_SMOKE_SERVICES=1: the preinstalled daemons really start (on lxc1: fast).
if [ -n "${E2E_SMOKE_SERVICES:-}" ] && [ "$only" != qemu ]; then
    t=$(e2e_now)
    in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts" \
        -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" "lab@$(nic lxc1 hostonly address)" \
        'sudo systemctl start nginx mariadb rabbitmq-server activemq
         for i in $(seq 1 240); do
             ports=$(ss -Hltn | awk "{print \$4}" | sed "s/.*://" | sort -un | tr "\n" " ")
             ok=1; for p in 80 3306 5672 61616; do case " $ports" in *" $p "*) ;; *) ok=0 ;; esac; done
             [ $ok = 1 ] && exit 0; sleep 0.5
         done; echo "listening: $ports"; exit 1' ||
        { e2e_log "lxc1: nginx/mariadb/rabbitmq/activemq did not all listen"; fail=1; }
    e2e_log "lxc1: nginx :80, mariadb :3306, rabbitmq :5672, activemq :61616 listening after $(e2e_since "$t") s"
fi

# A wrong host key must be refused (strict checking really is on).
node=${nodes[0]}
sed "s#$(cut -d' ' -f2 "$work/keys/$node.pub")#AAAAC3NzaC1lZDI1NTE5AAAAIOzmF0ZnVxkg4VgH0v4pY0m7cQ8p4vK1m7bqvJ8y0q4x#" \
    "$work/known_hosts" >"$work/known_hosts.wrong"
if in_ns "$ns" ssh -n -o BatchMode=yes -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$work/known_hosts.wrong" \
    -o GlobalKnownHostsFile=/dev/null -o IdentitiesOnly=yes -i "$work/keys/lab" "lab@$(nic "$node" nat address)" true 2>/dev/null; then
    e2e_log "$node: accepted a wrong pinned host key"
    fail=1
fi

echo "time to SSH (s):"
for node in "${nodes[@]}"; do printf '  %-5s %s\n' "$node" "${took[$node]}"; done
[ "$fail" = 0 ] || e2e_die "checks failed"
e2e_log "image smoke test passed"
