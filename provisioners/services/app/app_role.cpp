// An app service: its uploaded files, then through the shared pipeline
// (services/file_install.hpp) a secrets env file when it talks to a RabbitMQ broker and one
// systemd unit per instance (checked by systemd-analyze verify), restarted when anything it
// runs changed, probed by `health` answering 200 (or the gRPC port accepting) on every
// instance.
#include <filesystem>

#include "probe/http.hpp"
#include "probe/socket.hpp"
#include "remote/transfer.hpp"
#include "services/app/app_role.hpp"
#include "services/app/app_settings.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

}  // namespace

namespace {

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

        ConfigChange change;
        change.files = config_files(target.files);
        for (const auto& dep : target.lab.dependencies(target.service)) {
            const auto* broker = target.lab.service(dep);
            if (!broker || broker->type_name() != "rabbitmq") continue;
            auto password = store::ensure_secret(target.state_dir, "rabbitmq-" + broker->name);
            session.check({"mkdir", "-p", "-m", "0700", "/etc/labctl"}, sudo_step("secrets"));
            change.files.push_back({"/etc/labctl/" + target.service.name + ".env",
                                    "BROKER_PASSWORD=" + password + "\n", 0600});
            break;
        }
        change.validators = {systemd_unit_validator()};
        change.reload_anyway = sent > 0;  // the code it runs changed

        std::vector<std::string> units;
        auto instances = target.lab.instances(target.service);
        for (const auto& instance : instances)
            if (instance.node == &target.node)
                units.push_back("labctl-" + instance.name + ".service");
        auto address = target.node.address();
        change.control = systemd_control(
            session, units,
            [&] {
                for (const auto& instance : instances) {
                    if (instance.node != &target.node) continue;
                    auto port = static_cast<std::uint16_t>(instance.port);
                    wait_until(target.node.name, "probe " + instance.name, 90s,
                               [&]() -> std::string {
                                   if (app.protocol == Protocol::grpc) {
                                       auto probe = probe::tcp_port_open(address, port, 2s);
                                       return probe.open ? ""
                                                         : "gRPC port " + std::to_string(port) +
                                                               ": " + probe.error;
                                   }
                                   auto response = probe::http_get(address, port, app.health, 2s);
                                   if (response.status == 200) return "";
                                   return "GET " + app.health + " on " + address + ":" +
                                          std::to_string(port) + ": " +
                                          (response.ok() ? "HTTP " + std::to_string(response.status)
                                                         : response.error);
                               });
                }
            },
            /*daemon_reload=*/true);
        apply_config(target, change, report);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_app_role() {
    return std::make_unique<AppRole>();
}

}  // namespace labctl::services
