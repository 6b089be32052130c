// Checks that need the whole lab: overlapping subnets, unknown nodes, port clashes,
// per-kind rules, unresolved references and dependency cycles.
#pragma once

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::labfile {

void validate_lab(const topo::Lab& lab, topo::Diagnostics& diagnostics);

}  // namespace labctl::labfile
