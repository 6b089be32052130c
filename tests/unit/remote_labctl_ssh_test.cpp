// `labctl ssh` end to end: the real binary against a real sshd on 127.0.0.1. The lab's state
// directory maps the node to the test's sshd through ssh/endpoints.json, the same file
// labctl itself uses when a node is reached other than on its first address, port 22.
#include <gtest/gtest.h>

#include <fstream>

#include "commands/node_readiness.hpp"
#include "labfile/loader.hpp"
#include "remote/keys.hpp"
#include "remote/lab_ssh.hpp"
#include "remote_test_support.hpp"
#include "store/paths.hpp"
#include "util/process.hpp"
#include "util/strings.hpp"

using namespace labctl;
namespace ts = labctl::test_support;

namespace {

std::string lab_toml(const std::string& user) {
    return "[lab]\nname = \"sshtest\"\n\n[defaults]\nuser = \"" + user +
           "\"\n\n[networks.hostonly]\nmode = \"host-only\"\nsubnet = \"192.168.56.0/24\"\n\n"
           "[nodes.server1]\nnetworks = { hostonly = \"192.168.56.11\" }\n";
}

class LabctlSshTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::ofstream(lab_file) << lab_toml(ts::current_user());
        sshd.start();
    }

    // What `labctl up` leaves behind: lab key authorized on the node, host key pinned,
    // and here the node's endpoint pointing at the test sshd.
    void provision_state() {
        auto state = store::lab_state_dir("sshtest");
        auto key = remote::ensure_lab_key(state);
        sshd.authorize(key.public_line);
        remote::pin_host_key(remote::known_hosts_path(state), "127.0.0.1", sshd.port(),
                             sshd.host_key().public_line);
        remote::write_endpoint(state, "server1", {"127.0.0.1", sshd.port()});
    }

    util::ProcessResult labctl(std::vector<std::string> args, const std::string& input = {}) {
        std::vector<std::string> argv{LABCTL_BINARY, "-f", lab_file.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return util::run_process(argv, input);
    }

    ts::TempDir home;
    ts::ScopedEnv labctl_home{"LABCTL_HOME", home.path().string()};
    std::filesystem::path lab_file = home.path() / "lab.toml";
    ts::TestSshd sshd;
};

}  // namespace

TEST_F(LabctlSshTest, RunsACommandAndReturnsItsExitCode) {
    provision_state();
    // Like ssh(1): the words are joined and read by the remote shell.
    auto result = labctl({"ssh", "server1", "--", "echo", "hello", "from", "$0;", "echo", "oops",
                          ">&2;", "exit", "5"});
    EXPECT_EQ(result.exit_code, 5) << result.err;
    EXPECT_EQ(result.out.rfind("hello from ", 0), 0u) << result.out;
    EXPECT_EQ(result.err, "oops\n");
}

TEST_F(LabctlSshTest, ForwardsStdinToTheCommand) {
    provision_state();
    auto result = labctl({"ssh", "server1", "--", "tr", "a-z", "A-Z"}, "piped through\n");
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "PIPED THROUGH\n");
}

TEST_F(LabctlSshTest, ShellWithoutTerminalReadsStdin) {
    provision_state();
    auto result = labctl({"ssh", "server1"}, "echo in-the-shell\nexit 4\n");
    EXPECT_EQ(result.exit_code, 4) << result.err;
    EXPECT_NE(result.out.find("in-the-shell"), std::string::npos) << result.out;
}

TEST_F(LabctlSshTest, InteractiveShellGetsARemoteTerminal) {
    provision_state();
    // script(1) gives labctl a real terminal on stdin: labctl must switch it to raw mode,
    // request a remote pty and return the shell's exit code.
    std::string command = util::shell_quote(LABCTL_BINARY) + " -f " +
                          util::shell_quote(lab_file.string()) + " ssh server1";
    auto result = util::run_process({"script", "-q", "-e", "-c", command, "/dev/null"},
                                    "tty -s && echo remote-has-a-tty $((6*7)); exit 3\n");
    EXPECT_EQ(result.exit_code, 3) << result.out << result.err;
    EXPECT_NE(result.out.find("remote-has-a-tty 42"), std::string::npos) << result.out;
}

