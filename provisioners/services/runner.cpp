#include "services/runner.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>

#include "services/registry.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"
#include "util/parallel.hpp"

namespace labctl::services {

std::vector<std::vector<const topo::Service*>> service_tiers(const topo::Lab& lab) {
    std::map<std::string, std::size_t> tier_of;
    std::vector<std::vector<const topo::Service*>> tiers;
    // dependency_order() lists dependencies first, so each service's tier is known in time.
    for (const auto* service : lab.dependency_order()) {
        std::size_t tier = 0;
        for (const auto& dep : lab.dependencies(*service)) {
            if (auto it = tier_of.find(dep); it != tier_of.end())
                tier = std::max(tier, it->second + 1);
        }
        tier_of[service->name] = tier;
        if (tiers.size() <= tier) tiers.resize(tier + 1);
        tiers[tier].push_back(service);
    }
    return tiers;
}

std::unique_ptr<Role> default_role(const topo::Service& service) {
    return kind_of(service).make_role();
}

std::vector<RoleReport> provision(const topo::Lab& lab,
                                  const std::vector<render::GeneratedFile>& files,
                                  remote::SessionPool& pool, const ProvisionOptions& options) {
    std::vector<RoleReport> all;
    std::mutex report_mutex;
    for (const auto& tier : service_tiers(lab)) {
        // node -> its services in this tier, in file order
        std::map<std::string, std::vector<const topo::Service*>> by_node;
        std::vector<std::string> node_order;
        for (const auto* service : tier) {
            for (const auto& on : service->on) {
                if (!by_node.count(on.value)) node_order.push_back(on.value);
                auto& list = by_node[on.value];
                if (std::find(list.begin(), list.end(), service) == list.end())
                    list.push_back(service);
            }
        }
        // Nodes the others of the tier wait for (a swarm's leader hands out the join tokens,
        // a primary is what its replicas copy) start first: slots are taken in order, so with
        // fewer --jobs than nodes a waiting node never holds the slot its leader needs.
        std::stable_partition(node_order.begin(), node_order.end(), [&](const std::string& name) {
            const topo::Node* node = lab.node(name);
            const auto& services = by_node[name];
            return node && std::any_of(services.begin(), services.end(), [&](const auto* service) {
                       return kind_of(*service).provision_first(*service, *node);
                   });
        });
        // One slot per node, so reports keep the node order whichever thread ends first.
        std::vector<std::vector<RoleReport>> reports(node_order.size());
        std::vector<std::exception_ptr> errors(node_order.size());
        // Guests do the work and labctl waits on SSH, so by default every node of a tier runs
        // at once; --jobs N bounds it like boot.
        std::size_t jobs = options.jobs > 0 ? options.jobs : node_order.size();
        util::parallel_for(node_order.size(), jobs, [&](std::size_t index) {
            const std::string& node_name = node_order[index];
            try {
                const topo::Node* node = lab.node(node_name);
                if (!node)
                    throw InfraError("service placed on unknown node", node_name, "provision");
                auto& session = pool.get(node_name);
                for (const auto* service : by_node.at(node_name)) {
                    util::interrupt_point("provision " + service->name + " on " + node_name);
                    if (!service->provision) {
                        // The node and its packages are there; the service is the student's.
                        RoleReport report{node_name, service->name, {}};
                        report.left_for_student = true;
                        if (options.on_report) {
                            std::lock_guard lock(report_mutex);
                            options.on_report(report);
                        }
                        reports[index].push_back(std::move(report));
                        continue;
                    }
                    std::vector<render::GeneratedFile> mine;
                    for (const auto& file : files) {
                        if (file.node == node_name && file.service == service->name)
                            mine.push_back(file);
                    }
                    auto role = options.role_for(*service);
                    auto report = role->apply(
                        {session, lab, *node, *service, std::move(mine), options.state_dir});
                    if (options.on_report) {
                        std::lock_guard lock(report_mutex);
                        options.on_report(report);
                    }
                    reports[index].push_back(std::move(report));
                }
            } catch (...) {
                // Kept per node: the other nodes of the tier finish what they started.
                errors[index] = std::current_exception();
            }
        });
        for (auto& node_reports : reports)
            for (auto& report : node_reports) all.push_back(std::move(report));
        for (const auto& error : errors)
            if (error) std::rethrow_exception(error);
    }
    return all;
}

}  // namespace labctl::services
