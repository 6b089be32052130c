// Collects validation errors so they can all be reported at once, one per line, as
// FILE:LINE:COL: error: MESSAGE, sorted by position.
#pragma once

#include <string>
#include <vector>

#include "topology/model.hpp"

namespace labctl::topo {

struct Diagnostic {
    Pos pos;
    std::string message;
};

class Diagnostics {
  public:
    explicit Diagnostics(std::string file) : file_(std::move(file)) {}

    void error(Pos pos, std::string message);
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }
    const std::vector<Diagnostic>& items() const { return items_; }
    const std::string& file() const { return file_; }
    // One line per error, sorted by position, duplicates removed.
    std::string format() const;
    // Throws DiagnosticsError (exit 2) carrying format()'s lines when there is any error.
    void throw_if_any() const;

  private:
    std::string file_;
    std::vector<Diagnostic> items_;
};

}  // namespace labctl::topo
