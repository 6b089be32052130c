// The standard gRPC health call, grpc.health.v1.Health/Check, from labctl itself: one unary
// call over cleartext HTTP/2 with prior knowledge (as the lab's nginx serves gRPC), made with
// libcurl and a few bytes of hand-encoded protobuf, so labctl needs no gRPC library. It proves
// what a TCP probe cannot: a gRPC server answered through the balancer, and which one did.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "probe/http.hpp"

namespace labctl::probe {

// gRPC's length-prefixed message: a compressed flag (0) and a 4-byte big-endian length.
std::string grpc_frame(std::string_view message);
// The single message in BODY; nullopt with WHY set when BODY is not exactly one frame, or
// one labctl cannot read (compressed).
std::optional<std::string> grpc_unframe(std::string_view body, std::string& why);

// HealthCheckRequest{service}: empty SERVICE asks about the server as a whole, and encodes
// to no bytes at all.
std::string health_check_request(std::string_view service);
// HealthCheckResponse.status (1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN; 0 UNKNOWN is also
// what an empty message means), or nullopt when MESSAGE is not a valid protobuf message.
std::optional<int> health_check_status(std::string_view message);

struct GrpcHealth {
    HttpResponse http;     // X-Upstream, elapsed, the transport error if any
    int grpc_status = -1;  // from the trailers (or the headers of a trailers-only answer)
    std::string grpc_message;
    int serving = -1;   // HealthCheckResponse.status; -1 without a response message
    std::string error;  // why the call did not prove SERVING; empty when it did

    bool ok() const { return error.empty(); }
};

// The verdict on a Health/Check answer: HTTP 200, grpc-status 0 and status SERVING. Pure.
GrpcHealth judge_grpc_health(HttpResponse response);

// Health/Check calls over one kept-alive HTTP/2 connection (a connection per call with a
// libcurl older than 8.0.0, see curl_reuses_h2c_connections()).
class GrpcHealthClient {
  public:
    GrpcHealthClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout);
    GrpcHealth check(std::string_view service = {});
    std::size_t connections_opened() const { return http_.connections_opened(); }

  private:
    HttpClient http_;
};

// One Health/Check on a fresh connection.
GrpcHealth grpc_health_check(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout, std::string_view service = {});

}  // namespace labctl::probe
