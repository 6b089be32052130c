// Moves data between one open exec/shell channel and the caller until the remote side
// closes: input (string, then optionally a local fd) to the command, stdout and stderr
// back, with an overall deadline. Never blocks on a full window: it writes only what the
// remote window accepts and otherwise waits on the socket.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <libssh/callbacks.h>

#include "remote/handles.hpp"

namespace labctl::remote {

struct PumpIo {
    std::string_view input;
    int forward_fd = -1;  // read after `input`; EOF on it sends EOF to the command
    std::function<void(std::string_view)> on_stdout;
    std::function<void(std::string_view)> on_stderr;
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::function<void()> on_wakeup;  // e.g. propagate a terminal resize
};

enum class PumpEnd { finished, timed_out, failed };

// Returns when the remote side sent EOF (finished), the deadline passed, or the session broke.
PumpEnd pump_channel(ssh_session session, ssh_channel channel, PumpIo& io);

// Records the exit signal's number (0 if none) while it lives; unregisters itself on
// destruction, so it may be destroyed before the channel.
struct ExitSignalWatch {
    explicit ExitSignalWatch(ssh_channel channel);
    ~ExitSignalWatch();
    ExitSignalWatch(const ExitSignalWatch&) = delete;
    ExitSignalWatch& operator=(const ExitSignalWatch&) = delete;
    int signal = 0;

  private:
    ssh_channel channel_;
    struct ssh_channel_callbacks_struct callbacks_ {};
};

// The remote exit status (128+N for signal N), or -1 when the server sent none. Waits for
// the server's exit-status/exit-signal message (it may come after EOF).
int channel_exit_code(ssh_channel channel, const ExitSignalWatch& watch);

}  // namespace labctl::remote
