// A lab frozen at one moment for `snapshot save`: every running domain paused (a VM's vCPUs
// stop; an LXC container's processes go into the cgroup freezer), all before any is saved, and
// all resumed when the object goes out of scope, also when the save fails half-way.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

class FrozenDomains {
  public:
    // DOMAINS: (node, domain) pairs; those not running are left as they are. Pauses them in
    // order; a failure resumes the ones already paused and throws.
    FrozenDomains(virt::Connection& connection,
                  std::vector<std::pair<std::string, virDomainPtr>> domains,
                  util::Reporter& report);
    FrozenDomains(const FrozenDomains&) = delete;
    FrozenDomains& operator=(const FrozenDomains&) = delete;
    // Resumes what is still paused; a failure is reported as a warning (a destructor must
    // not throw), naming the domain so the user can `virsh resume` it.
    ~FrozenDomains();

    // Resumes every paused domain now; throws the first failure after trying them all.
    void resume();
    std::size_t count() const { return paused_.size(); }

  private:
    virt::Connection& connection_;
    util::Reporter& report_;
    std::vector<std::pair<std::string, virDomainPtr>> paused_;
};

}  // namespace labctl::engine
