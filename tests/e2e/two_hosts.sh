#!/usr/bin/env bash
# A lab across two hosts (SPEC.md section 6, issue 15), both simulated on this machine:
#   host "here": a network namespace with a private libvirtd, where labctl runs;
#   host "far":  a second namespace with its own libvirtd, its own labctl data directory (a
#                tmpfs over /var/lib/labctl and over the first host's LABCTL_HOME, inside its
#                own mount namespace: nothing shared can hide a missing transfer) and an sshd,
#                reached by labctl through libvirt's own remote driver (lxc+libssh://, host key
#                pinned in a known_hosts this script writes) and by labctl's own SSH for the
#                VXLAN link, the rootfs transfer and the overlay;
#   the two joined by a veth pair: the underlay, 10.231.77.1 <-> 10.231.77.2.
# A 2-node LXC lab, nginx on "here" balancing an app on both nodes, one on "far":
#   1. up --dry-run reports the placement and plans both hosts;
#   2. up: verify passes (nginx reaches the app across the VXLAN link); the rootfs was sent to
#      "far" (a leftover of an interrupted transfer there removed first) and the node's overlay
#      is mounted there; a second up changes nothing;
#   3. status --json names each node's host;
#   4. every verb on the node on "far", done there: stop (status `stopped`, `up` leaves it
#      stopped) and start; kill --mode link-down (its NIC's host side, on far, down) and
#      revive; kill --mode poweroff with 0 failed requests through the nginx on "here", revive; netem on its link (tc on "far": without sch_netem, exit 3 naming host
#      far, its ifb on far and none on here, --reset removes it); ssh; snapshot refused (exit 2,
#      naming the node); ls --json lists the lab on both hosts;
#   5. down leaves no domain, network, VXLAN device, ifb or overlay on either host;
#   6. a class of 1-node copies: `class up --students 2` puts s01 on "here", s02 on "far"
#      (whole copies, by free memory), `--student s02 ssh` and `status` reach it there, and
#      `class down` leaves nothing of the copies on either host.
# With --qemu (e2e_two_hosts_qemu), one QEMU/TCG node with the app on "far" and none on "here"
# (the networks' gateway and DHCP, and labctl): "far" is reached by qemu+libssh://; the base
# image's disk, kernel and initrd are uploaded there as libvirt volumes (virStorageVolUpload)
# into labctl's image cache pool, the node's clone and seed into the lab's pool there; verify
# reaches the app across the VXLAN link; down leaves nothing of the lab on either host but the
# cached image on "far"; a second up reuses it ("cached on host far, reused", nothing sent).
set -euo pipefail
mode=lxc
[ "${1:-}" = --qemu ] && mode=qemu
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
command -v sshd >/dev/null || e2e_die "sshd missing: run scripts/setup.sh"
[ "$mode" = qemu ] || [ "$#" = 0 ] || e2e_die "usage: two_hosts.sh [--qemu]"
# Each container's systemd takes inotify instances: at least 512 (never lowered).
[ "$(sysctl -n fs.inotify.max_user_instances)" -ge 512 ] || sysctl -qw fs.inotify.max_user_instances=512

e2e_init
# A check without its own message still says where it failed.
trap 'e2e_log "FAIL: line $LINENO: $BASH_COMMAND"' ERR
e2e_private_home "$labctl"
ns1=labctl-e2e-h1-$$
ns2=labctl-e2e-h2-$$
netns_up "$ns1"
uri1=$(e2e_uri "$mode" "$ns1")
netns_up "$ns2"
state2=$(e2e_state "$ns2")
pid2=$(cat "$state2/libvirtd.pid")
# Host "far"'s own view: libvirtd2's mount and network namespaces.
in_far() { nsenter --target "$pid2" --mount --net -- "$@"; }

# The underlay.
ip link add lcu1-$$ type veth peer name lcu2-$$
ip link set lcu1-$$ netns "$ns1"
ip link set lcu2-$$ netns "$ns2"
ip -n "$ns1" addr add 10.231.77.1/24 dev lcu1-$$
ip -n "$ns2" addr add 10.231.77.2/24 dev lcu2-$$
ip -n "$ns1" link set lcu1-$$ up
ip -n "$ns2" link set lcu2-$$ up

