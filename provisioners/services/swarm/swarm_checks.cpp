#include "services/swarm/swarm_checks.hpp"

#include <chrono>

#include "services/role_support.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::services {

std::string judge_swarm_node(const std::vector<SwarmNode>& listed, const std::string& node,
                             bool manager) {
    std::string seen;
    for (const auto& entry : listed) {
        if (entry.hostname != node) continue;
        bool is_manager = !entry.manager_status.empty();
        if (entry.status == "Ready" && is_manager == manager) return "";
        seen += (seen.empty() ? "" : ", ") + entry.status +
                (is_manager ? " manager (" + entry.manager_status + ")" : " worker");
    }
    if (seen.empty()) return "not in `docker node ls`";
    return "listed as " + seen + "; expected Ready " + (manager ? "manager" : "worker");
}

std::vector<CheckResult> swarm_node_checks(CheckContext& context, const topo::Service& service) {
    using Clock = std::chrono::steady_clock;
    const auto& settings = swarm_settings(service);
    auto start = Clock::now();
    std::vector<CheckResult> results;
    std::vector<SwarmNode> listed;
    std::string error;
    try {
        auto& leader = context.ssh.get(settings.leader());
        auto result =
            leader.run({"docker", "node", "ls", "--format", kNodeListFormat}, sudo_step("verify"));
        if (result.exit_code != 0)
            error = "docker node ls on " + settings.leader() + ": " + util::trim(result.err);
        else
            listed = parse_node_list(result.out);
    } catch (const std::exception& failure) {
        error = failure.what();
    }
    for (const auto& on : service.on) {
        bool manager = settings.is_manager(on.value);
        auto verdict = error.empty() ? judge_swarm_node(listed, on.value, manager) : error;
        results.push_back(
            {"swarm " + service.name + " node " + on.value, verdict.empty(),
             util::seconds_since(start),
             verdict.empty() ? std::string(manager ? "Ready manager" : "Ready worker") : verdict});
    }
    return results;
}

}  // namespace labctl::services
