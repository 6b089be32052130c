// Reads the lab's [[checks]]: each entry has a name, exactly one probe key and only the keys
// of its probe kind. What needs the whole lab (targets, nodes) is judged by check_validator.
#pragma once

#include <toml++/toml.h>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::topo {

// CHECKS is the top-level `checks` value; it must be an array of tables.
void load_checks(const toml::node& checks, Lab& lab, Diagnostics& diagnostics);

}  // namespace labctl::topo
