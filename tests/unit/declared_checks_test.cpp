// [[checks]] as a lab declares them: what each probe kind reads, and the verdicts on the
// answers a check gets (HTTP status and body, command exit, output regex and hash).
#include <gtest/gtest.h>

#include "lab_fixtures.hpp"
#include "labfile/check_validator.hpp"
#include "labfile/loader.hpp"
#include "remote/transfer.hpp"
#include "verify/declared_checks.hpp"

namespace labctl {
namespace {

const std::string chat_lab = test::two_network_lab("mom") + R"(
[nodes.server1]
networks = { hostonly = "192.168.56.11" }

[nodes.server2]
networks = { hostonly = "192.168.56.12" }

[services.chat]
type = "app"
on = ["server1", "server2"]
run = "python3 app.py"

[services.lb]
type = "nginx"
on = "server1"
listen = 8090
backend = "chat"
)";

TEST(DeclaredChecks, EveryProbeKindReadsItsKeys) {
    auto lab = test::load_lab(chat_lab + R"(
[[checks]]
name = "home"
http = "lb"
path = "/health"
expect_status = 204
expect_body = "ok|fine"
points = 2

[[checks]]
name = "port"
tcp = "server2:8080"

[[checks]]
name = "answer"
command = ["cat", "/etc/hostname"]
on = "server2"
expect_output = "server"
expect_output_sha256 = "ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef0123456789"

[[checks]]
name = "relay"
relay = "chat"
post = "/messages"
read = "/inbox"
points = 0

[[checks]]
name = "failover"
failover = "server2/chat"
mode = "poweroff"
max_failed = 3
max_seconds = 2
)");
    ASSERT_EQ(lab.checks.size(), 5u);
    const auto& http = lab.checks[0];
    EXPECT_EQ(http.kind, topo::ProbeKind::http);
    EXPECT_EQ(http.target.value, "lb");
    EXPECT_EQ(http.path, "/health");
    EXPECT_EQ(http.expect_status, 204);
    EXPECT_EQ(http.expect_body, "ok|fine");
    EXPECT_EQ(http.points, 2);
    EXPECT_EQ(lab.checks[1].kind, topo::ProbeKind::tcp);
    EXPECT_EQ(lab.checks[1].path, "/");
    EXPECT_EQ(lab.checks[1].expect_status, 200);
    EXPECT_EQ(lab.checks[1].points, 1);
    const auto& command = lab.checks[2];
    EXPECT_EQ(command.command, (std::vector<std::string>{"cat", "/etc/hostname"}));
    EXPECT_EQ(command.on.value, "server2");
    // Hex digits are compared in lower case, however the lab writes them.
    EXPECT_EQ(command.expect_output_sha256,
              "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789");
    EXPECT_EQ(lab.checks[3].post, "/messages");
    EXPECT_EQ(lab.checks[3].read, "/inbox");
    EXPECT_EQ(lab.checks[3].points, 0);
    const auto& failover = lab.checks[4];
    EXPECT_EQ(failover.kind, topo::ProbeKind::failover);
    EXPECT_EQ(failover.mode, "poweroff");
    EXPECT_EQ(failover.max_failed, 3);
    ASSERT_TRUE(failover.max_seconds.has_value());
    EXPECT_DOUBLE_EQ(*failover.max_seconds, 2.0);
}

TEST(DeclaredChecks, NodePortParsing) {
    auto parsed = labfile::parse_node_port("server1:8080");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(parsed->node, "server1");
    EXPECT_EQ(parsed->port, 8080);
    for (const char* bad : {"server1", ":80", "server1:", "server1:0", "server1:65536",
                            "server1:8o", "Server:80", "server1:+80"})
        EXPECT_FALSE(labfile::parse_node_port(bad).has_value()) << bad;
}

TEST(DeclaredChecks, EveryExampleValidatesWithItsChecks) {
    for (const char* name :
         {"activemq-failover", "rabbitmq-failover", "rr-chat", "grpc-nginx", "weighted-mariadb"}) {
        auto result = labfile::load_lab_file(std::string(LABCTL_SOURCE_DIR) + "/examples/" + name +
                                             "/lab.toml");
        ASSERT_TRUE(result.lab.has_value()) << name << ": " << result.diagnostics.format();
        EXPECT_GE(result.lab->checks.size(), 1u) << name;
    }
}

topo::DeclaredCheck http_check(const std::string& body_regex) {
    topo::DeclaredCheck check;
    check.name = "home";
    check.expect_body = body_regex;
    return check;
}

probe::HttpResponse answer(int status, const std::string& body) {
    probe::HttpResponse response;
    response.status = status;
    response.body = body;
    return response;
}

TEST(DeclaredChecks, HttpVerdicts) {
    EXPECT_TRUE(verify::judge_http(http_check(""), answer(200, "anything")).ok);
    EXPECT_TRUE(
        verify::judge_http(http_check("instance=chat-[12]"), answer(200, "hello instance=chat-2\n"))
            .ok);
    auto wrong_body =
        verify::judge_http(http_check("instance=chat-[12]"), answer(200, "hello instance=chat-3"));
    EXPECT_FALSE(wrong_body.ok);
    EXPECT_NE(wrong_body.detail.find("does not match"), std::string::npos) << wrong_body.detail;
    auto wrong_status = verify::judge_http(http_check(""), answer(503, "down"));
    EXPECT_FALSE(wrong_status.ok);
    EXPECT_NE(wrong_status.detail.find("HTTP 503, expected 200"), std::string::npos)
        << wrong_status.detail;
    probe::HttpResponse refused;
    refused.error = "connection refused";
    EXPECT_FALSE(verify::judge_http(http_check(""), refused).ok);
}

TEST(DeclaredChecks, CommandVerdicts) {
    topo::DeclaredCheck check;
    check.name = "answer";
    EXPECT_TRUE(verify::judge_command(check, {0, "whatever\n", ""}).ok);
    auto failed = verify::judge_command(check, {3, "", "no such table\n"});
    EXPECT_FALSE(failed.ok);
    EXPECT_NE(failed.detail.find("exit 3: no such table"), std::string::npos) << failed.detail;

    check.expect_output = R"("a": [1-9].*"b": [1-9])";
    EXPECT_TRUE(verify::judge_command(check, {0, R"({"a": 10, "b": 10})", ""}).ok);
    EXPECT_FALSE(verify::judge_command(check, {0, R"({"a": 20})", ""}).ok);

    // The hash is of the output without its surrounding whitespace.
    check.expect_output.clear();
    check.expect_output_sha256 = remote::sha256_hex("books");
    EXPECT_TRUE(verify::judge_command(check, {0, "  books\n", ""}).ok);
    auto wrong = verify::judge_command(check, {0, "bookz\n", ""});
    EXPECT_FALSE(wrong.ok);
    EXPECT_EQ(wrong.detail.find(check.expect_output_sha256), std::string::npos)
        << "the answer's hash is not shown";
}

TEST(DeclaredChecks, ScoredReportCountsPointsOfPassedChecks) {
    verify::ScoredReport report;
    report.checks.push_back({{"a", true, 0.5, "fine"}, 2});
    report.checks.push_back({{"b", false, 0.1, "broken"}, 3});
    report.checks.push_back({{"c", true, 0, ""}, 0});
    EXPECT_EQ(report.points(), 2);
    EXPECT_EQ(report.points_possible(), 5);
    EXPECT_FALSE(report.ok());
    auto json = report.to_json();
    EXPECT_EQ(json["ok"], false);
    EXPECT_EQ(json["points"], 2);
    EXPECT_EQ(json["points_possible"], 5);
    EXPECT_EQ(json["checks"][1]["name"], "b");
    EXPECT_EQ(json["checks"][1]["points"], 0);
    EXPECT_EQ(json["checks"][1]["points_possible"], 3);
    EXPECT_EQ(json["checks"][1]["detail"], "broken");
    std::ostringstream out;
    report.print(out, false);
    EXPECT_NE(out.str().find("2 of 5 points"), std::string::npos) << out.str();
}

}  // namespace
}  // namespace labctl
