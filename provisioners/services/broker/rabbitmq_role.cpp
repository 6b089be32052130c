// RabbitMQ: rabbitmq.conf (STOMP listener) and enabled_plugins (rabbitmq_stomp) rendered, plus
// a definitions file that creates the lab user. The file holds only a salted hash of the
// generated password (which lives in the lab state, 0600), so no password is ever on a
// command line; rabbitmq.conf loads it at boot. Verified by a STOMP CONNECT as that user.
#include "probe/stomp.hpp"
#include "remote/install.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/broker/broker_settings.hpp"
#include "services/broker/rabbitmq_definitions.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class RabbitMqRole final : public Role {
  public:
    std::string_view name() const override { return "rabbitmq"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& settings = broker_settings(target.service);
        auto password = store::ensure_secret(target.state_dir, "rabbitmq-" + target.service.name);

        StepTimer files(report, "config");
        bool changed = install_rendered_files(target);
        remote::InstallOptions options;
        options.mode = 0640;
        options.group = "rabbitmq";
        changed |= remote::install_file(session, rabbitmq_definitions_json(settings.user, password),
                                        rabbitmq_definitions_path, options);
        files.done(changed ? Outcome::changed : Outcome::ok);

        StepTimer start(report, "start");
        bool started = ensure_unit_running(session, "rabbitmq-server.service", changed, "start");
        start.done(started ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        auto address = target.node.address();
        auto port = static_cast<std::uint16_t>(settings.stomp_port);
        probe::StompCredentials credentials{settings.user, password, "/"};
        wait_until(target.node.name, "verify stomp", 300s, [&]() -> std::string {
            auto result = probe::stomp_connect(address, port, credentials, 5s);
            return result.connected ? ""
                                    : "STOMP CONNECT as " + settings.user + " to " + address + ":" +
                                          std::to_string(port) + ": " + result.error;
        });
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_rabbitmq_role() {
    return std::make_unique<RabbitMqRole>();
}

}  // namespace labctl::services
