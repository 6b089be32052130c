#include "services/nfs/nfs_role.hpp"

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

        StepTimer files(report, "config");
        bool changed = install_rendered_files(target);
        // Root on a client is root here (no_root_squash); the sticky, world-writable directory
        // lets every other user write too and keeps each user's files their own.
        auto mode =
            util::trim(session.run({"stat", "-c", "%a", "--", path}, sudo_step("config")).out);
        if (mode != "1777") {
            session.check({"install", "-d", "-m", "1777", "--", path}, sudo_step("config"));
            changed = true;
        }
        files.done(changed ? Outcome::changed : Outcome::ok);

        StepTimer start(report, "start");
        bool started = ensure_unit_running(session, "nfs-server.service", false, "start");
        if (changed) session.check({"exportfs", "-ra"}, sudo_step("start"));
        start.done(started || changed ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        wait_until(target.node.name, "verify nfs export", 60s, [&]() -> std::string {
            auto listed = session.run({"exportfs", "-v"}, sudo_step("verify"));
            if (listed.exit_code != 0) return "exportfs -v: " + util::trim(listed.err);
            return listed.out.find(path) == std::string::npos ? path + " is not exported" : "";
        });
        verify.done(Outcome::ok);
        return report;
    }

    static RoleReport client(const RoleTarget& target, const NfsSettings& settings) {
        RoleReport report{target.node.name, target.service.name, {}};
        auto& session = target.session;
        const auto& path = settings.mount_path.value;
        auto unit = nfs_mount_unit(path);

        StepTimer files(report, "config");
        bool changed = install_rendered_files(target);
        session.check({"mkdir", "-p", "--", path}, sudo_step("config"));
        if (changed) session.check({"systemctl", "daemon-reload"}, sudo_step("config"));
        files.done(changed ? Outcome::changed : Outcome::ok);

        // The server may still be starting (nodes of a tier are provisioned together): the
        // mount is retried until it answers.
        StepTimer mount(report, "mount");
        bool mounted =
            session.run({"findmnt", "-n", "--", path}, sudo_step("mount")).exit_code == 0;
        bool acted = false;
        if (changed || !mounted) {
            session.check({"systemctl", "enable", "--quiet", unit}, sudo_step("mount"));
            wait_until(target.node.name, "mount " + path, 120s, [&]() -> std::string {
                auto started = session.run({"systemctl", changed ? "restart" : "start", unit},
                                           sudo_step("mount"));
                if (started.exit_code == 0) return "";
                auto status = session.run({"journalctl", "-n", "5", "--no-pager", "-u", unit},
                                          sudo_step("mount"));
                return "systemctl start " + unit + ": " + util::trim(started.err) + " " +
                       util::trim(status.out);
            });
            acted = true;
        }
        mount.done(acted ? Outcome::changed : Outcome::ok);

        StepTimer verify(report, "verify");
        auto seen =
            session.run({"findmnt", "-n", "-o", "FSTYPE,SOURCE", "--", path}, sudo_step("verify"));
        if (seen.exit_code != 0 || seen.out.find("nfs") == std::string::npos)
            throw InfraError(path + " is not an NFS mount: " + util::trim(seen.out + seen.err),
                             target.node.name, "verify");
        verify.done(Outcome::ok);
        return report;
    }
};

}  // namespace

std::unique_ptr<Role> make_nfs_role() {
    return std::make_unique<NfsRole>();
}

}  // namespace labctl::services
