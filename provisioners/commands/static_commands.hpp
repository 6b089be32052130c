// Commands that need no libvirt, guest or network: validate, render, graph.
#pragma once

#include <ostream>

#include "commands/options.hpp"

namespace labctl::commands {

// Each returns the process exit code; errors that stop the command are thrown as LabError.
int run_validate(const GlobalOptions& global, const ValidateOptions& options, std::ostream& out,
                 std::ostream& err);
int run_render(const GlobalOptions& global, const RenderOptions& options, std::ostream& out);
int run_graph(const GlobalOptions& global, const GraphOptions& options, std::ostream& out);

}  // namespace labctl::commands
