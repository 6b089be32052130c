// The declared checks of one lab, scored: what `labctl check` prints and `class check` puts in
// a student's row of the gradebook.
#pragma once

#include "commands/options.hpp"
#include "topology/model.hpp"
#include "verify/declared_checks.hpp"

namespace labctl::commands {

// LAB is the lab GLOBAL addresses (load_lab(global)); JOBS: checks run at once (0: 8).
verify::ScoredReport run_lab_checks(const GlobalOptions& global, const topo::Lab& lab, int jobs);

}  // namespace labctl::commands
