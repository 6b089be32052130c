// The checks of `labctl verify` on a running lab: reachability matrix, every instance's health,
// then each service's own checks from its type (spread, relay, replication, ...). What
// an app does is for the lab to declare ([[checks]], verify/declared_checks.hpp). Checks that need
// a node's point of view run there over SSH; the rest run from labctl itself, which sits where the
// lab's networks are reachable (the host, or the test's network namespace).
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>

#include "remote/pool.hpp"
#include "services/service_kind.hpp"
#include "topology/model.hpp"
#include "verify/report.hpp"

namespace labctl::verify {

// The lab, SSH to its nodes, its state (generated passwords) and --jobs: what every check gets.
using VerifyContext = services::CheckContext;

struct ReachabilityMatrix {
    // network -> source -> target -> ok
    std::map<std::string, std::map<std::string, std::map<std::string, bool>>> cells;
    void print(std::ostream& out) const;
};

Report run_checks(VerifyContext& context, ReachabilityMatrix* matrix = nullptr);

// Individual groups, each appending to REPORT.
void check_reachability(VerifyContext& context, Report& report, ReachabilityMatrix* matrix);
void check_services(VerifyContext& context, Report& report);
// Each service's own checks, as its type says (services/<type>/): spread through a balancer,
// broker relay, database replication, ...
void check_service_types(VerifyContext& context, Report& report);

struct InstanceHealth {
    bool healthy = false;
    std::string detail;  // "HTTP 200", "CONNECTED ActiveMQ/5.17.2", or why not
    double seconds = 0;
};

// One instance's own readiness, probed from labctl as its type says: an app's health path (or
// its gRPC port), a broker's STOMP CONNECT (as the lab user for RabbitMQ), any other's port.
InstanceHealth probe_instance(const topo::Lab& lab, const topo::Instance& instance,
                              const std::filesystem::path& state_dir);

}  // namespace labctl::verify
