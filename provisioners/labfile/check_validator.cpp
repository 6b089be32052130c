#include "labfile/check_validator.hpp"

#include <charconv>

#include "services/registry.hpp"
#include "topology/toml_reader.hpp"
#include "util/strings.hpp"

namespace labctl::labfile {

using namespace topo;

namespace {

std::string did_you_mean(const std::string& name, const std::vector<std::string>& names) {
    auto hint = util::closest_match(name, names);
    return hint.empty() ? "" : " (did you mean `" + hint + "`?)";
}

std::vector<std::string> node_names(const Lab& lab) {
    std::vector<std::string> names;
    for (const auto& node : lab.nodes) names.push_back(node.name);
    return names;
}

std::vector<std::string> service_names(const Lab& lab) {
    std::vector<std::string> names;
    for (const auto& service : lab.services) names.push_back(service.name);
    return names;
}

bool known_node(const Lab& lab, const std::string& name, Pos pos, const std::string& where,
                Diagnostics& diagnostics) {
    if (lab.node(name)) return true;
    diagnostics.error(
        pos, "unknown node `" + name + "` in " + where + did_you_mean(name, node_names(lab)));
    return false;
}

void check_node_port(const Lab& lab, const DeclaredCheck& check, Diagnostics& diagnostics) {
    auto parsed = parse_node_port(check.target.value);
    if (!parsed) {
        diagnostics.error(check.target.pos,
                          "`" + to_string(check.kind) + "` target `" + check.target.value +
                              "` must be NODE:PORT such as server1:8080 (port 1..65535)");
        return;
    }
    known_node(lab, parsed->node, check.target.pos, "check `" + check.name + "`", diagnostics);
}

void check_http(const Lab& lab, const DeclaredCheck& check, Diagnostics& diagnostics) {
    if (check.target.value.find(':') != std::string::npos)
        return check_node_port(lab, check, diagnostics);
    const auto* service = lab.service(check.target.value);
    if (!service) {
        diagnostics.error(check.target.pos,
                          "unknown service `" + check.target.value + "` in `http`" +
                              did_you_mean(check.target.value, service_names(lab)) +
                              "; give a balancer or app service, or NODE:PORT");
        return;
    }
    const auto& kind = services::kind_of(*service);
    if (kind.balancing(lab, *service)) return;
    if (!kind.runs_user_instances()) {
        diagnostics.error(check.target.pos, "`http` names `" + service->name + "` of type " +
                                                service->type_name() +
                                                "; give a balancer or app service, or NODE:PORT");
    } else if (kind.http_health(*service).empty()) {
        diagnostics.error(
            check.target.pos,
            "`http` names `" + service->name +
                "`, a gRPC app that does not speak HTTP/1.1; use a tcp or command check");
    }
}

void check_relay(const Lab& lab, const DeclaredCheck& check, Diagnostics& diagnostics) {
    const auto* service = lab.service(check.target.value);
    if (!service) {
        diagnostics.error(check.target.pos,
                          "unknown service `" + check.target.value + "` in `relay`" +
                              did_you_mean(check.target.value, service_names(lab)));
        return;
    }
    const auto& kind = services::kind_of(*service);
    if (!kind.runs_user_instances() || kind.http_health(*service).empty()) {
        diagnostics.error(check.target.pos,
                          "`relay` names `" + service->name + "` of type " + service->type_name() +
                              "; a relay posts to and reads from an HTTP app service");
        return;
    }
    auto instances = lab.instances(*service).size();
    if (instances < 2)
        diagnostics.error(check.target.pos,
                          "`relay` names `" + service->name + "`, which has " +
                              std::to_string(instances) +
                              " instance; a relay needs at least 2 (post on one, read on another)");
}

// The same rules as `labctl kill TARGET`, reported at the value instead of thrown.
void check_failover(const Lab& lab, const DeclaredCheck& check, Diagnostics& diagnostics) {
    const auto& text = check.target.value;
    auto slash = text.find('/');
    std::string node_name = text.substr(0, slash);
    if (!known_node(lab, node_name, check.target.pos, "`failover` target `" + text + "`",
                    diagnostics))
        return;
    const Node& node = *lab.node(node_name);
    const Service* only = nullptr;
    if (slash != std::string::npos) {
        std::string service_name = text.substr(slash + 1);
        only = lab.service(service_name);
        if (!only) {
            diagnostics.error(check.target.pos, "unknown service `" + service_name +
                                                    "` in `failover` target `" + text + "`" +
                                                    did_you_mean(service_name, service_names(lab)));
            return;
        }
        if (!services::kind_of(*only).runs_user_instances()) {
            diagnostics.error(check.target.pos,
                              "`failover` target `" + text + "`: `" + service_name +
                                  "` is of type " + only->type_name() +
                                  "; a failover kills app instances (or a whole NODE)");
            return;
        }
    }
    bool fronted = false;
    bool any_instance = false;
    for (const auto& instance : lab.instances_on(node)) {
        if (!services::kind_of(*instance.service).runs_user_instances() ||
            (only && instance.service != only))
            continue;
        any_instance = true;
        for (const auto& service : lab.services) {
            auto balancing = services::balancing_of(lab, service);
            if (balancing && balancing->backend == instance.service->name) fronted = true;
        }
    }
    if (!any_instance)
        diagnostics.error(
            check.target.pos,
            "`failover` target `" + text + "` runs no app instance on node `" + node_name + "`");
    else if (!fronted)
        diagnostics.error(check.target.pos,
                          "no load balancer fronts `" + text +
                              "`: a failover check measures requests through a balancer whose "
                              "backend runs there");
}

}  // namespace

std::optional<NodePort> parse_node_port(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    auto node = text.substr(0, colon);
    auto port_text = text.substr(colon + 1);
    if (!is_valid_name(node) || port_text.empty() || port_text.size() > 5) return std::nullopt;
    int port = 0;
    auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port < 1 ||
        port > 65535)
        return std::nullopt;
    return NodePort{std::string(node), port};
}

void validate_checks(const Lab& lab, Diagnostics& diagnostics) {
    for (const auto& check : lab.checks) {
        // A target of the wrong type was reported while loading and has no position.
        if (check.kind != ProbeKind::command && check.target.pos.line == 0) continue;
        switch (check.kind) {
            case ProbeKind::http:
                check_http(lab, check, diagnostics);
                break;
            case ProbeKind::tcp:
                check_node_port(lab, check, diagnostics);
                break;
            case ProbeKind::command:
                if (!check.on.value.empty())
                    known_node(lab, check.on.value, check.on.pos,
                               "`on` of check `" + check.name + "`", diagnostics);
                break;
            case ProbeKind::relay:
                check_relay(lab, check, diagnostics);
                break;
            case ProbeKind::failover:
                check_failover(lab, check, diagnostics);
                break;
        }
    }
}

}  // namespace labctl::labfile
