// What a lab should look like in libvirt, computed from the topology alone (no libvirt
// calls): one network per topology network, a storage pool and a linked-clone volume per node
// (qemu/kvm) or an overlay per node (lxc), and one tagged domain per node. A node whose image
// is a path (a user's cloud image) gets an overlay volume backed by that file, boots its own
// bootloader and takes its identity from a cloud-init seed disk; lxc cannot run it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "engine/lab_state.hpp"
#include "engine/overlay.hpp"
#include "engine/seed_writer.hpp"
#include "topology/model.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::engine {

class HostAccess;

struct NodeDesired {
    const topo::Node* node = nullptr;
    virt::DomainSpec domain;
    std::optional<virt::VolumeSpec> volume;  // qemu/kvm
    std::optional<OverlayPaths> overlay;     // lxc
    SeedTarget seed;
    std::string address;  // the first NIC's planned address: where SSH is awaited
    // On a remote host: the local image dir whose files are sent there first (lxc: its rootfs,
    // before the overlay, which then lives on that host, is mounted; qemu/kvm: its disk,
    // kernel and initrd, into the host's image cache pool, before the clone). Empty: local.
    std::filesystem::path image_source;
    // qemu/kvm on a remote host: the seed disk's volume in the lab's pool there, uploaded from
    // seed.path (written locally).
    std::string seed_volume;
};

struct Desired {
    std::string lab;
    std::string file;  // absolute
    std::filesystem::path state_dir;
    std::filesystem::path image_dir;  // of the first selected node's image (for checks)
    virt::DomainKind kind = virt::DomainKind::qemu;
    std::vector<virt::NetworkSpec> networks;
    std::optional<virt::PoolSpec> pool;
    std::vector<NodeDesired> nodes;  // the selected nodes (--only), in file order
    // The host these objects are on when the lab spans hosts (overlays, seeds and mounts go
    // through it); nullptr: this machine.
    HostAccess* host = nullptr;
    // qemu/kvm on a host that shares no disk with labctl: the pool's directory is made by
    // libvirt there (not here), the clones' base image and the seeds are uploaded.
    bool remote_disks = false;
    std::string host_name;  // the [hosts] name these objects are on ("" without [hosts])

    // What `up` records in the state dir before creating anything.
    LabRecord record(const std::string& uri, const topo::Lab& lab) const;
};

std::string network_name(const std::string& lab, const std::string& network);
std::string domain_name(const std::string& lab, const std::string& node);
std::string pool_name(const std::string& lab);
std::string volume_name(const std::string& node);

// ONLY: node names (empty: all); an unknown name is an InputError. WITH_SEED adds the seed
// disk to qemu/kvm domains (only when a SeedWriter will create it).
Desired desired_state(const topo::Lab& lab, virt::DomainKind kind,
                      const std::vector<std::string>& only, bool with_seed);

// The virtual size in bytes from a qcow2 header; throws InfraError when PATH is not qcow2.
long long qcow2_virtual_size(const std::filesystem::path& path);

// The format and virtual size of a backing image: "qcow2" when it has a qcow2 header, else
// "raw" (its size). `up` checks cloud images with qemu-img before it plans (anything but
// qcow2 or raw is refused there), so the header is enough here. Throws InfraError when PATH
// cannot be read.
struct BackingImage {
    std::string format;
    long long virtual_size = 0;
};
BackingImage backing_image(const std::filesystem::path& path);

}  // namespace labctl::engine
