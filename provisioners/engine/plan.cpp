#include "engine/plan.hpp"

#include "engine/host_access.hpp"
#include "engine/inventory.hpp"
#include "util/error.hpp"

namespace labctl::engine {

std::string Action::describe() const {
    switch (kind) {
        case Kind::define_network:
            return "network " + object + "  define";
        case Kind::start_network:
            return "network " + object + "  start";
        case Kind::define_pool:
            return "pool " + object + "  define";
        case Kind::start_pool:
            return "pool " + object + "  start";
        case Kind::create_volume:
            return "disk " + object + "  clone";
        case Kind::mount_overlay:
            return "overlay " + node + "  mount";
        case Kind::write_seed:
            return "seed " + node + "  write";
        case Kind::define_domain:
            return "domain " + object + "  define";
        case Kind::start_domain:
            return "domain " + object + "  start";
        case Kind::wait_ssh:
            return "node " + node + "  wait for ssh";
    }
    return "?";
}

std::vector<Action> make_plan(const virt::Connection& connection, const Desired& desired,
                              bool wait_for_ssh, bool with_seed) {
    using K = Action::Kind;
    std::vector<Action> plan;
    Inventory inventory = take_inventory(connection, desired.lab);

    for (const auto& network : desired.networks) {
        auto it = inventory.networks.find(network.name);
        if (it == inventory.networks.end()) {
            if (connection.network(network.name))
                throw InfraError("network `" + network.name +
                                     "` exists but carries no labctl tag for lab `" + desired.lab +
                                     "`; labctl does not touch it (remove or rename it)",
                                 {}, "network");
            plan.push_back({K::define_network, network.name, {}});
            plan.push_back({K::start_network, network.name, {}});
        } else if (!virt::Connection::is_active(it->second.get())) {
            plan.push_back({K::start_network, network.name, {}});
        }
    }

    bool pool_exists = false;
    virt::PoolPtr pool;
    if (desired.pool) {
        pool = owned_pool(connection, desired.pool->name, desired.pool->path.string());
        pool_exists = pool != nullptr;
        if (!pool) {
            plan.push_back({K::define_pool, desired.pool->name, {}});
            plan.push_back({K::start_pool, desired.pool->name, {}});
        } else if (!virt::Connection::is_active(pool.get())) {
            plan.push_back({K::start_pool, desired.pool->name, {}});
        }
    }

    std::vector<Action> boot;
    for (const auto& n : desired.nodes) {
        const std::string& node = n.node->name;
        auto it = inventory.domains.find(node);
        bool defined = it != inventory.domains.end();
        if (!defined && connection.domain(n.domain.name))
            throw InfraError("domain `" + n.domain.name +
                                 "` exists but carries no labctl tag for lab `" + desired.lab +
                                 "`; labctl does not touch it (remove or rename it)",
                             node, "define");
        if (n.volume) {
            // An active pool lists its volumes; an inactive or missing one is (re)checked at apply.
            bool have = pool_exists && virt::Connection::is_active(pool.get()) &&
                        connection.volume(pool.get(), n.volume->name) != nullptr;
            if (!have) plan.push_back({K::create_volume, n.volume->name, node});
        }
        bool mounted = n.overlay && (desired.host ? desired.host->is_mounted(n.overlay->merged)
                                                  : is_mount_point(n.overlay->merged));
        if (n.overlay && !mounted) plan.push_back({K::mount_overlay, node, node});
        if (!defined) {
            if (with_seed) plan.push_back({K::write_seed, node, node});
            plan.push_back({K::define_domain, n.domain.name, node});
        }
        bool running =
            defined && virt::Connection::state_of(it->second.get()) == virt::DomainState::running;
        if (!running) boot.push_back({K::start_domain, n.domain.name, node});
    }
    plan.insert(plan.end(), boot.begin(), boot.end());
    if (wait_for_ssh)
        for (const auto& n : desired.nodes)
            plan.push_back({K::wait_ssh, n.node->name, n.node->name});
    return plan;
}

}  // namespace labctl::engine
