// Pure parsing of what the probes read off the wire: HTTP header lines as libcurl hands them
// over, and STOMP frames, whole and in fragments, well-formed and broken.
#include <gtest/gtest.h>

#include "probe/http.hpp"
#include "probe/stomp.hpp"

using namespace labctl::probe;

namespace {

HttpResponse collect(const std::vector<std::string>& lines) {
    HttpResponse response;
    HeaderCollector collector(response);
    for (const auto& line : lines) collector.line(line);
    return response;
}

}  // namespace

TEST(ProbeHttpHeaders, NamesAreLowerCasedValuesTrimmedAndLookupIgnoresCase) {
    auto r = collect({"HTTP/1.1 200 OK\r\n", "Content-Length: 5\r\n",
                      "X-Upstream:  127.0.0.1:8081 \r\n", "\r\n"});
    EXPECT_EQ(r.version, "HTTP/1.1");
    ASSERT_EQ(r.headers.size(), 2u);
    EXPECT_EQ(r.headers[0].first, "content-length");
    EXPECT_EQ(r.header("x-upstream"), "127.0.0.1:8081");
    EXPECT_EQ(r.header("X-UPSTREAM"), "127.0.0.1:8081");
    EXPECT_FALSE(r.header("x-instance"));
    EXPECT_TRUE(r.trailers.empty());
}

TEST(ProbeHttpHeaders, AnInterimResponseIsReplacedByTheFinalOne) {
    auto r = collect({"HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
                      "HTTP/1.1 202 Accepted\r\n", "X-Final: yes\r\n", "\r\n"});
    EXPECT_FALSE(r.header("x-interim"));
    EXPECT_EQ(r.header("x-final"), "yes");
    EXPECT_TRUE(r.trailers.empty());
}

TEST(ProbeHttpHeaders, LinesAfterTheHeaderBlockAreTrailers) {
    // How libcurl hands over an HTTP/2 gRPC answer: headers, the end of the block, then the
    // trailers after the body.
    auto r = collect({"HTTP/2 200 \r\n", "content-type: application/grpc\r\n",
                      "x-upstream: 127.0.0.3:50051\r\n", "\r\n", "grpc-status: 0\r\n",
                      "grpc-message: \r\n"});
    EXPECT_EQ(r.version, "HTTP/2");
    EXPECT_EQ(r.header("x-upstream"), "127.0.0.3:50051");
    EXPECT_FALSE(r.header("grpc-status"));
    EXPECT_EQ(r.trailer("grpc-status"), "0");
    EXPECT_EQ(r.trailer("grpc-message"), "");
}

TEST(ProbeHttpHeaders, GarbageLinesAreIgnoredNotCrashes) {
    auto r = collect(
        {"", "no colon here\r\n", "HTTP/1.1 200 OK\r\n", ": no name\r\n", "X-Kept: 1\r\n", "\n"});
    EXPECT_EQ(r.version, "HTTP/1.1");
    ASSERT_EQ(r.headers.size(), 1u);
    EXPECT_EQ(r.headers[0].first, "x-kept");
}

TEST(ProbeStompFrames, EncodeEscapesHeadersButNotInConnect) {
    StompFrame send{"SEND", {{"destination", "/topic/a:b"}, {"note", "line1\nline2\\"}}, "hi"};
    EXPECT_EQ(
        encode_stomp_frame(send),
        std::string(
            "SEND\ndestination:/topic/a\\cb\nnote:line1\\nline2\\\\\ncontent-length:2\n\nhi") +
            '\0');
    StompFrame connect{"CONNECT", {{"host", "/"}, {"passcode", "a:b"}}, ""};
    EXPECT_EQ(encode_stomp_frame(connect), std::string("CONNECT\nhost:/\npasscode:a:b\n\n") + '\0');
}

TEST(ProbeStompFrames, RoundTripThroughFragmentsAndHeartBeats) {
    StompFrame message{
        "MESSAGE", {{"destination", "/topic/chat"}, {"k", "a:b\nc"}}, std::string("bo\0dy", 5)};
    std::string wire = "\n\n" + encode_stomp_frame(message) + "\n" +
                       encode_stomp_frame({"RECEIPT", {{"receipt-id", "r1"}}, ""});
    std::string buffer;
    std::vector<StompFrame> frames;
    for (char c : wire) {  // one byte at a time, as a slow network would deliver it
        buffer += c;
        while (auto f = take_stomp_frame(buffer)) frames.push_back(*f);
    }
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].command, "MESSAGE");
    EXPECT_EQ(frames[0].header("k"), "a:b\nc");
    EXPECT_EQ(frames[0].body, std::string("bo\0dy", 5));  // content-length lets a body hold NUL
    EXPECT_EQ(frames[1].command, "RECEIPT");
    EXPECT_EQ(frames[1].header("receipt-id"), "r1");
    EXPECT_TRUE(buffer.empty());
}

TEST(ProbeStompFrames, FirstRepeatedHeaderWinsAndCrLfIsAccepted) {
    std::string buffer =
        std::string("CONNECTED\r\nserver:ActiveMQ/5.17.2\r\nserver:other\r\nversion:1.2\r\n\r\n") +
        '\0';
    auto f = take_stomp_frame(buffer);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->command, "CONNECTED");
    EXPECT_EQ(f->header("server"), "ActiveMQ/5.17.2");
    EXPECT_EQ(f->header("version"), "1.2");
}

TEST(ProbeStompFrames, MalformedFramesAreReported) {
    std::string bad_escape = std::string("MESSAGE\nk:a\\tb\n\n") + '\0';
    auto f = take_stomp_frame(bad_escape);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->command, "");
    std::string no_colon = std::string("MESSAGE\nnocolon\n\n") + '\0';
    f = take_stomp_frame(no_colon);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->command, "");
    std::string bad_length = std::string("MESSAGE\ncontent-length:2\n\nabc") + '\0';
    f = take_stomp_frame(bad_length);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->command, "");
}
