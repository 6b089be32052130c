#include "commands/node_targets.hpp"

#include <fnmatch.h>

#include <set>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::commands {

namespace {

bool is_glob(const std::string& target) {
    return target.find_first_of("*?[") != std::string::npos;
}

std::string with_hint(const std::string& word, const std::vector<std::string>& names) {
    auto hint = util::closest_match(word, names);
    return hint.empty() ? "" : " (did you mean `" + hint + "`?)";
}

}  // namespace

std::vector<const topo::Node*> resolve_node_targets(const topo::Lab& lab,
                                                    const std::vector<std::string>& targets,
                                                    bool allow_patterns) {
    if (targets.empty()) throw InputError("no target: give node names, globs or @SERVICE");
    std::vector<std::string> node_names;
    for (const auto& node : lab.nodes) node_names.push_back(node.name);
    std::set<std::string> chosen;
    for (const auto& target : targets) {
        if (target.empty()) throw InputError("empty target");
        if (allow_patterns && target[0] == '@') {
            std::string name = target.substr(1);
            const topo::Service* service = lab.service(name);
            if (!service) {
                std::vector<std::string> service_names;
                for (const auto& s : lab.services) service_names.push_back(s.name);
                throw InputError("unknown service `" + name + "` in target `" + target + "`" +
                                 with_hint(name, service_names));
            }
            auto instances = lab.instances(*service);
            if (instances.empty())
                throw InputError("service `" + name + "` runs on no node (target `" + target +
                                 "`)");
            for (const auto& instance : instances) chosen.insert(instance.node->name);
        } else if (allow_patterns && is_glob(target)) {
            bool matched = false;
            for (const auto& name : node_names)
                if (::fnmatch(target.c_str(), name.c_str(), 0) == 0) {
                    chosen.insert(name);
                    matched = true;
                }
            if (!matched) throw InputError("target `" + target + "` matches no node");
        } else {
            if (!lab.node(target))
                throw InputError("unknown node `" + target + "`" + with_hint(target, node_names));
            chosen.insert(target);
        }
    }
    std::vector<const topo::Node*> nodes;
    for (const auto& node : lab.nodes)
        if (chosen.count(node.name)) nodes.push_back(&node);
    return nodes;
}

}  // namespace labctl::commands
