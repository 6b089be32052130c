// nginx as a load balancer in front of an app service.
#include "services/app/app_settings.hpp"
#include "services/common.hpp"
#include "services/nginx/nginx_checks.hpp"
#include "services/nginx/nginx_role.hpp"
#include "services/nginx/nginx_settings.hpp"
#include "services/nginx/nginx_tls.hpp"
#include "services/nginx/nginx_tls_checks.hpp"
#include "services/registry.hpp"

namespace labctl::services {

namespace {

using namespace topo;

std::optional<Strategy> parse_strategy(std::string_view text) {
    if (text == "round_robin") return Strategy::round_robin;
    if (text == "least_conn") return Strategy::least_conn;
    if (text == "ip_hash") return Strategy::ip_hash;
    if (text == "random") return Strategy::random;
    return std::nullopt;
}

}  // namespace

std::string to_string(Strategy strategy) {
    switch (strategy) {
        case Strategy::round_robin:
            return "round_robin";
        case Strategy::least_conn:
            return "least_conn";
        case Strategy::ip_hash:
            return "ip_hash";
        case Strategy::random:
            return "random";
    }
    return "?";
}

namespace {

std::string strategy_directive(Strategy strategy) {
    switch (strategy) {
        case Strategy::round_robin:
            return "";
        case Strategy::least_conn:
            return "least_conn;";
        case Strategy::ip_hash:
            return "ip_hash;";
        case Strategy::random:
            return "random;";
    }
    return "";
}

// The config file of SERVICE on NODE. One nginx service per node, the common case, gets the
// plain name; more than one get their service name appended so they cannot collide.
std::string config_path(const Lab& lab, const Service& service, const std::string& node) {
    int nginx_on_node = 0;
    for (const auto& other : lab.services)
        if (is_nginx(other))
            for (const auto& on : other.on)
                if (on.value == node) ++nginx_on_node;
    return nginx_on_node > 1 ? "/etc/nginx/conf.d/balancer-" + service.name + ".conf"
                             : "/etc/nginx/conf.d/balancer.conf";
}

// A backend nginx can front: an app, or a container service (its instances are the swarm
// nodes answering on the published port), both being the user's own HTTP or gRPC servers.
bool balanceable(const Service& backend) {
    return is_app(backend) || (kind_of(backend).runs_user_instances() &&
                               !kind_of(backend).http_health(backend).empty());
}

bool speaks_grpc(const Service& backend) {
    return is_app(backend) && app_settings(backend).protocol == Protocol::grpc;
}

class NginxKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "nginx"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service&) const override {
        auto parsed = std::make_shared<NginxSettings>();
        auto& settings = *parsed;
        if (auto listen = reader.integer("listen", port_range)) {
            settings.listen = static_cast<int>(*listen);
            settings.listen_pos = reader.value_pos("listen");
        }
        if (auto backend = reader.string("backend"))
            settings.backend = {*backend, reader.value_pos("backend")};
        else if (!reader.table().contains("backend"))
            reader.diagnostics().error(reader.pos(), "missing key `backend` in " + reader.what() +
                                                         " (the app service nginx balances)");
        if (auto strategy = reader.string("strategy")) {
            if (auto parsed = parse_strategy(*strategy))
                settings.strategy = *parsed;
            else
                reader.diagnostics().error(
                    reader.value_pos("strategy"),
                    "unknown strategy `" + *strategy +
                        "` (known: round_robin, least_conn, ip_hash, random)");
        }
        if (auto weights = reader.subtable("weights")) {
            for (auto [key, node] : in_file_order(*weights)) {
                if (!node->is_integer()) {
                    reader.diagnostics().error(pos_of(*node),
                                               "wrong type: weight of `" + std::string(key->str()) +
                                                   "` must be an integer, not " + type_name(*node));
                    continue;
                }
                auto weight = node->as_integer()->get();
                if (weight < 1 || weight > 100) {
                    reader.diagnostics().error(pos_of(*node),
                                               "weight of `" + std::string(key->str()) + "` is " +
                                                   std::to_string(weight) + ", outside 1..100");
                    continue;
                }
                settings.weights.push_back(
                    {{std::string(key->str()), pos_of(key->source())}, static_cast<int>(weight)});
            }
        }
        if (auto websocket = reader.boolean("websocket")) settings.websocket = *websocket;
        if (auto tls = reader.boolean("tls")) settings.tls = *tls;
        if (auto tls_listen = reader.integer("tls_listen", port_range)) {
            settings.tls_listen = static_cast<int>(*tls_listen);
            settings.tls_listen_pos = reader.value_pos("tls_listen");
            if (!settings.tls)
                reader.diagnostics().error(settings.tls_listen_pos,
                                           "`tls_listen` needs `tls = true` in " + reader.what());
        }
        if (auto max_fails = reader.integer("max_fails", {0, 1000}))
            settings.max_fails = static_cast<int>(*max_fails);
        if (auto timeout = read_duration(reader, "fail_timeout", true))
            settings.fail_timeout = *timeout;
        if (auto timeout = read_duration(reader, "connect_timeout")) {
            if (timeout->seconds <= 0 || timeout->seconds > 75)
                reader.diagnostics().error(
                    reader.value_pos("connect_timeout"),
                    "`connect_timeout` must be more than 0 and at most 75s (nginx's limit)");
            else
                settings.connect_timeout = *timeout;
        }
        return parsed;
    }

