#include "commands/node_start.hpp"

#include <fmt/format.h>

#include "commands/link_impairment.hpp"
#include "commands/node_readiness.hpp"
#include "commands/node_seed.hpp"
#include "engine/apply.hpp"
#include "engine/desired.hpp"
#include "engine/stopped_nodes.hpp"
#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/stamp.hpp"
#include "verify/checks.hpp"

namespace labctl::commands {

namespace {

using Clock = std::chrono::steady_clock;

// Every service instance on NODES answers its health probe, polled with backoff.
void wait_for_instances(const topo::Lab& lab, const std::filesystem::path& state_dir,
                        const std::vector<std::string>& nodes, int jobs,
                        std::chrono::seconds timeout, util::Reporter& report) {
    std::vector<topo::Instance> instances;
    for (const auto& name : nodes)
        for (auto& instance : lab.instances_on(*lab.node(name)))
            instances.push_back(std::move(instance));
    util::parallel_for(instances.size(), util::jobs_or(jobs, instances.size()), [&](std::size_t k) {
        const auto& instance = instances[k];
        auto began = Clock::now();
        std::string detail;
        util::wait_until(instance.node->name, "service " + instance.name, timeout, [&] {
            auto health = verify::probe_instance(lab, instance, state_dir);
            detail = health.detail;
            return health.healthy ? std::string() : health.detail;
        });
        report.step("node " + instance.node->name + "  " + instance.name + " ready (" + detail +
                    fmt::format(", {:.1f}s)", util::seconds_since(began)));
    });
}

}  // namespace

void start_nodes(engine::LabConnections& hosts, const topo::Lab& lab,
                 const std::filesystem::path& state_dir, virt::DomainKind kind,
                 const std::vector<std::string>& nodes, int jobs, util::Reporter& report) {
    ImageSeedWriter seeds;
    engine::BannerWaiter banner;
    engine::ApplyOptions apply;
    apply.jobs = jobs;
    apply.seeds = &seeds;
    apply.waiter = &banner;
    auto groups = hosts.group(nodes);
    util::parallel_for(groups.size(), groups.size(), [&](std::size_t k) {
        if (groups[k].empty()) return;  // an empty selection would mean every node
        auto& connection = *hosts.host(k).connection;
        auto desired = hosts.desired(lab, kind, groups[k], k);
        auto plan = engine::make_plan(connection, desired, !connection.is_test_driver(), true);
        engine::apply_plan(connection, lab, desired, plan, apply, report);
    });
    // Started now, so no longer the user's stopped node.
    auto stopped = engine::load_stopped_nodes(state_dir);
    for (const auto& node : nodes) stopped.erase(node);
    engine::save_stopped_nodes(state_dir, stopped);
    await_nodes_ready(hosts, lab, state_dir, kind, nodes, jobs, report);
}

void await_nodes_ready(engine::LabConnections& hosts, const topo::Lab& lab,
                       const std::filesystem::path& state_dir, virt::DomainKind kind,
                       const std::vector<std::string>& nodes, int jobs, util::Reporter& report) {
    if (hosts.gateway().is_test_driver() || nodes.empty()) return;
    apply_link_impairments(hosts, lab, state_dir, nodes, report);
    auto timeout =
        std::chrono::duration_cast<std::chrono::seconds>(engine::default_boot_timeout(kind));
    wait_for_planned_addresses(lab, state_dir, nodes, jobs, timeout, report);
    wait_for_instances(lab, state_dir, nodes, jobs, timeout, report);
}

}  // namespace labctl::commands
