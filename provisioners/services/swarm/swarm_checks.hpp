// What verify proves about a swarm: read on the leader, every node of the lab's swarm is Ready
// in `docker node ls` with the role the lab file gives it.
#pragma once

#include <string>
#include <vector>

#include "services/service_kind.hpp"
#include "services/swarm/docker_state.hpp"

namespace labctl::services {

std::vector<CheckResult> swarm_node_checks(CheckContext& context, const topo::Service& service);

// The verdict on one declared node from the leader's node list (pure): "" when it is Ready
// with the right role, else what is wrong. A node that left and joined again is listed twice,
// once Down: a Ready entry is what counts.
std::string judge_swarm_node(const std::vector<SwarmNode>& listed, const std::string& node,
                             bool manager);

}  // namespace labctl::services
