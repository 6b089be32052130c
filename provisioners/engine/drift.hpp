// Objects of the lab that exist but no longer match the topology (a subnet, a reservation,
// a MAC, memory or vcpus edited after `up`). `up` never redefines a running object behind the
// user's back: it reports each difference and says how to apply it (down, then up).
#pragma once

#include <string>
#include <vector>

#include "engine/desired.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

// One line per difference, e.g. "network mom-nat: subnet 10.0.0.1/255.255.255.0 in libvirt,
// 192.168.123.1/255.255.255.0 in the topology".
std::vector<std::string> find_drift(const virt::Connection& connection, const Desired& desired);

}  // namespace labctl::engine