# Host "far" shares no disk with labctl: its data directory is its own, and labctl's (with
# the base image) is hidden there.
in_far mount -t tmpfs -o mode=0755 labctl-far-home /var/lib/labctl
in_far mount -t tmpfs -o mode=0755 labctl-far-hide "$LABCTL_HOME"
# libvirt's ssh helper on "far" connects to the default socket path, as on a real host.
in_far ln -sf "$state2/sock/libvirt-sock" /run/libvirt/libvirt-sock

# sshd on "far", its host key pinned for labctl; a client key for labctl.
ssh-keygen -q -t ed25519 -N '' -f "$E2E_TMP/far_host_key"
ssh-keygen -q -t ed25519 -N '' -f "$E2E_TMP/client_key"
install -m 0600 "$E2E_TMP/client_key.pub" "$E2E_TMP/authorized_keys"
cat >"$E2E_TMP/sshd_config" <<CONF
ListenAddress 10.231.77.2
HostKey $E2E_TMP/far_host_key
AuthorizedKeysFile $E2E_TMP/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
# The keys live in the test's temp dir under /tmp (world-writable), which StrictModes refuses.
StrictModes no
PidFile $E2E_TMP/sshd.pid
CONF
in_far mkdir -p /run/sshd
in_far /usr/sbin/sshd -f "$E2E_TMP/sshd_config"
e2e_on_cleanup 'e2e_kill_pidfile "$E2E_TMP/sshd.pid"'
echo "10.231.77.2 $(cut -d' ' -f1,2 "$E2E_TMP/far_host_key.pub")" >"$E2E_TMP/known_hosts"
uri2="$mode+libssh://root@10.231.77.2/system?keyfile=$E2E_TMP/client_key&known_hosts=$E2E_TMP/known_hosts&known_hosts_verify=normal&sshauth=privkey"
in_ns "$ns1" virsh -q -c "$uri2" version >/dev/null || e2e_die "libvirt over SSH to host far does not answer"

lab=$E2E_TMP/lab.toml
hosts_toml="[hosts.here]
connect = \"$uri1\"
underlay = \"10.231.77.1\"

[hosts.far]
connect = \"$uri2\"
underlay = \"10.231.77.2\"