TEST_F(LabctlSshTest, NoLabStateExits3AskingForUp) {
    auto result = labctl({"ssh", "server1", "--", "true"});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("labctl up"), std::string::npos) << result.err;
}

TEST_F(LabctlSshTest, ChangedHostKeyExits3NamingNodeAndStep) {
    provision_state();
    auto state = store::lab_state_dir("sshtest");
    remote::pin_host_key(remote::known_hosts_path(state), "127.0.0.1", sshd.port(),
                         remote::generate_ed25519().public_line);
    auto result = labctl({"ssh", "server1", "--", "true"});
    EXPECT_EQ(result.exit_code, 3);
    EXPECT_NE(result.err.find("node server1, step ssh host key"), std::string::npos) << result.err;
    EXPECT_EQ(sshd.log().find("Accepted publickey"), std::string::npos);
}

TEST_F(LabctlSshTest, UnknownNodeIsInvalidInput) {
    provision_state();
    auto result = labctl({"ssh", "server2", "--", "true"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("did you mean `server1`"), std::string::npos) << result.err;
}

TEST(LabSshEndpoints, DefaultIsTheFirstPlannedAddressOnPort22) {
    auto loaded = labfile::load_lab_text(lab_toml("lab"), "lab.toml");
    ASSERT_TRUE(loaded.lab);
    remote::LabSsh lab_ssh;
    lab_ssh.known_hosts = "/state/ssh/known_hosts";
    auto options = remote::connect_options(lab_ssh, *loaded.lab->node("server1"));
    EXPECT_EQ(options.endpoint.host, "192.168.56.11");
    EXPECT_EQ(options.endpoint.port, 22);
    EXPECT_EQ(options.user, "lab");
    lab_ssh.endpoints["server1"] = {"127.0.0.1", 2222};
    EXPECT_EQ(remote::connect_options(lab_ssh, *loaded.lab->node("server1")).endpoint.port, 2222);
}

// `status` logs in (it used to read only the banner, and said SSH worked on a node whose host
// key had changed): a pinned key that matches logs in and lists the guest's NICs; this
// host's NICs do not carry the lab's MAC, so the NIC is flagged, never shown as planned.
TEST_F(LabctlSshTest, StatusLogsInAndFlagsANicWithoutItsPlannedAddress) {
    provision_state();
    auto lab = labfile::load_lab_or_throw(lab_file.string());
    auto lab_ssh = remote::open_lab_ssh(store::lab_state_dir("sshtest"));
    engine::NodeStatus status;
    status.nics.push_back({"hostonly", "192.168.56.11", {}, {}});
    commands::observe_node_status(lab_ssh, *lab.node("server1"), status);
    EXPECT_TRUE(status.ssh) << status.ssh_error;
    EXPECT_TRUE(status.ssh_latency.has_value());
    EXPECT_NE(status.nics[0].seen, "192.168.56.11");
    EXPECT_NE(status.nics[0].problem.find("no NIC with MAC " + lab.node("server1")->nics[0].mac),
              std::string::npos)
        << status.nics[0].problem;
    EXPECT_FALSE(status.addresses_as_planned());
}

TEST_F(LabctlSshTest, StatusReportsAChangedHostKeyAsNoSsh) {
    provision_state();
    auto state = store::lab_state_dir("sshtest");
    remote::pin_host_key(remote::known_hosts_path(state), "127.0.0.1", sshd.port(),
                         remote::generate_ed25519().public_line);
    auto lab = labfile::load_lab_or_throw(lab_file.string());
    engine::NodeStatus status;
    status.nics.push_back({"hostonly", "192.168.56.11", {}, {}});
    commands::observe_node_status(remote::open_lab_ssh(state), *lab.node("server1"), status);
    EXPECT_TRUE(status.probed);
    EXPECT_FALSE(status.ssh);
    EXPECT_NE(status.ssh_error.find("host key CHANGED"), std::string::npos) << status.ssh_error;
    EXPECT_FALSE(status.nics[0].seen.has_value());
    EXPECT_EQ(sshd.log().find("Accepted publickey"), std::string::npos);
}
