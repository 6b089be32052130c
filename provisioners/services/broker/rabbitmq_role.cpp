// RabbitMQ: rabbitmq.conf (STOMP listener) and enabled_plugins (rabbitmq_stomp) rendered, plus
// a definitions file that creates the lab user. The file holds only a salted hash of the
// generated password (which lives in the lab state, 0600), so no password is ever on a
// command line; rabbitmq.conf loads it at boot. All three go through the shared pipeline
// (services/file_install.hpp); probed by a STOMP CONNECT as that user.
#include "probe/stomp.hpp"
#include "services/broker/broker_roles.hpp"
#include "services/broker/broker_settings.hpp"
#include "services/broker/rabbitmq_definitions.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

constexpr const char* kParseJson = R"(import json, sys
try:
    with open(sys.argv[1]) as file:
        json.load(file)
except ValueError as error:
    sys.exit(str(error)))";

constexpr const char* kConsultTerm =
    "case file:consult(hd(init:get_plain_arguments())) of"
    " {ok, [Plugins]} when is_list(Plugins) -> halt(0);"
    " Other -> io:format(standard_error, \"not one list of plugins: ~p~n\", [Other]), halt(1)"
    " end.";

}  // namespace

Validator rabbitmq_json_validator() {
    return argv_validator("python3 json", path_ends_with(".json"),
                          {"python3", "-c", kParseJson, "{staged}"});
}

Validator rabbitmq_plugins_validator() {
    return argv_validator(
        "erl file:consult", path_ends_with("/enabled_plugins"),
        {"erl", "-noshell", "-noinput", "-eval", kConsultTerm, "-extra", "{staged}"});
}

namespace {

class RabbitMqRole final : public Role {
  public:
    std::string_view name() const override { return "rabbitmq"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& settings = broker_settings(target.service);
        auto password = store::ensure_secret(target.state_dir, "rabbitmq-" + target.service.name);

        ConfigChange change;
        change.files = config_files(target.files);
        change.files.push_back({rabbitmq_definitions_path,
                                rabbitmq_definitions_json(settings.user, password), 0640,
                                "rabbitmq"});
        // rabbitmq.conf (cuttlefish) has no offline check: the probe and rollback cover it.
        change.validators = {rabbitmq_json_validator(), rabbitmq_plugins_validator()};
        auto address = target.node.address();
        auto port = static_cast<std::uint16_t>(settings.stomp_port);
        probe::StompCredentials credentials{settings.user, password, "/"};
        change.control = systemd_control(session, {"rabbitmq-server.service"}, [&] {
            wait_until(target.node.name, "probe stomp", 300s, [&]() -> std::string {
                auto result = probe::stomp_connect(address, port, credentials, 5s);
                return result.connected ? ""
                                        : "STOMP CONNECT as " + settings.user + " to " + address +
                                              ":" + std::to_string(port) + ": " + result.error;
            });
        });
        apply_config(target, change, report);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_rabbitmq_role() {
    return std::make_unique<RabbitMqRole>();
}

}  // namespace labctl::services
