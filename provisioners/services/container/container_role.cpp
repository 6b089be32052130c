#include "services/container/container_role.hpp"

#include <filesystem>

#include "probe/http.hpp"
#include "remote/transfer.hpp"
#include "services/container/container_checks.hpp"
#include "services/container/container_settings.hpp"
#include "services/file_install.hpp"
#include "services/registry.hpp"
#include "services/role_support.hpp"
#include "services/swarm/swarm_settings.hpp"
#include "store/secrets.hpp"
#include "topology/references.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

constexpr const char* kSpecLabel = "labctl.spec";

// Docker on the leader, each command naming the node and step when it fails.
class Docker {
  public:
    Docker(remote::Session& session, std::string node)
        : session_(session), node_(std::move(node)) {}

    remote::RunResult run(const std::vector<std::string>& args, const std::string& step,
                          std::chrono::milliseconds timeout = 2min, const std::string& input = {}) {
        std::vector<std::string> argv{"docker"};
        argv.insert(argv.end(), args.begin(), args.end());
        auto options = sudo_step(step, timeout);
        options.input = input;
        return session_.run(argv, options);
    }
    std::string check(const std::vector<std::string>& args, const std::string& step,
                      std::chrono::milliseconds timeout = 2min, const std::string& input = {}) {
        auto result = run(args, step, timeout, input);
        if (result.exit_code != 0)
            throw InfraError("docker " + args.front() + " " + (args.size() > 1 ? args[1] : "") +
                                 ": " + util::trim(result.err.empty() ? result.out : result.err),
                             node_, step);
        return util::trim(result.out);
    }
    bool exists(const std::vector<std::string>& inspect, const std::string& step) {
        return run(inspect, step).exit_code == 0;
    }
    // Whether the lab's registry holds NAME:TAG.
    bool in_registry(const std::string& registry, const std::string& name, const std::string& tag,
                     const std::string& step) {
        auto result = session_.run({"curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H",
                                    "Accept: application/vnd.docker.distribution.manifest.v2+json",
                                    "http://" + registry + "/v2/" + name + "/manifests/" + tag},
                                   sudo_step(step, 30s));
        return util::trim(result.out) == "200";
    }
    remote::Session& session() { return session_; }

  private:
    remote::Session& session_;
    std::string node_;
};

// Creates service NAME from ARGS (what follows `docker service create`), or leaves it when its
// label says it was created from the same ARGS; a changed spec replaces it. True when it did
// anything.
bool ensure_service(Docker& docker, const std::string& name, std::vector<std::string> args,
                    const std::string& step) {
    auto hash = remote::sha256_hex(util::join(args, "\n")).substr(0, 16);
    auto seen = docker.run({"service", "inspect", "--format",
                            "{{index .Spec.Labels \"" + std::string(kSpecLabel) + "\"}}", name},
                           step);
    if (seen.exit_code == 0 && util::trim(seen.out) == hash) return false;
    if (seen.exit_code == 0) docker.check({"service", "rm", name}, step);
    std::vector<std::string> create{"service",
                                    "create",
                                    "--detach",
                                    "--name",
                                    name,
                                    "--label",
                                    std::string(kSpecLabel) + "=" + hash};
    create.insert(create.end(), args.begin(), args.end());
    docker.check(create, step, 5min);
    return true;
}

