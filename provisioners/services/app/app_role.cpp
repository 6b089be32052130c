// An app service: its uploaded files, a secrets env file when it talks to a RabbitMQ broker,
// one systemd unit per instance, restarted when anything it runs changed, then `health`
// answering 200 (or the gRPC port accepting) on every instance.
#include <filesystem>

#include "probe/http.hpp"
#include "probe/socket.hpp"
#include "remote/install.hpp"
#include "remote/transfer.hpp"
#include "services/app/app_role.hpp"
#include "services/app/app_settings.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"
#include "util/files.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class AppRole final : public Role {
  public:
    std::string_view name() const override { return "app"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& app = app_settings(target.service);

        StepTimer upload(report, "upload");
        int sent = 0;
        for (const auto& item : app.uploads) {
            auto local = std::filesystem::path(target.lab.base_dir) / item.local;
            if (!std::filesystem::exists(local))
                throw InfraError("upload source " + local.string() + " does not exist",
                                 target.node.name, "upload");
            // The app runs as the node's user, who owns its files.
            session.check({"sh", "-c", "mkdir -p \"$1\" && chown \"$2\": \"$1\"", "mkdir",
                           item.remote, target.node.user},
                          sudo_step("upload"));
            if (std::filesystem::is_directory(local)) {
                sent += remote::upload_tree(session, local, item.remote).changed;
            } else {
                sent +=
                    remote::upload_if_changed(session, util::read_file(local),
                                              item.remote + "/" + local.filename().string(), 0644)
                        ? 1
                        : 0;
            }
        }
        upload.done(sent ? Outcome::changed : Outcome::ok, std::to_string(sent) + " file(s) sent");

        StepTimer secrets(report, "secrets");
        bool secrets_changed = false;
        for (const auto& dep : target.lab.dependencies(target.service)) {
            const auto* broker = target.lab.service(dep);
            if (!broker || broker->type_name() != "rabbitmq") continue;
            auto password = store::ensure_secret(target.state_dir, "rabbitmq-" + broker->name);
            session.check({"mkdir", "-p", "-m", "0700", "/etc/labctl"}, sudo_step("secrets"));
            remote::InstallOptions options;
            options.mode = 0600;
            secrets_changed |=
                remote::install_file(session, "BROKER_PASSWORD=" + password + "\n",
                                     "/etc/labctl/" + target.service.name + ".env", options);
            break;
        }
        secrets.done(secrets_changed ? Outcome::changed : Outcome::ok);

        StepTimer units(report, "units");
        bool units_changed = install_rendered_files(target);
        if (units_changed) session.check({"systemctl", "daemon-reload"}, sudo_step("units"));
        units.done(units_changed ? Outcome::changed : Outcome::ok);

        StepTimer start(report, "start");
        bool restart = sent > 0 || secrets_changed || units_changed;
        bool started = false;
        auto instances = target.lab.instances(target.service);
        for (const auto& instance : instances)
            if (instance.node == &target.node)
                started |= ensure_unit_running(session, "labctl-" + instance.name + ".service",
                                               restart, "start");
        start.done(started ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        for (const auto& instance : instances) {
            if (instance.node != &target.node) continue;
            auto address = target.node.address();
            auto port = static_cast<std::uint16_t>(instance.port);
            wait_until(target.node.name, "verify " + instance.name, 90s, [&]() -> std::string {
                if (app.protocol == Protocol::grpc) {
                    auto probe = probe::tcp_port_open(address, port, 2s);
                    return probe.open ? ""
                                      : "gRPC port " + std::to_string(port) + ": " + probe.error;
                }
                auto response = probe::http_get(address, port, app.health, 2s);
                if (response.status == 200) return "";
                return "GET " + app.health + " on " + address + ":" + std::to_string(port) + ": " +
                       (response.ok() ? "HTTP " + std::to_string(response.status) : response.error);
            });
        }
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_app_role() {
    return std::make_unique<AppRole>();
}

}  // namespace labctl::services
