// What `labctl up` does once every node answers SSH: log in with the lab's key and pinned
// host keys, provision the services in dependency tiers (Ansible-style ok/changed per step),
// then verify the whole lab.
#pragma once

#include <chrono>
#include <filesystem>
#include <ostream>
#include <string>
#include <vector>

#include "topology/model.hpp"
#include "util/reporter.hpp"
#include "verify/declared_checks.hpp"

namespace labctl::commands {

// Makes the lab key and every node's host key (idempotent) and pins each host key for the
// node's SSH endpoint in the lab's known_hosts, before any guest exists.
void prepare_ssh_identity(const topo::Lab& lab, const std::filesystem::path& state_dir);

struct ProvisionSummary {
    int services = 0;
    int changed = 0;  // (service, node) pairs where something changed
};

// Provisions the services whose nodes are all in ONLY (all services when ONLY is empty), at
// most JOBS nodes at once (0: every node of a tier).
ProvisionSummary provision_lab(const topo::Lab& lab, const std::filesystem::path& state_dir,
                               const std::vector<std::string>& only, util::Reporter& progress,
                               int jobs = 0);

// Runs every built-in verify check, then the lab's declared [[checks]], and prints one report;
// true when all hold. Without FAILOVER (`up` holds the lab's lock) failover checks are left
// out: `labctl verify` and `labctl check` run them. At most JOBS checks of a group run at once
// (0: all of them).
bool verify_lab(const topo::Lab& lab, const std::filesystem::path& state_dir, std::ostream& out,
                bool json, bool color, int jobs, const verify::FailoverRunner& failover = {});

}  // namespace labctl::commands
