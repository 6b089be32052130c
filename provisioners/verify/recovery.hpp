// After a node is lost (`kill NODE --mode poweroff`): how long until each service that heals
// itself (ServiceKind::recovery_probe: a swarm service rescheduling its tasks) runs in full
// again without it. Polled on a thread of its own from the moment of the fault, while the
// load generator keeps the balancer busy.
#pragma once

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "remote/pool.hpp"
#include "services/service_kind.hpp"
#include "topology/model.hpp"
#include "verify/failover.hpp"

namespace labctl::verify {

class RecoveryWatch {
  public:
    RecoveryWatch(const topo::Lab& lab, const topo::Node& lost, remote::SessionPool& pool);
    ~RecoveryWatch();
    RecoveryWatch(const RecoveryWatch&) = delete;
    RecoveryWatch& operator=(const RecoveryWatch&) = delete;

    bool empty() const { return watched_.empty(); }
    // At the fault: starts polling, for at most LIMIT.
    void start(std::chrono::seconds limit);
    // Waits for the polling to end (every service back, or LIMIT passed) and reports each.
    std::vector<Recovery> finish();

  private:
    struct Watched {
        std::string service;
        services::ServiceKind::RecoveryProbe probe;
        Recovery result;
    };
    remote::SessionPool& pool_;
    std::vector<Watched> watched_;
    std::thread thread_;
};

}  // namespace labctl::verify
