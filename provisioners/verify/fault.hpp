// The faults `labctl kill` injects and `labctl revive` undoes, behind one interface so the
// traffic and the report do not care which one runs.
#pragma once

#include <memory>
#include <string>

#include "remote/pool.hpp"
#include "verify/target.hpp"

namespace labctl::verify {

class Fault {
public:
    virtual ~Fault() = default;
    virtual std::string describe() const = 0;
    virtual void inject() = 0;
    virtual void undo() = 0;
};

// kill -9 of every targeted instance, then `systemctl stop` so systemd does not restart it
// before `revive` (Restart=always would bring it back within a second).
std::unique_ptr<Fault> make_process_fault(const FaultTarget& target, remote::SessionPool& ssh);

}  // namespace labctl::verify
