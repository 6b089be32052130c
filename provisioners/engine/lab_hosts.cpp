#include "engine/lab_hosts.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/network_leftovers.hpp"

namespace labctl::engine {

std::vector<LabHost> lab_hosts(const topo::Lab& lab) {
    std::vector<LabHost> hosts;
    for (const auto& host : lab.hosts)
        hosts.push_back({host.name, host.connect, host.underlay ? host.underlay->str() : "",
                         is_local_uri(host.connect)});
    return hosts;
}

std::size_t gateway_host(const std::vector<LabHost>& hosts) {
    for (std::size_t i = 0; i < hosts.size(); ++i)
        if (hosts[i].local) return i;
    return 0;
}

std::map<std::string, std::string> place_nodes(
    const topo::Lab& lab, const std::vector<std::optional<unsigned long long>>& free_bytes,
    const std::map<std::string, std::string>& recorded, std::vector<std::string>* reasons) {
    std::map<std::string, std::string> placement;
    std::vector<long double> left(lab.hosts.size(), 0);
    for (std::size_t i = 0; i < lab.hosts.size() && i < free_bytes.size(); ++i)
        left[i] = static_cast<long double>(free_bytes[i].value_or(0));
    auto index_of = [&](const std::string& host) -> std::optional<std::size_t> {
        for (std::size_t i = 0; i < lab.hosts.size(); ++i)
            if (lab.hosts[i].name == host) return i;
        return std::nullopt;
    };
    auto take = [&](std::size_t i, const topo::Node& node) {
        placement[node.name] = lab.hosts[i].name;
        left[i] -= static_cast<long double>(node.memory_mib) * 1024 * 1024;
    };
    // Fixed nodes first: what they use is not free for the others.
    std::vector<const topo::Node*> free_nodes;
    for (const auto& node : lab.nodes) {
        std::optional<std::size_t> fixed;
        if (!node.host.empty())
            fixed = index_of(node.host);
        else if (auto it = recorded.find(node.name); it != recorded.end())
            fixed = index_of(it->second);
        if (fixed)
            take(*fixed, node);
        else
            free_nodes.push_back(&node);
    }
    for (const auto* node : free_nodes) {
        if (lab.hosts.empty()) break;
        // max_element returns the first of equal maxima: ties go to the host first in the file.
        auto best =
            static_cast<std::size_t>(std::max_element(left.begin(), left.end()) - left.begin());
        if (reasons)
            reasons->push_back(fmt::format("node {}  placed on host {} (most free memory: {} MiB)",
                                           node->name, lab.hosts[best].name,
                                           static_cast<long long>(left[best] / (1024 * 1024))));
        take(best, *node);
    }
    return placement;
}

std::vector<std::string> place_copies(
    const topo::Lab& base, const std::vector<std::optional<unsigned long long>>& free_bytes,
    std::size_t count) {
    std::vector<std::string> placed;
    if (base.hosts.empty()) return placed;
    std::vector<long double> left(base.hosts.size(), 0);
    for (std::size_t i = 0; i < base.hosts.size() && i < free_bytes.size(); ++i)
        left[i] = static_cast<long double>(free_bytes[i].value_or(0));
    long double copy_bytes = 0;
    for (const auto& node : base.nodes)
        if (node.host.empty())
            copy_bytes += static_cast<long double>(node.memory_mib) * 1024 * 1024;
    for (std::size_t k = 0; k < count; ++k) {
        // max_element returns the first of equal maxima: ties go to the host first in the file.
        auto best =
            static_cast<std::size_t>(std::max_element(left.begin(), left.end()) - left.begin());
        placed.push_back(base.hosts[best].name);
        left[best] -= copy_bytes;
    }
    return placed;
}

std::vector<std::string> hosts_of_network(const topo::Lab& lab,
                                          const std::map<std::string, std::string>& placement,
                                          const std::string& network) {
    auto hosts = lab_hosts(lab);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        bool used = i == gateway_host(hosts);
        for (const auto& node : lab.nodes) {
            auto it = placement.find(node.name);
            if (node.nic(network) && it != placement.end() && it->second == hosts[i].name)
                used = true;
        }
        if (used) out.push_back(hosts[i].name);
    }
    return out;
}

std::uint32_t vxlan_vni(const std::string& lab, const std::string& network) {
    // FNV-1a, 32 bits, folded into the 24-bit VNI space; 0 is not a valid VNI.
    std::uint32_t hash = 2166136261u;
    for (unsigned char c : lab + "/" + network) {
        hash ^= c;
        hash *= 16777619u;
    }
    std::uint32_t vni = (hash ^ (hash >> 24)) & 0xffffffu;
    return vni == 0 ? 1 : vni;
}

std::string vxlan_device(std::uint32_t vni) {
    return fmt::format("lvx{:06x}", vni);
}

std::string vxlan_alias(const std::string& lab, const std::string& network) {
    return "labctl:" + lab + ":" + network;
}

}  // namespace labctl::engine
