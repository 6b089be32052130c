#include "services/role_support.hpp"

#include <set>
#include <thread>

#include "remote/install.hpp"
#include "util/error.hpp"
#include "util/retry.hpp"
#include "util/strings.hpp"

namespace labctl::services {

using Clock = std::chrono::steady_clock;

StepTimer::StepTimer(RoleReport& report, std::string step)
    : report_(report), step_(std::move(step)), start_(Clock::now()) {}

void StepTimer::done(Outcome outcome, std::string detail) {
    report_.steps.push_back({step_, outcome,
                             std::chrono::duration<double>(Clock::now() - start_).count(),
                             std::move(detail)});
}

remote::RunOptions sudo_step(const std::string& step, std::chrono::milliseconds timeout) {
    remote::RunOptions options;
    options.sudo = true;
    options.step = step;
    options.timeout = timeout;
    return options;
}

bool install_rendered_files(const RoleTarget& target) {
    std::set<std::string> dirs;
    for (const auto& file : target.files) dirs.insert(file.path.substr(0, file.path.rfind('/')));
    if (!dirs.empty()) {
        std::vector<std::string> argv{"mkdir", "-p", "--"};
        argv.insert(argv.end(), dirs.begin(), dirs.end());
        target.session.check(argv, sudo_step("install files"));
    }
    bool changed = false;
    for (const auto& file : target.files) {
        remote::InstallOptions options;
        options.mode = file.mode;
        changed |= remote::install_file(target.session, file.content, file.path, options);
    }
    return changed;
}

bool ensure_unit_running(remote::Session& session, const std::string& unit, bool restart,
                         const std::string& step) {
    bool active =
        session.run({"systemctl", "is-active", "--quiet", unit}, sudo_step(step)).exit_code == 0;
    bool enabled =
        session.run({"systemctl", "is-enabled", "--quiet", unit}, sudo_step(step)).exit_code == 0;
    if (!enabled) session.check({"systemctl", "enable", unit}, sudo_step(step));
    if (restart || !active) {
        auto result =
            session.run({"systemctl", restart ? "restart" : "start", unit}, sudo_step(step));
        if (result.exit_code != 0) {
            auto journal =
                session.run({"journalctl", "-u", unit, "-n", "20", "--no-pager"}, sudo_step(step));
            throw InfraError("systemctl " + std::string(restart ? "restart " : "start ") + unit +
                                 " failed: " + util::trim(result.err) + "\n" +
                                 util::trim(journal.out),
                             session.node(), step);
        }
        return true;
    }
    return !enabled;
}

}  // namespace labctl::services
