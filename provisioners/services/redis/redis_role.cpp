// Redis: the rendered redis.conf (bind, port, replicaof on replicas) plus the file it includes
// with requirepass/masterauth, which holds the generated password (0640 root:redis, written
// over SFTP, never rendered or on a command line), both through the shared pipeline
// (services/file_install.hpp): checked by redis-server itself, restarted when either
// changed, probed by PING; then, on a replica, its link to the primary must come up.
#include "services/redis/redis_role.hpp"

#include "services/file_install.hpp"
#include "services/redis/redis_cli.hpp"
#include "services/redis/redis_settings.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

constexpr const char* kMainConf = "/etc/redis/redis.conf";
constexpr const char* kAuthConf = "/etc/redis/labctl-auth.conf";
// A directive no redis knows, read last: rejected there means every line before it was
// accepted.
constexpr const char* kEndMarker = "labctl-end-of-config-check";

}  // namespace

// Redis 7.0 has no option that only checks a config, but `redis-server -` reads the whole
// config from stdin before it does anything else and exits at the first line it rejects,
// quoting it. The test config is the staged redis.conf with its include pointed at the staged
// auth file (or only that include when redis.conf is unchanged), its logfile cleared (the
// check, as root, would create the live log file redis cannot write later), then a port-0
// guard and the end marker.
Validator redis_config_validator() {
    auto check = [](remote::Session& session, const std::vector<StagedFile>& files) -> std::string {
        const StagedFile* main = nullptr;
        std::vector<std::pair<std::string, std::string>> includes;  // live -> staged
        for (const auto& file : files) {
            if (file.file->path == kMainConf)
                main = &file;
            else
                includes.emplace_back(file.file->path, file.staged);
        }
        std::string text;
        if (main) {
            for (auto line : util::split(main->file->content, '\n')) {
                auto words = util::split(util::trim(line), ' ');
                if (!words.empty() && words[0] == "logfile") line = "logfile \"\"";
                for (const auto& [live, staged] : includes)
                    if (words.size() == 2 && words[0] == "include" && words[1] == live)
                        line = "include " + staged;
                text += line + "\n";
            }
        } else {
            for (const auto& [live, staged] : includes) text += "include " + staged + "\n";
        }
        text += "port 0\ndaemonize no\n" + std::string(kEndMarker) + "\n";
        auto options = sudo_step("validate", 30s);
        options.input = text;
        auto result = session.run({"redis-server", "-"}, options);
        if (result.err.find(">>> '" + std::string(kEndMarker) + "'") != std::string::npos)
            return "";
        auto why = util::trim(result.err);
        return why.empty() ? "redis-server exited " + std::to_string(result.exit_code) : why;
    };
    return {"redis-server (config read from stdin)", nullptr, std::move(check)};
}

namespace {

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

        ConfigChange change;
        change.files = config_files(target.files);
        change.files.push_back(
            {kAuthConf, "requirepass \"" + password + "\"\nmasterauth \"" + password + "\"\n", 0640,
             "redis"});
        change.validators = {redis_config_validator()};
        change.control = systemd_control(session, {"redis-server.service"}, [&] {
            wait_until(target.node.name, "probe redis", 120s, [&]() -> std::string {
                auto result = redis_cli(session, settings.port, password, "PING\n", "probe");
                if (result.exit_code != 0) return "redis-cli: " + util::trim(result.err);
                if (result.out.find("PONG") == std::string::npos)
                    return "no PONG: " + util::trim(result.out);
                return "";
            });
        });
        apply_config(target, change, report);
        if (primary) return report;

        // The link depends on the primary too, so it is checked after the pipeline, not as
        // the probe that would roll this node's files back.
        StepTimer replication(report, "replication");
        wait_until(target.node.name, "replication", 120s, [&]() -> std::string {
            auto result =
                redis_cli(session, settings.port, password, "INFO replication\n", "replication");
            if (result.exit_code != 0) return "redis-cli: " + util::trim(result.err);
            if (result.out.find("master_link_status:up") == std::string::npos)
                return "replica's link to primary " + settings.primary.value + " is not up";
            return "";
        });
        replication.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_redis_role() {
    return std::make_unique<RedisRole>();
}

}  // namespace labctl::services
