#include "probe/stomp.hpp"

#include <charconv>
#include <cstdio>

#include "probe/socket.hpp"
#include "util/random.hpp"

namespace labctl::probe {

namespace {

std::string escape(std::string_view value) {
    std::string out;
    for (char c : value) {
        switch (c) {
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case ':':
                out += "\\c";
                break;
            default:
                out += c;
        }
    }
    return out;
}

bool unescape(std::string_view value, std::string& out) {
    out.clear();
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != '\\') {
            out += value[i];
            continue;
        }
        if (++i == value.size()) return false;
        switch (value[i]) {
            case '\\':
                out += '\\';
                break;
            case 'n':
                out += '\n';
                break;
            case 'r':
                out += '\r';
                break;
            case 'c':
                out += ':';
                break;
            default:
                return false;  // undefined escapes are a fatal protocol error in 1.2
        }
    }
    return true;
}

StompFrame malformed(std::string why) {
    return StompFrame{"", {}, std::move(why)};
}

// One STOMP connection of a probe: CONNECT, then frames in and out, all under one deadline.
class Session {
  public:
    explicit Session(Deadline deadline) : deadline_(deadline) {}

    // Empty string on CONNECTED; otherwise why not.
    std::string connect(const std::string& host, std::uint16_t port, const StompCredentials& creds,
                        StompFrame& connected) {
        if (auto r = conn_.open(host, port, deadline_); !r.ok())
            return "connect to " + host + ":" + std::to_string(port) + ": " + r.error;
        StompFrame frame{"CONNECT",
                         {{"accept-version", "1.2"}, {"host", creds.vhost}, {"heart-beat", "0,0"}},
                         ""};
        if (!creds.login.empty()) {
            frame.headers.emplace_back("login", creds.login);
            frame.headers.emplace_back("passcode", creds.passcode);
        }
        if (auto e = send(frame); !e.empty()) return e;
        std::string error;
        if (!next(connected, error)) return error;
        if (connected.command == "CONNECTED") return {};
        if (connected.command == "ERROR")
            return "broker refused CONNECT: " +
                   connected.header("message").value_or(connected.body);
        return "unexpected " + connected.command + " frame instead of CONNECTED";
    }

    std::string send(const StompFrame& frame) {
        auto r = conn_.send_all(encode_stomp_frame(frame), deadline_);
        return r.ok() ? std::string() : "send " + frame.command + ": " + r.error;
    }

    // The next frame; false with ERROR set when none came before the deadline.
    bool next(StompFrame& frame, std::string& error) {
        for (;;) {
            if (auto f = take_stomp_frame(buffer_)) {
                if (f->command.empty()) {
                    error = "malformed frame: " + f->body;
                    return false;
                }
                frame = std::move(*f);
                return true;
            }
            if (auto r = conn_.receive(buffer_, deadline_); !r.ok()) {
                error =
                    r.status == IoStatus::timeout ? "no answer from the broker in time" : r.error;
                return false;
            }
        }
    }

    void disconnect() {
        if (conn_.is_open()) (void)send(StompFrame{"DISCONNECT", {}, ""});
        conn_.close();
    }

  private:
    Deadline deadline_;
    Connection conn_;
    std::string buffer_;
};

std::chrono::microseconds since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
}

}  // namespace

std::optional<std::string> StompFrame::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (k == name) return v;
    return std::nullopt;
}

std::string encode_stomp_frame(const StompFrame& frame) {
    bool raw = frame.command == "CONNECT" || frame.command == "STOMP";
    std::string out = frame.command + "\n";
    for (const auto& [k, v] : frame.headers) {
        out += raw ? k : escape(k);
        out += ':';
        out += raw ? v : escape(v);
        out += '\n';
    }
    if (!frame.body.empty()) out += "content-length:" + std::to_string(frame.body.size()) + "\n";
    out += '\n';
    out += frame.body;
    out += '\0';
    return out;
}

