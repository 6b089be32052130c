// How verify proves a balancer works: requests through it reach every backend in the share its
// strategy and weights promise (for a gRPC backend, which labctl cannot call, its port
// accepting TCP).
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

std::vector<CheckResult> balancer_checks(CheckContext& context, const topo::Service& service,
                                         const Balancing& balancing);

}  // namespace labctl::services
