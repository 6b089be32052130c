#include "probe/curl_handle.hpp"

namespace labctl::probe {

namespace {

// curl_global_init must run before the first handle and must not race another thread's call:
// a function-local static gives both. It is never undone; the process exit releases it.
void ensure_curl_global() {
    static const CURLcode result = curl_global_init(CURL_GLOBAL_DEFAULT);
    (void)result;  // a failure shows as curl_easy_init returning null
}

}  // namespace

CurlEasy make_curl_easy() {
    ensure_curl_global();
    return CurlEasy(curl_easy_init());
}

bool curl_reuses_h2c_connections() {
    ensure_curl_global();
    static const bool reuses = curl_version_info(CURLVERSION_NOW)->version_num >= 0x080000;
    return reuses;
}

bool curl_slist_add(CurlSlist& list, const std::string& line) {
    // curl_slist_append returns the head: LIST's own when it had one, a new one when it was
    // empty; null (LIST untouched) when out of memory.
    curl_slist* head = curl_slist_append(list.get(), line.c_str());
    if (head == nullptr) return false;
    if (!list) list.reset(head);
    return true;
}

}  // namespace labctl::probe
