// The images labctl has built: listing, manifests and removal.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace labctl::image {

struct ImageInfo {
    std::string name;
    std::filesystem::path dir;
    nlohmann::json manifest;           // empty object when unreadable
    std::uintmax_t bytes_on_disk = 0;  // allocated blocks of disk.qcow2 + rootfs/ + kernel + initrd
};

// The manifest of image NAME, or nullopt when there is none (not built, or not complete).
std::optional<nlohmann::json> read_manifest(const std::string& name);

std::vector<ImageInfo> list_images();

// Mount points of overlays whose lower directory is this image's rootfs (lxc nodes using it).
std::vector<std::string> overlays_using(const std::filesystem::path& image_dir);

// Removes image NAME. Throws InputError when it does not exist, InfraError when an lxc
// node's overlay still uses its rootfs.
void remove_image(const std::string& name);

// Directory usage in bytes (allocated blocks, so sparse files count what they use).
std::uintmax_t disk_usage(const std::filesystem::path& path);

}  // namespace labctl::image
