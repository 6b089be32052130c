// The command line as a user runs it: exit codes of SPEC.md, output on the right stream,
// global options before or after the verb.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "test_support.hpp"
#include "util/files.hpp"

namespace labctl {
namespace {

std::string example_file(const std::string& name) {
    return (test::source_dir() / "examples" / name / "lab.toml").string();
}

TEST(Cli, ValidateExamplesExitZero) {
    for (const auto& lab : test::example_labs()) {
        auto result = test::run_labctl({"validate", "-f", lab.string()});
        EXPECT_EQ(result.exit_code, 0) << lab << "\n" << result.err;
        EXPECT_NE(result.out.find(": ok: lab "), std::string::npos);
    }
}

TEST(Cli, GlobalOptionsWorkAfterTheVerb) {
    auto result = test::run_labctl({"validate", "-f", example_file("rr-chat"), "-q"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
}

TEST(Cli, ValidateJsonListsErrorsWithPositions) {
    auto bad = (test::source_dir() / "tests/data/bad/unknown-key-node.toml").string();
    auto result = test::run_labctl({"validate", "--json", "-f", bad});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.out.find("\"ok\": false"), std::string::npos) << result.out;
    EXPECT_NE(result.out.find("\"line\": 10"), std::string::npos) << result.out;
}

TEST(Cli, BadArgumentsExitTwo) {
    EXPECT_EQ(test::run_labctl({"validate", "--no-such-flag"}).exit_code, 2);
    EXPECT_EQ(test::run_labctl({"no-such-command"}).exit_code, 2);
    EXPECT_EQ(test::run_labctl({}).exit_code, 2);
    EXPECT_EQ(
        test::run_labctl({"graph", "--format", "png", "-f", example_file("rr-chat")}).exit_code, 2);
    EXPECT_EQ(test::run_labctl({"kill", "server1", "--mode", "explode"}).exit_code, 2);
}

TEST(Cli, MissingLabFileExitsTwoNamingIt) {
    auto result = test::run_labctl({"validate", "-f", "/nonexistent/lab.toml"});
    EXPECT_EQ(result.exit_code, 2);
    EXPECT_NE(result.err.find("/nonexistent/lab.toml:1:1: error: cannot read the lab file"),
              std::string::npos)
        << result.err;
    auto render = test::run_labctl({"render", "-f", "/nonexistent/lab.toml"});
    EXPECT_EQ(render.exit_code, 2);
}

TEST(Cli, HelpListsEveryCommandOfTheSpec) {
    auto result = test::run_labctl({"--help"});
    EXPECT_EQ(result.exit_code, 0);
    for (const char* verb :
         {"up",     "down",     "status", "kill",    "revive", "verify", "check",
          "render", "validate", "ssh",    "graph",   "image",  "export", "completion",
          "exec",   "stop",     "start",  "restart", "netem",  "ls",     "snapshot"})
        EXPECT_NE(result.out.find(std::string("  ") + verb + " "), std::string::npos) << verb;
    auto up = test::run_labctl({"up", "--help"});
    for (const char* flag : {"--only", "--jobs", "--no-verify", "--dry-run", "Example"})
        EXPECT_NE(up.out.find(flag), std::string::npos) << flag;
}

TEST(Cli, RenderToDirectoryWritesNodeAndAbsolutePath) {
    test::TempDir out;
    auto result =
        test::run_labctl({"render", "-f", example_file("rr-chat"), "-o", out.path().string()});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_TRUE(std::filesystem::exists(out.path() / "lb/etc/nginx/conf.d/balancer.conf"));
    EXPECT_TRUE(
        std::filesystem::exists(out.path() / "chat2/etc/systemd/system/labctl-chat-chat2.service"));
    EXPECT_TRUE(std::filesystem::exists(out.path() /
                                        "lb/etc/activemq/instances-available/main/activemq.xml"));
    // Each node's seed as `up` gives it (labctl's seed tree on a labctl image), without keys.
    EXPECT_TRUE(
        std::filesystem::exists(out.path() / "chat1/var/lib/labctl-seed/root/etc/hostname"));
    EXPECT_FALSE(std::filesystem::exists(
        out.path() / "chat1/var/lib/labctl-seed/root/etc/ssh/ssh_host_ed25519_key"));
}

TEST(Cli, RenderPrintsAHeaderPerFile) {
    auto result = test::run_labctl({"render", "nginx", "-f", example_file("activemq-failover")});
    ASSERT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(
        result.out.rfind("# ==> server1:/etc/nginx/conf.d/balancer.conf (service lb) <==\n", 0), 0u)
        << result.out;
    auto unknown = test::run_labctl({"render", "kafka", "-f", example_file("activemq-failover")});
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("unknown service `kafka`"), std::string::npos);
}

TEST(Cli, GraphFormats) {
    auto dot = test::run_labctl({"graph", "-f", example_file("activemq-failover")});
    ASSERT_EQ(dot.exit_code, 0) << dot.err;
    EXPECT_NE(dot.out.find("\"net:hostonly\""), std::string::npos);
    EXPECT_NE(dot.out.find("192.168.56.0/24"), std::string::npos);
    EXPECT_NE(dot.out.find("lb :8090 -> chat :8080 w=2"), std::string::npos) << dot.out;
    auto mermaid =
        test::run_labctl({"graph", "--format", "mermaid", "-f", example_file("activemq-failover")});
    EXPECT_EQ(mermaid.out.rfind("flowchart LR\n", 0), 0u);
    EXPECT_NE(mermaid.out.find("node_server1 -.->"), std::string::npos);
    // The dot text is real graphviz input: graphviz renders it.
    auto svg =
        test::run_labctl({"graph", "--format", "svg", "-f", example_file("weighted-mariadb")});
    ASSERT_EQ(svg.exit_code, 0) << svg.err;
    EXPECT_NE(svg.out.find("<svg"), std::string::npos);
}

TEST(Cli, CompletionScriptsLoadInBash) {
    for (const char* shell : {"bash", "zsh", "fish"}) {
        auto result = test::run_labctl({"completion", shell});
        EXPECT_EQ(result.exit_code, 0);
        EXPECT_NE(result.out.find("labctl"), std::string::npos);
    }
    test::TempDir dir;
    auto script = test::run_labctl({"completion", "bash"}).out;
    util::write_file_atomic(dir.path() / "c.bash", script);
    // Load it, then ask for completions of `labctl ki` the way bash would.
    auto result = util::run_process(
        {"bash", "-c",
         "source " + (dir.path() / "c.bash").string() +
             " && COMP_WORDS=(labctl ki) && COMP_CWORD=1 && _labctl && echo ${COMPREPLY[@]}"});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    EXPECT_EQ(result.out, "kill\n");
    auto check = util::run_process(
        {"bash", "-c",
         "source " + (dir.path() / "c.bash").string() +
             " && COMP_WORDS=(labctl che) && COMP_CWORD=1 && _labctl && echo ${COMPREPLY[@]}"});
    EXPECT_EQ(check.out, "check\n");
}

// Without [[checks]] there is nothing to run and nothing to reach: no lab needs to be up.
TEST(Cli, CheckWithoutDeclaredChecksSaysSoAndPasses) {
    test::TempDir dir;
    util::write_file_atomic(dir.path() / "lab.toml",
                            "[lab]\nname = \"t\"\n[networks.lan]\nmode = \"host-only\"\n"
                            "subnet = \"192.168.56.0/24\"\n[nodes.a]\nnetworks = [\"lan\"]\n");
    auto file = (dir.path() / "lab.toml").string();
    auto text = test::run_labctl({"check", "-f", file});
    EXPECT_EQ(text.exit_code, 0) << text.err;
    EXPECT_NE(text.out.find("no checks declared"), std::string::npos) << text.out;
    auto json = test::run_labctl({"check", "--json", "-f", file});
    EXPECT_EQ(json.exit_code, 0) << json.err;
    auto parsed = nlohmann::json::parse(json.out);
    EXPECT_EQ(parsed["ok"], true);
    EXPECT_EQ(parsed["points"], 0);
    EXPECT_EQ(parsed["points_possible"], 0);
    EXPECT_TRUE(parsed["checks"].empty());
}

}  // namespace
}  // namespace labctl
