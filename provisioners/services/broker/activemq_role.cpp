// ActiveMQ: Debian's package runs the instances linked in instances-enabled, so the role
// installs the rendered activemq.xml (with the STOMP connector) into the `main` instance,
// links it, restarts the broker when either changed, and waits for STOMP CONNECTED.
#include "probe/stomp.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/broker/broker_settings.hpp"
#include "services/role_support.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class ActiveMqRole final : public Role {
  public:
    std::string_view name() const override { return "activemq"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;

        StepTimer files(report, "config");
        bool changed = install_rendered_files(target);
        files.done(changed ? Outcome::changed : Outcome::ok);

        StepTimer enable(report, "instance");
        const std::string link = "/etc/activemq/instances-enabled/main";
        auto current = session.run({"readlink", link}, sudo_step("instance"));
        bool linked =
            current.exit_code == 0 && util::trim(current.out) == "../instances-available/main";
        if (!linked)
            session.check({"ln", "-sfn", "../instances-available/main", link},
                          sudo_step("instance"));
        enable.done(linked ? Outcome::ok : Outcome::changed);

        StepTimer start(report, "start");
        bool started =
            ensure_unit_running(session, "activemq.service", changed || !linked, "start");
        start.done(started ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        auto address = target.node.address();
        auto port = static_cast<std::uint16_t>(broker_settings(target.service).stomp_port);
        // A JVM under software emulation takes minutes to open its connectors.
        wait_until(target.node.name, "verify stomp", 300s, [&]() -> std::string {
            auto result = probe::stomp_connect(address, port, {}, 5s);
            return result.connected ? ""
                                    : "STOMP CONNECT to " + address + ":" + std::to_string(port) +
                                          ": " + result.error;
        });
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_activemq_role() {
    return std::make_unique<ActiveMqRole>();
}

}  // namespace labctl::services
