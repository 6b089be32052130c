// nginx's spread: what share of requests each backend should get under a strategy
// and weights, and whether an observed split is close enough to call it working.
#pragma once

#include <map>
#include <string>

#include "probe/load.hpp"

namespace labctl::services {

using probe::Split;

struct SpreadVerdict {
    bool ok = false;
    std::string detail;  // "192.168.56.11:8080 34% (expected 33%), ..."
};

// WEIGHTS maps each backend to its weight. Round robin (and random, over many requests)
// must match the weights within TOLERANCE (absolute share, e.g. 0.10 = 10 points);
// least_conn and ip_hash only have to reach every backend at least once (least_conn
// follows load, ip_hash pins one client to one backend), and are reported as seen.
SpreadVerdict judge_spread(const std::string& strategy, const std::map<std::string, int>& weights,
                           const Split& seen, double tolerance = 0.10);

}  // namespace labctl::services
