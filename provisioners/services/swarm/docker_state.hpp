// What `docker info` says about a node's place in a swarm, read over SSH and parsed here
// (pure, so it is unit tested), for the swarm role, its checks and the container role.
#pragma once

#include <string>
#include <vector>

#include "remote/session.hpp"

namespace labctl::services {

struct SwarmState {
    std::string local_state;  // inactive | pending | active | error | locked
    bool control = false;     // a manager
    std::string node_id;
    std::string node_addr;
    std::vector<std::string> remote_managers;  // "ADDRESS:2377"
};

// The `docker info --format` template whose output parse_swarm_state reads.
extern const char* const kSwarmStateFormat;
SwarmState parse_swarm_state(const std::string& output);
// Throws InfraError (naming NODE and STEP) when docker does not answer.
SwarmState swarm_state(remote::Session& session, const std::string& step);

// One line of `docker node ls --format '{{.Hostname}} {{.Status}} {{.ManagerStatus}}'`.
struct SwarmNode {
    std::string hostname;
    std::string status;          // Ready | Down | Unknown
    std::string manager_status;  // Leader | Reachable | Unreachable | "" (a worker)
};
extern const char* const kNodeListFormat;
std::vector<SwarmNode> parse_node_list(const std::string& output);

}  // namespace labctl::services
