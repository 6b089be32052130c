#include "remote/lab_ssh.hpp"

#include <nlohmann/json.hpp>

#include "util/files.hpp"

namespace labctl::remote {

namespace fs = std::filesystem;

LabSsh open_lab_ssh(const fs::path& state_dir) {
    LabSsh lab_ssh;
    lab_ssh.state_dir = state_dir;
    lab_ssh.key = existing_lab_key(state_dir);
    lab_ssh.known_hosts = known_hosts_path(state_dir);
    if (!fs::exists(lab_ssh.known_hosts)) {
        throw InfraError("the lab has no pinned host keys yet (" + lab_ssh.known_hosts.string() +
                         "): run `labctl up` first");
    }
    lab_ssh.endpoints = read_endpoints(endpoints_path(state_dir));
    return lab_ssh;
}

std::map<std::string, Endpoint> read_endpoints(const fs::path& file) {
    std::map<std::string, Endpoint> endpoints;
    if (!fs::exists(file)) return endpoints;
    try {
        auto json = nlohmann::json::parse(util::read_file(file));
        for (const auto& [node, value] : json.items()) {
            endpoints[node] = {value.at("host").get<std::string>(), value.value("port", 22)};
        }
    } catch (const nlohmann::json::exception& error) {
        throw InfraError("bad SSH endpoints file " + file.string() + ": " + error.what());
    }
    return endpoints;
}

void write_endpoint(const fs::path& state_dir, const std::string& node, const Endpoint& endpoint) {
    auto file = endpoints_path(state_dir);
    util::make_dirs(file.parent_path(), 0700);
    nlohmann::json json = nlohmann::json::object();
    for (const auto& [name, value] : read_endpoints(file))
        json[name] = {{"host", value.host}, {"port", value.port}};
    json[node] = {{"host", endpoint.host}, {"port", endpoint.port}};
    util::write_file_atomic(file, json.dump(2) + "\n", 0600);
}

Endpoint endpoint_of(const LabSsh& lab_ssh, const topo::Node& node) {
    if (auto it = lab_ssh.endpoints.find(node.name); it != lab_ssh.endpoints.end())
        return it->second;
    if (node.nics.empty())
        throw InfraError("node has no network interface to reach it by", node.name, "ssh connect");
    return {node.address(), 22};
}

ConnectOptions connect_options(const LabSsh& lab_ssh, const topo::Node& node) {
    ConnectOptions options;
    options.node = node.name;
    options.endpoint = endpoint_of(lab_ssh, node);
    options.user = node.user;
    options.private_key = lab_ssh.key.private_path;
    options.known_hosts = lab_ssh.known_hosts;
    return options;
}

}  // namespace labctl::remote
