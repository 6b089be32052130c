// `labctl stop|start|restart NODE...`: a node's domain stops and starts as it is, so it keeps
// its NICs, MACs, addresses, disk (or overlay) and host keys. `stop` asks the guest to shut
// down and, after a bounded wait, powers it off; the node is recorded as stopped by the user
// so `up` leaves it alone. `start` is `up`'s own machinery for just these nodes (the overlay
// mounted again if the host rebooted, the domain started, SSH awaited), then waits, as `up`
// does, until every NIC has its planned address and every service instance on the node
// answers its health probe. In a lab across hosts each node is stopped and started on its own
// host (engine::LabConnections), the hosts at once.
#include <fmt/format.h>

#include <cstdlib>

#include "commands/lab_loading.hpp"
#include "commands/lifecycle_commands.hpp"
#include "commands/node_start.hpp"
#include "commands/node_targets.hpp"
#include "engine/inventory.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_state.hpp"
#include "engine/lxc_cgroups.hpp"
#include "engine/stopped_nodes.hpp"
#include "engine/target.hpp"
#include "labfile/loader.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/parallel.hpp"
#include "util/reporter.hpp"
#include "util/retry.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

namespace {

using Clock = std::chrono::steady_clock;

// LABCTL_STOP_TIMEOUT=SECONDS: how long a guest may take to shut down before it is powered
// off (default 30 s).
std::chrono::seconds stop_timeout() {
    if (const char* text = std::getenv("LABCTL_STOP_TIMEOUT"); text && *text)
        return std::chrono::seconds(std::max(1, std::atoi(text)));
    return std::chrono::seconds(30);
}

struct PowerRun {
    topo::Lab lab;
    std::filesystem::path state_dir;
    std::vector<std::string> nodes;  // in file order
    engine::LabRecord record;
    virt::DomainKind kind = virt::DomainKind::qemu;
};

void stop_nodes(engine::LabConnections& hosts, const PowerRun& run, int jobs,
                util::Reporter& report) {
    std::vector<engine::Inventory> inventories;
    for (std::size_t i = 0; i < hosts.size(); ++i)
        inventories.push_back(engine::take_inventory(*hosts.host(i).connection, run.lab.lab.name));
    util::parallel_for(run.nodes.size(), util::jobs_or(jobs, run.nodes.size()), [&](std::size_t k) {
        const std::string& node = run.nodes[k];
        auto& connection = hosts.connection(node);
        virDomainPtr domain = inventories[hosts.index_of(node)].domains.at(node).get();
        std::string name = virt::Connection::name_of(domain);
        auto state = virt::Connection::state_of(domain);
        if (state == virt::DomainState::shut_off) {
            report.step("domain " + name + "  already stopped");
            return;
        }
        auto began = Clock::now();
        bool graceful = false;
        if (state == virt::DomainState::running) {
            try {
                connection.shutdown_domain(domain, node);
                auto waited = util::retry_until(
                    began + stop_timeout(),
                    {std::chrono::milliseconds(100), std::chrono::milliseconds(1000)},
                    [&](int) -> std::optional<std::string> {
                        if (virt::Connection::state_of(domain) == virt::DomainState::shut_off)
                            return std::nullopt;
                        return "still running";
                    });
                graceful = waited.done;
            } catch (const InterruptedError&) {
                throw;
            } catch (const InfraError& error) {
                report.warning("domain " + name + "  refused to shut down (" + error.what() +
                               "): powering it off");
            }
        }
        if (!graceful) connection.power_off_domain(domain, node);
        // Its leftover cgroups are on its host; this machine's are the only ones labctl reads.
        if (run.kind == virt::DomainKind::lxc && hosts.remote_nodes({node}).empty())
            engine::remove_container_cgroups(engine::host_cgroup_root, name);
        report.step(
            "domain " + name + "  stopped" + hosts.where(node) +
            (graceful ? fmt::format(" (shut down in {:.1f}s)", util::seconds_since(began))
                      : fmt::format(" (powered off after {:.1f}s)", util::seconds_since(began))));
    });
}

}  // namespace

int run_power(const GlobalOptions& global, const PowerOptions& options, std::ostream& out) {
    util::Reporter report(out, global.verbosity);
    PowerRun run;
    run.lab = load_lab(global);
    for (const auto* node : resolve_node_targets(run.lab, options.nodes))
        run.nodes.push_back(node->name);
    run.state_dir = store::lab_state_dir(run.lab.lab.name);
    engine::LabLock lock(run.state_dir, run.lab.lab.name, options.action);
    auto record = engine::load_record(run.state_dir);
    if (!record)
        throw InfraError("lab " + run.lab.lab.name + " is not up (no state): run labctl up first");
    run.record = *record;
    auto kind = engine::parse_kind(record->driver);
    if (!kind) throw InfraError("lab state names an unknown driver `" + record->driver + "`");
    run.kind = *kind;
    engine::LabConnections hosts(*record, global.connect, run.state_dir, true);

    // Every node must exist: start and stop never create one (that is `up`'s job).
    auto groups = hosts.group(run.nodes);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        if (groups[i].empty()) continue;
        auto& connection = *hosts.host(i).connection;
        auto inventory = engine::take_inventory(connection, run.lab.lab.name);
        for (const auto& node : groups[i])
            if (!inventory.domains.count(node))
                throw InfraError("node " + node + " has no domain on " + connection.uri() +
                                     ": run labctl up first",
                                 node, options.action);
    }

    auto began = Clock::now();
    if (options.action == "stop" || options.action == "restart") {
        // The user's intent first: an interrupted stop still keeps `up` from starting them.
        if (options.action == "stop") {
            auto stopped = engine::load_stopped_nodes(run.state_dir);
            stopped.insert(run.nodes.begin(), run.nodes.end());
            engine::save_stopped_nodes(run.state_dir, stopped);
        }
        stop_nodes(hosts, run, options.jobs, report);
    }
    if (options.action == "start" || options.action == "restart") {
        auto placed = engine::placed_lab(run.lab, record->spanning_networks);
        start_nodes(hosts, placed, run.state_dir, run.kind, run.nodes, options.jobs, report);
    }
    std::string verb = options.action == "stop"    ? "stopped"
                       : options.action == "start" ? "started and ready"
                                                   : "restarted and ready";
    report.step(std::string(run.nodes.size() == 1 ? "node " : "nodes ") +
                util::join(run.nodes, ", ") + " " + verb +
                fmt::format(" ({:.1f}s)", util::seconds_since(began)));
    return 0;
}

}  // namespace labctl::commands
