// The bytes of the gRPC health call labctl makes without a gRPC library: message framing,
// the request and response messages, and the verdict on what came back. Pure.
#include <gtest/gtest.h>

#include "probe/grpc_health.hpp"

using namespace labctl::probe;

namespace {

HttpResponse answer(int status, std::string body, HttpHeaders trailers, HttpHeaders headers = {}) {
    HttpResponse response;
    response.status = status;
    response.body = std::move(body);
    response.trailers = std::move(trailers);
    response.headers = std::move(headers);
    return response;
}

const std::string kServing = std::string("\0\0\0\0\x02\x08\x01", 7);

}  // namespace

TEST(ProbeGrpcFrame, TheHealthRequestForTheWholeServerIsFiveZeroBytes) {
    EXPECT_EQ(grpc_frame(health_check_request("")), std::string(5, '\0'));
    EXPECT_EQ(grpc_frame(health_check_request("helloworld.Greeter")),
              std::string("\0\0\0\0\x14\x0a\x12", 7) + "helloworld.Greeter");
    // A service name of 200 bytes needs a two-byte length varint (0xC8 0x01).
    auto long_request = health_check_request(std::string(200, 's'));
    EXPECT_EQ(long_request.substr(0, 3), std::string("\x0a\xc8\x01", 3));
    EXPECT_EQ(long_request.size(), 203u);
}

TEST(ProbeGrpcFrame, UnframeChecksLengthAndCompression) {
    std::string why;
    EXPECT_EQ(grpc_unframe(kServing, why), std::string("\x08\x01", 2));
    EXPECT_EQ(grpc_unframe(std::string(5, '\0'), why), "");  // an empty message
    EXPECT_FALSE(grpc_unframe("", why));
    EXPECT_EQ(why, "no response message");
    EXPECT_FALSE(grpc_unframe(std::string("\0\0\0", 3), why));
    EXPECT_NE(why.find("truncated"), std::string::npos);
    EXPECT_FALSE(grpc_unframe(std::string("\0\0\0\0\x03\x08\x01", 7), why));
    EXPECT_NE(why.find("3 bytes"), std::string::npos) << why;
    EXPECT_FALSE(grpc_unframe(std::string("\x01\0\0\0\x02\x08\x01", 7), why));
    EXPECT_NE(why.find("compressed"), std::string::npos);
}

TEST(ProbeGrpcFrame, HealthStatusReadsFieldOneAndSkipsUnknownFields) {
    EXPECT_EQ(health_check_status(std::string("\x08\x01", 2)), 1);
    EXPECT_EQ(health_check_status(std::string("\x08\x02", 2)), 2);
    EXPECT_EQ(health_check_status(""), 0);  // proto3: an absent field is UNKNOWN (0)
    // An unknown string field 2 and a fixed32 field 3 around the status.
    EXPECT_EQ(health_check_status(std::string("\x12\x02hi\x08\x01\x1d\x01\x02\x03\x04", 11)), 1);
    EXPECT_FALSE(health_check_status(std::string("\x08", 1)));        // truncated varint
    EXPECT_FALSE(health_check_status(std::string("\x12\x05hi", 4)));  // truncated string
    EXPECT_FALSE(health_check_status(std::string("\x0b\x01", 2)));    // group: not proto3
}

TEST(ProbeGrpcFrame, VerdictNeedsHttp200GrpcStatusZeroAndServing) {
    auto serving = judge_grpc_health(answer(200, kServing, {{"grpc-status", "0"}}));
    EXPECT_TRUE(serving.ok()) << serving.error;
    EXPECT_EQ(serving.grpc_status, 0);
    EXPECT_EQ(serving.serving, 1);

    auto not_serving = judge_grpc_health(
        answer(200, std::string("\0\0\0\0\x02\x08\x02", 7), {{"grpc-status", "0"}}));
    EXPECT_FALSE(not_serving.ok());
    EXPECT_EQ(not_serving.serving, 2);
    EXPECT_NE(not_serving.error.find("not SERVING"), std::string::npos) << not_serving.error;

    // Trailers-only: the error status arrives in the headers, with no body.
    auto unknown = judge_grpc_health(
        answer(200, "", {}, {{"grpc-status", "5"}, {"grpc-message", "unknown service x"}}));
    EXPECT_FALSE(unknown.ok());
    EXPECT_EQ(unknown.grpc_status, 5);
    EXPECT_EQ(unknown.error, "grpc-status 5: unknown service x");

    auto bad_gateway = judge_grpc_health(answer(502, "<html>502</html>", {}));
    EXPECT_FALSE(bad_gateway.ok());
    EXPECT_EQ(bad_gateway.error, "HTTP 502");

    auto no_status = judge_grpc_health(answer(200, kServing, {}));
    EXPECT_FALSE(no_status.ok());
    EXPECT_EQ(no_status.error, "no grpc-status");

    HttpResponse refused;
    refused.error = "connect to 127.0.0.1:1: Connection refused";
    auto transport = judge_grpc_health(refused);
    EXPECT_FALSE(transport.ok());
    EXPECT_EQ(transport.error, refused.error);
}
