#include "topology/address_plan.hpp"

#include <cstdio>
#include <map>
#include <set>

namespace labctl::topo {

std::string deterministic_mac(std::string_view lab, std::string_view node, std::string_view network,
                              int salt) {
    // FNV-1a: stable across builds and platforms, unlike std::hash.
    std::uint64_t hash = 14695981039346656037ull;
    auto mix = [&](std::string_view text) {
        for (unsigned char c : text) {
            hash ^= c;
            hash *= 1099511628211ull;
        }
        hash ^= 0xff;
        hash *= 1099511628211ull;
    };
    mix(lab);
    mix(node);
    mix(network);
    mix(std::to_string(salt));
    char mac[18];
    std::snprintf(mac, sizeof mac, "52:54:00:%02x:%02x:%02x",
                  static_cast<unsigned>(hash >> 16 & 0xff), static_cast<unsigned>(hash >> 8 & 0xff),
                  static_cast<unsigned>(hash & 0xff));
    return mac;
}

void plan_addresses(Lab& lab, Diagnostics& diagnostics) {
    std::map<std::string, std::map<std::uint32_t, std::string>>
        taken;  // network -> address -> node
    for (auto& node : lab.nodes) {
        for (auto& nic : node.nics) {
            if (!nic.address) continue;
            const Network* network = lab.network(nic.network);
            if (!network) continue;
            const auto& subnet = network->subnet;
            auto address = *nic.address;
            nic.planned = address;
            if (!subnet.contains(address)) {
                diagnostics.error(nic.pos, "address " + address.str() + " is outside subnet " +
                                               subnet.str() + " of network `" + network->name +
                                               "`");
                continue;
            }
            if (address == subnet.network || address == subnet.broadcast()) {
                diagnostics.error(nic.pos,
                                  "address " + address.str() + " is the " +
                                      (address == subnet.network ? "network" : "broadcast") +
                                      " address of " + subnet.str());
                continue;
            }
            if (address == subnet.gateway()) {
                diagnostics.error(nic.pos, "address " + address.str() +
                                               " belongs to the host on network `" + network->name +
                                               "` (the first address of the subnet)");
                continue;
            }
            auto [it, inserted] = taken[network->name].emplace(address.value, node.name);
            if (!inserted)
                diagnostics.error(nic.pos, "duplicate address " + address.str() + " on network `" +
                                               network->name + "`: node `" + it->second +
                                               "` has it too");
        }
    }
    for (auto& node : lab.nodes) {
        for (auto& nic : node.nics) {
            if (nic.address) continue;
            const Network* network = lab.network(nic.network);
            if (!network) continue;
            const auto& subnet = network->subnet;
            auto& used = taken[network->name];
            std::uint32_t first = subnet.gateway().value + 1;
            if (subnet.broadcast().value - subnet.network.value > 200)
                first = subnet.network.value + 100;
            std::uint32_t candidate = first;
            while (candidate < subnet.broadcast().value && used.count(candidate)) ++candidate;
            if (candidate >= subnet.broadcast().value) {
                diagnostics.error(nic.pos, "no free address left in " + subnet.str() +
                                               " for node `" + node.name + "`");
                continue;
            }
            used.emplace(candidate, node.name);
            nic.planned = util::Ipv4{candidate};
        }
    }
    std::set<std::string> macs;
    for (auto& node : lab.nodes) {
        for (auto& nic : node.nics) {
            int salt = 0;
            do nic.mac = deterministic_mac(lab.lab.name, node.name, nic.network, salt++);
            while (!macs.insert(nic.mac).second);
        }
    }
}

}  // namespace labctl::topo
