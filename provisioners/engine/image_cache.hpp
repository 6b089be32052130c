// A base image on a host that shares no disk with labctl (SPEC.md section 6), for QEMU/KVM
// nodes: its disk, kernel and initrd uploaded once per host and image content into a storage
// pool of labctl's there (libvirt's virStorageVolUpload; no shell, no scp), then reused while
// the image is unchanged. A node's linked clone there is backed by the cached disk. The
// upload is marked complete by a last, empty volume: without it, what is there is the
// leftover of an interrupted upload, removed and sent again.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "util/files.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

// The image cache pool on every remote host: labctl's by name and path (owned_pool).
inline constexpr const char* image_pool_name = "labctl-image-cache";
std::string image_pool_path();

// What identifies a base image's content on a host: NAME-HASH, HASH from its manifest
// (rewritten by every `image build`). The LXC rootfs cache uses the same identity.
std::string image_identity(const std::filesystem::path& local_image_dir);

// The cached image's volumes on a host (names in the image pool, and their paths there).
struct CachedImage {
    std::string identity;
    std::string disk_volume, kernel_volume, initrd_volume, complete_volume;
    std::string disk, kernel, initrd;  // paths on the host
};
CachedImage cached_image(const std::filesystem::path& local_image_dir);

// Sends FILE into VOLUME (the default: virt::Connection::upload_volume; nothing on libvirt's
// test driver, which cannot upload). Tests pass one that records the calls.
using VolumeUpload =
    std::function<void(virt::Connection&, virStorageVolPtr, const std::filesystem::path& file,
                       const std::string& node)>;
VolumeUpload default_volume_upload();

// Makes the image's volumes complete in the host's image pool (defined, built and started
// when missing). Returns true when it sent them, false when they were complete already.
// Hold a HostTransferLock for HOST around it.
bool ensure_cached_image(virt::Connection& host, const std::filesystem::path& local_image_dir,
                         const std::string& node, const VolumeUpload& upload);

// Volume NAME in POOL with FILE's bytes (a sparse raw volume, then the upload); a volume of
// that name already there (an interrupted run's) is deleted first.
void upload_file_volume(virt::Connection& host, virStoragePoolPtr pool, const std::string& name,
                        const std::filesystem::path& file, const std::string& node,
                        const std::string& step, const VolumeUpload& upload);

// Held while labctl sends an image to the host of URI: one transfer per host at a time from
// this machine, across threads (`class up`) and labctl processes (an flock in labctl's data
// directory). So the leftovers of an interrupted transfer are no one else's running one, and
// the next transfer may remove them. Waits (with backoff) while another holds it.
class HostTransferLock {
  public:
    explicit HostTransferLock(const std::string& uri);

  private:
    std::unique_ptr<util::LockFile> lock_;
};

}  // namespace labctl::engine
