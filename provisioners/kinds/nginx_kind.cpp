// nginx as a load balancer in front of an app service.
#include "kinds/common.hpp"
#include "kinds/kinds.hpp"

namespace labctl::kinds {

namespace {

using namespace topo;

std::optional<Strategy> parse_strategy(std::string_view text) {
    if (text == "round_robin") return Strategy::round_robin;
    if (text == "least_conn") return Strategy::least_conn;
    if (text == "ip_hash") return Strategy::ip_hash;
    if (text == "random") return Strategy::random;
    return std::nullopt;
}

std::string strategy_directive(Strategy strategy) {
    switch (strategy) {
        case Strategy::round_robin: return "";
        case Strategy::least_conn: return "least_conn;";
        case Strategy::ip_hash: return "ip_hash;";
        case Strategy::random: return "random;";
    }
    return "";
}

// The config file of SERVICE on NODE. One nginx service per node, the common case, gets the
// plain name; more than one get their service name appended so they cannot collide.
std::string config_path(const Lab& lab, const Service& service, const std::string& node) {
    int nginx_on_node = 0;
    for (const auto& other : lab.services)
        if (other.type == ServiceType::nginx)
            for (const auto& on : other.on)
                if (on.value == node) ++nginx_on_node;
    return nginx_on_node > 1 ? "/etc/nginx/conf.d/balancer-" + service.name + ".conf"
                             : "/etc/nginx/conf.d/balancer.conf";
}

class NginxKind final : public ServiceKind {
public:
    ServiceType type() const override { return ServiceType::nginx; }
    std::string_view name() const override { return "nginx"; }

    ServiceSettings parse(TomlReader& reader, Service&) const override {
        NginxSettings settings;
        if (auto listen = reader.integer("listen", port_range)) {
            settings.listen = static_cast<int>(*listen);
            settings.listen_pos = reader.value_pos("listen");
        }
        if (auto backend = reader.string("backend")) settings.backend = {*backend, reader.value_pos("backend")};
        else if (!reader.table().contains("backend"))
            reader.diagnostics().error(reader.pos(), "missing key `backend` in " + reader.what() +
                                                         " (the app service nginx balances)");
        if (auto strategy = reader.string("strategy")) {
            if (auto parsed = parse_strategy(*strategy))
                settings.strategy = *parsed;
            else
                reader.diagnostics().error(reader.value_pos("strategy"),
                                           "unknown strategy `" + *strategy +
                                               "` (known: round_robin, least_conn, ip_hash, random)");
        }
        if (auto weights = reader.subtable("weights")) {
            for (auto [key, node] : in_file_order(*weights)) {
                if (!node->is_integer()) {
                    reader.diagnostics().error(pos_of(*node), "wrong type: weight of `" + std::string(key->str()) +
                                                                  "` must be an integer, not " + type_name(*node));
                    continue;
                }
                auto weight = node->as_integer()->get();
                if (weight < 1 || weight > 100) {
                    reader.diagnostics().error(pos_of(*node), "weight of `" + std::string(key->str()) + "` is " +
                                                                  std::to_string(weight) + ", outside 1..100");
                    continue;
                }
                settings.weights.push_back({{std::string(key->str()), pos_of(key->source())}, static_cast<int>(weight)});
            }
        }
        if (auto websocket = reader.boolean("websocket")) settings.websocket = *websocket;
        if (auto max_fails = reader.integer("max_fails", {0, 1000})) settings.max_fails = static_cast<int>(*max_fails);
        if (auto timeout = read_duration(reader, "fail_timeout", true)) settings.fail_timeout = *timeout;
        if (auto timeout = read_duration(reader, "connect_timeout")) {
            if (timeout->seconds <= 0 || timeout->seconds > 75)
                reader.diagnostics().error(reader.value_pos("connect_timeout"),
                                           "`connect_timeout` must be more than 0 and at most 75s (nginx's limit)");
            else
                settings.connect_timeout = *timeout;
        }
        return settings;
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        return {{service.nginx().listen, "nginx `" + service.name + "` listen",
                 service.nginx().listen_pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = service.nginx();
        if (settings.backend.value.empty()) return;  // reported while parsing
        const Service* backend = lab.service(settings.backend.value);
        if (!backend) {
            std::vector<std::string> names;
            for (const auto& s : lab.services) names.push_back(s.name);
            auto hint = util::closest_match(settings.backend.value, names);
            diagnostics.error(settings.backend.pos, "unknown service `" + settings.backend.value +
                                                        "` in `backend`" +
                                                        (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
            return;
        }
        if (backend->type != ServiceType::app) {
            diagnostics.error(settings.backend.pos, "backend `" + backend->name + "` is of type " + to_string(backend->type) +
                                                        "; nginx balances services of type app");
            return;
        }
        for (const auto& [node, weight] : settings.weights) {
            bool runs_backend = false;
            for (const auto& on : backend->on) runs_backend |= on.value == node.value;
            if (!runs_backend)
                diagnostics.error(node.pos, "weights name node `" + node.value + "`, which does not run backend `" +
                                                backend->name + "`");
        }
        for (const auto& lb_on : service.on) {
            const Node* lb_node = lab.node(lb_on.value);
            if (!lb_node) continue;
            for (const auto& backend_on : backend->on) {
                const Node* backend_node = lab.node(backend_on.value);
                if (backend_node && !lab.address_between(*lb_node, *backend_node))
                    diagnostics.error(settings.backend.pos, "nginx on node `" + lb_node->name +
                                                                "` cannot reach backend node `" + backend_node->name +
                                                                "`: they share no network");
            }
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = service.nginx();
        const Service* backend = lab.service(settings.backend.value);
        std::vector<render::GeneratedFile> files;
        for (const auto& on : service.on) {
            const Node* node = lab.node(on.value);
            if (!node || !backend) continue;
            auto data = header_data(lab, service, *node);
            data.set("listen", std::to_string(settings.listen));
            data.set("upstream", identifier(service.name) + "_backends");
            data.set("strategy", to_string(settings.strategy));
            data.set("strategy_directive", strategy_directive(settings.strategy));
            data.set("max_fails", std::to_string(settings.max_fails));
            data.set("fail_timeout", settings.fail_timeout.text);
            data.set("connect_timeout", settings.connect_timeout.text);
            data.set("websocket", settings.websocket);
            bool grpc = backend->app().protocol == Protocol::grpc;
            data.set("grpc", grpc);
            data.set("http", !grpc);
            data.set("backend", backend->name);
            auto servers = render::list_data();
            for (const auto& instance : lab.instances(*backend)) {
                auto address = lab.address_between(*node, *instance.node);
                if (!address) continue;
                auto server = render::object_data();
                server.set("address", address->str());
                server.set("port", std::to_string(instance.port));
                server.set("weight", std::to_string(settings.weight_of(instance.node->name)));
                server.set("instance", instance.name);
                servers.push_back(server);
            }
            data.set("servers", servers);
            files.push_back({node->name, config_path(lab, service, node->name),
                             templates.render("nginx/balancer.conf.mustache", data), 0644, service.name});
        }
        return files;
    }
};

}  // namespace

std::unique_ptr<ServiceKind> make_nginx_kind() { return std::make_unique<NginxKind>(); }

}  // namespace labctl::kinds
