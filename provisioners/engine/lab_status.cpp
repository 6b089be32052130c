#include "engine/lab_status.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "engine/inventory.hpp"

namespace labctl::engine {

bool NodeStatus::addresses_as_planned() const {
    return std::all_of(nics.begin(), nics.end(),
                       [](const NicStatus& nic) { return nic.seen == nic.planned; });
}

LabStatus lab_status(const virt::Connection& connection, const topo::Lab& lab,
                     const std::string& driver) {
    LabStatus status{lab.lab.name, driver, {}};
    Inventory inventory = take_inventory(connection, lab.lab.name);
    for (const auto& node : lab.nodes) {
        NodeStatus s;
        s.name = node.name;
        auto it = inventory.domains.find(node.name);
        auto state = it == inventory.domains.end() ? virt::DomainState::absent
                                                   : virt::Connection::state_of(it->second.get());
        s.state = virt::to_string(state);
        for (const auto& nic : node.nics)
            s.nics.push_back({nic.network, nic.planned.str(), {}, {}});
        status.nodes.push_back(std::move(s));
    }
    return status;
}

nlohmann::json status_json(const LabStatus& status) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& n : status.nodes) {
        nlohmann::json addresses = nlohmann::json::object();
        nlohmann::json planned = nlohmann::json::object();
        nlohmann::json problems = nlohmann::json::array();
        for (const auto& nic : n.nics) {
            addresses[nic.network] = nic.seen ? nlohmann::json(*nic.seen) : nlohmann::json(nullptr);
            planned[nic.network] = nic.planned;
            if (!nic.problem.empty()) problems.push_back(nic.problem);
        }
        nlohmann::json j = {{"name", n.name},
                            {"state", n.state},
                            {"addresses", addresses},
                            {"planned", planned},
                            {"addresses_as_planned", n.probed && n.ssh && n.addresses_as_planned()},
                            {"address_problems", problems},
                            {"ssh", n.ssh},
                            {"services", nlohmann::json::array()}};
        for (const auto& service : n.services)
            j["services"].push_back({{"service", service.service},
                                     {"instance", service.instance},
                                     {"healthy", service.healthy},
                                     {"detail", service.detail}});
        if (!n.host.empty()) j["host"] = n.host;
        if (n.ssh_latency) j["ssh_latency_ms"] = *n.ssh_latency * 1000.0;
        if (!n.ssh_error.empty()) j["ssh_error"] = n.ssh_error;
        nodes.push_back(std::move(j));
    }
    return {{"lab", status.lab}, {"driver", status.driver}, {"nodes", nodes}};
}

void print_status_table(const LabStatus& status, std::ostream& out) {
    out << "lab " << status.lab << " (driver " << status.driver << ")\n";
    bool hosts = std::any_of(status.nodes.begin(), status.nodes.end(),
                             [](const NodeStatus& n) { return !n.host.empty(); });
    if (hosts)
        out << fmt::format("{:<16} {:<12} {:<10} {:<14} {}\n", "NODE", "HOST", "STATE", "SSH",
                           "ADDRESSES");
    else
        out << fmt::format("{:<16} {:<10} {:<14} {}\n", "NODE", "STATE", "SSH", "ADDRESSES");
    for (const auto& n : status.nodes) {
        std::string ssh = "-";
        if (n.probed)
            ssh = n.ssh_latency ? fmt::format("yes ({:.0f} ms)", *n.ssh_latency * 1000.0) : "no";
        // What the guest has; a planned address it does not have is never shown as its own.
        std::string addresses;
        for (const auto& nic : n.nics) {
            std::string shown = nic.seen ? *nic.seen : "?";
            if (n.ssh && nic.seen != nic.planned) shown += " (planned " + nic.planned + ")";
            addresses += (addresses.empty() ? "" : "  ") + nic.network + "=" + shown;
        }
        if (hosts)
            out << fmt::format("{:<16} {:<12} {:<10} {:<14} {}\n", n.name, n.host, n.state, ssh,
                               addresses);
        else
            out << fmt::format("{:<16} {:<10} {:<14} {}\n", n.name, n.state, ssh, addresses);
        if (!n.ssh_error.empty()) out << "    ✗ ssh: " << n.ssh_error << "\n";
        for (const auto& nic : n.nics)
            if (!nic.problem.empty()) out << "    ✗ " << nic.problem << "\n";
        for (const auto& service : n.services)
            out << "    " << (service.healthy ? "✓ " : "✗ ") << service.instance << "  "
                << service.detail << "\n";
    }
}

}  // namespace labctl::engine
