// The sample gRPC greeter (Debian's python3-grpcio, no protoc) directly and through a REAL
// nginx doing HTTP/2 + grpc_pass on 127.0.0.1, as in the seed lab "grpc-nginx".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "greeter.hpp"
#include "nginx.hpp"
#include "probe/grpc_health.hpp"
#include "util/process.hpp"

using namespace labctl;
using namespace labctl::testing;
using namespace std::chrono_literals;

namespace {

// Runs client.py against TARGET and returns its JSON line (and exit code).
nlohmann::json client(const std::string& target, const std::vector<std::string>& args,
                      int& exit_code) {
    std::vector<std::string> argv{python(), greeter_dir() + "/client.py", target};
    argv.insert(argv.end(), args.begin(), args.end());
    auto result = util::run_process(argv);
    exit_code = result.exit_code;
    auto parsed = nlohmann::json::parse(result.out, nullptr, false);
    if (parsed.is_discarded()) return {{"unparsed", result.out + result.err}};
    return parsed;
}

std::string grpc_lb(std::uint16_t port, const std::vector<std::uint16_t>& backends) {
    std::string conf = "  upstream greeter {\n";
    for (auto b : backends) conf += "    server 127.0.0.1:" + std::to_string(b) + ";\n";
    conf += "  }\n  server {\n    listen 127.0.0.1:" + std::to_string(port) +
            " http2;\n    location / {\n      grpc_pass grpc://greeter;\n"
            "      grpc_connect_timeout 1s;\n    }\n  }\n";
    return conf;
}

}  // namespace

TEST(Grpc, GreeterAnswersAndReportsServing) {
    TempDir dir;
    Greeter g(dir.path(), "greeter-1");
    ASSERT_TRUE(g.ready());
    std::string target = "127.0.0.1:" + std::to_string(g.port());
    int rc = -1;
    auto health = client(target, {"--health"}, rc);
    EXPECT_EQ(rc, 0) << health.dump();
    EXPECT_EQ(health.value("status", ""), "SERVING") << health.dump();
    auto hello = client(target, {"3", "ana"}, rc);
    EXPECT_EQ(rc, 0) << hello.dump();
    EXPECT_EQ(hello["per_instance"].value("greeter-1", 0), 3) << hello.dump();
    EXPECT_EQ(hello.value("last", ""), "Hello ana from greeter-1");
}

TEST(Grpc, NginxGrpcPassSplitsCallsAndFailsOverWhenOneDies) {
    TempDir dir;
    Greeter a(dir.path(), "greeter-a");
    Greeter b(dir.path(), "greeter-b");
    ASSERT_TRUE(a.ready() && b.ready());
    Nginx nginx(dir.path(), [&](std::uint16_t port) {
        return grpc_lb(port, {a.port(), b.port()});
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log();
    std::string target = "127.0.0.1:" + std::to_string(nginx.port());

    int rc = -1;
    auto split = client(target, {"20"}, rc);
    ASSERT_EQ(rc, 0) << split.dump() << nginx.log();
    EXPECT_EQ(split["per_instance"].value("greeter-a", 0), 10) << split.dump();
    EXPECT_EQ(split["per_instance"].value("greeter-b", 0), 10) << split.dump();

    // One backend gone: nginx's grpc_next_upstream (error) moves the calls to the other one.
    ASSERT_NE(b.process().stop(5s), -1);
    auto after = client(target, {"10"}, rc);
    EXPECT_EQ(rc, 0) << after.dump();
    EXPECT_EQ(after.value("errors", -1), 0) << after.dump();
    EXPECT_EQ(after["per_instance"].value("greeter-a", 0), 10) << after.dump();
}

// labctl's own Health/Check (libcurl, h2c with prior knowledge) against the real greeter.
TEST(Grpc, LabctlHealthCallProvesServingOverHttp2) {
    TempDir dir;
    Greeter g(dir.path(), "greeter-1");
    ASSERT_TRUE(g.ready());
    probe::GrpcHealthClient client("127.0.0.1", g.port(), 2s);
    for (int i = 0; i < 20; ++i) {
        auto health = client.check();
        ASSERT_TRUE(health.ok()) << health.error;
        EXPECT_EQ(health.http.version, "HTTP/2");
        EXPECT_EQ(health.http.status, 200);
        EXPECT_EQ(health.grpc_status, 0);
        EXPECT_EQ(health.serving, 1);
        EXPECT_EQ(health.http.header("content-type"), "application/grpc");
        // One kept-alive connection, where libcurl can reuse an h2c one.
        EXPECT_EQ(health.http.reused_connection, i > 0 && probe::curl_reuses_h2c_connections());
    }
    EXPECT_EQ(client.connections_opened(), probe::curl_reuses_h2c_connections() ? 1u : 20u);

    auto greeter = client.check("helloworld.Greeter");
    EXPECT_TRUE(greeter.ok()) << greeter.error;
    // The greeter answers an unknown service with NOT_FOUND (5): an error, as a value.
    auto unknown = client.check("no.such.Service");
    EXPECT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.grpc_status, 5) << unknown.error;
    EXPECT_NE(unknown.error.find("unknown service"), std::string::npos) << unknown.error;
}

TEST(Grpc, LabctlHealthCallFailuresAreValues) {
    TempDir dir;
    auto nothing = probe::grpc_health_check("127.0.0.1", free_port(), 1s);
    EXPECT_FALSE(nothing.ok());
    EXPECT_NE(nothing.error.find("refused"), std::string::npos) << nothing.error;

    // An HTTP/1.1-only server does not speak HTTP/2 prior knowledge: a failed call, no crash.
    ChatApp chat(dir.path(), "not-grpc");
    ASSERT_TRUE(chat.wait_healthy()) << chat.log();
    auto wrong = probe::grpc_health_check("127.0.0.1", chat.port(), 2s);
    EXPECT_FALSE(wrong.ok());
    EXPECT_FALSE(wrong.error.empty());
}

// Through the real nginx: the health call crosses grpc_pass and the answer names the backend
// in X-Upstream, as the load generator needs to tell which greeter answered.
TEST(Grpc, LabctlHealthCallThroughNginxNamesTheBackend) {
    TempDir dir;
    Greeter a(dir.path(), "greeter-a");
    Greeter b(dir.path(), "greeter-b");
    ASSERT_TRUE(a.ready() && b.ready());
    Nginx nginx(dir.path(), [&](std::uint16_t port) {
        auto conf = grpc_lb(port, {a.port(), b.port()});
        // As labctl's template does, at server level so grpc_pass answers carry it too.
        return conf.insert(conf.find("    location /"),
                           "    add_header X-Upstream $upstream_addr always;\n");
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log();
    probe::GrpcHealthClient client("127.0.0.1", nginx.port(), 2s);
    std::map<std::string, int> answered;
    for (int i = 0; i < 10; ++i) {
        auto health = client.check();
        ASSERT_TRUE(health.ok()) << health.error << nginx.log();
        ++answered[health.http.header("x-upstream").value_or("none")];
    }
    EXPECT_EQ(answered["127.0.0.1:" + std::to_string(a.port())], 5);
    EXPECT_EQ(answered["127.0.0.1:" + std::to_string(b.port())], 5);
}
