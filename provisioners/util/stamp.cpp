#include "util/stamp.hpp"

#include <cstdio>

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

}  // namespace labctl::util
