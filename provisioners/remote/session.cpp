#include "remote/session.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <thread>

#include "remote/channel_pump.hpp"
#include "util/retry.hpp"
#include "util/strings.hpp"

namespace labctl::remote {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kConnectStep = "ssh connect";
constexpr const char* kHostKeyStep = "ssh host key";
constexpr const char* kAuthStep = "ssh auth";

std::string describe(const ConnectOptions& o) {
    return o.user + "@" + o.endpoint.host + ":" + std::to_string(o.endpoint.port);
}

template <class T>
void set_option(ssh_session session, ssh_options_e option, const T* value,
                const ConnectOptions& o) {
    if (ssh_options_set(session, option, value) != SSH_OK) {
        throw InfraError("cannot set SSH option for " + describe(o) + ": " + ssh_get_error(session),
                         o.node, kConnectStep);
    }
}

SessionPtr new_session(const ConnectOptions& o, std::chrono::milliseconds timeout) {
    SessionPtr session(ssh_new());
    if (!session) throw InfraError("cannot allocate an SSH session", o.node, kConnectStep);
    ssh_session s = session.get();
    // No ~/.ssh/config, no user or system known_hosts: only what labctl pinned for this lab.
    bool process_config = false;
    set_option(s, SSH_OPTIONS_PROCESS_CONFIG, &process_config, o);
    set_option(s, SSH_OPTIONS_SSH_DIR, o.known_hosts.parent_path().c_str(), o);
    set_option(s, SSH_OPTIONS_KNOWNHOSTS, o.known_hosts.c_str(), o);
    set_option(s, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null", o);
    int strict = 1;
    set_option(s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict, o);
    // labctl generates ed25519 host keys only; asking for that type makes the server present
    // the pinned one rather than, say, an ECDSA key we never saw.
    set_option(s, SSH_OPTIONS_HOSTKEYS, "ssh-ed25519", o);
    set_option(s, SSH_OPTIONS_HOST, o.endpoint.host.c_str(), o);
    unsigned int port = static_cast<unsigned int>(o.endpoint.port);
    set_option(s, SSH_OPTIONS_PORT, &port, o);
    set_option(s, SSH_OPTIONS_USER, o.user.c_str(), o);
    long seconds = static_cast<long>(timeout.count() / 1000);
    long usec = static_cast<long>((timeout.count() % 1000) * 1000);
    set_option(s, SSH_OPTIONS_TIMEOUT, &seconds, o);
    set_option(s, SSH_OPTIONS_TIMEOUT_USEC, &usec, o);
    int verbosity = SSH_LOG_NOLOG;
    set_option(s, SSH_OPTIONS_LOG_VERBOSITY, &verbosity, o);
    return session;
}

// Fatal on anything but an exact match: a changed key is an attack or a stale lab, and
// nothing is ever added to known_hosts from what a server presents.
void verify_host_key(ssh_session s, const ConnectOptions& o) {
    auto state = ssh_session_is_known_server(s);
    std::string where = describe(o) + " (known_hosts " + o.known_hosts.string() + ")";
    switch (state) {
        case SSH_KNOWN_HOSTS_OK:
            return;
        case SSH_KNOWN_HOSTS_CHANGED:
            throw InfraError("host key CHANGED for " + where +
                                 ": refusing to connect (recreate the node or remove the lab state "
                                 "if this is expected)",
                             o.node, kHostKeyStep);
        case SSH_KNOWN_HOSTS_OTHER:
            throw InfraError(
                "host presented a key of another type than the pinned one for " + where, o.node,
                kHostKeyStep);
        case SSH_KNOWN_HOSTS_NOT_FOUND:
            throw InfraError(
                "no known_hosts file for the lab: " + where + ": run `labctl up` first", o.node,
                kHostKeyStep);
        case SSH_KNOWN_HOSTS_UNKNOWN:
            throw InfraError("host key not pinned for " + where, o.node, kHostKeyStep);
        case SSH_KNOWN_HOSTS_ERROR:
        default:
            throw InfraError(
                std::string("cannot check host key for ") + where + ": " + ssh_get_error(s), o.node,
                kHostKeyStep);
    }
}

KeyPtr load_private_key(const ConnectOptions& o) {
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_file(o.private_key.c_str(), nullptr, nullptr, nullptr, &raw) !=
        SSH_OK) {
        throw InfraError("cannot read the lab's SSH key " + o.private_key.string(), o.node,
                         kAuthStep);
    }
    return KeyPtr(raw);
}

// Errors in the key exchange that no retry fixes (the server offers no ed25519 host key).
bool negotiation_failure(const std::string& error) {
    return error.find("no match for method") != std::string::npos;
}

}  // namespace

