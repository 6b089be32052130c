#include "verify/target.hpp"

#include "services/registry.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::verify {

FaultTarget resolve_fault_target(const topo::Lab& lab, const std::string& text) {
    FaultTarget target;
    target.text = text;
    auto slash = text.find('/');
    std::string node_name = text.substr(0, slash);
    target.node = lab.node(node_name);
    if (!target.node) {
        std::vector<std::string> names;
        for (const auto& node : lab.nodes) names.push_back(node.name);
        auto hint = util::closest_match(node_name, names);
        throw InputError("unknown node `" + node_name + "` in target `" + text + "`" +
                         (hint.empty() ? "" : " (did you mean `" + hint + "`?)") +
                         "; nodes: " + util::join(names, ", "));
    }
    if (slash != std::string::npos) {
        std::string service_name = text.substr(slash + 1);
        target.service = lab.service(service_name);
        if (!target.service)
            throw InputError("unknown service `" + service_name + "` in target `" + text + "`");
        bool on_node = false;
        for (const auto& on : target.service->on) on_node |= on.value == node_name;
        if (!on_node)
            throw InputError("service `" + service_name + "` does not run on node `" + node_name +
                             "`");
        if (!services::kind_of(*target.service).runs_user_instances())
            throw InputError(
                "`" + text + "`: kill works on app instances behind a load balancer; `" +
                service_name + "` is of type " + target.service->type_name() +
                " (use `labctl kill " + node_name + " --mode poweroff` to stop the whole node)");
    }
    for (const auto& instance : lab.instances_on(*target.node))
        if (services::kind_of(*instance.service).runs_user_instances() &&
            (!target.service || instance.service == target.service))
            target.instances.push_back(instance);
    for (const auto& service : lab.services) {
        auto balancing = services::balancing_of(lab, service);
        if (!balancing) continue;
        for (const auto& instance : target.instances) {
            if (balancing->backend == instance.service->name && !service.on.empty()) {
                target.balancer = &service;
                target.balancer_node = lab.node(service.on.front().value);
                target.balancing = *balancing;
                break;
            }
        }
        if (target.balancer) break;
    }
    if (!target.balancer)
        throw InputError(
            "no load balancer fronts `" + text +
            "`: kill measures failover through a load balancer whose backend runs there");
    target.protocol = balancer_protocol(lab, *target.balancer);
    return target;
}

probe::LoadProtocol balancer_protocol(const topo::Lab& lab, const topo::Service& balancer) {
    auto balancing = services::balancing_of(lab, balancer);
    return balancing && !balancing->http ? probe::LoadProtocol::grpc_health
                                         : probe::LoadProtocol::http;
}

std::vector<std::string> failover_warnings(const topo::Lab& lab, const FaultTarget& target) {
    std::vector<std::string> warnings;
    const auto& settings = target.balancing;
    const auto* backend = lab.service(settings.backend);
    if (backend && lab.instances(*backend).size() < 2)
        warnings.push_back("`" + backend->name +
                           "` has a single instance: nothing to fail over to");
    warnings.insert(warnings.end(), settings.failover_warnings.begin(),
                    settings.failover_warnings.end());
    return warnings;
}

}  // namespace labctl::verify
