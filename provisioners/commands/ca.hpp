// `labctl ca`: the path of the lab CA's certificate, for `curl --cacert` or a browser.
#pragma once

#include <ostream>

#include "commands/options.hpp"

namespace labctl::commands {

struct CaOptions {};

// Prints the path and returns 0; InputError (exit 2) when no service of the lab uses the
// lab's CA, or when `labctl up` has not made it yet.
int run_ca(const GlobalOptions& global, const CaOptions& options, std::ostream& out);

}  // namespace labctl::commands