class ContainerRole final : public Role {
  public:
    std::string_view name() const override { return "container"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        const auto& settings = container_settings(target.service);
        const auto* swarm = target.lab.service(settings.cluster.value);
        if (!swarm || !is_swarm(*swarm))
            throw InfraError("no swarm `" + settings.cluster.value + "`", target.node.name,
                             "container");
        const auto& leader = swarm_settings(*swarm).leader();
        if (target.node.name != leader) {
            StepTimer schedule(report, "schedule");
            schedule.done(Outcome::ok,
                          "its tasks run where the swarm's leader " + leader + " places them");
            return report;
        }
        Docker docker(target.session, target.node.name);
        auto registry = swarm_registry(target.lab, *swarm);
        auto base = base_image(docker, registry, report);
        auto image = build_image(target, docker, registry, report);

        StepTimer network(report, "network");
        bool network_made = false;
        if (!docker.exists({"network", "inspect", container_network(target.service)}, "network")) {
            docker.check({"network", "create", "--driver", "overlay", "--attachable",
                          container_network(target.service)},
                         "network");
            network_made = true;
        }
        network.done(network_made ? Outcome::changed : Outcome::ok,
                     "overlay " + container_network(target.service));

        // Where the kernel has IPVS the routing mesh publishes the port on every node; without
        // it (measured on our machines) the mesh refuses connections, so tasks are reached by
        // DNS round robin through labctl's proxy.
        bool mesh = target.session.run({"test", "-e", "/proc/net/ip_vs"}).exit_code == 0;

        StepTimer service(report, "service");
        auto args = service_args(target, image, mesh);
        auto secrets = swarm_secrets(target, docker);
        args.insert(args.end() - 1, secrets.begin(), secrets.end());  // before the image
        bool service_changed = ensure_service(docker, target.service.name, args, "service");
        service.done(service_changed ? Outcome::changed : Outcome::ok,
                     std::to_string(settings.replicas) + " replica(s) of " + image +
                         (mesh ? ", routing mesh" : ", dnsrr behind labctl's proxy"));

        auto ready = [&] { wait_ready(target, docker, mesh); };
        if (mesh) {
            StepTimer probe(report, "probe");
            ready();
            probe.done(Outcome::ok);
            return report;
        }
        proxy(target, docker, base, ready, report);
        return report;
    }

  private:
    // labctl/debian:12 on the leader (imported from the base image's tarball) and in the
    // lab's registry, where the other nodes pull it (the proxy runs it).
    static std::string base_image(Docker& docker, const std::string& registry, RoleReport& report) {
        StepTimer step(report, "base image");
        bool changed = false;
        if (!docker.exists({"image", "inspect", kBaseImage}, "base image")) {
            if (docker.session().run({"test", "-f", kBaseImageTarball}).exit_code != 0)
                throw InfraError(std::string(kBaseImageTarball) +
                                     " is missing: the node's base image predates the container "
                                     "type (run `labctl image build --force`)",
                                 docker.session().node(), "base image");
            docker.check({"import", kBaseImageTarball, kBaseImage}, "base image", 15min);
            changed = true;
        }
        std::string pushed = registry + "/" + kBaseImage;
        if (!docker.in_registry(registry, "labctl/debian", "12", "base image")) {
            docker.check({"tag", kBaseImage, pushed}, "base image");
            docker.check({"push", pushed}, "base image", 15min);
            changed = true;
        }
        step.done(changed ? Outcome::changed : Outcome::ok, pushed);
        return pushed;
    }

    // The build directory uploaded and built on the leader, tagged by its image id and pushed.
    static std::string build_image(const RoleTarget& target, Docker& docker,
                                   const std::string& registry, RoleReport& report) {
        const auto& settings = container_settings(target.service);
        auto local = std::filesystem::path(target.lab.base_dir) / settings.build.value;
        if (!std::filesystem::is_regular_file(local / "Dockerfile"))
            throw InfraError("build directory " + local.string() + " has no Dockerfile",
                             target.node.name, "upload");
        std::string remote_dir = "/var/lib/labctl/build/" + target.service.name;
        StepTimer upload(report, "upload");
        target.session.check({"sh", "-c", "mkdir -p \"$1\" && chown \"$2\": \"$1\"", "mkdir",
                              remote_dir, target.node.user},
                             sudo_step("upload"));
        auto sent = remote::upload_tree(target.session, local, remote_dir);
        upload.done(
            sent.changed ? Outcome::changed : Outcome::ok,
            std::to_string(sent.changed) + " of " + std::to_string(sent.files) + " file(s) sent");

        StepTimer build(report, "build");
        auto id = docker.check({"build", "-q", "-t", target.service.name + ":labctl", remote_dir},
                               "build", 20min);
        auto colon = id.rfind(':');
        auto tag = id.substr(colon == std::string::npos ? 0 : colon + 1, 12);
        if (tag.size() != 12 || tag.find_first_not_of("0123456789abcdef") != std::string::npos)
            throw InfraError("docker build printed no image id: " + id, target.node.name, "build");
        std::string image = registry + "/" + target.service.name + ":" + tag;
        bool pushed = false;
        if (!docker.in_registry(registry, target.service.name, tag, "build")) {
            docker.check({"tag", id, image}, "build");
            docker.check({"push", image}, "build", 15min);
            pushed = true;
        }
        build.done(pushed ? Outcome::changed : Outcome::ok, image);
        return image;
    }

