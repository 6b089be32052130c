// A minimal HTTP/1.1 client for probes and the load generator: GET (and POST for the chat
// relay) over one kept-alive connection, reconnecting when the server closed it. Results are
// values: a transport failure is a response with `error` set and status 0.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probe/socket.hpp"

namespace labctl::probe {

struct HttpResponse {
    int status = 0;                                            // 0 when no response arrived
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in order
    std::string body;
    std::string error;  // transport or protocol error; empty when a response arrived
    std::chrono::microseconds elapsed{0};
    bool reused_connection = false;  // answered on a kept-alive connection

    bool ok() const { return error.empty() && status > 0; }
    // The first header named NAME (case-insensitive), e.g. header("X-Upstream").
    std::optional<std::string> header(std::string_view name) const;
};

enum class ParseState { incomplete, complete, bad };

// Parses one response from the start of BUFFER. EOF says the server closed the connection, which
// ends a body that has neither Content-Length nor chunked encoding. On `complete`, CONSUMED is the
// length of the response, and KEEP_ALIVE whether the connection may carry another request.
// On `bad`, OUT.error says why. Pure, so tests can feed it fragments.
ParseState parse_http_response(std::string_view buffer, bool eof, bool head_request,
                               HttpResponse& out, std::size_t& consumed, bool& keep_alive);

class HttpClient {
  public:
    HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout);

    HttpResponse get(const std::string& path);
    HttpResponse post(const std::string& path, std::string_view body,
                      std::string_view content_type = "application/json");
    HttpResponse request(std::string_view method, const std::string& path,
                         std::string_view body = {}, std::string_view content_type = {});

    // How many TCP connections this client opened (1 for N keep-alive requests).
    std::size_t connections_opened() const { return connections_opened_; }
    void close() { connection_.close(); }

  private:
    HttpResponse attempt(const std::string& request, bool head, bool& retryable);

    std::string host_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    Connection connection_;
    std::string leftover_;  // bytes after the last response (none with a well-behaved server)
    std::size_t connections_opened_ = 0;
};

// One GET on a fresh connection.
HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout);

}  // namespace labctl::probe
