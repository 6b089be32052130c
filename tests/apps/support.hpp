// Test support: real servers (the chat app, RabbitMQ, nginx) started as children on loopback,
// each in its own process group so teardown ends exactly what the test started.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "probe/http.hpp"
#include "probe/socket.hpp"
#include "probe/stomp.hpp"
#include "util/files.hpp"

extern char** environ;

namespace labctl::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A port the kernel just handed out on 127.0.0.1 (released again for the server to bind).
inline std::uint16_t free_port() {
    util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
        throw std::runtime_error("bind 127.0.0.1:0 failed");
    socklen_t len = sizeof addr;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    return ntohs(addr.sin_port);
}

// Polls CONDITION with backoff (5 ms doubling to 200 ms) until it holds or TIMEOUT passes.
inline bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto pause = 5ms;
    for (;;) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(pause);
        pause = std::min<std::chrono::milliseconds>(pause * 2, 200ms);
    }
}

class TempDir {
  public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "labctl-app-test.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

// A child process in its own process group; stdout and stderr go to LOG. Destruction sends
// SIGTERM to the group, waits (polling) up to 10 s, then SIGKILLs it.
class Child {
  public:
    Child(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
          const fs::path& log) {
        std::map<std::string, std::string> merged;
        for (char** e = environ; *e != nullptr; ++e) {
            std::string kv(*e);
            auto eq = kv.find('=');
            if (eq != std::string::npos) merged[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        for (const auto& [k, v] : env) merged[k] = v;
        std::vector<std::string> env_strings;
        for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
        std::vector<char*> args, envp;
        for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        for (auto& e : env_strings) envp.push_back(e.data());
        envp.push_back(nullptr);
        int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (log_fd < 0) throw std::runtime_error("cannot open " + log.string());
        util::Fd log_guard(log_fd);
        pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            ::setpgid(0, 0);
            // If the test binary dies without its destructors (ctest timeout, SIGKILL), the
            // server gets SIGTERM instead of living on as an orphan.
            ::prctl(PR_SET_PDEATHSIG, SIGTERM);
            if (::getppid() != parent) ::_exit(1);
            ::dup2(log_fd, 1);
            ::dup2(log_fd, 2);
            int devnull = ::open("/dev/null", O_RDONLY);
            ::dup2(devnull, 0);
            ::execve(args[0], args.data(), envp.data());
            ::_exit(127);
        }
        ::setpgid(pid_, pid_);  // also here, so the group exists before we might signal it
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() { stop(); }

    pid_t pid() const { return pid_; }
    bool running() {
        if (pid_ <= 0) return false;
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            exit_status_ = status;
            ::kill(-pid_, SIGKILL);  // leftovers of the group, if any
            pid_ = -1;
            return false;
        }
        return true;
    }
    // SIGTERM to the group; returns the wait status (or -1 when it had to be SIGKILLed).
    int stop(std::chrono::milliseconds grace = 10s) {
        if (pid_ <= 0) return exit_status_;
        ::kill(-pid_, SIGTERM);
        bool exited = eventually([&] { return !running(); }, grace);
        if (!exited) {
            ::kill(-pid_, SIGKILL);
            ::waitpid(pid_, &exit_status_, 0);
            pid_ = -1;
            return -1;
        }
        return exit_status_;
    }

  private:
    pid_t pid_ = -1;
    int exit_status_ = -1;
};

inline std::string python() {
    return "/usr/bin/python3";
}  // Debian's, as on the lab's image
inline std::string chat_app() {
    return std::string(LABCTL_SOURCE_DIR) + "/examples/apps/chat/app.py";
}

// One instance of examples/apps/chat/app.py on 127.0.0.1.
class ChatApp {
  public:
    ChatApp(const fs::path& dir, std::string instance, std::map<std::string, std::string> env = {},
            std::uint16_t port = 0)
        : instance_(std::move(instance)),
          port_(port ? port : free_port()),
          log_(dir / (instance_ + ".log")) {
        env["PORT"] = std::to_string(port_);
        env.try_emplace("LISTEN_ADDRESS", "127.0.0.1");
        env["INSTANCE"] = instance_;
        env["PYTHONUNBUFFERED"] = "1";
        child_ = std::make_unique<Child>(std::vector<std::string>{python(), chat_app()}, env, log_);
    }
    // True once /health answers 200 (the broker subscription confirmed, when there is a broker).
    bool wait_healthy(std::chrono::milliseconds timeout = 15s) {
        return eventually(
            [&] { return probe::http_get("127.0.0.1", port_, "/health", 1s).status == 200; },
            timeout);
    }
    std::uint16_t port() const { return port_; }
    const std::string& instance() const { return instance_; }
    Child& process() { return *child_; }
    std::string log() const { return util::read_file(log_); }

  private:
    std::string instance_;
    std::uint16_t port_;
    fs::path log_;
    std::unique_ptr<Child> child_;
};

}  // namespace labctl::testing
