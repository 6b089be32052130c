// `down`: removes exactly what labctl created for one lab: domains and networks carrying the
// lab's tag, the recorded pool (when its path is still the lab's) with its volumes, and the
// recorded overlays. Objects that merely share the lab's name prefix are never touched.
// Running it again finds nothing and changes nothing.
#pragma once

#include <optional>
#include <string>

#include "engine/lab_state.hpp"
#include "util/reporter.hpp"
#include "virt/connection.hpp"

namespace labctl::engine {

struct TeardownOptions {
    bool keep_disks = false;
};

// Returns the number of things removed (0: nothing was there).
int teardown_lab(virt::Connection& connection, const std::string& lab,
                 const std::filesystem::path& state_dir, const std::optional<LabRecord>& record,
                 const TeardownOptions& options, util::Reporter& report);

}  // namespace labctl::engine
