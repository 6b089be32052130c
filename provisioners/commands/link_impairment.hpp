// Link impairments on a lab's running nodes: the lab file's `impair` plus what `labctl netem`
// set (recorded in netem.json), applied again whenever a node's NIC may be a new device:
// `up` and `start` call this once the domains run.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/lab_connections.hpp"
#include "topology/model.hpp"
#include "util/reporter.hpp"

namespace labctl::commands {

// For each of NODES: every impairment the lab file declares (it wins over an earlier
// `labctl netem` on the same NIC) and every one recorded, applied with tc on the host side,
// on the node's own host (HOSTS: opened with their shells).
void apply_link_impairments(engine::LabConnections& hosts, const topo::Lab& lab,
                            const std::filesystem::path& state_dir,
                            const std::vector<std::string>& nodes, util::Reporter& report);

}  // namespace labctl::commands
