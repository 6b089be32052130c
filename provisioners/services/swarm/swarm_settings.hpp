// Docker Swarm's own keys: the managers (the first one initialises the swarm and runs the
// lab's registry) and the workers that join it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "util/ipv4.hpp"

namespace labctl::services {

struct SwarmSettings : topo::ServiceSettings {
    std::vector<topo::Located<std::string>> managers;  // `manager = "m"` or `managers = [..]`
    std::vector<topo::Located<std::string>> workers;
    // `labels = { NODE = { KEY = "VALUE" } }`: engine labels in that node's daemon.json, for
    // placement constraints such as "engine.labels.zone == a".
    struct NodeLabel {
        std::string node, key, value;
        topo::Pos pos;
    };
    std::vector<NodeLabel> labels;
    int registry_port = 5000;
    topo::Pos registry_port_pos;

    // The first manager: it initialises the swarm. "" in a lab that names none (an error the
    // loader reports while everything else is still checked).
    const std::string& leader() const {
        static const std::string none;
        return managers.empty() ? none : managers.front().value;
    }
    bool is_manager(const std::string& node) const;
};

inline bool is_swarm(const topo::Service& service) {
    return dynamic_cast<const SwarmSettings*>(service.settings.get()) != nullptr;
}

inline const SwarmSettings& swarm_settings(const topo::Service& service) {
    return service.settings_as<SwarmSettings>();
}

constexpr int kSwarmManagementPort = 2377;
inline constexpr const char* kDaemonJson = "/etc/docker/daemon.json";
inline constexpr const char* kRegistryConfig = "/etc/docker/registry/config.yml";
constexpr int kSwarmGossipPort = 7946;  // TCP and UDP between every pair of nodes

// The address NODE uses in the swarm: its address on the first network of the leader that
// every node of the swarm shares. nullopt when there is none (validation reports it).
std::optional<util::Ipv4> swarm_address(const topo::Lab& lab, const topo::Service& swarm,
                                        const topo::Node& node);

// The lab's registry, "ADDRESS:PORT" on the leader (what daemon.json lists as insecure and
// image names start with); "" when the leader has no swarm address.
std::string swarm_registry(const topo::Lab& lab, const topo::Service& swarm);

// The names of the secrets holding the join tokens in the lab's state (store/secrets.hpp).
std::string swarm_token_secret(const topo::Service& swarm, bool manager);

}  // namespace labctl::services
