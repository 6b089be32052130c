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
    int left = 0;     // (service, node) pairs left for the student (provision = false)
};

// Provisions the services whose nodes are all in ONLY (all services when ONLY is empty), at
// most JOBS nodes at once (0: every node of a tier).
ProvisionSummary provision_lab(const topo::Lab& lab, const std::filesystem::path& state_dir,
                               const std::vector<std::string>& only, util::Reporter& progress,
                               int jobs = 0);

// Runs every built-in verify check, then the lab's declared [[checks]], and prints one report;
// true when all hold. Without FAILOVER (`up` holds the lab's lock) failover checks are left
// out: `labctl verify` and `labctl check` run them. At most JOBS checks of a group run at once
// (0: all of them). With DECLARED_DECIDE false the declared checks are scored and shown but
// only the built-in ones decide (`up` of a lab with services left to the students: their
// points are the students' grade, not labctl's failure).
bool verify_lab(const topo::Lab& lab, const std::filesystem::path& state_dir, std::ostream& out,
                bool json, bool color, int jobs, const verify::FailoverRunner& failover = {},
                bool declared_decide = true);

// True when some service is left to the students (`provision = false`).
bool has_student_work(const topo::Lab& lab);

}  // namespace labctl::commands
