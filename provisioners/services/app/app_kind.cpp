// An application the user ships: uploaded files, one supervised systemd unit per instance.
#include "probe/http.hpp"
#include "probe/socket.hpp"
#include "services/app/app_role.hpp"
#include "services/app/app_settings.hpp"
#include "services/common.hpp"
#include "services/registry.hpp"
#include "topology/references.hpp"

namespace labctl::services {

namespace {

using namespace topo;

// systemd unit files expand %-specifiers everywhere and need quotes escaped in Environment=.
std::string systemd_escape(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '%')
            out += "%%";
        else if (c == '"' || c == '\\')
            out += std::string("\\") + c;
        else
            out += c;
    }
    return out;
}

}  // namespace

std::string to_string(Protocol protocol) {
    return protocol == Protocol::grpc ? "grpc" : "http";
}

namespace {

class AppKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "app"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service&) const override {
        auto parsed = std::make_shared<AppSettings>();
        auto& settings = *parsed;
        auto& diagnostics = reader.diagnostics();
        if (auto port = reader.integer("port", port_range)) {
            settings.port = static_cast<int>(*port);
            settings.port_pos = reader.value_pos("port");
        }
        if (auto instances = reader.integer("instances", {1, 64}))
            settings.instances = static_cast<int>(*instances);
        if (auto run = reader.string("run")) {
            settings.run_pos = reader.value_pos("run");
            if (util::trim(*run).empty() || !is_printable_line(*run))
                diagnostics.error(settings.run_pos,
                                  "`run` must be a non-empty command on one line");
            else
                settings.run = *run;
        } else if (!reader.table().contains("run")) {
            diagnostics.error(reader.pos(), "missing key `run` in " + reader.what() +
                                                " (how to start one instance)");
        }
        if (auto health = reader.string("health")) {
            if (!is_safe_url_path(*health))
                diagnostics.error(reader.value_pos("health"),
                                  "`health` must be an HTTP path such as \"/health\"");
            else
                settings.health = *health;
        }
        if (auto protocol = reader.string("protocol")) {
            if (*protocol == "http")
                settings.protocol = Protocol::http;
            else if (*protocol == "grpc")
                settings.protocol = Protocol::grpc;
            else
                diagnostics.error(reader.value_pos("protocol"),
                                  "unknown protocol `" + *protocol + "` (known: http, grpc)");
        }
        if (auto upload = reader.subtable("upload")) {
            for (auto [key, node] : in_file_order(*upload)) {
                if (!node->is_string()) {
                    diagnostics.error(pos_of(*node), "wrong type: upload destination of `" +
                                                         std::string(key->str()) +
                                                         "` must be a string, not " +
                                                         type_name(*node));
                    continue;
                }
                const std::string& remote = node->as_string()->get();
                if (std::string(key->str()).empty() || !is_printable_line(std::string(key->str())))
                    diagnostics.error(pos_of(key->source()),
                                      "upload source must be a non-empty path");
                else if (!is_safe_absolute_path(remote))
                    diagnostics.error(
                        pos_of(*node),
                        "upload destination `" + remote +
                            "` must be an absolute path of [A-Za-z0-9._/-] without `..`");
                else
                    settings.uploads.push_back(
                        {std::string(key->str()), remote, pos_of(key->source())});
            }
        }
        settings.env = read_env(reader);
        return parsed;
    }

    int main_port(const Service& service) const override { return app_settings(service).port; }
    int instances_per_node(const Service& service) const override {
        return app_settings(service).instances;
    }
    // The services its ${...} references name, in `run` and `env`.
    std::vector<std::string> used_services(const Service& service) const override {
        const auto& settings = app_settings(service);
        std::vector<std::string> texts{settings.run};
        for (const auto& env : settings.env) texts.push_back(env.value);
        std::vector<std::string> names;
        for (const auto& text : texts)
            for (const auto& ref : parse_references(text).references) names.push_back(ref.scope);
        return names;
    }

    std::vector<PortUse> ports(const Lab& lab, const Service& service,
                               const Node& node) const override {
        std::vector<PortUse> out;
        for (const auto& instance : lab.instances(service))
            if (instance.node == &node)
                out.push_back({instance.port,
                               "app `" + service.name + "` instance " + instance.name,
                               app_settings(service).port_pos});
        return out;
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = app_settings(service);
        if (settings.port + settings.instances - 1 > 65535)
            diagnostics.error(service.pos,
                              "app `" + service.name + "`: ports " + std::to_string(settings.port) +
                                  ".." + std::to_string(settings.port + settings.instances - 1) +
                                  " go past 65535");
        // Every reference must resolve for every instance: addresses depend on the node.
        for (const auto& instance : lab.instances(service)) {
            if (!settings.run.empty()) {
                auto resolved = resolve_references(lab, settings.run, instance);
                if (!resolved.error.empty()) diagnostics.error(settings.run_pos, resolved.error);
            }
            for (const auto& env : settings.env) {
                auto resolved = resolve_references(lab, env.value, instance);
                if (!resolved.error.empty()) diagnostics.error(env.pos, resolved.error);
            }
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = app_settings(service);
        std::vector<render::GeneratedFile> files;
        for (const auto& instance : lab.instances(service)) {
            auto data = header_data(lab, service, *instance.node);
            data.set("instance", instance.name);
            data.set("port", std::to_string(instance.port));
            data.set("user", instance.node->user);
            data.set("run", systemd_escape(resolve_references(lab, settings.run, instance).value));
            data.set("workdir",
                     settings.uploads.empty() ? std::string("/") : settings.uploads.front().remote);
            auto env_list = render::list_data();
            bool has_port = false;
            auto add_env = [&](const std::string& name, const std::string& value) {
                auto item = render::object_data();
                item.set("name", name);
                item.set("value", systemd_escape(value));
                env_list.push_back(item);
            };
            for (const auto& env : settings.env) {
                has_port |= env.name == "PORT";
                add_env(env.name, resolve_references(lab, env.value, instance).value);
            }
            // Every instance learns its port and name even when the lab file does not pass them.
            if (!has_port) add_env("PORT", std::to_string(instance.port));
            add_env("LABCTL_INSTANCE", instance.name);
            add_env("LABCTL_SERVICE", service.name);
            add_env("LABCTL_NODE", instance.node->name);
            data.set("env", env_list);
            files.push_back(
                {instance.node->name, "/etc/systemd/system/labctl-" + instance.name + ".service",
                 templates.render("systemd/app.service.mustache", data), 0644, service.name});
        }
        return files;
    }

    bool runs_user_instances() const override { return true; }

    // Its health path answering 200; a gRPC app (labctl speaks no app's gRPC API) its port.
    Health probe_health(const std::filesystem::path&, const Instance& instance) const override {
        const auto& settings = app_settings(*instance.service);
        auto address = instance.node->address();
        auto port = static_cast<std::uint16_t>(instance.port);
        if (settings.protocol == Protocol::grpc) {
            auto probe = probe::tcp_port_open(address, port, std::chrono::seconds(2));
            return {probe.open, probe.open ? "gRPC port open" : probe.error};
        }
        auto response = probe::http_get(address, port, settings.health, std::chrono::seconds(2));
        return {response.status == 200,
                response.ok() ? "HTTP " + std::to_string(response.status) : response.error};
    }
    std::string health_label() const override { return "health"; }
    std::string http_health(const Service& service) const override {
        const auto& settings = app_settings(service);
        return settings.protocol == Protocol::http ? settings.health : "";
    }

    std::vector<Upload> uploads(const Service& service) const override {
        return app_settings(service).uploads;
    }

    std::vector<std::string> vagrant_packages(const Service& service) const override {
        if (app_settings(service).protocol == Protocol::grpc) return {"python3", "python3-grpcio"};
        return {"python3"};
    }
    VagrantPart vagrant_part(const Lab& lab, const Service& service, const Node& node,
                             render::Data item) const override {
        render::Data units = render::list_data();
        for (const auto& instance : lab.instances(service)) {
            if (instance.node != &node) continue;
            render::Data unit = render::object_data();
            unit.set("instance", instance.name);
            units.push_back(unit);
        }
        item.set("units", units);
        // The RabbitMQ broker it talks to, if any: its password goes into the app's env file.
        const Service* broker = nullptr;
        for (const auto& dep : lab.dependencies(service)) {
            const Service* used = lab.service(dep);
            if (used && used->type_name() == "rabbitmq") {
                broker = used;
                break;
            }
        }
        item.set("secret_env", broker != nullptr);
        item.set("broker_secret_id", broker ? secret_id(broker->name) : std::string());
        return {"app/vagrant.sh.mustache", item};
    }

    // python3 runs the apps; grpcio serves the gRPC ones; curl is for the lab's own checks.
    ImageNeeds image_needs() const override { return {{"python3", "python3-grpcio", "curl"}, {}}; }

    std::unique_ptr<Role> make_role() const override { return make_app_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_app_kind() {
    return std::make_unique<AppKind>();
}

}  // namespace labctl::services
