// Session::shell(): an interactive login shell. On a terminal the local tty goes to raw
// mode (restored by RAII on every exit path) and the remote side gets a pty of the same
// size, kept in sync on SIGWINCH; without a terminal, stdin is piped to a plain shell.
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdlib>

#include "remote/channel_pump.hpp"
#include "remote/session.hpp"

namespace labctl::remote {

namespace {

std::atomic<bool> window_changed{false};
void on_winch(int) {
    window_changed = true;
}

class RawTerminal {
  public:
    explicit RawTerminal(int fd) : fd_(fd) {
        if (::tcgetattr(fd_, &saved_) != 0) return;
        termios raw = saved_;
        ::cfmakeraw(&raw);
        active_ = ::tcsetattr(fd_, TCSADRAIN, &raw) == 0;
    }
    RawTerminal(const RawTerminal&) = delete;
    RawTerminal& operator=(const RawTerminal&) = delete;
    ~RawTerminal() {
        if (active_) ::tcsetattr(fd_, TCSADRAIN, &saved_);
    }

  private:
    int fd_;
    termios saved_{};
    bool active_ = false;
};

class SignalHandler {
  public:
    SignalHandler(int signal, void (*handler)(int)) : signal_(signal) {
        struct sigaction action {};
        action.sa_handler = handler;
        ::sigemptyset(&action.sa_mask);
        ::sigaction(signal_, &action, &saved_);
    }
    SignalHandler(const SignalHandler&) = delete;
    SignalHandler& operator=(const SignalHandler&) = delete;
    ~SignalHandler() { ::sigaction(signal_, &saved_, nullptr); }

  private:
    int signal_;
    struct sigaction saved_ {};
};

winsize terminal_size() {
    winsize size{};
    if (::ioctl(STDIN_FILENO, TIOCGWINSZ, &size) != 0 || size.ws_col == 0) {
        size.ws_col = 80;
        size.ws_row = 24;
    }
    return size;
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        auto n = ::write(fd, data.data(), data.size());
        if (n <= 0) return;  // the local terminal went away: nothing useful left to do
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

int Session::shell() {
    ChannelPtr channel = open_channel("ssh shell");
    ExitSignalWatch watch(channel.get());
    bool tty = ::isatty(STDIN_FILENO);
    if (tty) {
        const char* term = std::getenv("TERM");
        auto size = terminal_size();
        if (ssh_channel_request_pty_size(channel.get(), term && *term ? term : "xterm", size.ws_col,
                                         size.ws_row) != SSH_OK) {
            throw InfraError(
                std::string("cannot allocate a remote terminal: ") + ssh_get_error(handle()),
                node(), "ssh shell");
        }
    }
    if (ssh_channel_request_shell(channel.get()) != SSH_OK) {
        throw InfraError(std::string("cannot start a remote shell: ") + ssh_get_error(handle()),
                         node(), "ssh shell");
    }
    SignalHandler winch(SIGWINCH, on_winch);
    PumpEnd end;
    {
        std::optional<RawTerminal> raw;
        if (tty) raw.emplace(STDIN_FILENO);
        PumpIo io;
        io.forward_fd = STDIN_FILENO;
        io.on_stdout = [](std::string_view data) { write_all(STDOUT_FILENO, data); };
        io.on_stderr = [](std::string_view data) { write_all(STDERR_FILENO, data); };
        io.on_wakeup = [&] {
            if (tty && window_changed.exchange(false)) {
                auto size = terminal_size();
                ssh_channel_change_pty_size(channel.get(), size.ws_col, size.ws_row);
            }
        };
        end = pump_channel(handle(), channel.get(), io);
    }
    if (end != PumpEnd::finished) {
        throw InfraError(std::string("SSH shell failed: ") + ssh_get_error(handle()), node(),
                         "ssh shell");
    }
    return channel_exit_code(channel.get(), watch);
}

}  // namespace labctl::remote
