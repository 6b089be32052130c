#include "util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <thread>

#include "util/error.hpp"
#include "util/files.hpp"
#include "util/interrupt.hpp"
#include "util/retry.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace labctl::util {

namespace {

// How often a run looks whether a signal came (it may be delivered to another thread).
constexpr int kInterruptCheckMs = 100;

struct Pipe {
    Fd read, write;
    Pipe() {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC) != 0)
            throw InfraError(std::string("pipe: ") + std::strerror(errno));
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
// The waits are plain sleeps, not sleep_or_interrupt: an interruption must not unwind before
// the child is reaped; POLL passes it on and the child's exit ends the wait.
template <class Poll>
int wait_for_exit(pid_t pid, Poll poll) {
    int status = 0;
    RetryHooks hooks;
    hooks.sleep = [](std::chrono::milliseconds delay) { std::this_thread::sleep_for(delay); };
    retry_until(
        no_deadline, {std::chrono::milliseconds(1), std::chrono::milliseconds(kInterruptCheckMs)},
        [&](int) -> std::optional<std::string> {
            pid_t done = ::waitpid(pid, &status, WNOHANG);
            if (done == pid) return std::nullopt;
            if (done < 0 && errno != EINTR) {
                status = 0;
                return std::nullopt;
            }
            poll();
            return "running";
        },
        hooks);
    return status;
}
}  // namespace

ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input) {
    if (argv.empty()) throw InfraError("run_process: empty command");
    InterruptScope interrupt_scope;  // before the spawn: no window where Ctrl-C kills labctl only
    throw_if_interrupted();          // labctl is stopping: start nothing new
    const unsigned interrupts_before = interrupt_count();
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
        if (forwarded || interrupt_count() == interrupts_before) return;
        forwarded = true;
        ::kill(-pid, last_interrupt_signal());
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
                if (is_out)
                    out.read = Fd();
                else
                    err.read = Fd();
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
    if (interrupt_count() != interrupts_before)
        throw InterruptedError(std::string("interrupted by ") +
                               signal_name(last_interrupt_signal()) + " while running " + argv[0]);
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
