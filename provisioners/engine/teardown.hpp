// `down`: removes exactly what labctl created for one lab: domains and networks carrying the
// lab's tag, the recorded pool (when its path is still the lab's) with its volumes, and the
// recorded overlays. Objects that merely share the lab's name prefix are never touched.
// Running it again finds nothing and changes nothing.
#pragma once

#include <chrono>
#include <optional>
#include <ostream>
#include <string>

#include "engine/lab_state.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct TeardownOptions {
    bool keep_disks = false;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

// Returns the number of things removed (0: nothing was there).
int teardown_lab(virt::Connection& connection, const std::string& lab,
                 const std::filesystem::path& state_dir, const std::optional<LabRecord>& record,
                 const TeardownOptions& options, std::ostream& out);

}  // namespace labctl::engine
