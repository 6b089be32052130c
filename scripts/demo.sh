#!/usr/bin/env bash
# The demo lab, start to finish, on a machine with no libvirtd running: builds labctl, then
# inside a network namespace of its own (with a private libvirtd, so nothing on the host is
# touched and no lab traffic leaves the namespace) brings up the ActiveMQ failover lab
# (examples/activemq-failover: 2 nodes, host-only + NAT, ActiveMQ, the chat app on both,
# nginx least_conn in front), verifies it, kills one chat instance under steady traffic,
# prints the failover report, revives it, and takes everything down again.
#
#   scripts/demo.sh                 # LXC system containers: seconds
#   DEMO_DRIVER=qemu scripts/demo.sh  # real VMs under QEMU software emulation: minutes
#   DEMO_KEEP=1 scripts/demo.sh     # stop before `down` and open a shell inside the lab's
#                                   # namespace: curl http://192.168.56.11:8090/ reaches nginx,
#                                   # `labctl ssh server1` a node; exit the shell to tear down
# Needs root and scripts/setup.sh first.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
driver=${DEMO_DRIVER:-lxc}
lab=$root/examples/activemq-failover/lab.toml

"$root/scripts/build.sh" labctl >/dev/null  # the tool only; scripts/test.sh builds the tests
labctl=$root/build/labctl
export PATH=$root/build:$PATH
. "$root/tests/e2e/lib.sh"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

e2e_init
step "base image (built from Debian packages on first use, then cached)"
"$labctl" image build
export LABCTL_HOME=${LABCTL_HOME:-/var/lib/labctl}
ns=labctl-demo
netns_up "$ns"
uri=$E2E_URI_LXC
[ "$driver" = lxc ] || uri=$E2E_URI_QEMU
lab_cmd() { in_ns "$ns" "$labctl" --connect "$uri" --driver "$driver" -f "$lab" "$@"; }
e2e_on_cleanup "findmnt -rn -o TARGET | grep '^$LABCTL_HOME/labs/mom/' | sort -r | xargs -r -n1 umount -l"

step "labctl validate"
lab_cmd validate

step "labctl up  (networks, linked clones, boot, SSH, provisioning, verify)"
lab_cmd up

step "labctl status"
lab_cmd status

step "labctl kill server2/chat --mode process  (steady traffic through nginx, then kill -9)"
lab_cmd kill server2/chat --mode process --requests 600 --rate 100

step "labctl revive server2/chat"
lab_cmd revive server2/chat

if [ -n "${DEMO_KEEP:-}" ]; then
    step "the lab is up: a shell inside its namespace (exit to tear it down)"
    echo "try: curl -si http://192.168.56.11:8090/ | grep -i x-upstream;  labctl -f $lab ssh server1"
    in_ns "$ns" env LABCTL_HOME="$LABCTL_HOME" bash -i || true
fi

step "labctl down"
lab_cmd down
