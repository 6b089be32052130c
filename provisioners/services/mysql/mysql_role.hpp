// The role that provisions mysql services on a node (its kind hands it to the runner), and the
// check its staged .cnf goes through.
#pragma once

#include <memory>

#include "services/file_install.hpp"
#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_mysql_role();
Validator mariadb_cnf_validator();
}  // namespace labctl::services
