// The role that provisions app services on a node (its kind hands it to the runner).
#pragma once

#include <memory>

#include "services/file_install.hpp"
#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_app_role();
}  // namespace labctl::services
