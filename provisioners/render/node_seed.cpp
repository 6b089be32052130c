#include "render/node_seed.hpp"

#include "util/strings.hpp"

namespace labctl::render {

namespace {

Data node_data(const topo::Lab& lab, const topo::Node& node) {
    Data data = object_data();
    data.set("lab", lab.lab.name);
    data.set("node", node.name);
    data.set("user", node.user);
    return data;
}

}  // namespace

std::vector<GeneratedFile> render_labctl_seed(const topo::Lab& lab, const topo::Node& node,
                                              const TemplateSet& templates,
                                              const NodeIdentity& identity) {
    std::vector<GeneratedFile> files;
    auto put = [&](const std::string& relative, std::string content, unsigned mode) {
        files.push_back({node.name, std::string(labctl_seed_dir) + "/" + relative,
                         std::move(content), mode, ""});
    };
    Data data = node_data(lab, node);
    put("user", node.user + "\n", 0644);
    if (!identity.authorized_key.empty())
        put("authorized_keys", util::trim(identity.authorized_key) + "\n", 0644);
    put("root/etc/hostname", templates.render("seed/hostname.mustache", data), 0644);
    put("root/etc/sudoers.d/labctl", templates.render("seed/sudoers.mustache", data), 0440);
    if (!identity.host_key_private.empty())
        put("root/etc/ssh/ssh_host_ed25519_key", util::trim(identity.host_key_private) + "\n",
            0600);
    if (!identity.host_key_public.empty())
        put("root/etc/ssh/ssh_host_ed25519_key.pub", util::trim(identity.host_key_public) + "\n",
            0644);

    Data peers = list_data();
    for (const auto& other : lab.nodes) {
        if (other.name == node.name) continue;
        if (auto address = lab.address_between(node, other)) {
            Data peer = object_data();
            peer.set("name", other.name);
            peer.set("address", address->str());
            peers.push_back(peer);
        }
    }
    data.set("peers", peers);
    put("root/etc/hosts", templates.render("seed/hosts.mustache", data), 0644);
    if (const auto* gateway = default_route_network(lab, node)) {
        Data resolv = node_data(lab, node);
        resolv.set("gateway_address", gateway->subnet.gateway().str());
        put("root/etc/resolv.conf", templates.render("seed/resolv.conf.mustache", resolv), 0644);
    }
    for (std::size_t i = 0; i < node.nics.size(); ++i) {
        if (!lab.network(node.nics[i].network)) continue;
        Data item = node_data(lab, node);
        set_nic_fields(item, lab, node, i);
        put("root/etc/systemd/network/10-labctl-nic" + std::to_string(i) + ".network",
            templates.render("seed/nic.network.mustache", item), 0644);
    }
    return files;
}

}  // namespace labctl::render
