#!/usr/bin/env bash
# End to end for `labctl image box`: packages the base image as a vagrant-libvirt box, adds it
# to a private VAGRANT_HOME, and boots one machine from it with the real `vagrant up`
# (vagrant-libvirt, QEMU/TCG) inside a network namespace this script creates and removes.
# Checks: the box's members and the private key's mode; Vagrant logs in as the box user with
# the box's key; passwordless sudo; the machine generated its own host key at first boot (none
# is baked in); no /run/nologin is left to refuse logins; `vagrant destroy` leaves no domain.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/e2e/lib.sh"
labctl=${LABCTL:-$root/build/labctl}
command -v vagrant >/dev/null || e2e_die "vagrant missing: run scripts/setup.sh"
vagrant plugin list 2>/dev/null | grep -q vagrant-libvirt || e2e_die "vagrant-libvirt missing: run scripts/setup.sh"

e2e_init
e2e_private_home "$labctl"
box=$E2E_TMP/labctl.box
started=$(e2e_now)
"$labctl" image box -o "$box" --driver qemu >&2 || e2e_die "labctl image box failed"
e2e_log "box: made in $(e2e_since "$started") s"

members=$(tar -tf "$box" | sort | tr '\n' ' ')
[ "$members" = "Vagrantfile box.img initrd.img labctl_box_ed25519 metadata.json vmlinuz " ] ||
    e2e_die "unexpected box members: $members"
tar -tvf "$box" labctl_box_ed25519 | grep -q '^-rw------- ' || e2e_die "the box's private key is not 0600"
tar -xOf "$box" metadata.json | python3 -c '
import json, sys
m = json.load(sys.stdin)
assert m == {"provider": "libvirt", "format": "qcow2", "virtual_size": 8}, m' ||
    e2e_die "bad metadata.json"
[ "$(stat -c %a "$box")" = 600 ] || e2e_die "the box file (it holds a private key) is not 0600"
rc=0
"$labctl" image box --user 'Bad User' -o "$E2E_TMP/x.box" 2>/dev/null || rc=$?
[ "$rc" = 2 ] || e2e_die "a bad box user name gave exit $rc, not 2"

export VAGRANT_HOME=$E2E_TMP/vagrant.d VAGRANT_CHECKPOINT_DISABLE=1 VAGRANT_DEFAULT_PROVIDER=libvirt
vagrant box add --name labctl/e2e "$box" >/dev/null || e2e_die "vagrant box add failed"
ns=labctl-e2e-box-$$
netns_up "$ns"
project=$E2E_TMP/project
mkdir -p "$project"
cat >"$project/Vagrantfile" <<'VF'
Vagrant.configure("2") do |config|
  config.vm.box = "labctl/e2e"
  config.vm.define "box1"
end
VF
vagrant_in_ns() { in_ns "$ns" env -C "$project" vagrant "$@"; }
started=$(e2e_now)
vagrant_in_ns up >"$E2E_TMP/vagrant-up.log" 2>&1 ||
    { tr '\r' '\n' <"$E2E_TMP/vagrant-up.log" | grep -v Progress | tail -30 >&2; e2e_die "vagrant up failed"; }
e2e_log "box: vagrant up of one machine in $(e2e_since "$started") s"

out=$(vagrant_in_ns ssh box1 -c 'id -un; sudo -n id -u; test -s /etc/ssh/ssh_host_ed25519_key && echo host-key; test -e /run/nologin || echo no-nologin' 2>/dev/null | tr -d '\r')
e2e_log "box: in the machine: $(echo "$out" | tr '\n' ' ')"
[ "$out" = "$(printf 'vagrant\n0\nhost-key\nno-nologin')" ] || e2e_die "unexpected answer from the machine: $out"
# The image bakes in no host key: the machine's key is its own.
[ -z "$(find "$LABCTL_HOME/images/debian-12-lab/rootfs/etc/ssh" -name 'ssh_host_*' -print -quit)" ] ||
    e2e_die "the base image carries an SSH host key"

vagrant_in_ns destroy -f >/dev/null 2>&1 || e2e_die "vagrant destroy failed"
left=$(virsh -c "$E2E_URI_QEMU" list --all --name | grep -v '^$' || true)
[ -z "$left" ] || e2e_die "domains left after vagrant destroy: $left"
e2e_log "box: PASS"
