// Faults injected through libvirt: power-off and link-down.
#include "util/error.hpp"
#include "verify/fault.hpp"
#include "virt/connection.hpp"

namespace labctl::verify {

namespace {

virt::DomainPtr lookup(virt::Connection& connection, const std::string& domain,
                       const std::string& node) {
    auto handle = connection.domain(domain);
    if (!handle)
        throw InfraError("domain " + domain + " does not exist (run labctl up)", node, "fault");
    return handle;
}

class PowerOffFault final : public Fault {
  public:
    PowerOffFault(const FaultTarget& target, virt::Connection& connection, std::string domain,
                  std::function<void()> wait_ssh)
        : target_(target),
          connection_(connection),
          domain_(std::move(domain)),
          wait_ssh_(std::move(wait_ssh)) {}

    std::string describe() const override {
        return "power off " + target_.node->name + " (libvirt destroy)";
    }

    void inject() override {
        auto handle = lookup(connection_, domain_, target_.node->name);
        connection_.power_off_domain(handle.get(), target_.node->name);
    }

    void undo() override {
        auto handle = lookup(connection_, domain_, target_.node->name);
        if (virt::Connection::state_of(handle.get()) != virt::DomainState::running)
            connection_.start_domain(handle.get(), target_.node->name);
        if (wait_ssh_) wait_ssh_();
    }

  private:
    FaultTarget target_;
    virt::Connection& connection_;
    std::string domain_;
    std::function<void()> wait_ssh_;
};

class LinkFault final : public Fault {
  public:
    LinkFault(const FaultTarget& target, virt::Connection& connection, std::string domain,
              std::string mac, std::string network, virt::Connection::HostCommand on_host)
        : target_(target),
          connection_(connection),
          domain_(std::move(domain)),
          mac_(std::move(mac)),
          network_(std::move(network)),
          on_host_(std::move(on_host)) {}

    std::string describe() const override {
        return "link down on " + target_.node->name + "'s NIC in network " + network_ + " (" +
               mac_ + ")";
    }
    void inject() override { set(false); }
    void undo() override { set(true); }

  private:
    void set(bool up) {
        auto handle = lookup(connection_, domain_, target_.node->name);
        connection_.set_link_state(handle.get(), mac_, up, target_.node->name, on_host_);
    }

    FaultTarget target_;
    virt::Connection& connection_;
    std::string domain_, mac_, network_;
    virt::Connection::HostCommand on_host_;
};

}  // namespace

std::unique_ptr<Fault> make_poweroff_fault(const FaultTarget& target, virt::Connection& connection,
                                           const std::string& domain,
                                           std::function<void()> wait_ssh) {
    return std::make_unique<PowerOffFault>(target, connection, domain, std::move(wait_ssh));
}

std::unique_ptr<Fault> make_link_fault(
    const topo::Lab& lab, const FaultTarget& target, virt::Connection& connection,
    const std::string& domain,
    std::function<std::string(const std::vector<std::string>&)> on_host) {
    // The NIC the balancer uses: the first of the target's networks the balancer's node shares.
    for (const auto& nic : target.node->nics) {
        if (target.balancer_node->nic(nic.network))
            return std::make_unique<LinkFault>(target, connection, domain, nic.mac, nic.network,
                                               std::move(on_host));
    }
    (void)lab;
    throw InputError("node `" + target.node->name + "` shares no network with the balancer");
}

}  // namespace labctl::verify