[networks.lan]
mode = \"host-only\"
subnet = \"10.231.78.0/24\"
"
app_toml="type = \"app\"
port = 8080
run = \"python3 /opt/etc_files/app.py\"
upload = { \"$root/tests/e2e/apps/etc_files\" = \"/opt/etc_files\" }
health = \"/hostname\"
"
if [ "$mode" = lxc ]; then
    cat >"$lab" <<TOML
[lab]
name = "span"
driver = "lxc"

$hosts_toml
[nodes.front]
host = "here"
networks = { lan = "10.231.78.11" }

[nodes.back]
host = "far"
networks = { lan = "10.231.78.12" }

[services.app]
on = ["front", "back"]
$app_toml
[services.lb]
type = "nginx"
on = "front"
listen = 8090
backend = "app"
TOML
    nodes="front back"
else
    cat >"$lab" <<TOML
[lab]
name = "span"
driver = "qemu"

$hosts_toml
[nodes.back]
host = "far"
networks = { lan = "10.231.78.12" }

[services.app]
on = "back"
$app_toml
TOML
    nodes=back
fi
lab_cmd() { in_ns "$ns1" "$labctl" --no-color -f "$lab" "$@"; }
json() { python3 -c "import json, sys; data = json.load(sys.stdin); $1"; }
uri2_local=$(e2e_uri "$mode" "$ns2")
image_id="debian-12-lab-$(sha256sum "$LABCTL_HOME/images/debian-12-lab/manifest.json" | cut -c1-16)"

# 1. The plan names both hosts.
out=$(lab_cmd up --dry-run 2>&1) || e2e_die "up --dry-run failed: $out"
echo "$out" >&2
echo "$out" | grep -q "host far  nodes: back" || e2e_die "dry run does not place back on far"
echo "$out" | grep -q "^host far:" || e2e_die "dry run does not plan host far"
echo "$out" | grep -q "vxlan lvx" || e2e_die "dry run plans no VXLAN link"

# 2. Up, across both hosts; verify is up's last step.
if [ "$mode" = lxc ]; then
    # An interrupted rootfs transfer's leftover on far: removed before the image is sent.
    in_far mkdir -p "/var/lib/labctl/image-cache/$image_id.partial-leftover/rootfs/etc"
fi
started=$(e2e_now)
out=$(LABCTL_BOOT_TIMEOUT=${LABCTL_BOOT_TIMEOUT:-600} lab_cmd up 2>&1) || e2e_die "up failed: $out"
echo "$out" >&2
e2e_log "up across two hosts ($mode: transfer + provision + verify): $(e2e_since "$started") s"
echo "$out" | grep -q "image debian-12-lab  sent to host far" || e2e_die "up sent no image to far"
[ -n "$(in_far ip -o link show type vxlan)" ] || e2e_die "no VXLAN device on far"
[ -n "$(ip -n "$ns1" -o link show type vxlan)" ] || e2e_die "no VXLAN device on here"
[ -z "$(virsh -q -c "$uri1" list --name | grep span-back)" ] || e2e_die "back runs on here"
[ -n "$(virsh -q -c "$uri2_local" list --name | grep span-back)" ] || e2e_die "back is not on far"
if [ "$mode" = lxc ]; then
    # Round robin over both instances: four requests reach back, on far, at least once.
    bodies=$(for _ in 1 2 3 4; do in_ns "$ns1" curl -fsS --max-time 10 http://10.231.78.11:8090/hostname; echo; done) ||
        e2e_die "nginx on front does not answer"
    echo "$bodies" | grep -qx back || e2e_die "nginx on front did not reach the app on far: $bodies"
    e2e_log "nginx on host here -> app on host far: $(echo "$bodies" | tr '\n' ' ')"
    in_far test -e "/var/lib/labctl/image-cache/$image_id/complete" || e2e_die "no rootfs was sent to far"
    [ -z "$(in_far sh -c 'ls -d /var/lib/labctl/image-cache/*.partial-* 2>/dev/null')" ] ||
        e2e_die "an interrupted transfer's leftover stayed on far"
    in_far mountpoint -q /var/lib/labctl/labs/span/overlays/back/merged || e2e_die "back's overlay is not on far"
else
    body=$(in_ns "$ns1" curl -fsS --max-time 10 http://10.231.78.12:8080/hostname) || e2e_die "the app on far does not answer from here"
    [ "$body" = back ] || e2e_die "the app on far answered $body"
    # The image went through libvirt: volumes of labctl's cache pool on far, in far's own
    # data directory; the node's clone and seed in the lab's pool there.
    cache=$(virsh -q -c "$uri2_local" vol-list labctl-image-cache | awk 'NF {print $1}' | sort | tr '\n' ' ')
    e2e_log "image cache on far: $cache"
    [ "$cache" = "$image_id.complete $image_id.initrd.img $image_id.qcow2 $image_id.vmlinuz " ] ||
        e2e_die "far's image cache pool holds: $cache"
    in_far test -s "/var/lib/labctl/image-cache/vm/$image_id.qcow2" || e2e_die "the cached disk is not in far's data directory"
    lab_vols=$(virsh -q -c "$uri2_local" vol-list span-pool | awk 'NF {print $1}' | sort | tr '\n' ' ')
    [ "$lab_vols" = "back-seed.img back.qcow2 " ] || e2e_die "far's lab pool holds: $lab_vols"
    in_far qemu-img info -U /var/lib/labctl/labs/span/disks/back.qcow2 | grep -q "backing file: /var/lib/labctl/image-cache/vm/$image_id.qcow2" ||
        e2e_die "back's clone is not backed by the cached image"
fi
# The spanning network's MTU reaches the nodes' NICs (libvirt's <mtu>): VXLAN's 50 bytes fit.
for node in $nodes; do
    # The node's one NIC, on lan (eth0 in a container, enp1s0 or so in a VM); exec's words
    # are one command line for the node's shell, as with ssh.
    mtu=$(lab_cmd exec "$node" --json -- 'for n in /sys/class/net/*; do [ "${n##*/}" = lo ] || cat "$n/mtu"; done' |
        json 'print(data[0]["stdout"].strip())')
    e2e_log "MTU of $node's NIC on lan: $mtu"
    [ "$mtu" = 1450 ] || e2e_die "$node's NIC has MTU $mtu, not 1450"
done
# Each node's memory (cgroup v1 memory controller), for docs/multi-host.md: printed, not asserted.
for dir in /sys/fs/cgroup/memory/machine/lxc-*-span-*.libvirt-lxc; do
    [ -d "$dir" ] || continue
    e2e_log "memory of ${dir##*/}: RSS $(($(awk '$1 == "total_rss" {print $2}' "$dir/memory.stat") / 1048576)) MiB, with page cache $(($(cat "$dir/memory.usage_in_bytes") / 1048576)) MiB"
done
out=$(lab_cmd up --no-verify 2>&1) || e2e_die "second up failed: $out"
echo "$out" | grep -q "nothing changed" || e2e_die "a second up changed something: $out"

# 3. status names each node's host.
out=$(lab_cmd status --json)
want='{"front": ("here", "running", True), "back": ("far", "running", True)}'
[ "$mode" = qemu ] && want='{"back": ("far", "running", True)}'
echo "$out" | json "
hosts = {n['name']: (n['host'], n['state'], n['ssh']) for n in data['nodes']}
assert hosts == $want, hosts
print('status:', hosts)" >&2 || e2e_die "status --json: $out"

# Down, then nothing of the lab on either host (the cached image stays on far).
check_down() {
    for ns in "$ns1" "$ns2"; do
        left=$(e2e_leftovers "$ns" span-)
        [ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "down left libvirt objects in $ns: $left"
    done
    [ -z "$(ip -n "$ns1" -o link show type vxlan)" ] || e2e_die "down left a VXLAN device on here"
    [ -z "$(in_far ip -o link show type vxlan)" ] || e2e_die "down left a VXLAN device on far"
    in_far test ! -e /var/lib/labctl/labs/span || e2e_die "down left the lab's files on far"
    [ -z "$(in_far ip -o link show type ifb)" ] || e2e_die "down left an ifb on far"
    [ -z "$(in_far findmnt -rn -o TARGET | grep /var/lib/labctl/labs/ || true)" ] || e2e_die "down left an overlay mounted on far"
    if [ "$mode" = qemu ]; then
        pools=$(virsh -q -c "$uri2_local" pool-list --all --name | awk 'NF {print $1}' | tr '\n' ' ')
        [ "$pools" = "labctl-image-cache " ] || e2e_die "far's pools after down: $pools"
        [ "$(virsh -q -c "$uri2_local" vol-list labctl-image-cache | awk 'NF' | wc -l)" = 4 ] || e2e_die "down touched the image cache on far"
    fi
}

if [ "$mode" = qemu ]; then
    # 4. down, then up again: the cached image is reused, nothing is sent but the node's seed.
    lab_cmd down >&2 || e2e_die "down failed"
    check_down
    started=$(e2e_now)
    out=$(LABCTL_BOOT_TIMEOUT=${LABCTL_BOOT_TIMEOUT:-600} lab_cmd up 2>&1) || e2e_die "second up failed: $out"
    echo "$out" >&2
    e2e_log "up again with the image cached on far: $(e2e_since "$started") s"
    echo "$out" | grep -q "image debian-12-lab  cached on host far, reused" || e2e_die "the cached image was not reused"
    ! echo "$out" | grep -q "sent to host far" || e2e_die "the image was sent again"
    lab_cmd down >&2 || e2e_die "second down failed"
    check_down
    e2e_log "PASS: two hosts (qemu), one lab: the image uploaded through libvirt, verify across hosts, down leaves the cache alone, a second up reuses it"
    exit 0
fi

# 4. Every verb on back, on far's libvirt and far's tc.
virsh_far() { virsh -q -c "$uri2_local" "$@"; }
back_state() { virsh_far domstate span-back; }
node_state() { lab_cmd status --json | json "print(next(n['state'] for n in data['nodes'] if n['name'] == '$1'))"; }
lab_cmd stop back >&2 || e2e_die "stop back failed"
[ "$(back_state)" = "shut off" ] || e2e_die "stop back: span-back on far is $(back_state)"
[ "$(node_state back)" = stopped ] || e2e_die "status does not show back as stopped"
out=$(lab_cmd up --no-verify 2>&1) || e2e_die "up with back stopped failed: $out"
echo "$out" | grep -q "back stopped by the user: left stopped" || e2e_die "up did not leave back stopped: $out"
[ "$(back_state)" = "shut off" ] || e2e_die "up started back again"
started=$(e2e_now)
lab_cmd start back >&2 || e2e_die "start back failed"
e2e_log "start back (on far, SSH + addresses + app healthy): $(e2e_since "$started") s"
[ "$(back_state)" = running ] || e2e_die "start back: span-back on far is $(back_state)"
[ -z "$(virsh -q -c "$uri1" list --all --name | grep span-back)" ] || e2e_die "start made back on here"
[ "$(lab_cmd ssh back -- hostname)" = back ] || e2e_die "ssh back"

# Cut back's link (LXC: libvirt cannot change a live NIC, so its host side, on far, goes down).
back_dev=$(virsh_far domiflist span-back | awk '$3 == "span-lan" {print $1}')
[ -n "$back_dev" ] || e2e_die "no host-side device of back's NIC on far"
kill_json=$(lab_cmd kill back/app --mode link-down --requests 300 --rate 100 --json) || e2e_die "kill back/app --mode link-down failed"
echo "$kill_json" | json '
assert all(not k.startswith("10.231.78.12:") for k in data["split_after"]), data
print("kill back (link-down on far): %d requests, %d failed, failover %.2f s" % (data["requests"], data["failed"], data["failover_seconds"]))' >&2 ||
    e2e_die "kill back/app --mode link-down kept sending to back"
in_far ip -o link show dev "$back_dev" | grep -q "state DOWN" || e2e_die "link-down: $back_dev on far is not down"
lab_cmd revive back/app >&2 || e2e_die "revive back/app (link-down) failed"
in_far ip -o link show dev "$back_dev" | grep -q "state UP" || e2e_die "revive: $back_dev on far is not up"

# Power off back on far under steady traffic through front's nginx: nothing is lost.
kill_json=$(lab_cmd kill back/app --mode poweroff --requests 300 --rate 100 --json) || e2e_die "kill back/app failed"
echo "$kill_json" >&2
echo "$kill_json" | json '
assert data["failed"] == 0 and data["split_after"], data
assert all(not k.startswith("10.231.78.12:") for k in data["split_after"]), data
print("kill back (poweroff on far): %d requests, 0 failed, failover %.2f s" % (data["requests"], data["failover_seconds"]))' >&2 ||
    e2e_die "kill back/app --mode poweroff lost requests or kept sending to back"
[ "$(back_state)" = "shut off" ] || e2e_die "kill --mode poweroff: span-back on far is $(back_state)"
lab_cmd revive back/app >&2 || e2e_die "revive back/app failed"
[ "$(back_state)" = running ] || e2e_die "revive: span-back on far is $(back_state)"

# netem on back's link: tc and the ifb on far, where the NIC's host side is.
if in_far sh -c 'ip link add lcprobe0 type veth peer name lcprobe1 &&
        tc qdisc add dev lcprobe0 root netem delay 1ms; rc=$?; ip link del lcprobe0; exit $rc' 2>/dev/null; then
    lab_cmd netem back:lan --delay 100ms >&2 || e2e_die "netem back failed"
    dev=$(lab_cmd netem back:lan --show | sed -n 's/.*device \([^ ]*\) on host far.*/\1/p')
    [ -n "$dev" ] || e2e_die "netem --show names no device on host far"
    in_far tc qdisc show dev "$dev" | grep -q "netem.*delay 100" || e2e_die "no netem qdisc on far's $dev"
    e2e_log "netem on far: $(in_far tc qdisc show dev "$dev" root)"
else
    e2e_log "SKIP the qdisc part: this kernel has no sch_netem (CONFIG_NET_SCH_NETEM)"
    rc=0
    err=$(lab_cmd netem back:lan --delay 100ms 2>&1) || rc=$?
    [ "$rc" = 3 ] && echo "$err" | grep -q "host far has no netem qdisc" || e2e_die "netem without sch_netem: exit $rc: $err"
fi
# Either way the ifb for back's ingress is on far, never on here.
[ -n "$(in_far ip -o link show type ifb)" ] || e2e_die "netem made no ifb on far"
[ -z "$(ip -n "$ns1" -o link show type ifb)" ] || e2e_die "netem made an ifb on here"
lab_cmd netem back:lan --reset >&2 || e2e_die "netem --reset failed"
[ -z "$(in_far ip -o link show type ifb)" ] || e2e_die "netem --reset left the ifb on far"
# Set again and left for down to remove.
lab_cmd netem back:lan --delay 100ms >/dev/null 2>&1 || true

# A snapshot cannot hold a disk on another host: refused, naming the node.
rc=0
err=$(lab_cmd snapshot save s1 2>&1) || rc=$?
[ "$rc" = 2 ] && echo "$err" | grep -q "another host (back)" || e2e_die "snapshot save: exit $rc: $err"

# ls looks at both hosts of the lab file: one lab, on both.
lab_cmd ls --json | json '
lab = next(l for l in data["labs"] if l["name"] == "span")
assert lab["hosts"] == ["here", "far"] and lab["running"] == 2 and lab["total"] == 2, lab
print("ls:", lab["name"], lab["hosts"], "%d/%d" % (lab["running"], lab["total"]))' >&2 || e2e_die "ls --json across hosts"

# 5. down: nothing of the lab on either host (the cached image stays on far).
lab_cmd down >&2 || e2e_die "down failed"
check_down

# 6. A class across the two hosts: each student's copy whole on one host, by free memory (both
#    libvirtds report this machine's, so the first copy's 512 MiB tips the second to far).
class_lab=$E2E_TMP/class.toml
cat >"$class_lab" <<TOML
[lab]
name = "spanc"
driver = "lxc"

[class]
pool = "10.231.80.0/22"

[hosts.here]
connect = "$uri1"
underlay = "10.231.77.1"

[hosts.far]
connect = "$uri2"
underlay = "10.231.77.2"

[networks.lan]
mode = "host-only"
subnet = "10.231.80.0/24"

[nodes.n]
networks = { lan = "10.231.80.11" }
TOML
class_cmd() { in_ns "$ns1" "$labctl" --no-color -f "$class_lab" "$@"; }
started=$(e2e_now)
out=$(class_cmd class up --students 2 2>&1) || e2e_die "class up across hosts failed: $out"
echo "$out" >&2
e2e_log "class up --students 2 across hosts: $(e2e_since "$started") s"
echo "$out" | grep -q "copy of s01 on host here" || e2e_die "class up did not put s01 on here"
echo "$out" | grep -q "copy of s02 on host far" || e2e_die "class up did not put s02 on far"
[ -n "$(virsh -q -c "$uri1" list --name | grep spanc-s01-n)" ] || e2e_die "s01's node is not on here"
[ -n "$(virsh_far list --name | grep spanc-s02-n)" ] || e2e_die "s02's node is not on far"
[ "$(class_cmd --student s02 ssh n -- hostname)" = n ] || e2e_die "ssh to s02's node on far"
class_cmd --student s02 status --json | json '
assert data["nodes"][0]["host"] == "far" and data["nodes"][0]["ssh"], data' || e2e_die "status of s02's copy"
class_cmd class down >&2 || e2e_die "class down failed"
for ns in "$ns1" "$ns2"; do
    left=$(e2e_leftovers "$ns" spanc-)
    [ -z "$(echo "$left" | tr -d '[:space:]')" ] || e2e_die "class down left libvirt objects in $ns: $left"
done
[ -z "$(in_far ip -o link show type vxlan)" ] || e2e_die "class down left a VXLAN device on far"
in_far test ! -e /var/lib/labctl/labs/spanc-s02 || e2e_die "class down left s02's files on far"
e2e_log "PASS: two hosts, one lab: up, verify, status, stop/start, kill/revive, netem, ssh, ls, down clean on both; a class spread over both"
