// How every command that acts on one lab gets it: the lab file of -f, or with --student ID
// that student's copy of it (class mode, labfile/class_copy.hpp). The one place commands
// load a lab, so `--student` addresses a copy in every command alike.
#pragma once

#include "commands/options.hpp"
#include "topology/model.hpp"

namespace labctl::commands {

// InputError (exit 2) for an invalid file, a bad student id, or --student on a lab without
// [class].
topo::Lab load_lab(const GlobalOptions& global);

}  // namespace labctl::commands
