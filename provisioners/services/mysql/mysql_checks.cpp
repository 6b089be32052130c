#include "services/mysql/mysql_checks.hpp"

#include <chrono>

#include "services/mysql/mysql_settings.hpp"
#include "services/replication_checks.hpp"
#include "util/random.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

remote::RunOptions sql_options(const std::string& sql, std::chrono::seconds timeout) {
    remote::RunOptions options;
    options.sudo = true;
    options.step = "verify replication";
    options.timeout = timeout;
    options.input = sql;
    return options;
}

}  // namespace

std::vector<CheckResult> mysql_replication_checks(CheckContext& context,
                                                  const topo::Service& service) {
    const auto& settings = mysql_settings(service);
    std::string token = util::random_token(16);
    ReplicationProbe probe;
    probe.what = "row";
    probe.write = [&](remote::Session& primary) -> std::string {
        auto result = primary.run(
            {"mysql", "-N"},
            sql_options("CREATE DATABASE IF NOT EXISTS labctl_verify;\n"
                        "CREATE TABLE IF NOT EXISTS labctl_verify.probe (token VARCHAR(64) "
                        "PRIMARY KEY, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3));\n"
                        "INSERT INTO labctl_verify.probe (token) VALUES ('" +
                            token + "');\n",
                        std::chrono::seconds(30)));
        return result.exit_code != 0 ? util::trim(result.err) : "";
    };
    probe.read = [&](remote::Session& replica) -> std::string {
        auto result = replica.run(
            {"mysql", "-N"},
            sql_options("SELECT COUNT(*) FROM labctl_verify.probe WHERE token = '" + token + "';\n",
                        std::chrono::seconds(10)));
        if (result.exit_code == 0 && util::trim(result.out) == "1") return "";
        return result.exit_code != 0 ? util::trim(result.err) : "row not replicated yet";
    };
    return replication_checks(context, service, settings.primary, settings.replicas, probe);
}

}  // namespace labctl::services
