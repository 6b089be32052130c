#include "util/stamp.hpp"

#include <cstdio>
#include <ctime>

namespace labctl::util {

std::string stamp(double seconds) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "[%6.2fs] ", seconds);
    return buffer;
}

std::string stamp(std::chrono::steady_clock::time_point start) {
    return stamp(seconds_since(start));
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string utc_now() {
    std::time_t now = std::time(nullptr);
    std::tm parts{};
    ::gmtime_r(&now, &parts);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
    return text;
}

}  // namespace labctl::util
