#include "engine/overlay.hpp"

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/mounts.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

OverlayPaths overlay_paths(const fs::path& state_dir, const fs::path& image_dir,
                           const std::string& node) {
    fs::path base = state_dir / "overlays" / node;
    return {image_dir / "rootfs", base / "upper", base / "work", base / "merged"};
}

bool is_mount_point(const fs::path& path) {
    std::error_code ec;
    fs::path canonical = fs::weakly_canonical(path, ec);
    if (ec) return false;
    std::ifstream in("/proc/self/mountinfo");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, devno, root, mount_point;
        fields >> id >> parent >> devno >> root >> mount_point;
        if (util::unescape_mountinfo(mount_point) == canonical.string()) return true;
    }
    return false;
}

void mount_overlay(const OverlayPaths& paths, const std::string& node) {
    if (is_mount_point(paths.merged)) return;
    if (!fs::is_directory(paths.lower))
        throw InfraError("the image has no rootfs for lxc at " + paths.lower.string() +
                             " (run `labctl image build`)",
                         node, "overlay");
    // overlayfs separates options with ',' and lowerdirs with ':'; such paths cannot be passed.
    for (const auto& p : {paths.lower, paths.upper, paths.work}) {
        if (p.string().find_first_of(",:") != std::string::npos)
            throw InfraError(
                "path " + p.string() + " contains ',' or ':', which overlayfs cannot take", node,
                "overlay");
    }
    util::make_dirs(paths.upper, 0700);
    util::make_dirs(paths.work, 0700);
    util::make_dirs(paths.merged, 0700);
    // The container's root must be readable by its own (root) init, like any root directory.
    fs::permissions(paths.upper, fs::perms(0755));
    std::string options = "lowerdir=" + paths.lower.string() + ",upperdir=" + paths.upper.string() +
                          ",workdir=" + paths.work.string();
    if (::mount("overlay", paths.merged.c_str(), "overlay", 0, options.c_str()) != 0)
        throw InfraError(
            "cannot mount the overlay on " + paths.merged.string() + ": " + std::strerror(errno),
            node, "overlay");
}

void unmount_overlay(const fs::path& merged, const std::string& node) {
    if (!is_mount_point(merged)) return;
    if (::umount2(merged.c_str(), 0) != 0)
        throw InfraError(
            "cannot unmount the overlay " + merged.string() + ": " + std::strerror(errno), node,
            "overlay");
}

}  // namespace labctl::engine
