#include "labfile/validator.hpp"

#include <functional>
#include <map>

#include "labfile/check_validator.hpp"
#include "services/registry.hpp"
#include "topology/references.hpp"
#include "util/strings.hpp"

namespace labctl::labfile {

using namespace topo;

namespace {

void check_subnets(const Lab& lab, Diagnostics& diagnostics) {
    for (std::size_t i = 0; i < lab.networks.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (lab.networks[i].subnet.overlaps(lab.networks[j].subnet))
                diagnostics.error(lab.networks[i].subnet_pos,
                                  "subnet " + lab.networks[i].subnet.str() + " of network `" +
                                      lab.networks[i].name + "` overlaps subnet " +
                                      lab.networks[j].subnet.str() + " of network `" +
                                      lab.networks[j].name + "`");
}

bool check_service_nodes(const Lab& lab, const Service& service, Diagnostics& diagnostics) {
    bool ok = true;
    std::vector<std::string> names;
    for (const auto& node : lab.nodes) names.push_back(node.name);
    for (std::size_t i = 0; i < service.on.size(); ++i) {
        const auto& on = service.on[i];
        if (!lab.node(on.value)) {
            auto hint = util::closest_match(on.value, names);
            diagnostics.error(on.pos, "unknown node `" + on.value + "` in service `" +
                                          service.name + "`" +
                                          (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
            ok = false;
        }
        for (std::size_t j = 0; j < i; ++j)
            if (service.on[j].value == on.value && service.type->placed_by_on())
                diagnostics.error(
                    on.pos, "node `" + on.value + "` is listed twice in `on` of service `" +
                                service.name + "` (use `instances` for more than one per node)");
    }
    return ok;
}

void check_ports(const Lab& lab, Diagnostics& diagnostics) {
    for (const auto& node : lab.nodes) {
        std::map<int, std::string> used{{22, "SSH"}};
        for (const auto& service : lab.services) {
            bool on_node = false;
            for (const auto& on : service.on) on_node |= on.value == node.name;
            if (!on_node) continue;
            for (const auto& use : services::kind_of(service).ports(lab, service, node)) {
                auto [it, inserted] = used.emplace(use.port, use.what);
                // At the value that sets the clashing port; a defaulted port has none: the header.
                if (!inserted)
                    diagnostics.error(use.pos.line > 0 ? use.pos : service.pos,
                                      "port clash on node `" + node.name + "`: port " +
                                          std::to_string(use.port) + " is used by " + it->second +
                                          " and by " + use.what);
            }
        }
    }
}

void check_cycles(const Lab& lab, Diagnostics& diagnostics) {
    std::map<std::string, int> state;  // 1 visiting, 2 done
    std::vector<std::string> stack;
    std::function<void(const Service&)> visit = [&](const Service& service) {
        state[service.name] = 1;
        stack.push_back(service.name);
        for (const auto& dep : lab.dependencies(service)) {
            if (state[dep] == 1) {
                auto start = std::find(stack.begin(), stack.end(), dep);
                std::vector<std::string> cycle(start, stack.end());
                cycle.push_back(dep);
                diagnostics.error(service.pos, "dependency cycle: " + util::join(cycle, " -> "));
            } else if (state[dep] == 0) {
                visit(*lab.service(dep));
            }
        }
        stack.pop_back();
        state[service.name] = 2;
    };
    for (const auto& service : lab.services)
        if (state[service.name] == 0) visit(service);
}

}  // namespace

void check_forwards(const Lab& lab, Diagnostics& diagnostics) {
    std::vector<std::string> names;
    for (const auto& node : lab.nodes) names.push_back(node.name);
    // Every student's copy would publish the same host port: only the first could come up.
    if (lab.class_info && !lab.lab.forwards.empty())
        diagnostics.error(lab.lab.forwards.front().pos,
                          "forward: a lab with [class] cannot forward host ports (every "
                          "student's copy would claim the same one)");
    // The forward table is made on the host labctl runs on, and `up` across hosts does not
    // make it: refused rather than a lab that comes up without its ports.
    if (!lab.hosts.empty() && !lab.lab.forwards.empty())
        diagnostics.error(lab.lab.forwards.front().pos,
                          "forward: a lab across [hosts] cannot forward host ports yet; reach "
                          "its nodes from the host labctl runs on");
    for (const auto& forward : lab.lab.forwards) {
        if (lab.node(forward.node)) continue;
        auto hint = util::closest_match(forward.node, names);
        diagnostics.error(forward.target_pos,
                          "forward: unknown node `" + forward.node + "`" +
                              (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
    }
}

void validate_lab(const Lab& lab, Diagnostics& diagnostics) {
    check_subnets(lab, diagnostics);
    check_forwards(lab, diagnostics);
    bool nodes_ok = true;
    for (const auto& service : lab.services)
        nodes_ok &= check_service_nodes(lab, service, diagnostics);
    for (const auto& service : lab.services)
        services::kind_of(service).validate(lab, service, diagnostics);
    if (nodes_ok) check_ports(lab, diagnostics);
    check_cycles(lab, diagnostics);
    validate_checks(lab, diagnostics);
}

}  // namespace labctl::labfile
