// The sample gRPC greeter (Debian's python3-grpcio, no protoc) directly and through a REAL
// nginx doing HTTP/2 + grpc_pass on 127.0.0.1, as in the seed lab "grpc-nginx".
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "nginx.hpp"
#include "util/process.hpp"

using namespace labctl;
using namespace labctl::testing;
using namespace std::chrono_literals;

namespace {

std::string greeter_dir() {
    return std::string(LABCTL_SOURCE_DIR) + "/examples/apps/grpc-greeter";
}

class Greeter {
  public:
    Greeter(const fs::path& dir, std::string instance)
        : instance_(std::move(instance)), port_(free_port()) {
        child_ = std::make_unique<Child>(
            std::vector<std::string>{python(), greeter_dir() + "/greeter.py"},
            std::map<std::string, std::string>{{"PORT", std::to_string(port_)},
                                               {"LISTEN_ADDRESS", "127.0.0.1"},
                                               {"INSTANCE", instance_}},
            dir / (instance_ + ".log"));
        ready_ =
            eventually([&] { return probe::tcp_port_open("127.0.0.1", port_, 200ms).open; }, 15s);
    }
    bool ready() const { return ready_; }
    std::uint16_t port() const { return port_; }
    Child& process() { return *child_; }

  private:
    std::string instance_;
    std::uint16_t port_;
    std::unique_ptr<Child> child_;
    bool ready_ = false;
};

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
