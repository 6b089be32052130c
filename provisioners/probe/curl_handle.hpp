// RAII owners of libcurl's handles, and libcurl's once-per-process setup. Every probe that
// speaks HTTP goes through these, so no handle or header list can leak on an early return.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace labctl::probe {

struct CurlEasyDeleter {
    void operator()(CURL* handle) const { curl_easy_cleanup(handle); }
};
// One easy handle keeps its connections open between transfers: reusing it is keep-alive.
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// A new easy handle, after libcurl's global setup (done once, thread-safely). Null only when
// libcurl could not allocate one; callers report that as a failed probe.
CurlEasy make_curl_easy();

// Whether this libcurl can send another request on a kept-alive HTTP/2 connection opened with
// prior knowledge (h2c). Before 8.0.0 it cannot: reusing one fails with "Error in the HTTP2
// framing layer" (curl issue 10634); Debian 12 ships 7.88.1.
bool curl_reuses_h2c_connections();

// Appends LINE to LIST (empty or not); false when libcurl could not allocate the entry.
bool curl_slist_add(CurlSlist& list, const std::string& line);

}  // namespace labctl::probe
