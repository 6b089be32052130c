// How verify proves MariaDB replication works: a row written on the primary is read on every
// replica.
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

std::vector<CheckResult> mysql_replication_checks(CheckContext& context,
                                                  const topo::Service& service);

}  // namespace labctl::services
