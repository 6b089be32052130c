#include "render/render_lab.hpp"

#include <algorithm>

#include "kinds/kind.hpp"
#include "render/node_seed.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::render {

namespace {

bool selected(const std::vector<std::string>& only, const topo::Service& service) {
    if (only.empty()) return true;
    return std::find(only.begin(), only.end(), service.name) != only.end() ||
           std::find(only.begin(), only.end(), topo::to_string(service.type)) != only.end();
}

void check_selection(const topo::Lab& lab, const std::vector<std::string>& only) {
    for (const auto& name : only) {
        if (name == "seed" || name == "cloud-init" || lab.service(name) || kinds::find_kind(name)) continue;
        std::vector<std::string> names{"seed"};
        for (const auto& service : lab.services) names.push_back(service.name);
        for (const auto& kind : kinds::kind_names()) names.push_back(kind);
        auto hint = util::closest_match(name, names);
        throw InputError("unknown service `" + name + "` (services: " +
                         util::join(std::vector<std::string>(names.begin() + 1, names.end()), ", ") +
                         "; or seed, alias cloud-init)" + (hint.empty() ? "" : "; did you mean `" + hint + "`?"));
    }
}

}  // namespace

std::vector<GeneratedFile> render_lab(const topo::Lab& lab, const TemplateSet& templates,
                                      const RenderSelection& selection) {
    check_selection(lab, selection.only);
    std::vector<GeneratedFile> files;
    for (const auto* service : lab.dependency_order()) {
        if (!selected(selection.only, *service)) continue;
        auto rendered = kinds::kind_of(service->type).render(lab, *service, templates);
        files.insert(files.end(), rendered.begin(), rendered.end());
    }
    auto named = [&](const char* name) {
        return std::find(selection.only.begin(), selection.only.end(), name) != selection.only.end();
    };
    bool want_seed = selection.only.empty() || named("seed") || named("cloud-init");
    if (want_seed) {
        for (const auto& node : lab.nodes) {
            NodeIdentity identity;
            if (selection.identities) {
                auto it = selection.identities->find(node.name);
                if (it != selection.identities->end()) identity = it->second;
            }
            // What `up` gives the node: cloud-init NoCloud files on a user's cloud image,
            // labctl's seed tree on a labctl base image.
            auto seed = node.uses_cloud_image() ? render_cloud_init(lab, node, templates, identity)
                                                : render_labctl_seed(lab, node, templates, identity);
            files.insert(files.end(), seed.begin(), seed.end());
        }
    }
    return files;
}

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
}

std::vector<GeneratedFile> render_cloud_init(const topo::Lab& lab, const topo::Node& node,
                                             const TemplateSet& templates, const NodeIdentity& identity) {
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
        {node.name, dir + "meta-data", templates.render("cloud-init/meta-data.mustache", data), 0644, ""},
        {node.name, dir + "user-data", templates.render("cloud-init/user-data.mustache", data), 0600, ""},
        {node.name, dir + "network-config", templates.render("cloud-init/network-config.mustache", data), 0644, ""},
    };
}

}  // namespace labctl::render
