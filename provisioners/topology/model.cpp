#include "topology/model.hpp"

#include <algorithm>
#include <filesystem>
#include <functional>
#include <set>

#include "topology/toml_reader.hpp"

namespace labctl::topo {

std::string to_string(Driver driver) {
    switch (driver) {
        case Driver::automatic:
            return "auto";
        case Driver::kvm:
            return "kvm";
        case Driver::qemu:
            return "qemu";
        case Driver::lxc:
            return "lxc";
    }
    return "?";
}

std::optional<Driver> parse_driver(std::string_view text) {
    if (text == "auto") return Driver::automatic;
    if (text == "kvm") return Driver::kvm;
    if (text == "qemu") return Driver::qemu;
    if (text == "lxc") return Driver::lxc;
    return std::nullopt;
}

std::string to_string(NetworkMode mode) {
    return mode == NetworkMode::nat ? "nat" : "host-only";
}

std::string to_string(ProbeKind kind) {
    switch (kind) {
        case ProbeKind::http:
            return "http";
        case ProbeKind::tcp:
            return "tcp";
        case ProbeKind::command:
            return "command";
        case ProbeKind::relay:
            return "relay";
        case ProbeKind::failover:
            return "failover";
    }
    return "http";
}

const Nic* Node::nic(std::string_view network) const {
    for (const auto& nic : nics)
        if (nic.network == network) return &nic;
    return nullptr;
}

std::string Node::address() const {
    return nics.empty() ? std::string() : nics.front().planned.str();
}

bool Node::uses_cloud_image() const {
    return !is_valid_name(image);
}

std::string Lab::image_file(const Node& node) const {
    namespace fs = std::filesystem;
    fs::path path(node.image);
    if (path.is_relative()) path = fs::path(base_dir.empty() ? "." : base_dir) / path;
    return fs::absolute(path).lexically_normal().string();
}

const Network* Lab::network(std::string_view name) const {
    for (const auto& network : networks)
        if (network.name == name) return &network;
    return nullptr;
}

const Host* Lab::host(std::string_view name) const {
    for (const auto& host : hosts)
        if (host.name == name) return &host;
    return nullptr;
}

const Node* Lab::node(std::string_view name) const {
    for (const auto& node : nodes)
        if (node.name == name) return &node;
    return nullptr;
}

const Service* Lab::service(std::string_view name) const {
    for (const auto& service : services)
        if (service.name == name) return &service;
    return nullptr;
}

std::vector<Instance> Lab::instances(const Service& service) const {
    std::vector<Instance> out;
    for (const auto& on : service.on) {
        const Node* host = node(on.value);
        if (!host) continue;
        int count = service.type->instances_per_node(service);
        for (int i = 0; i < count; ++i) {
            Instance instance{&service, host, service.name + "-" + host->name,
                              service.main_port() + i, i};
            if (count > 1) instance.name.append("-").append(std::to_string(i + 1));
            out.push_back(std::move(instance));
        }
    }
    return out;
}

std::vector<Instance> Lab::instances_on(const Node& host) const {
    std::vector<Instance> out;
    for (const auto& service : services)
        for (auto& instance : instances(service))
            if (instance.node == &host) out.push_back(std::move(instance));
    return out;
}

std::optional<util::Ipv4> Lab::address_between(const Node& from, const Node& to) const {
    for (const auto& nic : to.nics)
        if (from.nic(nic.network)) return nic.planned;
    return std::nullopt;
}

std::vector<std::string> Lab::dependencies(const Service& service) const {
    std::vector<std::string> deps;
    auto add = [&](const std::string& name) {
        if (name != service.name && service_exists(name) &&
            std::find(deps.begin(), deps.end(), name) == deps.end())
            deps.push_back(name);
    };
    for (const auto& name : service.type->used_services(service)) add(name);
    return deps;
}

bool Lab::service_exists(std::string_view name) const {
    return service(name) != nullptr;
}

std::vector<const Service*> Lab::dependency_order() const {
    std::vector<const Service*> order;
    std::set<std::string> done, visiting;
    std::function<void(const Service&)> visit = [&](const Service& service) {
        if (done.count(service.name) || visiting.count(service.name))
            return;  // cycles are validation errors
        visiting.insert(service.name);
        for (const auto& dep : dependencies(service)) visit(*this->service(dep));
        visiting.erase(service.name);
        done.insert(service.name);
        order.push_back(&service);
    };
    for (const auto& service : services) visit(service);
    return order;
}

}  // namespace labctl::topo
