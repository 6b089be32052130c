// The faults `labctl kill` injects and `labctl revive` undoes, behind one interface so the
// traffic and the report do not care which one runs.
#pragma once

#include <functional>
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

namespace labctl::virt {
class Connection;
}

namespace labctl::verify {

// Hard power-off of the target's node through libvirt; undo starts it again and waits for
// SSH. WAIT_SSH is called with the node after the restart.
std::unique_ptr<Fault> make_poweroff_fault(const FaultTarget& target, virt::Connection& connection,
                                           const std::string& domain,
                                           std::function<void()> wait_ssh);

// The target node's NIC on the network the balancer reaches it by, link set down through
// libvirt (the guest sees its carrier drop); undo sets it up. ON_HOST runs a command on the
// node's host (virt::Connection::set_link_state's way for LXC).
std::unique_ptr<Fault> make_link_fault(
    const topo::Lab& lab, const FaultTarget& target, virt::Connection& connection,
    const std::string& domain, std::function<std::string(const std::vector<std::string>&)> on_host);

}  // namespace labctl::verify
