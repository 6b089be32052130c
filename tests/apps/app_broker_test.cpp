// The sample chat app and the STOMP probes against a REAL RabbitMQ (rabbitmq_stomp) and a REAL
// nginx, all on 127.0.0.1. One broker serves the whole binary (it takes seconds to start); the
// last test stops and restarts it to check the app reconnects.
#include <gtest/gtest.h>

#include <iostream>

#include "activemq.hpp"
#include "labfile/loader.hpp"
#include "nginx.hpp"
#include "rabbitmq.hpp"
#include "verify/declared_checks.hpp"

using namespace labctl;
using namespace labctl::testing;
using namespace std::chrono_literals;

namespace {

RabbitMq* g_broker = nullptr;
ActiveMq* g_activemq = nullptr;

class BrokerEnvironment : public ::testing::Environment {
  public:
    void SetUp() override {
        dir_ = std::make_unique<TempDir>();
        broker_ = std::make_unique<RabbitMq>(dir_->path());
        g_broker = broker_.get();
        std::cout << "RabbitMQ ready in " << broker_->start_time().count() << " ms\n";
        activemq_ = std::make_unique<ActiveMq>(dir_->path());
        g_activemq = activemq_.get();
        std::cout << "ActiveMQ ready in " << activemq_->start_time().count() << " ms\n";
    }
    void TearDown() override {
        activemq_.reset();
        broker_.reset();
        dir_.reset();
    }

  private:
    std::unique_ptr<TempDir> dir_;
    std::unique_ptr<RabbitMq> broker_;
    std::unique_ptr<ActiveMq> activemq_;
};

const auto* const g_env = ::testing::AddGlobalTestEnvironment(new BrokerEnvironment);

std::map<std::string, std::string> broker_env() {
    return {{"BROKER_HOST", "127.0.0.1"},
            {"BROKER_PORT", std::to_string(g_broker->stomp_port())},
            {"BROKER_USER", "guest"},
            {"BROKER_PASSWORD", "guest"}};
}

class RabbitMqBroker : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(g_broker->ready()) << g_broker->log(); }
    TempDir dir;
};

class ActiveMqBroker : public ::testing::Test {
  protected:
    void SetUp() override { ASSERT_TRUE(g_activemq->ready()) << g_activemq->log(); }
    TempDir dir;
};

std::map<std::string, std::string> activemq_env() {
    return {{"BROKER_HOST", "127.0.0.1"},
            {"BROKER_PORT", std::to_string(g_activemq->stomp_port())}};
}

// GET /messages of APP contains a message with TEXT received by APP.
bool has_message(const ChatApp& app, const std::string& text) {
    auto r = probe::http_get("127.0.0.1", app.port(), "/messages", 1s);
    return r.status == 200 && r.body.find("\"text\": \"" + text + "\"") != std::string::npos &&
           r.body.find("\"received_by\": \"" + app.instance() + "\"") != std::string::npos;
}

}  // namespace

TEST_F(RabbitMqBroker, StompConnectIsAnsweredWithConnected) {
    auto r = probe::stomp_connect("127.0.0.1", g_broker->stomp_port(), RabbitMq::credentials(), 5s);
    ASSERT_TRUE(r.connected) << r.error;
    EXPECT_EQ(r.server.rfind("RabbitMQ/", 0), 0u) << r.server;
    EXPECT_EQ(r.version, "1.2");
}

