// Checks that need the whole lab: overlapping subnets, unknown nodes, port clashes,
// per-kind rules, unresolved references and dependency cycles.
#pragma once

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::topo {

void validate_lab(const Lab& lab, Diagnostics& diagnostics);

}  // namespace labctl::topo
