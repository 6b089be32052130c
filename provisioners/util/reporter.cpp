#include "util/reporter.hpp"

#include "util/stamp.hpp"

namespace labctl::util {

Reporter::Reporter(std::ostream& out, int verbosity, std::chrono::steady_clock::time_point start)
    : out_(out), verbosity_(verbosity), start_(start) {}

void Reporter::step(const std::string& line) {
    if (verbosity_ >= 0) print(line);
}

void Reporter::detail(const std::string& line) {
    if (verbosity_ > 0) print(line);
}

void Reporter::warning(const std::string& line) {
    print("warning: " + line);
}

void Reporter::forward(const std::string& prefix, const std::string& line) {
    std::lock_guard lock(mutex_);
    out_ << prefix << line << "\n" << std::flush;
}

std::ostream& Reporter::stream() {
    return verbosity_ >= 0 ? out_ : discard_;
}

void Reporter::print(const std::string& line) {
    std::lock_guard lock(mutex_);
    out_ << stamp(start_) << line << "\n" << std::flush;
}

}  // namespace labctl::util
