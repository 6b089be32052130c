#include "probe/socket.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace labctl::probe {

namespace {

struct AddrinfoDeleter {
    void operator()(addrinfo* list) const { ::freeaddrinfo(list); }
};
using AddrinfoList = std::unique_ptr<addrinfo, AddrinfoDeleter>;

int remaining_ms(Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    return left.count() <= 0 ? 0 : static_cast<int>(left.count());
}

IoResult from_errno(const char* what) {
    return {IoStatus::error, std::string(what) + ": " + std::strerror(errno)};
}

// Waits until FD is ready for EVENTS; retried across EINTR so a signal does not end a probe.
IoResult wait_for(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        int n = ::poll(&p, 1, remaining_ms(deadline));
        if (n > 0) return {};
        if (n == 0) return {IoStatus::timeout, "timed out"};
        if (errno != EINTR) return from_errno("poll");
    }
}

}  // namespace

IoResult Connection::open(const std::string& host, std::uint16_t port, Deadline deadline) {
    close();
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* raw = nullptr;
    int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &raw);
    if (rc != 0) return {IoStatus::error, "cannot resolve " + host + ": " + ::gai_strerror(rc)};
    AddrinfoList list(raw);

    IoResult last{IoStatus::error, "no address for " + host};
    for (addrinfo* ai = list.get(); ai != nullptr; ai = ai->ai_next) {
        util::Fd fd(::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                             ai->ai_protocol));
        if (!fd) {
            last = from_errno("socket");
            continue;
        }
        if (::connect(fd.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
            if (errno != EINPROGRESS) {
                last = from_errno("connect");
                continue;
            }
            last = wait_for(fd.get(), POLLOUT, deadline);
            if (!last.ok()) continue;
            int err = 0;
            socklen_t len = sizeof err;
            ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
            if (err != 0) {
                last = {IoStatus::error, std::string("connect: ") + std::strerror(err)};
                continue;
            }
        }
        // Probes send small requests and wait for the answer: Nagle would only add latency.
        int one = 1;
        ::setsockopt(fd.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        fd_ = std::move(fd);
        return {};
    }
    return last;
}

IoResult Connection::send_all(std::string_view data, Deadline deadline) {
    if (!fd_) return {IoStatus::error, "not connected"};
    while (!data.empty()) {
        // MSG_NOSIGNAL: a peer that went away is an EPIPE result, not a SIGPIPE for labctl.
        ssize_t n = ::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL);
        if (n > 0) {
            data.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (auto r = wait_for(fd_.get(), POLLOUT, deadline); !r.ok()) return r;
            continue;
        }
        if (errno == EPIPE || errno == ECONNRESET)
            return {IoStatus::closed, "connection closed by peer"};
        return from_errno("send");
    }
    return {};
}

IoResult Connection::receive(std::string& buffer, Deadline deadline) {
    if (!fd_) return {IoStatus::error, "not connected"};
    char chunk[16384];
    for (;;) {
        ssize_t n = ::recv(fd_.get(), chunk, sizeof chunk, 0);
        if (n > 0) {
            buffer.append(chunk, static_cast<std::size_t>(n));
            return {};
        }
        if (n == 0) return {IoStatus::closed, "connection closed by peer"};
        if (errno == EINTR) continue;
        if (errno == ECONNRESET) return {IoStatus::closed, "connection reset by peer"};
        if (errno != EAGAIN && errno != EWOULDBLOCK) return from_errno("recv");
        if (auto r = wait_for(fd_.get(), POLLIN, deadline); !r.ok()) return r;
    }
}

PortProbe tcp_port_open(const std::string& host, std::uint16_t port,
                        std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    Connection c;
    IoResult r = c.open(host, port, start + timeout);
    PortProbe probe;
    probe.open = r.ok();
    probe.error = r.error;
    probe.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return probe;
}

}  // namespace labctl::probe
