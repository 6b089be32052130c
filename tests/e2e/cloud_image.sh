#!/usr/bin/env bash
# End to end on QEMU (TCG) with a user's cloud image, inside a network namespace this script
# creates and removes: a 1-node lab whose `image` is a relative path to a generic cloud image
# (built from Debian packages by cloud_image_fixture.sh: cloud-init, syslinux, no labctl
# files) boots from its own bootloader on an overlay volume, takes its identity from the
# cloud-init `cidata` seed disk (hostname, lab user and key, labctl's pinned host key, static
# and reserved addresses), answers `status` and `labctl ssh` with host key pinning, and
# `down` leaves nothing behind and the image file byte for byte unchanged.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
[ -x "$labctl" ] || e2e_die "labctl binary not found at $labctl (build first, or set LABCTL)"

e2e_init
started=$(e2e_now)
fixture=$("$root/tests/e2e/cloud_image_fixture.sh")
e2e_log "cloud image fixture: $fixture ($(e2e_since "$started") s)"
sum_before=$(sha256sum "$fixture" | cut -d' ' -f1)

export LABCTL_HOME=$E2E_TMP/home
mkdir -p "$LABCTL_HOME"
ns=labctl-e2e-cloud-$$
netns_up "$ns"

# The image is given relative to the lab file, as a user would write it.
labdir=$E2E_TMP/lab
mkdir -p "$labdir"
relative=$(realpath --relative-to="$labdir" "$fixture")
cat >"$labdir/lab.toml" <<EOF
[lab]
name = "cloudimg"

[networks.hostonly]
mode = "host-only"
subnet = "192.168.94.0/24"

[networks.nat]
mode = "nat"
subnet = "192.168.95.0/24"

[nodes.cloud1]
image = "$relative"
memory = 512
networks = { hostonly = "192.168.94.11", nat = "dhcp" }
EOF
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_QEMU" --driver qemu -f "$labdir/lab.toml" "$@"; }
state=$LABCTL_HOME/labs/cloudimg

started=$(e2e_now)
LABCTL_BOOT_TIMEOUT=${LABCTL_BOOT_TIMEOUT:-420} lab_cmd up >&2 || {
    tail -30 "$state/console/cloud1.log" >&2 || true
    e2e_die "labctl up failed"
}
e2e_log "cloud image: up (boot + cloud-init + ssh) in $(e2e_since "$started") s"

# The node runs on a linked clone: an overlay whose backing file is the user's image.
backing=$(qemu-img info -U --output=json "$state/disks/cloud1.qcow2" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["backing-filename"])')
[ "$backing" = "$fixture" ] || e2e_die "overlay backed by $backing, not $fixture"
[ "$(stat -c %a "$state/seeds/cloud1-cidata.img")" = 600 ] || e2e_die "seed disk is not 0600"
[ -s "$state/console/cloud1.log" ] || e2e_die "no serial console log"

# The lab user logs in as soon as sshd answers; cloud-init's later stages still keep the
# TCG guest busy for a while (status probes SSH with a 2 s deadline).
started=$(e2e_now)
if ! lab_cmd ssh cloud1 -- cloud-init status --wait >&2; then
    lab_cmd ssh cloud1 -- sudo -n cloud-init status --long >&2 || true
    # One argument: like ssh(1), labctl ssh hands the command line to the remote shell.
    lab_cmd ssh cloud1 -- "sudo -n grep -E 'WARNING|ERROR|Traceback' /var/log/cloud-init.log" >&2 || true
    e2e_die "cloud-init did not finish cleanly on cloud1"
fi
e2e_log "cloud image: cloud-init done $(e2e_since "$started") s after up"
status=$(lab_cmd status --json)
echo "$status" >&2
echo "$status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
node = s["nodes"][0]
assert node["name"] == "cloud1" and node["state"] == "running" and node["ssh"] is True, node
' || e2e_die "status does not show cloud1 running and reachable over SSH"

name=$(lab_cmd ssh cloud1 -- hostname)
[ "$name" = cloud1 ] || e2e_die "hostname is '$name', not cloud1"
addresses=$(lab_cmd ssh cloud1 -- ip -4 -o addr show)
echo "$addresses" | grep -q " 192\.168\.94\.11/24" || e2e_die "no static host-only address: $addresses"
echo "$addresses" | grep -q " 192\.168\.95\.100/24" || e2e_die "no reserved NAT address: $addresses"
lab_cmd ssh cloud1 -- sudo -n true || e2e_die "no passwordless sudo for the lab user"
# Host key pinning: the key sshd serves is the one labctl generated and pinned.
served=$(lab_cmd ssh cloud1 -- sudo -n cat /etc/ssh/ssh_host_ed25519_key.pub | awk '{print $2}')
grep -q "$served" "$state/ssh/known_hosts" || e2e_die "the served host key is not the pinned one"
e2e_log "cloud image: status, ssh, hostname, both addresses, sudo, pinned host key"

again=$(lab_cmd up)
echo "$again" | grep -q "nothing changed" || e2e_die "second up changed libvirt objects: $again"

lab_cmd down >&2
left=$(e2e_leftovers "$ns" cloudimg-)
[ -z "$left" ] || e2e_die "down left libvirt objects: $left"
for dir in disks seeds; do
    [ ! -e "$state/$dir" ] || [ -z "$(ls -A "$state/$dir")" ] || e2e_die "down left $state/$dir: $(ls -A "$state/$dir")"
done
[ -f "$fixture" ] || e2e_die "down removed the user's image"
sum_after=$(sha256sum "$fixture" | cut -d' ' -f1)
[ "$sum_before" = "$sum_after" ] || e2e_die "the user's image changed ($sum_before -> $sum_after)"
echo "e2e cloud image: 1 passed, 0 failed"