Session::Session(SessionPtr session, ConnectOptions options)
    : options_(std::move(options)), session_(std::move(session)) {}

Session Session::connect(const ConnectOptions& o) {
    ensure_libssh_initialized();
    KeyPtr key = load_private_key(o);
    auto deadline = Clock::now() + o.deadline;
    std::optional<Session> connected;
    util::RetryHooks hooks;
    hooks.on_wait = [&](const std::string& reason, std::chrono::milliseconds wait) {
        spdlog::debug("ssh: {} not ready ({}), retrying in {} ms", o.node, reason, wait.count());
    };
    // Refused, timed out, reset: the guest is still booting, try again. Negotiation, host-key
    // and (unless asked) authentication failures throw at once.
    auto attempt = [&](int number) -> std::optional<std::string> {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        auto attempt_timeout =
            std::max(std::min(o.attempt_timeout, left), std::chrono::milliseconds(100));
        SessionPtr session = new_session(o, attempt_timeout);
        if (ssh_connect(session.get()) != SSH_OK) {
            std::string error = ssh_get_error(session.get());
            if (negotiation_failure(error)) {
                throw InfraError("SSH negotiation with " + describe(o) + " failed: " + error,
                                 o.node, kConnectStep);
            }
            return error;
        }
        verify_host_key(session.get(), o);
        int rc = ssh_userauth_publickey(session.get(), nullptr, key.get());
        if (rc == SSH_AUTH_SUCCESS) {
            spdlog::debug("ssh: connected to {} ({}) after {} attempt(s)", o.node, describe(o),
                          number);
            connected.emplace(Session(std::move(session), o));
            return std::nullopt;
        }
        std::string error =
            rc == SSH_AUTH_ERROR ? ssh_get_error(session.get()) : "the lab key was denied";
        if (rc != SSH_AUTH_ERROR && !o.retry_auth_denied) {
            throw InfraError("authentication as " + describe(o) + " failed: " + error, o.node,
                             kAuthStep);
        }
        return error;
    };
    auto result = util::retry_until(deadline, o.backoff, attempt, hooks);
    if (connected) return std::move(*connected);
    throw InfraError("cannot connect to " + describe(o) + " after " +
                         std::to_string(result.attempts) + " attempts in " +
                         std::to_string(o.deadline.count() / 1000.0).substr(0, 5) +
                         "s: " + result.reason,
                     o.node, kConnectStep);
}

bool Session::alive() const {
    return session_ && ssh_is_connected(session_.get());
}

std::string Session::command_line(const std::vector<std::string>& argv, bool sudo) const {
    return remote_command_line(argv, sudo, options_.user);
}

std::string remote_command_line(const std::vector<std::string>& argv, bool sudo,
                                const std::string& user) {
    std::vector<std::string> words;
    if (sudo && user != "root") {
        // -n: fail instead of prompting for a password we do not have.
        words = {"sudo", "-n", "--"};
    }
    for (const auto& word : argv) words.push_back(util::shell_quote(word));
    return util::join(words, " ");
}

ChannelPtr Session::open_channel(const std::string& step) {
    // A guest under load can miss the session timeout while it opens a channel; libssh then
    // fails with an empty error (seen twice in CI-like runs, on a TCG guest that answered the
    // next command). Nothing has run on the guest yet, so opening again is safe; a connection
    // that is gone is not retried.
    using namespace std::chrono_literals;
    ChannelPtr channel;
    auto opened = util::retry_until(
        util::RetryClock::now() + 20s, {500ms, 4000ms}, [&](int) -> std::optional<std::string> {
            channel.reset(ssh_channel_new(session_.get()));
            if (channel && ssh_channel_open_session(channel.get()) == SSH_OK) return std::nullopt;
            std::string why = ssh_get_error(session_.get());
            if (why.empty()) why = "no answer within the session timeout";
            if (!ssh_is_connected(session_.get()))
                throw InfraError("cannot open an SSH channel: " + why, options_.node, step);
            return why;
        });
    if (!opened.done)
        throw InfraError("cannot open an SSH channel (" + std::to_string(opened.attempts) +
                             " tries): " + opened.reason,
                         options_.node, step);
    return channel;
}

