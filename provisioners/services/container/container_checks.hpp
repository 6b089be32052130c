// What verify proves about a container service (its health through every node's published
// port is checked per instance before this): N of N tasks running, spread as placed; and
// after `kill NODE --mode poweroff`, when the swarm has brought it back to N of N without
// that node.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "services/service_kind.hpp"

namespace labctl::services {

// One line of `docker service ps SERVICE --filter desired-state=running` in kTaskListFormat.
struct SwarmTask {
    std::string node;
    std::string state;  // "Running 5 seconds ago", "Preparing ...", "Assigned ..."
    bool running() const { return state.rfind("Running", 0) == 0; }
};
extern const char* const kTaskListFormat;
std::vector<SwarmTask> parse_task_list(const std::string& output);

struct TaskVerdict {
    bool ok = false;
    std::string detail;  // "10/10 running: w1 4, w2 3, w3 3"
};
// The tasks of a service of REPLICAS against what it should be: every replica running, none
// on LOST (a node powered off, whose tasks the swarm has not noticed yet), and none on a
// manager when PLACEMENT keeps it to workers (or on a worker when it keeps it to managers).
TaskVerdict judge_tasks(const std::vector<SwarmTask>& tasks, int replicas,
                        const std::vector<std::string>& placement,
                        const std::vector<std::string>& managers, const std::string& lost = "");

std::vector<CheckResult> container_task_checks(CheckContext& context, const topo::Service& service);

ServiceKind::RecoveryProbe container_recovery_probe(const topo::Lab& lab,
                                                    const topo::Service& service,
                                                    const topo::Node& lost);

}  // namespace labctl::services
