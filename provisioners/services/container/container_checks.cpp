#include "services/container/container_checks.hpp"

#include <algorithm>
#include <chrono>

#include "services/container/container_settings.hpp"
#include "services/role_support.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "util/stamp.hpp"
#include "util/strings.hpp"

namespace labctl::services {

const char* const kTaskListFormat = "{{.Node}}|{{.CurrentState}}";

std::vector<SwarmTask> parse_task_list(const std::string& output) {
    std::vector<SwarmTask> tasks;
    for (const auto& line : util::split(output, '\n')) {
        auto fields = util::split(util::trim(line), '|');
        if (fields.size() < 2) continue;
        tasks.push_back({fields[0], fields[1]});
    }
    return tasks;
}

TaskVerdict judge_tasks(const std::vector<SwarmTask>& tasks, int replicas,
                        const std::vector<std::string>& placement,
                        const std::vector<std::string>& managers, const std::string& lost) {
    auto has = [&](const std::string& constraint) {
        for (const auto& text : placement) {
            std::string compact;
            for (char c : text)
                if (c != ' ') compact += c;
            if (compact == constraint) return true;
        }
        return false;
    };
    bool workers_only = has("node.role==worker") || has("node.role!=manager");
    bool managers_only = has("node.role==manager") || has("node.role!=worker");
    std::map<std::string, int> per_node;
    int running = 0;
    std::string misplaced;
    for (const auto& task : tasks) {
        if (!task.running() || task.node == lost) continue;
        ++running;
        ++per_node[task.node];
        bool manager = std::find(managers.begin(), managers.end(), task.node) != managers.end();
        if ((workers_only && manager) || (managers_only && !manager))
            misplaced += (misplaced.empty() ? "" : ", ") + task.node;
    }
    TaskVerdict verdict;
    verdict.detail = std::to_string(running) + "/" + std::to_string(replicas) + " running";
    std::string spread;
    for (const auto& [node, count] : per_node)
        spread += (spread.empty() ? ": " : ", ") + node + " " + std::to_string(count);
    verdict.detail += spread;
    if (!lost.empty()) verdict.detail += " (without " + lost + ")";
    if (!misplaced.empty()) verdict.detail += "; against the placement on " + misplaced;
    verdict.ok = running == replicas && misplaced.empty();
    return verdict;
}

namespace {

struct TaskRead {
    std::vector<SwarmTask> tasks;
    std::string error;
};

TaskRead read_tasks(remote::Session& leader, const topo::Service& service,
                    const std::string& step) {
    auto result = leader.run({"docker", "service", "ps", service.name, "--filter",
                              "desired-state=running", "--format", kTaskListFormat},
                             sudo_step(step, std::chrono::seconds(30)));
    if (result.exit_code != 0)
        return {{}, "docker service ps " + service.name + ": " + util::trim(result.err)};
    return {parse_task_list(result.out), ""};
}

struct Placement {
    std::string leader;
    std::vector<std::string> managers;
};

std::optional<Placement> placement_of(const topo::Lab& lab, const topo::Service& service) {
    const auto* swarm = lab.service(container_settings(service).cluster.value);
    if (!swarm || !is_swarm(*swarm)) return std::nullopt;
    Placement placement{swarm_settings(*swarm).leader(), {}};
    for (const auto& manager : swarm_settings(*swarm).managers)
        placement.managers.push_back(manager.value);
    return placement;
}

std::vector<std::string> constraint_texts(const topo::Service& service) {
    std::vector<std::string> texts;
    for (const auto& constraint : container_settings(service).placement)
        texts.push_back(constraint.value);
    return texts;
}

}  // namespace

std::vector<CheckResult> container_task_checks(CheckContext& context,
                                               const topo::Service& service) {
    auto start = std::chrono::steady_clock::now();
    const auto& settings = container_settings(service);
    std::string name = "tasks " + service.name;
    auto placement = placement_of(context.lab, service);
    if (!placement) return {{name, false, 0, "no swarm `" + settings.cluster.value + "`"}};
    TaskRead read;
    try {
        read = read_tasks(context.ssh.get(placement->leader), service, "verify");
    } catch (const std::exception& error) {
        read.error = error.what();
    }
    if (!read.error.empty()) return {{name, false, util::seconds_since(start), read.error}};
    auto verdict =
        judge_tasks(read.tasks, settings.replicas, constraint_texts(service), placement->managers);
    return {{name, verdict.ok, util::seconds_since(start), verdict.detail}};
}

ServiceKind::RecoveryProbe container_recovery_probe(const topo::Lab& lab,
                                                    const topo::Service& service,
                                                    const topo::Node& lost) {
    auto placement = placement_of(lab, service);
    if (!placement || placement->leader == lost.name) return {};  // no manager left to ask
    int replicas = container_settings(service).replicas;
    auto constraints = constraint_texts(service);
    std::string lost_name = lost.name;
    const topo::Service* target = &service;
    return [=](remote::SessionPool& pool) -> std::string {
        auto read = read_tasks(pool.get(placement->leader), *target, "recovery");
        if (!read.error.empty()) return read.error;
        auto verdict =
            judge_tasks(read.tasks, replicas, constraints, placement->managers, lost_name);
        return verdict.ok ? "" : verdict.detail;
    };
}

}  // namespace labctl::services