RunResult Session::run(const std::vector<std::string>& argv, const RunOptions& options) {
    if (argv.empty()) throw InfraError("empty remote command", options_.node, options.step);
    return run_command_line(command_line(argv, options.sudo), options);
}

namespace {

// Seconds as timeout(1) reads them: "0.500".
std::string seconds_text(std::chrono::milliseconds ms) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%lld.%03lld", static_cast<long long>(ms.count() / 1000),
                  static_cast<long long>(ms.count() % 1000));
    return buffer;
}

// GNU timeout's status when it had to stop the command.
constexpr int kTimeoutStatus = 124;
// Extra time the client waits beyond the remote timeout before giving up on the channel.
constexpr std::chrono::seconds kClientGrace{5};

}  // namespace

RunResult Session::run_command_line(const std::string& command_line, const RunOptions& options) {
    std::string step = options.step.empty() ? "ssh exec" : options.step;
    spdlog::debug("ssh {}: {}", options_.node, command_line);
    // The node enforces the timeout itself with timeout(1): TERM, then KILL 2 s later, to the
    // whole process group. An SSH "signal" request alone is not enough: OpenSSH refuses it
    // for root logins, and it cannot reach the node once the connection is gone.
    std::string wire = command_line;
    bool limited = options.timeout.count() > 0;
    if (limited) {
        wire = "timeout -k 2 " + seconds_text(options.timeout) + " sh -c " +
               util::shell_quote(command_line);
    }
    ChannelPtr channel = open_channel(step);
    ExitSignalWatch watch(channel.get());
    auto started = Clock::now();
    if (ssh_channel_request_exec(channel.get(), wire.c_str()) != SSH_OK) {
        throw InfraError(
            std::string("cannot start remote command: ") + ssh_get_error(session_.get()),
            options_.node, step);
    }
    RunResult result;
    PumpIo io;
    io.input = options.input;
    io.forward_fd = options.forward_fd;
    if (limited) io.deadline = started + options.timeout + kClientGrace;
    io.on_stdout = [&](std::string_view data) {
        if (options.keep_output) result.out.append(data);
        if (options.on_stdout) options.on_stdout(data);
    };
    io.on_stderr = [&](std::string_view data) {
        if (options.keep_output) result.err.append(data);
        if (options.on_stderr) options.on_stderr(data);
    };
    auto end = pump_channel(session_.get(), channel.get(), io);
    if (end == PumpEnd::timed_out) {
        // Do not leave the command running on the node.
        ssh_channel_request_send_signal(channel.get(), "KILL");
        throw RemoteTimeout("remote command timed out after " +
                                std::to_string(options.timeout.count()) + " ms: " + command_line,
                            options_.node, step);
    }
    if (end == PumpEnd::failed) {
        throw InfraError(std::string("SSH channel failed: ") + ssh_get_error(session_.get()),
                         options_.node, step);
    }
    result.exit_code = channel_exit_code(channel.get(), watch);
    if (limited && result.exit_code == kTimeoutStatus &&
        Clock::now() - started >= options.timeout) {
        throw RemoteTimeout("remote command timed out after " +
                                std::to_string(options.timeout.count()) + " ms: " + command_line,
                            options_.node, step);
    }
    return result;
}

RunResult Session::check(const std::vector<std::string>& argv, const RunOptions& options) {
    auto result = run(argv, options);
    if (result.exit_code != 0) {
        auto message = util::trim(result.err.empty() ? result.out : result.err);
        throw InfraError("`" + util::join(argv, " ") + "` failed with exit code " +
                             std::to_string(result.exit_code) +
                             (message.empty() ? "" : ": " + message),
                         options_.node, options.step.empty() ? "ssh exec" : options.step);
    }
    return result;
}

sftp_session Session::sftp() {
    if (!sftp_) {
        SftpPtr sftp(sftp_new(session_.get()));
        if (!sftp || sftp_init(sftp.get()) != SSH_OK) {
            throw InfraError(std::string("cannot start SFTP: ") + ssh_get_error(session_.get()),
                             options_.node, "sftp");
        }
        sftp_ = std::move(sftp);
    }
    return sftp_.get();
}

}  // namespace labctl::remote
