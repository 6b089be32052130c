// The VXLAN link that joins one network's bridges across hosts: on each host a device
// (unicast to the other hosts' underlay addresses, UDP 4789), enslaved to the libvirt bridge,
// named and tagged by labctl (its alias says lab and network, checked before any removal).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/host_access.hpp"

namespace labctl::engine {

struct VxlanLink {
    std::string device;  // vxlan_device(vni)
    std::uint32_t vni = 0;
    std::string alias;               // vxlan_alias(lab, network)
    std::string bridge;              // the libvirt network's bridge on this host
    std::string local;               // this host's underlay address
    std::vector<std::string> peers;  // the other hosts' underlay addresses
    int mtu = 0;
};

// Creates what is missing of LINK on HOST (idempotent); returns true when something changed.
// A device of that name that is not this lab's is never touched: InfraError.
bool ensure_vxlan(HostAccess& host, const VxlanLink& link);
// Removes DEVICE from HOST when it carries ALIAS; returns true when it was removed.
bool remove_vxlan(HostAccess& host, const std::string& device, const std::string& alias);

}  // namespace labctl::engine