TEST_F(RabbitMqBroker, StompConnectWithAWrongPasswordIsRefusedAsAValue) {
    auto r = probe::stomp_connect("127.0.0.1", g_broker->stomp_port(), {"guest", "wrong", "/"}, 5s);
    EXPECT_FALSE(r.connected);
    EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST_F(RabbitMqBroker, StompRelayCarriesAUniqueMessageBetweenTwoConnections) {
    auto r = probe::stomp_relay("127.0.0.1", g_broker->stomp_port(), RabbitMq::credentials(), 5s);
    ASSERT_TRUE(r.relayed) << r.error;
    EXPECT_GT(r.latency.count(), 0);
    EXPECT_LT(r.latency, r.elapsed);
    // Two probes at once on the same topic each see their own message.
    auto again = probe::stomp_relay("127.0.0.1", g_broker->stomp_port(), RabbitMq::credentials(),
                                    5s, "/topic/chat");
    EXPECT_TRUE(again.relayed) << again.error;
}

TEST_F(RabbitMqBroker, StompProbesOfAClosedPortFail) {
    auto port = free_port();
    auto c = probe::stomp_connect("127.0.0.1", port, RabbitMq::credentials(), 1s);
    EXPECT_FALSE(c.connected);
    EXPECT_NE(c.error.find("refused"), std::string::npos) << c.error;
    auto r = probe::stomp_relay("127.0.0.1", port, RabbitMq::credentials(), 1s);
    EXPECT_FALSE(r.relayed);
    EXPECT_NE(r.error.find("subscriber"), std::string::npos) << r.error;
}

TEST_F(RabbitMqBroker, AMessagePostedThroughOneInstanceIsReadThroughAnother) {
    ChatApp a(dir.path(), "chat-server1", broker_env());
    ChatApp b(dir.path(), "chat-server2", broker_env());
    ASSERT_TRUE(a.wait_healthy()) << a.log();
    ASSERT_TRUE(b.wait_healthy()) << b.log();
    auto health = probe::http_get("127.0.0.1", a.port(), "/health", 1s);
    EXPECT_NE(health.body.find("connected to RabbitMQ/"), std::string::npos) << health.body;

    probe::HttpClient client("127.0.0.1", a.port(), 2s);
    auto posted = client.post("/messages", R"({"user":"karen","text":"hola desde A"})");
    ASSERT_EQ(posted.status, 202) << posted.body;
    EXPECT_TRUE(eventually([&] { return has_message(b, "hola desde A"); }, 5s));
    EXPECT_TRUE(eventually([&] { return has_message(a, "hola desde A"); }, 5s));
    auto on_b = probe::http_get("127.0.0.1", b.port(), "/messages", 1s);
    EXPECT_NE(on_b.body.find(R"("from": "chat-server1")"), std::string::npos) << on_b.body;
    EXPECT_NE(on_b.body.find(R"("user": "karen")"), std::string::npos) << on_b.body;

    // And the other way round.
    ASSERT_EQ(probe::HttpClient("127.0.0.1", b.port(), 2s)
                  .post("/messages", "back from B", "text/plain")
                  .status,
              202);
    EXPECT_TRUE(eventually([&] { return has_message(a, "back from B"); }, 5s));
}

// A lab's declared checks against real chat instances on two loopback addresses standing in
// for two nodes: a relay through the broker, an http check of every instance, a tcp check,
// and one that fails, with the points each earns.
TEST_F(RabbitMqBroker, DeclaredChecksRunAgainstRealInstances) {
    std::uint16_t port = free_port();
    auto env_on = [&](const std::string& address) {
        auto env = broker_env();
        env["LISTEN_ADDRESS"] = address;
        return env;
    };
    ChatApp a(dir.path(), "chat-a", env_on("127.0.0.11"), port);
    ChatApp b(dir.path(), "chat-b", env_on("127.0.0.12"), port);
    for (const char* address : {"127.0.0.11", "127.0.0.12"})
        ASSERT_TRUE(eventually(
            [&] { return probe::http_get(address, port, "/health", 1s).status == 200; }, 15s))
            << a.log() << b.log();
    std::string p = std::to_string(port);
    auto loaded = labfile::load_lab_text(R"([lab]
name = "loop"
[networks.lo]
mode = "host-only"
subnet = "127.0.0.0/24"
[nodes.a]
networks = { lo = "127.0.0.11" }
[nodes.b]
networks = { lo = "127.0.0.12" }
[services.chat]
type = "app"
on = ["a", "b"]
port = )" + p + R"(
run = "python3 app.py"
[[checks]]
name = "relay"
relay = "chat"
post = "/messages"
read = "/messages"
points = 3
[[checks]]
name = "every instance says who it is"
http = "chat"
expect_body = "chat instance chat-[ab]"
[[checks]]
name = "port"
tcp = "b:)" + p + R"("
[[checks]]
name = "wrong page"
http = "a:)" + p + R"("
path = "/health"
expect_body = "no such text"
points = 2
)",
                                         "lab.toml");
    ASSERT_TRUE(loaded.lab) << loaded.diagnostics.format();
    remote::SessionPool pool([](const std::string&) -> remote::ConnectOptions {
        throw std::runtime_error("no SSH here");
    });
    verify::VerifyContext context{*loaded.lab, pool, dir.path()};
    auto report = verify::run_declared_checks(context, {});
    ASSERT_EQ(report.checks.size(), 4u);
    for (std::size_t i = 0; i < 3; ++i)
        EXPECT_TRUE(report.checks[i].check.ok)
            << report.checks[i].check.name << ": " << report.checks[i].check.detail;
    EXPECT_FALSE(report.checks[3].check.ok);
    EXPECT_NE(report.checks[3].check.detail.find("does not match"), std::string::npos)
        << report.checks[3].check.detail;
    EXPECT_EQ(report.points(), 5);
    EXPECT_EQ(report.points_possible(), 7);
}

