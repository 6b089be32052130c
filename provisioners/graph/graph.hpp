// Deployment diagram of a lab: nodes with their services and ports, networks with their
// subnets, each NIC's address, and which load balancer sends to which backend.
#pragma once

#include <optional>
#include <string>

#include "topology/model.hpp"

namespace labctl::graph {

enum class Format { dot, mermaid, svg };

std::optional<Format> parse_format(std::string_view text);
// svg runs graphviz's `dot`; throws InfraError when it is not installed.
std::string render_graph(const topo::Lab& lab, Format format);

}  // namespace labctl::graph
