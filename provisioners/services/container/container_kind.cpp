// A container service: the lab's own image, built from a Dockerfile directory on the swarm's
// leader, pushed to the lab's registry and run as a swarm service. Its instances, for the rest
// of labctl, are the swarm's nodes: each answers on the published port (through the routing
// mesh where the kernel has IPVS, else through labctl's proxy on every node), so a balancer
// in front spreads over them and `kill NODE` takes one away.
#include <regex>

#include "probe/http.hpp"
#include "services/container/container_checks.hpp"
#include "services/container/container_role.hpp"
#include "services/container/container_settings.hpp"
#include "services/registry.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "topology/references.hpp"

namespace labctl::services {

const std::vector<std::string>& base_image_packages() {
    // python3 for the apps, Flask and PyMySQL for web apps on MariaDB, nginx-light for
    // labctl's proxy (and any app's own).
    static const std::vector<std::string> packages{"python3", "python3-flask", "python3-pymysql",
                                                   "nginx-light"};
    return packages;
}

std::string container_network(const topo::Service& service) {
    return "labctl-" + service.name;
}
std::string container_proxy(const topo::Service& service) {
    return service.name + "-proxy";
}
std::string container_proxy_conf(const topo::Service& service) {
    return "/etc/labctl/container/" + service.name + "/proxy-nginx.conf";
}

bool is_placement_constraint(const std::string& text) {
    static const std::regex constraint(
        R"(^(node\.(id|hostname|role|platform\.os|platform\.arch|labels\.[A-Za-z0-9_.-]+)|)"
        R"(engine\.labels\.[A-Za-z0-9_.-]+) *(==|!=) *[A-Za-z0-9_.-]+$)");
    return text.size() <= 200 && std::regex_match(text, constraint);
}

namespace {

using namespace topo;

// The instance ${...} references in env resolve against: the leader's, where the service
// is created.
std::optional<Instance> leader_instance(const Lab& lab, const Service& service) {
    const auto& settings = container_settings(service);
    const Service* swarm = lab.service(settings.cluster.value);
    if (!swarm || !is_swarm(*swarm)) return std::nullopt;
    for (const auto& instance : lab.instances(service))
        if (instance.node->name == swarm_settings(*swarm).leader()) return instance;
    return std::nullopt;
}

class ContainerKind final : public ServiceKind {
  public:
    std::string_view name() const override { return "container"; }

    std::shared_ptr<ServiceSettings> parse(TomlReader& reader, Service& service) const override {
        auto settings = std::make_shared<ContainerSettings>();
        auto& diagnostics = reader.diagnostics();
        if (auto cluster = reader.string("cluster"))
            settings->cluster = {*cluster, reader.value_pos("cluster")};
        else if (!reader.table().contains("cluster"))
            diagnostics.error(reader.pos(), "missing key `cluster` in " + reader.what() +
                                                " (the swarm service that runs it)");
        if (auto build = reader.string("build")) {
            if (build->empty() || !is_printable_line(*build))
                diagnostics.error(reader.value_pos("build"),
                                  "`build` must be a directory with a Dockerfile, relative to "
                                  "the lab file");
            else
                settings->build = {*build, reader.value_pos("build")};
        } else if (!reader.table().contains("build")) {
            diagnostics.error(reader.pos(), "missing key `build` in " + reader.what() +
                                                " (a directory with a Dockerfile)");
        }
        if (auto replicas = reader.integer("replicas", {1, 100}))
            settings->replicas = static_cast<int>(*replicas);
        if (auto placement = reader.string_list("placement")) settings->placement = *placement;
        for (const auto& constraint : settings->placement)
            if (!is_placement_constraint(constraint.value))
                diagnostics.error(constraint.pos,
                                  "placement `" + constraint.value +
                                      "` is not a swarm constraint such as \"node.role == "
                                      "worker\" (node.role, node.hostname, node.id, "
                                      "node.labels.KEY, engine.labels.KEY with == or !=)");
        if (auto port = reader.integer("port", port_range)) {
            settings->port = static_cast<int>(*port);
            settings->port_pos = reader.value_pos("port");
        }
        if (auto health = reader.string("health")) {
            if (!is_safe_url_path(*health))
                diagnostics.error(reader.value_pos("health"),
                                  "`health` must be an HTTP path such as \"/health\"");
            else
                settings->health = *health;
        }
        settings->env = read_env(reader);
        if (auto secrets = reader.string_list("secrets")) settings->secrets = *secrets;
        if (!service.on.empty())
            diagnostics.error(service.on.front().pos,
                              "a container service runs on the nodes of its `cluster` (placed "
                              "by `placement`), not `on`");
        return settings;
    }

    void place(const Lab& lab, Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = container_settings(service);
        if (settings.cluster.value.empty()) return;
        const Service* swarm = lab.service(settings.cluster.value);
        if (!swarm || !swarm->settings || !is_swarm(*swarm)) {
            diagnostics.error(settings.cluster.pos,
                              swarm ? "cluster `" + swarm->name + "` is of type " +
                                          swarm->type_name() + "; a container runs on a swarm"
                                    : "unknown service `" + settings.cluster.value +
                                          "` in `cluster` (a swarm service)");
            return;
        }
        service.on.clear();
        for (const auto& node : swarm->on) service.on.push_back({node.value, settings.cluster.pos});
    }

    int main_port(const Service& service) const override {
        return container_settings(service).port;
    }
    bool placed_by_on() const override { return false; }

