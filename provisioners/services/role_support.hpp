// Steps the service roles share: timing a step into the report, systemd units, and waiting
// for readiness with backoff under a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "remote/session.hpp"
#include "services/file_install.hpp"
#include "services/role.hpp"
#include "util/retry.hpp"

namespace labctl::services {

class StepTimer {
  public:
    StepTimer(RoleReport& report, std::string step);
    void done(Outcome outcome, std::string detail = {});

  private:
    RoleReport& report_;
    std::string step_;
    std::chrono::steady_clock::time_point start_;
};

remote::RunOptions sudo_step(const std::string& step,
                             std::chrono::milliseconds timeout = std::chrono::minutes(5));

// Whether UNIT is active; enables it and restarts it when RESTART, else starts it only when
// it is not running. True when anything was done.
bool ensure_unit_running(remote::Session& session, const std::string& unit, bool restart,
                         const std::string& step);

// The ServiceControl (services/file_install.hpp) of systemd UNITS: a change restarts each
// (after `systemctl daemon-reload` when DAEMON_RELOAD: the files are units), nothing changed
// starts whichever is down; PROBE is the type's readiness check.
ServiceControl systemd_control(remote::Session& session, std::vector<std::string> units,
                               std::function<void()> probe, bool daemon_reload = false);

// Polls a check with backoff until it passes or a deadline, naming node and step: the one
// retry loop (util/retry.hpp).
using util::wait_until;

}  // namespace labctl::services
