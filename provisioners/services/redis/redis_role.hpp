// The role that provisions redis services on a node (its kind hands it to the runner).
#pragma once

#include <memory>

#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_redis_role();
}  // namespace labctl::services
