#include "util/interrupt.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>
#include <thread>

#include "util/error.hpp"

namespace labctl::util {

namespace {

constexpr std::array kInterruptSignals{SIGINT, SIGTERM, SIGHUP, SIGQUIT};

// Written by the handler, so lock-free atomics and a plain fd only.
std::atomic<unsigned> g_interrupts{0};
std::atomic<int> g_last_interrupt{0};
std::atomic<int> g_wake_write{-1};
static_assert(std::atomic<unsigned>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

std::atomic<bool> g_permanent{false};

void on_interrupt(int signal) {
    int saved_errno = errno;  // write() may change it under the interrupted code
    g_last_interrupt.store(signal, std::memory_order_relaxed);
    // A second signal means the user will not wait for the step to end (a remote command
    // with a long timeout has no boundary inside it): stop at once, still with exit 130.
    if (g_interrupts.fetch_add(1, std::memory_order_release) > 0 &&
        g_permanent.load(std::memory_order_relaxed)) {
        static const char message[] = "labctl: interrupted again: stopping at once\n";
        [[maybe_unused]] auto ignored = ::write(2, message, sizeof message - 1);
        ::_exit(130);
    }
    if (int fd = g_wake_write.load(std::memory_order_relaxed); fd >= 0) {
        char byte = 1;
        [[maybe_unused]] auto ignored = ::write(fd, &byte, 1);  // full pipe: already awake
    }
    errno = saved_errno;
}

// The self-pipe: its read end is readable once a signal came and stays so (never drained),
// so every sleeper wakes, however many there are.
int wake_read_fd() {
    static const int fd = [] {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) return -1;
        g_wake_write.store(fds[1], std::memory_order_relaxed);
        return fds[0];
    }();
    return fd;
}

// g_permanent (above, for the handler) is set by main: from then on a signal is sticky and
// every interrupt point acts on it. Without main (tests) only run_process acts on a signal.
std::mutex g_handlers_mutex;
int g_scopes = 0;
struct sigaction g_saved[kInterruptSignals.size()];

void install_locked() {
    wake_read_fd();
    for (std::size_t i = 0; i < kInterruptSignals.size(); ++i) {
        ::sigaction(kInterruptSignals[i], nullptr, &g_saved[i]);
        if (!(g_saved[i].sa_flags & SA_SIGINFO) && g_saved[i].sa_handler == SIG_IGN) continue;
        struct sigaction ours {};
        ours.sa_handler = on_interrupt;
        ours.sa_flags = SA_RESTART;
        sigemptyset(&ours.sa_mask);
        ::sigaction(kInterruptSignals[i], &ours, nullptr);
    }
}

std::mutex g_step_mutex;
std::string g_step;
std::string g_command;

}  // namespace

void install_interrupt_handlers(const std::string& command, std::chrono::milliseconds grace) {
    std::lock_guard lock(g_handlers_mutex);
    if (g_permanent) return;
    {
        std::lock_guard step_lock(g_step_mutex);
        g_command = command;
    }
    if (g_scopes == 0) install_locked();
    g_permanent = true;
    // Not in the handler: formatting the line needs locks and allocation.
    std::thread([grace] {
        pollfd wake{wake_read_fd(), POLLIN, 0};
        while (::poll(&wake, 1, -1) < 0 && errno == EINTR) {
        }
        pollfd none{-1, 0, 0};
        ::poll(&none, 1, static_cast<int>(grace.count()));  // the step's time to unwind
        std::string line = interrupted_line(std::string("interrupted by ") +
                                            signal_name(last_interrupt_signal())) +
                           " (stopped at once: the step did not end within " +
                           std::to_string(grace.count() / 1000) + " s)\n";
        [[maybe_unused]] auto ignored = ::write(2, line.data(), line.size());
        ::_exit(130);
    }).detach();
}

std::string interrupted_line(const std::string& what) {
    std::string command, step;
    {
        std::lock_guard lock(g_step_mutex);
        command = g_command;
        step = g_step;
    }
    std::string line = "labctl: " + what + (command.empty() ? "" : " during " + command);
    if (!step.empty()) line += " (step: " + step + ")";
    // Nothing is half-written (state goes through AtomicFile) and `up` converges: running the
    // command again is the way forward.
    if (!command.empty()) line += "; run `labctl " + command + "` again";
    if (command == "up") line += " to resume";
    return line;
}

InterruptScope::InterruptScope() {
    std::lock_guard lock(g_handlers_mutex);
    if (g_scopes++ == 0 && !g_permanent) install_locked();
}

InterruptScope::~InterruptScope() {
    std::lock_guard lock(g_handlers_mutex);
    if (--g_scopes > 0 || g_permanent) return;
    for (std::size_t i = 0; i < kInterruptSignals.size(); ++i)
        ::sigaction(kInterruptSignals[i], &g_saved[i], nullptr);
}

unsigned interrupt_count() {
    return g_interrupts.load(std::memory_order_acquire);
}
int last_interrupt_signal() {
    return g_last_interrupt.load(std::memory_order_relaxed);
}

const char* signal_name(int signal) {
    switch (signal) {
        case SIGINT:
            return "SIGINT";
        case SIGTERM:
            return "SIGTERM";
        case SIGHUP:
            return "SIGHUP";
        case SIGQUIT:
            return "SIGQUIT";
        default:
            return "a signal";
    }
}

void set_current_step(const std::string& step) {
    std::lock_guard lock(g_step_mutex);
    g_step = step;
}

std::string current_step() {
    std::lock_guard lock(g_step_mutex);
    return g_step;
}

void throw_if_interrupted() {
    if (g_permanent.load(std::memory_order_relaxed) && interrupt_count() > 0)
        throw InterruptedError(std::string("interrupted by ") +
                               signal_name(last_interrupt_signal()));
}

void interrupt_point(const std::string& step) {
    throw_if_interrupted();
    set_current_step(step);
}

void sleep_or_interrupt(std::chrono::milliseconds delay) {
    throw_if_interrupted();
    int fd = wake_read_fd();
    auto until = std::chrono::steady_clock::now() + delay;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            until - std::chrono::steady_clock::now());
        if (left.count() <= 0) break;
        pollfd wake{fd, POLLIN, 0};
        // poll returns early on EINTR (handler ran) or when the pipe turns readable.
        ::poll(&wake, fd >= 0 ? 1 : 0, static_cast<int>(left.count()));
        throw_if_interrupted();
    }
}

}  // namespace labctl::util
