// What `labctl kill`, `labctl revive` and a declared failover check share: the lab locked,
// the target resolved, a fault of the chosen mode, traffic through the balancer around the
// fault, and the wait until the revived target takes traffic again.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "commands/options.hpp"
#include "engine/lab_connections.hpp"
#include "engine/lab_state.hpp"
#include "probe/load.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/pool.hpp"
#include "topology/model.hpp"
#include "verify/failover.hpp"
#include "verify/fault.hpp"
#include "verify/target.hpp"

namespace labctl::commands {

struct FaultSession {
    topo::Lab lab;
    std::filesystem::path state_dir;
    std::optional<engine::LabLock> lock;
    remote::LabSsh lab_ssh;
    std::unique_ptr<remote::SessionPool> pool;
    // The libvirt of the target's host (poweroff, link-down); process faults need none.
    std::unique_ptr<engine::LabConnections> hosts;
    verify::FaultTarget target;
};

// Loads the lab of GLOBAL (a student's copy with --student), resolves TARGET and refuses a
// MODE that cannot work there (InputError, exit 2, first; "" when the mode is not known yet,
// as for revive) and takes the lab's lock for VERB.
std::unique_ptr<FaultSession> open_fault_session(const GlobalOptions& global,
                                                 const std::string& target, const std::string& verb,
                                                 const std::string& mode);

// MODE: process, poweroff or link-down.
std::unique_ptr<verify::Fault> make_fault(FaultSession& session, const std::string& mode);

// Which targets are broken and how, so `revive` undoes the right thing.
nlohmann::json load_faults(const std::filesystem::path& state_dir);
void save_faults(const std::filesystem::path& state_dir, const nlohmann::json& faults);

struct KillRun {
    probe::LoadResult load;
    verify::FailoverReport report;
};

// REQUESTS at RATE through the target's balancer, FAULT injected after the first third, then
// recorded in the faults file; throws InfraError when injecting failed.
KillRun kill_under_load(FaultSession& session, verify::Fault& fault, const std::string& mode,
                        int requests, double rate);

struct ReviveRun {
    bool rejoined = false;
    double seconds = 0;
    verify::FailoverReport report;  // requests until then; split_after: from the rejoin on
};

// Undoes FAULT, forgets it in the faults file, and sends traffic until the balancer uses the
// target again (nginx retries a failed server after fail_timeout) or that plus 30 s passed.
ReviveRun revive_until_rejoined(FaultSession& session, verify::Fault& fault,
                                const std::string& mode, double rate);

}  // namespace labctl::commands
