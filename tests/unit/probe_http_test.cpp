// The HTTP and TCP probes against the real sample chat app (no broker) on 127.0.0.1.
#include <gtest/gtest.h>

#include "../apps/support.hpp"
#include "probe/socket.hpp"

using namespace labctl;
using namespace labctl::testing;
using namespace std::chrono_literals;

namespace {

class ProbeHttp : public ::testing::Test {
  protected:
    TempDir dir;
};

}  // namespace

TEST_F(ProbeHttp, GetReadsStatusHeadersAndBodyOfTheChatApp) {
    ChatApp app(dir.path(), "chat-server1");
    ASSERT_TRUE(app.wait_healthy()) << app.log();

    auto root = probe::http_get("127.0.0.1", app.port(), "/", 2s);
    ASSERT_TRUE(root.ok()) << root.error;
    EXPECT_EQ(root.status, 200);
    EXPECT_EQ(root.header("X-Instance"), "chat-server1");
    EXPECT_NE(root.body.find("chat-server1"), std::string::npos);

    auto health = probe::http_get("127.0.0.1", app.port(), "/health", 2s);
    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(health.body.substr(0, 3), "ok\n");
    EXPECT_NE(health.body.find("no broker"), std::string::npos);

    auto page = probe::http_get("127.0.0.1", app.port(), "/chat", 2s);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.header("content-type").value_or("").rfind("text/html", 0), 0u);
    EXPECT_NE(page.body.find("new WebSocket"), std::string::npos);

    auto missing = probe::http_get("127.0.0.1", app.port(), "/nope", 2s);
    EXPECT_TRUE(missing.ok());
    EXPECT_EQ(missing.status, 404);
}

TEST_F(ProbeHttp, WithoutABrokerMessagesStayLocal) {
    ChatApp app(dir.path(), "solo");
    ASSERT_TRUE(app.wait_healthy()) << app.log();
    probe::HttpClient client("127.0.0.1", app.port(), 2s);
    auto posted = client.post("/messages", R"({"user":"ana","text":"hola"})");
    ASSERT_EQ(posted.status, 202) << posted.body << posted.error;
    auto plain = client.post("/messages", "plain text", "text/plain");
    ASSERT_EQ(plain.status, 202) << plain.body;
    EXPECT_EQ(client.post("/messages", "{not json").status, 400);
    auto list = client.get("/messages");
    ASSERT_EQ(list.status, 200);
    EXPECT_NE(list.body.find(R"("text": "hola")"), std::string::npos) << list.body;
    EXPECT_NE(list.body.find(R"("text": "plain text")"), std::string::npos) << list.body;
    EXPECT_NE(list.body.find(R"("received_by": "solo")"), std::string::npos) << list.body;
}

TEST_F(ProbeHttp, KeepAliveReusesOneConnectionAndReconnectsAfterARestart) {
    auto port = free_port();
    auto app =
        std::make_unique<ChatApp>(dir.path(), "ka", std::map<std::string, std::string>{}, port);
    ASSERT_TRUE(app->wait_healthy()) << app->log();
    probe::HttpClient client("127.0.0.1", port, 2s);
    for (int i = 0; i < 50; ++i) {
        auto r = client.get("/");
        ASSERT_EQ(r.status, 200) << r.error;
        EXPECT_EQ(r.reused_connection, i > 0);
    }
    EXPECT_EQ(client.connections_opened(), 1u);

    // The server goes away under the kept-alive connection and comes back on the same port:
    // the client notices the dead connection and opens a new one, with no failed request.
    app.reset();
    app = std::make_unique<ChatApp>(dir.path(), "ka2", std::map<std::string, std::string>{}, port);
    ASSERT_TRUE(app->wait_healthy()) << app->log();
    auto r = client.get("/");
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.header("x-instance"), "ka2");
    EXPECT_EQ(client.connections_opened(), 2u);
}

