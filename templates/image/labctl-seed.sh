#!/bin/sh
# Baked into labctl base images as /usr/local/sbin/labctl-seed and run once per boot by
# labctl-seed.service, before systemd-networkd and sshd. Applies the node's seed tree:
#   qemu/kvm: an ext4 disk labelled LABCTL-SEED (made by labctl, attached read-only);
#   lxc:      /var/lib/labctl-seed/ written by labctl straight into the node's overlay.
# The tree:  root/            copied over /  (hostname, hosts, host key, .network files, sudoers)
#            user             the login user to create if missing
#            authorized_keys  the lab's public key for that user
# Idempotent: applying the same seed again changes nothing. Never prints file contents.
set -eu

log() { echo "labctl-seed: $*"; }

apply() {
    seed=$1
    if [ -d "$seed/root" ]; then
        # cp -a keeps the modes labctl gave (0600 for the host private key).
        cp -a "$seed/root/." /
    fi
    if [ -s "$seed/user" ]; then
        user=$(head -n1 "$seed/user")
        if ! getent passwd "$user" >/dev/null; then
            # '*' = no password: key-only login, and sshd still accepts the account.
            useradd --create-home --shell /bin/bash --user-group --password '*' "$user"
            log "created user $user"
        fi
        home=$(getent passwd "$user" | cut -d: -f6)
        if [ -s "$seed/authorized_keys" ]; then
            install -d -m 0700 -o "$user" -g "$(id -gn "$user")" "$home/.ssh"
            install -m 0600 -o "$user" -g "$(id -gn "$user")" "$seed/authorized_keys" "$home/.ssh/authorized_keys"
        fi
    fi
    if [ -s /etc/hostname ]; then
        hostname "$(cat /etc/hostname)" 2>/dev/null || log "cannot set the running hostname"
    fi
    log "applied seed from $1"
}

if [ -d /var/lib/labctl-seed ]; then
    apply /var/lib/labctl-seed
else
    dev=$(blkid -L LABCTL-SEED 2>/dev/null || true)
    if [ -n "$dev" ]; then
        mnt=$(mktemp -d /run/labctl-seed.XXXXXX)
        mount -o ro "$dev" "$mnt"
        trap 'umount "$mnt"; rmdir "$mnt"' EXIT
        apply "$mnt"
    else
        log "no seed found"
    fi
fi
# A seed without a host key (an image booted by hand, a Vagrant box made by `labctl image
# box`): sshd still needs one, and each machine gets its own.
if ! ls /etc/ssh/ssh_host_*_key >/dev/null 2>&1; then
    ssh-keygen -q -t ed25519 -N '' -f /etc/ssh/ssh_host_ed25519_key
    log "generated a host key"
fi
