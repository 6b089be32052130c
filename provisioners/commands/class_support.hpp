// What every `class` verb shares: the course's lab (never a copy), and running one command per
// student's copy, several at once, each copy's lines prefixed by its student id.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "commands/class_record.hpp"
#include "commands/options.hpp"
#include "topology/model.hpp"
#include "util/reporter.hpp"

namespace labctl::commands {

// The lab of -f with its [class]; InputError when it has none or --student was given (a class
// verb acts on every copy; VERB names it in the message).
topo::Lab load_class_lab(const GlobalOptions& global, const std::string& verb);

// The GlobalOptions that address STUDENT's copy.
GlobalOptions for_student(const GlobalOptions& global, const std::string& student);

struct CopyOutcome {
    int code = 0;       // the command's exit code (or the error's)
    std::string error;  // why it failed, "" when it ran
};

// Runs FN for every student, at most JOBS at once (0: 4), FN's output forwarded through
// PROGRESS as "ID | line". A copy's failure is its outcome, not the others'; an interruption
// is rethrown once all have stopped.
using CopyCommand = std::function<int(const ClassStudent&, const GlobalOptions&, std::ostream&)>;
std::vector<CopyOutcome> for_each_copy(const GlobalOptions& global,
                                       const std::vector<ClassStudent>& students, int jobs,
                                       util::Reporter& progress, const CopyCommand& fn);

// The worst exit code of OUTCOMES (interrupted > locked > infrastructure > input > verify).
int worst_code(const std::vector<CopyOutcome>& outcomes);

}  // namespace labctl::commands
