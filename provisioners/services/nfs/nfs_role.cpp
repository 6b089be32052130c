#include "services/nfs/nfs_role.hpp"

#include "services/file_install.hpp"
#include "services/nfs/nfs_settings.hpp"
#include "services/role_support.hpp"
#include "util/strings.hpp"

namespace labctl::services {

namespace {

using namespace std::chrono_literals;

class NfsRole final : public Role {
  public:
    std::string_view name() const override { return "nfs"; }

    RoleReport apply(const RoleTarget& target) override {
        const auto& settings = nfs_settings(target.service);
        return settings.server.value == target.node.name ? server(target, settings)
                                                         : client(target, settings);
    }

  private:
    static RoleReport server(const RoleTarget& target, const NfsSettings& settings) {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& path = settings.export_path.value;

        // Root on a client is root here (no_root_squash); the sticky, world-writable directory
        // lets every other user write too and keeps each user's files their own.
        auto mode =
            util::trim(session.run({"stat", "-c", "%a", "--", path}, sudo_step("prepare")).out);
        bool made = mode != "1777";
        if (made) session.check({"install", "-d", "-m", "1777", "--", path}, sudo_step("prepare"));

        // No tool checks an exports file without loading it: the probe (the path exported)
        // and the rollback stand in for a validator.
        ConfigChange change;
        change.files = config_files(target.files);
        change.reload_anyway = made;
        change.control = systemd_control(session, {"nfs-server.service"}, [&] {
            wait_until(target.node.name, "probe nfs export", 60s, [&]() -> std::string {
                auto listed = session.run({"exportfs", "-v"}, sudo_step("probe"));
                if (listed.exit_code != 0) return "exportfs -v: " + util::trim(listed.err);
                return listed.out.find(path) == std::string::npos ? path + " is not exported" : "";
            });
        });
        auto restart = change.control.reload;
        change.control.reload = [&session, restart] {
            restart();
            session.check({"exportfs", "-ra"}, sudo_step("reload"));
        };
        apply_config(target, change, report);
        return report;
    }

    static RoleReport client(const RoleTarget& target, const NfsSettings& settings) {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& path = settings.mount_path.value;
        auto unit = nfs_mount_unit(path);
        session.check({"mkdir", "-p", "--", path}, sudo_step("prepare"));

        // The server may still be starting (nodes of a tier are provisioned together): the
        // mount is retried until it answers.
        auto mount = [&](const char* verb, const std::string& step) {
            session.check({"systemctl", "enable", "--quiet", unit}, sudo_step(step));
            wait_until(target.node.name, "mount " + path, 120s, [&]() -> std::string {
                auto started = session.run({"systemctl", verb, unit}, sudo_step(step));
                if (started.exit_code == 0) return "";
                auto status = session.run({"journalctl", "-n", "5", "--no-pager", "-u", unit},
                                          sudo_step(step));
                return std::string("systemctl ") + verb + " " + unit + ": " +
                       util::trim(started.err) + " " + util::trim(status.out);
            });
        };
        ConfigChange change;
        change.files = config_files(target.files);
        change.validators = {systemd_unit_validator()};
        change.control.reload = [&] {
            session.check({"systemctl", "daemon-reload"}, sudo_step("reload"));
            mount("restart", "reload");
        };
        change.control.start = [&] {
            if (session.run({"findmnt", "-n", "--", path}, sudo_step("start")).exit_code == 0)
                return false;
            mount("start", "start");
            return true;
        };
        change.control.probe = [&] {
            auto seen = session.run({"findmnt", "-n", "-o", "FSTYPE,SOURCE", "--", path},
                                    sudo_step("probe"));
            if (seen.exit_code != 0 || seen.out.find("nfs") == std::string::npos)
                throw InfraError(path + " is not an NFS mount: " + util::trim(seen.out + seen.err),
                                 target.node.name, "probe");
        };
        apply_config(target, change, report);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_nfs_role() {
    return std::make_unique<NfsRole>();
}

}  // namespace labctl::services
