// `labctl exec` and its target syntax: the real binary against a real sshd on 127.0.0.1 that
// plays every node (ssh/endpoints.json maps each node to it, as for `labctl ssh`).
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "commands/node_targets.hpp"
#include "lab_fixtures.hpp"
#include "remote/keys.hpp"
#include "remote/lab_ssh.hpp"
#include "remote_test_support.hpp"
#include "store/paths.hpp"
#include "util/error.hpp"
#include "util/process.hpp"

using namespace labctl;
namespace ts = labctl::test_support;

namespace {

std::string exec_lab(const std::string& user) {
    return test::two_network_lab("exectest") + "\n[defaults]\nuser = \"" + user + "\"\n" + R"(
[nodes.app1]
networks = { hostonly = "192.168.56.11" }

[nodes.app2]
networks = { hostonly = "192.168.56.12" }

[nodes.db]
networks = { hostonly = "192.168.56.13" }

[services.web]
type = "app"
on = ["app1", "app2"]
port = 8080
run = "python3 -m http.server 8080"
health = "/"
)";
}

std::vector<std::string> names(const std::vector<const topo::Node*>& nodes) {
    std::vector<std::string> out;
    for (const auto* node : nodes) out.push_back(node->name);
    return out;
}

class LabctlExecTest : public ::testing::Test {
  protected:
    void SetUp() override {
        lab_file = test::write_lab(home.path(), exec_lab(ts::current_user()));
        sshd.start();
    }

    // What `labctl up` leaves: the lab key authorized, the host key pinned; every node's
    // endpoint is the test sshd (DEAD: that node's endpoint is a closed port).
    void provision_state(const std::string& dead = "") {
        auto state = store::lab_state_dir("exectest");
        auto key = remote::ensure_lab_key(state);
        sshd.authorize(key.public_line);
        remote::pin_host_key(remote::known_hosts_path(state), "127.0.0.1", sshd.port(),
                             sshd.host_key().public_line);
        for (const char* node : {"app1", "app2", "db"})
            remote::write_endpoint(
                state, node, {"127.0.0.1", node == dead ? ts::free_loopback_port() : sshd.port()});
    }

    util::ProcessResult labctl(std::vector<std::string> args) {
        std::vector<std::string> argv{LABCTL_BINARY, "-f", lab_file.string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return util::run_process(argv);
    }

    ts::TempDir home;
    ts::ScopedEnv labctl_home{"LABCTL_HOME", home.path().string()};
    std::filesystem::path lab_file;
    ts::TestSshd sshd;
};

}  // namespace

TEST(NodeTargets, NamesGlobsAndServicesInFileOrderEachOnce) {
    auto lab = test::load_lab(exec_lab("lab"));
    using commands::resolve_node_targets;
    EXPECT_EQ(names(resolve_node_targets(lab, {"db", "app1"})),
              (std::vector<std::string>{"app1", "db"}));
    EXPECT_EQ(names(resolve_node_targets(lab, {"app*"})),
              (std::vector<std::string>{"app1", "app2"}));
    EXPECT_EQ(names(resolve_node_targets(lab, {"@web", "app1", "d?"})),
              (std::vector<std::string>{"app1", "app2", "db"}));
    EXPECT_EQ(names(resolve_node_targets(lab, {"[ad]*"})).size(), 3u);
}

TEST(NodeTargets, ATargetThatNamesNothingIsAnInputErrorNamingIt) {
    auto lab = test::load_lab(exec_lab("lab"));
    auto message = [&](std::vector<std::string> targets) {
        try {
            commands::resolve_node_targets(lab, targets);
        } catch (const InputError& error) {
            return std::string(error.what());
        }
        return std::string("no error");
    };
    EXPECT_EQ(message({"app3"}), "unknown node `app3` (did you mean `app1`?)");
    EXPECT_EQ(message({"web*"}), "target `web*` matches no node");
    EXPECT_EQ(message({"@wbe"}), "unknown service `wbe` in target `@wbe` (did you mean `web`?)");
    EXPECT_EQ(message({}), "no target: give node names, globs or @SERVICE");
}

TEST_F(LabctlExecTest, JsonHasEveryNodeOfTheServiceAndTheWorstExitCode) {
    provision_state();
    // Each node's own words reach the remote shell; a `--` inside the command is the command's.
    auto result = labctl({"exec", "@web", "--json", "--", "echo", "out", "--", "x;", "echo", "err",
                          ">&2;", "exit", "3"});
    ASSERT_EQ(result.exit_code, 3) << result.err;
    auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json.size(), 2u) << result.out;
    EXPECT_EQ(json[0]["node"], "app1");
    EXPECT_EQ(json[1]["node"], "app2");
    for (const auto& node : json) {
        EXPECT_EQ(node["exit_code"], 3);
        EXPECT_EQ(node["stdout"], "out -- x\n");
        EXPECT_EQ(node["stderr"], "err\n");
    }
}

TEST_F(LabctlExecTest, TextOutputIsGroupedPerNodeWithAHeader) {
    provision_state();
    auto result = labctl({"exec", "app2", "db", "--", "echo", "hi"});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "=== app2 (exit 0) ===\nhi\n=== db (exit 0) ===\nhi\n");
}

TEST_F(LabctlExecTest, AnUnreachableNodeIs255AndTheOthersStillRun) {
    provision_state("db");
    auto result = labctl({"exec", "--jobs", "1", "--json", "*", "--", "true"});
    ASSERT_EQ(result.exit_code, 255) << result.err;
    auto json = nlohmann::json::parse(result.out);
    ASSERT_EQ(json.size(), 3u);
    EXPECT_EQ(json[0]["exit_code"], 0);
    EXPECT_EQ(json[1]["exit_code"], 0);
    EXPECT_EQ(json[2]["node"], "db");
    EXPECT_EQ(json[2]["exit_code"], 255);
    EXPECT_NE(json[2]["stderr"].get<std::string>().find("labctl: "), std::string::npos);
}

TEST_F(LabctlExecTest, BadTargetsAndAMissingCommandExit2BeforeAnyLogin) {
    // No lab state at all: exit 2 comes before labctl looks for keys.
    auto unknown = labctl({"exec", "app9", "--", "true"});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown node `app9`"), std::string::npos) << unknown.err;
    auto no_command = labctl({"exec", "app1"});
    EXPECT_EQ(no_command.exit_code, 2);
    EXPECT_NE(no_command.err.find("TARGETS... -- CMD..."), std::string::npos) << no_command.err;
    auto no_target = labctl({"exec", "--", "true"});
    EXPECT_EQ(no_target.exit_code, 2) << no_target.err;
}
