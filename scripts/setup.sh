#!/usr/bin/env bash
# Installs everything labctl needs on a fresh Debian 12 machine, as root, from Debian
# packages only: the package lists in scripts/packages/*.txt. Safe to re-run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
    echo "setup.sh: run as root (it installs Debian packages)" >&2
    exit 2
fi

# One name per package (a package two lists share would otherwise count twice below and make
# every run look incomplete).
packages=$(grep -hv '^\s*#' "$here"/packages/*.txt | tr -s ' ' '\n' | sed '/^$/d' | sort -u | tr '\n' ' ')
export DEBIAN_FRONTEND=noninteractive
# Installing daemons must not start them on the host: a policy-rc.d that says no keeps
# libvirtd, nginx and friends stopped (tests start their own, inside namespaces).
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy"
    chmod 755 "$policy"
    created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT

missing=$(dpkg-query -W -f='${Package} ${Status}\n' $packages 2>/dev/null | awk '$4 != "installed" {print $1}' || true)
# dpkg-query prints nothing for packages it has never heard of: compare counts too.
installed_count=$(dpkg-query -W -f='${Status}\n' $packages 2>/dev/null | grep -c 'install ok installed' || true)
wanted_count=$(echo $packages | wc -w)
if [ -n "$missing" ] || [ "$installed_count" -lt "$wanted_count" ]; then
    echo "==> apt-get install ($wanted_count packages from scripts/packages/*.txt)"
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $packages >/dev/null
else
    echo "==> all $wanted_count packages already installed"
fi
