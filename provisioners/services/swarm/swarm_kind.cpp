// Docker Swarm: Debian's docker.io on every node, the swarm initialised on the first manager
// (which also runs the lab's image registry, Debian's docker-registry) and joined by the
// other managers and the workers.
#include <regex>

#include "services/common.hpp"
#include "services/registry.hpp"
#include "services/swarm/swarm_checks.hpp"
#include "services/swarm/swarm_role.hpp"
#include "services/swarm/swarm_settings.hpp"

namespace labctl::services {

bool SwarmSettings::is_manager(const std::string& node) const {
    for (const auto& manager : managers)
        if (manager.value == node) return true;
    return false;
}

std::optional<util::Ipv4> swarm_address(const topo::Lab& lab, const topo::Service& swarm,
                                        const topo::Node& node) {
    const auto& settings = swarm_settings(swarm);
    const topo::Node* leader = lab.node(settings.leader());
    if (!leader) return std::nullopt;
    for (const auto& leader_nic : leader->nics) {
        bool shared = true;
        for (const auto& on : swarm.on) {
            const topo::Node* member = lab.node(on.value);
            shared &= member && member->nic(leader_nic.network) != nullptr;
        }
        if (!shared) continue;
        const auto* nic = node.nic(leader_nic.network);
        if (nic) return nic->planned;
    }
    return std::nullopt;
}

std::string swarm_registry(const topo::Lab& lab, const topo::Service& swarm) {
    const topo::Node* leader = lab.node(swarm_settings(swarm).leader());
    auto address = leader ? swarm_address(lab, swarm, *leader) : std::nullopt;
    if (!address) return "";
    return address->str() + ":" + std::to_string(swarm_settings(swarm).registry_port);
}

std::string swarm_token_secret(const topo::Service& swarm, bool manager) {
    return "swarm-" + swarm.name + (manager ? "-manager-token" : "-worker-token");
}

namespace {

using namespace topo;

void read_labels(const toml::table& table, Diagnostics& diagnostics, SwarmSettings& settings) {
    static const std::regex key_rule("^[a-z][a-z0-9_.-]{0,62}$");
    static const std::regex value_rule("^[A-Za-z0-9_.-]{1,63}$");
    for (auto [node, labels] : in_file_order(table)) {
        if (!labels->is_table()) {
            diagnostics.error(pos_of(*labels), "wrong type: labels of `" +
                                                   std::string(node->str()) +
                                                   "` must be a table such as { zone = \"a\" }");
            continue;
        }
        for (auto [key, value] : in_file_order(*labels->as_table())) {
            std::string name(key->str());
            if (!std::regex_match(name, key_rule) || !value->is_string() ||
                !std::regex_match(value->as_string()->get(), value_rule)) {
                diagnostics.error(pos_of(*value),
                                  "label `" + name + "` of `" + std::string(node->str()) +
                                      "` must be KEY = \"VALUE\" (key ^[a-z][a-z0-9_.-]*$, value "
                                      "of letters, digits, `_`, `.`, `-`)");
                continue;
            }
            settings.labels.push_back(
                {std::string(node->str()), name, value->as_string()->get(), pos_of(key->source())});
        }
    }
}

class SwarmKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "swarm"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service& service) const override {
        auto settings = std::make_shared<SwarmSettings>();
        auto& diagnostics = reader.diagnostics();
        bool has_manager = reader.table().contains("manager");
        bool has_managers = reader.table().contains("managers");
        if (has_manager && has_managers)
            diagnostics.error(reader.key_pos("managers"),
                              "set `manager` or `managers` in " + reader.what() + ", not both");
        if (auto manager = reader.string("manager"))
            settings->managers.push_back({*manager, reader.value_pos("manager")});
        if (auto managers = reader.string_list("managers")) {
            if (managers->empty())
                diagnostics.error(reader.value_pos("managers"), "`managers` is empty");
            settings->managers.insert(settings->managers.end(), managers->begin(), managers->end());
        }
        if (!has_manager && !has_managers)
            diagnostics.error(reader.pos(), "missing key `manager` in " + reader.what() +
                                                " (the node that initialises the swarm)");
        if (auto workers = reader.string_list("workers")) settings->workers = *workers;
        if (auto labels = reader.subtable("labels")) read_labels(*labels, diagnostics, *settings);
        if (auto port = reader.integer("registry_port", port_range)) {
            settings->registry_port = static_cast<int>(*port);
            settings->registry_port_pos = reader.value_pos("registry_port");
        }
        if (!service.on.empty())
            diagnostics.error(service.on.front().pos,
                              "a swarm is placed by `manager`/`managers` and `workers`, not `on`");
        std::vector<Located<std::string>> nodes;
        auto add = [&](const Located<std::string>& node) {
            for (const auto& seen : nodes)
                if (seen.value == node.value) {
                    diagnostics.error(node.pos, "node `" + node.value +
                                                    "` appears twice among managers and workers");
                    return;
                }
            nodes.push_back(node);
        };
        for (const auto& manager : settings->managers) add(manager);
        for (const auto& worker : settings->workers) add(worker);
        service.on = nodes;
        return settings;
    }

