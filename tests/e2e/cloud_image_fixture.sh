#!/usr/bin/env bash
# Builds a small generic cloud image from Debian packages alone, for tests of labctl's
# `image = "PATH"` nodes (a user's qcow2 cloud image): nothing labctl-specific inside, only
# what a distribution's generic cloud image carries:
#   - cloud-init (NoCloud and None datasources), openssh-server without host keys, sudo,
#     the en_US.UTF-8 locale (cloud-init's locale module sets it, as on Debian's own images),
#     systemd-networkd enabled (cloud-init 22.4 in bookworm renders network-config v2 for it
#     when neither ifupdown nor netplan is installed), an empty machine-id;
#   - linux-image-cloud-amd64 + initramfs, booted by SYSLINUX from an MBR disk with a FAT
#     boot partition (kernel, initrd, syslinux.cfg) and an ext4 root partition labelled
#     cloud-root, console on ttyS0.
# The disk is assembled without mounting anything: each partition is built as a file
# (mkfs.vfat + mcopy + syslinux --install; mkfs.ext4 -d ROOTFS), copied into place with dd,
# and the whole converted to qcow2.
#
# Usage (root): tests/e2e/cloud_image_fixture.sh        prints the image's path
# Cached once per machine under $LABCTL_IMAGES/.fixtures (default /var/lib/labctl/images,
# next to labctl's base images; dot entries are not listed by `labctl image list`), named
# after this script's sha256: editing the script builds a new fixture. Downloaded .debs are
# shared with `labctl image build` through $LABCTL_IMAGES/.cache/apt.
# Needs: mmdebstrap, e2fsprogs, dosfstools, mtools, fdisk, syslinux, syslinux-common, qemu-utils.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
images=${LABCTL_IMAGES:-${LABCTL_HOME:-/var/lib/labctl}/images}
fixtures=$images/.fixtures
version=$(sha256sum "$here/cloud_image_fixture.sh" | cut -c1-12)
out=$fixtures/cloud-image-$version.qcow2

log() { printf '%s [fixture] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() {
    log "FAIL: $*"
    exit 1
}

if [ -s "$out" ]; then
    echo "$out"
    exit 0
fi
[ "$(id -u)" = 0 ] || die "needs root (mmdebstrap --mode=root)"
for tool in mmdebstrap mkfs.ext4 mkfs.vfat mcopy sfdisk syslinux qemu-img; do
    command -v "$tool" >/dev/null || die "$tool missing: run scripts/setup.sh"
done
mbr=/usr/lib/syslinux/mbr/mbr.bin
[ -f "$mbr" ] || die "$mbr missing: install syslinux-common"

mkdir -p "$fixtures" "$images/.cache/apt"
exec 9>"$fixtures/.lock"
flock 9
if [ -s "$out" ]; then  # built by another run while we waited
    echo "$out"
    exit 0
fi

