// Key management: pure logic plus files, no server.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "remote/handles.hpp"
#include "remote/keys.hpp"
#include "remote/lab_ssh.hpp"
#include "remote/session.hpp"
#include "remote_test_support.hpp"
#include "util/files.hpp"

using namespace labctl;
using namespace std::chrono_literals;
namespace ts = labctl::test_support;

namespace {
unsigned mode_of(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return 0;
    return st.st_mode & 07777;
}
}  // namespace

TEST(RemoteKeys, GeneratesDistinctEd25519Pairs) {
    auto a = remote::generate_ed25519();
    auto b = remote::generate_ed25519();
    EXPECT_EQ(a.public_line.rfind("ssh-ed25519 AAAA", 0), 0u) << a.public_line;
    EXPECT_NE(a.private_openssh.find("BEGIN OPENSSH PRIVATE KEY"), std::string::npos);
    EXPECT_NE(a.public_line, b.public_line);
    EXPECT_EQ(remote::public_line_of(a.private_openssh), a.public_line);
}

TEST(RemoteKeys, LabKeyIsCreatedOnceWith0600) {
    ts::TempDir dir;
    auto state = dir.path() / "labs/mom";
    auto first = remote::ensure_lab_key(state);
    auto second = remote::ensure_lab_key(state);
    EXPECT_EQ(first.public_line, second.public_line);
    EXPECT_EQ(mode_of(first.private_path), 0600u);
    EXPECT_EQ(mode_of(state), 0700u);
    EXPECT_EQ(mode_of(remote::ssh_dir(state)), 0700u);
    EXPECT_EQ(util::read_file(first.private_path.string() + ".pub"), first.public_line + "\n");
    // No temporary files left behind.
    int entries = 0;
    for ([[maybe_unused]] const auto& entry :
         std::filesystem::directory_iterator(remote::ssh_dir(state)))
        ++entries;
    EXPECT_EQ(entries, 2);
}

TEST(RemoteKeys, MissingLabKeyAsksForLabctlUp) {
    ts::TempDir dir;
    try {
        remote::open_lab_ssh(dir.path());
        FAIL();
    } catch (const InfraError& error) {
        EXPECT_EQ(error.code(), ExitCode::infrastructure);
        EXPECT_NE(std::string(error.what()).find("labctl up"), std::string::npos);
    }
}

TEST(RemoteKeys, NodeHostKeysArePerNodeAndStable) {
    ts::TempDir dir;
    auto a = remote::ensure_node_host_key(dir.path(), "server1");
    auto b = remote::ensure_node_host_key(dir.path(), "server2");
    EXPECT_NE(a.public_line, b.public_line);
    EXPECT_EQ(remote::ensure_node_host_key(dir.path(), "server1").public_line, a.public_line);
    EXPECT_EQ(mode_of(remote::ssh_dir(dir.path()) / "hosts/server1"), 0600u);
}

TEST(RemoteKeys, KnownHostsLinesAndPinning) {
    EXPECT_EQ(remote::known_hosts_line("192.168.56.11", 22, "ssh-ed25519 AAAAC3 comment"),
              "192.168.56.11 ssh-ed25519 AAAAC3");
    EXPECT_EQ(remote::known_hosts_line("127.0.0.1", 2222, "ssh-ed25519 AAAAC3"),
              "[127.0.0.1]:2222 ssh-ed25519 AAAAC3");
    EXPECT_THROW(remote::known_hosts_line("h", 22, "garbage"), InfraError);

    ts::TempDir dir;
    auto file = dir.path() / "known_hosts";
    remote::pin_host_key(file, "10.0.0.1", 22, "ssh-ed25519 AAAAold");
    remote::pin_host_key(file, "10.0.0.2", 22, "ssh-ed25519 AAAAother");
    remote::pin_host_key(file, "10.0.0.1", 22, "ssh-ed25519 AAAAnew");
    EXPECT_EQ(util::read_file(file),
              "10.0.0.2 ssh-ed25519 AAAAother\n10.0.0.1 ssh-ed25519 AAAAnew\n");
    EXPECT_EQ(mode_of(file), 0600u);
}

TEST(RemoteKeys, EndpointsFileRoundTrips) {
    ts::TempDir dir;
    remote::write_endpoint(dir.path(), "server1", {"127.0.0.1", 2222});
    remote::write_endpoint(dir.path(), "server2", {"10.0.0.2", 22});
    auto endpoints = remote::read_endpoints(remote::endpoints_path(dir.path()));
    ASSERT_EQ(endpoints.size(), 2u);
    EXPECT_EQ(endpoints["server1"].host, "127.0.0.1");
    EXPECT_EQ(endpoints["server1"].port, 2222);
    EXPECT_EQ(endpoints["server2"].port, 22);
}

TEST(RemoteCommandLine, QuotesEveryWordAndAddsSudoOnlyForNonRoot) {
    EXPECT_EQ(remote::remote_command_line({"printf", "%s", "a b", "it's"}, false, "lab"),
              "printf %s 'a b' 'it'\\''s'");
    EXPECT_EQ(remote::remote_command_line({"nginx", "-t"}, true, "lab"), "sudo -n -- nginx -t");
    EXPECT_EQ(remote::remote_command_line({"nginx", "-t"}, true, "root"), "nginx -t");
    EXPECT_EQ(remote::remote_command_line({"rm", "-rf", "/tmp/x y"}, false, "lab"),
              "rm -rf '/tmp/x y'");
}

// libssh itself must find our known_hosts lines for both forms (port 22 and another port):
// ssh_session_has_known_hosts_entry looks the configured host:port up without connecting.
TEST(RemoteKeys, LibsshFindsPinnedLinesForPort22AndOtherPorts) {
    ts::TempDir dir;
    auto file = dir.path() / "known_hosts";
    auto key = remote::generate_ed25519();
    remote::pin_host_key(file, "192.168.56.11", 22, key.public_line);
    remote::pin_host_key(file, "192.168.56.12", 2222, key.public_line);
    auto lookup = [&](const char* host, unsigned int port) {
        remote::ensure_libssh_initialized();
        remote::SessionPtr session(ssh_new());
        bool process_config = false;
        ssh_options_set(session.get(), SSH_OPTIONS_PROCESS_CONFIG, &process_config);
        ssh_options_set(session.get(), SSH_OPTIONS_HOST, host);
        ssh_options_set(session.get(), SSH_OPTIONS_PORT, &port);
        ssh_options_set(session.get(), SSH_OPTIONS_KNOWNHOSTS, file.c_str());
        ssh_options_set(session.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
        return ssh_session_has_known_hosts_entry(session.get());
    };
    EXPECT_EQ(lookup("192.168.56.11", 22), SSH_KNOWN_HOSTS_OK);
    EXPECT_EQ(lookup("192.168.56.12", 2222), SSH_KNOWN_HOSTS_OK);
    EXPECT_EQ(lookup("192.168.56.12", 22), SSH_KNOWN_HOSTS_UNKNOWN);
    EXPECT_EQ(lookup("192.168.56.11", 2222), SSH_KNOWN_HOSTS_UNKNOWN);
    EXPECT_EQ(lookup("192.168.56.13", 22), SSH_KNOWN_HOSTS_UNKNOWN);
}
