// HTTP for probes and the load generator, on libcurl: GET (and POST for the chat relay) over
// one kept-alive connection per client, reconnecting when the server closed it; HTTP/2 with
// prior knowledge (h2c) for gRPC through nginx. Results are values: a transport failure is a
// response with `error` set and status 0, never an exception.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "probe/curl_handle.hpp"

namespace labctl::probe {

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
    int status = 0;        // 0 when no response arrived
    HttpHeaders headers;   // names lower-cased, in order
    HttpHeaders trailers;  // after the body (gRPC's grpc-status); names lower-cased
    std::string body;
    std::string version;  // as on the status line: "HTTP/1.1", "HTTP/2"
    std::string error;    // transport or protocol error; empty when a response arrived
    std::chrono::microseconds elapsed{0};
    bool reused_connection = false;  // answered on a kept-alive connection

    bool ok() const { return error.empty() && status > 0; }
    // The first header named NAME (case-insensitive), e.g. header("X-Upstream").
    std::optional<std::string> header(std::string_view name) const;
    std::optional<std::string> trailer(std::string_view name) const;
};

// Folds the header lines libcurl hands over, one at a time, into a response: a status line
// starts a new header block (dropping an interim 100 Continue's), the empty line ends it, and
// lines after it are trailers. Pure, so tests can feed it lines.
class HeaderCollector {
  public:
    explicit HeaderCollector(HttpResponse& out) : out_(out) {}
    void line(std::string_view text);

  private:
    HttpResponse& out_;
    bool block_ended_ = false;
};

enum class HttpVersion {
    http1_1,
    // HTTP/2 over cleartext without an Upgrade round trip: what nginx's `listen ... http2`
    // without TLS (and every gRPC server) expects.
    http2_prior_knowledge,
};

struct HttpRequest {
    std::string method = "GET";
    std::string path = "/";
    std::string body;
    HttpHeaders headers;  // sent as given, after the defaults
};

class HttpClient {
  public:
    // CA_FILE non-empty: HTTPS whose certificate must chain to that CA (PEM) and name HOST
    // (a DNS name or an IP address in its subjectAltName); nothing else is trusted.
    HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
               HttpVersion version = HttpVersion::http1_1, std::string ca_file = {});

    HttpResponse get(const std::string& path);
    HttpResponse post(const std::string& path, std::string_view body,
                      std::string_view content_type = "application/json");
    HttpResponse request(std::string_view method, const std::string& path,
                         std::string_view body = {}, std::string_view content_type = {});
    HttpResponse send(const HttpRequest& request);

    // How many TCP connections this client opened (1 for N keep-alive requests; N for h2c
    // when !curl_reuses_h2c_connections()).
    std::size_t connections_opened() const { return connections_opened_; }
    // Drops the kept-alive connection; the next request opens a new one.
    void close();

  private:
    void open_handle();  // a new handle (no connection) with the options all requests share

    std::string host_;
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    HttpVersion version_;
    std::string ca_file_;   // empty: plain HTTP
    std::string base_url_;  // "http(s)://host:port", IPv6 literals in brackets
    CurlEasy handle_;       // owns the kept-alive connection
    std::size_t connections_opened_ = 0;
};

// One GET on a fresh connection (HTTPS checked against CA_FILE when it is given).
HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout, const std::string& ca_file = {});

}  // namespace labctl::probe
