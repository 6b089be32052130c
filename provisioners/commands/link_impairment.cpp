#include "commands/link_impairment.hpp"

#include <set>

#include "engine/inventory.hpp"
#include "engine/netem.hpp"

namespace labctl::commands {

void apply_link_impairments(engine::LabConnections& hosts, const topo::Lab& lab,
                            const std::filesystem::path& state_dir,
                            const std::vector<std::string>& nodes, util::Reporter& report) {
    auto records = engine::load_netem(state_dir);
    std::set<std::string> selected(nodes.begin(), nodes.end());
    bool declared = false;
    for (const auto& node : lab.nodes)
        if (selected.count(node.name))
            for (const auto& link : node.impair) {
                records[node.name + ":" + link.network] = {
                    link.values, engine::ifb_name(lab.lab.name, node.name, link.network)};
                declared = true;
            }
    bool any = false;
    for (const auto& [key, record] : records) {
        auto colon = key.find(':');
        if (colon != std::string::npos && selected.count(key.substr(0, colon))) any = true;
    }
    if (!any) return;
    std::vector<engine::Inventory> inventories;
    for (std::size_t i = 0; i < hosts.size(); ++i)
        inventories.push_back(engine::take_inventory(*hosts.host(i).connection, lab.lab.name));
    for (const auto& [key, record] : records) {
        auto colon = key.find(':');
        if (colon == std::string::npos) continue;
        std::string node_name = key.substr(0, colon), network = key.substr(colon + 1);
        if (!selected.count(node_name)) continue;
        const topo::Node* node = lab.node(node_name);
        const topo::Nic* nic = node ? node->nic(network) : nullptr;
        const auto& inventory = inventories[hosts.index_of(node_name)];
        auto domain = inventory.domains.find(node_name);
        if (!nic || domain == inventory.domains.end()) continue;  // the lab file changed
        auto* host = hosts.access(node_name);
        if (!host) continue;  // test:///: no host side to impair
        engine::NetemLink link{node_name, network,
                               engine::host_device(domain->second.get(), nic->mac, node_name),
                               record.ifb};
        engine::apply_netem(*host, link, record.impairment);
        report.step("node " + node_name + "  " + network + " impaired (" +
                    record.impairment.describe() + ", both directions, on " + link.dev +
                    hosts.where(node_name) + ")");
    }
    if (declared) engine::save_netem(state_dir, records);
}

}  // namespace labctl::commands
