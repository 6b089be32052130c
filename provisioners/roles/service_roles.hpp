// The roles of the service types other than nginx, one file each.
#pragma once

#include <memory>

#include "roles/role.hpp"

namespace labctl::roles {
std::unique_ptr<Role> make_app_role();
std::unique_ptr<Role> make_activemq_role();
std::unique_ptr<Role> make_rabbitmq_role();
std::unique_ptr<Role> make_mysql_role();
}  // namespace labctl::roles
