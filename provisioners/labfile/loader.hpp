// Reads a topology file into a topo::Lab: TOML syntax, known keys, types, names, then the
// semantic checks of validator.hpp. Every error is collected; nothing throws on bad input.
#pragma once

#include <optional>
#include <string>

#include "topology/diagnostics.hpp"
#include "topology/model.hpp"

namespace labctl::labfile {

struct LoadResult {
    std::optional<topo::Lab> lab;  // set only when there is no error
    topo::Diagnostics diagnostics;
};

// FILE names the text in messages; BASE_DIR anchors relative upload paths.
LoadResult load_lab_text(std::string_view text, const std::string& file,
                         const std::string& base_dir = ".");
LoadResult load_lab_file(const std::string& path);

// load_lab_file, throwing InputError with every message when the file is invalid.
topo::Lab load_lab_or_throw(const std::string& path);

}  // namespace labctl::labfile
