#include "remote_test_support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "util/backoff.hpp"
#include "util/files.hpp"

extern char** environ;

namespace labctl::test_support {

namespace fs = std::filesystem;

TempDir::TempDir() {
    std::string pattern = (fs::temp_directory_path() / "labctl-remote-test.XXXXXX").string();
    std::vector<char> buffer(pattern.begin(), pattern.end());
    buffer.push_back('\0');
    if (!::mkdtemp(buffer.data())) throw std::runtime_error("mkdtemp failed");
    path_ = buffer.data();
}

TempDir::~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
}

ScopedEnv::ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) {
        old_ = old;
        had_old_ = true;
    }
    ::setenv(name_.c_str(), value.c_str(), 1);
}

ScopedEnv::~ScopedEnv() {
    if (had_old_)
        ::setenv(name_.c_str(), old_.c_str(), 1);
    else
        ::unsetenv(name_.c_str());
}

int free_loopback_port() {
    util::Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        throw std::runtime_error("cannot bind a loopback port");
    }
    socklen_t length = sizeof address;
    ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length);
    return ntohs(address.sin_port);
}

std::string current_user() {
    const passwd* entry = ::getpwuid(::geteuid());
    if (!entry) throw std::runtime_error("no passwd entry for the current user");
    return entry->pw_name;
}

TestSshd::TestSshd() : port_(free_loopback_port()), host_key_(remote::generate_ed25519()) {
    auto dir = dir_.path();
    remote::write_key_pair(dir / "host_ed25519", host_key_);
    util::write_file_atomic(dir / "authorized_keys", "", 0600);
    std::ofstream config(dir / "sshd_config");
    config << "ListenAddress 127.0.0.1:" << port_ << "\n"
           << "HostKey " << (dir / "host_ed25519").string() << "\n"
           << "AuthorizedKeysFile " << (dir / "authorized_keys").string() << "\n"
           << "PidFile " << (dir / "sshd.pid").string() << "\n"
           << "UsePAM no\n"
           << "StrictModes no\n"
           << "PasswordAuthentication no\n"
           << "KbdInteractiveAuthentication no\n"
           << "PubkeyAuthentication yes\n"
           << "PermitRootLogin prohibit-password\n"
           << "Subsystem sftp internal-sftp\n"
           << "LogLevel VERBOSE\n";
}

TestSshd::~TestSshd() {
    stop();
}

void TestSshd::authorize(const std::string& public_line) {
    auto file = dir() / "authorized_keys";
    util::write_file_atomic(file, util::read_file(file) + public_line + "\n", 0600);
}

void TestSshd::start() {
    // sshd running as root insists on its privilege-separation directory.
    if (::geteuid() == 0) util::make_dirs("/run/sshd", 0755);
    std::vector<std::string> argv{"/usr/sbin/sshd", "-D", "-e", "-f",
                                  (dir() / "sshd_config").string()};
    std::vector<char*> args;
    for (auto& arg : argv) args.push_back(arg.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    auto log_path = (dir() / "sshd.log").string();
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0600);
    int rc = ::posix_spawn(&pid_, argv[0].c_str(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0) throw std::runtime_error("cannot start sshd");
    util::Backoff backoff({std::chrono::milliseconds(10), std::chrono::milliseconds(200), 2.0});
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    // Wait for sshd's own "listening" line rather than probing the port: a probe would show
    // up as a connection in the log, which tests count.
    while (log().find("Server listening on 127.0.0.1 port " + std::to_string(port_)) ==
           std::string::npos) {
        int status = 0;
        if (::waitpid(pid_, &status, WNOHANG) == pid_) {
            pid_ = -1;
            throw std::runtime_error("sshd exited at start:\n" + log());
        }
        if (std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("sshd did not listen:\n" + log());
        std::this_thread::sleep_for(backoff.next());
    }
}

void TestSshd::stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
}

std::string TestSshd::log() const {
    std::ifstream in(dir() / "sshd.log");
    return std::string(std::istreambuf_iterator<char>(in), {});
}

TestClient::TestClient(TestSshd& sshd) : key(remote::ensure_lab_key(state.path())) {
    sshd.authorize(key.public_line);
    remote::pin_host_key(remote::known_hosts_path(state.path()), "127.0.0.1", sshd.port(),
                         sshd.host_key().public_line);
}

remote::ConnectOptions TestClient::options(const TestSshd& sshd) const {
    remote::ConnectOptions options;
    options.node = "testnode";
    options.endpoint = {"127.0.0.1", sshd.port()};
    options.user = current_user();
    options.private_key = key.private_path;
    options.known_hosts = remote::known_hosts_path(state.path());
    options.deadline = std::chrono::seconds(10);
    options.attempt_timeout = std::chrono::seconds(3);
    return options;
}

}  // namespace labctl::test_support
