// One authenticated SSH connection to one node, over libssh. Host keys are pinned: the
// server's key must match the lab's own known_hosts before any authentication is tried.
// Only the lab's key is offered (no agent, no password, no ~/.ssh/config).
//
// A Session is used by one thread at a time; different nodes' sessions run in parallel.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "remote/handles.hpp"
#include "util/backoff.hpp"
#include "util/error.hpp"

namespace labctl::remote {

struct Endpoint {
    std::string host;
    int port = 22;
};

struct ConnectOptions {
    std::string node;  // names the node in errors
    Endpoint endpoint;
    std::string user;
    std::filesystem::path private_key;
    std::filesystem::path known_hosts;
    // One attempt (TCP connect + handshake) may take this long...
    std::chrono::milliseconds attempt_timeout{5000};
    // ...and all attempts together this long: a booting guest refuses connections for a while.
    std::chrono::milliseconds deadline{60000};
    // Jittered: the nodes of a lab, connected to in parallel, do not retry in lock step.
    util::BackoffPolicy backoff{.jitter = true};
    // A guest whose authorized key is not installed yet denies us; normally denial is final.
    bool retry_auth_denied = false;
};

struct RunOptions {
    std::string input;  // sent on the command's stdin (how secrets reach a node: never argv)
    std::chrono::milliseconds timeout{120000};  // zero: no limit (interactive use)
    bool sudo = false;                          // prefix `sudo -n` unless we already log in as root
    std::string step;                           // names the step in errors
    // Called with output as it arrives; the result still holds all of it.
    std::function<void(std::string_view)> on_stdout;
    std::function<void(std::string_view)> on_stderr;
    int forward_fd = -1;      // a local fd (stdin) forwarded to the command after `input`
    bool keep_output = true;  // false: only the callbacks see the output (long streams)
};

struct RunResult {
    int exit_code = -1;  // 128+N when the remote command died of signal N
    std::string out;
    std::string err;
};

// A remote command outlived its timeout (it was sent SIGKILL).
class RemoteTimeout : public InfraError {
  public:
    using InfraError::InfraError;
};

// ARGV as one remote command line, every word shell-quoted; `sudo -n --` first when SUDO is
// asked and USER is not root already.
std::string remote_command_line(const std::vector<std::string>& argv, bool sudo,
                                const std::string& user);

class Session {
  public:
    // Retries refused / timed-out / reset connections with backoff until options.deadline;
    // host-key problems and authentication denial are fatal at once.
    static Session connect(const ConnectOptions& options);

    Session(Session&&) noexcept = default;
    Session& operator=(Session&&) = delete;  // would free the old session before its SFTP
    ~Session() = default;

    // Runs ARGV (each word shell-quoted for the remote shell).
    RunResult run(const std::vector<std::string>& argv, const RunOptions& options = {});
    // As run(), but a non-zero exit throws InfraError with the command's stderr.
    RunResult check(const std::vector<std::string>& argv, const RunOptions& options = {});
    // Runs a command line as the remote shell reads it (what `ssh host CMD` does).
    RunResult run_command_line(const std::string& command_line, const RunOptions& options = {});

    // Interactive shell on a pty when stdin is a terminal (plain shell otherwise); returns
    // the remote exit code.
    int shell();

    sftp_session sftp();
    ssh_session handle() const { return session_.get(); }
    const ConnectOptions& options() const { return options_; }
    const std::string& node() const { return options_.node; }
    bool alive() const;

    // Quotes ARGV for the remote shell, prefixing sudo when asked and needed.
    std::string command_line(const std::vector<std::string>& argv, bool sudo) const;

  private:
    Session(SessionPtr session, ConnectOptions options);
    ChannelPtr open_channel(const std::string& step);

    ConnectOptions options_;
    SessionPtr session_;
    SftpPtr sftp_;  // declared after session_: freed before it
};

}  // namespace labctl::remote
