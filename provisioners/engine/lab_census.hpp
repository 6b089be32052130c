// Every lab on one libvirt connection, found by labctl's tags alone (no lab file, no state
// directory): `labctl ls` lists them, and `up` refuses a lab whose networks would collide
// with another lab's (same subnet, or the same libvirt name) before it changes anything.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engine/desired.hpp"
#include "util/ipv4.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct CensusNetwork {
    std::string name;  // libvirt name
    std::optional<util::Subnet> subnet;
    std::string bridge;  // as libvirt reports it ("" when it has not chosen one yet)
    std::string host;    // in a census over several hosts: the host it is on
};

struct CensusLab {
    std::string name;
    std::string driver;  // the domains' type (qemu, kvm, lxc); "" when the lab has no domain
    std::string file;    // the lab file the tags record ("" when none does)
    int running = 0;
    int total = 0;
    std::vector<std::string> domains;  // libvirt names
    std::vector<CensusNetwork> networks;
    std::vector<std::string> hosts;  // in a census over several hosts: where it has objects
};

// By lab name.
std::map<std::string, CensusLab> take_census(const virt::Connection& connection);

// The census over several hosts (name, census of that host's libvirt), in the order given: a
// lab found on several of them (a lab across hosts) is one lab, its nodes counted on each.
std::map<std::string, CensusLab> merge_census(
    const std::vector<std::pair<std::string, std::map<std::string, CensusLab>>>& hosts);

// Throws InputError (exit 2) naming the other lab when one of DESIRED's networks has the
// subnet (or an overlapping one) or the libvirt name of another lab's network, or one of its
// domains has the libvirt name of another lab's domain.
void check_no_collision(const std::map<std::string, CensusLab>& census, const Desired& desired);

}  // namespace labctl::engine
