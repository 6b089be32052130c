// `labctl class up|check|reset|down`: one lab file, a copy per student (SPEC.md section 5).
// Each copy is an ordinary lab (labfile/class_copy.hpp) brought up, checked and removed by
// the ordinary commands with --student set, several at once under --jobs.
#pragma once

#include <ostream>

#include "commands/options.hpp"

namespace labctl::commands {

// Exit 0 when every copy is up and verified; else the worst of the copies' codes.
int run_class_up(const GlobalOptions& global, const ClassUpOptions& options, std::ostream& out);
// Exit 0 when every copy was graded (whatever its points); 1 when one could not be.
int run_class_check(const GlobalOptions& global, const ClassCheckOptions& options,
                    std::ostream& out);
int run_class_reset(const GlobalOptions& global, const ClassResetOptions& options,
                    std::ostream& out);
int run_class_down(const GlobalOptions& global, const ClassDownOptions& options, std::ostream& out);

}  // namespace labctl::commands
