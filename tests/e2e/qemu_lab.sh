#!/usr/bin/env bash
# End to end on QEMU (TCG, software emulation: KVM does not work on our machines) inside a
# network namespace this script creates and removes: linked clones with host-only + NAT
# networks boot from the seed disk, both NICs get their reserved addresses, nodes reach each
# other over host-only, services are provisioned and verified (NFS among them: a file written
# through one client's mount is read through the other's), killing one backend is measured
# through nginx, it is revived, a rebooted node comes back whole by itself (its app, its NFS
# mount) and verify passes again, a snapshot (libvirt internal, with memory) is saved and
# restored (a file written after the save is gone, SSH works), and `down` leaves nothing
# behind. One lab for all of it: every VM boot under TCG costs a core for a minute.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
lab=${1:-$root/tests/e2e/labs/qemu-nfs.toml}

e2e_init
e2e_private_home "$labctl"
ns=labctl-e2e-qemu-$$
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
e2e_log "qemu: up + provision + verify in $(e2e_since "$started") s"

# Both NICs carry the addresses the lab file reserves (the NAT one through a DHCP reservation).
for node in server1 server2; do
    addresses=$(lab_cmd ssh "$node" -- ip -4 -o addr show)
    want=$(python3 - "$lab" "$node" <<'PY'
import sys, tomllib
lab = tomllib.load(open(sys.argv[1], "rb"))
print(lab["nodes"][sys.argv[2]]["networks"]["hostonly"])
PY
)
    echo "$addresses" | grep -q " $want/" || e2e_die "$node lacks $want: $addresses"
    echo "$addresses" | grep -Eq " 192\.168\.91\.10[01]/" || e2e_die "$node lacks its reserved NAT address: $addresses"
done
lab_cmd ssh server1 -- ping -c 1 -W 2 192.168.90.12 >&2 || e2e_die "server1 cannot reach server2 over host-only"
e2e_log "qemu: reserved addresses on both NICs, node to node over host-only"

again=$(lab_cmd up)
echo "$again" | grep -q "nothing changed" || e2e_die "second up changed libvirt objects: $again"
echo "$again" | grep -q "provisioned .*, 0 changed" || e2e_die "second up changed services: $again"

kill_json=$(lab_cmd kill server2/chat --mode process --requests 300 --rate 50 --json)
echo "$kill_json" >&2
echo "$kill_json" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["failed"] == 0, r
assert list(r["split_after"]) == ["192.168.90.11:8080"], r
print("kill -9 on a VM: %d requests, 0 failed" % r["requests"])' >&2 ||
    e2e_die "failover after kill -9 lost requests"
lab_cmd revive server2/chat >&2 || e2e_die "revive after kill"

# A rebooted node (a new boot id) comes back by itself: its NFS mount and its chat instance,
# without labctl; then the whole lab verifies again.
boot=$(lab_cmd ssh server2 -- cat /proc/sys/kernel/random/boot_id)
lab_cmd ssh server2 -- sudo systemctl reboot >&2 || true
deadline=$(( $(date +%s) + 300 )) pause=1
until [ "$(lab_cmd ssh server2 -- cat /proc/sys/kernel/random/boot_id 2>/dev/null)" != "$boot" ] &&
    lab_cmd ssh server2 -- findmnt -n -t nfs4 /mnt/share >&2 2>/dev/null; do
    [ "$(date +%s)" -lt "$deadline" ] || e2e_die "server2 did not mount /mnt/share again after a reboot"
    sleep "$pause"; pause=$(( pause < 8 ? pause * 2 : 8 ))
done
e2e_log "qemu: server2 rebooted and mounted the share by itself"
lab_cmd verify >&2 || e2e_die "verify after server2's reboot"

# Snapshot: both VMs paused together, saved inside their qcow2 with their memory, restored.
out=$(lab_cmd snapshot save s1) || e2e_die "snapshot save failed: $out"
echo "$out" >&2
e2e_log "qemu: $(echo "$out" | grep -o 'snapshot s1  saved.*')"
lab_cmd ssh server1 -- touch after-save || e2e_die "cannot write on server1 after the save"
out=$(lab_cmd snapshot restore s1) || e2e_die "snapshot restore failed: $out"
echo "$out" >&2
e2e_log "qemu: $(echo "$out" | grep -o 'snapshot s1  restored.*')"
lab_cmd ssh server1 -- test ! -e after-save || e2e_die "the file written after the save survived the restore"
lab_cmd ssh server2 -- true || e2e_die "ssh to server2 after the restore"
lab_cmd snapshot list --json | python3 -c '
import json, sys
s = json.load(sys.stdin)["snapshots"]
assert [x["name"] for x in s] == ["s1"] and s[0]["size_bytes"] > 0, s' || e2e_die "snapshot list --json"
lab_cmd snapshot rm s1 >&2 || e2e_die "snapshot rm"
for node in server1 server2 files; do
    [ -z "$(virsh_ns "$ns" snapshot-list --name "$name-$node" | tr -d '[:space:]')" ] ||
        e2e_die "snapshot rm left a libvirt snapshot on $name-$node"
done

lab_cmd down >&2
left=$(e2e_leftovers "$ns" "$name-")
[ -z "$left" ] || e2e_die "down left libvirt objects: $left"
[ ! -e "$LABCTL_HOME/labs/$name/disks" ] || [ -z "$(ls -A "$LABCTL_HOME/labs/$name/disks")" ] || e2e_die "down left disks"
lab_cmd down >&2
echo "e2e qemu: 1 passed, 0 failed"
