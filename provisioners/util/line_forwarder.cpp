#include "util/line_forwarder.hpp"

namespace labctl::util {

LineForwarder::~LineForwarder() {
    // A last line without its newline is still the run's output.
    if (!line_.empty()) outer_.forward(prefix_, line_);
}

void LineForwarder::put(char c) {
    if (c == '\n') {
        outer_.forward(prefix_, line_);
        line_.clear();
    } else {
        line_ += c;
    }
}

LineForwarder::int_type LineForwarder::overflow(int_type c) {
    if (!traits_type::eq_int_type(c, traits_type::eof())) put(traits_type::to_char_type(c));
    return traits_type::not_eof(c);
}

std::streamsize LineForwarder::xsputn(const char* data, std::streamsize count) {
    for (std::streamsize k = 0; k < count; ++k) put(data[k]);
    return count;
}

}  // namespace labctl::util