    // Each password the service is given (`secrets`) as a swarm secret named by a hash of it
    // (secrets cannot change: a new password is a new secret), read from stdin; the --secret
    // arguments that mount it at /run/secrets/SERVICE_password.
    static std::vector<std::string> swarm_secrets(const RoleTarget& target, Docker& docker) {
        std::vector<std::string> args;
        for (const auto& secret : container_settings(target.service).secrets) {
            const auto* other = target.lab.service(secret.value);
            if (!other) continue;
            auto password =
                store::ensure_secret(target.state_dir, kind_of(*other).client_secret(*other));
            auto name = target.service.name + "-" + other->name + "-" +
                        remote::sha256_hex(other->name + "\n" + password).substr(0, 12);
            if (!docker.exists({"secret", "inspect", name}, "secrets"))
                docker.check({"secret", "create", name, "-"}, "secrets", 2min, password);
            args.insert(args.end(),
                        {"--secret", "source=" + name + ",target=" + other->name + "_password"});
        }
        return args;
    }

    static std::vector<std::string> service_args(const RoleTarget& target, const std::string& image,
                                                 bool mesh) {
        const auto& settings = container_settings(target.service);
        std::vector<std::string> args{"--replicas", std::to_string(settings.replicas), "--network",
                                      container_network(target.service)};
        auto port = std::to_string(settings.port);
        if (mesh) {
            args.insert(args.end(), {"--publish", "published=" + port + ",target=" + port});
        } else {
            args.insert(args.end(), {"--endpoint-mode", "dnsrr"});
        }
        for (const auto& constraint : settings.placement)
            args.insert(args.end(), {"--constraint", constraint.value});
        // ${...} resolve as seen from the leader, where the service is made; lab-file values,
        // never generated secrets.
        topo::Instance leader;
        for (const auto& instance : target.lab.instances(target.service))
            if (instance.node == &target.node) leader = instance;
        bool has_port = false;
        for (const auto& env : settings.env) {
            has_port |= env.name == "PORT";
            args.insert(
                args.end(),
                {"--env",
                 env.name + "=" + topo::resolve_references(target.lab, env.value, leader).value});
        }
        if (!has_port) args.insert(args.end(), {"--env", "PORT=" + port});
        // Every task knows which it is (Docker fills the templates per task).
        args.insert(args.end(), {"--env", "LABCTL_SERVICE=" + target.service.name, "--env",
                                 "LABCTL_INSTANCE={{.Service.Name}}.{{.Task.Slot}}", "--env",
                                 "LABCTL_NODE={{.Node.Hostname}}"});
        args.push_back(image);
        return args;
    }