std::optional<StompFrame> take_stomp_frame(std::string& buffer) {
    std::size_t start = 0;
    while (start < buffer.size() && (buffer[start] == '\n' || buffer[start] == '\r')) ++start;
    if (start > 0) buffer.erase(0, start);  // heart-beats between frames
    std::size_t end_of_headers = buffer.find("\n\n");
    std::size_t crlf = buffer.find("\r\n\r\n");
    std::size_t gap = 2;
    if (crlf != std::string::npos && crlf < end_of_headers) {
        end_of_headers = crlf;
        gap = 4;
    }
    if (end_of_headers == std::string::npos) return std::nullopt;

    StompFrame frame;
    std::string_view head(buffer.data(), end_of_headers);
    std::size_t pos = 0;
    bool first = true;
    while (pos <= head.size()) {
        std::size_t eol = head.find('\n', pos);
        if (eol == std::string_view::npos) eol = head.size();
        std::string_view line = head.substr(pos, eol - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        pos = eol + 1;
        if (first) {
            frame.command = std::string(line);
            first = false;
            continue;
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return malformed("header line without ':'");
        std::string key, value;
        if (!unescape(line.substr(0, colon), key) || !unescape(line.substr(colon + 1), value))
            return malformed("bad escape in a header");
        frame.headers.emplace_back(std::move(key), std::move(value));
    }
    if (frame.command.empty()) return malformed("empty command");

    std::size_t body = end_of_headers + gap;
    std::size_t body_end;
    if (auto length = frame.header("content-length")) {
        std::size_t n = 0;
        auto [p, ec] = std::from_chars(length->data(), length->data() + length->size(), n);
        if (ec != std::errc() || p != length->data() + length->size())
            return malformed("bad content-length");
        if (buffer.size() < body + n + 1) return std::nullopt;
        body_end = body + n;
        if (buffer[body_end] != '\0') return malformed("frame not terminated by NUL");
    } else {
        body_end = buffer.find('\0', body);
        if (body_end == std::string::npos) return std::nullopt;
    }
    frame.body = buffer.substr(body, body_end - body);
    buffer.erase(0, body_end + 1);
    return frame;
}

StompConnectResult stomp_connect(const std::string& host, std::uint16_t port,
                                 const StompCredentials& credentials,
                                 std::chrono::milliseconds timeout) {
    auto start = Clock::now();
    StompConnectResult result;
    Session session(start + timeout);
    StompFrame connected;
    result.error = session.connect(host, port, credentials, connected);
    result.connected = result.error.empty();
    if (result.connected) {
        result.server = connected.header("server").value_or("");
        result.version = connected.header("version").value_or("1.0");
        session.disconnect();
    }
    result.elapsed = since(start);
    return result;
}

StompRelayResult stomp_relay(const std::string& host, std::uint16_t port,
                             const StompCredentials& credentials, std::chrono::milliseconds timeout,
                             const std::string& destination) {
    auto start = Clock::now();
    Deadline deadline = start + timeout;
    StompRelayResult result;
    auto done = [&](std::string error) {
        result.error = std::move(error);
        result.elapsed = since(start);
        return result;
    };

    Session subscriber(deadline);
    StompFrame frame;
    if (auto e = subscriber.connect(host, port, credentials, frame); !e.empty())
        return done("subscriber: " + e);
    result.server = frame.header("server").value_or("");
    std::string token = "labctl-relay-" + util::random_token(16);
    if (auto e = subscriber.send(
            {"SUBSCRIBE",
             {{"id", token}, {"destination", destination}, {"ack", "auto"}, {"receipt", token}},
             ""});
        !e.empty())
        return done("subscriber: " + e);
    // Until the RECEIPT the broker may not route to us yet: publishing earlier could lose the
    // message on a topic and report a broken relay that is not.
    std::string error;
    for (;;) {
        if (!subscriber.next(frame, error))
            return done("subscriber: waiting for RECEIPT: " + error);
        if (frame.command == "ERROR")
            return done("subscriber: broker said: " + frame.header("message").value_or(frame.body));
        if (frame.command == "RECEIPT" && frame.header("receipt-id") == token) break;
    }

    Session publisher(deadline);
    if (auto e = publisher.connect(host, port, credentials, frame); !e.empty())
        return done("publisher: " + e);
    auto sent_at = Clock::now();
    if (auto e = publisher.send(
            {"SEND", {{"destination", destination}, {"content-type", "text/plain"}}, token});
        !e.empty())
        return done("publisher: " + e);

    for (;;) {
        if (!subscriber.next(frame, error)) return done("message not relayed: " + error);
        if (frame.command == "ERROR")
            return done("subscriber: broker said: " + frame.header("message").value_or(frame.body));
        if (frame.command == "MESSAGE" && frame.body == token) break;  // others' traffic is skipped
    }
    result.latency = since(sent_at);
    result.relayed = true;
    publisher.disconnect();
    subscriber.disconnect();
    result.elapsed = since(start);
    return result;
}

}  // namespace labctl::probe
