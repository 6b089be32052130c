#include "engine/lab_status.hpp"

#include <cstdio>
#include <future>

#include "engine/inventory.hpp"
#include "engine/ssh_wait.hpp"

namespace labctl::engine {

LabStatus lab_status(const virt::Connection& connection, const topo::Lab& lab,
                     const std::string& driver, bool probe) {
    LabStatus status{lab.lab.name, driver, {}};
    Inventory inventory = take_inventory(connection, lab.lab.name);
    std::vector<std::future<std::optional<double>>> probes;
    for (const auto& node : lab.nodes) {
        NodeStatus s;
        s.name = node.name;
        auto it = inventory.domains.find(node.name);
        auto state = it == inventory.domains.end() ? virt::DomainState::absent
                                                   : virt::Connection::state_of(it->second.get());
        s.state = virt::to_string(state);
        for (const auto& nic : node.nics) s.addresses[nic.network] = nic.planned.str();
        s.probed = probe && state == virt::DomainState::running && !node.nics.empty();
        if (s.probed) {
            std::string address = node.address();
            probes.push_back(std::async(std::launch::async, [address] {
                return probe_ssh_banner(address, 22, std::chrono::milliseconds(2000));
            }));
        } else {
            probes.emplace_back();
        }
        status.nodes.push_back(std::move(s));
    }
    for (size_t i = 0; i < probes.size(); ++i) {
        if (!probes[i].valid()) continue;
        status.nodes[i].ssh_latency = probes[i].get();
        status.nodes[i].ssh = status.nodes[i].ssh_latency.has_value();
    }
    return status;
}

nlohmann::json status_json(const LabStatus& status) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : status.nodes) {
        nlohmann::json j = {{"name", n.name},
                            {"state", n.state},
                            {"addresses", n.addresses},
                            {"ssh", n.ssh},
                            {"services", nlohmann::json::array()}};
        for (const auto& service : n.services)
            j["services"].push_back({{"service", service.service},
                                     {"instance", service.instance},
                                     {"healthy", service.healthy},
                                     {"detail", service.detail}});
        if (n.ssh_latency) j["ssh_latency_ms"] = *n.ssh_latency * 1000.0;
        nodes.push_back(std::move(j));
    }
    return {{"lab", status.lab}, {"driver", status.driver}, {"nodes", nodes}};
}

void print_status_table(const LabStatus& status, std::ostream& out) {
    out << "lab " << status.lab << " (driver " << status.driver << ")\n";
    char line[256];
    std::snprintf(line, sizeof line, "%-16s %-10s %-14s %s\n", "NODE", "STATE", "SSH", "ADDRESSES");
    out << line;
    for (const auto& n : status.nodes) {
        std::string ssh = "-";
        if (n.probed) {
            if (n.ssh_latency) {
                char latency[32];
                std::snprintf(latency, sizeof latency, "yes (%.0f ms)", *n.ssh_latency * 1000.0);
                ssh = latency;
            } else {
                ssh = "no";
            }
        }
        std::string addresses;
        for (const auto& [network, address] : n.addresses)
            addresses += (addresses.empty() ? "" : "  ") + network + "=" + address;
        std::snprintf(line, sizeof line, "%-16s %-10s %-14s %s\n", n.name.c_str(), n.state.c_str(),
                      ssh.c_str(), addresses.c_str());
        out << line;
        for (const auto& service : n.services)
            out << "    " << (service.healthy ? "✓ " : "✗ ") << service.instance << "  " << service.detail << "\n";
    }
}

}  // namespace labctl::engine
