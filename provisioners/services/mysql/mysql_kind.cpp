// MariaDB with one primary and replicas replicating from it.
#include <regex>

#include "services/common.hpp"
#include "services/mysql/mysql_checks.hpp"
#include "services/mysql/mysql_role.hpp"
#include "services/mysql/mysql_settings.hpp"
#include "services/registry.hpp"

namespace labctl::services {

namespace {

using namespace topo;

bool is_database_name(std::string_view name) {
    return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    });
}

class MysqlKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "mysql"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service& service) const override {
        auto parsed = std::make_shared<MysqlSettings>();
        auto& settings = *parsed;
        auto& diagnostics = reader.diagnostics();
        auto placement = read_primary_replicas(reader, service, "the MariaDB primary");
        settings.primary = placement.primary;
        settings.replicas = placement.replicas;
        if (auto database = reader.string("database")) {
            if (is_database_name(*database))
                settings.database = *database;
            else
                diagnostics.error(
                    reader.value_pos("database"),
                    "database name `" + *database + "` must match ^[A-Za-z0-9_]{1,64}$");
        }
        if (auto port = reader.integer("port", port_range)) {
            settings.port = static_cast<int>(*port);
            settings.port_pos = reader.value_pos("port");
        }
        if (auto user = reader.string("user")) {
            static const std::regex user_name("^[a-z][a-z0-9_]{0,31}$");
            if (!std::regex_match(*user, user_name) || *user == "root" || *user == "labctl_repl")
                diagnostics.error(reader.value_pos("user"),
                                  "user name `" + *user +
                                      "` must match ^[a-z][a-z0-9_]{0,31}$ (and not be root or "
                                      "labctl_repl)");
            else
                settings.user = {*user, reader.value_pos("user")};
        }
        return parsed;
    }

    int main_port(const Service& service) const override { return mysql_settings(service).port; }
    // primary + replicas place it; `on` may repeat them.
    bool placed_by_on() const override { return false; }
    std::vector<std::pair<std::string, std::string>> reference_fields(
        const Service& service) const override {
        std::vector<std::pair<std::string, std::string>> fields{
            {"database", mysql_settings(service).database}};
        if (!mysql_settings(service).user.value.empty())
            fields.emplace_back("user", mysql_settings(service).user.value);
        return fields;
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        return {{mysql_settings(service).port, "mysql `" + service.name + "`",
                 mysql_settings(service).port_pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = mysql_settings(service);
        check_replicas_reach_primary(lab, {settings.primary, settings.replicas}, diagnostics);
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = mysql_settings(service);
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
                             templates.render("mysql/labctl.cnf.mustache", data), 0644,
                             service.name});
        }
        return files;
    }

    std::string graph_role(const Service& service, const Node& node) const override {
        return mysql_settings(service).primary.value == node.name ? "primary" : "replica";
    }

    std::string vagrant_secret(const Service& service) const override {
        return "MYSQL_REPLICATION_PASSWORD_" + secret_id(service.name);
    }
    bool provision_first(const Service& service, const Node& node) const override {
        return mysql_settings(service).primary.value == node.name;
    }
    VagrantPart vagrant_part(const Lab& lab, const Service& service, const Node& node,
                             render::Data item) const override {
        const auto& settings = mysql_settings(service);
        item.set("database", settings.database);
        item.set("port", std::to_string(settings.port));
        bool primary = settings.primary.value == node.name;
        item.set("primary", primary);
        item.set("replica", !primary);
        const Node* primary_node = lab.node(settings.primary.value);
        auto address = primary_node ? lab.address_between(node, *primary_node) : std::nullopt;
        item.set("primary_address", address ? address->str() : std::string("127.0.0.1"));
        return {"mysql/vagrant.sh.mustache", item};
    }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return mysql_replication_checks(context, service);
    }

    std::string client_secret(const Service& service) const override {
        return mysql_settings(service).user.value.empty() ? "" : mysql_user_secret(service);
    }

    ImageNeeds image_needs() const override { return {{"mariadb-server"}, {"mariadb.service"}}; }

    std::unique_ptr<Role> make_role() const override { return make_mysql_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_mysql_kind() {
    return std::make_unique<MysqlKind>();
}

}  // namespace labctl::services
