// Renders every file labctl generates for a lab: each service kind's files plus each node's
// seed, as `up` uses it: cloud-init NoCloud files (/var/lib/cloud/seed/nocloud/) for a node on
// a user's cloud image, labctl's seed tree (/var/lib/labctl-seed/, render/node_seed.hpp) for
// a node on a labctl base image.
#pragma once

#include <map>
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

struct RenderSelection {
    // Service names or service types ("nginx") or "seed" (alias "cloud-init": every node's
    // seed, whichever kind); empty selects everything.
    std::vector<std::string> only;
    const std::map<std::string, NodeIdentity>* identities = nullptr;
};

// Throws InputError when a selected name is neither a service, a type nor "cloud-init".
std::vector<GeneratedFile> render_lab(const topo::Lab& lab, const TemplateSet& templates,
                                      const RenderSelection& selection = {});

// The network that carries NODE's default route and DNS: its first NAT network (host-only
// networks never do), or null.
const topo::Network* default_route_network(const topo::Lab& lab, const topo::Node& node);

// Template fields of NODE's NIC number INDEX: index, id (nicN), network, mac, static/dhcp,
// address, prefix, gateway (carries the default route), gateway_address.
void set_nic_fields(Data& item, const topo::Lab& lab, const topo::Node& node, std::size_t index);

std::vector<GeneratedFile> render_cloud_init(const topo::Lab& lab, const topo::Node& node,
                                             const TemplateSet& templates, const NodeIdentity& identity);

}  // namespace labctl::render
