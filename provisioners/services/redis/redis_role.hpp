// The role that provisions redis services on a node (its kind hands it to the runner), and the
// check its staged config goes through.
#pragma once

#include <memory>

#include "services/file_install.hpp"
#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_redis_role();
Validator redis_config_validator();
}  // namespace labctl::services
