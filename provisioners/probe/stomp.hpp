// STOMP 1.2 probes: does the broker answer CONNECT, and does a message published on one
// connection reach a subscription on another (what `verify` calls the broker relay check).
// Works with ActiveMQ and RabbitMQ (rabbitmq_stomp). Failures are values, never exceptions.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace labctl::probe {

struct StompFrame {
    std::string command;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;

    std::optional<std::string> header(std::string_view name) const;  // the first one, as 1.2 says
};

// Wire form of FRAME: headers escaped (except in CONNECT, per the spec), content-length
// added when there is a body.
std::string encode_stomp_frame(const StompFrame& frame);

// Takes the first whole frame off the front of BUFFER (skipping heart-beat EOLs). nullopt
// while incomplete; a frame with command "" and the reason in its body when malformed.
std::optional<StompFrame> take_stomp_frame(std::string& buffer);

struct StompCredentials {
    std::string login;        // empty: no login/passcode headers (an open broker)
    std::string passcode;     // never logged
    std::string vhost = "/";  // the CONNECT host header; RabbitMQ reads it as the virtual host
};

struct StompConnectResult {
    bool connected = false;  // the broker answered CONNECTED
    std::string server;      // its server header, e.g. "ActiveMQ/5.17.2" or "RabbitMQ/3.10.8"
    std::string version;     // negotiated STOMP version
    std::string error;       // why not: connection refused, ERROR frame's message, timed out...
    std::chrono::microseconds elapsed{0};
};

StompConnectResult stomp_connect(const std::string& host, std::uint16_t port,
                                 const StompCredentials& credentials,
                                 std::chrono::milliseconds timeout);

struct StompRelayResult {
    bool relayed = false;  // the unique message came back on the other connection
    std::string server;
    std::string error;
    std::chrono::microseconds latency{0};  // from SEND to its MESSAGE on the subscription
    std::chrono::microseconds elapsed{0};  // the whole probe
};

// Subscribes on one connection (waiting for the broker's RECEIPT, so the subscription exists),
// publishes a unique message on a second one, and waits for it on the first.
StompRelayResult stomp_relay(const std::string& host, std::uint16_t port,
                             const StompCredentials& credentials, std::chrono::milliseconds timeout,
                             const std::string& destination = "/topic/labctl.verify");

}  // namespace labctl::probe
