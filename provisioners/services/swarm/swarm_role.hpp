// The role that provisions a swarm on a node (its kind hands it to the runner): daemon.json
// (and the registry's config on the leader) through the shared pipeline, dockerd started,
// then `swarm init` on the leader or a join everywhere else. The join token travels from the
// leader to labctl's state on stdout and from there to the node on stdin, inside the JSON body
// of the Docker API's /swarm/join: never in an argv (labctl's or the guest's) or a log.
#pragma once

#include <memory>

#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_swarm_role();
}  // namespace labctl::services
