#include <future>

#include "commands/lab_commands.hpp"
#include "engine/lab_state.hpp"
#include "engine/lab_status.hpp"
#include "engine/target.hpp"
#include "topology/loader.hpp"
#include "util/paths.hpp"
#include "verify/checks.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

int run_status(const GlobalOptions& global, const StatusOptions& options, std::ostream& out) {
    topo::Lab lab = topo::load_lab_or_throw(global.file);
    auto record = engine::load_record(util::lab_state_dir(lab.lab.name));
    auto driver = engine::requested_driver(global.driver, lab.lab.driver);
    std::string connect = lab.lab.connect.empty() && record ? record->uri : lab.lab.connect;
    virt::Connection connection(engine::choose_uri(global.connect, connect, driver));
    std::string driver_name = record && !record->driver.empty()
                                  ? record->driver
                                  : virt::to_string(engine::resolve_driver(driver, connection));
    // The test driver's guests are fake: never probe their addresses.
    auto status = engine::lab_status(connection, lab, driver_name, !connection.is_test_driver());
    // Service health per instance, probed in parallel on the nodes that answer SSH.
    std::vector<std::pair<engine::NodeStatus*, std::future<engine::ServiceStatus>>> probes;
    for (auto& node : status.nodes) {
        if (!node.ssh) continue;
        for (const auto& instance : lab.instances_on(*lab.node(node.name))) {
            probes.emplace_back(&node, std::async(std::launch::async, [&lab, instance] {
                auto health = verify::probe_instance(lab, instance, util::lab_state_dir(lab.lab.name));
                return engine::ServiceStatus{instance.service->name, instance.name, health.healthy, health.detail};
            }));
        }
    }
    for (auto& [node, probe] : probes) node->services.push_back(probe.get());
    if (options.json)
        out << engine::status_json(status).dump() << "\n";
    else
        engine::print_status_table(status, out);
    return 0;
}

}  // namespace labctl::commands
