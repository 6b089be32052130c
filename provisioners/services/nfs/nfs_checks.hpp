// What verify proves about an NFS share: a file written through the first client's mount is
// read through every other client's (or, with one client, in the server's export).
#pragma once

#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

std::vector<CheckResult> nfs_shared_file_checks(CheckContext& context,
                                                const topo::Service& service);

}  // namespace labctl::services
