// MariaDB: the rendered .cnf (unique server-id; binlog on the primary) through the shared
// pipeline (services/file_install.hpp: checked by mariadbd, restart, probed by SELECT 1),
// then on the primary the database and a replication user whose generated password reaches
// MariaDB on stdin; on each replica CHANGE MASTER TO the primary (password on stdin again)
// and START SLAVE, verified by both replication threads running.
#include "services/mysql/mysql_role.hpp"
#include "services/mysql/mysql_settings.hpp"
#include "services/role_support.hpp"
#include "store/secrets.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

// One `mysql` run as root over the socket, SQL (and any secret in it) on stdin.
remote::RunResult sql(remote::Session& session, const std::string& statements,
                      const std::string& step) {
    auto options = sudo_step(step, 60s);
    options.input = statements;
    return session.run({"mysql", "--batch", "--skip-column-names"}, options);
}

// SHOW SLAVE STATUS\G, whose `Name: value` lines field() reads (they need column names).
std::string slave_status(remote::Session& session, const std::string& step) {
    auto options = sudo_step(step, 60s);
    options.input = "SHOW SLAVE STATUS\\G\n";
    return session.run({"mysql"}, options).out;
}

std::string field(const std::string& status, const std::string& name) {
    for (const auto& line : util::split(status, '\n')) {
        auto trimmed = util::trim(line);
        if (trimmed.rfind(name + ":", 0) == 0) return util::trim(trimmed.substr(name.size() + 1));
    }
    return "";
}

}  // namespace

// mariadbd reads the staged file alone (--defaults-file) and prints its help: an unknown
// option or a bad value exits non-zero with "[ERROR] ... unknown variable 'x=1'", which
// my_print_defaults (syntax only) would accept. Checked against MariaDB 10.11 (Debian 12).
Validator mariadb_cnf_validator() {
    return argv_validator(
        "mariadbd --help --verbose", path_ends_with(".cnf"),
        {"sh", "-c", "exec mariadbd --defaults-file=\"$1\" --help --verbose >/dev/null", "sh",
         "{staged}"});
}

namespace {

// The lab's application user, if it declares one: its generated password reaches MariaDB on
// stdin like the replication user's.
std::string app_user_sql(const RoleTarget& target) {
    const auto& settings = mysql_settings(target.service);
    if (settings.user.value.empty()) return "";
    auto password = store::ensure_secret(target.state_dir, mysql_user_secret(target.service));
    const auto& user = settings.user.value;
    return "CREATE USER IF NOT EXISTS '" + user + "'@'%' IDENTIFIED BY '" + password +
           "';\nALTER USER '" + user + "'@'%' IDENTIFIED BY '" + password +
           "';\nGRANT ALL PRIVILEGES ON `" + settings.database + "`.* TO '" + user + "'@'%';\n";
}

class MysqlRole final : public Role {
  public:
    std::string_view name() const override { return "mysql"; }

    RoleReport apply(const RoleTarget& target) override {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& settings = mysql_settings(target.service);
        bool primary = settings.primary.value == target.node.name;
        auto password =
            store::ensure_secret(target.state_dir, "mysql-replication-" + target.service.name);

        ConfigChange change;
        change.files = config_files(target.files);
        change.validators = {mariadb_cnf_validator()};
        change.control = systemd_control(session, {"mariadb.service"}, [&] {
            wait_until(target.node.name, "probe", 120s, [&]() -> std::string {
                auto result = sql(session, "SELECT 1;\n", "probe");
                return result.exit_code == 0 ? "" : util::trim(result.err);
            });
        });
        apply_config(target, change, report);

        if (primary) {
            StepTimer setup(report, "primary");
            auto result = sql(session,
                              "CREATE DATABASE IF NOT EXISTS `" + settings.database +
                                  "`;\n"
                                  "CREATE USER IF NOT EXISTS 'labctl_repl'@'%' IDENTIFIED BY '" +
                                  password +
                                  "';\n"
                                  "ALTER USER 'labctl_repl'@'%' IDENTIFIED BY '" +
                                  password +
                                  "';\n"
                                  "GRANT REPLICATION SLAVE ON *.* TO 'labctl_repl'@'%';\n" +
                                  app_user_sql(target),
                              "primary");
            if (result.exit_code != 0)
                throw InfraError("setting up the primary failed: " + util::trim(result.err),
                                 target.node.name, "primary");
            setup.done(Outcome::ok);
            return report;
        }

        const auto* primary_node = target.lab.node(settings.primary.value);
        auto primary_address =
            primary_node ? target.lab.address_between(target.node, *primary_node) : std::nullopt;
        if (!primary_address)
            throw InfraError("no network shared with the primary", target.node.name, "replica");
        StepTimer replica(report, "replica");
        auto status = slave_status(session, "replica");
        bool configured = field(status, "Master_Host") == primary_address->str() &&
                          field(status, "Master_User") == "labctl_repl" &&
                          field(status, "Slave_IO_Running") == "Yes";
        if (!configured) {
            auto result =
                sql(session,
                    "STOP SLAVE;\n"
                    "CHANGE MASTER TO MASTER_HOST='" +
                        primary_address->str() + "', MASTER_PORT=" + std::to_string(settings.port) +
                        ", MASTER_USER='labctl_repl', MASTER_PASSWORD='" + password +
                        "', MASTER_CONNECT_RETRY=1, MASTER_USE_GTID=slave_pos;\n"
                        "START SLAVE;\n",
                    "replica");
            if (result.exit_code != 0)
                throw InfraError("CHANGE MASTER TO failed: " + util::trim(result.err),
                                 target.node.name, "replica");
        }
        replica.done(configured ? Outcome::ok : Outcome::changed);

        StepTimer verify(report, "verify");
        wait_until(target.node.name, "verify replication", 120s, [&]() -> std::string {
            auto now = slave_status(session, "verify");
            if (field(now, "Slave_IO_Running") == "Yes" && field(now, "Slave_SQL_Running") == "Yes")
                return "";
            return "replication threads IO=" + field(now, "Slave_IO_Running") +
                   " SQL=" + field(now, "Slave_SQL_Running") + " " + field(now, "Last_IO_Error") +
                   field(now, "Last_SQL_Error");
        });
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_mysql_role() {
    return std::make_unique<MysqlRole>();
}

}  // namespace labctl::services
