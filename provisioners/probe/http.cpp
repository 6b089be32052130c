#include "probe/http.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace labctl::probe {

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

bool contains_token(std::string_view list, std::string_view token) {
    std::string l = lower(list);
    std::size_t pos = 0;
    while (pos <= l.size()) {
        std::size_t comma = l.find(',', pos);
        if (comma == std::string::npos) comma = l.size();
        if (trim(std::string_view(l).substr(pos, comma - pos)) == token) return true;
        pos = comma + 1;
    }
    return false;
}

ParseState bad(HttpResponse& out, std::string why) {
    out.error = std::move(why);
    return ParseState::bad;
}

// Decodes a chunked body starting at BODY; returns incomplete until the last chunk arrived.
ParseState parse_chunked(std::string_view buffer, std::size_t body, HttpResponse& out,
                         std::size_t& consumed) {
    std::string decoded;
    std::size_t pos = body;
    for (;;) {
        std::size_t eol = buffer.find("\r\n", pos);
        if (eol == std::string_view::npos) return ParseState::incomplete;
        std::string_view size_line = buffer.substr(pos, eol - pos);
        size_line = size_line.substr(0, size_line.find(';'));  // chunk extensions
        size_line = trim(size_line);
        std::size_t size = 0;
        auto [p, ec] =
            std::from_chars(size_line.data(), size_line.data() + size_line.size(), size, 16);
        if (ec != std::errc() || p != size_line.data() + size_line.size())
            return bad(out, "bad chunk size");
        pos = eol + 2;
        if (size == 0) {
            // Trailers until an empty line.
            for (;;) {
                std::size_t end = buffer.find("\r\n", pos);
                if (end == std::string_view::npos) return ParseState::incomplete;
                bool empty = end == pos;
                pos = end + 2;
                if (empty) break;
            }
            out.body = std::move(decoded);
            consumed = pos;
            return ParseState::complete;
        }
        if (buffer.size() < pos + size + 2) return ParseState::incomplete;
        decoded.append(buffer.substr(pos, size));
        pos += size + 2;
    }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    std::string key = lower(name);
    for (const auto& [k, v] : headers)
        if (k == key) return v;
    return std::nullopt;
}

ParseState parse_http_response(std::string_view buffer, bool eof, bool head_request,
                               HttpResponse& out, std::size_t& consumed, bool& keep_alive) {
    std::size_t end_of_headers = buffer.find("\r\n\r\n");
    if (end_of_headers == std::string_view::npos) {
        if (eof)
            return bad(out, buffer.empty() ? "connection closed before a response"
                                           : "connection closed inside the headers");
        return ParseState::incomplete;
    }
    std::string_view head = buffer.substr(0, end_of_headers);
    std::size_t line_end = head.find("\r\n");
    std::string_view status_line = head.substr(0, line_end);
    // "HTTP/1.1 200 OK"
    if (status_line.substr(0, 5) != "HTTP/" || status_line.size() < 12 || status_line[8] != ' ')
        return bad(out, "not an HTTP response: " + std::string(status_line.substr(0, 40)));
    bool http10 = status_line.substr(5, 3) == "1.0";
    int status = 0;
    auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
    if (ec != std::errc() || p != status_line.data() + 12 || status < 100)
        return bad(out, "bad status line: " + std::string(status_line));

    out.status = status;
    out.headers.clear();
    std::size_t pos = line_end == std::string_view::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
        std::size_t eol = head.find("\r\n", pos);
        if (eol == std::string_view::npos) eol = head.size();
        std::string_view line = head.substr(pos, eol - pos);
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) return bad(out, "bad header line");
        out.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                 std::string(trim(line.substr(colon + 1))));
        pos = eol + 2;
    }

    auto connection = out.header("connection");
    keep_alive = http10 ? (connection && contains_token(*connection, "keep-alive"))
                        : !(connection && contains_token(*connection, "close"));

    std::size_t body = end_of_headers + 4;
    if (head_request || status == 204 || status == 304 || status < 200) {
        out.body.clear();
        consumed = body;
        return ParseState::complete;
    }
    auto encoding = out.header("transfer-encoding");
    if (encoding && contains_token(*encoding, "chunked")) {
        ParseState s = parse_chunked(buffer, body, out, consumed);
        if (s == ParseState::incomplete && eof)
            return bad(out, "connection closed inside a chunked body");
        return s;
    }
    if (auto length = out.header("content-length")) {
        std::size_t n = 0;
        auto [q, ec2] = std::from_chars(length->data(), length->data() + length->size(), n);
        if (ec2 != std::errc() || q != length->data() + length->size())
            return bad(out, "bad Content-Length");
        if (buffer.size() - body < n) {
            if (eof) return bad(out, "connection closed inside the body");
            return ParseState::incomplete;
        }
        out.body = std::string(buffer.substr(body, n));
        consumed = body + n;
        return ParseState::complete;
    }
    // Neither: the body runs until the server closes the connection.
    if (!eof) return ParseState::incomplete;
    out.body = std::string(buffer.substr(body));
    consumed = buffer.size();
    keep_alive = false;
    return ParseState::complete;
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout) {}

