#include "probe/grpc_health.hpp"

#include <charconv>
#include <cstdint>

namespace labctl::probe {

namespace {

constexpr std::size_t kFrameHeader = 5;

void put_varint(std::string& out, std::uint64_t value) {
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

std::optional<std::uint64_t> take_varint(std::string_view& in) {
    std::uint64_t value = 0;
    for (int shift = 0; shift < 64 && !in.empty(); shift += 7) {
        auto byte = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
        if ((byte & 0x80) == 0) return value;
    }
    return std::nullopt;  // truncated, or longer than 10 bytes
}

bool skip(std::string_view& in, std::size_t n) {
    if (in.size() < n) return false;
    in.remove_prefix(n);
    return true;
}

}  // namespace

std::string grpc_frame(std::string_view message) {
    std::string frame(kFrameHeader, '\0');
    auto size = static_cast<std::uint32_t>(message.size());
    for (int i = 0; i < 4; ++i) frame[1 + i] = static_cast<char>((size >> (24 - 8 * i)) & 0xFF);
    frame.append(message);
    return frame;
}

std::optional<std::string> grpc_unframe(std::string_view body, std::string& why) {
    if (body.size() < kFrameHeader) {
        why = body.empty() ? "no response message" : "truncated gRPC frame header";
        return std::nullopt;
    }
    if (body[0] != '\0') {
        why = "compressed gRPC message";
        return std::nullopt;
    }
    std::uint32_t size = 0;
    for (int i = 1; i <= 4; ++i) size = size << 8 | static_cast<unsigned char>(body[i]);
    if (body.size() - kFrameHeader != size) {
        why = "gRPC frame of " + std::to_string(size) + " bytes, body has " +
              std::to_string(body.size() - kFrameHeader);
        return std::nullopt;
    }
    return std::string(body.substr(kFrameHeader));
}

std::string health_check_request(std::string_view service) {
    std::string message;
    if (!service.empty()) {       // proto3 leaves out a field at its default
        message.push_back(0x0A);  // field 1, length-delimited
        put_varint(message, service.size());
        message.append(service);
    }
    return message;
}

std::optional<int> health_check_status(std::string_view message) {
    int status = 0;
    while (!message.empty()) {
        auto key = take_varint(message);
        if (!key) return std::nullopt;
        auto field = *key >> 3;
        switch (*key & 7) {
            case 0: {
                auto value = take_varint(message);
                if (!value) return std::nullopt;
                if (field == 1) status = static_cast<int>(*value);
                break;
            }
            case 1:
                if (!skip(message, 8)) return std::nullopt;
                break;
            case 2: {
                auto length = take_varint(message);
                if (!length || !skip(message, *length)) return std::nullopt;
                break;
            }
            case 5:
                if (!skip(message, 4)) return std::nullopt;
                break;
            default:
                return std::nullopt;
        }
    }
    return status;
}

GrpcHealth judge_grpc_health(HttpResponse response) {
    GrpcHealth health;
    health.http = std::move(response);
    const auto& http = health.http;
    if (!http.ok()) {
        health.error = http.error.empty() ? "no answer" : http.error;
        return health;
    }
    // A trailers-only answer (how gRPC reports most errors) carries grpc-status in its headers.
    auto status = http.trailer("grpc-status");
    if (!status) status = http.header("grpc-status");
    auto message = http.trailer("grpc-message");
    if (!message) message = http.header("grpc-message");
    health.grpc_message = message.value_or("");
    if (status) {
        int code = -1;
        auto [end, ec] = std::from_chars(status->data(), status->data() + status->size(), code);
        if (ec == std::errc() && end == status->data() + status->size()) health.grpc_status = code;
    }
    if (http.status != 200) {
        // nginx answers a dead or missing upstream with a plain HTTP error.
        health.error = "HTTP " + std::to_string(http.status);
        return health;
    }
    if (health.grpc_status != 0) {
        health.error = status ? "grpc-status " + *status : "no grpc-status";
        if (!health.grpc_message.empty()) health.error += ": " + health.grpc_message;
        return health;
    }
    std::string why;
    auto reply = grpc_unframe(http.body, why);
    if (!reply) {
        health.error = why;
        return health;
    }
    auto serving = health_check_status(*reply);
    if (!serving) {
        health.error = "unreadable HealthCheckResponse";
        return health;
    }
    health.serving = *serving;
    if (health.serving != 1)
        health.error = "status " + std::to_string(health.serving) + ", not SERVING (1)";
    return health;
}

GrpcHealthClient::GrpcHealthClient(std::string host, std::uint16_t port,
                                   std::chrono::milliseconds timeout)
    : http_(std::move(host), port, timeout, HttpVersion::http2_prior_knowledge) {}

GrpcHealth GrpcHealthClient::check(std::string_view service) {
    HttpRequest request;
    request.method = "POST";
    request.path = "/grpc.health.v1.Health/Check";
    request.body = grpc_frame(health_check_request(service));
    // TE: trailers is how a gRPC server tells a gRPC client from a plain HTTP one.
    request.headers = {{"Content-Type", "application/grpc"}, {"TE", "trailers"}};
    return judge_grpc_health(http_.send(request));
}

GrpcHealth grpc_health_check(const std::string& host, std::uint16_t port,
                             std::chrono::milliseconds timeout, std::string_view service) {
    GrpcHealthClient client(host, port, timeout);
    return client.check(service);
}

}  // namespace labctl::probe
