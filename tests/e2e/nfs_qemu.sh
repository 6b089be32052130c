#!/usr/bin/env bash
# NFS end to end on QEMU (TCG) inside a network namespace this script creates and removes:
# `up` exports the share on the server and mounts it on both clients (verify: a file written
# through one client's mount is read through the other's), a client rebooted mounts it again
# by itself, and `down` leaves nothing. VMs, because an LXC guest shares the host's kernel,
# and a kernel without NFS (ours: nothing in /proc/filesystems) can neither export nor mount.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
lab=${1:-$root/tests/e2e/labs/nfs-share.toml}

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-nfs-$$
netns_up "$ns"
lab_cmd() { in_ns "$ns" "$labctl" --no-color --connect "$E2E_URI_QEMU" --driver qemu -f "$lab" "$@"; }
name=$(awk -F'"' '/^name *=/ {print $2; exit}' "$lab")

started=$(e2e_now)
if ! LABCTL_BOOT_TIMEOUT=${LABCTL_BOOT_TIMEOUT:-600} lab_cmd up >&2; then
    for log in "$LABCTL_HOME/labs/$name/console/"*.log; do
        e2e_log "-- $log (last lines)"
        tail -n 15 "$log" >&2 || true
    done
    e2e_die "labctl up failed"
fi
e2e_log "nfs: up + provision + verify in $(e2e_since "$started") s"

# At boot too: a rebooted client (a new boot id) mounts the share again without labctl.
boot=$(lab_cmd ssh web1 -- cat /proc/sys/kernel/random/boot_id)
lab_cmd ssh web1 -- sudo systemctl reboot >&2 || true
deadline=$(( $(date +%s) + 300 )) pause=1
until [ "$(lab_cmd ssh web1 -- cat /proc/sys/kernel/random/boot_id 2>/dev/null)" != "$boot" ] &&
    lab_cmd ssh web1 -- findmnt -n -t nfs4 /mnt/share >&2 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || e2e_die "web1 did not mount /mnt/share again after a reboot"
    sleep "$pause"; pause=$(( pause < 8 ? pause * 2 : 8 ))
done
e2e_log "nfs: web1 rebooted and mounted the share by itself"
lab_cmd verify >&2 || e2e_die "verify after the reboot"

again=$(lab_cmd up --no-verify)
echo "$again" | grep -q "provisioned .*, 0 changed" || e2e_die "second up changed services: $again"

lab_cmd down >&2
left=$(e2e_leftovers "$ns" "$name-")
[ -z "$left" ] || e2e_die "down left libvirt objects: $left"
echo "e2e nfs qemu: 1 passed, 0 failed"
