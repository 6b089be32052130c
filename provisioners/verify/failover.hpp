// Turns the requests a load generator saw around a fault into the numbers `labctl kill`
// reports: failures, time to fail over, and the split before and after.
#pragma once

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

#include "probe/load.hpp"

namespace labctl::verify {

using probe::RequestSample;
using probe::Split;

// A service that heals itself (a swarm service) back in full after the fault, or not.
struct Recovery {
    std::string service;
    bool ok = false;
    double seconds = 0;  // from the fault to the first poll that found it whole (or gave up)
    std::string detail;  // what it still lacked when it was given up on
};

struct FailoverReport {
    std::string target;
    std::string mode;
    int requests = 0;
    int failed = 0;
    int failed_before = 0, failed_during = 0, failed_after = 0;
    double failover_seconds = 0;  // fault to last failure (0: no failure seen)
    // The slowest answer to a request sent after the fault: with a dead backend, nginx waits
    // up to proxy_connect_timeout before trying the next one, so this is what users feel.
    double worst_latency_after_fault = 0;
    Split split_before;
    Split split_after;
    // What the failed requests got: "HTTP 502", "no answer (transport error)" -> count.
    std::map<std::string, int> errors;
    std::vector<Recovery> recoveries;  // kill --mode poweroff of a node running such services

    nlohmann::json to_json() const;
};

// FAULT_AT: when injecting the fault began; FAULT_DONE: when it had taken effect (a kill over
// SSH takes a moment, and requests meanwhile still reach the target). "Before" ends at
// FAULT_AT; "after" starts at the later of FAULT_DONE and the last failure — the pool as it
// settled. Failover time runs from FAULT_AT to the last failure.
FailoverReport analyse_failover(const std::vector<RequestSample>& samples, double fault_at,
                                double fault_done);
inline FailoverReport analyse_failover(const std::vector<RequestSample>& samples, double fault_at) {
    return analyse_failover(samples, fault_at, fault_at);
}

}  // namespace labctl::verify
