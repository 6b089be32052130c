#include "services/role_support.hpp"

#include <set>
#include <thread>

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

ServiceControl systemd_control(remote::Session& session, std::vector<std::string> units,
                               std::function<void()> probe, bool daemon_reload) {
    ServiceControl control;
    control.reload = [&session, units, daemon_reload] {
        if (daemon_reload) session.check({"systemctl", "daemon-reload"}, sudo_step("reload"));
        for (const auto& unit : units) ensure_unit_running(session, unit, true, "reload");
    };
    control.start = [&session, units] {
        bool started = false;
        for (const auto& unit : units)
            started |= ensure_unit_running(session, unit, false, "start");
        return started;
    };
    control.probe = std::move(probe);
    return control;
}

}  // namespace labctl::services
