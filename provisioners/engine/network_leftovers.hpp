// What a libvirtd that died while one of labctl's networks was starting (or running) leaves
// behind: the network's bridge (virbrN, with the gateway address) and its dnsmasq, while the
// restarted libvirtd believes the network inactive. Every later start then fails with
// "error creating bridge interface virbrN: File exists" or "Network is already in use by
// interface virbrN", and the lab is stuck.
//
// A leftover is removed only when it is provably the remains of THIS network, which labctl
// created for this lab (its tag): libvirt on this host and in labctl's network namespace calls
// the network inactive, the bridge has the name libvirt gave this network AND carries the
// network's own gateway address and netmask, and a dnsmasq runs in this network namespace
// with libvirt's config file of this network. Anything else is left alone and reported.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "virt/connection.hpp"

namespace labctl::engine {

struct NetworkLeftovers {
    std::string network;
    std::string bridge;          // empty: no bridge of this network is left
    std::vector<pid_t> dnsmasq;  // its orphaned dnsmasq processes

    bool empty() const { return bridge.empty() && dnsmasq.empty(); }
    std::string describe() const;  // "bridge virbr1 and dnsmasq (pid 123)"
};

// True when URI names a libvirt on this host (no host part): the only case in which a bridge
// or process labctl sees is the one libvirt made.
bool is_local_uri(const std::string& uri);

// What NETWORK (inactive, tagged for LAB) left behind; empty when it is active, not tagged for
// LAB, not on this host, or nothing is left.
NetworkLeftovers find_network_leftovers(const virt::Connection& connection, virNetworkPtr network,
                                        const std::string& lab);

// Stops the dnsmasq processes (SIGTERM, then SIGKILL if one outlives a grace period) and
// deletes the bridge. Throws InfraError naming the network and STEP on failure.
void remove_network_leftovers(const NetworkLeftovers& leftovers, const std::string& step);

// Starts NETWORK; when that fails because of leftovers that are provably its own, removes
// them (telling SAY) and starts it once more. Otherwise the failure says what to do.
void start_network_clearing_leftovers(virt::Connection& connection, virNetworkPtr network,
                                      const std::string& lab, const std::string& step,
                                      const std::function<void(const std::string&)>& say);

}  // namespace labctl::engine
