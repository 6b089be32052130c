// What `labctl kill` / `revive` act on: TARGET = NODE or NODE/SERVICE, resolved against the
// lab to the instances it covers and the load balancer that fronts them.
#pragma once

#include <string>
#include <vector>

#include "probe/load.hpp"
#include "services/service_kind.hpp"
#include "topology/model.hpp"

namespace labctl::verify {

struct FaultTarget {
    std::string text;  // as the user wrote it
    const topo::Node* node = nullptr;
    const topo::Service* service = nullptr;   // null: the whole node
    std::vector<topo::Instance> instances;    // app instances on the node covered by the target
    const topo::Service* balancer = nullptr;  // the balancer fronting them
    const topo::Node* balancer_node = nullptr;
    services::Balancing balancing;  // what the balancer's type says of it
    probe::LoadProtocol protocol = probe::LoadProtocol::http;  // what traffic the balancer carries
};

// Throws InputError (exit 2) naming what is wrong: unknown node or service, a service that
// does not run on the node, nothing behind a load balancer.
FaultTarget resolve_fault_target(const topo::Lab& lab, const std::string& text);

// The traffic a load through BALANCER (a balancing service) sends: gRPC health calls when its
// backend speaks gRPC, HTTP GETs otherwise.
probe::LoadProtocol balancer_protocol(const topo::Lab& lab, const topo::Service& balancer);

// Why this balancer may fail over badly: one backend, max_fails 0, long connect timeout.
std::vector<std::string> failover_warnings(const topo::Lab& lab, const FaultTarget& target);

}  // namespace labctl::verify
