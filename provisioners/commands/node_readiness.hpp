// A node is ready when the guest itself reports, on every NIC (found by the MAC labctl gave
// it), the address the plan reserved. SSH answering on the first NIC proves nothing about a
// DHCP NIC on another network: its lease may still be on its way. `up` waits for this before
// provisioning; `status` shows what the guest reports and flags differences from the plan.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "engine/lab_status.hpp"
#include "remote/guest_nics.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "topology/model.hpp"
#include "util/reporter.hpp"

namespace labctl::commands {

struct NicObservation {
    std::string network;
    std::string mac;
    std::string planned;
    std::string interface;               // "" when no guest NIC has the MAC
    std::vector<std::string> addresses;  // what the guest's NIC has
    bool as_planned() const;
    // The address to show: the planned one when the NIC has it, else its first, else none.
    std::optional<std::string> shown() const;
    // "NIC enp2s0 (52:54:..) on network nat has no IPv4 address (planned 10.0.0.5)"; "" when as
    // planned.
    std::string problem() const;
};

// NODE's NICs (in file order) against what the guest reported.
std::vector<NicObservation> observe_nics(const topo::Node& node,
                                         const std::vector<remote::GuestNic>& guest);

// Polls NODE's NICs (over POOL's session to it) with backoff until each has its planned
// address; throws InfraError(node, "addresses") at TIMEOUT naming the NIC, its network and
// what the guest has. Used by `up` and by `revive` after a power-off.
std::vector<NicObservation> await_planned_addresses(const topo::Node& node,
                                                    remote::SessionPool& pool,
                                                    std::chrono::seconds timeout);

// Waits, in parallel (at most JOBS nodes at once, 0: all), until every NIC of every node in
// NODES has its planned address, polling with backoff; reports one line per node. Throws
// InfraError(node, "addresses") at TIMEOUT naming the NIC, its network and what was seen.
void wait_for_planned_addresses(const topo::Lab& lab, const std::filesystem::path& state_dir,
                                const std::vector<std::string>& nodes, int jobs,
                                std::chrono::seconds timeout, util::Reporter& report);

// For `status`: one login with the pinned host key (a single short attempt: a node that does
// not answer now is reported, not waited for) and one NIC listing, filling STATUS's ssh and
// NIC fields. A changed host key shows as ssh false with the reason.
void observe_node_status(const remote::LabSsh& lab_ssh, const topo::Node& node,
                         engine::NodeStatus& status);

}  // namespace labctl::commands
