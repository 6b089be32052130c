// `labctl kill`'s measuring machinery against real servers on loopback: two chat instances
// behind the nginx config labctl renders (addresses in 127.0.0.0/8), steady traffic from the
// load generator, one instance SIGKILLed mid-run. With proxy_next_upstream, nginx retries
// the refused connection on the other backend, so no request fails.
#include <gtest/gtest.h>

#include "greeter.hpp"
#include "labfile/loader.hpp"
#include "labfile/render_lab.hpp"
#include "nginx.hpp"
#include "probe/load.hpp"
#include "services/nginx/nginx_spread.hpp"
#include "support.hpp"
#include "verify/failover.hpp"

namespace labctl::testing {
namespace {

// The upstream block labctl renders, pointed at the two loopback instances.
std::string rendered_balancer(const std::string& strategy, std::uint16_t port_a,
                              std::uint16_t port_b, std::uint16_t listen,
                              const std::string& protocol = "http") {
    auto text =
        "[lab]\nname = \"loop\"\n[networks.lo]\nmode = \"host-only\"\nsubnet = \"127.0.0.0/8\"\n"
        "[nodes.lb]\nnetworks = { lo = \"127.0.0.2\" }\n"
        "[nodes.a]\nnetworks = { lo = \"127.0.0.3\" }\n[nodes.b]\nnetworks = { lo = \"127.0.0.4\" "
        "}\n"
        "[services.chat]\ntype = \"app\"\non = [\"a\", \"b\"]\nrun = \"x\"\nprotocol = \"" +
        protocol + "\"\nport = " + std::to_string(port_a) +
        "\n"
        "[services.lb]\ntype = \"nginx\"\non = \"lb\"\nbackend = \"chat\"\nlisten = " +
        std::to_string(listen) + "\nstrategy = \"" + strategy +
        "\"\nmax_fails = 1\nfail_timeout = \"30s\"\nconnect_timeout = \"1s\"\n";
    auto result = labfile::load_lab_text(text, "loop.toml");
    if (!result.lab) throw std::runtime_error(result.diagnostics.format());
    auto files = labfile::render_lab(*result.lab, render::TemplateSet{}, {{"lb"}});
    auto conf = files.at(0).content;
    // Both instances share one port in the lab file; give b its own, as the test runs them.
    auto at = conf.find("127.0.0.4:" + std::to_string(port_a));
    conf.replace(at, std::string("127.0.0.4:" + std::to_string(port_a)).size(),
                 "127.0.0.4:" + std::to_string(port_b));
    return conf;
}

TEST(Failover, KilledInstanceCostsNoRequestAndLeavesThePool) {
    TempDir dir;
    auto port_a = free_port(), port_b = free_port();
    ChatApp a(dir.path(), "chat-a", {{"LISTEN_ADDRESS", "127.0.0.3"}}, port_a);
    ChatApp b(dir.path(), "chat-b", {{"LISTEN_ADDRESS", "127.0.0.4"}}, port_b);
    ASSERT_TRUE(eventually(
        [&] { return probe::http_get("127.0.0.3", port_a, "/health", 1s).status == 200; }, 15s));
    ASSERT_TRUE(eventually(
        [&] { return probe::http_get("127.0.0.4", port_b, "/health", 1s).status == 200; }, 15s));
    std::string conf;
    Nginx nginx(dir.path(), [&](std::uint16_t listen) {
        conf = rendered_balancer("round_robin", port_a, port_b, listen);
        return conf;
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log() << conf;

    probe::LoadOptions load;
    load.host = "127.0.0.1";
    load.port = nginx.port();
    load.requests = 300;
    load.rate = 300;  // one second of traffic
    load.concurrency = 4;
    load.trigger_at_request = 100;
    load.trigger = [&] { ::kill(b.process().pid(), SIGKILL); };
    auto result = probe::run_load(load);
    auto report = verify::analyse_failover(result.samples, result.trigger_at, result.trigger_done);
    EXPECT_EQ(report.requests, 300);
    EXPECT_EQ(report.failed, 0) << nginx.log();
    std::string a_backend = "127.0.0.3:" + std::to_string(port_a),
                b_backend = "127.0.0.4:" + std::to_string(port_b);
    EXPECT_GT(report.split_before[a_backend], 20) << probe::describe_split(report.split_before);
    EXPECT_GT(report.split_before[b_backend], 20) << probe::describe_split(report.split_before);
    EXPECT_EQ(report.split_after.count(b_backend), 0u) << probe::describe_split(report.split_after);
    EXPECT_GT(report.split_after[a_backend], 100);
    auto summary = probe::summarize(result);
    EXPECT_GT(summary.throughput, 0);
    EXPECT_LE(summary.p50, summary.p99);
}

// The same through labctl's rendered gRPC balancer (http2 + grpc_pass): the load generator
// sends grpc.health.v1.Health/Check calls, and the report reads the same as for HTTP. One
// difference is nginx's, not labctl's: grpc_pass does not buffer a request body, so a call
// already sent to the greeter that dies cannot be retried on the other one and fails with
// 502. Only those calls may fail: at most one per load connection, all on the killed greeter,
// and none once it left the pool. New calls to it are refused at connect and retried.
TEST(Failover, GrpcKilledGreeterLosesOnlyCallsInFlightAndLeavesThePool) {
    TempDir dir;
    auto port_a = free_port(), port_b = free_port();
    Greeter a(dir.path(), "greeter-a", "127.0.0.3", port_a);
    Greeter b(dir.path(), "greeter-b", "127.0.0.4", port_b);
    ASSERT_TRUE(a.ready() && b.ready());
    std::string conf;
    Nginx nginx(dir.path(), [&](std::uint16_t listen) {
        conf = rendered_balancer("round_robin", port_a, port_b, listen, "grpc");
        return conf;
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log() << conf;
    ASSERT_NE(conf.find("grpc_pass"), std::string::npos) << conf;

    probe::LoadOptions load;
    load.protocol = probe::LoadProtocol::grpc_health;
    load.host = "127.0.0.1";
    load.port = nginx.port();
    load.requests = 300;
    load.rate = 300;
    load.concurrency = 4;
    load.trigger_at_request = 100;
    load.trigger = [&] { ::kill(b.process().pid(), SIGKILL); };
    auto result = probe::run_load(load);
    auto report = verify::analyse_failover(result.samples, result.trigger_at, result.trigger_done);
    std::string a_backend = "127.0.0.3:" + std::to_string(port_a),
                b_backend = "127.0.0.4:" + std::to_string(port_b);
    EXPECT_EQ(report.requests, 300);
    std::string failures;  // what each failed call was, for the message
    int failed_elsewhere = 0, unnamed = 0;
    for (const auto& sample : result.samples) {
        unnamed += sample.backend.empty();
        if (sample.ok) {
            EXPECT_EQ(sample.status, 200);
            continue;
        }
        failed_elsewhere += sample.status != 502 || sample.backend != b_backend;
        failures += "at " + std::to_string(sample.at) + " s: HTTP " +
                    std::to_string(sample.status) + " from " + sample.backend + "\n";
    }
    std::string context =
        failures + "fault at " + std::to_string(result.trigger_at) + " s\n" + nginx.log();
    EXPECT_LE(report.failed, load.concurrency) << context;
    EXPECT_EQ(failed_elsewhere, 0) << context;
    EXPECT_LT(report.failover_seconds, 1.0) << context;
    EXPECT_EQ(unnamed, 0) << "answers without X-Upstream";
    EXPECT_GT(report.split_before[a_backend], 20) << probe::describe_split(report.split_before);
    EXPECT_GT(report.split_before[b_backend], 20) << probe::describe_split(report.split_before);
    EXPECT_EQ(report.split_after.count(b_backend), 0u) << probe::describe_split(report.split_after);
    EXPECT_GT(report.split_after[a_backend], 100);
}

TEST(Failover, AnsweringBackendIsTheLastOneNginxTried) {
    EXPECT_EQ(probe::answering_backend("10.0.0.1:80, 10.0.0.2:80"), "10.0.0.2:80");
    EXPECT_EQ(probe::answering_backend("10.0.0.1:80"), "10.0.0.1:80");
}

}  // namespace
}  // namespace labctl::testing
