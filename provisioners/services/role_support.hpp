// Steps the service roles share: timing a step into the report, installing rendered files
// as root, systemd units, and waiting for readiness with backoff under a deadline.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "remote/session.hpp"
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

// Installs every rendered file (root-owned, its mode), creating parent directories; true
// when any changed.
bool install_rendered_files(const RoleTarget& target);

// Whether UNIT is active; enables it and restarts it when RESTART, else starts it only when
// it is not running. True when anything was done.
bool ensure_unit_running(remote::Session& session, const std::string& unit, bool restart,
                         const std::string& step);

// Polls a check with backoff until it passes or a deadline, naming node and step: the one
// retry loop (util/retry.hpp).
using util::wait_until;

}  // namespace labctl::services
