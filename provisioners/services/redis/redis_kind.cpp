// Redis with one primary and replicas replicating from it (`replicaof`), bound to loopback and
// the node's lab addresses, with a password labctl generates per service.
#include "services/common.hpp"
#include "services/redis/redis_checks.hpp"
#include "services/redis/redis_role.hpp"
#include "services/redis/redis_settings.hpp"
#include "services/registry.hpp"

namespace labctl::services {

namespace {

using namespace topo;

class RedisKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "redis"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service& service) const override {
        auto settings = std::make_shared<RedisSettings>();
        auto placement = read_primary_replicas(reader, service, "the Redis primary");
        settings->primary = placement.primary;
        settings->replicas = placement.replicas;
        if (auto port = reader.integer("port", port_range)) {
            settings->port = static_cast<int>(*port);
            settings->port_pos = reader.value_pos("port");
        }
        return settings;
    }

    int main_port(const Service& service) const override { return redis_settings(service).port; }
    bool placed_by_on() const override { return false; }  // primary + replicas place it

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        const auto& settings = redis_settings(service);
        return {{settings.port, "redis `" + service.name + "`", settings.port_pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = redis_settings(service);
        check_replicas_reach_primary(lab, {settings.primary, settings.replicas}, diagnostics);
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = redis_settings(service);
        const Node* primary = lab.node(settings.primary.value);
        std::vector<render::GeneratedFile> files;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node || !primary) continue;
            auto data = header_data(lab, service, *node);
            bool is_primary = node == primary;
            std::vector<std::string> addresses;
            for (const auto& nic : node->nics) addresses.push_back(nic.planned.str());
            data.set("bind", util::join(addresses, " "));
            data.set("port", std::to_string(settings.port));
            data.set("primary", is_primary);
            data.set("replica", !is_primary);
            data.set("primary_node", primary->name);
            auto address = lab.address_between(*node, *primary);
            data.set("primary_address", address ? address->str() : std::string());
            files.push_back({node->name, "/etc/redis/redis.conf",
                             templates.render("redis/redis.conf.mustache", data), 0644,
                             service.name});
        }
        return files;
    }

    std::string graph_role(const Service& service, const Node& node) const override {
        return redis_settings(service).primary.value == node.name ? "primary" : "replica";
    }

    std::string vagrant_secret(const Service& service) const override {
        return "REDIS_PASSWORD_" + secret_id(service.name);
    }
    bool provision_first(const Service& service, const Node& node) const override {
        return redis_settings(service).primary.value == node.name;
    }
    VagrantPart vagrant_part(const Lab&, const Service&, const Node&,
                             render::Data item) const override {
        return {"redis/vagrant.sh.mustache", item};
    }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return redis_replication_checks(context, service);
    }

    ImageNeeds image_needs() const override { return {{"redis-server"}, {"redis-server.service"}}; }

    std::unique_ptr<Role> make_role() const override { return make_redis_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_redis_kind() {
    return std::make_unique<RedisKind>();
}

}  // namespace labctl::services
