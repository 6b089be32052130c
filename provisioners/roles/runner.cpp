#include "roles/runner.hpp"

#include <algorithm>
#include <exception>
#include <map>
#include <mutex>
#include <thread>

#include "roles/nginx_role.hpp"
#include "roles/service_roles.hpp"
#include "util/error.hpp"
#include "util/interrupt.hpp"

namespace labctl::roles {

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
    switch (service.type) {
        case topo::ServiceType::nginx: return std::make_unique<NginxRole>(systemd_nginx_settings());
        case topo::ServiceType::app: return make_app_role();
        case topo::ServiceType::activemq: return make_activemq_role();
        case topo::ServiceType::rabbitmq: return make_rabbitmq_role();
        case topo::ServiceType::mysql: return make_mysql_role();
    }
    throw NotImplemented("provisioning of " + topo::to_string(service.type) + " services (service " + service.name + ")");
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
        std::map<std::string, std::vector<RoleReport>> reports;
        std::map<std::string, std::exception_ptr> errors;
        std::vector<std::thread> threads;
        for (const auto& node_name : node_order) {
            reports[node_name];
            errors[node_name];
        }
        for (const auto& node_name : node_order) {
            threads.emplace_back([&, node_name] {
                try {
                    const topo::Node* node = lab.node(node_name);
                    if (!node)
                        throw InfraError("service placed on unknown node", node_name, "provision");
                    auto& session = pool.get(node_name);
                    for (const auto* service : by_node.at(node_name)) {
                        util::interrupt_point("provision " + service->name + " on " + node_name);
                        std::vector<render::GeneratedFile> mine;
                        for (const auto& file : files) {
                            if (file.node == node_name && file.service == service->name)
                                mine.push_back(file);
                        }
                        auto role = options.role_for(*service);
                        auto report = role->apply({session, lab, *node, *service, std::move(mine), options.state_dir});
                        if (options.on_report) {
                            std::lock_guard lock(report_mutex);
                            options.on_report(report);
                        }
                        reports.at(node_name).push_back(std::move(report));
                    }
                } catch (...) {
                    errors.at(node_name) = std::current_exception();
                }
            });
        }
        for (auto& thread : threads) thread.join();
        for (const auto& node_name : node_order) {
            for (auto& report : reports.at(node_name)) all.push_back(std::move(report));
        }
        for (const auto& node_name : node_order) {
            if (errors.at(node_name)) std::rethrow_exception(errors.at(node_name));
        }
    }
    return all;
}

}  // namespace labctl::roles