started=$(date +%s)
work=$(mktemp -d "$fixtures/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
mkdir -p "$work/overlay/etc/cloud/cloud.cfg.d" "$work/overlay/etc/systemd/network"
# Only NoCloud (the cidata disk) and None: no probing of cloud metadata services.
cat >"$work/overlay/etc/cloud/cloud.cfg.d/90-datasources.cfg" <<'EOF'
datasource_list: [ NoCloud, None ]
EOF
cat >"$work/overlay/etc/fstab" <<'EOF'
LABEL=cloud-root / ext4 defaults,errors=remount-ro 0 1
EOF

packages=systemd-sysv,udev,dbus,openssh-server,cloud-init,sudo,iproute2,iputils-ping
packages=$packages,initramfs-tools,linux-image-cloud-amd64
log "mmdebstrap bookworm ($packages)"
mmdebstrap --variant=minbase --mode=root --include="$packages" \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' --aptopt='Acquire::Retries "3"' \
    --skip=download/empty --skip=essential/unlink \
    --setup-hook='mkdir -p "$1"/var/cache/apt/archives' \
    --setup-hook="sync-in $images/.cache/apt /var/cache/apt/archives" \
    --customize-hook="sync-out /var/cache/apt/archives $images/.cache/apt" \
    --customize-hook='rm -f "$1"/var/cache/apt/archives/*.deb "$1"/var/cache/apt/archives/partial/*.deb' \
    --customize-hook="cp -a $work/overlay/. \"\$1\"/" \
    --customize-hook='echo "en_US.UTF-8 UTF-8" > "$1"/etc/locale.gen && chroot "$1" locale-gen >/dev/null' \
    --customize-hook='chroot "$1" systemctl enable --quiet systemd-networkd.service ssh.service' \
    --customize-hook='chroot "$1" systemctl disable --quiet apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer fstrim.timer' \
    --customize-hook='rm -f "$1"/etc/ssh/ssh_host_* "$1"/var/lib/dbus/machine-id' \
    --customize-hook=': > "$1"/etc/machine-id' \
    bookworm "$rootfs" >"$work/mmdebstrap.log" 2>&1 || {
    tail -20 "$work/mmdebstrap.log" >&2
    die "mmdebstrap failed"
}

kernel=$(ls "$rootfs"/boot/vmlinuz-* | head -1)
initrd=$(ls "$rootfs"/boot/initrd.img-* | head -1)
[ -f "$kernel" ] && [ -f "$initrd" ] || die "no kernel/initrd in the rootfs"

# Partition 1: FAT16 boot, 128 MiB from sector 2048. Partition 2: ext4 root, the rest of 3 GiB.
boot_start=2048
boot_sectors=$((128 * 2048))
root_start=$((boot_start + boot_sectors))
disk_bytes=$((3 * 1024 * 1024 * 1024))
root_sectors=$((disk_bytes / 512 - root_start))

cat >"$work/syslinux.cfg" <<'EOF'
DEFAULT linux
PROMPT 0
TIMEOUT 0
LABEL linux
  LINUX /VMLINUZ
  INITRD /INITRD.IMG
  APPEND root=LABEL=cloud-root ro console=ttyS0
EOF
log "boot partition (syslinux)"
# -h: hidden sectors = the partition's first sector, which the boot code needs to find itself.
mkfs.vfat -F 16 -n BOOT -h "$boot_start" -C "$work/boot.img" $((boot_sectors / 2)) >/dev/null
mcopy -i "$work/boot.img" "$kernel" ::VMLINUZ
mcopy -i "$work/boot.img" "$initrd" ::INITRD.IMG
mcopy -i "$work/boot.img" "$work/syslinux.cfg" ::syslinux.cfg
syslinux --install "$work/boot.img"

log "root partition (ext4)"
truncate -s $((root_sectors * 512)) "$work/root.img"
mkfs.ext4 -q -L cloud-root -d "$rootfs" "$work/root.img"

log "disk"
truncate -s "$disk_bytes" "$work/disk.raw"
sfdisk -q "$work/disk.raw" <<EOF
label: dos
start=$boot_start, size=$boot_sectors, type=e, bootable
start=$root_start, size=$root_sectors, type=83
EOF
dd if="$mbr" of="$work/disk.raw" bs=440 count=1 conv=notrunc status=none
dd if="$work/boot.img" of="$work/disk.raw" bs=512 seek="$boot_start" conv=notrunc,sparse status=none
dd if="$work/root.img" of="$work/disk.raw" bs=1M seek=$((root_start * 512)) oflag=seek_bytes \
    conv=notrunc,sparse status=none
qemu-img convert -f raw -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
chmod 0644 "$work/disk.qcow2"
mv "$work/disk.qcow2" "$out"
# Older versions of this fixture are of no further use.
find "$fixtures" -maxdepth 1 -name 'cloud-image-*.qcow2' ! -path "$out" -delete
log "built $out ($(du -h "$out" | cut -f1)) in $(($(date +%s) - started)) s"
echo "$out"
