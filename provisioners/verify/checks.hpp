// The checks of `labctl verify` on a running lab: reachability matrix, service ports and
// health, load-balancer spread (for gRPC: its port), broker relay, database replication. What
// an app does is for the lab to declare ([[checks]], verify/declared_checks.hpp). Checks that need
// a node's point of view run there over SSH; the rest run from labctl itself, which sits where the
// lab's networks are reachable (the host, or the test's network namespace).
#pragma once

#include <cstddef>
#include <filesystem>
#include <ostream>

#include "remote/pool.hpp"
#include "topology/model.hpp"
#include "verify/report.hpp"

namespace labctl::verify {

struct VerifyContext {
    const topo::Lab& lab;
    remote::SessionPool& ssh;
    std::filesystem::path state_dir;  // generated broker passwords live here
    int spread_requests = 60;
    int jobs = 0;  // --jobs: checks run at once; 0: each group's own default

    // How many of a group's checks run at once: --jobs when given, else UNBOUNDED.
    std::size_t width(std::size_t unbounded) const {
        return jobs > 0 ? static_cast<std::size_t>(jobs) : unbounded;
    }
};

struct ReachabilityMatrix {
    // network -> source -> target -> ok
    std::map<std::string, std::map<std::string, std::map<std::string, bool>>> cells;
    void print(std::ostream& out) const;
};

Report run_checks(VerifyContext& context, ReachabilityMatrix* matrix = nullptr);

// Individual groups, each appending to REPORT.
void check_reachability(VerifyContext& context, Report& report, ReachabilityMatrix* matrix);
void check_services(VerifyContext& context, Report& report);
void check_spread(VerifyContext& context, Report& report);
void check_broker_relay(VerifyContext& context, Report& report);
void check_replication(VerifyContext& context, Report& report);

struct InstanceHealth {
    bool healthy = false;
    std::string detail;  // "HTTP 200", "CONNECTED ActiveMQ/5.17.2", or why not
    double seconds = 0;
};

// One instance's own readiness, probed from labctl: an app's health path (or its gRPC port),
// a broker's STOMP CONNECT (as the lab user for RabbitMQ), any other service's port.
InstanceHealth probe_instance(const topo::Lab& lab, const topo::Instance& instance,
                              const std::filesystem::path& state_dir);

}  // namespace labctl::verify
