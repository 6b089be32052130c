// Which nodes a user means by a list of targets: a node name, a shell glob over node names
// (`app*`, fnmatch), or `@SERVICE` for the nodes that run one of its instances. Used by
// `exec` and `stop`/`start`/`restart`.
#pragma once

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::commands {

// The nodes TARGETS name, in the lab file's order, each once. A target that names nothing
// (unknown node, a glob matching no node, an unknown service) is an InputError (exit 2)
// naming it. ALLOW_PATTERNS false: only plain node names are accepted.
std::vector<const topo::Node*> resolve_node_targets(const topo::Lab& lab,
                                                    const std::vector<std::string>& targets,
                                                    bool allow_patterns = true);

}  // namespace labctl::commands
