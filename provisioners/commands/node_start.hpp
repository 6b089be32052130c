// Bringing nodes of a lab that is up back to work: `start` and `snapshot restore` share it, and
// it holds them to `up`'s readiness rule (SSH, every NIC's planned address observed in the
// guest, every service instance on them healthy).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::commands {

// `up`'s machinery for just NODES (the overlay mounted again if needed, the domain started,
// SSH awaited); they are no longer the user's stopped nodes; then await_nodes_ready.
void start_nodes(virt::Connection& connection, const topo::Lab& lab,
                 const std::filesystem::path& state_dir, virt::DomainKind kind,
                 const std::vector<std::string>& nodes, int jobs, util::Reporter& report);

// NODES run: their link impairments set again (a started domain has new host-side devices),
// then, polled with backoff, every NIC's planned address and every service instance's health.
// Nothing to observe on test:///.
void await_nodes_ready(const virt::Connection& connection, const topo::Lab& lab,
                       const std::filesystem::path& state_dir, virt::DomainKind kind,
                       const std::vector<std::string>& nodes, int jobs, util::Reporter& report);

}  // namespace labctl::commands
