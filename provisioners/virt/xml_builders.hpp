// The libvirt XML of every object labctl creates, built with util::XmlWriter (every value
// escaped). Pure functions of their spec, so unit tests check them without libvirt.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "virt/tag.hpp"

namespace labctl::virt {

struct NetworkSpec {
    std::string name;  // <lab>-<network>
    Tag tag;
    topo::NetworkMode mode = topo::NetworkMode::nat;
    util::Subnet subnet;
    struct Host {
        std::string mac;
        std::string name;
        std::string ip;
    };
    std::vector<Host> hosts;  // one DHCP reservation per node NIC
    // A network spanning hosts exists on each; only one copy has the gateway address and the
    // DHCP server (and the NAT). The others are a bare bridge, joined to it over VXLAN.
    bool bridge_only = false;
    int mtu = 0;  // 0: libvirt's default; a spanning network leaves room for VXLAN's header
};

struct PoolSpec {
    std::string name;  // <lab>-pool
    std::filesystem::path path;
};

struct VolumeSpec {
    std::string name;                      // <node>.qcow2
    std::filesystem::path backing;         // the base image's disk.qcow2, or the user's cloud image
    long long capacity_bytes = 0;          // the backing image's virtual size
    std::string backing_format = "qcow2";  // qcow2 | raw (a cloud image may be either)
    // Without a backing store: a sparse raw volume of capacity_bytes that a file is uploaded
    // into (a base image's files, a seed disk, on a host that shares no disk with labctl).
    std::string format = "qcow2";
};

enum class DomainKind { qemu, kvm, lxc };

struct DomainSpec {
    std::string name;  // <lab>-<node>
    Tag tag;
    DomainKind kind = DomainKind::qemu;
    int memory_mib = 512;
    int vcpus = 1;
    // qemu / kvm: direct kernel boot of the linked clone (a labctl base image), or, with no
    // kernel, the disk's own bootloader (a user's cloud image).
    std::filesystem::path kernel;
    std::filesystem::path initrd;
    std::filesystem::path disk;
    // Read-only raw seed disk (LABCTL-SEED ext4, or a cloud-init `cidata` FAT); empty: none.
    std::filesystem::path seed_disk;
    std::filesystem::path console_log;
    // qemu/kvm: run the emulator as this "+UID:+GID" (libvirt DAC label) without relabelling
    // files. Empty: libvirt's default user (libvirt-qemu), which cannot reach disks inside a
    // 0700 lab state dir owned by root.
    std::string run_as;
    // lxc: the node's merged overlay mounted as the container's root, and its first process.
    std::filesystem::path root_dir;
    std::string init = "/sbin/init";
    // lxc: keep the mknod capability, which libvirt drops by default.
    bool mknod = false;
    // lxc: host directories mounted into the container (a filesystem that is not the overlay
    // root, for what cannot live on overlayfs).
    struct HostDir {
        std::filesystem::path source;  // on the host
        std::string target;            // absolute path in the container
    };
    std::vector<HostDir> host_dirs;
    struct Nic {
        std::string mac;
        std::string network;  // libvirt network name
    };
    std::vector<Nic> nics;  // in the node's NIC order
};

// A labctl snapshot of one domain: internal (inside its qcow2 disks) with the guest's memory,
// so a restored VM resumes where it was instead of booting from a crash-consistent disk.
struct SnapshotSpec {
    std::string name;         // labctl-<snapshot>: labctl touches only snapshots so named
    std::string description;  // who made it, for a person reading `virsh snapshot-list`
    std::vector<std::string> internal_disks;  // targets (vda) saved inside their qcow2
    std::vector<std::string> skipped_disks;   // read-only ones (the seed disk): not saved
    bool memory = true;  // the guest's RAM too (a running domain); a shut-off one has none
};

std::string network_xml(const NetworkSpec& spec);
std::string pool_xml(const PoolSpec& spec);
std::string volume_xml(const VolumeSpec& spec);
std::string domain_xml(const DomainSpec& spec);
std::string snapshot_xml(const SnapshotSpec& spec);

std::string to_string(DomainKind kind);

}  // namespace labctl::virt
