// The roles that provision the two brokers on a node (their kinds hand them to the runner).
#pragma once

#include <memory>

#include "services/role.hpp"

namespace labctl::services {
std::unique_ptr<Role> make_activemq_role();
std::unique_ptr<Role> make_rabbitmq_role();
}  // namespace labctl::services
