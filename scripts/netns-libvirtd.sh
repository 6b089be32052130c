#!/usr/bin/env bash
# Runs CMD next to a private libvirtd in a fresh network namespace NS, then tears it all down
# (domains, networks, the daemons it started, the namespace), whatever CMD does.
#   scripts/netns-libvirtd.sh NS CMD...
# Inside CMD: $LIBVIRT_DEFAULT_URI / $E2E_URI_QEMU (qemu:///system?socket=...), $E2E_URI_LXC,
# and `nsenter --net=/var/run/netns/NS PROGRAM` reaches guest addresses.
# Example: scripts/netns-libvirtd.sh labdev bash    (an interactive shell; exit tears down)
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 NS CMD..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/e2e/lib.sh
. "$here/../tests/e2e/lib.sh"
ns=$1
shift
e2e_init
netns_up "$ns"
export E2E_NS=$ns
"$@"
