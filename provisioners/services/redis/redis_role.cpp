// Redis: the rendered redis.conf (bind, port, replicaof on replicas) plus the file it includes
// with requirepass/masterauth, which holds the generated password (0640 root:redis, written
// over SFTP, never rendered or on a command line). Restarted when either changed; verified
// by PING on every node and, on a replica, by its link to the primary being up.
#include "services/redis/redis_role.hpp"
#include "remote/install.hpp"
#include "services/redis/redis_cli.hpp"
#include "services/redis/redis_settings.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class RedisRole final : public Role {
  public:
    std::string_view name() const override { return "redis"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& settings = redis_settings(target.service);
        bool primary = settings.primary.value == target.node.name;
        auto password =
            store::ensure_secret(target.state_dir, redis_secret_name(target.service.name));

        StepTimer files(report, "config");
        bool changed = install_rendered_files(target);
        remote::InstallOptions auth;
        auth.mode = 0640;
        auth.group = "redis";
        changed |= remote::install_file(
            session, "requirepass \"" + password + "\"\nmasterauth \"" + password + "\"\n",
            "/etc/redis/labctl-auth.conf", auth);
        files.done(changed ? Outcome::changed : Outcome::ok);

        StepTimer start(report, "start");
        bool started = ensure_unit_running(session, "redis-server.service", changed, "start");
        start.done(started ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        wait_until(target.node.name, "verify redis", 120s, [&]() -> std::string {
            auto result = redis_cli(session, settings.port, password,
                                    primary ? "PING\n" : "PING\nINFO replication\n", "verify");
            if (result.exit_code != 0) return "redis-cli: " + util::trim(result.err);
            if (result.out.find("PONG") == std::string::npos)
                return "no PONG: " + util::trim(result.out);
            if (!primary && result.out.find("master_link_status:up") == std::string::npos)
                return "replica's link to primary " + settings.primary.value + " is not up";
            return "";
        });
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_redis_role() {
    return std::make_unique<RedisRole>();
}

}  // namespace labctl::services
