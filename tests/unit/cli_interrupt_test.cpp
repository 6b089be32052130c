// SIGINT / SIGTERM on the real labctl binary: the fault probe of issue 10 found labctl dying
// silently. It must print one line naming the command and the step it stopped in, and exit 130.
// The command blocks on a "libvirtd" that is only a listening unix socket in the test's temp
// dir (it accepts and never answers): no traffic leaves the machine.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "test_support.hpp"
#include "util/files.hpp"

extern char** environ;

namespace labctl {
namespace {

namespace fs = std::filesystem;

// A unix socket that listens and never accepts: the kernel completes connections into the
// backlog, so a libvirt client connects, sends its first call and waits for an answer forever.
class SilentSocket {
  public:
    explicit SilentSocket(const fs::path& path)
        : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
        if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd_.get(), 8) != 0)
            throw std::runtime_error("cannot listen on " + path.string());
    }

    // Waits (up to 30 s) until a client connected, and keeps that connection open unanswered.
    bool accept_one() {
        pollfd ready{fd_.get(), POLLIN, 0};
        if (::poll(&ready, 1, 30000) != 1) return false;
        client_ = util::Fd(::accept4(fd_.get(), nullptr, nullptr, SOCK_CLOEXEC));
        return static_cast<bool>(client_);
    }

  private:
    util::Fd fd_;
    util::Fd client_;
};

struct Run {
    int code = -1;
    std::string err;
    double seconds = 0;
};

// Runs labctl with ARGS (stderr to a file), sends SIGNAL once labctl has connected to SOCKET
// (it is then blocked waiting for libvirt's answer), and reaps it.
Run run_and_signal(const std::vector<std::string>& args, int signal, const fs::path& dir,
                   SilentSocket& socket) {
    auto err_path = dir / "stderr";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                     0600);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> argv{test::labctl_binary(), "--no-color"};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<char*> c_argv;
    for (auto& arg : argv) c_argv.push_back(arg.data());
    c_argv.push_back(nullptr);
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, c_argv[0], &actions, nullptr, c_argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start labctl");
    EXPECT_TRUE(socket.accept_one()) << "labctl never connected to the fake libvirtd";
    auto start = std::chrono::steady_clock::now();
    ::kill(pid, signal);
    int status = 0;
    ::waitpid(pid, &status, 0);
    Run run;
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    run.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    run.err = util::read_file(err_path);
    return run;
}

class InterruptTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ::setenv("LABCTL_HOME", (root_.path() / "home").c_str(), 1);
        ::setenv("LABCTL_INTERRUPT_GRACE", "2", 1);
        socket_path_ = root_.path() / "libvirt-sock";
        socket_ = std::make_unique<SilentSocket>(socket_path_);
    }
    void TearDown() override {
        ::unsetenv("LABCTL_HOME");
        ::unsetenv("LABCTL_INTERRUPT_GRACE");
    }
    std::string uri() const { return "qemu+unix:///system?socket=" + socket_path_.string(); }
    std::string lab() const { return (test::source_dir() / "examples/rr-chat/lab.toml").string(); }

    test::TempDir root_;
    fs::path socket_path_;
    std::unique_ptr<SilentSocket> socket_;
};

TEST_F(InterruptTest, SigintDuringUpExits130NamingCommandAndStep) {
    auto run = run_and_signal({"up", "-f", lab(), "--connect", uri(), "--driver", "qemu"}, SIGINT,
                              root_.path(), *socket_);
    EXPECT_EQ(run.code, 130) << run.err;
    EXPECT_NE(
        run.err.find("labctl: interrupted by SIGINT during up (step: connect to " + uri() + ")"),
        std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("run `labctl up` again to resume"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find("error"), std::string::npos) << run.err;
    EXPECT_LT(run.seconds, 10.0);
    // One line, not a stack trace or a log.
    EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
}

TEST_F(InterruptTest, SigtermDuringUpExits130Too) {
    auto run = run_and_signal({"up", "-f", lab(), "--connect", uri(), "--driver", "qemu"}, SIGTERM,
                              root_.path(), *socket_);
    EXPECT_EQ(run.code, 130) << run.err;
    EXPECT_NE(run.err.find("labctl: interrupted by SIGTERM during up"), std::string::npos)
        << run.err;
    // The lab record and the lock are whole files or absent: no temporary file is left.
    for (const auto& entry : fs::recursive_directory_iterator(root_.path() / "home"))
        EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
}

}  // namespace
}  // namespace labctl
