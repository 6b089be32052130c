// How labctl reaches the nodes of one lab: the lab key and known_hosts in the lab's state
// directory, and each node's SSH endpoint: its first NIC's planned address on port 22,
// unless ssh/endpoints.json maps the node elsewhere (a port forward, a container address,
// or a test's sshd on 127.0.0.1:PORT), e.g. {"server1": {"host": "127.0.0.1", "port": 2222}}.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "remote/keys.hpp"
#include "remote/session.hpp"
#include "topology/model.hpp"

namespace labctl::remote {

struct LabSsh {
    std::filesystem::path state_dir;
    LabKey key;
    std::filesystem::path known_hosts;
    std::map<std::string, Endpoint> endpoints;  // overrides from ssh/endpoints.json
};

// The lab's SSH material; InfraError (exit 3, "run labctl up first") when it has none yet.
LabSsh open_lab_ssh(const std::filesystem::path& state_dir);

std::map<std::string, Endpoint> read_endpoints(const std::filesystem::path& file);
// Records NODE's endpoint in ssh/endpoints.json (atomically, keeping the other nodes).
void write_endpoint(const std::filesystem::path& state_dir, const std::string& node,
                    const Endpoint& endpoint);

Endpoint endpoint_of(const LabSsh& lab_ssh, const topo::Node& node);
ConnectOptions connect_options(const LabSsh& lab_ssh, const topo::Node& node);

}  // namespace labctl::remote
