#include "engine/lab_connections.hpp"

#include <algorithm>

#include "engine/network_leftovers.hpp"
#include "util/error.hpp"

namespace labctl::engine {

LabConnections::LabConnections(const LabRecord& record, const std::string& connect,
                               const std::filesystem::path& state_dir, bool shells) {
    if (!record.hosts.empty()) {
        if (!connect.empty())
            throw InputError("--connect: lab `" + record.lab +
                             "` runs across the hosts of its [hosts]; each host's `connect` "
                             "says where");
        hosts_ = recorded_hosts(record);
        sessions_ = open_hosts(hosts_, state_dir, shells);
        placement_ = record.placement;
        gateway_ = gateway_host(hosts_);
        spans_ = true;
        return;
    }
    // One libvirt: its objects and this machine's programs, as before [hosts] existed.
    std::string uri = connect.empty() ? record.uri : connect;
    HostSession session;
    session.host = {"local", uri, "", is_local_uri(uri)};
    session.connection = std::make_unique<virt::Connection>(uri);
    if (shells && !session.connection->is_test_driver())
        session.access = local_host_access(session.host.name);
    sessions_.push_back(std::move(session));
    hosts_.push_back(sessions_.back().host);
}

LabConnections::LabConnections(std::vector<HostSession> sessions,
                               std::map<std::string, std::string> placement)
    : sessions_(std::move(sessions)), placement_(std::move(placement)), spans_(true) {
    for (const auto& session : sessions_) hosts_.push_back(session.host);
    gateway_ = gateway_host(hosts_);
}

std::size_t LabConnections::index_of(const std::string& node) const {
    if (!spans_) return 0;
    if (auto placed = placement_.find(node); placed != placement_.end())
        for (std::size_t i = 0; i < hosts_.size(); ++i)
            if (hosts_[i].name == placed->second) return i;
    return gateway_;
}

virt::Connection& LabConnections::connection(const std::string& node) {
    return *sessions_[index_of(node)].connection;
}

HostAccess* LabConnections::access(const std::string& node) {
    return sessions_[index_of(node)].access.get();
}

std::string LabConnections::where(const std::string& node) const {
    return spans_ ? " on host " + hosts_[index_of(node)].name : "";
}

std::vector<std::vector<std::string>> LabConnections::group(
    const std::vector<std::string>& nodes) const {
    std::vector<std::vector<std::string>> groups(sessions_.size());
    for (const auto& node : nodes) groups[index_of(node)].push_back(node);
    return groups;
}

std::vector<std::string> LabConnections::remote_nodes(const std::vector<std::string>& nodes) const {
    std::vector<std::string> out;
    for (const auto& node : nodes)
        if (spans_ && !hosts_[index_of(node)].local) out.push_back(node);
    return out;
}

Desired LabConnections::desired(const topo::Lab& placed, virt::DomainKind kind,
                                const std::vector<std::string>& nodes, std::size_t index) {
    if (!spans_) return desired_state(placed, kind, nodes, true);
    return desired_on_host(placed, kind, nodes, true, placement_, hosts_, index,
                           sessions_[index].access.get());
}

std::vector<std::string> nodes_off_gateway(const LabRecord& record,
                                           const std::vector<std::string>& nodes) {
    std::vector<std::string> out;
    if (record.hosts.empty()) return out;
    auto hosts = recorded_hosts(record);
    const std::string& gateway = hosts[gateway_host(hosts)].name;
    for (const auto& node : nodes)
        if (auto placed = record.placement.find(node);
            placed != record.placement.end() && placed->second != gateway)
            out.push_back(node);
    return out;
}

topo::Lab placed_lab(const topo::Lab& lab, const std::vector<std::string>& spanning) {
    topo::Lab placed = lab;
    for (auto& network : placed.networks)
        if (std::find(spanning.begin(), spanning.end(), network.name) != spanning.end())
            network.mtu = spanning_mtu;
    return placed;
}

}  // namespace labctl::engine
