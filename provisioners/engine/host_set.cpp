#include "engine/host_set.hpp"

#include <algorithm>

#include "engine/image_cache.hpp"
#include "engine/inventory.hpp"
#include "engine/network_leftovers.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"

namespace labctl::engine {

namespace fs = std::filesystem;

std::vector<HostSession> open_hosts(const std::vector<LabHost>& hosts, const fs::path& state_dir,
                                    bool shells) {
    std::vector<HostSession> sessions(hosts.size());
    util::parallel_for(hosts.size(), hosts.size(), [&](std::size_t k) {
        sessions[k].host = hosts[k];
        sessions[k].connection = std::make_unique<virt::Connection>(hosts[k].uri);
        if (!shells || sessions[k].connection->is_test_driver()) return;
        sessions[k].access = hosts[k].local ? local_host_access(hosts[k].name)
                                            : ssh_host_access(hosts[k].name, hosts[k].uri,
                                                              state_dir / "hosts" / hosts[k].name);
    });
    return sessions;
}

std::vector<LabHost> recorded_hosts(const LabRecord& record) {
    std::vector<LabHost> hosts;
    for (const auto& host : record.hosts)
        hosts.push_back({host.name, host.uri, host.underlay, is_local_uri(host.uri)});
    return hosts;
}

std::vector<std::string> spanning_networks(const topo::Lab& lab,
                                           const std::map<std::string, std::string>& placement) {
    std::vector<std::string> out;
    for (const auto& network : lab.networks)
        if (hosts_of_network(lab, placement, network.name).size() > 1) out.push_back(network.name);
    return out;
}

namespace {

// A QEMU/KVM node on a host that shares no disk with labctl: its clone in the lab's pool
// there, backed by the base image in the host's image cache pool; its kernel and initrd from
// that cache; its seed written here and uploaded into the lab's pool; its console log there.
void remote_vm_disks(Desired& d, NodeDesired& n, const std::string& host, bool with_seed) {
    const auto& node = *n.node;
    if (node.uses_cloud_image())
        throw InputError("node `" + node.name + "` on host `" + host + "`: image `" + node.image +
                         "` is a disk image file, which labctl does not send to another host "
                         "yet; use a labctl base image or place the node on the local host");
    fs::path image_dir = store::image_dir(node.image);
    auto cached = cached_image(image_dir);
    fs::path lab_dir = remote_lab_dir(d.lab);
    n.image_source = image_dir;
    n.volume->backing = cached.disk;
    n.domain.kernel = cached.kernel;
    n.domain.initrd = cached.initrd;
    n.domain.disk = d.pool->path / volume_name(node.name);
    n.domain.console_log = lab_dir / "console" / (node.name + ".log");
    n.seed.path = d.state_dir / "hosts" / host / "seeds" / (node.name + ".img");
    n.seed_volume = node.name + "-seed.img";
    if (with_seed) n.domain.seed_disk = d.pool->path / n.seed_volume;
}

}  // namespace

Desired desired_on_host(const topo::Lab& lab, virt::DomainKind kind,
                        const std::vector<std::string>& only, bool with_seed,
                        const std::map<std::string, std::string>& placement,
                        const std::vector<LabHost>& hosts, std::size_t index, HostAccess* access) {
    const LabHost& host = hosts[index];
    bool gateway = index == gateway_host(hosts);
    Desired d = desired_state(lab, kind, only, with_seed);
    d.host = access;
    d.host_name = host.name;
    // VM disks on a host that shares no disk with labctl: the lab's pool in its data directory.
    if (d.pool && !host.local) d.pool->path = fs::path(remote_lab_dir(d.lab)) / "disks";

    std::vector<virt::NetworkSpec> networks;
    for (std::size_t i = 0; i < lab.networks.size(); ++i) {
        auto on = hosts_of_network(lab, placement, lab.networks[i].name);
        if (std::find(on.begin(), on.end(), host.name) == on.end()) continue;
        auto spec = d.networks[i];
        spec.bridge_only = !gateway;
        if (on.size() > 1) spec.mtu = spanning_mtu;
        networks.push_back(std::move(spec));
    }
    d.networks = std::move(networks);

    std::vector<NodeDesired> nodes;
    for (auto& n : d.nodes) {
        auto it = placement.find(n.node->name);
        if (it == placement.end() || it->second != host.name) continue;
        if (!host.local && kind != virt::DomainKind::lxc) {
            remote_vm_disks(d, n, host.name, with_seed);
        } else if (!host.local && access) {
            // A remote host's LXC share (test:/// has no shell: its objects alone are tested).
            fs::path image_dir = store::image_dir(n.node->image);
            fs::path base = fs::path(remote_lab_dir(d.lab)) / "overlays" / n.node->name;
            n.image_source = image_dir;
            n.overlay = OverlayPaths{fs::path(remote_rootfs(image_dir)), base / "upper",
                                     base / "work", base / "merged"};
            n.domain.root_dir = n.overlay->merged;
            // Written here, then sent into the node's root on the host.
            n.seed.path = d.state_dir / "hosts" / host.name / "seeds" / n.node->name;
        }
        nodes.push_back(std::move(n));
    }
    d.nodes = std::move(nodes);
    // A pool only where VM disks are made.
    if (d.nodes.empty()) d.pool.reset();
    d.remote_disks = d.pool && !host.local;
    return d;
}

bool remove_remote_pool(virt::Connection& host, const std::string& lab) {
    auto pool =
        owned_pool(host, pool_name(lab), (fs::path(remote_lab_dir(lab)) / "disks").string());
    if (!pool) return false;
    host.remove_pool(pool.get(), "pool");
    return true;
}

VxlanLink vxlan_link(const std::string& lab, const std::string& network,
                     const std::vector<std::string>& network_hosts,
                     const std::vector<LabHost>& hosts, std::size_t index,
                     const std::string& bridge) {
    VxlanLink link;
    link.vni = vxlan_vni(lab, network);
    link.device = vxlan_device(link.vni);
    link.alias = vxlan_alias(lab, network);
    link.bridge = bridge;
    link.local = hosts[index].underlay;
    link.mtu = spanning_mtu;
    for (const auto& other : hosts)
        if (other.name != hosts[index].name && std::find(network_hosts.begin(), network_hosts.end(),
                                                         other.name) != network_hosts.end())
            link.peers.push_back(other.underlay);
    return link;
}

}  // namespace labctl::engine