    // The proxy's nginx.conf through the shared pipeline (nginx -t in labctl/debian:12 on the
    // staged copy), handed to its global service as a swarm config named by its hash.
    static void proxy(const RoleTarget& target, Docker& docker, const std::string& base,
                      const std::function<void()>& ready, RoleReport& report) {
        const auto conf = container_proxy_conf(target.service);
        target.session.check({"mkdir", "-p", std::filesystem::path(conf).parent_path().string()},
                             sudo_step("prepare"));
        ConfigChange change;
        change.files = config_files(target.files);
        std::string content;
        for (const auto& file : change.files)
            if (file.path == conf) content = file.content;
        change.validators = {
            {"nginx -t (in " + std::string(kBaseImage) + ")", path_is(conf),
             [](remote::Session& session, const std::vector<StagedFile>& files) -> std::string {
                 for (const auto& file : files) {
                     auto result = session.run(
                         {"docker", "run", "--rm", "--network", "none", "-v",
                          file.staged + ":/etc/nginx/nginx.conf:ro", kBaseImage, "nginx", "-t"},
                         sudo_step("validate", 2min));
                     if (result.exit_code != 0) return util::trim(result.err + result.out);
                 }
                 return "";
             }}};
        auto ensure = [&, content]() -> bool {
            const auto& settings = container_settings(target.service);
            auto config =
                container_proxy(target.service) + "-" + remote::sha256_hex(content).substr(0, 12);
            if (!docker.exists({"config", "inspect", config}, "reload"))
                docker.check({"config", "create", config, "-"}, "reload", 2min, content);
            auto port = std::to_string(settings.port);
            bool changed =
                ensure_service(docker, container_proxy(target.service),
                               {"--mode", "global", "--network", container_network(target.service),
                                "--publish", "mode=host,published=" + port + ",target=" + port,
                                "--config", "source=" + config + ",target=/etc/nginx/nginx.conf",
                                base, "nginx", "-g", "daemon off;"},
                               "reload");
            // Configs of earlier versions, now unused (one still in use is refused: kept).
            auto old = docker.run({"config", "ls", "--format", "{{.Name}}", "--filter",
                                   "name=" + container_proxy(target.service) + "-"},
                                  "reload");
            for (const auto& name : util::split(old.out, '\n'))
                if (!util::trim(name).empty() && util::trim(name) != config)
                    docker.run({"config", "rm", util::trim(name)}, "reload");
            return changed;
        };
        change.control.reload = [ensure] { ensure(); };
        change.control.start = ensure;
        change.control.probe = ready;
        apply_config(target, change, report);
    }

    // Every replica running as placed, labctl's proxy on every node (without the mesh), and
    // `health` answering through the published port of every node.
    static void wait_ready(const RoleTarget& target, Docker& docker, bool mesh) {
        const auto& settings = container_settings(target.service);
        const auto* swarm = target.lab.service(settings.cluster.value);
        std::vector<std::string> managers, placement;
        for (const auto& manager : swarm_settings(*swarm).managers)
            managers.push_back(manager.value);
        for (const auto& constraint : settings.placement) placement.push_back(constraint.value);
        auto tasks_of = [&](const std::string& service) {
            auto result = docker.run({"service", "ps", service, "--filter", "desired-state=running",
                                      "--format", kTaskListFormat},
                                     "probe", 30s);
            return parse_task_list(result.out);
        };
        // Pulls of a fresh image on every node take a while on a busy machine.
        wait_until(target.node.name, "tasks of " + target.service.name, 600s, [&]() -> std::string {
            auto verdict =
                judge_tasks(tasks_of(target.service.name), settings.replicas, placement, managers);
            return verdict.ok ? "" : verdict.detail;
        });
        if (!mesh)
            wait_until(target.node.name, "proxy " + container_proxy(target.service), 600s,
                       [&]() -> std::string {
                           auto verdict =
                               judge_tasks(tasks_of(container_proxy(target.service)),
                                           static_cast<int>(swarm->on.size()), {}, managers);
                           return verdict.ok ? "" : verdict.detail;
                       });
        for (const auto& instance : target.lab.instances(target.service)) {
            auto address = instance.node->address();
            wait_until(target.node.name, "health through " + instance.node->name, 120s,
                       [&]() -> std::string {
                           auto response =
                               probe::http_get(address, static_cast<std::uint16_t>(instance.port),
                                               settings.health, 3s);
                           if (response.status == 200) return "";
                           return "GET " + settings.health + " on " + address + ":" +
                                  std::to_string(instance.port) + ": " +
                                  (response.ok() ? "HTTP " + std::to_string(response.status)
                                                 : response.error);
                       });
        }
    }
};

}  // namespace

std::unique_ptr<Role> make_container_role() {
    return std::make_unique<ContainerRole>();
}

}  // namespace labctl::services
