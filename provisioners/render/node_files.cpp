#include "render/node_files.hpp"

#include "util/strings.hpp"

namespace labctl::render {

const topo::Network* default_route_network(const topo::Lab& lab, const topo::Node& node) {
    for (const auto& nic : node.nics) {
        const auto* network = lab.network(nic.network);
        if (network && network->mode == topo::NetworkMode::nat) return network;
    }
    return nullptr;
}

void set_nic_fields(Data& item, const topo::Lab& lab, const topo::Node& node, std::size_t index) {
    const auto& nic = node.nics.at(index);
    const auto* network = lab.network(nic.network);
    item.set("index", std::to_string(index));
    item.set("id", "nic" + std::to_string(index));
    item.set("network", nic.network);
    item.set("mac", nic.mac);
    item.set("static", nic.address.has_value());
    item.set("dhcp", !nic.address.has_value());
    item.set("address", nic.planned.str());
    item.set("prefix", std::to_string(network ? network->subnet.prefix : 32));
    item.set("gateway", network && network == default_route_network(lab, node));
    item.set("gateway_address", network ? network->subnet.gateway().str() : std::string());
    // A network spanning hosts: the NIC leaves room for the VXLAN header.
    item.set("lowered_mtu", network && network->mtu > 0);
    item.set("mtu", network && network->mtu > 0 ? std::to_string(network->mtu) : std::string());
}

std::vector<GeneratedFile> render_cloud_init(const topo::Lab& lab, const topo::Node& node,
                                             const TemplateSet& templates,
                                             const NodeIdentity& identity) {
    Data data = object_data();
    data.set("lab", lab.lab.name);
    data.set("node", node.name);
    data.set("user", node.user);
    data.set("has_authorized_key", !identity.authorized_key.empty());
    data.set("authorized_key", identity.authorized_key);
    data.set("has_host_key", !identity.host_key_private.empty());
    auto indented = [](const std::string& text) {
        std::string out;
        for (const auto& line : util::split(util::trim(text), '\n')) out += "    " + line + "\n";
        return out;
    };
    data.set("host_key_private", indented(identity.host_key_private));
    data.set("host_key_public", identity.host_key_public);
    Data nics = list_data();
    for (std::size_t i = 0; i < node.nics.size(); ++i) {
        if (!lab.network(node.nics[i].network)) continue;
        Data item = object_data();
        set_nic_fields(item, lab, node, i);
        nics.push_back(item);
    }
    data.set("nics", nics);
    const std::string dir = "/var/lib/cloud/seed/nocloud/";
    return {
        {node.name, dir + "meta-data", templates.render("cloud-init/meta-data.mustache", data),
         0644, ""},
        {node.name, dir + "user-data", templates.render("cloud-init/user-data.mustache", data),
         0600, ""},
        {node.name, dir + "network-config",
         templates.render("cloud-init/network-config.mustache", data), 0644, ""},
    };
}

}  // namespace labctl::render
