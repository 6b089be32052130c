// MariaDB with one primary and replicas replicating from it.
#include "kinds/common.hpp"
#include "kinds/kinds.hpp"

namespace labctl::kinds {

namespace {

using namespace topo;

bool is_database_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

class MysqlKind final : public ServiceKind {
public:
    ServiceType type() const override { return ServiceType::mysql; }
    std::string_view name() const override { return "mysql"; }

    ServiceSettings parse(TomlReader& reader, Service& service) const override {
        MysqlSettings settings;
        auto& diagnostics = reader.diagnostics();
        if (auto primary = reader.string("primary")) settings.primary = {*primary, reader.value_pos("primary")};
        if (auto replicas = reader.string_list("replicas")) settings.replicas = *replicas;
        if (auto database = reader.string("database")) {
            if (is_database_name(*database)) settings.database = *database;
            else diagnostics.error(reader.value_pos("database"), "database name `" + *database + "` must match ^[A-Za-z0-9_]{1,64}$");
        }
        if (auto port = reader.integer("port", port_range)) {
            settings.port = static_cast<int>(*port);
            settings.port_pos = reader.value_pos("port");
        }

        // `on` may stand in for primary + replicas: the first node is the primary.
        if (settings.primary.value.empty() && !service.on.empty()) {
            settings.primary = service.on.front();
            if (!reader.table().contains("replicas"))
                settings.replicas.assign(service.on.begin() + 1, service.on.end());
        }
        if (settings.primary.value.empty() && !reader.table().contains("primary")) {
            diagnostics.error(reader.pos(), "missing key `primary` in " + reader.what() + " (the node of the MariaDB primary)");
            return settings;
        }
        std::vector<Located<std::string>> nodes{settings.primary};
        for (const auto& replica : settings.replicas) {
            bool duplicate = false;
            for (const auto& seen : nodes) duplicate |= seen.value == replica.value;
            if (duplicate)
                diagnostics.error(replica.pos, "node `" + replica.value + "` appears twice among primary and replicas");
            else
                nodes.push_back(replica);
        }
        if (!service.on.empty()) {
            bool same = service.on.size() == nodes.size();
            for (std::size_t i = 0; same && i < nodes.size(); ++i) same = service.on[i].value == nodes[i].value;
            if (!same)
                diagnostics.error(service.on.front().pos, "`on` disagrees with `primary` and `replicas`; give one or the other");
        }
        service.on = nodes;
        return settings;
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        return {{service.mysql().port, "mysql `" + service.name + "`", service.mysql().port_pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = service.mysql();
        const Node* primary = lab.node(settings.primary.value);
        if (!primary) return;  // unknown nodes are reported with `on`
        for (const auto& replica : settings.replicas) {
            const Node* node = lab.node(replica.value);
            if (node && !lab.address_between(*node, *primary))
                diagnostics.error(replica.pos, "replica `" + replica.value + "` shares no network with primary `" +
                                                   primary->name + "`");
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = service.mysql();
        std::vector<render::GeneratedFile> files;
        int server_id = 1;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node) continue;
            auto data = header_data(lab, service, *node);
            bool is_primary = on.value == settings.primary.value;
            data.set("primary", is_primary);
            data.set("replica", !is_primary);
            data.set("server_id", std::to_string(server_id++));
            data.set("port", std::to_string(settings.port));
            data.set("database", settings.database);
            data.set("primary_node", settings.primary.value);
            files.push_back({node->name, "/etc/mysql/mariadb.conf.d/60-labctl.cnf",
                             templates.render("mysql/labctl.cnf.mustache", data), 0644, service.name});
        }
        return files;
    }
};

}  // namespace

std::unique_ptr<ServiceKind> make_mysql_kind() { return std::make_unique<MysqlKind>(); }

}  // namespace labctl::kinds
