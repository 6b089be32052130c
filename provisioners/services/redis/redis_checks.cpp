#include "services/redis/redis_checks.hpp"

#include <fmt/format.h>

#include <chrono>

#include "services/redis/redis_cli.hpp"
#include "services/redis/redis_settings.hpp"
#include "services/role_support.hpp"
#include "util/parallel.hpp"
#include "util/secrets.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

std::vector<CheckResult> redis_replication_checks(CheckContext& context,
                                                  const topo::Service& service) {
    const auto& settings = redis_settings(service);
    auto start = Clock::now();
    auto password = util::read_secret(context.state_dir, redis_secret_name(service.name));
    if (!password)
        return {{"replication " + service.name, false, 0,
                 "no password in the lab state: was the lab brought up by labctl?"}};
    std::string key = "labctl:verify:" + util::random_token(8);
    std::string value = util::random_token(16);
    std::string write_error;
    try {
        // The key expires by itself: verify leaves nothing behind in the user's data.
        auto result = redis_cli(context.ssh.get(settings.primary.value), settings.port, *password,
                                "SET " + key + " " + value + " EX 300\n", "verify replication");
        if (result.exit_code != 0 || result.out.find("OK\nOK") == std::string::npos)
            write_error = "SET on the primary: " + util::trim(result.out + " " + result.err);
    } catch (const std::exception& error) {
        write_error = error.what();
    }
    if (!write_error.empty())
        return {{"replication " + service.name + " write on " + settings.primary.value, false,
                 since(start), write_error}};
    double written_at = since(start);
    std::vector<CheckResult> results(settings.replicas.size());
    util::parallel_for(
        settings.replicas.size(), context.width(settings.replicas.size()), [&](std::size_t i) {
            const auto& replica = settings.replicas[i].value;
            std::string name =
                "replication " + service.name + " " + settings.primary.value + "->" + replica;
            try {
                wait_until(replica, "verify replication", 20s, [&]() -> std::string {
                    auto result = redis_cli(context.ssh.get(replica), settings.port, *password,
                                            "GET " + key + "\n", "verify replication");
                    if (result.exit_code != 0) return "redis-cli: " + util::trim(result.err);
                    return util::trim(result.out) == "OK\n" + value ? "" : "key not replicated yet";
                });
                results[i] = {name, true, since(start),
                              fmt::format("key read on the replica {:.2f}s after the write",
                                          since(start) - written_at)};
            } catch (const std::exception& error) {
                results[i] = {name, false, since(start), error.what()};
            }
        });
    return results;
}

}  // namespace labctl::services
