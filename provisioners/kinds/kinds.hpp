// Factories of the built-in service kinds, one file each.
#pragma once

#include <memory>

#include "kinds/kind.hpp"

namespace labctl::kinds {
std::unique_ptr<ServiceKind> make_nginx_kind();
std::unique_ptr<ServiceKind> make_activemq_kind();
std::unique_ptr<ServiceKind> make_rabbitmq_kind();
std::unique_ptr<ServiceKind> make_app_kind();
std::unique_ptr<ServiceKind> make_mysql_kind();
}  // namespace labctl::kinds