    std::vector<std::string> used_services(const Service& service) const override {
        const auto& settings = container_settings(service);
        std::vector<std::string> names{settings.cluster.value};
        for (const auto& secret : settings.secrets) names.push_back(secret.value);
        for (const auto& env : settings.env)
            for (const auto& ref : parse_references(env.value).references)
                names.push_back(ref.scope);
        return names;
    }

    std::vector<PortUse> ports(const Lab&, const Service& service, const Node&) const override {
        const auto& settings = container_settings(service);
        return {
            {settings.port, "container `" + service.name + "` published port", settings.port_pos}};
    }

    void validate(const Lab& lab, const Service& service, Diagnostics& diagnostics) const override {
        const auto& settings = container_settings(service);
        for (const auto& secret : settings.secrets) {
            const Service* other = lab.service(secret.value);
            if (!other)
                diagnostics.error(secret.pos,
                                  "unknown service `" + secret.value + "` in `secrets`");
            else if (kind_of(*other).client_secret(*other).empty())
                diagnostics.error(secret.pos, "service `" + secret.value +
                                                  "` has no client password to pass on (a mysql "
                                                  "service with `user`)");
        }
        auto leader = leader_instance(lab, service);
        if (!leader) return;  // reported by place()
        for (const auto& env : settings.env) {
            if (env.name == "PORT" && env.value != std::to_string(settings.port))
                diagnostics.error(env.pos, "env PORT is set by labctl to `port` (" +
                                               std::to_string(settings.port) + ")");
            auto resolved = resolve_references(lab, env.value, *leader);
            if (!resolved.error.empty()) diagnostics.error(env.pos, resolved.error);
        }
    }

    std::vector<render::GeneratedFile> render(const Lab& lab, const Service& service,
                                              const render::TemplateSet& templates) const override {
        const auto& settings = container_settings(service);
        std::vector<render::GeneratedFile> files;
        auto leader = leader_instance(lab, service);
        if (!leader) return files;
        auto data = header_data(lab, service, *leader->node);
        data.set("port", std::to_string(settings.port));
        data.set("tasks", "tasks." + service.name);
        files.push_back({leader->node->name, container_proxy_conf(service),
                         templates.render("container/proxy-nginx.conf.mustache", data), 0644,
                         service.name});
        return files;
    }

    // Its instances are the swarm's nodes answering on the published port: a balancer may
    // front them and `kill NODE` takes one away.
    bool runs_user_instances() const override { return true; }
    std::string http_health(const Service& service) const override {
        return container_settings(service).health;
    }
    Health probe_health(const std::filesystem::path&, const Instance& instance) const override {
        const auto& settings = container_settings(*instance.service);
        auto response =
            probe::http_get(instance.node->address(), static_cast<std::uint16_t>(instance.port),
                            settings.health, std::chrono::seconds(3));
        return {response.status == 200,
                response.ok() ? "HTTP " + std::to_string(response.status) : response.error};
    }
    std::string health_label() const override { return "health"; }

    std::vector<CheckResult> checks(CheckContext& context, const Service& service) const override {
        return container_task_checks(context, service);
    }

    RecoveryProbe recovery_probe(const Lab& lab, const Service& service,
                                 const Node& lost) const override {
        return container_recovery_probe(lab, service, lost);
    }

    std::vector<Upload> uploads(const Service& service) const override {
        const auto& settings = container_settings(service);
        return {
            {settings.build.value, "/var/lib/labctl/build/" + service.name, settings.build.pos}};
    }

    std::string graph_role(const Service& service, const Node&) const override {
        const auto& settings = container_settings(service);
        std::string where;
        for (const auto& constraint : settings.placement)
            where += (where.empty() ? " where " : ", ") + constraint.value;
        return std::to_string(settings.replicas) + " replicas" + where;
    }

    // No Vagrant machine has labctl's image to build FROM: the export says so.
    std::vector<std::string> vagrant_packages(const Service&) const override { return {}; }
    VagrantPart vagrant_part(const Lab&, const Service&, const Node&,
                             render::Data item) const override {
        return {"container/vagrant.sh.mustache", item};
    }

    // labctl/debian:12, built offline at image build time: a minbase tree as a tarball in
    // the base image, imported on the leader by the role. The hook runs outside the tree
    // with a clean environment (mmdebstrap's own APT_CONFIG must not leak into the nested
    // run).
    ImageNeeds image_needs() const override {
        std::string include;
        for (const auto& package : base_image_packages())
            include += (include.empty() ? "" : ",") + package;
        std::string tarball = kBaseImageTarball;
        std::string dir = tarball.substr(0, tarball.rfind('/'));
        return {{},
                {},
                {"mkdir -p \"$1\"" + dir +
                 " && env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin mmdebstrap --variant=minbase "
                 "--mode=root --include=" +
                 include +
                 " '--dpkgopt=path-exclude=/usr/share/doc/*' "
                 "'--dpkgopt=path-exclude=/usr/share/man/*' "
                 "'--dpkgopt=path-exclude=/usr/share/locale/*' bookworm \"$1\"" +
                 tarball}};
    }

    std::unique_ptr<Role> make_role() const override { return make_container_role(); }
};

}  // namespace

std::unique_ptr<ServiceKind> make_container_kind() {
    return std::make_unique<ContainerKind>();
}

}  // namespace labctl::services
