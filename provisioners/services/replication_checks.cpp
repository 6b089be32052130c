#include "services/replication_checks.hpp"

#include <fmt/format.h>

#include <chrono>

#include "util/parallel.hpp"
#include "util/retry.hpp"
#include "util/stamp.hpp"

namespace labctl::services {

std::vector<CheckResult> replication_checks(CheckContext& context, const topo::Service& service,
                                            const topo::Located<std::string>& primary,
                                            const std::vector<topo::Located<std::string>>& replicas,
                                            const ReplicationProbe& probe) {
    auto start = std::chrono::steady_clock::now();
    std::string write_error;
    try {
        write_error = probe.write(context.ssh.get(primary.value));
    } catch (const std::exception& error) {
        write_error = error.what();
    }
    if (!write_error.empty())
        return {{"replication " + service.name + " write on " + primary.value, false,
                 util::seconds_since(start), write_error}};
    double written_at = util::seconds_since(start);
    std::vector<CheckResult> results(replicas.size());
    util::parallel_for(replicas.size(), context.width(replicas.size()), [&](std::size_t i) {
        const auto& replica = replicas[i].value;
        std::string name = "replication " + service.name + " " + primary.value + "->" + replica;
        try {
            util::wait_until(replica, "verify replication", std::chrono::seconds(20),
                             [&] { return probe.read(context.ssh.get(replica)); });
            results[i] = {name, true, util::seconds_since(start),
                          fmt::format("{} read on the replica {:.2f}s after the write", probe.what,
                                      util::seconds_since(start) - written_at)};
        } catch (const std::exception& error) {
            results[i] = {name, false, util::seconds_since(start), error.what()};
        }
    });
    return results;
}

}  // namespace labctl::services
