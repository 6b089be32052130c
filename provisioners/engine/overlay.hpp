// LXC "linked clones": one overlayfs per node over the image's rootfs, so a clone is instant
// and costs only the node's own writes.
//
// Mount namespaces: the e2e harness runs libvirtd as `ip netns exec NS libvirtd` (its own
// mount namespace, an rslave of the host's) while labctl runs as `nsenter --net=... labctl`
// (host mount namespace, network namespace only). A mount labctl makes in the host namespace
// therefore propagates into libvirtd's view, where libvirt_lxc uses it as the container's
// root; and an unmount by `down` propagates too. Mounting from inside libvirtd's namespace
// would not be seen by labctl's later runs.
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
