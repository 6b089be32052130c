// Link impairments on a lab's running nodes: the lab file's `impair` plus what `labctl netem`
// set (recorded in netem.json), applied again whenever a node's NIC may be a new device:
// `up` and `start` call this once the domains run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::commands {

// For each of NODES: every impairment the lab file declares (it wins over an earlier
// `labctl netem` on the same NIC) and every one recorded, applied with tc on the host side.
void apply_link_impairments(const virt::Connection& connection, const topo::Lab& lab,
                            const std::filesystem::path& state_dir,
                            const std::vector<std::string>& nodes, util::Reporter& report);

}  // namespace labctl::commands