TEST_F(RabbitMqBroker, NginxRoundRobinSplitsEvenlyAndNamesTheUpstream) {
    ChatApp a(dir.path(), "rr-1", broker_env());
    ChatApp b(dir.path(), "rr-2", broker_env());
    ASSERT_TRUE(a.wait_healthy()) << a.log();
    ASSERT_TRUE(b.wait_healthy()) << b.log();
    Nginx nginx(dir.path(), [&](std::uint16_t port) {
        return "  upstream chat {\n    server 127.0.0.1:" + std::to_string(a.port()) +
               ";\n    server 127.0.0.1:" + std::to_string(b.port()) +
               ";\n    keepalive 8;\n  }\n"
               "  server {\n    listen 127.0.0.1:" +
               std::to_string(port) +
               ";\n"
               "    location / {\n      proxy_pass http://chat;\n      proxy_http_version 1.1;\n"
               "      proxy_set_header Connection \"\";\n"
               "      add_header X-Upstream $upstream_addr always;\n    }\n  }\n";
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log();

    std::map<std::string, int> per_upstream;
    probe::HttpClient client("127.0.0.1", nginx.port(), 2s);
    for (int i = 0; i < 40; ++i) {
        auto r = client.get("/");
        ASSERT_EQ(r.status, 200) << r.error << nginx.log();
        auto upstream = r.header("X-Upstream").value_or("?");
        auto instance = r.header("X-Instance").value_or("?");
        // The upstream nginx names is the instance that answered.
        EXPECT_EQ(upstream,
                  "127.0.0.1:" + std::to_string(instance == "rr-1" ? a.port() : b.port()));
        ++per_upstream[upstream];
    }
    EXPECT_EQ(client.connections_opened(), 1u);  // the load generator's keep-alive holds via nginx
    ASSERT_EQ(per_upstream.size(), 2u);
    for (const auto& [upstream, count] : per_upstream) EXPECT_EQ(count, 20) << upstream;
}

namespace {

// A minimal WebSocket client for the test: handshake, then unmasked server text frames.
struct WsClient {
    probe::Connection conn;
    std::string buffer;

    std::string handshake(std::uint16_t port) {
        if (auto r = conn.open("127.0.0.1", port, probe::deadline_after(2s)); !r.ok())
            return r.error;
        std::string req =
            "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n";
        if (auto r = conn.send_all(req, probe::deadline_after(2s)); !r.ok()) return r.error;
        while (buffer.find("\r\n\r\n") == std::string::npos)
            if (auto r = conn.receive(buffer, probe::deadline_after(2s)); !r.ok()) return r.error;
        auto end = buffer.find("\r\n\r\n");
        std::string head = buffer.substr(0, end);
        buffer.erase(0, end + 4);
        return head;
    }
    // A client text frame: masked, as RFC 6455 requires of clients.
    bool send_text(const std::string& text) {
        std::string frame{static_cast<char>(0x81), static_cast<char>(0x80 | text.size())};
        const char mask[4] = {0x12, 0x34, 0x56, 0x78};
        frame.append(mask, 4);
        for (std::size_t i = 0; i < text.size(); ++i)
            frame += static_cast<char>(text[i] ^ mask[i % 4]);
        return text.size() < 126 && conn.send_all(frame, probe::deadline_after(2s)).ok();
    }
    // The next text frame's payload, or "" when none arrives in time.
    std::string next_text(std::chrono::milliseconds timeout) {
        auto deadline = probe::deadline_after(timeout);
        for (;;) {
            // Server frames: FIN+opcode, unmasked 7-bit length or 126 + 16-bit length (a chat
            // message never needs the 64-bit form).
            std::size_t len = buffer.size() >= 2 ? static_cast<unsigned char>(buffer[1]) & 0x7F : 0;
            std::size_t off = len == 126 ? 4 : 2;
            bool have_length = buffer.size() >= off && len != 127;
            if (have_length && len == 126)
                len = (static_cast<std::size_t>(static_cast<unsigned char>(buffer[2])) << 8) |
                      static_cast<unsigned char>(buffer[3]);
            if (have_length && buffer.size() >= off + len) {
                int opcode = buffer[0] & 0x0F;
                std::string payload = buffer.substr(off, len);
                buffer.erase(0, off + len);
                if (opcode == 1) return payload;
                continue;
            }
            if (!conn.receive(buffer, deadline).ok()) return {};
        }
    }
};

}  // namespace

TEST_F(RabbitMqBroker, WebSocketThroughNginxPushesMessagesPostedOnAnyInstance) {
    ChatApp a(dir.path(), "ws-1", broker_env());
    ChatApp b(dir.path(), "ws-2", broker_env());
    ASSERT_TRUE(a.wait_healthy()) << a.log();
    ASSERT_TRUE(b.wait_healthy()) << b.log();
    // The seed lab's nginx: websocket upgrade headers, least_conn.
    Nginx nginx(dir.path(), [&](std::uint16_t port) {
        return "  map $http_upgrade $connection_upgrade { default upgrade; '' close; }\n"
               "  upstream chat {\n    least_conn;\n    server 127.0.0.1:" +
               std::to_string(a.port()) + ";\n    server 127.0.0.1:" + std::to_string(b.port()) +
               ";\n  }\n"
               "  server {\n    listen 127.0.0.1:" +
               std::to_string(port) +
               ";\n"
               "    location / {\n      proxy_pass http://chat;\n      proxy_http_version 1.1;\n"
               "      proxy_set_header Upgrade $http_upgrade;\n"
               "      proxy_set_header Connection $connection_upgrade;\n    }\n  }\n";
    });
    ASSERT_TRUE(nginx.ready()) << nginx.log();

    WsClient ws;
    std::string head = ws.handshake(nginx.port());
    ASSERT_EQ(head.rfind("HTTP/1.1 101", 0), 0u) << head;
    // RFC 6455's own example key and accept value.
    EXPECT_NE(head.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), std::string::npos)
        << head;
    std::string hello = ws.next_text(2s);
    ASSERT_NE(hello.find("\"hello\""), std::string::npos) << hello;
    // Post through the instance this socket is NOT on: the broker brings it over.
    const ChatApp& other = hello.find("ws-1") != std::string::npos ? b : a;
    ASSERT_EQ(probe::HttpClient("127.0.0.1", other.port(), 2s)
                  .post("/messages", "pushed over ws", "text/plain")
                  .status,
              202);
    std::string pushed = ws.next_text(5s);
    EXPECT_NE(pushed.find("pushed over ws"), std::string::npos) << pushed;
    EXPECT_NE(pushed.find("\"from\": \"" + other.instance() + "\""), std::string::npos) << pushed;

    // Text typed into the socket is posted too, and reaches the other instance.
    ASSERT_TRUE(ws.send_text("typed in the browser"));
    EXPECT_TRUE(eventually([&] { return has_message(other, "typed in the browser"); }, 5s))
        << other.log();
    EXPECT_NE(ws.next_text(5s).find("typed in the browser"), std::string::npos);
}

TEST_F(ActiveMqBroker, StompConnectAndRelay) {
    auto c =
        probe::stomp_connect("127.0.0.1", g_activemq->stomp_port(), ActiveMq::credentials(), 5s);
    ASSERT_TRUE(c.connected) << c.error;
    EXPECT_EQ(c.server.rfind("ActiveMQ/", 0), 0u) << c.server;
    auto r = probe::stomp_relay("127.0.0.1", g_activemq->stomp_port(), ActiveMq::credentials(), 5s);
    EXPECT_TRUE(r.relayed) << r.error;
}

TEST_F(ActiveMqBroker, AMessagePostedThroughOneInstanceIsReadThroughAnother) {
    ChatApp a(dir.path(), "amq-1", activemq_env());
    ChatApp b(dir.path(), "amq-2", activemq_env());
    ASSERT_TRUE(a.wait_healthy()) << a.log();
    ASSERT_TRUE(b.wait_healthy()) << b.log();
    auto health = probe::http_get("127.0.0.1", b.port(), "/health", 1s);
    EXPECT_NE(health.body.find("connected to ActiveMQ/"), std::string::npos) << health.body;
    ASSERT_EQ(probe::HttpClient("127.0.0.1", a.port(), 2s)
                  .post("/messages", R"({"user":"karen","text":"via ActiveMQ"})")
                  .status,
              202);
    EXPECT_TRUE(eventually([&] { return has_message(b, "via ActiveMQ"); }, 5s)) << b.log();
}

// Last: it stops the shared broker (and starts it again).
TEST_F(RabbitMqBroker, TheAppReportsALostBrokerAndReconnectsWhenItReturns) {
    ChatApp a(dir.path(), "re-1", broker_env());
    ChatApp b(dir.path(), "re-2", broker_env());
    ASSERT_TRUE(a.wait_healthy()) << a.log();
    ASSERT_TRUE(b.wait_healthy()) << b.log();

    g_broker->stop();
    EXPECT_TRUE(eventually(
        [&] { return probe::http_get("127.0.0.1", a.port(), "/health", 1s).status == 503; }, 5s));
    auto refused =
        probe::HttpClient("127.0.0.1", a.port(), 2s).post("/messages", "lost", "text/plain");
    EXPECT_EQ(refused.status, 503) << refused.body;
    EXPECT_EQ(probe::http_get("127.0.0.1", a.port(), "/", 1s).status, 200);  // still serving

    g_broker->start();
    ASSERT_TRUE(g_broker->ready()) << g_broker->log();
    std::cout << "RabbitMQ restarted in " << g_broker->start_time().count() << " ms\n";
    ASSERT_TRUE(a.wait_healthy(20s)) << a.log();
    ASSERT_TRUE(b.wait_healthy(20s)) << b.log();
    ASSERT_EQ(probe::HttpClient("127.0.0.1", a.port(), 2s)
                  .post("/messages", "back again", "text/plain")
                  .status,
              202);
    EXPECT_TRUE(eventually([&] { return has_message(b, "back again"); }, 5s));
}
