// The seam through which a node's identity (hostname, SSH host key, the lab's authorized key)
// reaches its guest. The image/seed area implements it (a per-node seed tree copied into the
// LXC overlay's upper dir, or packed into a small ext4 disk labelled LABCTL-SEED for
// qemu/kvm; for a user's cloud image, cloud-init NoCloud files on a disk labelled cidata); the
// engine only says where the seed must go and when: once, before the node's domain is first
// defined. Implementations must be idempotent (an interrupted `up` calls them again) and write
// atomically.
#pragma once

#include <filesystem>
#include <string>

#include "topology/model.hpp"

namespace labctl::engine {

struct NodeIdentity {
    std::string lab;
    std::string node;
    std::string hostname;
    std::filesystem::path state_dir;  // the lab's 0700 state dir, where keys live
};

// lxc: the container's first process, written with the seed (see templates/image/
// labctl-lxc-init.sh for why a container does not start /sbin/init directly).
inline constexpr const char* lxc_init_path = "/usr/local/sbin/labctl-lxc-init";

struct SeedTarget {
    enum class Kind {
        directory,        // lxc: the overlay's upper dir; files land at their guest paths, and
                          // the init wrapper at lxc_init_path
        disk_image,       // qemu/kvm: a raw ext4 image to create, attached read-only as vdb
        cloud_init_disk,  // qemu/kvm with a user's cloud image: a raw FAT image labelled
                          // cidata (cloud-init NoCloud), attached read-only as vdb
    };
    Kind kind = Kind::directory;
    std::filesystem::path path;
};

class SeedWriter {
  public:
    virtual ~SeedWriter() = default;
    virtual void write(const topo::Lab& lab, const topo::Node& node, const NodeIdentity& identity,
                       const SeedTarget& target) = 0;
};

}  // namespace labctl::engine