TEST_F(ProbeHttp, FailuresAreValues) {
    auto port = free_port();  // nothing listens there
    auto r = probe::http_get("127.0.0.1", port, "/", 1s);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(r.status, 0);
    EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;

    auto closed = probe::tcp_port_open("127.0.0.1", port, 1s);
    EXPECT_FALSE(closed.open);
    EXPECT_NE(closed.error.find("refused"), std::string::npos) << closed.error;

    auto unresolvable = probe::tcp_port_open("no-such-host.invalid", 80, 1s);
    EXPECT_FALSE(unresolvable.open);
    EXPECT_NE(unresolvable.error.find("resolve"), std::string::npos) << unresolvable.error;
}

TEST_F(ProbeHttp, TimeoutBoundsASilentServer) {
    // A listening socket nobody accept()s from: the kernel completes the handshake, then the
    // request is never answered. The probe must give up at its timeout.
    util::Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(listener.get(), 4), 0);
    socklen_t len = sizeof addr;
    ::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
    auto port = ntohs(addr.sin_port);

    EXPECT_TRUE(probe::tcp_port_open("127.0.0.1", port, 1s).open);
    auto start = std::chrono::steady_clock::now();
    auto r = probe::http_get("127.0.0.1", port, "/", 300ms);
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(r.ok());
    EXPECT_NE(r.error.find("timed out"), std::string::npos) << r.error;
    EXPECT_GE(took, 290ms);
    EXPECT_LT(took, 2s);
}

TEST_F(ProbeHttp, SigtermStopsTheAppCleanly) {
    ChatApp app(dir.path(), "bye");
    ASSERT_TRUE(app.wait_healthy()) << app.log();
    probe::HttpClient client("127.0.0.1", app.port(), 2s);
    ASSERT_EQ(client.get("/").status, 200);  // an open keep-alive connection must not block exit
    int status = app.process().stop(5s);
    ASSERT_NE(status, -1) << "needed SIGKILL";
    EXPECT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    EXPECT_NE(app.log().find("stopped"), std::string::npos);
}

TEST_F(ProbeHttp, HeadReadsHeadersWithoutABody) {
    ChatApp app(dir.path(), "head");
    ASSERT_TRUE(app.wait_healthy()) << app.log();
    probe::HttpClient client("127.0.0.1", app.port(), 2s);
    auto head = client.request("HEAD", "/");
    ASSERT_TRUE(head.ok()) << head.error;
    EXPECT_EQ(head.status, 200);
    EXPECT_EQ(head.header("x-instance"), "head");
    EXPECT_TRUE(head.body.empty());
    auto get = client.get("/");  // the same connection still frames the next answer right
    EXPECT_EQ(get.status, 200);
    EXPECT_NE(get.body.find("head"), std::string::npos);
}

// Probes go straight to the lab's addresses: a proxy in the environment (here a loopback port
// nothing listens on) must neither carry nor fail them. The app is on 127.0.0.5, not 127.0.0.1,
// which a client might exempt from proxies by itself.
TEST_F(ProbeHttp, AProxyInTheEnvironmentIsNotUsed) {
    ChatApp app(dir.path(), "direct", {{"LISTEN_ADDRESS", "127.0.0.5"}});
    ASSERT_TRUE(eventually(
        [&] { return probe::http_get("127.0.0.5", app.port(), "/health", 1s).status == 200; }, 15s))
        << app.log();
    std::string proxy = "http://127.0.0.1:" + std::to_string(free_port());
    std::map<std::string, std::optional<std::string>> saved;
    for (const char* name : {"http_proxy", "HTTP_PROXY", "ALL_PROXY", "all_proxy", "no_proxy"}) {
        const char* value = std::getenv(name);
        saved[name] = value ? std::optional<std::string>(value) : std::nullopt;
    }
    ::setenv("http_proxy", proxy.c_str(), 1);
    ::setenv("ALL_PROXY", proxy.c_str(), 1);
    ::unsetenv("no_proxy");
    auto r = probe::http_get("127.0.0.5", app.port(), "/", 2s);
    for (const auto& [name, value] : saved) {
        if (value)
            ::setenv(name.c_str(), value->c_str(), 1);
        else
            ::unsetenv(name.c_str());
    }
    ASSERT_TRUE(r.ok()) << r.error;
    EXPECT_EQ(r.header("x-instance"), "direct");
}
