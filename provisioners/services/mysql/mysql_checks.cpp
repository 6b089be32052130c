#include "services/mysql/mysql_checks.hpp"

#include <fmt/format.h>

#include <chrono>

#include "services/mysql/mysql_settings.hpp"
#include "services/role_support.hpp"
#include "util/error.hpp"
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

std::vector<CheckResult> mysql_replication_checks(CheckContext& context,
                                                  const topo::Service& service) {
    const auto& settings = mysql_settings(service);
    auto start = Clock::now();
    std::string token = util::random_token(16);
    remote::RunOptions write;
    write.sudo = true;
    write.step = "verify replication";
    write.timeout = 30s;
    write.input =
        "CREATE DATABASE IF NOT EXISTS labctl_verify;\n"
        "CREATE TABLE IF NOT EXISTS labctl_verify.probe (token VARCHAR(64) PRIMARY KEY, "
        "at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3));\n"
        "INSERT INTO labctl_verify.probe (token) VALUES ('" +
        token + "');\n";
    std::string write_error;
    try {
        auto result = context.ssh.get(settings.primary.value).run({"mysql", "-N"}, write);
        if (result.exit_code != 0) write_error = util::trim(result.err);
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
            remote::RunOptions read;
            read.sudo = true;
            read.step = "verify replication";
            read.timeout = 10s;
            read.input =
                "SELECT COUNT(*) FROM labctl_verify.probe WHERE token = '" + token + "';\n";
            try {
                wait_until(replica, "verify replication", 20s, [&]() -> std::string {
                    auto result = context.ssh.get(replica).run({"mysql", "-N"}, read);
                    if (result.exit_code == 0 && util::trim(result.out) == "1") return "";
                    return result.exit_code != 0 ? util::trim(result.err)
                                                 : "row not replicated yet";
                });
                results[i] = {name, true, since(start),
                              fmt::format("row read on the replica {:.2f}s after the write",
                                          since(start) - written_at)};
            } catch (const std::exception& error) {
                results[i] = {name, false, since(start), error.what()};
            }
        });
    return results;
}

}  // namespace labctl::services
