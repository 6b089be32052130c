// What a node gets from labctl whatever services it runs: its identity (the lab's key, its
// pinned host key), the template fields of its NICs, and cloud-init NoCloud files
// (/var/lib/cloud/seed/nocloud/) for a node on a user's cloud image.
#pragma once

#include <string>
#include <vector>

#include "render/generated_file.hpp"
#include "render/template_set.hpp"
#include "topology/model.hpp"

namespace labctl::render {

// What a node's seed carries beyond the topology. Empty fields render as placeholders, so
// `labctl render` never needs (or prints) a key.
struct NodeIdentity {
    std::string authorized_key;    // the lab's public key
    std::string host_key_private;  // the node's pinned ed25519 host key (secret)
    std::string host_key_public;
};

// The network that carries NODE's default route and DNS: its first NAT network (host-only
// networks never do), or null.
const topo::Network* default_route_network(const topo::Lab& lab, const topo::Node& node);

// Template fields of NODE's NIC number INDEX: index, id (nicN), network, mac, static/dhcp,
// address, prefix, gateway (carries the default route), gateway_address.
void set_nic_fields(Data& item, const topo::Lab& lab, const topo::Node& node, std::size_t index);

std::vector<GeneratedFile> render_cloud_init(const topo::Lab& lab, const topo::Node& node,
                                             const TemplateSet& templates,
                                             const NodeIdentity& identity);

}  // namespace labctl::render
