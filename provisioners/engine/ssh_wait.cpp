#include "engine/ssh_wait.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/retry.hpp"

namespace labctl::engine {

namespace {

using Clock = std::chrono::steady_clock;

int remaining_ms(Clock::time_point deadline) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return static_cast<int>(std::max<long long>(left, 0));
}

bool wait_for(int fd, short events, Clock::time_point deadline) {
    pollfd p{fd, events, 0};
    for (;;) {
        int r = ::poll(&p, 1, remaining_ms(deadline));
        if (r > 0) return true;
        if (r == 0) return false;
        if (errno != EINTR) return false;
    }
}

}  // namespace

std::optional<double> probe_ssh_banner(const std::string& address, int port,
                                       std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    auto deadline = start + timeout;
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) return std::nullopt;
    util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return std::nullopt;
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
        if (errno != EINPROGRESS) return std::nullopt;
        if (!wait_for(fd.get(), POLLOUT, deadline)) return std::nullopt;
        int error = 0;
        socklen_t len = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0)
            return std::nullopt;
    }
    std::string line;
    char buffer[256];
    while (line.find('\n') == std::string::npos && line.size() < 255) {
        if (!wait_for(fd.get(), POLLIN, deadline)) return std::nullopt;
        ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n <= 0) break;
        line.append(buffer, static_cast<size_t>(n));
    }
    if (line.rfind("SSH-2.0", 0) != 0) return std::nullopt;
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string alternative_driver(const std::string& driver) {
    if (driver == "kvm") return "qemu";
    if (driver == "qemu") return "lxc";
    return "qemu";
}

void BannerWaiter::wait(const WaitTarget& target, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    auto probe = [&](int) -> std::optional<std::string> {
        auto left = std::chrono::milliseconds(remaining_ms(deadline));
        if (probe_ssh_banner(target.address, target.port,
                             std::min(left, std::chrono::milliseconds(3000))))
            return std::nullopt;
        return "no SSH banner";
    };
    constexpr util::BackoffPolicy between_probes{std::chrono::milliseconds(50),
                                                 std::chrono::milliseconds(2000)};
    if (util::retry_until(deadline, between_probes, probe).done) return;
    std::string message = "no SSH answer from " + target.address + ":" +
                          std::to_string(target.port) + " within " +
                          std::to_string(timeout.count() / 1000) + "s";
    if (!target.console_log.empty())
        message += "; serial console log: " + target.console_log.string();
    if (!target.journal_command.empty()) message += "; its journal: " + target.journal_command;
    message += "; the guest may not boot with driver `" + target.driver + "`, try --driver " +
               alternative_driver(target.driver);
    throw InfraError(message, target.node, "ssh");
}

}  // namespace labctl::engine
