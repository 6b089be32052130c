// The role of a container service, which does its work on the swarm's leader (on the other
// nodes the swarm places its tasks): labctl/debian:12 imported and pushed to the lab's
// registry, the build directory uploaded, built and pushed, an overlay network, the swarm
// service (replicas, placement, env, published port) and, where the kernel has no IPVS,
// labctl's proxy on every node; each swarm object carries the hash of its spec, so a
// re-run over an unchanged lab changes nothing.
#pragma once

#include <memory>

#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_container_role();
}  // namespace labctl::services
