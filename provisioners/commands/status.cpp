#include <map>
#include <memory>

#include "commands/lab_commands.hpp"
#include "commands/lab_loading.hpp"
#include "commands/node_readiness.hpp"
#include "engine/host_set.hpp"
#include "engine/lab_state.hpp"
#include "engine/lab_status.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "store/paths.hpp"
#include "util/parallel.hpp"
#include "verify/checks.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

int run_status(const GlobalOptions& global, const StatusOptions& options, std::ostream& out) {
    topo::Lab lab = load_lab(global);
    auto state_dir = store::lab_state_dir(lab.lab.name);
    auto record = engine::load_record(state_dir);
    auto driver = engine::requested_driver(global.driver, lab.lab.driver);
    // A lab across hosts: each node's state from its own host's libvirt (all opened at once).
    std::vector<engine::HostSession> hosts;
    std::map<std::string, std::string> placement;
    if (!lab.hosts.empty()) {
        auto lab_hosts = record && !record->hosts.empty() ? engine::recorded_hosts(*record)
                                                          : engine::lab_hosts(lab);
        hosts = engine::open_hosts(lab_hosts, state_dir, false);
        if (record) placement = record->placement;
        for (const auto& node : lab.nodes)
            if (!node.host.empty()) placement[node.name] = node.host;
    }
    std::string connect = lab.lab.connect.empty() && record ? record->uri : lab.lab.connect;
    std::unique_ptr<virt::Connection> own;
    if (hosts.empty())
        own =
            std::make_unique<virt::Connection>(engine::choose_uri(global.connect, connect, driver));
    virt::Connection& connection =
        hosts.empty() ? *own : *hosts[engine::gateway_host(engine::lab_hosts(lab))].connection;
    std::string driver_name = record && !record->driver.empty()
                                  ? record->driver
                                  : virt::to_string(engine::resolve_driver(driver, connection));
    auto status = engine::lab_status(connection, lab, driver_name);
    for (const auto& host : hosts) {
        auto here = engine::lab_status(*host.connection, lab, driver_name);
        for (std::size_t i = 0; i < status.nodes.size(); ++i)
            if (placement[status.nodes[i].name] == host.host.name) {
                status.nodes[i] = here.nodes[i];
                status.nodes[i].host = host.host.name;
            }
    }
    // A node the user stopped shows as `stopped`, not as one that went down by itself.
    auto stopped = engine::load_stopped_nodes(state_dir);
    for (auto& node : status.nodes)
        if (node.state == "shut off" && stopped.count(node.name)) node.state = "stopped";
    // The test driver's guests are fake: never probe their addresses. Elsewhere, each running
    // node is logged into (pinned host key) and asked for its addresses, then each instance
    // on a node that answered is probed, all nodes at once.
    std::vector<engine::NodeStatus*> running;
    for (auto& node : status.nodes)
        if (node.state == "running" && !lab.node(node.name)->nics.empty()) running.push_back(&node);
    if (!connection.is_test_driver() && !running.empty() &&
        std::filesystem::exists(state_dir / "ssh")) {
        auto lab_ssh = remote::open_lab_ssh(state_dir);
        util::parallel_for(running.size(), running.size(), [&](std::size_t k) {
            auto& node = *running[k];
            const auto& spec = *lab.node(node.name);
            observe_node_status(lab_ssh, spec, node);
            if (!node.ssh) return;
            for (const auto& instance : lab.instances_on(spec)) {
                auto health = verify::probe_instance(lab, instance, state_dir);
                node.services.push_back(
                    {instance.service->name, instance.name, health.healthy, health.detail});
            }
        });
    }
    if (options.json)
        out << engine::status_json(status).dump() << "\n";
    else
        engine::print_status_table(status, out);
    return 0;
}

}  // namespace labctl::commands
