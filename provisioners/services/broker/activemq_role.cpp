// ActiveMQ: Debian's package runs the instances linked in instances-enabled, so the role
// links the `main` instance, then puts the rendered activemq.xml (with the STOMP connector)
// into it through the shared pipeline (services/file_install.hpp): checked well-formed,
// broker restarted when either changed, probed by STOMP CONNECTED.
#include "probe/stomp.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/broker/broker_settings.hpp"
#include "services/role_support.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

constexpr const char* kParseXml = R"(import sys, xml.etree.ElementTree as tree
try:
    tree.parse(sys.argv[1])
except tree.ParseError as error:
    sys.exit(str(error)))";

}  // namespace

Validator activemq_xml_validator() {
    return argv_validator("python3 XML parser", path_ends_with(".xml"),
                          {"python3", "-c", kParseXml, "{staged}"});
}

namespace {

class ActiveMqRole final : public Role {
  public:
    std::string_view name() const override { return "activemq"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;

        StepTimer enable(report, "instance");
        const std::string link = "/etc/activemq/instances-enabled/main";
        auto current = session.run({"readlink", link}, sudo_step("instance"));
        bool linked =
            current.exit_code == 0 && util::trim(current.out) == "../instances-available/main";
        if (!linked)
            session.check({"ln", "-sfn", "../instances-available/main", link},
                          sudo_step("instance"));
        enable.done(linked ? Outcome::ok : Outcome::changed);

        ConfigChange change;
        change.files = config_files(target.files);
        change.validators = {activemq_xml_validator()};
        change.reload_anyway = !linked;
        auto address = target.node.address();
        auto port = static_cast<std::uint16_t>(broker_settings(target.service).stomp_port);
        change.control = systemd_control(session, {"activemq.service"}, [&] {
            // A JVM under software emulation takes minutes to open its connectors.
            wait_until(target.node.name, "probe stomp", 300s, [&]() -> std::string {
                auto result = probe::stomp_connect(address, port, {}, 5s);
                return result.connected ? ""
                                        : "STOMP CONNECT to " + address + ":" +
                                              std::to_string(port) + ": " + result.error;
            });
        });
        apply_config(target, change, report);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_activemq_role() {
    return std::make_unique<ActiveMqRole>();
}

}  // namespace labctl::services
