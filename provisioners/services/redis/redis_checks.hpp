// How verify proves Redis replication works: a key written on the primary is read on every
// replica.
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

std::vector<CheckResult> redis_replication_checks(CheckContext& context,
                                                  const topo::Service& service);

}  // namespace labctl::services