HttpResponse HttpClient::get(const std::string& path) {
    return request("GET", path);
}

HttpResponse HttpClient::post(const std::string& path, std::string_view body,
                              std::string_view content_type) {
    return request("POST", path, body, content_type);
}

HttpResponse HttpClient::request(std::string_view method, const std::string& path,
                                 std::string_view body, std::string_view content_type) {
    std::string host_header = host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_;
    std::string req;
    req.append(method).append(" ").append(path).append(" HTTP/1.1\r\n");
    req.append("Host: ")
        .append(host_header)
        .append(":")
        .append(std::to_string(port_))
        .append("\r\n");
    req.append("User-Agent: labctl-probe\r\nAccept: */*\r\n");
    if (!body.empty() || method == "POST" || method == "PUT") {
        if (!content_type.empty()) req.append("Content-Type: ").append(content_type).append("\r\n");
        req.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
    }
    req.append("\r\n").append(body);

    auto start = Clock::now();
    bool head = method == "HEAD";
    bool retryable = false;
    HttpResponse response = attempt(req, head, retryable);
    // A kept-alive connection the server closed meanwhile (idle timeout, restart) fails before
    // any byte of the answer: that is not the backend failing, so try once on a fresh connection.
    // Only for idempotent methods: a POST may have been processed.
    if (!response.ok() && retryable && method != "POST") response = attempt(req, head, retryable);
    response.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);
    return response;
}

HttpResponse HttpClient::attempt(const std::string& request, bool head, bool& retryable) {
    HttpResponse response;
    retryable = false;
    Deadline deadline = deadline_after(timeout_);
    response.reused_connection = connection_.is_open();
    if (!connection_.is_open()) {
        leftover_.clear();
        if (auto r = connection_.open(host_, port_, deadline); !r.ok()) {
            response.error = "connect to " + host_ + ":" + std::to_string(port_) + ": " + r.error;
            return response;
        }
        ++connections_opened_;
    }
    if (auto r = connection_.send_all(request, deadline); !r.ok()) {
        retryable = response.reused_connection && r.status == IoStatus::closed;
        response.error = "send: " + r.error;
        connection_.close();
        return response;
    }
    std::string buffer = std::move(leftover_);
    leftover_.clear();
    bool eof = false;
    for (;;) {
        std::size_t consumed = 0;
        bool keep_alive = false;
        ParseState s = parse_http_response(buffer, eof, head, response, consumed, keep_alive);
        if (s == ParseState::complete) {
            if (keep_alive)
                leftover_ = buffer.substr(consumed);
            else
                connection_.close();
            return response;
        }
        if (s == ParseState::bad) {
            retryable = response.reused_connection && eof && buffer.empty();
            response.status = 0;
            connection_.close();
            return response;
        }
        IoResult r = connection_.receive(buffer, deadline);
        if (r.status == IoStatus::closed) {
            eof = true;
            continue;
        }
        if (!r.ok()) {
            response.status = 0;
            response.error = "receive: " + r.error;
            connection_.close();
            return response;
        }
    }
}

HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout) {
    HttpClient client(host, port, timeout);
    return client.get(path);
}

}  // namespace labctl::probe
