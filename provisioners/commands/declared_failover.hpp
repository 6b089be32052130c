// A declared `failover` check as `labctl kill` runs it, then revived: kill the target while
// traffic runs through its balancer, measure, undo the fault and wait until it takes
// traffic again.
#pragma once

#include <string>

#include "commands/options.hpp"
#include "verify/declared_checks.hpp"

namespace labctl::commands {

// Each call loads the lab of GLOBAL (a student's copy with --student), takes the lab's lock for the
// check's duration and passes when failed <= max_failed, failover_seconds <= max_seconds (when
// given) and the target rejoined.
verify::FailoverRunner declared_failover_runner(const GlobalOptions& global);

}  // namespace labctl::commands
