// Gives every NIC a reserved address and a deterministic MAC. Static NICs keep theirs;
// "dhcp" NICs get the lowest free address from .100 up (or from the first host address in
// small subnets), so the DHCP server can hand out fixed leases and `${...}` references can
// resolve at plan time.
#pragma once

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::topo {

void plan_addresses(Lab& lab, Diagnostics& diagnostics);

// 52:54:00:xx:xx:xx from a hash of lab, node and network (QEMU's locally administered prefix).
std::string deterministic_mac(std::string_view lab, std::string_view node, std::string_view network,
                              int salt = 0);

}  // namespace labctl::topo
