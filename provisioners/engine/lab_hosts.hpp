// The hosts of a lab that spans hypervisors (SPEC.md section 6): which libvirt each is, which
// one carries the networks' gateway and DHCP server, where each node runs, and the VXLAN
// names of a spanning network. Pure: no libvirt, no SSH.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::engine {

struct LabHost {
    std::string name;
    std::string uri;
    std::string underlay;  // "" for a lone host
    bool local = false;    // reached without SSH: the machine labctl runs on (is_local_uri)
};

// The [hosts] in file order.
std::vector<LabHost> lab_hosts(const topo::Lab& lab);

// The host every network's gateway address and DHCP server live on: the first local host, or
// the first host. labctl reaches every node through that host's bridges.
std::size_t gateway_host(const std::vector<LabHost>& hosts);

// Where each node runs. A node's `host` wins; then where the lab's record placed it (a running
// lab never moves); the rest go, in file order, to the host with the most free memory left
// once the nodes already placed there are counted (ties: the first host in the file), so the
// same lab on the same hosts is placed the same way. FREE_BYTES is per host, in [hosts]
// order; nullopt counts as 0. REASONS receives one line per node placed by memory.
std::map<std::string, std::string> place_nodes(
    const topo::Lab& lab, const std::vector<std::optional<unsigned long long>>& free_bytes,
    const std::map<std::string, std::string>& recorded, std::vector<std::string>* reasons);

// The hosts of COUNT new students' copies of a class across [hosts]: a whole copy on one
// host, so its nodes meet on that host's bridges. In order, each goes to the host with the
// most free memory left once the copies placed before it are counted (a copy's nodes without
// `host`; ties: the first host in the file). FREE_BYTES is per host, in [hosts] order (copies
// up already are in it); nullopt counts as 0.
std::vector<std::string> place_copies(
    const topo::Lab& base, const std::vector<std::optional<unsigned long long>>& free_bytes,
    std::size_t count);

// The hosts (names, in [hosts] order) that carry NETWORK: every host with a node on it, and
// always the gateway host, where its DHCP server and gateway address are.
std::vector<std::string> hosts_of_network(const topo::Lab& lab,
                                          const std::map<std::string, std::string>& placement,
                                          const std::string& network);

// One VXLAN network identifier per lab network, from a hash of "LAB/NETWORK": deterministic,
// 1..16777215.
std::uint32_t vxlan_vni(const std::string& lab, const std::string& network);
// The VXLAN device of that network on each host: "lvx" + 6 hex digits (within IFNAMSIZ).
std::string vxlan_device(std::uint32_t vni);
// What labctl writes into the device's alias: proof it is this lab's, checked before removal.
std::string vxlan_alias(const std::string& lab, const std::string& network);
// The VXLAN header (50 bytes over IPv4) taken from a 1500-byte underlay.
inline constexpr int spanning_mtu = 1450;

}  // namespace labctl::engine
