// Pure parsing of what the probes read off the wire: HTTP responses and STOMP frames, whole
// and in fragments, well-formed and broken.
#include <gtest/gtest.h>

#include "probe/http.hpp"
#include "probe/stomp.hpp"

using namespace labctl::probe;

namespace {

ParseState parse(std::string_view text, bool eof, HttpResponse& out, std::size_t& consumed,
                 bool& keep_alive) {
    return parse_http_response(text, eof, false, out, consumed, keep_alive);
}

}  // namespace

TEST(ProbeHttpParse, ContentLengthKeepAliveAndHeaders) {
    std::string text =
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Upstream: 127.0.0.1:8081\r\n\r\nhelloHTTP/1.1";
    HttpResponse r;
    std::size_t consumed = 0;
    bool keep_alive = false;
    ASSERT_EQ(parse(text, false, r, consumed, keep_alive), ParseState::complete);
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.body, "hello");
    EXPECT_EQ(r.header("x-upstream"), "127.0.0.1:8081");
    EXPECT_EQ(r.header("X-UPSTREAM"), "127.0.0.1:8081");
    EXPECT_FALSE(r.header("x-instance"));
    EXPECT_TRUE(keep_alive);
    EXPECT_EQ(text.substr(consumed), "HTTP/1.1");  // the next response starts there
}

TEST(ProbeHttpParse, EveryPrefixIsIncompleteUntilTheLastByte) {
    std::string text = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 3\r\n\r\nbad";
    for (std::size_t n = 0; n < text.size(); ++n) {
        HttpResponse r;
        std::size_t consumed = 0;
        bool keep_alive = false;
        EXPECT_EQ(parse(text.substr(0, n), false, r, consumed, keep_alive), ParseState::incomplete)
            << "prefix of " << n;
    }
    HttpResponse r;
    std::size_t consumed = 0;
    bool keep_alive = false;
    ASSERT_EQ(parse(text, false, r, consumed, keep_alive), ParseState::complete);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.body, "bad");
}

TEST(ProbeHttpParse, ChunkedBodyWithExtensionsAndTrailers) {
    std::string text =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "4;x=y\r\nchat\r\n1\r\n \r\n8\r\nserver-1\r\n0\r\nX-Trailer: t\r\n\r\n";
    HttpResponse r;
    std::size_t consumed = 0;
    bool keep_alive = false;
    EXPECT_EQ(parse(text.substr(0, text.size() - 2), false, r, consumed, keep_alive),
              ParseState::incomplete);
    ASSERT_EQ(parse(text, false, r, consumed, keep_alive), ParseState::complete);
    EXPECT_EQ(r.body, "chat server-1");
    EXPECT_EQ(consumed, text.size());
}

TEST(ProbeHttpParse, BodyUntilCloseAndConnectionClose) {
    HttpResponse r;
    std::size_t consumed = 0;
    bool keep_alive = true;
    std::string text = "HTTP/1.0 200 OK\r\nServer: x\r\n\r\nall of it";
    EXPECT_EQ(parse(text, false, r, consumed, keep_alive), ParseState::incomplete);
    ASSERT_EQ(parse(text, true, r, consumed, keep_alive), ParseState::complete);
    EXPECT_EQ(r.body, "all of it");
    EXPECT_FALSE(keep_alive);

    HttpResponse r2;
    ASSERT_EQ(parse("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false, r2, consumed,
                    keep_alive),
              ParseState::complete);
    EXPECT_EQ(r2.status, 204);
    EXPECT_FALSE(keep_alive);
}

TEST(ProbeHttpParse, GarbageAndTruncationAreErrorsNotCrashes) {
    HttpResponse r;
    std::size_t consumed = 0;
    bool keep_alive = false;
    EXPECT_EQ(parse("SSH-2.0-OpenSSH_9.2\r\n\r\n", false, r, consumed, keep_alive),
              ParseState::bad);
    EXPECT_NE(r.error.find("not an HTTP response"), std::string::npos);
    HttpResponse r2;
    EXPECT_EQ(
        parse("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", true, r2, consumed, keep_alive),
        ParseState::bad);
    HttpResponse r3;
    EXPECT_EQ(parse("", true, r3, consumed, keep_alive), ParseState::bad);
    HttpResponse r4;
    EXPECT_EQ(
        parse("HTTP/1.1 200 OK\r\nContent-Length: x1\r\n\r\n", false, r4, consumed, keep_alive),
        ParseState::bad);
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