    int main_port(const Service& service) const override { return nginx_settings(service).listen; }
    std::vector<std::string> used_services(const Service& service) const override {
        return {nginx_settings(service).backend.value};
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        const auto& settings = nginx_settings(service);
        std::vector<PortUse> ports{
            {settings.listen, "nginx `" + service.name + "` listen", settings.listen_pos}};
        if (settings.tls)
            ports.push_back({settings.tls_listen, "nginx `" + service.name + "` tls_listen",
                             settings.tls_listen_pos});
        return ports;
    }

    bool uses_lab_ca(const Service& service) const override { return nginx_settings(service).tls; }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = nginx_settings(service);
        if (settings.backend.value.empty()) return;  // reported while parsing
        const Service* backend = lab.service(settings.backend.value);
        if (!backend) {
            std::vector<std::string> names;
            for (const auto& s : lab.services) names.push_back(s.name);
            auto hint = util::closest_match(settings.backend.value, names);
            diagnostics.error(settings.backend.pos,
                              "unknown service `" + settings.backend.value + "` in `backend`" +
                                  (hint.empty() ? "" : " (did you mean `" + hint + "`?)"));
            return;
        }
        if (!balanceable(*backend)) {
            diagnostics.error(settings.backend.pos,
                              "backend `" + backend->name + "` is of type " + backend->type_name() +
                                  "; nginx balances services of type app or container");
            return;
        }
        // labctl's gRPC probes speak h2c only, so it could neither verify nor kill through
        // a TLS gRPC balancer.
        if (settings.tls && speaks_grpc(*backend))
            diagnostics.error(settings.backend.pos, "`tls = true` balances HTTP backends; `" +
                                                        backend->name +
                                                        "` speaks gRPC (protocol = \"grpc\")");
        for (const auto& [node, weight] : settings.weights) {
            bool runs_backend = false;
            for (const auto& on : backend->on) runs_backend |= on.value == node.value;
            if (!runs_backend)
                diagnostics.error(node.pos, "weights name node `" + node.value +
                                                "`, which does not run backend `" + backend->name +
                                                "`");
        }
        for (const auto& lb_on : service.on) {
            const Node* lb_node = lab.node(lb_on.value);
            if (!lb_node) continue;
            for (const auto& backend_on : backend->on) {
                const Node* backend_node = lab.node(backend_on.value);
                if (backend_node && !lab.address_between(*lb_node, *backend_node))
                    diagnostics.error(settings.backend.pos, "nginx on node `" + lb_node->name +
                                                                "` cannot reach backend node `" +
                                                                backend_node->name +
                                                                "`: they share no network");
            }
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = nginx_settings(service);
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
            data.set("tls", settings.tls);
            data.set("tls_listen", std::to_string(settings.tls_listen));
            // Clients redirected from plain HTTP keep the host they asked for; the port is
            // only spelled out when it is not HTTPS's own.
            data.set("tls_port_suffix",
                     settings.tls_listen == 443 ? "" : ":" + std::to_string(settings.tls_listen));
            data.set("tls_certificate", nginx_tls_certificate_path(service));
            data.set("tls_key", nginx_tls_key_path(service));
            bool grpc = speaks_grpc(*backend);
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
                             templates.render("nginx/balancer.conf.mustache", data), 0644,
                             service.name});
        }
        return files;
    }

    std::optional<Balancing> balancing(const Lab& lab, const Service& service) const override {
        const auto& settings = nginx_settings(service);
        Balancing balancing;
        balancing.port = settings.tls ? settings.tls_listen : settings.listen;
        balancing.tls = settings.tls;
        balancing.backend = settings.backend.value;
        balancing.strategy = to_string(settings.strategy);
        for (const auto& [node, weight] : settings.weights) balancing.weights[node.value] = weight;
        balancing.max_fails = settings.max_fails;
        balancing.fail_timeout = settings.fail_timeout;
        balancing.connect_timeout = settings.connect_timeout;
        if (settings.max_fails == 0)
            balancing.failover_warnings.push_back(
                "max_fails = 0: nginx never marks a backend down and keeps trying it");
        if (settings.connect_timeout.seconds > 3)
            balancing.failover_warnings.push_back(
                "connect_timeout = " + settings.connect_timeout.text +
                ": a powered-off backend costs that long per request before nginx tries the next");
        // nginx passes gRPC to a backend that does not speak HTTP/1.1 (grpc_pass).
        const Service* backend = lab.service(settings.backend.value);
        balancing.http = !backend || !kind_of(*backend).http_health(*backend).empty();
        return balancing;
    }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        auto results = balancer_checks(context, service, *balancing(context.lab, service));
        if (nginx_settings(service).tls) {
            auto tls = nginx_tls_checks(context, service);
            results.insert(results.end(), tls.begin(), tls.end());
        }
        return results;
    }

    std::vector<GraphEdge> graph_edges(const Lab& lab, const Service& service) const override {
        const auto& settings = nginx_settings(service);
        const Service* backend = lab.service(settings.backend.value);
        std::vector<GraphEdge> edges;
        if (!backend) return edges;
        for (const auto& lb : service.on)
            for (const auto& target : backend->on) {
                std::string label = service.name + " :" +
                                    (settings.tls ? std::to_string(settings.tls_listen) + " https"
                                                  : std::to_string(settings.listen)) +
                                    " -> " + backend->name + " :" +
                                    std::to_string(backend->main_port());
                int weight = settings.weight_of(target.value);
                if (weight != 1) label += " w=" + std::to_string(weight);
                edges.push_back({lb.value, target.value, label});
            }
        return edges;
    }

    // A machine of its own gets Debian's default nginx flavour.
    std::vector<std::string> vagrant_packages(const Service&) const override { return {"nginx"}; }
    VagrantPart vagrant_part(const Lab&, const Service& service, const Node& node,
                             render::Data item) const override {
        item.set("tls", nginx_settings(service).tls);
        item.set("node", node.name);
        item.set("tls_certificate", nginx_tls_certificate_path(service));
        item.set("tls_key", nginx_tls_key_path(service));
        return {"nginx/vagrant.sh.mustache", item};
    }

    // nginx-light: the balancer needs upstream, proxy and grpc_pass, not the extra modules.
    ImageNeeds image_needs() const override { return {{"nginx-light"}, {"nginx.service"}}; }

    std::unique_ptr<Role> make_role() const override {
        return std::make_unique<NginxRole>(systemd_nginx_settings());
    }
};

}  // namespace

std::unique_ptr<ServiceKind> make_nginx_kind() {
    return std::make_unique<NginxKind>();
}

}  // namespace labctl::services
