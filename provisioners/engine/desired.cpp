#include "engine/desired.hpp"

#include <unistd.h>

#include <algorithm>
#include <fstream>

#include "store/paths.hpp"
#include "topology/diagnostics.hpp"
#include "util/error.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

std::string network_name(const std::string& lab, const std::string& network) {
    return lab + "-" + network;
}
std::string domain_name(const std::string& lab, const std::string& node) {
    return lab + "-" + node;
}
std::string pool_name(const std::string& lab) {
    return lab + "-pool";
}
std::string volume_name(const std::string& node) {
    return node + ".qcow2";
}

LabRecord Desired::record(const std::string& uri, const topo::Lab& topo_lab) const {
    LabRecord r;
    r.lab = lab;
    r.file = file;
    r.uri = uri;
    r.driver = virt::to_string(kind);
    if (pool) {
        r.pool = pool->name;
        r.pool_path = pool->path.string();
    }
    // Every node's overlay, not only the selected ones: `down` must find them all.
    if (kind == virt::DomainKind::lxc)
        for (const auto& node : topo_lab.nodes)
            r.overlays.push_back(
                overlay_paths(state_dir, store::image_dir(node.image), node.name).merged.string());
    return r;
}

namespace {

// What the services on NODE ask of its container (topo::ServiceTraits::lxc_needs): each host
// directory lives beside the node's overlay, so `down` removes it with the overlay.
void add_lxc_needs(const topo::Lab& lab, const topo::Node& node, const OverlayPaths& overlay,
                   virt::DomainSpec& spec) {
    for (const auto& service : lab.services) {
        bool on_node = false;
        for (const auto& on : service.on) on_node |= on.value == node.name;
        if (!on_node || !service.type) continue;
        auto needs = service.type->lxc_needs(service, node);
        spec.mknod |= needs.mknod;
        for (const auto& target : needs.host_dirs) {
            bool seen = false;
            for (const auto& dir : spec.host_dirs) seen |= dir.target == target;
            if (seen) continue;
            std::string name = target.substr(1);
            std::replace(name.begin(), name.end(), '/', '-');
            spec.host_dirs.push_back({overlay.merged.parent_path() / "dirs" / name, target});
        }
    }
}

}  // namespace

Desired desired_state(const topo::Lab& lab, virt::DomainKind kind,
                      const std::vector<std::string>& only, bool with_seed) {
    for (const auto& name : only)
        if (!lab.node(name))
            throw InputError("--only: no node named `" + name + "` in " + lab.file);

    Desired d;
    d.lab = lab.lab.name;
    d.file = fs::absolute(lab.file).lexically_normal().string();
    d.state_dir = store::lab_state_dir(d.lab);
    d.kind = kind;
    virt::Tag lab_tag{d.lab, "", d.file};

    for (const auto& network : lab.networks) {
        virt::NetworkSpec spec;
        spec.name = network_name(d.lab, network.name);
        spec.tag = lab_tag;
        spec.mode = network.mode;
        spec.subnet = network.subnet;
        for (const auto& node : lab.nodes)
            if (const auto* nic = node.nic(network.name))
                spec.hosts.push_back({nic->mac, node.name, nic->planned.str()});
        d.networks.push_back(std::move(spec));
    }

    bool vm = kind != virt::DomainKind::lxc;
    if (vm) d.pool = virt::PoolSpec{pool_name(d.lab), d.state_dir / "disks"};

    for (const auto& node : lab.nodes) {
        if (!only.empty() && std::find(only.begin(), only.end(), node.name) == only.end()) continue;
        bool cloud = node.uses_cloud_image();
        if (cloud && !vm) {
            topo::Diagnostics diagnostics(lab.file);
            diagnostics.error(node.image_pos,
                              "node `" + node.name + "`: image `" + node.image +
                                  "`: a disk image needs a VM driver (qemu or kvm), not lxc");
            diagnostics.throw_if_any();
        }
        fs::path image = cloud ? fs::path(lab.image_file(node)) : store::image_dir(node.image);
        if (d.image_dir.empty()) d.image_dir = cloud ? image.parent_path() : image;
        NodeDesired n;
        n.node = &node;
        n.address = node.address();
        auto& spec = n.domain;
        spec.name = domain_name(d.lab, node.name);
        spec.tag = virt::Tag{d.lab, node.name, d.file};
        spec.kind = kind;
        spec.memory_mib = node.memory_mib;
        spec.vcpus = node.vcpus;
        for (const auto& nic : node.nics)
            spec.nics.push_back({nic.mac, network_name(d.lab, nic.network)});
        if (vm) {
            if (!cloud) {
                spec.kernel = image / "vmlinuz";
                spec.initrd = image / "initrd.img";
            }
            spec.disk = d.pool->path / volume_name(node.name);
            spec.console_log = d.state_dir / "console" / (node.name + ".log");
            // The lab's files live in a 0700 root-owned state dir: as root, the guests run as
            // the owner of those files (root) instead of libvirt-qemu, which could not reach
            // them (measured: "Cannot access storage file ... (as uid:64055) Permission denied").
            if (::geteuid() == 0) spec.run_as = "+0:+0";
            // The user's file is only ever a read-only backing store.
            n.volume =
                virt::VolumeSpec{volume_name(node.name), cloud ? image : image / "disk.qcow2", 0};
            n.seed = {cloud ? SeedTarget::Kind::cloud_init_disk : SeedTarget::Kind::disk_image,
                      d.state_dir / "seeds" / (node.name + (cloud ? "-cidata.img" : ".img"))};
            if (with_seed) spec.seed_disk = n.seed.path;
        } else {
            n.overlay = overlay_paths(d.state_dir, image, node.name);
            spec.root_dir = n.overlay->merged;
            spec.init = lxc_init_path;
            add_lxc_needs(lab, node, *n.overlay, spec);
            // Written through the mounted overlay, so the files land in the node's upper dir.
            n.seed = {SeedTarget::Kind::directory, n.overlay->merged};
        }
        d.nodes.push_back(std::move(n));
    }
    return d;
}

long long qcow2_virtual_size(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char header[32] = {};
    if (!in.read(reinterpret_cast<char*>(header), sizeof header))
        throw InfraError(
            "cannot read the base image " + path.string() + " (run `labctl image build`)", {},
            "image");
    if (header[0] != 'Q' || header[1] != 'F' || header[2] != 'I' || header[3] != 0xfb)
        throw InfraError(path.string() + " is not a qcow2 image", {}, "image");
    // Big-endian 64-bit virtual size at offset 24 (qcow2 spec).
    unsigned long long size = 0;
    for (int i = 24; i < 32; ++i) size = size << 8 | header[i];
    return static_cast<long long>(size);
}

BackingImage backing_image(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    unsigned char magic[4] = {};
    if (!in.read(reinterpret_cast<char*>(magic), sizeof magic))
        throw InfraError("cannot read the image " + path.string(), {}, "image");
    if (magic[0] == 'Q' && magic[1] == 'F' && magic[2] == 'I' && magic[3] == 0xfb)
        return {"qcow2", qcow2_virtual_size(path)};
    std::error_code ec;
    auto size = fs::file_size(path, ec);
    if (ec)
        throw InfraError("cannot read the image " + path.string() + ": " + ec.message(), {},
                         "image");
    return {"raw", static_cast<long long>(size)};
}

}  // namespace labctl::engine
