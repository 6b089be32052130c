// Waiting for a booted node to answer SSH. The engine only needs "is the node's sshd up";
// BannerWaiter answers it with a TCP connect to port 22 and the `SSH-2.0` banner, which needs
// no keys. The libssh layer (provisioners/remote/) can plug a full login check in later
// through the same interface.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace labctl::engine {

struct WaitTarget {
    std::string node;
    std::string address;
    int port = 22;
    std::filesystem::path console_log;  // named in the timeout error
    std::string driver;                 // the driver in use, to suggest another
    // A command that shows the guest's journal when it has no console log (lxc).
    std::string journal_command;
};

class SshWaiter {
  public:
    virtual ~SshWaiter() = default;
    // Returns when the node answers; throws InfraError(node, "ssh") at the deadline.
    virtual void wait(const WaitTarget& target, std::chrono::milliseconds timeout) = 0;
};

// Polls with exponential backoff (50 ms doubling to 2 s) under the deadline.
class BannerWaiter : public SshWaiter {
  public:
    void wait(const WaitTarget& target, std::chrono::milliseconds timeout) override;
};

// One probe: connects to ADDRESS:PORT and reads the first line. Returns the round-trip time
// in seconds when it starts with "SSH-2.0", nullopt otherwise (refused, timeout, other banner).
std::optional<double> probe_ssh_banner(const std::string& address, int port,
                                       std::chrono::milliseconds timeout);

// The driver to suggest when DRIVER's guests do not come up.
std::string alternative_driver(const std::string& driver);

}  // namespace labctl::engine
