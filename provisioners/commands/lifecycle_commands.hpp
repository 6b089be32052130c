// The lifecycle verbs (issue 13): commands on a running lab's nodes and on every lab of a
// connection.
#pragma once

#include <ostream>

#include "commands/lifecycle_options.hpp"
#include "commands/options.hpp"

namespace labctl::commands {

int run_exec(const GlobalOptions& global, const ExecOptions& options, std::ostream& out);
int run_ls(const GlobalOptions& global, const LsOptions& options, std::ostream& out);
int run_power(const GlobalOptions& global, const PowerOptions& options, std::ostream& out);
int run_netem(const GlobalOptions& global, const NetemOptions& options, std::ostream& out);
int run_snapshot(const GlobalOptions& global, const SnapshotOptions& options, std::ostream& out);

}  // namespace labctl::commands
