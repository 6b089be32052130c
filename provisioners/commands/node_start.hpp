// Bringing nodes of a lab that is up back to work: `start` and `snapshot restore` share it, and
// it holds them to `up`'s readiness rule (SSH, every NIC's planned address observed in the
// guest, every service instance on them healthy).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "engine/lab_connections.hpp"
#include "topology/model.hpp"
#include "util/reporter.hpp"
#include "virt/xml_builders.hpp"

namespace labctl::commands {

// `up`'s machinery for just NODES, each on its own host, the hosts at once (the overlay
// mounted again if needed, the domain started, SSH awaited); they are no longer the user's
// stopped nodes; then await_nodes_ready. LAB: as its nodes see it (engine::placed_lab).
void start_nodes(engine::LabConnections& hosts, const topo::Lab& lab,
                 const std::filesystem::path& state_dir, virt::DomainKind kind,
                 const std::vector<std::string>& nodes, int jobs, util::Reporter& report);

// NODES run: their link impairments set again (a started domain has new host-side devices),
// then, polled with backoff, every NIC's planned address and every service instance's health.
// Nothing to observe on test:///. HOSTS: opened with their shells (the impairments' tc).
void await_nodes_ready(engine::LabConnections& hosts, const topo::Lab& lab,
                       const std::filesystem::path& state_dir, virt::DomainKind kind,
                       const std::vector<std::string>& nodes, int jobs, util::Reporter& report);

}  // namespace labctl::commands
