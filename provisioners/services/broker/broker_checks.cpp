#include "services/broker/broker_checks.hpp"

#include <fmt/format.h>

#include <chrono>

#include "probe/stomp.hpp"
#include "services/broker/broker_settings.hpp"
#include "store/secrets.hpp"
#include "util/parallel.hpp"
#include "util/stamp.hpp"

namespace labctl::services {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// RabbitMQ's lab user and its generated password; ActiveMQ needs no login.
probe::StompCredentials credentials(const std::filesystem::path& state_dir,
                                    const topo::Service& broker) {
    probe::StompCredentials credentials;
    if (broker.type_name() == "rabbitmq") {
        credentials.login = broker_settings(broker).user;
        credentials.passcode =
            store::read_secret(state_dir, "rabbitmq-" + broker.name).value_or("");
    }
    return credentials;
}

}  // namespace

Health broker_health(const std::filesystem::path& state_dir, const topo::Instance& instance) {
    auto result =
        probe::stomp_connect(instance.node->address(), static_cast<std::uint16_t>(instance.port),
                             credentials(state_dir, *instance.service), 5s);
    return {result.connected, result.connected ? "CONNECTED " + result.server : result.error};
}

std::vector<CheckResult> broker_relay_checks(CheckContext& context, const topo::Service& service) {
    auto instances = context.lab.instances(service);
    std::vector<CheckResult> results(instances.size());
    util::parallel_for(instances.size(), context.width(instances.size()), [&](std::size_t i) {
        const auto& instance = instances[i];
        auto start = Clock::now();
        auto result =
            probe::stomp_relay(instance.node->address(), static_cast<std::uint16_t>(instance.port),
                               credentials(context.state_dir, service), 15s);
        results[i] = {"relay " + instance.name + " (publish on one connection, receive on another)",
                      result.relayed, util::seconds_since(start),
                      result.relayed
                          ? fmt::format("latency {:.1f} ms", result.latency.count() / 1000.0)
                          : result.error};
    });
    return results;
}

}  // namespace labctl::services
