#include "topology/diagnostics.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace labctl::topo {

void Diagnostics::error(Pos pos, std::string message) {
    for (const auto& item : items_)
        if (item.pos == pos && item.message == message) return;
    items_.push_back({pos, std::move(message)});
}

std::string Diagnostics::format() const {
    auto sorted = items_;
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const Diagnostic& a, const Diagnostic& b) { return a.pos < b.pos; });
    std::string out;
    for (const auto& item : sorted) {
        out += file_ + ":" + std::to_string(std::max(item.pos.line, 1)) + ":" +
               std::to_string(std::max(item.pos.col, 1)) + ": error: " + item.message + "\n";
    }
    return out;
}

void Diagnostics::throw_if_any() const {
    if (items_.empty()) return;
    auto text = format();
    text.pop_back();  // the last line's newline: the CLI prints the message with its own
    throw DiagnosticsError(text);
}

}  // namespace labctl::topo
