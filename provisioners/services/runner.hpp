// Runs the roles of a whole lab: services in dependency tiers (brokers and databases, then
// the apps that use them, then the load balancers in front), and within a tier every node
// in parallel (at most --jobs at once), each on its own pooled SSH session. One node's services run
// one after the other, so a Session is never shared between threads.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "remote/pool.hpp"
#include "render/generated_file.hpp"
#include "services/role.hpp"
#include "topology/model.hpp"

namespace labctl::services {

// Tier of a service = 1 + the highest tier among what it depends on (0 for none).
std::vector<std::vector<const topo::Service*>> service_tiers(const topo::Lab& lab);

using RoleFor = std::function<std::unique_ptr<Role>(const topo::Service&)>;

// The role labctl ships for SERVICE's type, from its kind (services/registry.hpp).
std::unique_ptr<Role> default_role(const topo::Service& service);

struct ProvisionOptions {
    RoleFor role_for = default_role;
    std::function<void(const RoleReport&)> on_report;  // called as each (service, node) ends
    std::filesystem::path state_dir;                   // handed to every role
    std::size_t jobs = 0;  // nodes provisioned at once (--jobs); 0: every node of a tier
};

// Applies every service's role on every node it runs on. Stops after the first tier with a
// failure (later tiers depend on it) and rethrows that failure (node and step included).
std::vector<RoleReport> provision(const topo::Lab& lab,
                                  const std::vector<render::GeneratedFile>& files,
                                  remote::SessionPool& pool, const ProvisionOptions& options = {});

}  // namespace labctl::services
