#include "services/swarm/docker_state.hpp"

#include "services/role_support.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::services {

const char* const kSwarmStateFormat =
    "{{.Swarm.LocalNodeState}}|{{.Swarm.ControlAvailable}}|{{.Swarm.NodeID}}|"
    "{{.Swarm.NodeAddr}}|{{range .Swarm.RemoteManagers}}{{.Addr}} {{end}}";

SwarmState parse_swarm_state(const std::string& output) {
    SwarmState state;
    auto fields = util::split(util::trim(output), '|');
    if (fields.size() < 5) return state;
    state.local_state = fields[0];
    state.control = fields[1] == "true";
    state.node_id = fields[2];
    state.node_addr = fields[3];
    for (const auto& addr : util::split(fields[4], ' '))
        if (!addr.empty()) state.remote_managers.push_back(addr);
    return state;
}

SwarmState swarm_state(remote::Session& session, const std::string& step) {
    auto result = session.run({"docker", "info", "--format", kSwarmStateFormat}, sudo_step(step));
    if (result.exit_code != 0)
        throw InfraError("docker info: " + util::trim(result.err), session.node(), step);
    return parse_swarm_state(result.out);
}

const char* const kNodeListFormat = "{{.Hostname}}|{{.Status}}|{{.ManagerStatus}}";

std::vector<SwarmNode> parse_node_list(const std::string& output) {
    std::vector<SwarmNode> nodes;
    for (const auto& line : util::split(output, '\n')) {
        auto fields = util::split(util::trim(line), '|');
        if (fields.size() < 3 || fields[0].empty()) continue;
        nodes.push_back({fields[0], fields[1], fields[2]});
    }
    return nodes;
}

}  // namespace labctl::services
