// A user's own disk image as a node's `image` (a path, e.g. a distribution's qcow2 cloud
// image): checked before `up` plans anything, then booted from an overlay volume whose
// backing store it is (never written), with its identity on a cloud-init NoCloud seed disk.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "render/generated_file.hpp"
#include "topology/model.hpp"

namespace labctl::image {

// The volume label cloud-init's NoCloud datasource looks for.
inline constexpr const char* cidata_label = "cidata";

struct DiskImageInfo {
    std::string format;  // as qemu-img names it: qcow2, raw, vmdk, ...
    long long virtual_size = 0;
};

// `qemu-img info --output=json` of PATH (-U: the image may be in use by running guests,
// which only read it). Throws InfraError when qemu-img is missing or fails.
DiskImageInfo inspect_disk_image(const std::filesystem::path& path);

// Every node whose image is a path: the file must exist, be a readable regular file and be
// qcow2 or raw; VM_DRIVER false (lxc) refuses them all. Throws DiagnosticsError (exit 2) with
// one `FILE:LINE:COL: error: ...` line per problem, placed at the node's `image` value.
void check_cloud_images(const topo::Lab& lab, bool vm_driver);

// Writes FILES (cloud-init's meta-data, user-data, network-config; only their file names
// are used) into TREE (0700, files 0600, replaced) and packs them into a raw FAT image
// labelled cidata at IMAGE_PATH (0600, written to a temporary file and renamed) with
// mkfs.vfat and mcopy. The user-data holds the node's host private key: nothing is logged.
void make_cidata_disk(const std::vector<render::GeneratedFile>& files,
                      const std::filesystem::path& tree, const std::filesystem::path& image_path);

}  // namespace labctl::image
