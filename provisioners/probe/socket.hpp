// A TCP connection for probes: non-blocking socket, every call bounded by a deadline, and
// failures returned as values. A probe that fails is data (the port is closed, the broker did
// not answer in time), not an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/files.hpp"

namespace labctl::probe {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;

inline Deadline deadline_after(std::chrono::milliseconds timeout) {
    return Clock::now() + timeout;
}

enum class IoStatus {
    ok,
    closed,   // the peer closed the connection (EOF)
    timeout,  // the deadline passed
    error,    // anything else; the message says what
};

struct IoResult {
    IoStatus status = IoStatus::ok;
    std::string error;  // empty when status is ok
    bool ok() const { return status == IoStatus::ok; }
};

class Connection {
  public:
    Connection() = default;

    // Resolves HOST (name or address, IPv4 or IPv6) and connects to the first address that
    // accepts before DEADLINE.
    IoResult open(const std::string& host, std::uint16_t port, Deadline deadline);
    IoResult send_all(std::string_view data, Deadline deadline);
    // Waits for at least one byte and appends everything available to BUFFER.
    IoResult receive(std::string& buffer, Deadline deadline);

    bool is_open() const { return static_cast<bool>(fd_); }
    void close() { fd_ = util::Fd(); }
    int fd() const { return fd_.get(); }

  private:
    util::Fd fd_;
};

struct PortProbe {
    bool open = false;
    std::string error;  // why not, when not open: "connection refused", "timed out", ...
    std::chrono::microseconds elapsed{0};
};

// Whether a TCP connection to HOST:PORT is accepted within TIMEOUT.
PortProbe tcp_port_open(const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout);

}  // namespace labctl::probe
