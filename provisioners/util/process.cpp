#include "util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <iterator>
#include <mutex>
#include <thread>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace labctl::util {

namespace {

// The signals that stop labctl from a terminal or a supervisor.
constexpr int kInterruptSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
constexpr std::size_t kInterruptSignalCount = std::size(kInterruptSignals);
// How often a run looks whether a signal came (it may be delivered to another thread).
constexpr int kInterruptCheckMs = 100;

// Written by the handler: how many interrupting signals came, and the last one.
std::atomic<unsigned> g_interrupts{0};
std::atomic<int> g_last_interrupt{0};
static_assert(std::atomic<unsigned>::is_always_lock_free && std::atomic<int>::is_always_lock_free,
              "the signal handler may only touch lock-free atomics");

void on_interrupt(int signal) {
    g_last_interrupt.store(signal, std::memory_order_relaxed);
    g_interrupts.fetch_add(1, std::memory_order_release);
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

// Catches the interrupting signals while at least one program runs (runs overlap when `up`
// works on nodes in parallel); the last run to end puts back what was there before. A signal
// that was ignored when labctl started (nohup, a background job) stays ignored.
class InterruptScope {
  public:
    InterruptScope() {
        std::lock_guard lock(mutex_);
        if (users_++ > 0) return;
        for (std::size_t i = 0; i < kInterruptSignalCount; ++i) {
            ::sigaction(kInterruptSignals[i], nullptr, &saved_[i]);
            if (!(saved_[i].sa_flags & SA_SIGINFO) && saved_[i].sa_handler == SIG_IGN) continue;
            struct sigaction ours {};
            ours.sa_handler = on_interrupt;
            ours.sa_flags = SA_RESTART;
            sigemptyset(&ours.sa_mask);
            ::sigaction(kInterruptSignals[i], &ours, nullptr);
        }
    }
    ~InterruptScope() {
        std::lock_guard lock(mutex_);
        if (--users_ > 0) return;
        for (std::size_t i = 0; i < kInterruptSignalCount; ++i)
            ::sigaction(kInterruptSignals[i], &saved_[i], nullptr);
    }
    InterruptScope(const InterruptScope&) = delete;
    InterruptScope& operator=(const InterruptScope&) = delete;

  private:
    static inline std::mutex mutex_;
    static inline int users_ = 0;
    static inline struct sigaction saved_[kInterruptSignalCount];
};

struct Pipe {
    Fd read, write;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0) throw InfraError(std::string("pipe: ") + std::strerror(errno));
        read = Fd(fds[0]);
        write = Fd(fds[1]);
    }
};

struct SpawnActions {
    posix_spawn_file_actions_t actions;
    SpawnActions() { posix_spawn_file_actions_init(&actions); }
    ~SpawnActions() { posix_spawn_file_actions_destroy(&actions); }
};

// The child leads a process group of its own: a terminal's Ctrl-C reaches labctl alone, and
// labctl forwards it to the whole group once (a program like mmdebstrap then stops its own
// children and cleans up).
struct SpawnAttributes {
    posix_spawnattr_t attributes;
    SpawnAttributes() {
        posix_spawnattr_init(&attributes);
        posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
        posix_spawnattr_setpgroup(&attributes, 0);
    }
    ~SpawnAttributes() { posix_spawnattr_destroy(&attributes); }
};

// Reaps PID, calling POLL (which forwards a signal that came) while the child still runs.
template <class Poll>
int wait_for_exit(pid_t pid, Poll poll) {
    int status = 0;
    for (int delay_ms = 1;; delay_ms = std::min(delay_ms * 2, kInterruptCheckMs)) {
        pid_t done = ::waitpid(pid, &status, WNOHANG);
        if (done == pid) return status;
        if (done < 0 && errno != EINTR) return 0;
        poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
    }
}
}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input) {
    if (argv.empty()) throw InfraError("run_process: empty command");
    InterruptScope interrupt_scope;  // before the spawn: no window where Ctrl-C kills labctl only
    const unsigned interrupts_before = g_interrupts.load(std::memory_order_acquire);
    Pipe in, out, err;
    SpawnActions spawn;
    SpawnAttributes attributes;
    posix_spawn_file_actions_adddup2(&spawn.actions, in.read.get(), 0);
    posix_spawn_file_actions_adddup2(&spawn.actions, out.write.get(), 1);
    posix_spawn_file_actions_adddup2(&spawn.actions, err.write.get(), 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = 0;
    int rc =
        ::posix_spawnp(&pid, args[0], &spawn.actions, &attributes.attributes, args.data(), environ);
    if (rc != 0) throw InfraError("cannot run " + argv[0] + ": " + std::strerror(rc));
    in.read = Fd();
    out.write = Fd();
    err.write = Fd();

    // Feed stdin and drain both outputs together so no pipe fills up and blocks the child.
    ProcessResult result;
    std::size_t fed = 0;
    if (input.empty()) in.write = Fd();
    ::signal(SIGPIPE, SIG_IGN);
    bool forwarded = false;
    auto forward_interrupt = [&] {
        if (forwarded || g_interrupts.load(std::memory_order_acquire) == interrupts_before) return;
        forwarded = true;
        ::kill(-pid, g_last_interrupt.load(std::memory_order_relaxed));
    };
    while (out.read || err.read) {
        forward_interrupt();
        std::vector<pollfd> fds;
        if (in.write) fds.push_back({in.write.get(), POLLOUT, 0});
        if (out.read) fds.push_back({out.read.get(), POLLIN, 0});
        if (err.read) fds.push_back({err.read.get(), POLLIN, 0});
        int ready = ::poll(fds.data(), fds.size(), kInterruptCheckMs);
        if (ready < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (const auto& p : fds) {
            if (!p.revents) continue;
            if (in.write && p.fd == in.write.get()) {
                auto n = ::write(p.fd, input.data() + fed, input.size() - fed);
                if (n > 0) fed += static_cast<std::size_t>(n);
                if (n < 0 || fed == input.size()) in.write = Fd();
                continue;
            }
            char buffer[65536];
            auto n = ::read(p.fd, buffer, sizeof buffer);
            bool is_out = out.read && p.fd == out.read.get();
            if (n <= 0) {
                if (is_out) out.read = Fd();
                else err.read = Fd();
            } else {
                (is_out ? result.out : result.err).append(buffer, static_cast<std::size_t>(n));
            }
        }
    }
    in.write = Fd();
    int status = wait_for_exit(pid, forward_interrupt);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // A signal that came while the program ran was caught, not acted on: report it, whatever
    // the program made of it (mmdebstrap ignores it, waits for its children and exits 1).
    if (g_interrupts.load(std::memory_order_acquire) != interrupts_before)
        throw InterruptedError(std::string("interrupted by ") +
                               signal_name(g_last_interrupt.load(std::memory_order_relaxed)) +
                               " while running " + argv[0]);
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT)
        throw InterruptedError("interrupted: " + argv[0] + " was stopped by SIGINT");
    return result;
}

std::optional<std::string> find_program(const std::string& program) {
    const char* path = std::getenv("PATH");
    for (const auto& dir : split(path ? path : "/usr/bin:/bin", ':')) {
        auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
}

}  // namespace labctl::util
