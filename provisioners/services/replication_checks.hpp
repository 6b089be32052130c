// The check of any primary + replicas type (MariaDB, Redis): something written on the primary
// is read on every replica, each replica polled until it has it. The type says how to write
// and read; this says when, in parallel under --jobs, and how it is reported.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "remote/session.hpp"
#include "services/service_kind.hpp"

namespace labctl::services {

struct ReplicationProbe {
    std::string what;  // what the replicas must see, for the report: "row", "key"
    // Writes it on the primary: "" or why it failed. May throw.
    std::function<std::string(remote::Session& primary)> write;
    // "" when the replica has it, else why not. May throw.
    std::function<std::string(remote::Session& replica)> read;
};

std::vector<CheckResult> replication_checks(CheckContext& context, const topo::Service& service,
                                            const topo::Located<std::string>& primary,
                                            const std::vector<topo::Located<std::string>>& replicas,
                                            const ReplicationProbe& probe);

}  // namespace labctl::services
