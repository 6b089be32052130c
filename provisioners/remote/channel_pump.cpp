#include "remote/channel_pump.hpp"

#include <libssh/callbacks.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <map>
#include <vector>

namespace labctl::remote {

namespace {

// SSH names signals without the SIG prefix (RFC 4254 6.10).
int signal_number(const char* name) {
    static const std::map<std::string, int> numbers{
        {"ABRT", SIGABRT}, {"ALRM", SIGALRM}, {"FPE", SIGFPE},   {"HUP", SIGHUP},
        {"ILL", SIGILL},   {"INT", SIGINT},   {"KILL", SIGKILL}, {"PIPE", SIGPIPE},
        {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"TERM", SIGTERM}, {"USR1", SIGUSR1},
        {"USR2", SIGUSR2},
    };
    auto it = name ? numbers.find(name) : numbers.end();
    return it == numbers.end() ? 127 : it->second;
}

void record_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*,
                   void* userdata) {
    *static_cast<int*>(userdata) = signal_number(signal);
}

// Reads everything libssh has buffered on one stream. Returns false on a channel error.
bool drain(ssh_channel channel, int is_stderr, const std::function<void(std::string_view)>& sink) {
    char buffer[32768];
    while (true) {
        int n = ssh_channel_read_nonblocking(channel, buffer, sizeof buffer, is_stderr);
        if (n == SSH_ERROR) return false;
        if (n <= 0) return true;
        if (sink) sink(std::string_view(buffer, static_cast<std::size_t>(n)));
    }
}

}  // namespace

ExitSignalWatch::ExitSignalWatch(ssh_channel channel) : channel_(channel) {
    ssh_callbacks_init(&callbacks_);
    callbacks_.userdata = &signal;
    callbacks_.channel_exit_signal_function = record_signal;
    ssh_add_channel_callbacks(channel_, &callbacks_);
}

ExitSignalWatch::~ExitSignalWatch() {
    ssh_remove_channel_callbacks(channel_, &callbacks_);
}

PumpEnd pump_channel(ssh_session session, ssh_channel channel, PumpIo& io) {
    std::size_t sent = 0;
    bool input_done = io.input.empty() && io.forward_fd < 0;
    bool eof_sent = false;
    std::string pending_fd_data;  // read from forward_fd, not yet accepted by the window
    bool fd_open = io.forward_fd >= 0;
    while (true) {
        if (!drain(channel, 0, io.on_stdout) || !drain(channel, 1, io.on_stderr))
            return PumpEnd::failed;
        if (ssh_channel_is_eof(channel) || ssh_channel_is_closed(channel)) return PumpEnd::finished;

        // Write what the remote window takes: never block on a command that does not read.
        if (!input_done) {
            std::string_view chunk =
                sent < io.input.size() ? io.input.substr(sent) : std::string_view(pending_fd_data);
            std::uint32_t window = ssh_channel_window_size(channel);
            std::size_t n = std::min<std::size_t>({chunk.size(), window, 32768});
            if (n > 0) {
                int written =
                    ssh_channel_write(channel, chunk.data(), static_cast<std::uint32_t>(n));
                if (written == SSH_ERROR) return PumpEnd::failed;
                if (sent < io.input.size())
                    sent += static_cast<std::size_t>(written);
                else
                    pending_fd_data.erase(0, static_cast<std::size_t>(written));
            }
            if (sent >= io.input.size() && pending_fd_data.empty() && !fd_open) input_done = true;
        }
        if (input_done && !eof_sent) {
            ssh_channel_send_eof(channel);
            eof_sent = true;
        }

        // Upper bound only: poll returns as soon as anything arrives. While input is pending
        // and the window is open, just look (0 ms) and go on writing.
        bool can_write = !input_done && (sent < io.input.size() || !pending_fd_data.empty()) &&
                         ssh_channel_window_size(channel) > 0;
        int timeout_ms = can_write ? 0 : 200;
        if (io.deadline) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                *io.deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return PumpEnd::timed_out;
            timeout_ms = static_cast<int>(std::min<long long>(left.count(), timeout_ms));
        }
        std::vector<pollfd> fds{{ssh_get_fd(session), POLLIN, 0}};
        bool watch_fd = fd_open && pending_fd_data.empty() && sent >= io.input.size();
        if (watch_fd) fds.push_back({io.forward_fd, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), timeout_ms) < 0 && errno != EINTR)
            return PumpEnd::failed;
        if (io.on_wakeup) io.on_wakeup();
        if (watch_fd && fds[1].revents) {
            char buffer[32768];
            auto n = ::read(io.forward_fd, buffer, sizeof buffer);
            if (n > 0)
                pending_fd_data.assign(buffer, static_cast<std::size_t>(n));
            else if (n == 0 || errno != EINTR)
                fd_open = false;
        }
    }
}

int channel_exit_code(ssh_channel channel, const ExitSignalWatch& watch) {
    int status = ssh_channel_get_exit_status(channel);
    if (watch.signal) return 128 + watch.signal;
    return status;
}

}  // namespace labctl::remote