    int main_port(const Service&) const override { return kSwarmManagementPort; }
    bool placed_by_on() const override { return false; }

    std::vector<PortUse> ports(const Lab&, const Service& service,
                               const Node& node) const override {
        const auto& settings = swarm_settings(service);
        std::vector<PortUse> ports{{kSwarmGossipPort, "swarm `" + service.name + "` gossip", {}}};
        if (settings.is_manager(node.name))
            ports.push_back({kSwarmManagementPort, "swarm `" + service.name + "` management", {}});
        if (node.name == settings.leader())
            ports.push_back({settings.registry_port, "swarm `" + service.name + "` registry",
                             settings.registry_port_pos});
        return ports;
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = swarm_settings(service);
        if (settings.managers.empty()) return;
        for (const auto& label : settings.labels) {
            bool member = false;
            for (const auto& on : service.on) member |= on.value == label.node;
            if (!member)
                diagnostics.error(label.pos, "labels name node `" + label.node +
                                                 "`, which is not in swarm `" + service.name + "`");
        }
        const Node* leader = lab.node(settings.leader());
        if (!leader) return;  // unknown nodes are reported with `on`
        if (!swarm_address(lab, service, *leader))
            diagnostics.error(settings.managers.front().pos,
                              "swarm `" + service.name + "`: no network of manager `" +
                                  leader->name + "` is shared by every node of the swarm");
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = swarm_settings(service);
        std::vector<render::GeneratedFile> files;
        auto registry = swarm_registry(lab, service);
        if (registry.empty()) return files;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node) continue;
            auto data = header_data(lab, service, *node);
            data.set("registry", registry);
            std::vector<std::string> mine;
            for (const auto& label : settings.labels)
                if (label.node == node->name) mine.push_back(label.key + "=" + label.value);
            auto labels = render::list_data();
            for (std::size_t i = 0; i < mine.size(); ++i) {
                auto item = render::object_data();
                item.set("label", mine[i]);
                item.set("last", i + 1 == mine.size());  // JSON: no comma after the last
                labels.push_back(item);
            }
            data.set("labels", labels);
            files.push_back({node->name, kDaemonJson,
                             templates.render("swarm/daemon.json.mustache", data), 0644,
                             service.name});
            if (node->name != settings.leader()) continue;
            data.set("registry_port", std::to_string(settings.registry_port));
            files.push_back({node->name, kRegistryConfig,
                             templates.render("swarm/registry.yml.mustache", data), 0644,
                             service.name});
        }
        return files;
    }

    std::string graph_role(const Service& service, const Node& node) const override {
        return swarm_settings(service).is_manager(node.name) ? "manager" : "worker";
    }
    std::vector<GraphEdge> graph_edges(const Lab&, const Service& service) const override {
        const auto& settings = swarm_settings(service);
        std::vector<GraphEdge> edges;
        for (std::size_t i = 1; i < service.on.size(); ++i)
            edges.push_back({service.on[i].value, settings.leader(),
                             service.name + " join :" + std::to_string(kSwarmManagementPort)});
        return edges;
    }

    // Docker's data cannot live on the node's overlayfs root (overlay2 refuses to mount
    // there), and every container start needs mknod (measured: ../shared/notes).
    LxcNeeds lxc_needs(const Service&, const Node&) const override {
        return {true, {"/var/lib/docker"}};
    }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return swarm_node_checks(context, service);
    }

    // The managers' API port; a worker serves nothing of its own (`docker node ls` on the
    // leader is what the swarm check reads).
    Health probe_health(const std::filesystem::path& state_dir,
                        const Instance& instance) const override {
        if (swarm_settings(*instance.service).is_manager(instance.node->name))
            return ServiceKind::probe_health(state_dir, instance);
        return {true, "worker (its membership is checked by the swarm check)"};
    }

    bool provision_first(const Service& service, const Node& node) const override {
        return swarm_settings(service).leader() == node.name;
    }
    VagrantPart vagrant_part(const Lab& lab, const Service& service, const Node& node,
                             render::Data item) const override {
        const auto& settings = swarm_settings(service);
        auto address = swarm_address(lab, service, node);
        const Node* leader = lab.node(settings.leader());
        auto leader_address = leader ? swarm_address(lab, service, *leader) : std::nullopt;
        item.set("leader", node.name == settings.leader());
        item.set("manager", settings.is_manager(node.name));
        item.set("address", address ? address->str() : std::string());
        item.set("leader_address", leader_address ? leader_address->str() : std::string());
        return {"swarm/vagrant.sh.mustache", item};
    }

    // Debian's Docker Engine and registry; all stay off until a lab asks for a swarm.
    ImageNeeds image_needs() const override {
        return {
            {"docker.io", "containerd", "runc", "docker-registry"},
            {"docker.service", "docker.socket", "containerd.service", "docker-registry.service"}};
    }

    std::unique_ptr<Role> make_role() const override { return make_swarm_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_swarm_kind() {
    return std::make_unique<SwarmKind>();
}

}  // namespace labctl::services
