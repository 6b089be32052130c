#include "services/redis/redis_checks.hpp"

#include "services/redis/redis_cli.hpp"
#include "services/redis/redis_settings.hpp"
#include "services/replication_checks.hpp"
#include "store/secrets.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace labctl::services {

std::vector<CheckResult> redis_replication_checks(CheckContext& context,
                                                  const topo::Service& service) {
    const auto& settings = redis_settings(service);
    auto password = store::read_secret(context.state_dir, redis_secret_name(service.name));
    if (!password)
        return {{"replication " + service.name, false, 0,
                 "no password in the lab state: was the lab brought up by labctl?"}};
    std::string key = "labctl:verify:" + util::random_token(8);
    std::string value = util::random_token(16);
    ReplicationProbe probe;
    probe.what = "key";
    probe.write = [&](remote::Session& primary) -> std::string {
        // The key expires by itself: verify leaves nothing behind in the user's data.
        auto result = redis_cli(primary, settings.port, *password,
                                "SET " + key + " " + value + " EX 300\n", "verify replication");
        if (result.exit_code != 0 || result.out.find("OK\nOK") == std::string::npos)
            return "SET on the primary: " + util::trim(result.out + " " + result.err);
        return "";
    };
    probe.read = [&](remote::Session& replica) -> std::string {
        auto result =
            redis_cli(replica, settings.port, *password, "GET " + key + "\n", "verify replication");
        if (result.exit_code != 0) return "redis-cli: " + util::trim(result.err);
        return util::trim(result.out) == "OK\n" + value ? "" : "key not replicated yet";
    };
    return replication_checks(context, service, settings.primary, settings.replicas, probe);
}

}  // namespace labctl::services
