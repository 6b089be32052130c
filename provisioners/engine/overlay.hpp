// LXC "linked clones": one overlayfs per node over the image's rootfs, so a clone is instant
// and costs only the node's own writes.
//
// Mount namespaces: the e2e harness runs libvirtd as `ip netns exec NS libvirtd` (its own
// mount namespace, made an rslave copy of the host's) while labctl runs as
// `nsenter --net=/var/run/netns/NS labctl` (the host's mount namespace, only the network
// namespace changed). labctl mounts the overlay in the host namespace; libvirt_lxc must see
// it in libvirtd's namespace, and `down`'s unmount must reach it too. That propagation only
// happens when the host mount holding LABCTL_HOME is *shared*. Measured on our machines: `/`
// is a private mount, so nothing propagates and libvirt_lxc fails with "cannot find init
// path '/sbin/init' relative to container root". The harness therefore runs
//   mount --bind $LABCTL_HOME $LABCTL_HOME && mount --make-rshared $LABCTL_HOME
// BEFORE starting libvirtd (then the overlays appear in libvirtd's view; measured: two LXC
// nodes SSH-reachable 5.7 s after `up` started). On an ordinary systemd host `/` is shared
// and libvirtd runs in the host namespace, so nothing is needed there.
#pragma once

#include <filesystem>
#include <string>

namespace labctl::engine {

struct OverlayPaths {
    std::filesystem::path lower;   // image_dir/rootfs, read-only
    std::filesystem::path upper;   // the node's writes (and its seed files)
    std::filesystem::path work;    // overlayfs scratch space
    std::filesystem::path merged;  // the container's root
};

// STATE_DIR/overlays/NODE/{upper,work,merged} over IMAGE_DIR/rootfs.
OverlayPaths overlay_paths(const std::filesystem::path& state_dir,
                           const std::filesystem::path& image_dir, const std::string& node);

bool is_mount_point(const std::filesystem::path& path);
// Creates upper/work/merged (0700 parents) and mounts; a no-op when already mounted.
void mount_overlay(const OverlayPaths& paths, const std::string& node);
// Unmounts MERGED if mounted; a no-op otherwise.
void unmount_overlay(const std::filesystem::path& merged, const std::string& node);

}  // namespace labctl::engine
