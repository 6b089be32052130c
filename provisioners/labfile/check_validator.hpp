// Whole-lab checks of the declared [[checks]]: their services, nodes and kill targets exist
// and fit the probe (a relay needs an app with two instances, a failover a balancer in front).
#pragma once

#include <optional>
#include <string>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::labfile {

struct NodePort {
    std::string node;
    int port = 0;
};

// "NODE:PORT" with a port of 1..65535; nullopt when malformed (the node is not looked up).
std::optional<NodePort> parse_node_port(std::string_view text);

void validate_checks(const topo::Lab& lab, topo::Diagnostics& diagnostics);

}  // namespace labctl::labfile
