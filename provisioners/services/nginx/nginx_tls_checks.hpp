// What verify proves about a balancer with `tls = true`, on each of its nodes: its HTTPS
// certificate chains to the lab's CA and names the address it was reached at (libcurl with
// only that CA trusted, peer and host verified), and plain HTTP on `listen` answers 301 to
// the same host on `tls_listen`.
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

std::vector<CheckResult> nginx_tls_checks(CheckContext& context, const topo::Service& service);

}  // namespace labctl::services
