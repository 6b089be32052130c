#include "probe/http.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

namespace labctl::probe {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

std::optional<std::string> find(const HttpHeaders& headers, std::string_view name) {
    std::string key = lower(name);
    for (const auto& [k, v] : headers)
        if (k == key) return v;
    return std::nullopt;
}

// libcurl's callbacks: plain functions with the exact signatures it calls (its gcc type
// checks reject anything else), reaching our objects through the user pointer.
std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<HeaderCollector*>(user)->line(std::string_view(data, size * count));
    return size * count;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
}

// Why a transfer failed, in words a verify detail can show. A refused connection names the
// errno ("Connection refused") rather than libcurl's "Couldn't connect to server".
std::string describe_failure(CURL* handle, CURLcode code, const char* message,
                             const std::string& host, std::uint16_t port) {
    std::string why = message[0] != '\0' ? message : curl_easy_strerror(code);
    if (code == CURLE_COULDNT_CONNECT) {
        long os_errno = 0;
        curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
        if (os_errno != 0) why = std::strerror(static_cast<int>(os_errno));
        return "connect to " + host + ":" + std::to_string(port) + ": " + why;
    }
    return why;
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    return find(headers, name);
}

std::optional<std::string> HttpResponse::trailer(std::string_view name) const {
    return find(trailers, name);
}

void HeaderCollector::line(std::string_view text) {
    std::string_view content = trim(text);
    if (text.substr(0, 5) == "HTTP/") {
        // A new header block: the final response after an interim one (100 Continue).
        out_.headers.clear();
        out_.trailers.clear();
        out_.version = std::string(content.substr(0, content.find(' ')));
        block_ended_ = false;
        return;
    }
    if (content.empty()) {
        block_ended_ = true;
        return;
    }
    auto colon = content.find(':');
    if (colon == std::string_view::npos || colon == 0) return;  // not a field: nothing to keep
    auto& into = block_ended_ ? out_.trailers : out_.headers;
    into.emplace_back(lower(trim(content.substr(0, colon))),
                      std::string(trim(content.substr(colon + 1))));
}

HttpClient::HttpClient(std::string host, std::uint16_t port, std::chrono::milliseconds timeout,
                       HttpVersion version, std::string ca_file)
    : host_(std::move(host)),
      port_(port),
      timeout_(timeout),
      version_(version),
      ca_file_(std::move(ca_file)),
      base_url_((ca_file_.empty() ? "http://" : "https://") +
                (host_.find(':') != std::string::npos ? "[" + host_ + "]" : host_) + ":" +
                std::to_string(port_)) {
    open_handle();
}

void HttpClient::open_handle() {
    handle_ = make_curl_easy();
    CURL* h = handle_.get();
    if (h == nullptr) return;
    // What every request of this client shares is set once, here; send() sets the rest and
    // clears what points into its own locals. Worker threads each run a handle: no SIGALRM for
    // timeouts (libcurl's signal-based resolver timeout is not thread-safe).
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    // Probes go straight to the lab's addresses: an http_proxy in the user's environment
    // must not carry them elsewhere (or fail them).
    curl_easy_setopt(h, CURLOPT_PROXY, "");
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, ca_file_.empty() ? "http" : "https");
    if (!ca_file_.empty()) {
        // Only the given CA, never the system's store; the name checked is the address
        // probed, so a certificate must list every address it is reached at.
        curl_easy_setopt(h, CURLOPT_CAINFO, ca_file_.c_str());
        curl_easy_setopt(h, CURLOPT_CAPATH, nullptr);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout_.count()));
    curl_easy_setopt(h, CURLOPT_USERAGENT, "labctl-probe");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     version_ == HttpVersion::http2_prior_knowledge
                         ? static_cast<long>(CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE)
                         : static_cast<long>(CURL_HTTP_VERSION_1_1));
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    if (version_ == HttpVersion::http2_prior_knowledge && !curl_reuses_h2c_connections()) {
        // This libcurl fails every request on a reused h2c connection: one connection per
        // request instead, closed after it. Slower, but every call is measured, not lost.
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(h, CURLOPT_FORBID_REUSE, 1L);
    }
}

void HttpClient::close() {
    // A fresh handle has no connection; the old one closes its own as it is cleaned up.
    open_handle();
}

HttpResponse HttpClient::get(const std::string& path) {
    return send({"GET", path, {}, {}});
}

HttpResponse HttpClient::post(const std::string& path, std::string_view body,
                              std::string_view content_type) {
    return request("POST", path, body, content_type);
}

HttpResponse HttpClient::request(std::string_view method, const std::string& path,
                                 std::string_view body, std::string_view content_type) {
    HttpRequest request{std::string(method), path, std::string(body), {}};
    if (!content_type.empty()) request.headers.emplace_back("Content-Type", content_type);
    return send(request);
}

HttpResponse HttpClient::send(const HttpRequest& request) {
    HttpResponse response;
    CURL* h = handle_.get();
    if (h == nullptr) {
        response.error = "libcurl could not create a handle";
        return response;
    }

    std::string url = base_url_ + request.path;
    char message[CURL_ERROR_SIZE] = {};
    HeaderCollector collector(response);
    CurlSlist headers;
    bool allocated = true;
    // libcurl would send "Expect: 100-continue" before a larger POST body and wait for it.
    allocated &= curl_slist_add(headers, "Expect:");
    bool typed = false;
    for (const auto& [name, value] : request.headers) {
        allocated &= curl_slist_add(headers, name + ": " + value);
        typed |= lower(name) == "content-type";
    }
    // ...and label a body without a type as a form; an empty value removes that header.
    if (!typed) allocated &= curl_slist_add(headers, "Content-Type:");
    if (!allocated) {
        response.error = "libcurl could not allocate the request headers";
        return response;
    }

    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, message);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &collector);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    bool has_body = !request.body.empty() || request.method == "POST" || request.method == "PUT";
    if (has_body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         static_cast<curl_off_t>(request.body.size()));
    } else if (request.method == "HEAD") {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    bool custom = request.method != "GET" && request.method != "POST" && request.method != "HEAD";
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, custom ? request.method.c_str() : nullptr);

    // A kept-alive connection the server closed meanwhile (idle timeout, restart) is not the
    // backend failing: libcurl checks a connection before reusing it, and retries a request
    // once on a fresh one when a reused connection dies before any byte of the answer.
    auto start = Clock::now();
    CURLcode code = curl_easy_perform(h);
    response.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start);

    long connects = 0;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &connects);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    std::string failure = code == CURLE_OK ? "" : describe_failure(h, code, message, host_, port_);
    // The handle outlives this call and points at locals (error buffer, header list, body):
    // forget them now, so nothing libcurl does later (closing the connection) touches them.
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, nullptr);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, nullptr);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, nullptr);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, nullptr);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, nullptr);

    connections_opened_ += static_cast<std::size_t>(connects);
    if (!failure.empty()) {
        response.error = std::move(failure);
        response.status = 0;
        return response;
    }
    response.status = static_cast<int>(status);
    response.reused_connection = connects == 0;
    if (response.status == 0) response.error = "no HTTP status in the answer";
    return response;
}

HttpResponse http_get(const std::string& host, std::uint16_t port, const std::string& path,
                      std::chrono::milliseconds timeout, const std::string& ca_file) {
    HttpClient client(host, port, timeout, HttpVersion::http1_1, ca_file);
    return client.get(path);
}

}  // namespace labctl::probe
