// How verify proves a broker works: a STOMP CONNECT answered by CONNECTED (as the lab user on
// RabbitMQ), and a message published on one connection received on another.
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

Health broker_health(const std::filesystem::path& state_dir, const topo::Instance& instance);
std::vector<CheckResult> broker_relay_checks(CheckContext& context, const topo::Service& service);

}  // namespace labctl::services
