// What `up` on one libvirt and `up` across hosts (up_hosts.cpp) share.
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "commands/options.hpp"
#include "commands/up.hpp"
#include "engine/apply.hpp"
#include "engine/ssh_wait.hpp"
#include "topology/model.hpp"
#include "util/reporter.hpp"

namespace labctl::commands {

// Builds each base image the lab's nodes name that is not built yet.
void build_missing_images(const topo::Lab& lab, util::Reporter& progress);

// After the domains are up: every NIC's planned address, the roles, then verify (unless
// --no-verify or --only). Returns up's exit code.
int provision_and_verify(const GlobalOptions& global, const UpOptions& options,
                         const topo::Lab& lab, const std::filesystem::path& state_dir,
                         const std::vector<std::string>& only,
                         const std::vector<std::string>& booted,
                         std::chrono::milliseconds address_timeout, std::ostream& out,
                         util::Reporter& progress);

// Nodes the user stopped (`labctl stop`) stay stopped unless named with --only. ONLY: the
// nodes `up` brings up (--only's, else every node the user did not stop, the others reported);
// NOTHING: every node is stopped, nothing to do; STOPPED: as recorded.
struct UpSelection {
    std::vector<std::string> only;
    std::set<std::string> stopped;
    bool nothing = false;
};
UpSelection select_nodes_to_start(const topo::Lab& lab, const std::vector<std::string>& only,
                                  const std::filesystem::path& state_dir, util::Reporter& progress);
// Once up: the nodes ONLY (--only) named are no longer among the user's STOPPED nodes.
void forget_started_nodes(const std::filesystem::path& state_dir,
                          const std::vector<std::string>& only, std::set<std::string> stopped);

// The apply options of `up`: --jobs, the hooks (tests' seeds, waiter and interruption points),
// LABCTL_BOOT_TIMEOUT=SECONDS (else the driver's default); `banner` is the SSH waiter unless a
// hook gives one, and must outlive the returned options.
engine::ApplyOptions up_apply_options(const UpOptions& options, const UpHooks& hooks,
                                      engine::BannerWaiter& banner);

// `up` of a lab with [hosts] (SPEC.md section 6).
int up_across_hosts(const GlobalOptions& global, const UpOptions& options, std::ostream& out,
                    const UpHooks& hooks, const topo::Lab& lab, util::Reporter& progress);

}  // namespace labctl::commands
